"""Messages carry the intents their reading found (churn threat, escalation, refund, legal threat).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add messages.intents and messages.intent_probabilities (null for messages read before intents existed)."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("intents", sa.JSON, nullable=True))
        batch.add_column(sa.Column("intent_probabilities", sa.JSON, nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("intent_probabilities")
        batch.drop_column("intents")
