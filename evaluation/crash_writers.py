"""Durability under ``kill -9``: concurrent writers retry through server crashes under Idempotency-Key; then every
acknowledged message must be stored exactly once.

Each writer posts one message at a time, each under its own key, and retries the same request (same key) on a
connection error or a 503 until it is acknowledged, as a client following the API's advice does. Meanwhile the
server is killed with SIGKILL at random moments and restarted on the same database. At the end the database is
read directly: acknowledged messages missing, and messages stored more than once, are counted.

    python -m emotrace.evaluation.crash_writers [--writers 12] [--kills 4] [--database-url URL]
"""

from __future__ import annotations

import random
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import httpx
import typer
from sqlalchemy import select

from emotrace.evaluation.common import print_figures
from emotrace.evaluation.live_server import EMOTRACE, free_port
from emotrace.store import Store
from emotrace.store.tables import Message


def _serve(database_url: str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([EMOTRACE, "serve", "--port", str(port), "--database-url", database_url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not become ready in 120 s")


class Writer(threading.Thread):
    """Posts numbered messages, each retried under its key until acknowledged."""

    def __init__(self, number: int, base: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.number, self.base, self.stop = number, base, stop
        self.acknowledged: list[str] = []
        self.retries = 0

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            text = f"crash test message {self.number}-{n}: still waiting for my refund"
            body = {"messages": [{"customer_id": f"crash-{self.number % 4}", "conversation_id": "c", "text": text}]}
            while True:
                try:
                    response = httpx.post(f"{self.base}/v1/messages", json=body, timeout=30,
                                          headers={"Idempotency-Key": f"crash-{self.number}-{n}"})
                    if response.status_code == 201:
                        break
                    if response.status_code != 503:
                        raise RuntimeError(f"unexpected {response.status_code}: {response.text[:200]}")
                except httpx.TransportError:
                    pass
                self.retries += 1
                time.sleep(0.2)
            self.acknowledged.append(text)
            n += 1


def main(writers: Annotated[int, typer.Option(help="Concurrent writers.")] = 12,
         kills: Annotated[int, typer.Option(help="Times the server is killed with SIGKILL.")] = 4,
         database_url: Annotated[str | None, typer.Option(help="Default: a fresh SQLite file.")] = None,
         seed: Annotated[int, typer.Option(help="Seed of the kill times.")] = 0) -> None:
    """Kill the server under writers; print acknowledged, stored, missing and duplicated messages."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'crash.db'}"
        port = free_port()
        proc = _serve(url, port)
        stop = threading.Event()
        threads = [Writer(i, f"http://127.0.0.1:{port}", stop) for i in range(writers)]
        for thread in threads:
            thread.start()
        for _ in range(kills):
            time.sleep(rng.uniform(3, 6))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc = _serve(url, port)
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join(120)
        proc.terminate()
        proc.wait(30)
        store = Store(url)
        with store.db.session() as session:
            stored = Counter(session.scalars(select(Message.text).where(Message.text.like("crash test message %"))))
        store.db.engine.dispose()
    acknowledged = [text for thread in threads for text in thread.acknowledged]
    print_figures(f"kill -9 under {writers} writers with idempotent retries", {
        "kills": kills, "acknowledged": len(acknowledged), "stored": sum(stored.values()),
        "missing": sum(text not in stored for text in acknowledged),
        "duplicated": sum(count - 1 for count in stored.values() if count > 1),
        "retries": sum(thread.retries for thread in threads)})


if __name__ == "__main__":
    typer.run(main)
