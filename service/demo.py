"""The demo floor: five featured customers written conversation by conversation (``demo_data.json``), and 195 more
over 90 days, assembled by a seeded model of customer journeys from a bank of hand-written turns
(``demo_bank.json``: customer turns per emotional stage and channel, agent replies per style and channel), with
twelve agents of different styles and the outcomes a business would record (churn, renewals, escalations, CSAT
and resolution ratings). The same seed gives the same floor on every run.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from emotrace.messages import Channel, Speaker, new_message, reading_record
from emotrace.model.classifier import EmotionClassifier
from emotrace.services.summaries import record_messages
from emotrace.settings import Settings
from emotrace.store import Store
from emotrace.store.outcomes import NewOutcome

DEMO_FILE = Path(__file__).parent / "demo_data.json"
DEMO_BANK = Path(__file__).parent / "demo_bank.json"
SEED = 2026
GENERATED_CUSTOMERS = 195
DAYS = 90
# Journeys: the stages of a customer's conversations, in order, and how common each journey is.
JOURNEYS: dict[str, tuple[tuple[str, ...], float]] = {
    "happy": (("inquiry", "pleased"), 0.18),
    "fan": (("pleased", "delighted", "pleased"), 0.10),
    "recovered": (("frustrated", "angry", "resolved"), 0.14),
    "churner": (("inquiry", "frustrated", "angry", "churn_threat"), 0.12),
    "escalator": (("frustrated", "escalation"), 0.10),
    "refunded": (("frustrated", "refund", "resolved"), 0.10),
    "lukewarm": (("inquiry", "lukewarm"), 0.14),
    "one_off": (("inquiry",), 0.12),
}
CHANNELS = {"chat": 0.45, "email": 0.25, "call": 0.2, "review": 0.1}
# Twelve agents (the featured conversations' three among them) and how often each answers in each style.
AGENTS: dict[str, dict[str, float]] = {
    "agent.rosa": {"empathetic": 0.8, "neutral": 0.2}, "agent.kim": {"empathetic": 0.7, "neutral": 0.3},
    "agent.tom": {"neutral": 0.5, "dismissive": 0.5}, "agent.noor": {"empathetic": 0.9, "neutral": 0.1},
    "agent.sam": {"neutral": 0.8, "empathetic": 0.2}, "agent.ivan": {"dismissive": 0.7, "neutral": 0.3},
    "agent.lena": {"empathetic": 0.6, "neutral": 0.4}, "agent.raj": {"neutral": 0.6, "empathetic": 0.4},
    "agent.mia": {"neutral": 0.5, "empathetic": 0.3, "dismissive": 0.2}, "agent.omar": {"empathetic": 0.5,
                                                                                       "neutral": 0.5},
    "agent.ella": {"dismissive": 0.5, "neutral": 0.5}, "agent.paul": {"neutral": 0.9, "dismissive": 0.1},
}
CSAT = {"inquiry": (3, 4), "pleased": (4, 5), "delighted": (5, 5), "lukewarm": (3, 3), "frustrated": (2, 3),
        "angry": (1, 2), "churn_threat": (1, 1), "escalation": (1, 2), "refund": (2, 2), "resolved": (4, 5)}
FIRST = ["amira", "lucas", "sofia", "kwame", "hana", "mateo", "ingrid", "ravi", "chloe", "tariq", "elena", "jonas",
         "mei", "diego", "aoife", "yusuf", "clara", "felix", "nadia", "oscar"]
LAST = ["haddad", "silva", "novak", "mensah", "sato", "rossi", "berg", "iyer", "dubois", "farah", "petrov",
        "weber", "lin", "moreno", "byrne", "kaya", "lund", "meyer", "osei", "quinn"]


@dataclass(frozen=True)
class DemoConversation:
    """One conversation of the demo: its customer, id, agent (None for a review), channel, when, and its turns."""

    customer: str
    id: str
    agent: str | None
    channel: str
    days_ago: float
    turns: list[tuple[str, str]]


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generated_floor(now: datetime, seed: int = SEED, customers: int = GENERATED_CUSTOMERS
                    ) -> tuple[list[DemoConversation], list[NewOutcome]]:
    """The generated customers' conversations (timed in days before ``now``) and outcomes."""
    bank = json.loads(DEMO_BANK.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    names = rng.sample([f"{first}.{last}" for first in FIRST for last in LAST], customers)
    conversations: list[DemoConversation] = []
    outcomes: list[NewOutcome] = []

    def outcome(customer: str, kind: str, days_ago: float, conversation_id: str = "", value: float | None = None) -> None:
        outcomes.append(NewOutcome(customer, kind, now - timedelta(days=days_ago), conversation_id, value))

    for customer in names:
        journey = _pick(rng, {name: weight for name, (_, weight) in JOURNEYS.items()})
        stages = JOURNEYS[journey][0]
        days = sorted((rng.uniform(1, DAYS - 1) for _ in stages), reverse=True)
        if journey in ("churner", "escalator"):  # their latest contact is recent: their alerts are open now
            days[-1] = rng.uniform(0.1, 4)
        for n, (stage, days_ago) in enumerate(zip(stages, days, strict=True)):
            channel = _pick(rng, CHANNELS)
            agent = None if channel == "review" else _pick(rng, dict.fromkeys(AGENTS, 1.0))
            turns = []
            for _ in range(1 if channel == "review" else rng.choice((1, 2))):
                turns.append(("customer", rng.choice(bank["customer"][stage][channel])))
                if agent is not None:
                    turns.append(("agent", rng.choice(bank["agent"][_pick(rng, AGENTS[agent])][channel])))
            conversation_id = f"{customer}-{n + 1}"
            conversations.append(DemoConversation(customer, conversation_id, agent, channel, days_ago, turns))
            if channel != "review" and rng.random() < 0.5:
                low, high = CSAT[stage]
                outcome(customer, "csat", days_ago - 0.01, conversation_id, float(rng.randint(low, high)))
            if stage in ("frustrated", "angry", "escalation", "refund", "resolved") and rng.random() < 0.6:
                outcome(customer, "resolved", days_ago - 0.01, conversation_id, 1.0 if stage == "resolved" else 0.0)
        last = days[-1]
        if journey == "churner" and rng.random() < 0.5 and last > 1:
            outcome(customer, "churned", last - rng.uniform(0.2, min(last, 10) - 0.1))
        elif journey in ("happy", "fan") and rng.random() < 0.5:
            outcome(customer, "renewed", rng.uniform(0.1, last))
        elif journey == "escalator" and rng.random() < 0.5:
            outcome(customer, "complaint_escalated", rng.uniform(0.05, last))
    return conversations, outcomes


def featured_conversations() -> list[DemoConversation]:
    """The five featured customers' conversations, written one by one."""
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    return [DemoConversation(c["customer"], c["id"], c.get("agent"), c["channel"], c["days_ago"],
                             [(speaker, text) for speaker, text in c["turns"]]) for c in data["conversations"]]


def load_demo(store: Store, classifier: EmotionClassifier, settings: Settings) -> int:
    """Read and store the demo floor (timed relative to now) and its outcomes, in one transaction each; returns how
    many messages were stored."""
    now = datetime.now(UTC)
    generated, outcomes = generated_floor(now)
    turns = [(conv, now - timedelta(days=conv.days_ago, hours=2, minutes=-3 * i), speaker, text)
             for conv in [*featured_conversations(), *generated] for i, (speaker, text) in enumerate(conv.turns)]
    readings = classifier.predict([text for *_, text in turns], aspects=settings.aspects)
    record_messages(store, [
        new_message(customer_id=conv.customer, conversation_id=conv.id, channel=Channel(conv.channel),
                    speaker=Speaker(speaker), timestamp=timestamp, text=text, record=reading_record(reading),
                    settings=settings, agent_id=conv.agent)
        for (conv, timestamp, speaker, text), reading in zip(turns, readings, strict=True)], settings.scoring)
    store.outcomes.add(outcomes)
    return len(turns)
