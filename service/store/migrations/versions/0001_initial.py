"""Initial schema: customers (with their summary) and messages (with their readings).

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create customers and messages."""
    op.create_table(
        "customers",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("segment", sa.String(32), nullable=False, index=True),
        sa.Column("trend", sa.String(16), nullable=False),
        sa.Column("trend_delta", sa.Float, nullable=False),
        sa.Column("open_alerts", sa.Integer, nullable=False),
        sa.Column("alerts", sa.JSON, nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.String(128), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("ekman", sa.JSON, nullable=False),
        sa.Column("sentiment", sa.JSON, nullable=False),
        sa.Column("valence", sa.Float, nullable=False),
        sa.Column("arousal", sa.Float, nullable=False),
        sa.Column("satisfaction", sa.Float, nullable=False),
        sa.Column("satisfaction_class", sa.String(16), nullable=False),
    )
    op.create_index("ix_messages_customer_time", "messages", ["customer_id", "timestamp"])


def downgrade() -> None:
    """Drop everything."""
    op.drop_index("ix_messages_customer_time", "messages")
    op.drop_table("messages")
    op.drop_table("customers")
