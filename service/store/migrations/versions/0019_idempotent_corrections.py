"""A correction keeps its client's Idempotency-Key and request hash, so a retried correction is stored once.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add corrections.idempotency_key (unique) and corrections.request_sha (null for corrections made before, and
    for those made without a key)."""
    with op.batch_alter_table("corrections") as batch:  # columns and an index: no rebuild on SQLite
        batch.add_column(sa.Column("idempotency_key", sa.String(200), nullable=True))
        batch.add_column(sa.Column("request_sha", sa.String(64), nullable=True))
        batch.create_index("ix_corrections_idempotency_key", ["idempotency_key"], unique=True)


def downgrade() -> None:
    """Drop them (SQLite rebuilds the table: kept with AUTOINCREMENT, see 0015)."""
    with op.batch_alter_table("corrections", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_index("ix_corrections_idempotency_key")
        batch.drop_column("request_sha")
        batch.drop_column("idempotency_key")
