"""The floor's trend: how customers feel day by day across the whole floor, per channel, and how many alerts the
scoring rules raised each day."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emotrace.store import Store


@dataclass
class ChannelDay:
    """One channel's share of a day."""

    messages: int
    mean_satisfaction: float


@dataclass
class FloorDay:
    """One UTC day across the floor: customers' messages, their mean satisfaction (-1..1) and the share read
    dissatisfied, alerts raised, and messages and mean satisfaction per channel."""

    day: str
    messages: int = 0
    mean_satisfaction: float | None = None
    dissatisfied_share: float | None = None
    alerts: int = 0
    by_channel: dict[str, ChannelDay] = field(default_factory=dict)


def floor_trend(store: Store, days: int, now: datetime) -> list[FloorDay]:
    """The last ``days`` UTC days, oldest first, each day present (a day without messages has zeros and no means)."""
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    out = {(start + timedelta(days=i)).date().isoformat(): FloorDay((start + timedelta(days=i)).date().isoformat())
           for i in range(days)}
    dissatisfied: Counter[str] = Counter()
    satisfaction_sums: defaultdict[str, float] = defaultdict(float)
    for row in store.messages.daily(start):
        day = out.get(row.day)
        if day is None:
            continue
        day.by_channel[row.channel] = ChannelDay(row.messages, round(row.mean_satisfaction, 4))
        day.messages += row.messages
        dissatisfied[row.day] += row.dissatisfied
        satisfaction_sums[row.day] += row.mean_satisfaction * row.messages
    for name, day in out.items():
        if day.messages:
            day.mean_satisfaction = round(satisfaction_sums[name] / day.messages, 4)
            day.dissatisfied_share = round(dissatisfied[name] / day.messages, 4)
    for customer in store.customers.with_alerts(statuses=("open", "acknowledged", "resolved")):
        for alert in customer.alerts:
            if (day := out.get(str(alert["at"])[:10])) is not None:
                day.alerts += 1
    return list(out.values())
