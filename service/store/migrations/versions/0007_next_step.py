"""Customers carry the agent's suggested next step (refreshed with their summary on every write).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add customers.next_step (null until the customer's next write)."""
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("next_step", sa.JSON, nullable=True))


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("next_step")
