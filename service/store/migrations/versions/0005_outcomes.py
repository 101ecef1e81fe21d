"""Outcomes the business records (customer events, conversation ratings) and its own customer attributes.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create outcomes and customer_attributes."""
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.String(128), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("customer_id", "kind", "conversation_id", "occurred_at", name="uq_outcome"),
    )
    op.create_index("ix_outcomes_customer_id", "outcomes", ["customer_id"])
    op.create_table(
        "customer_attributes",
        sa.Column("customer_id", sa.String(128), sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("customer_attributes")
    op.drop_index("ix_outcomes_customer_id", "outcomes")
    op.drop_table("outcomes")
