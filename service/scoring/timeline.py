"""From per-message readings to a customer's emotional timeline. Pure functions, no I/O.

Only the customer's own messages count towards the customer; agent turns are ignored here.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emotrace.scoring.drivers import TopicFeeling
from emotrace.scoring.rules import ScoringRules
from emotrace.wording import counted

CUSTOMER = "customer"

NEGATIVE_EMOTIONS = ("anger", "disgust")
GROUP_EXAMPLES = {"anger": "anger, annoyance, disapproval", "disgust": "disgust"}  # Ekman groups, as in emotrace.json
# Alert kind -> the reading's intents that raise it, and what the alert says the customer did.
INTENT_ALERTS = {
    "churn_threat": (("churn_threat",), "The customer said they may leave (cancel, switch, not renew)"),
    "escalation_request": (("escalation_request", "legal_threat"),
                           "The customer asked for escalation (a manager, a formal complaint) or threatened legal action"),
}
ALERT_KINDS = ("sharp_drop", "sustained_negativity", "intensity_spike", "ends_worse", *INTENT_ALERTS)
TRENDS = ("rising", "falling", "stable")
INTENT_ROUTES = {"churn_threat": "retention", "escalation_request": "team_lead"}  # alert kind -> route, first wins
CHARGED_ROUTES = frozenset(INTENT_ROUTES.values())  # routes that treat the customer as distressed when ranking agents


def settled(value: float) -> float:
    """A mean or difference of stored readings (4 decimals) without float noise, for comparing with a threshold:
    (-0.2 + -0.4) / 2 is -0.3, as (-0.1 + -0.5) / 2 is, not -0.30000000000000004."""
    return round(value, 9)


@dataclass(frozen=True)
class Signal:
    """What scoring needs of one stored message."""

    message_id: int
    conversation_id: str
    timestamp: datetime
    speaker: str
    valence: float
    arousal: float
    satisfaction: float
    emotions: dict[str, float]  # Ekman view probabilities
    intents: dict[str, float] = field(default_factory=dict)  # intents that fire -> their probability
    topics: dict[str, TopicFeeling] | None = None  # its topics' feelings (None: read before topics existed)


@dataclass(frozen=True)
class State:
    """Time-decayed emotional state of a customer at one moment."""

    at: datetime
    valence: float
    arousal: float
    satisfaction: float
    leading_emotions: list[str]
    score: float
    messages: int


@dataclass(frozen=True)
class Alert:
    """An early warning: what fired, why, and which messages triggered it."""

    kind: str
    reason: str
    message_ids: list[int]
    at: datetime
    severity: str = "warning"


@dataclass(frozen=True)
class Trend:
    """Direction of the score over the trend window."""

    direction: str  # rising / falling / stable
    delta: float


@dataclass(frozen=True)
class RoutingHint:
    """Where to route the customer's next contact, and why."""

    route: str  # retention / team_lead / experienced_agent / standard
    reason: str


@dataclass
class Timeline:
    """Everything the scoring layer says about one customer."""

    history: list[State] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    @property
    def current(self) -> State | None:
        """The state after the latest customer message."""
        return self.history[-1] if self.history else None


# Decayed sums are kept at least this large (a long silence at a short half-life would underflow them to 0, read as no
# message at all); a new message, weighing 1, still outweighs them entirely.
WEIGHT_FLOOR = 1e-200


def score_of(valence: float, satisfaction: float, rules: ScoringRules) -> float:
    """0-100 score from valence and satisfaction in [-1, 1] (50 = neutral)."""
    total = rules.valence_weight + rules.satisfaction_weight
    mix = (rules.valence_weight * valence + rules.satisfaction_weight * satisfaction) / (total or 1.0)
    return round(max(0.0, min(100.0, 50.0 + 50.0 * mix)), 1)


class DecayedSums:
    """Running exponentially decayed sums of a customer's messages, fed in time order.

    Moving the clock forward multiplies every sum by one decay factor, so a whole history is scored in
    one pass instead of re-weighting every earlier message at every step."""

    def __init__(self, rules: ScoringRules) -> None:
        self.rules = rules
        self.at: datetime | None = None
        self.weight = self.valence = self.arousal = self.satisfaction = 0.0
        self.prior = 0.0  # the neutral pseudo-messages of ScoringRules.prior_messages, just before the first one
        self.emotions: dict[str, float] = {}
        self.count = 0

    def advance(self, at: datetime) -> None:
        """Decay every sum from the last message's time to ``at``."""
        if self.at is not None and at > self.at:
            factor = math.pow(0.5, (at - self.at).total_seconds() / 3600 / self.rules.half_life_hours)
            if self.weight and self.weight * factor < WEIGHT_FLOOR:  # every average is a ratio of sums: scaling them all keeps it
                factor = WEIGHT_FLOOR / self.weight
            self.weight *= factor
            self.prior *= factor
            self.valence *= factor
            self.arousal *= factor
            self.satisfaction *= factor
            for name in self.emotions:
                self.emotions[name] *= factor
        self.at = at if self.at is None else max(self.at, at)

    def add(self, sig: Signal) -> None:
        """Count one message (weight 1 at its own time)."""
        self.advance(sig.timestamp)
        if self.count == 0:
            self.prior = self.rules.prior_messages
        self.weight += 1.0
        self.valence += sig.valence
        self.arousal += sig.arousal
        self.satisfaction += sig.satisfaction
        for name, p in sig.emotions.items():
            self.emotions[name] = self.emotions.get(name, 0.0) + p
        self.count += 1

    def state(self) -> State:
        """The decayed averages as a state at the current time (set by :meth:`add` or :meth:`advance`)."""
        at = self.at
        if at is None:
            raise ValueError("DecayedSums has no time yet: add a message or advance the clock first")
        if self.weight == 0:
            return State(at, 0.0, 0.0, 0.0, [], 50.0, self.count)
        w = self.weight
        v, a, s = self.valence / w, self.arousal / w, self.satisfaction / w
        ranked = sorted(((p / w, n) for n, p in self.emotions.items() if n != "neutral"), reverse=True)
        leading = [n for p, n in ranked[:3] if p >= 0.2]
        # little evidence stays near neutral: the prior weighs as neutral messages written just before the first one,
        # fading with them (a prior that never faded held a customer who writes weekly halfway to 50)
        shrink = w / (w + self.prior)
        score = score_of(v * shrink, s * shrink, self.rules)
        return State(at, round(v, 4), round(a, 4), round(s, 4), leading, score, self.count)


def state_at(signals: Sequence[Signal], at: datetime, rules: ScoringRules) -> State:
    """Exponentially time-decayed averages of the customer's messages up to ``at``."""
    sums = DecayedSums(rules)
    for sig in sorted(signals, key=lambda s: s.timestamp):
        if sig.speaker == CUSTOMER and sig.timestamp <= at:
            sums.add(sig)
    sums.advance(at)
    return sums.state()


def build_timeline(signals: Sequence[Signal], rules: ScoringRules) -> Timeline:
    """Score history (one state per customer message) and the alerts it raises, in one pass over time."""
    ordered = sorted(signals, key=lambda s: (s.timestamp, s.message_id))
    customer = [s for s in ordered if s.speaker == CUSTOMER]
    sums = DecayedSums(rules)
    history: list[State] = []
    for i, sig in enumerate(customer):
        sums.add(sig)
        last_at_this_time = i + 1 == len(customer) or customer[i + 1].timestamp != sig.timestamp
        if last_at_this_time:  # messages sharing a timestamp share the state that counts them all
            state = sums.state()
            history += [state] * (i + 1 - len(history))
    timeline = Timeline(history=history)
    timeline.alerts = (_drop_alerts(customer, history, rules) + _streak_alerts(customer, rules)
                       + _spike_alerts(customer, rules) + _arc_alerts(customer, rules) + _intent_alerts(customer))
    timeline.alerts.sort(key=lambda a: a.at)
    return timeline


def trend(history: Sequence[State], rules: ScoringRules) -> Trend:
    """Score now vs the last score at least ``trend_window_hours`` earlier (or the first score): rising or falling when
    both the score and the messages' own mood moved that way by ``trend_min_points`` (the score also moves away from
    50 as evidence builds up: a customer who stays angry is not falling); the delta is the score's change."""
    if len(history) < 2:
        return Trend("stable", 0.0)
    now = history[-1]
    cutoff = now.at - timedelta(hours=rules.trend_window_hours)
    past = [h for h in history[:-1] if h.at <= cutoff]
    then = past[-1] if past else history[0]
    delta = round(now.score - then.score, 1)
    mood = round(_mood(now, rules) - _mood(then, rules), 1)
    if delta * mood <= 0 or min(abs(delta), abs(mood)) < rules.trend_min_points:
        return Trend("stable", delta)
    return Trend("rising" if delta > 0 else "falling", delta)


def whole_points(score: float) -> int:
    """A score as reasons and the dashboard show it: whole points rounded down, so it agrees with its segment (41.6
    is "41", frustrated, where the neutral band starts at 42)."""
    return math.floor(score)


def segment(score: float, rules: ScoringRules) -> str:
    """The segment whose band the score falls in ('at_risk' below the lowest band)."""
    for name, low in sorted(rules.segment_bands.items(), key=lambda kv: -kv[1]):
        if score >= low:
            return name
    return "at_risk"


def routing_hint(timeline: Timeline, now: datetime, rules: ScoringRules) -> RoutingHint:
    """Route a charged customer to an experienced agent, saying why."""
    state = timeline.current
    if state is None:
        return RoutingHint("standard", "No history for this customer.")
    recent = [a for a in timeline.alerts if now - a.at <= timedelta(hours=rules.route_recent_hours)]
    for kind, route in INTENT_ROUTES.items():  # what the customer said they will do outranks how they feel
        stated = [a for a in recent if a.kind == kind]
        if stated:
            return RoutingHint(route, stated[-1].reason)
    if state.score < rules.route_score_below:
        return RoutingHint("experienced_agent", f"Score {state.score:.1f} is below {rules.route_score_below:g}"
                           f" (segment {segment(state.score, rules)}).")
    if recent:
        return RoutingHint("experienced_agent", f"Recent alert: {recent[-1].reason}")
    return RoutingHint("standard", f"Score {whole_points(state.score)}, no recent alerts.")


def _drop_alerts(customer: list[Signal], history: list[State], rules: ScoringRules) -> list[Alert]:
    """Each fall of ``drop_points`` from the best score of the window before it (one pass), in the score and in the
    messages' own mood (the score also moves away from 50 as evidence builds up: a customer who stays angry has not
    fallen): one alert per fall; the next only once the score has climbed back ``RECOVERY_SHARE`` of
    ``drop_points`` from its lowest since (a fall in steps, or messages sharing a time, are one episode; a second
    crisis raises its own)."""
    window = timedelta(hours=rules.drop_window_hours)
    peaks: deque[int] = deque()  # indices of earlier states in the window, scores strictly decreasing
    low: float | None = None  # the lowest score since the last alert, until the score recovers from it
    alerts = []
    for i, state in enumerate(history):
        if low is not None:
            low = min(low, state.score)
            if round(state.score - low, 1) < RECOVERY_SHARE * rules.drop_points:
                continue
            low = None
        while peaks and state.at - history[peaks[0]].at > window:
            peaks.popleft()
        if peaks:
            j = peaks[0]
            peak = history[j]
            # both fell by drop_points or more (scores are kept to one decimal; their difference is, too)
            if min(round(peak.score - state.score, 1), round(_mood(peak, rules) - _mood(state, rules), 1)) >= \
                    rules.drop_points:
                named = [customer[_last_sent_with(history, k)].message_id for k in (j, i)]
                high, now = whole_points(peak.score), whole_points(state.score)
                alerts.append(Alert("sharp_drop", f"Score fell {high - now} points (from {high} to {now}) within "
                                    f"{rules.drop_window_hours:.0f} h.", named, state.at, "critical"))
                peaks.clear()
                low = state.score
                continue
        while peaks and history[peaks[-1]].score < state.score:
            peaks.pop()
        peaks.append(i)
    return alerts


RECOVERY_SHARE = 0.5  # of drop_points: how far a score climbs back from a fall before a new fall is a new episode


def _mood(state: State, rules: ScoringRules) -> float:
    """The score of a state's averages alone (without the pull toward 50 of little evidence)."""
    return score_of(state.valence, state.satisfaction, rules)


def _last_sent_with(history: list[State], k: int) -> int:
    """The last index of the messages sent at the time of message ``k``: they share the state after all of them, which
    the last of them completes."""
    while k + 1 < len(history) and history[k + 1].at == history[k].at:
        k += 1
    return k


def _streak_alerts(customer: list[Signal], rules: ScoringRules) -> list[Alert]:
    """Negative contacts in a row: a conversation counts once, by its mean satisfaction; each streak raises one
    alert, dated by the last message of its conversations."""
    conversations: dict[str, list[Signal]] = {}
    for sig in customer:
        conversations.setdefault(sig.conversation_id, []).append(sig)
    ordered = sorted(conversations.values(), key=lambda msgs: msgs[0].timestamp)
    streak: list[list[Signal]] = []
    alerts = []
    for msgs in ordered:
        if settled(sum(m.satisfaction for m in msgs) / len(msgs)) < rules.negative_satisfaction:
            streak.append(msgs)
        else:
            streak = []
        if len(streak) == rules.negative_streak:  # once a streak: a longer one is the same episode
            ids = [m.message_id for conv in streak for m in conv]
            last_sent = max(m.timestamp for conv in streak for m in conv)  # contacts interleave: not the last one's
            alerts.append(Alert("sustained_negativity", f"{len(streak)} negative conversations in a row "
                                f"({counted(len(ids), 'message')}).", ids, last_sent, "critical"))
    return alerts


def _spike_alerts(customer: list[Signal], rules: ScoringRules) -> list[Alert]:
    alerts = []
    for sig in customer:
        name, p = max(((n, sig.emotions.get(n, 0.0)) for n in NEGATIVE_EMOTIONS), key=lambda kv: kv[1])
        if p >= rules.spike_probability and sig.arousal >= rules.spike_arousal:
            alerts.append(Alert("intensity_spike", f"High-intensity {name}: the {name} group (its labels together, "
                                f"e.g. {GROUP_EXAMPLES[name]}) at {p:.2f}, arousal {sig.arousal:.2f}.",
                                [sig.message_id], sig.timestamp))
    return alerts


def _intent_alerts(customer: list[Signal]) -> list[Alert]:
    """One alert per message that states a churn threat, or asks for escalation (a legal threat is one too)."""
    alerts = []
    for sig in customer:
        for kind, (intents, said) in INTENT_ALERTS.items():
            stated = {name: p for name, p in sig.intents.items() if name in intents}
            if stated:
                found = ", ".join(f"{name} {p:.2f}" for name, p in sorted(stated.items()))
                alerts.append(Alert(kind, f"{said} ({found}).", [sig.message_id], sig.timestamp, "critical"))
    return alerts


def _arc_alerts(customer: list[Signal], rules: ScoringRules) -> list[Alert]:
    conversations: dict[str, list[Signal]] = {}
    for sig in customer:
        conversations.setdefault(sig.conversation_id, []).append(sig)
    alerts = []
    for conversation_id, msgs in conversations.items():
        if len(msgs) < 2:
            continue
        start = (msgs[0].valence + msgs[0].satisfaction) / 2
        end = (msgs[-1].valence + msgs[-1].satisfaction) / 2
        if settled(start - end) >= rules.arc_drop:
            alerts.append(Alert("ends_worse", f"Conversation {conversation_id} ended worse than it began "
                                f"({start:+.2f} -> {end:+.2f}).", [msgs[0].message_id, msgs[-1].message_id],
                                msgs[-1].timestamp))
    return alerts
