"""The agent's next step from a customer's state, by the editable rules table."""

from __future__ import annotations

import json

import pytest

from emotrace.errors import EmotraceError
from emotrace.scoring.next_step import DEFAULT_NEXT_STEPS, NextStepRule, next_step
from emotrace.settings import Settings


@pytest.mark.parametrize(("segment", "alerts", "emotions", "trend", "action"), [
    ("satisfied", ["churn_threat", "sharp_drop"], [], "stable", "offer_retention"),  # what they said they'd do first
    ("neutral", ["escalation_request"], ["anger"], "stable", "escalate"),
    ("neutral", ["sharp_drop"], [], "falling", "escalate"),  # an alert outranks everything else
    ("at_risk", [], ["sadness"], "stable", "offer_retention"),
    ("neutral", ["intensity_spike"], ["anger"], "stable", "acknowledge_and_apologise"),
    ("frustrated", [], ["sadness"], "stable", "follow_up"),
    ("satisfied", [], [], "falling", "follow_up"),
    ("delighted", [], ["joy"], "rising", "none"),
])
def test_the_default_table(segment, alerts, emotions, trend, action) -> None:
    step = next_step(segment, alerts, emotions, trend, DEFAULT_NEXT_STEPS)
    assert step is not None and step.action == action and step.script


def test_every_condition_of_a_rule_must_hold_and_the_first_match_wins() -> None:
    rules = [NextStepRule(segments=["at_risk"], emotions=["anger"], action="call"), NextStepRule(action="wait")]
    assert next_step("at_risk", [], ["anger"], "stable", rules).action == "call"
    assert next_step("at_risk", [], ["sadness"], "stable", rules).action == "wait"
    assert next_step("at_risk", [], [], "stable", rules[:1]) is None


def test_the_table_is_a_settings_file(tmp_path) -> None:
    path = tmp_path / "steps.json"
    path.write_text(json.dumps([{"segments": ["at_risk"], "action": "call_back", "follow_up_hours": 2},
                                {"action": "none"}]))
    rules = Settings(next_steps_file=path).scoring.next_steps
    assert [r.action for r in rules] == ["call_back", "none"]
    path.write_text(json.dumps([{"segments": "at_risk"}]))
    with pytest.raises(EmotraceError, match=r"E019.*0\.segments: Input should be a valid array; 0\.action: Field required"):
        Settings(next_steps_file=path)


def test_a_misspelt_condition_is_refused_not_dropped(tmp_path) -> None:
    """A rule with ``"alert"`` for ``"alerts"`` was read as a rule with no conditions: it matched every customer."""
    path = tmp_path / "steps.json"
    path.write_text(json.dumps([{"alert": ["churn_threat"], "action": "call_back"}]))
    with pytest.raises(EmotraceError, match=r"E019.*0\.alert: Extra inputs are not permitted"):
        Settings(next_steps_file=path)


@pytest.mark.parametrize(("rule", "named"), [
    ({"segments": ["at-risk"]}, "segments ['at-risk']"), ({"trends": ["down"]}, "trends ['down']"),
    ({"alerts": ["churn"]}, "alerts ['churn']"), ({"emotions": ["rage"]}, "emotions ['rage']"),
])
def test_a_condition_value_the_scoring_never_gives_is_refused(tmp_path, rule: dict, named: str) -> None:
    """Found by a review: "at-risk" for "at_risk" or "down" for "falling" was accepted, and the rule never held."""
    path = tmp_path / "steps.json"
    path.write_text(json.dumps([{**rule, "action": "call_back"}, {"action": "none"}]))
    with pytest.raises(EmotraceError, match="E019") as refused:
        Settings(next_steps_file=path)
    assert f"rule 0's {named} are not among" in str(refused.value)
    path.write_text(json.dumps([{"segments": ["at_risk"], "trends": ["falling"], "alerts": ["churn_threat", "ends_worse"],
                                 "emotions": ["anger"], "action": "call_back"}]))
    assert Settings(next_steps_file=path).scoring.next_steps[0].action == "call_back"
