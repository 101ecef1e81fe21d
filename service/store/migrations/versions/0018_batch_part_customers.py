"""A batch row's mark names the customer of its message, so erasing the customer takes the mark.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add batch_parts.customer_id (null for marks made before: their customer cannot be told from the hash, nor
    for a run's chunk marks of the release of 2026-12-02)."""
    with op.batch_alter_table("batch_parts") as batch:
        batch.add_column(sa.Column("customer_id", sa.String(128), nullable=True))
        batch.create_index("ix_batch_parts_customer_id", ["customer_id"])


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("batch_parts") as batch:
        batch.drop_index("ix_batch_parts_customer_id")
        batch.drop_column("customer_id")
