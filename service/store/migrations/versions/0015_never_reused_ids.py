"""Ids never reused on SQLite: the tables whose ids the API hands out are rebuilt with AUTOINCREMENT.

SQLite gave a new row the highest id plus one, so erasing the newest customer handed their message, alert and
correction ids to the next customer's rows. The rebuild copies every row (the store turns foreign keys off while it
migrates, so dropping the old table cascades into nothing). PostgreSQL's sequences never reuse an id: nothing to do.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ("alert_states", "alert_events", "outbox_events", "webhook_deliveries", "messages", "corrections", "outcomes")


def upgrade() -> None:
    """Rebuild each table with AUTOINCREMENT (SQLite)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass


def downgrade() -> None:
    """Nothing: ids that are never reused suit the earlier revisions as well."""
