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
