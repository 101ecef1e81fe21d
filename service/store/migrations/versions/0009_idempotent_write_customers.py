"""Idempotent writes know their customers, so erasing a customer erases the records of its keyed writes.

Existing records are linked to the customers of their messages; a record that lost messages to an erasure made
before this revision (messages are only ever deleted by erasure) is erased now, as that erasure would have done.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID_CHUNK = 500


def upgrade() -> None:
    """Create idempotent_write_customers and fill it from the stored writes' messages."""
    links = op.create_table(
        "idempotent_write_customers",
        sa.Column("key", sa.String(200), sa.ForeignKey("idempotent_writes.key", ondelete="CASCADE"), primary_key=True),
        sa.Column("customer_id", sa.String(128), sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_idempotent_write_customers_customer_id", "idempotent_write_customers", ["customer_id"])
    writes = sa.table("idempotent_writes", sa.column("key", sa.String), sa.column("message_ids", sa.JSON))
    messages = sa.table("messages", sa.column("id", sa.Integer), sa.column("customer_id", sa.String))
    bind = op.get_bind()
    for key, message_ids in bind.execute(sa.select(writes.c.key, writes.c.message_ids)).all():
        ids = list(message_ids or [])
        owners: dict[int, str] = {}
        for start in range(0, len(ids), ID_CHUNK):
            owners.update(bind.execute(sa.select(messages.c.id, messages.c.customer_id)
                                       .where(messages.c.id.in_(ids[start : start + ID_CHUNK]))).tuples().all())
        if not ids or len(owners) < len(set(ids)):
            bind.execute(sa.delete(writes).where(writes.c.key == key))
        else:
            bind.execute(sa.insert(links), [{"key": key, "customer_id": c} for c in sorted(set(owners.values()))])


def downgrade() -> None:
    """Drop it."""
    op.drop_index("ix_idempotent_write_customers_customer_id", "idempotent_write_customers")
    op.drop_table("idempotent_write_customers")
