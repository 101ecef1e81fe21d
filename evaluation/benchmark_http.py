"""HTTP load test against the real server on 127.0.0.1: concurrent clients posting single messages.

Runs the service twice in one benchmark run, with micro-batching (the default) and with one model call
per request (batch size 1, no wait), and prints throughput, latency percentiles and errors for each.

    python -m evaluation.benchmark_http [--clients 16] [--seconds 20] [--endpoint messages|analyze]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from evaluation.common import goemotions_dev, print_figures
from evaluation.live_server import running_server


async def _client(base: str, worker: int, texts: list[str], endpoint: str, stop_at: float,
                  latencies: list[float], errors: list[int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        i = 0
        while time.perf_counter() < stop_at:
            text = texts[(worker * 7919 + i) % len(texts)]
            body = ({"text": text} if endpoint == "analyze" else
                    {"messages": [{"customer_id": f"load-{worker}-{i % 25}", "conversation_id": f"w{worker}",
                                   "text": text}]})
            start = time.perf_counter()
            response = await client.post(f"/v1/{endpoint}", json=body)
            latencies.append((time.perf_counter() - start) * 1000)
            if response.status_code >= 400:
                errors.append(response.status_code)
            i += 1


async def _load(base: str, clients: int, seconds: float, texts: list[str], endpoint: str) -> dict[str, object]:
    latencies: list[float] = []
    errors: list[int] = []
    # warm-up
    await asyncio.gather(*(_client(base, w, texts, endpoint, time.perf_counter() + 2, [], []) for w in range(clients)))
    start = time.perf_counter()
    await asyncio.gather(*(_client(base, w, texts, endpoint, start + seconds, latencies, errors)
                           for w in range(clients)))
    elapsed = time.perf_counter() - start
    return {"requests": len(latencies), "requests/s": round(len(latencies) / elapsed, 1),
            "p50 ms": round(float(np.percentile(latencies, 50)), 1),
            "p99 ms": round(float(np.percentile(latencies, 99)), 1), "errors": len(errors)}


def main() -> None:
    """Print figures for micro-batching and for one-call-per-request, and the throughput ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--endpoint", choices=["messages", "analyze"], default="messages")
    args = parser.parse_args()
    texts = [t for t in goemotions_dev().texts if len(t) < 200]
    results = {}
    for mode, env in (("micro-batching", {}),
                      ("one call per request", {"EMOTRACE_BATCH_MAX_SIZE": "1", "EMOTRACE_BATCH_MAX_WAIT_MS": "0"})):
        with tempfile.TemporaryDirectory() as tmp, \
                running_server(f"sqlite:///{Path(tmp) / 'load.db'}", env=env) as base:
            results[mode] = asyncio.run(_load(base, args.clients, args.seconds, texts, args.endpoint))
        print_figures(f"HTTP load, {mode}: {args.clients} clients, POST /v1/{args.endpoint}, {args.seconds:.0f} s",
                      results[mode])
    ratio = float(results["micro-batching"]["requests/s"]) / float(results["one call per request"]["requests/s"])
    print_figures("HTTP load, micro-batching vs one call per request", {"throughput ratio": round(ratio, 2)})


if __name__ == "__main__":
    main()
