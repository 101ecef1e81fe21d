"""Small requests while heavy ones run: the real server on 127.0.0.1 answering small analyze calls while one client
asks for maximum-size explanations back to back (64 words, ~1,470 characters: 65 readings of the whole text each).

Heavy requests (explanations, long texts, big batches) are read in the heavy lane, a model thread of their own, so
small calls should not wait behind them (issue 29: during one explanation, small calls took 23-31 s or got 503).

    python -m emotrace.evaluation.benchmark_lanes [--seconds 30] [--clients 4]

Prints the small calls' latency percentiles and failures, with and without the explanations running, and how long
each explanation took.
"""

from __future__ import annotations

import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import httpx
import numpy as np
import typer

from emotrace.evaluation.common import print_figures
from emotrace.evaluation.live_server import running_server

LARGEST_EXPLANATION = " ".join(f"furious-about-delay-{i:02d}" for i in range(64))
SMALL_TEXTS = ["thanks, that fixed it", "where is my refund??", "the app keeps crashing", "great service today",
               "still waiting for an answer", "why was I charged twice"]


def small_calls(base: str, seconds: float, clients: int) -> tuple[list[float], int]:
    """Latencies (ms) of small analyze calls from ``clients`` closed-loop clients for ``seconds``, and failures."""
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        nonlocal failures
        with httpx.Client(base_url=base, timeout=60) as http:
            i = index
            while time.monotonic() < deadline:
                started = time.perf_counter()
                response = http.post("/v1/analyze", json={"text": SMALL_TEXTS[i % len(SMALL_TEXTS)]})
                latencies.append((time.perf_counter() - started) * 1000)
                failures += response.status_code != 200
                i += 1
                time.sleep(0.05)  # a support tool annotating tickets, not a load generator

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return latencies, failures


def explanations(base: str, stop: threading.Event, took: list[float]) -> None:
    """Maximum-size explanations back to back until ``stop``."""
    with httpx.Client(base_url=base, timeout=120) as http:
        while not stop.is_set():
            started = time.perf_counter()
            response = http.post("/v1/analyze", json={"text": LARGEST_EXPLANATION, "explain": True})
            response.raise_for_status()
            took.append(time.perf_counter() - started)


def _figures(name: str, latencies: list[float], failures: int) -> dict[str, object]:
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
    return {f"{name}: small calls": len(latencies), f"{name}: p50 / p95 / p99 / max ms":
            f"{p50:.0f} / {p95:.0f} / {p99:.0f} / {max(latencies):.0f}", f"{name}: failed": failures}


def main(seconds: Annotated[float, typer.Option(help="Seconds per phase.")] = 30.0,
         clients: Annotated[int, typer.Option(help="Concurrent small-call clients.")] = 4) -> None:
    """Print small-call latency alone and beside back-to-back maximum-size explanations."""
    with tempfile.TemporaryDirectory() as folder, running_server(f"sqlite:///{Path(folder) / 'lanes.db'}") as base:
        small_calls(base, 3, clients)  # warm-up
        alone = small_calls(base, seconds, clients)
        stop, took = threading.Event(), list[float]()
        heavy = threading.Thread(target=explanations, args=(base, stop, took))
        heavy.start()
        time.sleep(1.0)
        beside = small_calls(base, seconds, clients)
        stop.set()
        heavy.join()
    figures = {**_figures("alone", *alone), **_figures("beside explanations", *beside),
               "explanations done": len(took), "explanation median s": f"{float(np.median(took)):.2f}"}
    print_figures("small calls beside maximum-size explanations", figures)


if __name__ == "__main__":
    typer.run(main)
