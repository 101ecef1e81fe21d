"""Drivers over the store, on SQLite and PostgreSQL: the period, the period before, filters, skipped rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emotrace.errors import EmotraceError
from emotrace.scoring.rules import ScoringRules
from emotrace.services.drivers import floor_drivers, period
from emotrace.services.summaries import record_messages
from emotrace.store import Store
from emotrace.store.messages import NewMessage

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def topical(customer: str, days_ago: float, topics: list[str] | None, satisfaction: float, *, channel: str = "chat",
            speaker: str = "customer", text: str | None = "text") -> NewMessage:
    cls = "dissatisfied" if satisfaction < -0.2 else "satisfied" if satisfaction > 0.2 else "neutral"
    return NewMessage(customer, f"{customer}-{days_ago}", channel, speaker, NOW - timedelta(days=days_ago), text,
                      [], {"anger": 0.2, "joy": 0.2, "neutral": 0.6}, [], satisfaction, 0.3, satisfaction, cls,
                      topic_labels=topics, aspects=None if topics is None else
                      [{"topic": t, "satisfaction": satisfaction, "satisfaction_class": cls} for t in topics])


def test_a_period_against_the_one_before_with_filters(database_url) -> None:
    store = Store(database_url)
    record_messages(store, [
        topical("ann", 1, ["billing_charges"], -0.8, text="charged twice, mail ann@example.com"),
        topical("ann", 2, ["billing_charges"], -0.6, channel="email"),
        topical("bob", 3, ["delivery"], -0.3),
        topical("bob", 3.5, ["delivery"], -0.9, speaker="agent"),  # agent turns never count
        topical("bob", 4, None, -0.9),  # stored before topics existed: skipped, counted
        topical("bob", 9, ["delivery"], -0.9), topical("cat", 10, ["delivery"], -0.9),  # the period before
        topical("cat", 20, ["price"], -0.9),  # before both periods
    ])
    since, until = period(None, NOW, NOW)
    found = floor_drivers(store, since, until, ScoringRules())
    assert (found.since, found.previous_since) == (NOW - timedelta(days=7), NOW - timedelta(days=14))
    assert [(d.topic, d.messages, d.carried) for d in found.drivers] == [("billing_charges", 2, 1.4),
                                                                          ("delivery", 1, 0.3)]
    assert (found.messages, found.without_topics, found.previous_messages) == (3, 1, 2)
    billing, delivery = found.drivers
    assert billing.new and billing.examples[0] == "charged twice, mail [EMAIL]"  # redacted whatever was stored
    assert (delivery.previous_messages, delivery.carried_change) == (2, -1.5) and not delivery.new
    assert found.reason is None
    by_email = floor_drivers(store, since, until, ScoringRules(), channel="email")
    assert [(d.topic, d.messages) for d in by_email.drivers] == [("billing_charges", 1)]
    segment = store.customers.get("bob").segment
    assert {d.topic for d in floor_drivers(store, since, until, ScoringRules(), segment=segment).drivers} >= {"delivery"}
    empty = floor_drivers(store, NOW - timedelta(days=60), NOW - timedelta(days=50), ScoringRules())
    assert empty.drivers == [] and empty.reason.startswith("no customer messages with topics between 2026-09-21")


def test_bad_periods_and_segments_are_coded_errors(tmp_path) -> None:
    with pytest.raises(EmotraceError) as raised:
        period(NOW, NOW, NOW)
    assert raised.value.code == "E916"
    for since, until in [(datetime(1969, 12, 31, tzinfo=UTC), NOW), (datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 2))]:
        with pytest.raises(EmotraceError, match="E916"):
            period(since, until, NOW)
    assert period(None, None, NOW) == (NOW - timedelta(days=7), NOW)
    assert period(datetime(2026, 11, 19), None, NOW) == (NOW - timedelta(hours=36), NOW)  # naive means UTC
    store = Store(f"sqlite:///{tmp_path / 'd.db'}")
    with pytest.raises(EmotraceError) as raised:
        floor_drivers(store, NOW - timedelta(days=1), NOW, ScoringRules(), segment="vip")
    assert raised.value.code == "E917" and "at_risk" in raised.value.problem
    assert floor_drivers(store, NOW - timedelta(days=1), NOW, ScoringRules(), segment="at_risk").drivers == []
