"""The store on a real SQLite file and a real PostgreSQL server: same behaviour on both."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from emotrace.store.database import NewMessage, Store

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def message(customer: str, hours: float, satisfaction: float, *, speaker: str = "customer",
            conv: str = "c1") -> NewMessage:
    return NewMessage(customer, conv, "chat", speaker, T0 + timedelta(hours=hours), "text [EMAIL]",
                      ["annoyance"] if satisfaction < 0 else ["gratitude"],
                      {"anger": 0.1, "joy": 0.5, "neutral": 0.2}, ["negative" if satisfaction < 0 else "positive"],
                      satisfaction, 0.4, satisfaction, "dissatisfied" if satisfaction < 0 else "satisfied")


def test_migrations_create_the_schema(database_url) -> None:
    store = Store(database_url)
    tables = set(inspect(store.engine).get_table_names())
    assert {"customers", "messages", "alembic_version"} <= tables
    Store(database_url)  # migrating again is a no-op


def test_write_read_summary_and_erase(database_url) -> None:
    store = Store(database_url)
    rows, customers = store.add_messages([message("ann", 0, 0.8), message("ann", 1, -0.9, speaker="agent"),
                               message("bob", 0, -0.7)])
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    assert [c.id for c in customers] == ["ann", "bob"]
    ann = store.customer("ann")
    assert ann is not None and ann.score > 60  # the agent's negative turn does not count
    assert [c.id for c in store.customers()] == ["bob", "ann"]  # riskiest first
    assert ann.segment == "satisfied"  # one happy message: satisfied, not delighted (the neutral prior)
    assert [c.id for c in store.customers("satisfied")] == ["ann"]
    assert [c.id for c in store.customers(store.customer("bob").segment)] == ["bob"]
    assert store.customers("delighted") == []
    assert store.messages("ann")[0].timestamp.replace(tzinfo=UTC) == T0
    assert store.delete_customer("ann") is True
    assert store.customer("ann") is None and store.messages("ann") == []
    assert store.delete_customer("ann") is False
    assert store.customer("bob") is not None


def test_a_failed_write_stores_nothing(database_url) -> None:
    store = Store(database_url)
    store.add_messages([message("ann", 0, 0.5)])
    broken = replace(message("cat", 1, 0.5), conversation_id=None)  # NOT NULL violation, second row
    with pytest.raises(IntegrityError):
        store.add_messages([message("ann", 2, -0.9), broken])
    assert len(store.messages("ann")) == 1
    assert store.customer("cat") is None
    assert store.customer("ann").score == store.timeline("ann").current.score
