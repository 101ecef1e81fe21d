"""A real ``emotrace serve`` process on 127.0.0.1 for tests that need a live server (SSE, browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

EMOTRACE = shutil.which("emotrace") or str(Path(sys.executable).with_name("emotrace"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(database_url: str, *extra: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Start the service, wait until it is ready, yield its base URL, stop it."""
    port = free_port()
    proc = subprocess.Popen([EMOTRACE, "serve", "--port", str(port), "--database-url", database_url, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stdout.read().decode() if proc.stdout else ''}")
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            raise RuntimeError("server did not become ready in 120 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
