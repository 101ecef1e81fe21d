"""Drivers across the floor: the topics carrying customers' dissatisfaction in a period, against the period before
of the same length (:mod:`emotrace.scoring.drivers` holds the rules; what one customer is upset about comes with
their timeline: :func:`emotrace.services.summaries.customer_timeline_and_upset`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from emotrace.errors import EmotraceError
from emotrace.scoring.drivers import Driver, rank_drivers
from emotrace.scoring.rules import ScoringRules, known_segment
from emotrace.store import Store
from emotrace.text.redact import redact
from emotrace.times import iso_utc, utc

DEFAULT_PERIOD = timedelta(days=7)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # no stored message is older


@dataclass
class FloorDrivers:
    """The drivers of a period (``since`` up to ``until``), compared with ``previous_since`` up to ``since``; a
    ``reason`` when there are none."""

    since: datetime
    until: datetime
    previous_since: datetime
    segment: str | None
    channel: str | None
    messages: int
    without_topics: int
    previous_messages: int
    drivers: list[Driver]
    reason: str | None


def period(since: datetime | None, until: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The period asked for, as aware UTC: by default the :data:`DEFAULT_PERIOD` up to ``now`` (or up to ``until``,
    or from ``since`` to now); E916 when it does not start before it ends, or starts before 1970."""
    try:
        end = utc(until) if until is not None else now
        start = utc(since) if since is not None else end - DEFAULT_PERIOD
    except OverflowError:
        raise EmotraceError("E916", "The period lies outside the times datetimes can hold.") from None
    if start >= end:
        raise EmotraceError("E916", f"The period starts at {iso_utc(start)}, not before its end at "
                            f"{iso_utc(end)}.")
    if start < EPOCH:
        raise EmotraceError("E916", f"The period starts at {iso_utc(start)}, before 1970.")
    return start, end


def floor_drivers(store: Store, since: datetime, until: datetime, rules: ScoringRules, segment: str | None = None,
                  channel: str | None = None, limit: int | None = None) -> FloorDrivers:
    """The topics of customers' messages from ``since`` to ``until`` ranked by the dissatisfaction they carried,
    each against the period of the same length before; examples are stored texts, redacted again whatever the
    settings stored (none when no text is stored). E917 for a segment the rules do not give."""
    known_segment(segment, rules)
    previous_since = since - min(until - since, since - EPOCH)  # the period before, cut at 1970
    report = rank_drivers(store.messages.with_topics(since, until, segment, channel),
                          store.messages.with_topics(previous_since, since, segment, channel), limit, shown=redact)
    reason = None
    if not report.drivers:
        reason = f"no customer messages with topics between {iso_utc(since)} and {iso_utc(until)}"
        if report.without_topics:
            reason += f" ({report.without_topics} read before topics existed)"
    return FloorDrivers(since, until, previous_since, segment, channel, report.messages, report.without_topics,
                        report.previous_messages, report.drivers, reason)

