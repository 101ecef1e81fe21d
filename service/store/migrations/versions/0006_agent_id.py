"""Agent turns name their agent (for agents' empathy profiles and routing to the right agent).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add messages.agent_id (null for customer turns and for agent turns stored before)."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("agent_id", sa.String(128), nullable=True))
        batch.create_index("ix_messages_agent_id", ["agent_id"])


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_agent_id")
        batch.drop_column("agent_id")
