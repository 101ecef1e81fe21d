"""GET /v1/drivers and what a customer is upset about, on the real app (messages stored with their readings'
topics as the API stores them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emotrace.services.summaries import record_messages
from emotrace.store.messages import NewMessage
from tests.api.conftest import make_client

NOW = datetime.now(UTC)


def topical(customer: str, days_ago: float, aspects: dict[str, float], satisfaction: float,
            text: str | None = "text") -> NewMessage:
    def cls(s: float) -> str:
        return "dissatisfied" if s < -0.2 else "satisfied" if s > 0.2 else "neutral"

    return NewMessage(customer, f"{customer}-{days_ago}", "chat", "customer", NOW - timedelta(days=days_ago), text,
                      [], {"anger": 0.1, "joy": 0.5, "neutral": 0.4}, [], satisfaction, 0.3, satisfaction,
                      cls(satisfaction), topic_labels=list(aspects),
                      aspects=[{"topic": t, "satisfaction": s, "satisfaction_class": cls(s)} for t, s in aspects.items()])


def seed(client, messages: list[NewMessage]) -> None:
    runtime = client.app.state.runtime
    record_messages(runtime.store, messages, runtime.settings.scoring)


def test_drivers_rank_topics_against_the_week_before(client) -> None:
    seed(client, [topical("ann", 1, {"billing_charges": -0.9, "delivery": 0.8}, 0.1,
                          text="Great delivery but you charged me twice, call +44 7700 900123"),
                  topical("bob", 2, {"billing_charges": -0.5}, -0.5), topical("bob", 3, {"delivery": -0.2}, -0.2),
                  topical("cat", 9, {"delivery": -0.8}, -0.8)])
    answer = client.get("/v1/drivers")
    assert answer.status_code == 200
    body = answer.json()
    assert [(d["topic"], d["messages"], d["carried"]) for d in body["drivers"]] == [("billing_charges", 2, 1.4),
                                                                                   ("delivery", 2, 0.2)]
    billing, delivery = body["drivers"]
    assert billing["new"] and billing["name"] == "billing and charges"
    assert billing["examples"][0] == "Great delivery but you charged me twice, call [PHONE]"
    assert [c["customer_id"] for c in billing["customers"]] == ["ann", "bob"]
    assert (delivery["previous_messages"], delivery["messages_change"], delivery["carried_change"]) == (1, 1, -0.6)
    assert body["reason"] is None and body["messages"] == 3 and body["previous_messages"] == 1
    assert [d["topic"] for d in client.get("/v1/drivers", params={"limit": 1}).json()["drivers"]] == ["billing_charges"]


def test_an_empty_period_answers_why_and_bad_input_is_a_coded_422(client) -> None:
    empty = client.get("/v1/drivers", params={"since": "2020-01-01T00:00:00Z", "until": "2020-01-08T00:00:00Z"})
    assert empty.status_code == 200
    assert empty.json()["drivers"] == [] and empty.json()["reason"] == (
        "no customer messages with topics between 2020-01-01T00:00:00Z and 2020-01-08T00:00:00Z")
    for params, code in [({"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "E916"),
                         ({"segment": "vip"}, "E917"), ({"channel": "fax"}, "E901"), ({"limit": 0}, "E901")]:
        answer = client.get("/v1/drivers", params=params)
        assert answer.status_code == 422 and answer.json()["code"] == code, params
    assert client.get("/v1/drivers", params={"segment": "at_risk", "channel": "email"}).status_code == 200


def test_no_text_stored_means_no_examples(tmp_path) -> None:
    with make_client(tmp_path, store_text="none") as client:
        seed(client, [topical("ann", 1, {"price": -0.7}, -0.7, text=None)])
        assert client.get("/v1/drivers").json()["drivers"][0]["examples"] == []


def test_drivers_are_in_the_openapi_document(client) -> None:
    document = client.get("/openapi.json").json()
    assert "get" in document["paths"]["/v1/drivers"]
    assert "carried" in document["components"]["schemas"]["TopicDriverOut"]["properties"]


def test_a_customer_upset_about_charges_routes_with_it_and_gets_a_review(client) -> None:
    seed(client, [topical("dan", 3, {"product_quality": 0.9}, 0.9),
                  topical("dan", 2, {"billing_charges": -0.7, "delivery": 0.9}, 0.4),
                  topical("dan", 1, {"billing_charges": -0.6, "product_quality": 0.8}, 0.3)])
    detail = client.get("/v1/customers/dan").json()
    assert detail["upset_about"] == [{"topic": "billing_charges", "name": "billing and charges",
                                      "messages": 2, "carried": 1.3}]
    assert detail["next_step"]["action"] == "review_charges"
    routing = client.get("/v1/customers/dan/routing").json()
    assert routing["reason"].endswith("; upset about: billing and charges (2 messages).")
    assert routing["upset_about"] == detail["upset_about"] and detail["routing"]["reason"] == routing["reason"]
    seed(client, [topical("eve", 1, {"delivery": 0.9}, 0.9)])
    assert client.get("/v1/customers/eve").json()["upset_about"] == []
