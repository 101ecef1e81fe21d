"""Corrections from the floor: a person's right reading of a stored message, erased with its customer.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create corrections."""
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
        sa.Column("customer_id", sa.String(128), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("satisfaction_class", sa.String(16), nullable=True),
        sa.Column("labels", sa.JSON, nullable=True),
        sa.Column("intents", sa.JSON, nullable=True),
        sa.Column("topics", sa.JSON, nullable=True),
        sa.Column("corrected_by", sa.String(128), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_corrections_message_id", "corrections", ["message_id"])
    op.create_index("ix_corrections_customer_id", "corrections", ["customer_id"])
    op.create_index("ix_corrections_created_at", "corrections", ["created_at"])


def downgrade() -> None:
    """Drop it."""
    op.drop_table("corrections")
