"""Drivers: which topics carry customers' dissatisfaction, ranked, against the period before; and what one customer
is upset about. Pure, no I/O: the store and batch files hand messages in, the callers show the answers.

A message carries max(0, -satisfaction) of dissatisfaction for each of its topics, where the satisfaction is the
topic's own (its aspect) or, for a topic without one, the message's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from emotrace.wording import counted

# How the topics read in sentences (routing reasons, the dashboard); a topic not listed reads as its name.
TOPIC_NAMES = {
    "delay_waiting": "delays and waiting", "cancellation": "cancellation", "delivery": "delivery",
    "lost_damaged": "lost or damaged items", "order_booking": "orders and bookings",
    "billing_charges": "billing and charges", "refund_compensation": "refunds and compensation", "price": "price",
    "staff_behaviour": "staff behaviour", "reaching_support": "reaching support", "product_quality": "product quality",
    "app_website": "the app or website", "account_access": "account access", "policy": "policy",
    "praise_person": "praise for a person", "network_outage": "network outages",
}
EXAMPLES = 3  # example messages per topic
AFFECTED = 5  # customers listed per topic
UPSET_TOPICS = 3  # topics listed for one customer


def topic_name(topic: str) -> str:
    """The topic as it reads in a sentence."""
    return TOPIC_NAMES.get(topic, topic.replace("_", " "))


@dataclass(frozen=True)
class TopicFeeling:
    """How a message feels about one of its topics: the satisfaction (-1..1) and whether it reads dissatisfied."""

    satisfaction: float
    dissatisfied: bool

    @property
    def negativity(self) -> float:
        """The dissatisfaction it carries: max(0, -satisfaction)."""
        return max(0.0, -self.satisfaction)


def topic_feelings(topic_labels: Sequence[str] | None, aspects: Iterable[Mapping[str, object]] | None,
                   satisfaction: float, satisfaction_class: str | None) -> dict[str, TopicFeeling] | None:
    """Each topic of a message (those that fire and those with an aspect) with its aspect's feeling, else the
    message's; None for a message read before topics existed (no topic labels)."""
    if topic_labels is None:
        return None
    own = {str(a["topic"]): a for a in aspects or () if a.get("topic")}
    whole = TopicFeeling(float(satisfaction), satisfaction_class == "dissatisfied")
    return {topic: TopicFeeling(float(own[topic]["satisfaction"]),  # type: ignore[arg-type]
                                own[topic].get("satisfaction_class") == "dissatisfied") if topic in own else whole
            for topic in dict.fromkeys([*topic_labels, *own])}


@dataclass(frozen=True)
class TopicMessage:
    """What drivers read of one customer message: whose (None: no customer known, as in a file read without a
    customer column; it counts for its topics but for no customer), when, its (stored, so redacted) text and its
    topics' feelings (None: read before topics existed)."""

    customer_id: str | None
    timestamp: datetime
    text: str | None
    topics: dict[str, TopicFeeling] | None


@dataclass(frozen=True)
class Affected:
    """A customer and the dissatisfaction their messages about a topic carried."""

    customer_id: str
    messages: int
    carried: float


@dataclass
class Driver:
    """One topic over a period: its volume, the dissatisfaction it carried, how that compares with the period
    before, example messages and the customers most affected."""

    topic: str
    name: str
    messages: int
    carried: float
    mean_negativity: float
    dissatisfied_share: float
    previous_messages: int
    previous_carried: float
    messages_change: int
    carried_change: float
    messages_change_relative: float | None  # None: the topic is new (absent from the period before)
    carried_change_relative: float | None  # None: it carried nothing before
    new: bool
    examples: list[str] = field(default_factory=list)
    customers: list[Affected] = field(default_factory=list)


@dataclass
class DriversReport:
    """Topics ranked by the dissatisfaction they carried; how many messages were read, and how many were skipped
    for having no topics (read before topics existed)."""

    drivers: list[Driver]
    messages: int
    without_topics: int
    previous_messages: int


@dataclass
class _Tally:
    """A topic's running sums over one period."""

    messages: int = 0
    carried: float = 0.0
    dissatisfied: int = 0
    examples: list[tuple[float, str]] = field(default_factory=list)
    customers: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0]))


def _tally(messages: Iterable[TopicMessage]) -> tuple[dict[str, _Tally], int, int]:
    """Per topic sums of a period, the messages with topics and those without."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    read = skipped = 0
    for message in messages:
        if message.topics is None:
            skipped += 1
            continue
        read += 1
        for topic, feeling in message.topics.items():
            tally = tallies[topic]
            tally.messages += 1
            tally.carried += feeling.negativity
            tally.dissatisfied += feeling.dissatisfied
            if message.text:
                tally.examples.append((feeling.negativity, message.text))
            if message.customer_id is not None:
                sums = tally.customers[message.customer_id]
                sums[0] += 1
                sums[1] += feeling.negativity
    return tallies, read, skipped


def _relative(now: float, before: float) -> float | None:
    return None if before == 0 else round((now - before) / before, 4)


def rank_drivers(current: Iterable[TopicMessage], previous: Iterable[TopicMessage], limit: int | None = None,
                 shown: Callable[[str], str] = str) -> DriversReport:
    """The topics of ``current`` ranked by dissatisfaction carried (then volume, then name), each against
    ``previous`` (the period before, of the same length), with up to :data:`EXAMPLES` example texts (the most
    negative first, each passed through ``shown``: the caller's redaction) and the :data:`AFFECTED` customers
    carrying most of it. ``limit`` keeps the first topics only."""
    now, read, skipped = _tally(current)
    before, before_read, _ = _tally(previous)
    ranked = sorted(now.items(), key=lambda kv: (-kv[1].carried, -kv[1].messages, kv[0]))
    drivers = []
    for topic, tally in ranked[:limit]:
        old = before.get(topic, _Tally())
        examples = list(dict.fromkeys(text for _, text in sorted(tally.examples, key=lambda e: (-e[0], e[1]))))[:EXAMPLES]
        affected = sorted(tally.customers.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:AFFECTED]
        drivers.append(Driver(
            topic=topic, name=topic_name(topic), messages=tally.messages, carried=round(tally.carried, 4),
            mean_negativity=round(tally.carried / tally.messages, 4),
            dissatisfied_share=round(tally.dissatisfied / tally.messages, 4), previous_messages=old.messages,
            previous_carried=round(old.carried, 4), messages_change=tally.messages - old.messages,
            carried_change=round(tally.carried - old.carried, 4),
            messages_change_relative=_relative(tally.messages, old.messages),
            carried_change_relative=_relative(tally.carried, old.carried), new=old.messages == 0,
            examples=[shown(text) for text in examples],
            customers=[Affected(customer, int(n), round(carried, 4)) for customer, (n, carried) in affected]))
    return DriversReport(drivers, read, skipped, before_read)


@dataclass(frozen=True)
class Upset:
    """A topic a customer is upset about: how many of their messages read dissatisfied about it, and the
    dissatisfaction those carried."""

    topic: str
    messages: int
    carried: float

    @property
    def name(self) -> str:
        """The topic as it reads in a sentence."""
        return topic_name(self.topic)


def upset_about(messages: Iterable[Mapping[str, TopicFeeling] | None], top: int = UPSET_TOPICS) -> list[Upset]:
    """The ``top`` topics of a customer's messages that read dissatisfied about them, by dissatisfaction carried."""
    counts: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for topics in messages:
        for topic, feeling in (topics or {}).items():
            if feeling.dissatisfied:
                counts[topic][0] += 1
                counts[topic][1] += feeling.negativity
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:top]
    return [Upset(topic, int(n), round(carried, 4)) for topic, (n, carried) in ranked]


def upset_reason(reason: str, upset: Sequence[Upset]) -> str:
    """A routing reason with what the customer is upset about ("...; upset about: billing and charges (3
    messages)"), unchanged when nothing."""
    if not upset:
        return reason
    said = ", ".join(f"{u.name} ({counted(u.messages, 'message')})" for u in upset)
    return f"{reason.rstrip('.')}; upset about: {said}."
