"""Corrections from the floor (issue 27, item 2) through the real app: stored with the message and listed in the
customer's timeline, refused whole when the message is unknown or erased (404), the body malformed (422 naming the
field) or a name unknown to the served model (422 naming it); erased with the customer; sent to webhooks, to the live
feed and to every replica's feed. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import httpx
import pytest
from sqlalchemy import text

from emotrace.evaluation.live_server import running_server
from emotrace.settings import Settings
from tests.api.conftest import app_for, local_client
from tests.api.test_alert_workflow import FURIOUS
from tests.api.test_customers import post
from tests.api.test_live import _collect_events
from tests.api.test_webhooks import _client, _wait, receiver  # noqa: F401 (the receiver fixture)

RIGHT = {"satisfaction_class": "dissatisfied", "labels": ["annoyance", "disappointment"],
         "intents": ["refund_request"], "topics": ["billing_charges"], "corrected_by": "maria",
         "note": "Sarcasm: 'great, charged twice' is a complaint."}


@pytest.fixture
def stored(database_url):
    """A client whose store holds one customer's two messages; yields the client and the message ids."""
    with local_client(app_for(Settings(database_url=database_url))) as client:
        written = post(client, "ann", [("customer", "Great, you charged me twice. Wonderful service."),
                                       ("agent", "Sorry about that, refunding now.")], 1, "k1")
        assert written.status_code == 201, written.text
        yield client, [m["id"] for m in written.json()["messages"]]


def _corrections(client) -> dict[int, list[dict]]:
    messages = client.get("/v1/customers/ann/timeline").json()["messages"]
    return {m["id"]: m["corrections"] for m in messages}


def test_a_correction_is_stored_with_the_message_and_listed_in_the_timeline(stored) -> None:
    client, (first, second) = stored
    response = client.post(f"/v1/messages/{first}/corrections", json=RIGHT)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made == {**RIGHT, "id": made["id"], "message_id": first, "customer_id": "ann",
                    "created_at": made["created_at"]}
    only_class = client.post(f"/v1/messages/{first}/corrections",
                             json={"satisfaction_class": "neutral", "corrected_by": "lead-2"})
    assert only_class.status_code == 201 and only_class.json()["labels"] is None and only_class.json()["note"] is None
    listed = _corrections(client)
    assert [c["id"] for c in listed[first]] == [made["id"], only_class.json()["id"]] and listed[second] == []
    assert listed[first][0] == made


def test_a_correction_of_an_agents_turn_is_refused_writing_nothing(stored) -> None:
    """Found by a new-user trial: an agent's turn ("Sorry about that, refunding now.") could be corrected, and the
    export then taught adapt's customer satisfaction head the agent's words as "satisfied"."""
    client, (first, agent_turn) = stored
    refused = client.post(f"/v1/messages/{agent_turn}/corrections", json=RIGHT)
    assert refused.status_code == 422 and refused.json()["code"] == "E925", refused.text
    assert f"Message {agent_turn} is an agent's turn" in refused.json()["detail"]
    assert client.post(f"/v1/messages/{first}/corrections", json=RIGHT).status_code == 201
    listed = _corrections(client)
    assert len(listed[first]) == 1 and listed[agent_turn] == []


def test_a_correction_can_say_no_intent_or_no_topic_applies(stored) -> None:
    """Found by a new-user trial: `intents: []` was refused (422), so a churn threat read where there was none could
    not be corrected."""
    client, (first, _) = stored
    made = client.post(f"/v1/messages/{first}/corrections", json={"intents": [], "topics": [], "corrected_by": "maria"})
    assert made.status_code == 201, made.text
    assert (made.json()["intents"], made.json()["topics"], made.json()["labels"]) == ([], [], None)


def test_repeated_names_are_kept_once(stored) -> None:
    client, (first, _) = stored
    made = client.post(f"/v1/messages/{first}/corrections",
                       json={"labels": ["anger", "anger", "annoyance"], "corrected_by": "maria"}).json()
    assert made["labels"] == ["anger", "annoyance"]


@pytest.mark.parametrize(("body", "field"), [
    ({"corrected_by": "maria"}, "satisfaction_class"), ({"satisfaction_class": "angry", "corrected_by": "maria"},
                                                        "satisfaction_class"),
    ({"satisfaction_class": "neutral"}, "corrected_by"), ({**RIGHT, "corrected_by": ""}, "corrected_by"),
    ({**RIGHT, "corrected_by": "a\nb"}, "corrected_by"), ({**RIGHT, "note": "x" * 2_001}, "note"),
    ({**RIGHT, "note": ""}, "note"), ({**RIGHT, "labels": []}, "labels"), ({**RIGHT, "intents": "refund_request"},
                                                                            "intents"),
    ({**RIGHT, "topics": [""]}, "topics"), ({**RIGHT, "colour": "red"}, "colour"),
    ({**RIGHT, "note": "a\u0000b"}, "note"), ({**RIGHT, "corrected_by": "   "}, "corrected_by"),  # found by a hostile
    ({**RIGHT, "corrected_by": "\u200b"}, "corrected_by"),  # pass: stored (a NUL PostgreSQL refuses), blank names
])
def test_a_malformed_correction_is_refused_naming_the_field(stored, body, field) -> None:
    client, (first, _) = stored
    response = client.post(f"/v1/messages/{first}/corrections", json=body)
    assert response.status_code == 422 and response.json()["code"] == "E901", response.text
    assert field in response.json()["detail"]
    assert "\\x00" not in response.json()["detail"], response.text  # found by a trial: a blank name gave the regex
    assert _corrections(client)[first] == []  # nothing half-written


def test_names_the_served_model_does_not_have_are_refused_naming_them(stored) -> None:
    client, (first, _) = stored
    body = {**RIGHT, "labels": ["annoyance", "grumpy"], "intents": ["refund_request", "cancel"], "topics": ["weather"]}
    response = client.post(f"/v1/messages/{first}/corrections", json=body)
    assert response.status_code == 422 and response.json()["code"] == "E918", response.text
    assert response.json()["detail"] == ("Unknown names in the correction (labels: 'grumpy'; intents: 'cancel'; "
                                         "topics: 'weather').")
    assert _corrections(client)[first] == []
    assert client.app.state.runtime.store.outbox.log() == []  # no event either


def test_a_name_with_spaces_around_it_is_shown_with_them(stored) -> None:
    """Found by a review: " anger " was refused as "labels:  anger ", its spaces invisible in the message."""
    client, (first, _) = stored
    response = client.post(f"/v1/messages/{first}/corrections", json={**RIGHT, "labels": [" anger "]})
    assert response.status_code == 422 and "labels: ' anger '" in response.json()["detail"], response.text


def test_the_names_a_correction_may_use_are_the_ones_get_model_lists(stored) -> None:
    """A support tool builds its correction form from GET /v1/model; it listed the emotion labels only, and E918
    sent users to the docs for the intents and topics (a model of one's own may have others)."""
    client, (first, _) = stored
    model = client.get("/v1/model").json()
    schema = client.app.state.runtime.classifier.schema
    assert model["intents"] == list(schema.intents) and "churn_threat" in model["intents"]
    assert model["topics"] == list(schema.topics) and "billing_charges" in model["topics"]
    assert model["satisfaction_classes"] == ["dissatisfied", "neutral", "satisfied"]
    every_name = {"satisfaction_class": model["satisfaction_classes"][0], "labels": model["labels"],
                  "intents": model["intents"], "topics": model["topics"], "corrected_by": "maria"}
    assert client.post(f"/v1/messages/{first}/corrections", json=every_name).status_code == 201
    refused = client.post(f"/v1/messages/{first}/corrections", json={**RIGHT, "topics": ["weather"]}).json()
    assert "GET /v1/model" in refused["fix"] and "docs/" not in refused["fix"]


@pytest.mark.parametrize(("path", "expected"), [("/v1/messages/999999/corrections", 404),
                                               ("/v1/messages/0/corrections", 422),
                                               ("/v1/messages/abc/corrections", 422),
                                               ("/v1/messages/99999999999/corrections", 422)])
def test_an_unknown_message_is_404_and_a_bad_id_422(stored, path, expected) -> None:
    client, _ = stored
    response = client.post(path, json=RIGHT)
    assert response.status_code == expected, response.text
    if expected == 404:
        assert response.json() == {**response.json(), "code": "E905", "detail": "Message 999999 not found."}


@pytest.mark.parametrize("given", ["1_0", "+1", "1.0", "%201"])
def test_a_message_id_is_plain_digits(stored, given) -> None:
    """Found by a review: the path's id was read leniently (``1_0`` was message 10, ``+1`` message 1)."""
    client, (first, _) = stored
    assert first == 1
    for response in (client.post(f"/v1/messages/{given}/corrections", json=RIGHT),
                     client.get(f"/v1/customers/ann/messages/{given}/explanation")):
        assert response.status_code == 422 and response.json()["code"] == "E901", (given, response.text)


def test_erasing_the_customer_erases_their_corrections(stored) -> None:
    client, (first, _) = stored
    assert client.post(f"/v1/messages/{first}/corrections", json=RIGHT).status_code == 201
    assert client.delete("/v1/customers/ann").status_code == 204
    store = client.app.state.runtime.store
    assert store.corrections.with_messages() == [] and store.corrections.of_customer("ann") == {}
    again = client.post(f"/v1/messages/{first}/corrections", json=RIGHT)  # the message was erased with them
    assert again.status_code == 404 and again.json()["code"] == "E905"



KEY = {"Idempotency-Key": "fix-4411-retry"}


def _published(client, monkeypatch) -> list[dict]:
    """The live feed's events from now on, as the app publishes them."""
    bus, found = client.app.state.runtime.bus, []
    publish = bus.publish
    monkeypatch.setattr(bus, "publish", lambda event: (found.append(event), publish(event))[-1])
    return found


def _correction_events(client) -> int:
    with client.app.state.runtime.store.db.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM outbox_events WHERE kind = 'correction'")).scalar()


def test_a_retry_under_the_same_idempotency_key_is_stored_and_published_once(stored, monkeypatch) -> None:
    """A client that retried a correction (a timeout, a network blip) stored it twice: twice in the timeline, two
    feed events, two webhook events."""
    client, (first, _) = stored
    published = _published(client, monkeypatch)
    made = client.post(f"/v1/messages/{first}/corrections", json=RIGHT, headers=KEY)
    assert made.status_code == 201 and "idempotent-replayed" not in made.headers, made.text
    again = client.post(f"/v1/messages/{first}/corrections", json=RIGHT, headers=KEY)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true", again.text
    assert again.json() == made.json()
    assert [c["id"] for c in _corrections(client)[first]] == [made.json()["id"]]
    assert [e["type"] for e in published] == ["correction"] and _correction_events(client) == 1
    unkeyed = client.post(f"/v1/messages/{first}/corrections", json=RIGHT)  # no key: a new correction, as before
    assert unkeyed.status_code == 201 and "idempotent-replayed" not in unkeyed.headers
    assert len(_corrections(client)[first]) == 2 and _correction_events(client) == 2


@pytest.mark.parametrize("other", ["body", "message"])
def test_an_idempotency_key_reused_for_another_correction_is_refused(stored, other) -> None:
    client, (first, second) = stored
    assert client.post(f"/v1/messages/{first}/corrections", json=RIGHT, headers=KEY).status_code == 201
    message, body = (first, {**RIGHT, "note": "another note"}) if other == "body" else (second, RIGHT)
    response = client.post(f"/v1/messages/{message}/corrections", json=body, headers=KEY)
    assert response.status_code == 422 and response.json()["code"] == "E908", response.text
    assert response.json()["detail"] == "This Idempotency-Key was used for a different request."
    assert len(_corrections(client)[first]) == 1 and _corrections(client)[second] == []
    assert _correction_events(client) == 1


@pytest.mark.parametrize("headers", [{"Idempotency-Key": "short"}, {"Idempotency-Key": "has space inside"},
                                     {"Idempotency-Key": "x" * 201},
                                     [("Idempotency-Key", "retry-key-0001"), ("Idempotency-Key", "retry-key-0002")]])
def test_a_malformed_or_repeated_idempotency_key_is_refused(stored, headers) -> None:
    client, (first, _) = stored
    response = client.post(f"/v1/messages/{first}/corrections", json=RIGHT, headers=headers)
    assert response.status_code == 422 and response.json()["code"] == "E908", response.text
    if isinstance(headers, list):
        assert "given 2 times" in response.json()["detail"] and "one Idempotency-Key" in response.json()["fix"]
    assert _corrections(client)[first] == [] and _correction_events(client) == 0


def test_a_retry_after_the_customer_s_erasure_finds_the_message_gone(stored) -> None:
    """The correction and its key are erased with the customer: a late retry stores nothing (404, as without a key)."""
    client, (first, _) = stored
    assert client.post(f"/v1/messages/{first}/corrections", json=RIGHT, headers=KEY).status_code == 201
    assert client.delete("/v1/customers/ann").status_code == 204
    again = client.post(f"/v1/messages/{first}/corrections", json=RIGHT, headers=KEY)
    assert again.status_code == 404 and again.json()["code"] == "E905", again.text
    store = client.app.state.runtime.store
    assert store.corrections.with_messages() == [] and _correction_events(client) == 0
    with store.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM corrections")).scalar() == 0

def test_a_correction_reaches_the_webhooks(database_url, receiver) -> None:  # noqa: F811
    with _client(database_url, receiver) as client:
        message_id = post(client, "ann", [("customer", FURIOUS)], 0.1, "k1").json()["messages"][0]["id"]
        made = client.post(f"/v1/messages/{message_id}/corrections", json=RIGHT).json()
        _wait(lambda: any(e["type"] == "correction" for e in receiver.events()))
    (event,) = [e for e in receiver.events() if e["type"] == "correction"]
    assert event["data"] == {**event["data"], **{k: v for k, v in made.items() if k != "created_at"}}
    assert event["data"]["reading"]["satisfaction_class"] == "dissatisfied"  # the reading it corrects


def test_a_correction_arrives_on_the_live_feed(tmp_path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'live.db'}") as base:
        _feed_sees_a_correction(base, base, "live-1")


def test_a_correction_through_one_replica_reaches_the_feed_of_the_other(postgres_url) -> None:
    with running_server(postgres_url) as first, running_server(postgres_url) as second:
        _feed_sees_a_correction(first, second, "far-1")


def _feed_sees_a_correction(writer: str, reader: str, customer: str) -> None:
    written = httpx.post(f"{writer}/v1/messages", json={"messages": [
        {"customer_id": customer, "conversation_id": "k", "text": "Great, charged twice."}]}, timeout=30)
    message_id = written.json()["messages"][0]["id"]
    found: list[dict] = []
    ready, done = threading.Event(), threading.Event()
    listener = threading.Thread(target=_collect_events, args=(reader, customer, found, ready, done, ("correction",)),
                                daemon=True)
    listener.start()
    assert ready.wait(20)
    made = httpx.post(f"{writer}/v1/messages/{message_id}/corrections", json=RIGHT, timeout=30)
    assert made.status_code == 201, made.text
    assert done.wait(20), found
    assert found == [{"event": "correction", **made.json()}]
