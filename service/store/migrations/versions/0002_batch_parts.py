"""Batch ingestion markers: which chunks of which batch run are already stored.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create batch_parts."""
    op.create_table(
        "batch_parts",
        sa.Column("run_key", sa.String(64), primary_key=True),
        sa.Column("part", sa.Integer, primary_key=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop batch_parts."""
    op.drop_table("batch_parts")
