"""Agents' empathy profiles: how the customer's state moves across each agent's conversations. Pure, no I/O.

In a conversation the agent's **de-escalation** is the customer's mean mood (valence and satisfaction, averaged)
after the agent's first turn minus before it (when the agent opens the conversation: the customer's last turn
minus their first); an agent's profile averages it over their conversations, with a 95 %
confidence interval. The **empathy signal rate** is the share of the agent's answers to a distressed customer turn
that read as caring, remorse or gratitude. Agents with fewer than ``min_conversations`` measured conversations are
marked as such and ranked after the others, never on noise.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from emotrace.scoring.timeline import CHARGED_ROUTES, CUSTOMER, settled

EMPATHY_LABELS = frozenset({"caring", "remorse", "gratitude"})
DISTRESS = -0.3  # a customer turn reads distressed below this mood
DISTRESSED_SEGMENTS = frozenset({"at_risk", "frustrated"})
CHANGE = 0.1  # a conversation ends better (worse) when the customer's last turn is this much above (below) the first


@dataclass(frozen=True)
class Turn:
    """One stored message as agent profiles read it."""

    conversation_id: str
    customer_id: str
    channel: str
    speaker: str
    agent_id: str | None
    timestamp: datetime
    valence: float
    satisfaction: float
    labels: Sequence[str]

    @property
    def mood(self) -> float:
        """Valence and satisfaction, averaged (-1..1)."""
        return settled((self.valence + self.satisfaction) / 2)


@dataclass(frozen=True)
class ConversationEffect:
    """What one agent's part in one conversation did to the customer's mood."""

    agent_id: str
    conversation_id: str
    customer_id: str
    started_at: datetime  # the conversation's first turn
    channel: str
    segment: str  # the customer's segment
    started_distressed: bool
    de_escalation: float | None  # None: no customer turn before or after the agent's first turn
    distress_answers: int
    empathic_answers: int
    ended: str  # better / worse / same; unmeasured with fewer than two customer turns


@dataclass
class Estimate:
    """A mean over conversations with its 95 % confidence interval."""

    mean: float
    low: float | None  # None from a single conversation
    high: float | None
    n: int


@dataclass
class AgentProfile:
    """One agent's profile."""

    agent_id: str
    conversations: int
    measured: int  # conversations with customer turns before and after the agent's first turn
    enough_data: bool
    de_escalation: Estimate | None
    de_escalation_distressed: Estimate | None  # conversations where the customer started distressed
    empathy_rate: float | None
    ended_better: float | None  # shares of the conversations whose ending was measured; None: none was
    ended_worse: float | None
    by_channel: dict[str, Estimate] = field(default_factory=dict)
    by_segment: dict[str, Estimate] = field(default_factory=dict)


@dataclass(frozen=True)
class RankedAgent:
    """An available agent, placed for this customer, and why."""

    agent_id: str
    score: float | None
    enough_data: bool
    reason: str


def _estimate(values: Sequence[float]) -> Estimate | None:
    if not values:
        return None
    mean = statistics.fmean(values)
    if len(values) < 2:
        return Estimate(round(mean, 4), None, None, 1)
    half = 1.96 * statistics.stdev(values) / math.sqrt(len(values))
    return Estimate(round(mean, 4), round(mean - half, 4), round(mean + half, 4), len(values))


def conversation_effects(turns: Sequence[Turn], segment: str) -> list[ConversationEffect]:
    """Each agent's effect in one conversation (turns in time order; ``segment``: the customer's)."""
    customer = [t for t in turns if t.speaker == CUSTOMER]
    opening = turns[0]
    effects = []
    for agent_id in dict.fromkeys(t.agent_id for t in turns if t.speaker != CUSTOMER and t.agent_id):
        first = next(i for i, t in enumerate(turns) if t.agent_id == agent_id)  # by order: turns may share a time
        before = [t.mood for t in turns[:first] if t.speaker == CUSTOMER]
        after = [t.mood for t in turns[first + 1 :] if t.speaker == CUSTOMER]
        if not before and len(after) > 1:  # the agent opened: from the customer's first turn to their last
            before, after = after[:1], after[-1:]
        distress = empathic = 0
        previous: Turn | None = None
        for turn in turns:
            if turn.agent_id == agent_id and previous is not None and previous.speaker == CUSTOMER \
                    and previous.mood < DISTRESS:
                distress += 1
                empathic += bool(EMPATHY_LABELS & set(turn.labels))
            previous = turn
        change = customer[-1].mood - customer[0].mood if len(customer) > 1 else None
        effects.append(ConversationEffect(
            agent_id, opening.conversation_id, opening.customer_id, opening.timestamp, opening.channel,
            segment, bool(before) and before[0] < DISTRESS,
            round(statistics.fmean(after) - statistics.fmean(before), 4) if before and after else None, distress,
            empathic,
            _ending(change)))
    return effects


def _ending(change: float | None) -> str:
    if change is None:
        return "unmeasured"
    return "better" if change > CHANGE else "worse" if change < -CHANGE else "same"


def _share(effects: Sequence[ConversationEffect], ending: str) -> float | None:
    """The share of ``effects`` whose measured ending is ``ending``; None when no ending was measured."""
    measured = [e for e in effects if e.ended != "unmeasured"]
    return round(sum(e.ended == ending for e in measured) / len(measured), 4) if measured else None


def agent_profiles(effects: Iterable[ConversationEffect], min_conversations: int = 10) -> dict[str, AgentProfile]:
    """Every agent's profile from their conversations' effects."""
    by_agent: dict[str, list[ConversationEffect]] = defaultdict(list)
    for effect in effects:
        by_agent[effect.agent_id].append(effect)
    profiles = {}
    for agent_id, mine in sorted(by_agent.items()):
        measured = [(e, e.de_escalation) for e in mine if e.de_escalation is not None]
        distress = sum(e.distress_answers for e in mine)
        channels: dict[str, list[float]] = defaultdict(list)
        segments: dict[str, list[float]] = defaultdict(list)
        for e, value in measured:
            channels[e.channel].append(value)
            segments[e.segment].append(value)
        profiles[agent_id] = AgentProfile(
            agent_id, len(mine), len(measured), len(measured) >= min_conversations,
            _estimate([value for _, value in measured]),
            _estimate([value for e, value in measured if e.started_distressed]),
            round(sum(e.empathic_answers for e in mine) / distress, 4) if distress else None,
            _share(mine, "better"), _share(mine, "worse"),
            {k: est for k, v in sorted(channels.items()) if (est := _estimate(v)) is not None},
            {k: est for k, v in sorted(segments.items()) if (est := _estimate(v)) is not None})
    return profiles


def is_distressed(segment: str, route: str) -> bool:
    """Whether a customer counts as distressed when agents are ranked: a distressed segment or a charged route."""
    return segment in DISTRESSED_SEGMENTS or route in CHARGED_ROUTES


def rank_agents(profiles: dict[str, AgentProfile], available: Sequence[str], distressed: bool,
                min_conversations: int = 10) -> list[RankedAgent]:
    """The available agents, best first for a customer who is ``distressed`` (a distressed segment, or a charged
    route such as a churn threat: :func:`is_distressed`) or not: all by de-escalation of distressed customers
    when this one is distressed and every rankable agent has that measured on enough conversations, else all by
    de-escalation overall (one measure for the whole ranking). Agents without enough measured conversations come
    last, said so; unknown agents last of all."""
    rankable = [p for a in available if (p := profiles.get(a)) is not None and p.enough_data and p.de_escalation]
    charged = distressed and bool(rankable) and all(
        p.de_escalation_distressed is not None and p.de_escalation_distressed.n >= min_conversations for p in rankable)
    ranked, unranked = [], []
    for agent_id in dict.fromkeys(available):
        profile = profiles.get(agent_id)
        if profile is None:
            unranked.append(RankedAgent(agent_id, None, False, "no conversations yet"))
            continue
        estimate = profile.de_escalation
        who = "customers"
        if charged and profile.de_escalation_distressed is not None:
            estimate, who = profile.de_escalation_distressed, "distressed customers"
        if estimate is None or not profile.enough_data:
            unranked.append(RankedAgent(agent_id, None, False, f"too few conversations to rank ({profile.measured} "
                                        f"measured, {min_conversations} needed)"))
            continue
        verb = "de-escalates" if estimate.mean > 0 else "does not de-escalate"
        interval = f" (95% CI {estimate.low:+.2f} to {estimate.high:+.2f})" if estimate.low is not None and \
            estimate.high is not None else ""
        ranked.append(RankedAgent(agent_id, estimate.mean, True, f"{verb} {who}: {estimate.mean:+.2f} mood on "
                                  f"{estimate.n} conversations{interval}"))
    ranked.sort(key=lambda r: -(r.score or 0.0))
    return ranked + unranked
