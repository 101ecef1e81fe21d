"""An erased keyed write is remembered by its key's SHA-256, so a late retry does not store its messages again.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create erased_writes (empty: erasures before this revision kept nothing of their keys)."""
    op.create_table("erased_writes", sa.Column("key_sha", sa.String(64), primary_key=True),
                    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False))


def downgrade() -> None:
    """Drop it."""
    op.drop_table("erased_writes")
