"""A customer's profile as of a moment (the features outcome models and segments read)."""

from __future__ import annotations

from datetime import timedelta

from emotrace.scoring.profile import PROFILE_FEATURES, profile_at
from emotrace.scoring.rules import ScoringRules
from tests.scoring.test_timeline import T0, sig

RULES = ScoringRules()


def test_later_messages_change_nothing() -> None:
    """What an outcome model learns from: the features at a cut-off read nothing written after it."""
    before = [sig(1, 0, -0.6, -0.7, anger=0.8), sig(2, 5, 0.1, 0.0, speaker="agent"), sig(3, 30, -0.2, -0.3)]
    later = [sig(4, 50, 0.9, 0.9), sig(5, 51, 0.5, 0.5, speaker="agent")]
    cut = T0 + timedelta(hours=40)
    assert profile_at(before, cut, RULES) == profile_at(before + later, cut, RULES)
    assert set(profile_at(before, cut, RULES)) == set(PROFILE_FEATURES)


def test_a_customer_only_agents_wrote_to_has_an_agent_share_of_one() -> None:
    """It was 0.0 (the features returned before agent_share was computed), while one customer message beside three
    agent turns made it 0.75."""
    agents_only = [sig(i, i, 0.0, 0.0, speaker="agent") for i in range(3)]
    assert profile_at(agents_only, T0 + timedelta(hours=5), RULES)["agent_share"] == 1.0
    assert profile_at([*agents_only, sig(9, 4, 0.0, 0.0)], T0 + timedelta(hours=5), RULES)["agent_share"] == 0.75
