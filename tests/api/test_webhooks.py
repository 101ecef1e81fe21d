"""Webhooks (issue 28): new and changed alerts reach a real receiver on 127.0.0.1 that fails, times out, hangs and
recovers; at least once, signed, with an event id to deduplicate on; a hanging receiver never holds up a write; the
delivery log names the last error; giving up after the last attempt."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from pydantic import HttpUrl
from sqlalchemy import update

from emotrace.errors import EmotraceError
from emotrace.services.summaries import record_messages
from emotrace.services.webhooks import WebhookSender, shown_url, signature, verify
from emotrace.settings import Settings, Webhook, check_serving
from emotrace.store import Store
from emotrace.store.messages import NewMessage
from emotrace.store.tables import OutboxEvent
from tests.api.conftest import app_for, local_client
from tests.api.test_alert_workflow import FURIOUS
from tests.api.test_customers import post

SECRET = "webhook-secret-0123456789"


@dataclass
class Receiver:
    """A helpdesk's endpoint: answers as ``mode`` says (ok, fail: 500, slow: past the sender's timeout, hang: until
    ``release`` is set, trickle: 200 at once, then the rest of its answer a byte every 0.1 s, each byte well within
    the sender's timeout) and keeps every call."""

    url: str = ""
    mode: str = "ok"
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def events(self) -> list[dict]:
        return [json.loads(body) for headers, body in self.calls]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state.mode == "slow":
                time.sleep(1.5)
            if state.mode == "hang":
                state.release.wait(30)
            if state.mode == "trickle":
                state.calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for byte in b"Content-Length: 20\r\n\r\n" + b"x" * 20:
                    if state.release.wait(0.1):
                        break
                    self.wfile.write(bytes([byte]))
                return
            state.calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
            state.paths.append(self.path)
            self.send_response(500 if state.mode == "fail" else 204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


def _client(database_url: str, receiver: Receiver, **overrides) -> TestClient:
    settings = Settings(**{"database_url": database_url, "webhooks": [{"url": receiver.url}],
                           "webhook_secret": SECRET, "webhook_timeout_s": 0.5, "webhook_first_retry_s": 0.2, **overrides})
    return local_client(app_for(settings))


def _wait(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_alerts_reach_a_receiver_that_fails_times_out_and_recovers(database_url, receiver) -> None:
    receiver.mode = "fail"
    with _client(database_url, receiver) as client:
        post(client, "angry", [("customer", FURIOUS)], 0.1, "b1")
        log = lambda: client.get("/v1/webhooks").json()[0]  # noqa: E731
        _wait(lambda: log()["last_error"] == "HTTP 500" and len(receiver.calls) >= 2)
        assert log()["pending"] >= 1 and log()["delivered"] == 0
        receiver.mode = "slow"
        _wait(lambda: "Timeout" in (log()["last_error"] or ""))
        receiver.mode = "ok"
        _wait(lambda: log()["pending"] == 0)
        assert all(log()[k].endswith("Z") for k in ("last_delivered_at", "last_attempt_at")), log()
        alert_id = client.get("/v1/alerts").json()[0]["id"]
        client.patch(f"/v1/alerts/{alert_id}", json={"status": "acknowledged", "assignee": "maria"})
        _wait(lambda: any(e["type"] == "alert.changed" for e in receiver.events()))
    events = receiver.events()
    new = [e for e in events if e["type"] == "alert.new"]
    assert {e["data"]["id"] for e in new} >= {alert_id} and all(e["data"]["customer_id"] == "angry" for e in new)
    assert all(e["created_at"].endswith("Z") for e in new), new  # found by a trial: no time zone
    changed = next(e for e in events if e["type"] == "alert.changed")
    assert changed["data"] == {**changed["data"], "id": alert_id, "status": "acknowledged", "assignee": "maria"}
    for headers, body in receiver.calls:  # every call signed and named; a retried event keeps its id
        assert verify(SECRET, headers["x-emotrace-timestamp"], body, headers["x-emotrace-signature"])
        assert headers["x-emotrace-event-id"] == json.loads(body)["id"]
    assert len({e["id"] for e in events}) < len(events)  # at least once: the failed attempts were sent again


def test_a_hanging_receiver_never_holds_up_a_write(database_url, receiver) -> None:
    receiver.mode = "hang"
    with _client(database_url, receiver, webhook_timeout_s=30) as client:
        post(client, "angry", [("customer", FURIOUS)], 0.2, "b1")
        _wait(lambda: client.get("/v1/webhooks").json()[0]["pending"] >= 1)
        time.sleep(0.3)  # the sender is inside the hanging call now
        written = post(client, "calm", [("customer", "Thanks, all sorted!")], 0.1, "c1")
        assert written.status_code == 201 and not receiver.release.is_set() and receiver.calls == []
        receiver.release.set()
        _wait(lambda: client.get("/v1/webhooks").json()[0]["delivered"] >= 1)


def test_a_delivery_is_given_up_after_the_last_attempt(database_url, receiver) -> None:
    receiver.mode = "fail"
    with _client(database_url, receiver, webhook_max_attempts=2) as client:
        post(client, "angry", [("customer", FURIOUS)], 0.1, "b1")
        _wait(lambda: client.get("/v1/webhooks").json()[0]["failed"] >= 1)
        log = client.get("/v1/webhooks").json()[0]
        assert log["pending"] == 0 and log["last_error"] == "HTTP 500" and log["endpoint"] == receiver.url


def test_deliveries_go_only_to_the_endpoints_configured_now(database_url, receiver) -> None:
    """Found by a review: deliveries pending for an endpoint removed from the settings (or for the old URL after its
    query-string token was changed) kept being sent until their last attempt, unseen in GET /v1/webhooks."""
    receiver.mode = "fail"
    with _client(database_url, receiver, webhooks=[{"url": f"{receiver.url}?token=old"}]) as client:
        post(client, "angry", [("customer", FURIOUS)], 0.1, "b1")
        _wait(lambda: len(receiver.calls) >= 1)
    receiver.mode = "ok"
    receiver.paths.clear()
    with _client(database_url, receiver, webhooks=[{"url": f"{receiver.url}?token=new"}]) as client:
        _wait(lambda: client.get("/v1/webhooks").json()[0]["delivered"] >= 1)
        time.sleep(1.0)  # the old URL's pending deliveries, retried every 0.2-0.4 s, would have been sent by now
    assert receiver.paths and all(path.endswith("token=new") for path in receiver.paths), receiver.paths


def test_a_delivery_claimed_before_its_customer_was_erased_is_not_sent(database_url, receiver, monkeypatch) -> None:
    """Found by a review: the sender claims up to 20 deliveries and sends them one by one (5 s timeout each); an
    erasure in between still had the erased customer's alert reasons and notes POSTed."""
    from emotrace.services.webhooks import WebhookSender

    with _client(database_url, receiver, webhooks=[{"url": receiver.url}]) as client:
        runtime = client.app.state.runtime
        runtime.webhooks.stop()  # this test sends by hand
        post(client, "angry", [("customer", FURIOUS)], 0.1, "b1")
        sender = WebhookSender(runtime.store, runtime.settings)
        claim = runtime.store.outbox.claim_due

        def claimed_then_erased(*args: object, **kwargs: object) -> list:
            due = claim(*args, **kwargs)
            assert due and client.delete("/v1/customers/angry").status_code == 204
            return due

        monkeypatch.setattr(runtime.store.outbox, "claim_due", claimed_then_erased)
        sender.deliver_due()
        sender.stop()
    assert receiver.calls == []


def _furious(customer: str, hours_ago: float) -> NewMessage:
    """A customer message that raises an alert (a stated churn threat in a burst of anger)."""
    return NewMessage(customer, "c1", "chat", "customer", datetime.now(UTC) - timedelta(hours=hours_ago), "text",
                      ["anger"], {"anger": 0.9, "joy": 0.0, "neutral": 0.05}, ["negative"], -0.9, 0.8, -0.9,
                      "dissatisfied", intent_labels=["churn_threat"], intent_probabilities={"churn_threat": 0.9})


def _rounds(store: Store, *urls: str, events: list[str] | None = None) -> None:
    """A service started with webhooks to ``urls`` (each for ``events``, by default every kind): its sender's first
    rounds, then a stop."""
    hooks = [{"url": url} | ({"events": events} if events else {}) for url in urls]
    sender = WebhookSender(store, Settings(database_url=store.db.url, webhooks=hooks, webhook_secret=SECRET,
                                           webhook_timeout_s=2))
    for _ in range(3):
        sender.deliver_due()
    sender.stop()


def test_events_written_while_no_sender_ran_reach_the_endpoints_configured_before(database_url, receiver) -> None:
    """Found by a review: after a restart only the last 24 h of events were fanned out, to every endpoint, so the
    alerts `emotrace batch --ingest` raised over a weekend (no sender running) never reached an endpoint configured
    all along. The 24 h backlog is an endpoint's configured anew only; each restart catches the others up."""
    store = Store(database_url)

    def backdate(customer: str, hours_ago: float) -> None:
        """Date ``customer``'s events ``hours_ago`` (the clock cannot be moved back)."""
        with store.db.writing() as session:
            session.execute(update(OutboxEvent).where(OutboxEvent.customer_id == customer)
                            .values(created_at=datetime.now(UTC) - timedelta(hours=hours_ago)))

    record_messages(store, [_furious("ann", 73)])
    _rounds(store, receiver.url)  # the service runs on Thursday: ann's alert goes out
    backdate("ann", 72)
    record_messages(store, [_furious("bob", 61)])  # the service is stopped: a batch raises bob's alert on Friday
    backdate("bob", 60)
    anew = f"{receiver.url}?configured=monday"
    record_messages(store, [_furious("cat", 1)])
    _rounds(store, receiver.url, anew)  # Monday's restart, with an endpoint configured anew
    _rounds(store, receiver.url, anew)  # and another (the new endpoint has deliveries now)
    sent: dict[str, list[str]] = {}
    for path, event in zip(receiver.paths, receiver.events(), strict=True):
        sent.setdefault(path, []).append(event["data"]["customer_id"])
    assert sorted(set(sent["/hook"])) == ["ann", "bob", "cat"], sent
    assert set(sent["/hook?configured=monday"]) == {"cat"}, sent  # ann's and bob's are older than its backlog


def test_an_event_kind_added_to_an_endpoint_gets_the_backlog_of_an_endpoint_configured_anew(database_url,
                                                                                           receiver) -> None:
    """Found by a review: a restart caught an endpoint up on every event after the first it was ever given, whatever
    its kind, so corrections added to an endpoint that had taken alerts for months were sent from months back. A kind
    is caught up from the first event of that kind the endpoint was given; a kind new to it gets the 24 h backlog."""
    from emotrace.store.corrections import NewCorrection

    store = Store(database_url)
    record_messages(store, [_furious("ann", 73)])
    _rounds(store, receiver.url, events=["alert.new"])  # Thursday: alerts only
    message = store.messages.of_customer("ann")[0].id
    store.corrections.add(message, NewCorrection("maria", "neutral"), datetime.now(UTC))
    with store.db.writing() as session:  # Friday's correction, before corrections were configured
        session.execute(update(OutboxEvent).where(OutboxEvent.kind == "correction")
                        .values(created_at=datetime.now(UTC) - timedelta(hours=60)))
    store.corrections.add(message, NewCorrection("lee", "dissatisfied"), datetime.now(UTC))  # Monday's
    _rounds(store, receiver.url, events=["alert.new", "correction"])  # Monday's restart: corrections added
    sent = [(event["type"], event["data"].get("corrected_by")) for event in receiver.events()]
    assert {kind for kind, _ in sent} == {"alert.new", "correction"}, sent
    assert [who for kind, who in sent if kind == "correction"] == ["lee"], sent  # maria's is older than the backlog


def test_an_endpoint_whose_fan_out_fails_does_not_stop_the_others(database_url, receiver, monkeypatch,
                                                                  caplog) -> None:
    """Found by a review: a fan-out refused for one endpoint (a URL longer than its column, on PostgreSQL) ended the
    round, so no endpoint after it was ever sent anything."""
    store = Store(database_url)
    record_messages(store, [_furious("ann", 1)])
    fan_out = store.outbox.fan_out
    broken = "http://127.0.0.1:9/broken?token=secret-token"

    def refused_for_one(endpoint: str, *args: object, **kwargs: object) -> int:
        if endpoint == broken:
            raise RuntimeError(f"value too long for {endpoint}")
        return fan_out(endpoint, *args, **kwargs)

    monkeypatch.setattr(store.outbox, "fan_out", refused_for_one)
    with caplog.at_level("ERROR"):
        _rounds(store, broken, receiver.url)
    assert {event["data"]["customer_id"] for event in receiver.events()} == {"ann"}
    assert shown_url(broken) in caplog.text and "secret-token" not in caplog.text, caplog.text


def test_receivers_refuse_forged_and_replayed_calls() -> None:
    body, now = b'{"id": "e1"}', time.time()
    good = signature(SECRET, str(int(now)), body)
    assert verify(SECRET, str(int(now)), body, good, now=now)
    assert not verify(SECRET, str(int(now)), body + b" ", good, now=now)  # the body was changed
    assert not verify("another-secret-0123456789", str(int(now)), body, good, now=now)
    assert not verify(SECRET, str(int(now)), body, good, now=now + 301)  # replayed later
    assert not verify(SECRET, "yesterday", body, good, now=now)


@pytest.mark.parametrize("header", [None, "", "sha256=é", "sha256=" + "é" * 64, "sha256=\udcff"])
def test_receivers_refuse_a_missing_or_garbled_signature(header: str | None) -> None:
    """Found by a review: a call without the signature header (None) or with a non-ASCII one raised a TypeError
    from compare_digest: a receiver using verify() answered 500 instead of refusing the call."""
    now, body = time.time(), b'{"id": "e1"}'
    assert verify(SECRET, str(int(now)), body, header, now=now) is False
    assert verify(SECRET, None, body, signature(SECRET, str(int(now)), body), now=now) is False


def test_an_attempt_ends_at_its_timeout_however_the_receiver_trickles(database_url, receiver) -> None:
    """Found by a review: the timeout was httpx's, per read, so a receiver answering a byte at a time (each within
    the timeout) held the one sender thread as long as it liked (12.8 s with a 0.5 s timeout), and the attempt was
    logged delivered."""
    receiver.mode = "trickle"
    with _client(database_url, receiver, webhook_max_attempts=1) as client:
        post(client, "angry", [("customer", FURIOUS)], 0.1, "b1")
        _wait(lambda: len(receiver.calls) >= 1)
        called = time.monotonic()
        log = lambda: client.get("/v1/webhooks").json()[0]  # noqa: E731
        _wait(lambda: log()["failed"] >= 1, seconds=4)
        took = time.monotonic() - called
        assert log()["delivered"] == 0 and log()["last_error"].startswith("Timeout"), log()
    assert took < 1.5, took  # the timeout (0.5 s) and a poll, not the 4.4 s the answer takes


def test_an_attempt_failing_outside_httpx_is_recorded_and_the_round_goes_on(database_url, receiver) -> None:
    """Found by a review: posting to a host name the resolver refuses (hooks..example.com: an empty label) raised
    UnicodeError, not an httpx error; it escaped the attempt and ended the round, so the delivery was never recorded
    and, claimed first every round, kept every other endpoint from being sent anything. The settings refuse such a
    host now (``tests/test_settings.py``); one built past them still fails alone, recorded and retried."""
    bad = Webhook.model_construct(url=HttpUrl("http://hooks..example.invalid/hook"), events=["alert.new"])
    with _client(database_url, receiver, webhooks=[bad, {"url": receiver.url}], webhook_max_attempts=2) as client:
        post(client, "angry", [("customer", FURIOUS)], 0.1, "b1")
        logs = lambda: {log["endpoint"]: log for log in client.get("/v1/webhooks").json()}  # noqa: E731
        _wait(lambda: logs()[str(bad.url)]["failed"] == 1 and logs()[receiver.url]["delivered"] >= 1, seconds=5)
        assert logs()[str(bad.url)]["last_error"], logs()


def test_webhooks_need_a_signing_secret(tmp_path) -> None:
    with pytest.raises(EmotraceError) as refused:
        check_serving(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", webhooks=[{"url": "http://127.0.0.1:9/h"}]))
    assert refused.value.code == "E022"


def test_an_endpoint_s_credentials_and_query_are_not_shown(database_url, receiver, caplog) -> None:
    """Found by a review: GET /v1/webhooks answered the configured URL whole, and every failed attempt logged it,
    user, password and ?token= included."""
    receiver.mode = "fail"
    secret_url = receiver.url.replace("http://", "http://hook-user:hook-pass@") + "?token=abc123"
    settings = Settings(database_url=database_url, webhooks=[{"url": secret_url}], webhook_secret=SECRET,
                        webhook_timeout_s=0.5, webhook_first_retry_s=0.2, webhook_max_attempts=1)
    with caplog.at_level("WARNING"), local_client(app_for(settings)) as client:
        post(client, "angry", [("customer", FURIOUS)], 0.1, "b1")
        _wait(lambda: client.get("/v1/webhooks").json()[0]["failed"] >= 1)
        shown = json.dumps(client.get("/v1/webhooks").json()) + caplog.text
    assert receiver.calls, "the endpoint was called with its credentials"
    assert "hook-pass" not in shown and "abc123" not in shown and "hook-user" not in shown, shown
    assert receiver.url.removeprefix("http://").split("/")[0] in shown  # the host still names the endpoint


@pytest.mark.parametrize(("url", "shown"), [
    ("https://hooks.slack.com/services/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",
     "https://hooks.slack.com/services/T024BE7LD/B08KXM7QF/…"),
    ("https://discord.com/api/webhooks/1182736455/Kx9_pL2mQ-rT7vWz3bYc8dE4fGh1iJ5kN6oP0qRs",
     "https://discord.com/api/webhooks/1182736455/…"),
    ("https://helpdesk.example.com/hooks/9f8e7d6c5b4a39281706f5e4d3c2b1a0/emotrace",
     "https://helpdesk.example.com/hooks/…/emotrace"),
    ("https://crm.example.com/inbound/customer-satisfaction-alerts", None),  # words, not a token: shown as is
    ("http://127.0.0.1:8080/v1/hooks/emotrace", None),
    # found by a review: a token inside a segment, after ';' or '=', and one in the fragment were shown whole
    ("https://example.com/hook;jsessionid=A1B2C3D4E5F6G7H8I9J0", "https://example.com/hook;jsessionid=…"),
    ("https://example.com/in/token=9f8e7d6c5b4a39281706f5e4/alerts", "https://example.com/in/token=…/alerts"),
    ("https://example.com/in/alerts#k=9f8e7d6c5b4a39281706f5e4", "https://example.com/in/alerts#…"),
])
def test_a_token_in_an_endpoint_s_path_is_not_shown(url: str, shown: str | None) -> None:
    """Found by a review: Slack, Discord and many helpdesks put the secret in the URL's path, not its query, and
    GET /v1/webhooks and the delivery log showed it whole."""
    assert shown_url(url) == (shown or url)
