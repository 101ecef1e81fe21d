"""Idempotent writes: a client's Idempotency-Key and what the write under it stored.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create idempotent_writes."""
    op.create_table(
        "idempotent_writes",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_sha", sa.String(64), nullable=False),
        sa.Column("message_ids", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop idempotent_writes."""
    op.drop_table("idempotent_writes")
