"""Alerts get an id, a status, an assignee and a history.

Existing customers' alerts are registered as open, each with an "opened" entry, and their ids written into the
customers' alert lists.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create alert_states and alert_events; register the stored alerts."""
    states = op.create_table(
        "alert_states",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.String(128), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("first_message_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("customer_id", "kind", "first_message_id", name="uq_alert"),
    )
    op.create_index("ix_alert_states_customer_id", "alert_states", ["customer_id"])
    op.create_index("ix_alert_states_status", "alert_states", ["status"])
    op.create_index("ix_alert_states_assignee", "alert_states", ["assignee"])
    events = op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alert_states.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(128), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index("ix_alert_events_alert_id", "alert_events", ["alert_id"])
    customers = sa.table("customers", sa.column("id", sa.String), sa.column("alerts", sa.JSON))
    bind = op.get_bind()
    now = datetime.now(UTC)
    for customer_id, alerts in bind.execute(sa.select(customers.c.id, customers.c.alerts)).all():
        registered, ids = [], {}
        for alert in alerts or []:
            key = (alert["kind"], alert["message_ids"][0])
            if key not in ids:
                ids[key] = bind.execute(sa.insert(states).values(
                    customer_id=customer_id, kind=key[0], first_message_id=key[1], status="open", created_at=now,
                    updated_at=now).returning(states.c.id)).scalar_one()
                bind.execute(sa.insert(events).values(alert_id=ids[key], at=now, actor="emotrace", status="open"))
            registered.append({**alert, "id": ids[key], "status": "open", "assignee": None})
        if registered:
            bind.execute(sa.update(customers).where(customers.c.id == customer_id).values(alerts=registered))


def downgrade() -> None:
    """Drop them."""
    op.drop_table("alert_events")
    op.drop_table("alert_states")
