from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from emotrace.scoring.rules import ScoringRules
from emotrace.scoring.timeline import (
    Signal,
    Trend,
    build_timeline,
    routing_hint,
    score_of,
    segment,
    state_at,
    trend,
)

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
RULES = ScoringRules()


def sig(i: int, hours: float, valence: float, satisfaction: float, *, speaker: str = "customer", conv: str = "c1",
        anger: float = 0.0, arousal: float = 0.3, intents: dict[str, float] | None = None) -> Signal:
    return Signal(i, conv, T0 + timedelta(hours=hours), speaker, valence, arousal, satisfaction,
                  {"anger": anger, "joy": max(valence, 0), "neutral": 0.2}, intents or {})


def test_score_maps_valence_and_satisfaction_to_0_100() -> None:
    assert score_of(0, 0, RULES) == 50
    assert score_of(1, 1, RULES) == 100
    assert score_of(-1, -1, RULES) == 0
    assert score_of(0, -1, RULES) == 20  # satisfaction weighs 0.6


def test_agent_turns_never_count() -> None:
    signals = [sig(1, 0, 0.5, 0.5), sig(2, 1, -0.9, -0.9, speaker="agent")]
    assert state_at(signals, T0 + timedelta(hours=2), RULES).messages == 1
    assert state_at(signals, T0 + timedelta(hours=2), RULES).valence == 0.5


def test_older_messages_weigh_less() -> None:
    signals = [sig(1, 0, -1.0, -1.0), sig(2, 72, 1.0, 1.0)]  # one half-life apart
    state = state_at(signals, T0 + timedelta(hours=72), RULES)
    assert abs(state.valence - (1.0 - 0.5) / 1.5) < 1e-3


def test_history_equals_the_decay_formula_at_every_message() -> None:
    """The one-pass history matches sum(w_i x_i) / sum(w_i), w_i = 0.5 ** (age_i / half-life), incl. equal times."""
    rng = random.Random(7)
    signals = [sig(i, rng.choice([rng.uniform(0, 400), 24.0 * rng.randint(0, 5)]), rng.uniform(-1, 1),
                   rng.uniform(-1, 1), speaker=rng.choice(["customer", "customer", "agent"])) for i in range(60)]
    customer = sorted((s for s in signals if s.speaker == "customer"), key=lambda s: (s.timestamp, s.message_id))
    history = build_timeline(signals, RULES).history
    assert len(history) == len(customer)
    for state, message in zip(history, customer, strict=True):
        counted = [s for s in customer if s.timestamp <= message.timestamp]
        weights = [0.5 ** ((message.timestamp - s.timestamp).total_seconds() / 3600 / RULES.half_life_hours)
                   for s in counted]
        expected = sum(w * s.valence for w, s in zip(weights, counted, strict=True)) / sum(weights)
        assert state.at == message.timestamp and state.messages == len(counted)
        assert abs(state.valence - expected) < 1e-4


def test_a_long_history_drops_sharply_once() -> None:
    calm = [sig(i, 168 * i, 0.8, 0.8, conv=f"c{i}") for i in range(3000)]  # weekly, for years
    timeline = build_timeline([*calm, sig(3000, 168 * 2999 + 24, -1.0, -1.0, conv="last")], RULES)
    assert [a.kind for a in timeline.alerts] == ["sharp_drop"]
    assert timeline.alerts[0].message_ids == [2999, 3000]  # the peak is searched within the last 48 h only


def test_segments_and_trend() -> None:
    assert segment(90, RULES) == "delighted"
    assert segment(45, RULES) == "neutral"
    assert segment(10, RULES) == "at_risk"
    falling = build_timeline([sig(i, i * 24, 0.6 - 0.3 * i, 0.6 - 0.3 * i, conv=f"c{i}") for i in range(5)], RULES)
    assert trend(falling.history, RULES).direction == "falling"
    assert trend(falling.history[:1], RULES).direction == "stable"


def test_a_customer_who_stays_angry_is_not_falling() -> None:
    """Found last session: the score moves away from 50 as evidence builds up (two identical angry messages: about 35,
    then 30), which is not a change of mood; the trend, like the sharp-drop alert, asks the mood to move too."""
    same = build_timeline([sig(i, i * 24, -0.6, -0.7, conv=f"c{i}") for i in range(2)], RULES)
    delta = round(same.history[-1].score - same.history[0].score, 1)
    assert delta <= -RULES.trend_min_points  # the score alone would read "falling"
    assert trend(same.history, RULES) == Trend("stable", delta)  # the delta is still the score's change
    worse = build_timeline([sig(1, 0, -0.2, -0.2), sig(2, 24, -0.9, -0.9, conv="c2")], RULES)
    assert trend(worse.history, RULES).direction == "falling"
    better = build_timeline([sig(1, 0, -0.9, -0.9), sig(2, 24, 0.5, 0.6, conv="c2")], RULES)
    assert trend(better.history, RULES).direction == "rising"


def test_a_score_on_a_band_edge_belongs_to_that_band() -> None:
    """Bands are "lowest score of each segment": 80.0 is delighted, 79.9 satisfied, 28.0 frustrated."""
    for name, low in RULES.segment_bands.items():
        assert segment(low, RULES) == name
    assert segment(79.9, RULES) == "satisfied"
    assert segment(27.9, RULES) == "at_risk"


def test_quiet_dissatisfaction_moves_towards_at_risk() -> None:
    """Calm, factual complaints (valence near 0, satisfaction negative) still lower the score."""
    calm = [sig(i, i * 48, -0.05, -0.8, conv=f"c{i}") for i in range(3)]
    timeline = build_timeline(calm, RULES)
    assert segment(timeline.current.score, RULES) in {"frustrated", "at_risk"}
    kinds = {a.kind for a in timeline.alerts}
    assert "sustained_negativity" in kinds


def test_a_streak_says_its_conversations_and_their_messages() -> None:
    """Found by a new-user trial: "3 negative contacts in a row" named 5 messages (contacts are conversations)."""
    calm = [sig(i, i * 48 + k, -0.05, -0.8, conv=f"c{i}") for i in range(3) for k in range(1 + (i == 0))]
    (streak,) = [a for a in build_timeline(calm, RULES).alerts if a.kind == "sustained_negativity"]
    assert streak.reason == "3 negative conversations in a row (4 messages)." and len(streak.message_ids) == 4


def test_every_alert_is_raised_when_its_last_message_is_sent() -> None:
    """Found by a review: a streak's alert was dated by the last message of the conversation that started last, so a
    conversation of the streak that ran on past it (interleaved contacts) was named by an alert dated before it."""
    interleaved = [sig(0, 0, -0.05, -0.8, conv="a"), sig(1, 10, -0.05, -0.8, conv="b"),
                   sig(2, 20, -0.05, -0.8, conv="c"), sig(3, 100, -0.05, -0.8, conv="a")]
    (streak,) = [a for a in build_timeline(interleaved, RULES).alerts if a.kind == "sustained_negativity"]
    assert sorted(streak.message_ids) == [0, 1, 2, 3] and streak.at == T0 + timedelta(hours=100), streak
    kinds = set()
    for seed in range(60):  # every kind of alert, on contacts that interleave at random
        rng = random.Random(seed)
        signals = [sig(i, rng.uniform(0, 300), rng.uniform(-1, 1), rng.uniform(-1, 0.4), conv=f"c{rng.randint(0, 6)}",
                       anger=rng.random(), arousal=rng.random(), intents={"churn_threat": rng.random() / 2})
                   for i in range(40)]
        sent = {s.message_id: s.timestamp for s in signals}
        for alert in build_timeline(signals, RULES).alerts:
            kinds.add(alert.kind)
            assert alert.at == max(sent[i] for i in alert.message_ids), (seed, alert)
    assert kinds >= {"sustained_negativity", "intensity_spike", "ends_worse", "churn_threat"}, kinds


def test_alerts_name_their_messages() -> None:
    signals = [sig(1, 0, 0.8, 0.9), sig(2, 2, 0.7, 0.8), sig(3, 20, -0.8, -0.9, anger=0.9, arousal=0.8)]
    timeline = build_timeline(signals, RULES)
    by_kind = {a.kind: a for a in timeline.alerts}
    assert by_kind["sharp_drop"].message_ids == [2, 3]  # the peak: two happy messages outweigh the neutral prior more than one
    assert "points" in by_kind["sharp_drop"].reason
    assert by_kind["intensity_spike"].message_ids == [3]
    # the reason says it is the anger *group*: a message tagged "annoyance" alone can fire it
    assert by_kind["intensity_spike"].reason == ("High-intensity anger: the anger group (its labels together, e.g. "
                                                 "anger, annoyance, disapproval) at 0.90, arousal 0.80.")
    assert by_kind["ends_worse"].message_ids == [1, 3]


def test_no_alerts_for_a_happy_customer() -> None:
    assert build_timeline([sig(i, i * 30, 0.6, 0.7, conv=f"c{i}") for i in range(4)], RULES).alerts == []


def test_routing_hint() -> None:
    now = T0 + timedelta(hours=21)
    angry = build_timeline([sig(1, 0, 0.5, 0.5), sig(2, 20, -0.9, -0.9, anger=0.9, arousal=0.9)], RULES)
    hint = routing_hint(angry, now, RULES)
    assert hint.route == "experienced_agent" and hint.reason
    calm = build_timeline([sig(1, 0, 0.5, 0.6)], RULES)
    assert routing_hint(calm, now, RULES).route == "standard"
    assert routing_hint(build_timeline([], RULES), now, RULES).route == "standard"


def test_stated_intents_raise_alerts_and_route_the_contact() -> None:
    """A churn threat goes to retention, a request for a manager (or a legal threat) to a team lead, whatever the
    score; refund requests alone raise nothing; agent turns never count."""
    now = T0 + timedelta(hours=3)
    churn = build_timeline([sig(1, 0, 0.4, 0.5), sig(2, 1, 0.1, 0.2, intents={"churn_threat": 0.91}),
                            sig(3, 2, 0.0, 0.0, speaker="agent", intents={"escalation_request": 0.9})], RULES)
    (alert,) = churn.alerts
    assert (alert.kind, alert.message_ids, alert.severity) == ("churn_threat", [2], "critical")
    assert "may leave" in alert.reason and "churn_threat 0.91" in alert.reason
    hint = routing_hint(churn, now, RULES)
    assert (hint.route, hint.reason) == ("retention", alert.reason)
    legal = build_timeline([sig(1, 0, 0.0, 0.0, intents={"legal_threat": 0.8, "refund_request": 0.9})], RULES)
    assert [(a.kind, a.message_ids) for a in legal.alerts] == [("escalation_request", [1])]
    assert "legal_threat 0.80" in legal.alerts[0].reason
    assert routing_hint(legal, now, RULES).route == "team_lead"
    both = build_timeline([sig(1, 0, 0.0, 0.0, intents={"churn_threat": 0.7, "escalation_request": 0.8})], RULES)
    assert routing_hint(both, now, RULES).route == "retention"
    assert build_timeline([sig(1, 0, 0.0, 0.0, intents={"refund_request": 0.9})], RULES).alerts == []
    assert routing_hint(churn, now + timedelta(hours=RULES.route_recent_hours + 2), RULES).route != "retention"


def test_one_thank_you_does_not_make_a_customer_delighted() -> None:
    one = build_timeline([sig(1, 0, 0.8, 0.95)], RULES).current
    assert segment(one.score, RULES) == "satisfied"
    several = build_timeline([sig(i, 2 * i, 0.8, 0.95) for i in range(1, 6)], RULES).current
    assert segment(several.score, RULES) == "delighted"
    assert several.score > one.score


def test_the_neutral_prior_fades_like_a_message_before_the_first_so_a_weekly_writer_can_reach_any_segment() -> None:
    """Found by a new-user trial: the prior never decayed while the messages did, so a customer writing once a week
    was held halfway to 50 (four furious messages: 31 to 29, "frustrated", never "at_risk"; glowing ones never
    "delighted"). The prior is one neutral message just before the first, decaying as it would."""
    furious = build_timeline([sig(i, 168 * i, -0.45, -0.95) for i in range(4)], RULES)
    assert segment(furious.current.score, RULES) == "at_risk", [s.score for s in furious.history]
    glowing = build_timeline([sig(i, 240 * i, 0.8, 0.95) for i in range(3)], RULES)
    assert segment(glowing.current.score, RULES) == "delighted", [s.score for s in glowing.history]
    # one message alone is still shrunk halfway, however long ago it was written
    one = [sig(1, 0, -0.45, -0.95)]
    assert state_at(one, T0, RULES).score == state_at(one, T0 + timedelta(days=30), RULES).score < 50
    assert abs(state_at(one, T0, RULES).score - (50 + score_of(-0.45, -0.95, RULES)) / 2) < 0.051  # one decimal


def test_without_the_prior_one_message_sets_the_score() -> None:
    rules = RULES.model_copy(update={"prior_messages": 0.0})
    assert build_timeline([sig(1, 0, 0.8, 0.95)], rules).current.score == score_of(0.8, 0.95, rules)


def test_a_second_crisis_raises_its_own_drop_and_streak_alerts() -> None:
    """Found by a review: the drop and streak checks returned at the first one found, so a customer's second crisis,
    weeks after a recovery, raised neither alert (no escalation, no outreach hold)."""
    happy = [sig(i, 24 * i, 0.8, 0.8, conv=f"h{i}") for i in range(10)]
    first = [sig(100 + k, 240 + k, -1.0, -1.0, conv="f") for k in range(2)]
    recovered = [sig(200 + i, 24 * (11 + i), 0.8, 0.8, conv=f"r{i}") for i in range(59)]
    second = [sig(300 + k, 1680 + k, -1.0, -1.0, conv="s") for k in range(2)]
    drops = [a for a in build_timeline(happy + first + recovered + second, RULES).alerts if a.kind == "sharp_drop"]
    assert [a.message_ids[-1] // 100 for a in drops] == [1, 3], [a.message_ids for a in drops]  # one per crisis
    streaks = [sig(i, 48 * i, -0.05, -0.8, conv=f"a{i}") for i in range(3)]
    streaks += [sig(10 + i, 48 * (3 + i), 0.5, 0.5, conv=f"b{i}") for i in range(10)]
    streaks += [sig(30 + i, 48 * (13 + i), -0.05, -0.8, conv=f"c{i}") for i in range(4)]
    negative = [a for a in build_timeline(streaks, RULES).alerts if a.kind == "sustained_negativity"]
    assert [a.message_ids for a in negative] == [[0, 1, 2], [30, 31, 32]]  # the fourth conversation: no new alert


def test_a_drop_alert_is_raised_once_for_one_fall() -> None:
    """One fall in steps (90 -> 65 -> 40 within the window) is one episode: one alert, not one a step."""
    signals = [sig(i, 24 * i, 0.9, 0.9, conv=f"h{i}") for i in range(5)]
    signals += [sig(10, 100, -0.6, -0.6, conv="d1"), sig(11, 101, -1.0, -1.0, conv="d2"),
                sig(12, 102, -1.0, -1.0, conv="d3")]
    assert [a.kind for a in build_timeline(signals, RULES).alerts].count("sharp_drop") == 1


def test_routing_and_drop_reasons_show_whole_points_as_the_segment_reads_them() -> None:
    """Found by a review: a score of 41.6 (frustrated: neutral starts at 42) was said "Score 42" in the routing reason,
    as the dashboard once did."""
    timeline = build_timeline([sig(1, 0, -0.336, -0.336)], RULES)
    assert segment(timeline.current.score, RULES) == "frustrated" and 41 < timeline.current.score < 42
    hint = routing_hint(timeline, T0 + timedelta(hours=1), RULES)
    assert "Score 41," in hint.reason, hint.reason


def test_a_drop_names_the_last_message_of_those_sent_at_one_time() -> None:
    """Found by a review: messages at one time share the state after all of them, and the drop named the first of
    them: a mild message outlined on the dashboard, the furious one sent with it never named."""
    signals = [sig(1, 0, 0.8, 0.9), sig(2, 2, 0.7, 0.8), sig(3, 20, 0.2, 0.2), sig(4, 20, -1.0, -1.0)]
    (drop,) = [a for a in build_timeline(signals, RULES).alerts if a.kind == "sharp_drop"]
    assert drop.message_ids == [2, 4], drop.message_ids


# Found by a read-only review of the scoring layer (2026-12-06): each failed on the code before its fix.

def _drops(scores_at: list[tuple[float, float]]) -> list[list[int]]:
    """The sharp-drop alerts (their message ids) of customer messages at (hours, mood) with a prior of none and a
    half-life short enough that the score is the last message's."""
    rules = ScoringRules(prior_messages=0, half_life_hours=0.001)
    signals = [sig(i, hours, mood, mood) for i, (hours, mood) in enumerate(scores_at, 1)]
    return [a.message_ids for a in build_timeline(signals, rules).alerts if a.kind == "sharp_drop"]


def test_a_fall_that_keeps_going_raises_one_sharp_drop() -> None:
    # moods giving scores 80 -> 55 -> 54 -> 34: one fall in steps (two alerts before)
    assert _drops([(0, 0.6), (1, 0.1), (2, 0.08), (3, -0.32)]) == [[1, 2]]
    # two messages at one time at 55, then 35: the shared state was a peak of its own
    assert _drops([(0, 0.6), (1, 0.1), (1, 0.1), (2, -0.3)]) == [[1, 3]]
    # a real recovery, then a second fall: a second episode
    assert _drops([(0, 0.6), (1, 0.1), (2, 0.6), (3, 0.1)]) == [[1, 2], [3, 4]]


def test_a_customer_whose_mood_never_changes_raises_no_sharp_drop() -> None:
    """Evidence building up moved the score away from 50 (25 -> 4 for ten messages at -1): read as a critical
    "fell 20 points" alert."""
    signals = [sig(i, i, -1.0, -1.0) for i in range(10)]
    timeline = build_timeline(signals, RULES)
    assert timeline.history[0].score > timeline.history[-1].score + 20  # the score firms up as evidence grows
    assert [a for a in timeline.alerts if a.kind == "sharp_drop"] == []


def test_the_points_a_drop_reason_gives_are_its_two_scores_apart() -> None:
    rules = ScoringRules(prior_messages=0, half_life_hours=0.001)
    signals = [sig(1, 0, 0.212, 0.212), sig(2, 1, -0.2, -0.2)]  # 60.6 -> 40.0: "fell 21 points (from 60 to 40)"
    (alert,) = [a for a in build_timeline(signals, rules).alerts if a.kind == "sharp_drop"]
    assert "fell 20 points (from 60 to 40)" in alert.reason, alert.reason


def test_a_routing_reason_states_its_threshold_as_set() -> None:
    rules = ScoringRules(route_score_below=34.5, prior_messages=0)
    timeline = build_timeline([sig(1, 0, -0.32, -0.32)], rules)  # score 34.0
    hint = routing_hint(timeline, T0 + timedelta(hours=1), rules)
    assert hint.route == "experienced_agent" and "is below 34.5" in hint.reason, hint.reason


def test_a_long_silence_keeps_the_customer_s_last_mood() -> None:
    """Decayed weights underflowed to zero: one message at -0.9 read as neutral (50) after 300 days at a 6-hour
    half-life, and 27.5 a day later."""
    rules = ScoringRules(half_life_hours=6)
    signals = [sig(1, 0, -0.9, -0.9)]
    later = state_at(signals, T0 + timedelta(days=1), rules)
    much_later = state_at(signals, T0 + timedelta(days=300), rules)
    assert much_later.score == later.score and much_later.valence == -0.9


def test_no_change_is_stable_whatever_the_minimum_points() -> None:
    rules = ScoringRules(trend_min_points=0)
    history = build_timeline([sig(1, 0, 0.2, 0.2), sig(2, 0, 0.2, 0.2)], rules).history
    assert trend(history, rules).direction == "stable"


def test_a_fall_of_exactly_the_drop_points_is_a_sharp_drop() -> None:
    """Found by a review: scores are kept to one decimal but their difference was not (69.1 - 49.1 =
    19.999999999999993), so a fall of exactly ``drop_points`` raised no ``sharp_drop``."""
    timeline = build_timeline([sig(1, 0, 0.5, 0.94, arousal=0.1), sig(2, 1, -0.82, -0.8, arousal=0.1)], RULES)
    assert [s.score for s in timeline.history] == [69.1, 49.1] and RULES.drop_points == 20
    drops = [a for a in timeline.alerts if a.kind == "sharp_drop"]
    assert len(drops) == 1 and "Score fell 20 points (from 69 to 49)" in drops[0].reason


def test_thresholds_met_exactly_by_stored_readings_count_whatever_the_float_sums() -> None:
    """Found by a review: readings are stored to 4 decimals but their means and differences were compared in float,
    so a conversation ending exactly 0.5 lower (-0.1829 -> -0.6829: 0.49999999999999994) raised no ``ends_worse``,
    and three conversations of mean exactly -0.3 were a streak or not by the values that made the mean."""
    arc = build_timeline([sig(1, 0, 0.0654, -0.4312), sig(2, 1, -0.6829, -0.6829)], RULES)
    assert RULES.arc_drop == 0.5 and "ends_worse" in {a.kind for a in arc.alerts}
    for pair in ((-0.2, -0.4), (-0.1, -0.5)):  # both means are exactly -0.3: not below it
        messages = [sig(2 * c + k, 24 * c + k, value, value, conv=f"c{c}")
                    for c in range(RULES.negative_streak) for k, value in enumerate(pair)]
        assert RULES.negative_satisfaction == -0.3
        assert "sustained_negativity" not in {a.kind for a in build_timeline(messages, RULES).alerts}, pair
