"""Scoring cost per customer refresh: building one customer's timeline from n stored messages.

Every write re-scores the customer it touches, so this is the per-write cost for a customer with that
much history (pure scoring; the store's read of the rows comes on top).

    python -m emotrace.evaluation.benchmark_scoring [--messages 100 1000 10000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from emotrace.evaluation.common import print_figures
from emotrace.scoring.rules import ScoringRules
from emotrace.scoring.timeline import Signal, build_timeline


def history(n: int, seed: int = 7) -> list[Signal]:
    """``n`` messages over ~n hours: customer and agent turns, five turns per conversation."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [Signal(i, f"c{i // 5}", start + timedelta(hours=i + rng.random()), rng.choice(["customer", "agent"]),
                   rng.uniform(-1, 1), rng.random(), rng.uniform(-1, 1), {"anger": rng.random(), "joy": rng.random()})
            for i in range(n)]


def main() -> None:
    """Print milliseconds per timeline build for each history length."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, nargs="+", default=[100, 1000, 10000])
    args = parser.parse_args()
    rules, figures = ScoringRules(), {}
    for n in args.messages:
        signals = history(n)
        repeats = max(1, 2000 // n)
        start = time.perf_counter()
        for _ in range(repeats):
            build_timeline(signals, rules)
        figures[f"ms per refresh, {n:,} messages"] = round((time.perf_counter() - start) / repeats * 1000, 2)
    print_figures("scoring: one customer's timeline", figures)


if __name__ == "__main__":
    main()
