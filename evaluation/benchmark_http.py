"""HTTP load test against the real server on 127.0.0.1: concurrent clients posting single messages.

The load comes from ``wrk`` (Debian: ``apt-get install wrk``), a C load generator: a Python client
costs more CPU per request than the service itself and would share the same two cores with it.
Each of ``--clients`` connections posts one message at a time (closed loop), texts from GoEmotions dev.

The service runs twice in one benchmark run, with micro-batching (the default: concurrent requests share
model calls and store transactions) and with one model call and one transaction per request (batch size
1, no wait, write groups of 1); throughput, latency percentiles and errors are printed for each.
First, the model alone is timed the same two ways in this process (``--clients`` texts per call vs one
text per call, server settings): that ratio is the most micro-batching can gain over HTTP, where
every request also pays its own parsing, validation, storage and response work.

    python -m emotrace.evaluation.benchmark_http [--clients 16] [--seconds 20] [--endpoint messages|analyze]
        [--sentences 1]   # --sentences 6: e-mail-length messages (six dev texts joined)
        [--no-compare]    # micro-batching only: e.g. overload, --clients 1024 --no-compare
        [--postgres postgresql+psycopg://postgres@127.0.0.1:55432/postgres]   # store in PostgreSQL
        [--alternate 2]   # one server: 16 clients, then --clients, twice; the share of the 16-client rate

Shed requests (503 + Retry-After: no admission place came free in ``admission_wait_ms``) are counted apart from
other errors; wrk's latency percentiles cover every response, shed ones included (wrk cannot split them by status).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from emotrace.evaluation.common import fresh_postgres_database, goemotions_dev, print_figures
from emotrace.evaluation.live_server import running_server

BASELINE_CLIENTS = 16  # --alternate: the load each overload run is compared with
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
local bodies, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  i = math.random(#bodies)
  shed, failed = 0, 0
end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])
end
function response(status, headers, body)
  if status == 503 then shed = shed + 1 elseif status >= 400 then failed = failed + 1 end
end
function done(summary, latency, requests)
  local shed_total, failed_total = 0, 0
  for _, thread in ipairs(threads) do
    shed_total = shed_total + thread:get("shed")
    failed_total = failed_total + thread:get("failed")
  end
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "shed": %d, '
    .. '"failed": %d, "timeouts": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, shed_total, failed_total, summary.errors.timeout,
    summary.errors.connect + summary.errors.read + summary.errors.write))
end
"""


def message_texts(sentences: int, count: int = 4000) -> list[str]:
    """``count`` message texts, each ``sentences`` GoEmotions dev texts joined (a fixed random draw)."""
    texts = [t for t in goemotions_dev().texts if len(t) < 200]
    rng = random.Random(7)
    return [" ".join(rng.choice(texts) for _ in range(sentences)) for _ in range(count)]


def request_bodies(endpoint: str, texts: list[str], customers: int = 400) -> list[str]:
    """JSON bodies of single-message requests, one per text, customers in rotation."""
    bodies = []
    for i, text in enumerate(texts):
        message = {"customer_id": f"load-{i % customers}", "conversation_id": f"c{i % customers}", "text": text}
        bodies.append(json.dumps({"text": text} if endpoint == "analyze" else {"messages": [message]}))
    return bodies


def model_ceiling(texts: list[str], clients: int) -> dict[str, object]:
    """Texts/s of the model alone: calls of ``clients`` texts vs one text per call, and their ratio."""
    from emotrace.model.classifier import EmotionClassifier

    classifier = EmotionClassifier.from_pretrained(spin_wait=False)  # as the server loads it
    classifier.predict(texts[:64])  # warm-up
    rates = {}
    for size in (clients, 1):
        start = time.perf_counter()
        for i in range(0, len(texts), size):
            classifier.predict(texts[i : i + size])
        rates[size] = len(texts) / (time.perf_counter() - start)
    return {f"texts/s, {clients} per call": round(rates[clients], 1), "texts/s, 1 per call": round(rates[1], 1),
            "ceiling ratio": round(rates[clients] / rates[1], 2)}


def raise_open_files_limit(clients: int) -> None:
    """Let this process and the server and wrk it starts hold ``clients`` connections each (plus headroom)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(soft, min(hard, 4 * clients + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def run_wrk(url: str, bodies_file: Path, script: Path, clients: int, seconds: int) -> dict[str, float]:
    """One wrk run; its JSON summary."""
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url,
               "--", str(bodies_file)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def load_figures(raw: dict[str, float]) -> dict[str, float]:
    """What one wrk run measured: requests, accepted and shed rates, latency percentiles, errors."""
    accepted = raw["requests"] - raw["shed"] - raw["failed"]
    return {"requests": raw["requests"], "requests/s": round(raw["requests"] / raw["seconds"], 1),
            "accepted/s": round(accepted / raw["seconds"], 1),
            "shed (503) share": round(raw["shed"] / max(raw["requests"], 1), 3),
            "p50 ms": round(raw["p50_us"] / 1000, 1), "p90 ms": round(raw["p90_us"] / 1000, 1),
            "p99 ms": round(raw["p99_us"] / 1000, 1), "max ms": round(raw["max_us"] / 1000, 1),
            "other errors (4xx/5xx)": raw["failed"], "timeouts (>10 s)": raw["timeouts"],
            "socket errors": raw["socket_errors"]}


def model_counters(base: str) -> tuple[float, float]:
    """Texts and batches the server's model has read so far (its Prometheus metrics)."""
    values = {sample.name: sample.value for family in text_string_to_metric_families(
        httpx.get(f"{base}/metrics", timeout=10).text) for sample in family.samples}
    return values["emotrace_model_texts"], values["emotrace_model_batches"]


def alternate(url: str, bodies_file: Path, script: Path, clients: int, seconds: int, rounds: int) -> None:
    """On one server, 16 clients then ``clients``, ``rounds`` times: each overload run's accepted rate as a share
    of the 16-client run just before it (a machine whose speed drifts between runs cancels out), and how many texts
    each model batch held."""
    base = url.rsplit("/v1/", 1)[0]
    run_wrk(url, bodies_file, script, BASELINE_CLIENTS, 3)  # warm-up
    for round_number in range(1, rounds + 1):
        baseline = 0.0
        for count in (BASELINE_CLIENTS, clients):
            texts_before, batches_before = model_counters(base)
            figures = load_figures(run_wrk(url, bodies_file, script, count, seconds))
            texts_after, batches_after = model_counters(base)
            figures["texts per model batch"] = round((texts_after - texts_before) / max(batches_after - batches_before, 1), 1)
            if count == BASELINE_CLIENTS:
                baseline = figures["accepted/s"]
            else:
                figures[f"accepted share of {BASELINE_CLIENTS} clients"] = round(figures["accepted/s"] / baseline, 3)
            print_figures(f"HTTP load, round {round_number}: {count} clients, {seconds} s, one server", figures)


def main() -> None:
    """Print figures for micro-batching and for one-call-per-request, and the throughput ratio."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--endpoint", choices=["messages", "analyze"], default="messages")
    parser.add_argument("--sentences", type=int, default=1, help="dev texts joined into one message")
    parser.add_argument("--no-compare", dest="compare", action="store_false",
                        help="micro-batching only (e.g. an overload run: --clients 1024 --no-compare)")
    parser.add_argument("--alternate", type=int, default=0, metavar="ROUNDS",
                        help=f"on one server, {BASELINE_CLIENTS} clients then --clients, ROUNDS times, with the share")
    parser.add_argument("--postgres", metavar="ADMIN_URL",
                        help="store in a fresh database on this PostgreSQL server (dropped after), not a SQLite file")
    args = parser.parse_args()
    raise_open_files_limit(args.clients)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    texts = message_texts(args.sentences)
    print_figures(f"model alone, {args.sentences}-text messages", model_ceiling(texts[:1600], args.clients))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        script, bodies_file = Path(tmp) / "load.lua", Path(tmp) / "bodies.jsonl"
        script.write_text(WRK_SCRIPT)
        bodies_file.write_text("\n".join(request_bodies(args.endpoint, texts)) + "\n")
        for mode, env in (("micro-batching", {}),
                          ("one call per request", {"EMOTRACE_BATCH_MAX_SIZE": "1", "EMOTRACE_BATCH_MAX_WAIT_MS": "0",
                                                    "EMOTRACE_WRITE_GROUP_MAX": "1"})):
            with ExitStack() as stack:
                database = (stack.enter_context(fresh_postgres_database(args.postgres, "emotrace_bench")) if args.postgres
                            else f"sqlite:///{Path(tmp) / mode.replace(' ', '-')}.db")
                base = stack.enter_context(running_server(database, env=env))
                url = f"{base}/v1/{args.endpoint}"
                if args.alternate:
                    alternate(url, bodies_file, script, args.clients, args.seconds, args.alternate)
                    return
                run_wrk(url, bodies_file, script, args.clients, 3)  # warm-up
                raw = run_wrk(url, bodies_file, script, args.clients, args.seconds)
            results[mode] = load_figures(raw)
            print_figures(f"HTTP load, {mode}: {args.clients} clients, POST /v1/{args.endpoint}, "
                          f"{args.sentences}-text messages, {args.seconds} s", results[mode])
            if not args.compare:
                break
    if args.compare:
        ratio = float(results["micro-batching"]["accepted/s"]) / float(results["one call per request"]["accepted/s"])
        print_figures("HTTP load, micro-batching vs one call per request", {"throughput ratio": round(ratio, 2)})


if __name__ == "__main__":
    main()
