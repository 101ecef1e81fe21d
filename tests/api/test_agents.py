"""Agents' empathy profiles and routing to the right agent, through the real app and the shipped model."""

from __future__ import annotations

from datetime import datetime

from tests.api.conftest import make_client
from tests.api.test_outcomes import ANGRY, _day


def test_agents_profiles_and_routing_to_the_agent_who_calms_customers(tmp_path) -> None:
    calm, angry = "Thank you, that solves it, really appreciated!", ANGRY
    messages = []
    for i in range(3):
        for agent, after in (("kim", calm), ("tom", angry)):
            conv = f"{agent}-{i}"
            messages += [{"customer_id": f"c-{conv}", "conversation_id": conv, "text": angry, "timestamp": _day(3 - i)},
                         {"customer_id": f"c-{conv}", "conversation_id": conv, "speaker": "agent", "agent_id": agent,
                          "text": "I am so sorry, let me fix this right now.", "timestamp": _day(3 - i - 0.01)},
                         {"customer_id": f"c-{conv}", "conversation_id": conv, "text": after,
                          "timestamp": _day(3 - i - 0.02)}]
    with make_client(tmp_path, agent_min_conversations=3) as client:
        assert client.post("/v1/messages", json={"messages": messages}).status_code == 201
        agents = client.get("/v1/agents").json()
        assert [a["agent_id"] for a in agents] == ["kim", "tom"]
        assert agents[0]["de_escalation"]["mean"] > 0.3 > agents[1]["de_escalation"]["mean"]
        detail = client.get("/v1/agents/kim").json()
        assert len(detail["conversation_effects"]) == 3 and detail["empathy_rate"] is not None
        started = {m["conversation_id"]: datetime.fromisoformat(m["timestamp"]) for m in reversed(messages)}
        assert {(c["customer_id"], c["conversation_id"], datetime.fromisoformat(c["started_at"]))
                for c in detail["conversation_effects"]} == {(f"c-kim-{i}", f"kim-{i}", started[f"kim-{i}"]) for i in range(3)}
        assert client.get("/v1/agents/nobody").status_code == 404
        routing = client.get("/v1/customers/c-tom-0/routing", params={"agents": ["tom", "kim", "lee"]}).json()
        assert [a["agent_id"] for a in routing["agents"]] == ["kim", "tom", "lee"]
        assert routing["agents"][0]["reason"].startswith("de-escalates")
        refused = client.post("/v1/messages", json={"messages": [{"customer_id": "x", "conversation_id": "y",
                                                                  "agent_id": "kim", "text": "hello"}]})
        assert refused.status_code == 422 and "only with speaker 'agent'" in refused.text


def test_the_next_step_reaches_the_customer_view_the_routing_answer_and_the_summary(tmp_path) -> None:
    with make_client(tmp_path) as client:
        stored = client.post("/v1/messages", json={"messages": [
            {"customer_id": "zoe", "conversation_id": f"z{i}", "text": ANGRY, "timestamp": _day(2 - i / 2)}
            for i in range(3)]}).json()
        view, routing = client.get("/v1/customers/zoe").json(), client.get("/v1/customers/zoe/routing").json()
    # "... I am furious and done with you." states a churn threat, whose rule comes first: retention, then escalation
    assert stored["customers"][0]["next_step"]["action"] == "offer_retention"  # what the live feed's customer event carries
    assert view["next_step"] == routing["next_step"] == view["routing"]["next_step"]
    assert view["next_step"]["action"] == "offer_retention" and view["next_step"]["follow_up_hours"] == 4


def test_found_by_the_hostile_input_hunt(tmp_path) -> None:
    """Each was a 500 or a wrong answer before: out-of-range message ids, NUL in an outcome's conversation,
    malformed audience and agent ids, a later 'resolved' not lifting the hold, escalated complaints ignored."""
    with make_client(tmp_path) as client:
        client.post("/v1/messages", json={"messages": [{"customer_id": "eli", "conversation_id": "e1", "text": "ok"}]})
        assert client.get("/v1/customers/eli/messages/9223372036854775808/explanation").status_code == 422
        nul = client.post("/v1/outcomes", json={"outcomes": [{"customer_id": "eli", "kind": "resolved", "at": _day(1),
                                                             "conversation_id": "a\u0000b", "value": 1}]})
        assert nul.status_code == 422 and "NUL" in nul.text
        assert client.post("/v1/outreach/check", json={"customer_ids": ["eli", "a\u0000b"]}).status_code == 422
        assert client.post("/v1/outreach/check", json={"customer_ids": ["eli "]}).status_code == 422
        assert client.get("/v1/customers/eli/routing", params={"agents": ["", "kim"]}).status_code == 422
        record = {"customer_id": "eli", "kind": "resolved", "conversation_id": "e1"}
        client.post("/v1/outcomes", json={"outcomes": [{**record, "at": _day(2), "value": 0}]})
        assert client.get("/v1/customers/eli/outreach").json()["decision"] == "hold"
        client.post("/v1/outcomes", json={"outcomes": [{**record, "at": _day(1), "value": 1}]})
        assert client.get("/v1/customers/eli/outreach").json()["decision"] == "ok"  # resolved since
        client.post("/v1/outcomes", json={"outcomes": [{"customer_id": "eli", "kind": "complaint_escalated",
                                                        "at": _day(1)}]})
        held = client.get("/v1/customers/eli/outreach").json()
        assert held["decision"] == "hold" and held["reasons"][0].startswith("complaint escalated on")
