"""A customer's emotional profile as of a moment: the features outcome models and segments read. Pure, no I/O.

Every feature is computed from the messages at or before the cut-off alone, so a model trained on outcomes
never sees what came after them (``tests/scoring/test_profile.py`` checks that later messages change nothing).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta

from emotrace.scoring.rules import ScoringRules
from emotrace.scoring.timeline import CUSTOMER, Signal, build_timeline, state_at

EKMAN_EMOTIONS = ("anger", "disgust", "fear", "joy", "sadness", "surprise")
RECENT = timedelta(days=14)
MONTH = timedelta(days=30)
HISTORY = timedelta(days=90)
NO_CONTACT_DAYS = 365.0  # days since the last contact of a customer with none (capped)

PROFILE_FEATURES = (
    "score", "valence", "satisfaction", "arousal",  # time-decayed state at the cut-off
    "recent_valence", "recent_satisfaction",  # mean of the last 14 days' messages
    "negative_share",  # share of the last 30 days' messages read dissatisfied
    *(f"{e}_share" for e in EKMAN_EMOTIONS),  # mean Ekman probabilities over 90 days
    "volatility",  # spread (standard deviation) of satisfaction over 90 days
    "alerts_30d", "alerts",  # alerts raised in the last 30 days, and ever
    "contacts_30d", "conversations_30d", "days_since_contact",
    "arc",  # mean change of satisfaction from a conversation's first to its last message (90 days)
    "agent_share",  # share of the last 90 days' messages written by agents
)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def profile_at(signals: Sequence[Signal], at: datetime, rules: ScoringRules) -> dict[str, float]:
    """The profile features (:data:`PROFILE_FEATURES`) of one customer's messages (customer and agent turns) as of
    ``at``; a customer with no message yet reads as neutral with no contact."""
    past = sorted((s for s in signals if s.timestamp <= at), key=lambda s: (s.timestamp, s.message_id))
    own = [s for s in past if s.speaker == CUSTOMER]
    features = dict.fromkeys(PROFILE_FEATURES, 0.0)
    features["score"], features["days_since_contact"] = 50.0, NO_CONTACT_DAYS
    features["agent_share"] = _mean([0.0 if s.speaker == CUSTOMER else 1.0 for s in past if at - s.timestamp <= HISTORY])
    if not own:
        return features
    state = state_at(own, at, rules)
    recent = [s for s in own if at - s.timestamp <= RECENT]
    month = [s for s in own if at - s.timestamp <= MONTH]
    history = [s for s in own if at - s.timestamp <= HISTORY]
    alerts = build_timeline(own, rules).alerts
    conversations: dict[str, list[Signal]] = {}
    for s in history:
        conversations.setdefault(s.conversation_id, []).append(s)
    features.update(
        score=state.score, valence=state.valence, satisfaction=state.satisfaction, arousal=state.arousal,
        recent_valence=_mean([s.valence for s in recent]), recent_satisfaction=_mean([s.satisfaction for s in recent]),
        negative_share=_mean([1.0 if s.satisfaction < rules.negative_satisfaction else 0.0 for s in month]),
        volatility=statistics.pstdev([s.satisfaction for s in history]) if len(history) > 1 else 0.0,
        alerts_30d=float(sum(at - a.at <= MONTH for a in alerts)), alerts=float(len(alerts)),
        contacts_30d=float(len(month)), conversations_30d=float(len({s.conversation_id for s in month})),
        days_since_contact=min((at - own[-1].timestamp).total_seconds() / 86400, NO_CONTACT_DAYS),
        arc=_mean([msgs[-1].satisfaction - msgs[0].satisfaction for msgs in conversations.values() if len(msgs) > 1]),
    )
    for emotion in EKMAN_EMOTIONS:
        features[f"{emotion}_share"] = _mean([s.emotions.get(emotion, 0.0) for s in history])
    return features
