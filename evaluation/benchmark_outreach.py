"""Outreach guard throughput: a campaign audience checked by ``emotrace outreach`` on the embedded SQLite.

    python -m emotrace.evaluation.benchmark_outreach [--audience 1000000] [--customers 200000]

Stored customers get generated summaries (a fifth in held segments, a tenth with a recent alert, some with an
unresolved conversation); the audience mixes them with ids emotrace has never read. The figure is the wall time of
the real command, CSV in and CSV out, progress bar off.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from emotrace.evaluation.common import print_figures
from emotrace.store import Store
from emotrace.store.tables import Customer, Outcome

EMOTRACE = shutil.which("emotrace") or str(Path(sys.executable).with_name("emotrace"))
SEGMENTS = ("delighted", "satisfied", "neutral", "neutral", "frustrated", "at_risk")


def populate(url: str, customers: int, seed: int = 0) -> None:
    """``customers`` stored customers with generated summaries, alerts and unresolved conversations."""
    rng, now = random.Random(seed), datetime.now(UTC)
    store = Store(url)
    rows, outcomes = [], []
    for i in range(customers):
        alerts = [{"kind": rng.choice(["sharp_drop", "intensity_spike"]), "reason": "generated", "message_ids": [],
                   "at": (now - timedelta(days=rng.uniform(0, 40))).isoformat(), "severity": "warning"}
                  ] if rng.random() < 0.1 else []
        rows.append({"id": f"cust-{i}", "created_at": now, "updated_at": now, "score": 50.0,
                     "segment": rng.choice(SEGMENTS), "trend": "stable", "trend_delta": 0.0,
                     "open_alerts": len(alerts), "alerts": alerts})
        if rng.random() < 0.05:
            outcomes.append({"customer_id": f"cust-{i}", "kind": "resolved", "conversation_id": f"conv-{i}",
                             "value": 0.0, "occurred_at": now - timedelta(days=rng.uniform(0, 60)), "recorded_at": now})
    with store.db.session() as session:
        session.execute(insert(Customer), rows)
        if outcomes:
            session.execute(insert(Outcome), outcomes)


def main() -> None:
    """Generate the store and the audience, run the command, print the throughput."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audience", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'outreach.db'}"
        populate(url, args.customers)
        audience = Path(tmp) / "campaign.csv"
        rng = random.Random(1)
        with audience.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["customer_id", "email"])
            for i in range(args.audience):
                customer = f"cust-{rng.randrange(args.customers)}" if rng.random() < 0.5 else f"new-{i}"
                writer.writerow([customer, f"person{i}@example.com"])
        env = {**os.environ, "EMOTRACE_DATABASE_URL": url, "TQDM_DISABLE": "1"}
        started = time.perf_counter()
        result = subprocess.run([EMOTRACE, "outreach", str(audience), "-o", str(Path(tmp) / "checked.csv")],
                                capture_output=True, text=True, env=env)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(result.stderr)
        with (Path(tmp) / "checked.csv").open(encoding="utf-8") as handle:
            decisions = [row["decision"] for row in csv.DictReader(handle)]
    print_figures("outreach guard (emotrace outreach, embedded SQLite)", {
        "audience ids": args.audience, "stored customers": args.customers, "seconds": round(seconds, 1),
        "ids/s": round(args.audience / seconds), "held": decisions.count("hold"), "rows out": len(decisions),
        "command output": json.dumps(result.stdout.strip()),
    })


if __name__ == "__main__":
    main()
