"""The outreach guard's rules on constructed customers with known answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emotrace.scoring.outreach import OutreachFacts, OutreachRules, outreach_decision

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
RULES = OutreachRules()


def test_a_calm_customer_may_be_contacted() -> None:
    decision = outreach_decision(OutreachFacts("satisfied", [], []), NOW, RULES)
    assert (decision.decision, decision.reasons, decision.hold_until) == ("ok", [], None)


def test_a_customer_never_read_is_ok_and_says_so() -> None:
    decision = outreach_decision(None, NOW, RULES)
    assert decision.decision == "ok" and decision.reasons == ["no emotional history for this customer"]


def test_held_segments_wait_for_a_recheck() -> None:
    decision = outreach_decision(OutreachFacts("frustrated", [], []), NOW, RULES)
    assert decision.decision == "hold"
    assert decision.reasons == ["segment frustrated"]
    assert decision.hold_until == NOW + timedelta(days=RULES.segment_recheck_days)


def test_an_alert_holds_for_its_days_then_expires() -> None:
    recent = outreach_decision(OutreachFacts("neutral", [("intensity_spike", NOW - timedelta(days=3))], []), NOW, RULES)
    assert recent.decision == "hold" and recent.hold_until == NOW + timedelta(days=RULES.alert_hold_days - 3)
    old = outreach_decision(OutreachFacts("neutral", [("intensity_spike", NOW - timedelta(days=15))], []), NOW, RULES)
    assert old.decision == "ok"


def test_a_sharp_drop_holds_longer_than_other_alerts() -> None:
    at = NOW - timedelta(days=20)  # past alert_hold_days (14), within drop_hold_days (30)
    decision = outreach_decision(OutreachFacts("neutral", [("sharp_drop", at)], []), NOW, RULES)
    assert decision.decision == "hold"
    assert decision.reasons == ["sharp drop in the score on 2026-11-11"]
    assert decision.hold_until == at + timedelta(days=RULES.drop_hold_days)


def test_an_unresolved_conversation_holds_and_the_latest_reason_sets_hold_until() -> None:
    unresolved = NOW - timedelta(days=2)
    facts = OutreachFacts("at_risk", [("sustained_negativity", NOW - timedelta(days=1))], [unresolved])
    decision = outreach_decision(facts, NOW, RULES)
    assert decision.decision == "hold"
    assert set(decision.reasons) == {"segment at_risk", "sustained negativity alert on 2026-11-30",
                                     "conversation not resolved on 2026-11-29"}
    assert decision.hold_until == unresolved + timedelta(days=RULES.unresolved_hold_days)


def test_rules_are_settings() -> None:
    rules = OutreachRules(hold_segments=["at_risk"], alert_hold_days=0)
    facts = OutreachFacts("frustrated", [("intensity_spike", NOW - timedelta(hours=1))], [])
    assert outreach_decision(facts, NOW, rules).decision == "ok"


def test_an_escalated_complaint_holds() -> None:
    at = NOW - timedelta(days=5)
    decision = outreach_decision(OutreachFacts("satisfied", [], [], [at]), NOW, RULES)
    assert decision.decision == "hold" and decision.reasons == ["complaint escalated on 2026-11-26"]
    assert decision.hold_until == at + timedelta(days=RULES.complaint_hold_days)
