"""Batch throughput and peak memory: ``emotrace batch`` over N generated short messages, with the local
engine and with a 2-worker local Dask cluster, in one benchmark run.

    python -m emotrace.evaluation.benchmark_batch [--rows 1000000] [--engines local dask]

Peak memory is the largest total RSS of the batch process and all its children (Dask workers),
sampled every 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from emotrace.evaluation.common import print_figures

OPENINGS = ["hi", "hello", "hey team", "good morning", "", "", "ugh", "thanks", "so"]
BODIES = ["my order {n} still hasn't arrived", "thank you so much for the quick help", "the app keeps crashing",
          "I was charged twice for order {n}", "love the new update 😍", "where is my refund?",
          "can you change my delivery address", "this is the third time I'm asking 😠", "great service as always",
          "the item arrived broken :(", "how do I reset my password", "still waiting on a reply..."]
ENDINGS = ["", "", "!", "!!", "?", " please", " :)", " asap"]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` short customer messages as JSONL."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(rows):
            text = f"{rng.choice(OPENINGS)} {rng.choice(BODIES).format(n=rng.randint(1000, 99999))}{rng.choice(ENDINGS)}"
            handle.write(json.dumps({"id": i, "text": text.strip()}, ensure_ascii=False) + "\n")


def run_measured(args: list[str]) -> tuple[float, float]:
    """Run a command; return (seconds, peak MB of its whole process tree)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed with exit code {proc.returncode}")
    return time.perf_counter() - start, peak / 2**20


def main() -> None:
    """Print rows/s and peak memory per engine."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--engines", nargs="+", default=["local", "dask"], choices=["local", "dask"])
    parser.add_argument("--chunk-rows", type=int, default=4096)
    args = parser.parse_args()
    emotrace = shutil.which("emotrace") or str(Path(sys.executable).with_name("emotrace"))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "messages.jsonl"
        generate(source, args.rows)
        for engine in args.engines:
            output = Path(tmp) / f"out-{engine}.parquet"
            seconds, peak = run_measured([emotrace, "batch", str(source), "-o", str(output), "--engine", engine,
                                          "--chunk-rows", str(args.chunk_rows)])
            print_figures(f"batch, {engine} engine, {args.rows} short messages", {
                "seconds": round(seconds, 1), "rows/s": round(args.rows / seconds, 1),
                "peak RSS MB (process tree)": round(peak, 1)})


if __name__ == "__main__":
    main()
