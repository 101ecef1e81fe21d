"""How long `emotrace serve --demo` takes to be ready on an empty database, and what the floor holds.

    python -m emotrace.evaluation.benchmark_demo [--runs 3]

Each run starts a real server process on 127.0.0.1 (a fresh SQLite file) and waits for ``/ready``: model load,
migrations, reading and storing the demo's messages and outcomes.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

from emotrace.evaluation.common import print_figures
from emotrace.evaluation.live_server import running_server


def main(runs: Annotated[int, typer.Option(help="Server starts to time.")] = 3) -> None:
    """Print the demo's start time (median and each run) and its customers, messages, agents and open alerts."""
    times, counts = [], {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            with running_server(f"sqlite:///{Path(folder) / 'demo.db'}", "--demo") as base:
                times.append(time.perf_counter() - started)
                with sqlite3.connect(Path(folder) / "demo.db") as database:  # what README quotes
                    stored = database.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
                counts = {"customers": len(httpx.get(f"{base}/v1/customers", params={"limit": 1000}).json()),
                          "messages": stored,
                          "agents ranked": sum(a["enough_data"] for a in httpx.get(f"{base}/v1/agents").json()),
                          "open alerts": len(httpx.get(f"{base}/v1/alerts", params={"limit": 5000}).json()),
                          "segments": len(httpx.get(f"{base}/v1/segments", timeout=60).json()["segments"])}
    print_figures("serve --demo", {"ready, median s": round(statistics.median(times), 2),
                                   "each run s": ", ".join(f"{t:.1f}" for t in times), **counts})


if __name__ == "__main__":
    typer.run(main)
