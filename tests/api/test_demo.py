"""The demo floor (issue 28): `serve --demo` shows the whole product on first open -- 200 customers over 90 days on
every channel, twelve ranked agents, emotional segments, open alerts, outreach holds, recorded outcomes -- and the
same floor on every run."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from emotrace.demo import AGENTS, generated_floor
from emotrace.settings import Settings
from tests.api.conftest import app_for, copy_of, local_client


def test_the_demo_shows_every_part_of_the_product(tmp_path, demo_database) -> None:
    """What ``serve --demo`` stored (:func:`demo_database`), as the API serves it."""
    settings = Settings(database_url=f"sqlite:///{copy_of(demo_database, tmp_path / 'demo.db')}")
    with local_client(app_for(settings)) as client:
        customers = client.get("/v1/customers", params={"limit": 1000}).json()
        assert len(customers) == 200
        assert {"at_risk", "frustrated", "neutral", "satisfied"} <= {c["segment"] for c in customers}
        agents = client.get("/v1/agents").json()
        assert len(agents) == len(AGENTS) == 12 and all(a["enough_data"] for a in agents)
        assert len(client.get("/v1/segments").json()["segments"]) >= 2
        alerts = client.get("/v1/alerts", params={"limit": 5000}).json()
        assert len({a["customer_id"] for a in alerts}) >= 20 and {"churn_threat"} <= {a["kind"] for a in alerts}
        holds = [client.get(f"/v1/customers/{c['id']}/outreach").json()["decision"] for c in customers[:20]]
        assert "hold" in holds
        outcomes = Counter(o.kind for o in client.app.state.runtime.store.outcomes.all())
        assert {"churned", "renewed", "csat", "resolved", "complaint_escalated"} <= set(outcomes)
        channels = {m["channel"] for c in customers[:60]
                    for m in client.get(f"/v1/customers/{c['id']}/timeline").json()["messages"]}
        assert channels == {"chat", "email", "call", "review"}


def test_the_same_seed_gives_the_same_floor() -> None:
    now = datetime.now(UTC)
    assert generated_floor(now) == generated_floor(now)
    first, _ = generated_floor(now)
    assert max(c.days_ago for c in first) <= 90 and len({c.customer for c in first}) == 195


def test_the_demo_under_a_model_of_ones_own_labels_serves_every_page(tmp_path, own_labels_model) -> None:
    """``serve --demo --model`` a model of one's own labels (no Ekman, sentiment or intent view): the floor loads and
    every customer's pages, the agents, segments, alerts and drivers answer (coverage the own-labels dashboard test
    gave before it read three posted messages instead of the demo)."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'own.db'}", demo=True, model_dir=own_labels_model)
    with local_client(app_for(settings), raise_server_exceptions=False) as client:
        customers = client.get("/v1/customers", params={"limit": 1000}).json()
        assert len(customers) == 200
        for path in ("/v1/agents", "/v1/segments", "/v1/alerts", "/v1/drivers"):
            assert client.get(path).status_code == 200, path
        assert len({c["segment"] for c in customers}) >= 2
        pages = [f"/v1/customers/{c['id']}{part}" for c in customers for part in ("", "/timeline", "/routing")]
        failed = [(page, answer.status_code) for page in pages if (answer := client.get(page)).status_code != 200]
        assert failed == []
