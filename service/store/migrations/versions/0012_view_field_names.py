"""One naming of the views' fields: ``<view>_labels`` for the groups that fire, ``<view>_probabilities`` for their
probabilities (``ekman`` held Ekman probabilities, ``sentiment`` sentiment labels, ``intents`` intent labels).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

RENAMES = {"ekman": "ekman_probabilities", "sentiment": "sentiment_labels", "intents": "intent_labels"}


def _rename(renames: dict[str, str]) -> None:
    with op.batch_alter_table("messages") as batch:
        for old, new in renames.items():
            batch.alter_column(old, new_column_name=new)


def upgrade() -> None:
    """Rename messages.ekman, .sentiment and .intents."""
    _rename(RENAMES)


def downgrade() -> None:
    """Give them their old names back."""
    _rename({new: old for old, new in RENAMES.items()})
