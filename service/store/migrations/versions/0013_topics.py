"""Messages carry what they are about: the topics their reading found and each topic's own satisfaction (aspects).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add messages.topic_labels, topic_probabilities and aspects (null for messages read before topics existed)."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("topic_labels", sa.JSON, nullable=True))
        batch.add_column(sa.Column("topic_probabilities", sa.JSON, nullable=True))
        batch.add_column(sa.Column("aspects", sa.JSON, nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("aspects")
        batch.drop_column("topic_probabilities")
        batch.drop_column("topic_labels")
