"""Both views stored in both shapes: Ekman labels beside its probabilities, sentiment probabilities beside its
labels (rows stored before this migration have them empty).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add messages.ekman_labels and messages.sentiment_probabilities."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("ekman_labels", sa.JSON, nullable=True))
        batch.add_column(sa.Column("sentiment_probabilities", sa.JSON, nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("sentiment_probabilities")
        batch.drop_column("ekman_labels")
