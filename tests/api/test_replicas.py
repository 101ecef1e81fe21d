"""Several `emotrace serve` replicas on one PostgreSQL: every live feed sees every write, concurrent writes to
one customer lose nothing, and the stored summary is what a fresh re-score gives."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import httpx
import pytest

from emotrace.evaluation.live_server import running_server
from emotrace.scoring.rules import ScoringRules
from emotrace.scoring.timeline import segment
from emotrace.services.summaries import customer_timeline
from emotrace.store import Store
from tests.api.test_live import _collect_events


@pytest.fixture
def replicas(postgres_url):
    with ExitStack() as stack:
        yield [stack.enter_context(running_server(postgres_url)) for _ in range(2)], postgres_url


def _listening(base: str, customer: str, kinds: tuple[str, ...] | None = None) -> tuple[list[dict], threading.Event]:
    """The events of ``customer`` (of ``kinds``) on ``base``'s live feed, collected from when it is listening; and
    the event set when they are all in."""
    found: list[dict] = []
    ready, done = threading.Event(), threading.Event()
    args = (base, customer, found, ready, done) + ((kinds,) if kinds else ())
    threading.Thread(target=_collect_events, args=args, daemon=True).start()
    assert ready.wait(20)
    return found, done


def test_a_write_through_one_replica_reaches_the_feed_of_the_other(replicas) -> None:
    (first, second), _ = replicas
    found, done = _listening(second, "far-1")
    response = httpx.post(f"{first}/v1/messages", json={"messages": [
        {"customer_id": "far-1", "conversation_id": "k", "text": "Where is my refund? This is the third time!"}]},
        timeout=30)
    assert response.status_code == 201
    assert done.wait(20), found
    assert [e["event"] for e in found] == ["reading", "customer"]
    assert found[0]["id"] == response.json()["messages"][0]["id"]
    assert found[1]["score"] == response.json()["customers"][0]["score"]


def test_an_alert_worked_through_one_replica_reaches_the_feed_of_the_other(replicas) -> None:
    (first, second), _ = replicas
    stored = httpx.post(f"{first}/v1/messages", json={"messages": [{"customer_id": "far-2", "conversation_id": "k",
        "text": "This is disgusting. I am absolutely furious, you stole my money!!! 😡😡"}]}, timeout=30)
    assert stored.status_code == 201, stored.text
    alert_id = httpx.get(f"{first}/v1/alerts", timeout=30).json()[0]["id"]
    found, done = _listening(second, "far-2", ("alert",))
    changed = httpx.patch(f"{first}/v1/alerts/{alert_id}", json={"status": "acknowledged", "assignee": "maria"},
                          timeout=30)
    assert changed.status_code == 200, changed.text
    assert done.wait(20), found
    assert found[0]["id"] == alert_id and found[0]["status"] == "acknowledged" and found[0]["assignee"] == "maria"


def test_concurrent_writes_to_one_customer_through_two_replicas_lose_nothing(replicas) -> None:
    (first, second), url = replicas
    texts = ["The app keeps crashing.", "Thanks, that fixed it!", "Still waiting for my refund.",
             "Why was I charged twice?", "Great service today.", "This is unacceptable."]

    def post(i: int) -> int:  # as a well-behaved client: on 503, wait Retry-After and retry under the same key
        base = first if i % 2 else second
        body = {"messages": [{"customer_id": "shared", "conversation_id": f"c{i}", "text": texts[i % len(texts)]}]}
        for _ in range(20):
            response = httpx.post(f"{base}/v1/messages", json=body, headers={"Idempotency-Key": f"shared-{i:04d}"},
                                  timeout=60)
            if response.status_code != 503:
                break
            time.sleep(float(response.headers["retry-after"]))
        return response.status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(post, range(48)))
    assert codes == [201] * 48
    stored = httpx.get(f"{first}/v1/customers/shared/timeline", timeout=30).json()["messages"]
    assert len(stored) == 48
    summary = httpx.get(f"{second}/v1/customers/shared", timeout=30).json()
    store = Store(url)
    fresh = customer_timeline(store, "shared", ScoringRules()).current
    store.db.engine.dispose()
    assert fresh is not None
    assert summary["score"] == pytest.approx(fresh.score, abs=0.05)
    assert summary["segment"] == segment(fresh.score, ScoringRules())


def test_an_erasure_through_one_replica_reaches_the_feed_of_the_other_with_the_customer(replicas) -> None:
    (first, second), _ = replicas
    body = {"messages": [{"customer_id": "gone-1", "conversation_id": "k", "text": "Please delete my data."}]}
    assert httpx.post(f"{first}/v1/messages", json=body, timeout=30).status_code == 201
    events: list[tuple[str, dict]] = []
    ready = threading.Event()

    def listen() -> None:
        with httpx.stream("GET", f"{second}/v1/stream", params={"customer_id": "gone-1"}, timeout=30) as response:
            name = ""
            for line in response.iter_lines():
                if line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                    ready.set()
                elif line.startswith("data:") and name == "deleted":
                    events.append((name, json.loads(line.split(":", 1)[1])))
                    return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert ready.wait(20)
    assert httpx.delete(f"{first}/v1/customers/gone-1", timeout=30).status_code == 204
    listener.join(20)
    assert events == [("deleted", {"customer_id": "gone-1"})]


def test_ready_says_503_when_the_database_goes_away(postgres_url) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from emotrace.settings import Settings
    from tests.api.conftest import app_for, local_client

    with local_client(app_for(Settings(database_url=postgres_url))) as client:
        assert client.get("/ready").status_code == 200
        admin = create_engine(make_url(postgres_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{make_url(postgres_url).database}" WITH (FORCE)'))
        admin.dispose()
        response = client.get("/ready")
        assert response.status_code == 503
        assert "database unavailable" in response.json()["detail"]
