"""Customers' summaries and timelines: the scoring rules applied to their stored messages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial

from emotrace.scoring.drivers import Upset, upset_about
from emotrace.scoring.next_step import next_step
from emotrace.scoring.rules import ScoringRules
from emotrace.scoring.timeline import CUSTOMER, Signal, Timeline, build_timeline, score_of, segment, trend
from emotrace.store import Store
from emotrace.store.customers import CustomerSummary
from emotrace.store.messages import BatchRow, NewMessage, RequestKey
from emotrace.store.tables import Customer, Message
from emotrace.times import iso_utc


def summarize(signals: list[Signal], now: datetime, rules: ScoringRules) -> CustomerSummary:
    """A customer's summary from their own turns as of ``now``: score, segment, trend, alerts and the next step; a
    customer with none yet (agent turns only) is at the neutral start (a neutral reading's score, stable, no
    alerts), and gets that state's next step (with the default table, the fallback ``none``)."""
    timeline = build_timeline(signals, rules)
    score, direction = current_score(timeline, rules), trend(timeline.history, rules)
    return CustomerSummary(
        score=score, segment=segment(score, rules), trend=direction.direction, trend_delta=direction.delta,
        alerts=[{"kind": a.kind, "reason": a.reason, "message_ids": a.message_ids, "at": iso_utc(a.at),
                 "severity": a.severity} for a in timeline.alerts],
        next_step=next_step_at(timeline, recent_upset(signals, now, rules), now, rules),
        alerts_open_after=now - timedelta(hours=rules.alert_open_hours))


def next_step_at(timeline: Timeline, upset: Iterable[Upset], now: datetime, rules: ScoringRules) -> dict[str, object] | None:
    """The agent's next step as of ``now`` (the alerts of the rules' recent window, as the route reads them, and what
    the customer is upset about), as stored and served; ``None`` where the rules' table has none."""
    state = timeline.current
    recent = [a.kind for a in timeline.alerts if now - a.at <= timedelta(hours=rules.route_recent_hours)]
    step = next_step(segment(current_score(timeline, rules), rules), recent, state.leading_emotions if state is not None else [],
                     trend(timeline.history, rules).direction, rules.next_steps, [u.topic for u in upset])
    return None if step is None else {"action": step.action, "script": step.script,
                                      "follow_up_hours": step.follow_up_hours}


def current_score(timeline: Timeline, rules: ScoringRules) -> float:
    """The score after a customer's last turn; with none yet (agent turns only), the neutral start's."""
    return timeline.current.score if timeline.current is not None else score_of(0.0, 0.0, rules)


def recent_upset(signals: Iterable[Signal], now: datetime, rules: ScoringRules) -> list[Upset]:
    """What a customer is upset about: the topics of their own dissatisfied messages within the rules' window."""
    window = timedelta(hours=rules.upset_window_hours)
    return upset_about(s.topics for s in signals if s.speaker == CUSTOMER and now - s.timestamp <= window)


def record_messages(store: Store, items: Iterable[NewMessage], rules: ScoringRules | None = None,
                    batch_rows: Sequence[BatchRow] | None = None, request_keys: Iterable[RequestKey] = (),
                    new_conversations: Iterable[tuple[str, str]] = ()) -> tuple[list[Message], list[Customer]]:
    """Store messages with their customers' summaries refreshed by ``rules`` (default: the default rules), in one
    transaction (``new_conversations``: see :meth:`emotrace.store.messages.Messages.add`)."""
    return store.messages.add(items, partial(summarize, rules=rules or ScoringRules()), batch_rows, request_keys,
                              new_conversations)


def customer_timeline(store: Store, customer_id: str, rules: ScoringRules) -> Timeline:
    """A customer's scoring timeline (their own turns: agent turns never count)."""
    return build_timeline(store.messages.signals(customer_id, customer_turns_only=True), rules)


def customer_timeline_and_upset(store: Store, customer_id: str, rules: ScoringRules,
                                now: datetime) -> tuple[Timeline, list[Upset]]:
    """A customer's scoring timeline and what they are upset about now, from one read of their own turns."""
    signals = store.messages.signals(customer_id, customer_turns_only=True)
    return build_timeline(signals, rules), recent_upset(signals, now, rules)
