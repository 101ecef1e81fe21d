"""Agents' empathy profiles on constructed conversations with known answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emotrace.evaluation.agent_effects import generate
from emotrace.scoring.agents import Turn, agent_profiles, conversation_effects, is_distressed, rank_agents

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def conversation(conv: str, agent: str, before: list[float], after: list[float], agent_labels: list[str]) -> list[Turn]:
    """Customer turns at the moods ``before``, the agent's answer, then customer turns at ``after``."""
    script = [("customer", m, [], None) for m in before] + [("agent", 0.2, agent_labels, agent)] + \
        [("customer", m, [], None) for m in after]
    return [Turn(conv, f"cust-{conv}", "chat", speaker, who, T0 + timedelta(minutes=i), mood, mood, labels)
            for i, (speaker, mood, labels, who) in enumerate(script)]


def test_de_escalation_empathy_and_ending_of_one_conversation() -> None:
    (effect,) = conversation_effects(conversation("c1", "kim", [-0.8, -0.6], [0.2], ["caring"]), "frustrated")
    assert effect.agent_id == "kim" and effect.segment == "frustrated"
    assert effect.customer_id == "cust-c1" and effect.started_at == T0  # the dashboard dates and opens it
    assert effect.de_escalation == 0.9  # 0.2 after minus -0.7 before
    assert effect.started_distressed and (effect.distress_answers, effect.empathic_answers) == (1, 1)
    assert effect.ended == "better"
    (worse,) = conversation_effects(conversation("c2", "tom", [0.3], [-0.5], ["neutral"]), "neutral")
    assert worse.de_escalation == -0.8 and worse.ended == "worse" and worse.distress_answers == 0
    (unmeasured,) = conversation_effects(conversation("c3", "tom", [], [0.5], ["neutral"]), "neutral")
    assert unmeasured.de_escalation is None  # no customer turn before the agent's


def test_profiles_rank_agents_with_enough_conversations_and_say_why() -> None:
    effects = []
    for i in range(12):
        effects += conversation_effects(conversation(f"k{i}", "kim", [-0.6], [0.1 + 0.01 * i], ["caring"]), "at_risk")
        effects += conversation_effects(conversation(f"t{i}", "tom", [-0.6], [-0.5 + 0.01 * i], ["neutral"]), "at_risk")
    effects += conversation_effects(conversation("n0", "new", [-0.6], [0.9], ["caring"]), "at_risk")
    profiles = agent_profiles(effects, min_conversations=10)
    kim, tom, new = profiles["kim"], profiles["tom"], profiles["new"]
    assert kim.enough_data and tom.enough_data and not new.enough_data
    assert kim.de_escalation is not None and kim.de_escalation.n == 12
    assert kim.de_escalation.low is not None and kim.de_escalation.low < kim.de_escalation.mean < kim.de_escalation.high
    assert (kim.empathy_rate, tom.empathy_rate) == (1.0, 0.0)
    ranked = rank_agents(profiles, ["tom", "new", "ghost", "kim"], True, min_conversations=10)
    assert [r.agent_id for r in ranked] == ["kim", "tom", "new", "ghost"]
    assert ranked[0].reason.startswith("de-escalates distressed customers: +0.76 mood on 12 conversations (95% CI")
    assert ranked[1].reason.startswith("de-escalates distressed customers: +0.15")
    assert ranked[2].reason == "too few conversations to rank (1 measured, 10 needed)"  # the best mean, not ranked on noise
    assert ranked[3].reason == "no conversations yet"


def test_true_agent_effects_are_recovered_on_a_generated_floor() -> None:
    from scipy.stats import spearmanr

    truth, floor = generate(agents=10, conversations=30, seed=4)
    profiles = agent_profiles([e for turns in floor for e in conversation_effects(turns, "neutral")], 30)
    agents = sorted(truth)
    estimated = [e.mean if (e := profiles[a].de_escalation) else 0.0 for a in agents]
    assert spearmanr([truth[a] for a in agents], estimated).statistic >= 0.8


def test_an_agent_who_opens_the_conversation_is_measured_from_the_customers_first_turn() -> None:
    turns = conversation("c9", "kim", [], [-0.6, 0.0, 0.4], ["neutral"])
    (effect,) = conversation_effects(turns, "neutral")
    assert effect.de_escalation == 1.0  # 0.4 at the end minus -0.6 at the start


def test_one_measure_ranks_everyone() -> None:
    """A charged customer: if one rankable agent lacks enough distressed conversations, all are ranked overall."""
    effects = []
    for i in range(12):
        effects += conversation_effects(conversation(f"k{i}", "kim", [-0.6], [0.2], []), "at_risk")
        effects += conversation_effects(conversation(f"r{i}", "rosa", [0.2], [0.5], []), "neutral")
    ranked = rank_agents(agent_profiles(effects, 10), ["kim", "rosa"], True, 10)
    assert all("de-escalates customers:" in r.reason for r in ranked)


def test_a_churn_threat_or_escalation_counts_as_distressed_whatever_the_segment() -> None:
    """A customer who said they may leave goes to the agent who best de-escalates distressed customers."""
    assert is_distressed("satisfied", "retention") and is_distressed("neutral", "team_lead")
    assert is_distressed("at_risk", "standard") and not is_distressed("satisfied", "standard")
    assert not is_distressed("neutral", "experienced_agent")


def test_how_a_conversation_ended_is_measured_only_from_two_customer_turns() -> None:
    """One customer turn cannot end better or worse: such a conversation is 'unmeasured' and the agent's shares of
    conversations that ended better or worse count only conversations that could (None when none could)."""
    (single,) = conversation_effects(conversation("s1", "ana", [-0.7], [], ["caring"]), "frustrated")
    assert single.ended == "unmeasured"
    effects = [single, *conversation_effects(conversation("s2", "bo", [-0.7], [], []), "frustrated")]
    effects += conversation_effects(conversation("s3", "ana", [-0.6], [0.4], []), "frustrated")
    profiles = agent_profiles(effects, 10)
    assert (profiles["ana"].ended_better, profiles["ana"].ended_worse) == (1.0, 0.0)  # of the one measured, not of 2
    assert (profiles["bo"].ended_better, profiles["bo"].ended_worse) == (None, None)


def test_customer_turns_at_the_agent_s_first_turn_time_count_by_their_order() -> None:
    """Turns are in time order, but "before" and "after" compared timestamps: a customer turn stored at the same
    second as the agent's answer counted on neither side (de-escalation unmeasured)."""
    turns = [Turn("c9", "cust-c9", "chat", "customer", None, T0, -0.8, -0.8, []),
             Turn("c9", "cust-c9", "chat", "agent", "kim", T0, 0.2, 0.2, ["caring"]),
             Turn("c9", "cust-c9", "chat", "customer", None, T0 + timedelta(minutes=1), 0.6, 0.6, [])]
    (effect,) = conversation_effects(turns, "frustrated")
    assert effect.de_escalation == 1.4 and effect.started_distressed


def test_a_first_turn_of_mood_exactly_the_distress_line_is_not_distressed_whatever_its_parts() -> None:
    """Found by a review: the mood (valence + satisfaction) / 2 was compared in float, so (-0.2 + -0.4) / 2 read as
    distressed (-0.30000000000000004 < -0.3) and (-0.1 + -0.5) / 2 did not."""
    for valence, satisfaction in ((-0.2, -0.4), (-0.1, -0.5)):
        turns = [Turn("c", "cust", "chat", "customer", None, T0, valence, satisfaction, []),
                 Turn("c", "cust", "chat", "agent", "kim", T0 + timedelta(minutes=1), 0.2, 0.2, ["caring"]),
                 Turn("c", "cust", "chat", "customer", None, T0 + timedelta(minutes=2), 0.2, 0.2, [])]
        (effect,) = conversation_effects(turns, "neutral")
        assert not effect.started_distressed and effect.distress_answers == 0, (valence, satisfaction)
