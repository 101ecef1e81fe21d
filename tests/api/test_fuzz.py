"""Schemathesis over the whole OpenAPI schema of the real server, with every check: no 5xx, every response as
the schema documents it (status, body, headers), schema-valid requests accepted, invalid ones refused.

``schemathesis.toml`` beside this file lists the two operations whose refusals depend on what OpenAPI cannot
state (a timestamp relative to the server's clock; a file's content). The coverage phase is left out:
schemathesis 4.32 crashes inside its own generator on this schema (a tool error, not a server response)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from emotrace.evaluation.live_server import running_server

ST = shutil.which("st") or str(Path(sys.executable).with_name("st"))
CONFIG = Path(__file__).with_name("schemathesis.toml")
EXCLUDED = "/v1/stream"  # an endless event stream: no response to check


def test_the_server_keeps_its_documented_contract_for_any_input(tmp_path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'fuzz.db'}") as base:
        paths = httpx.get(f"{base}/openapi.json", timeout=10).json()["paths"]
        operations = sum(len(methods) for path, methods in paths.items() if path != EXCLUDED)
        result = subprocess.run(
            [ST, "--config-file", str(CONFIG), "run", f"{base}/openapi.json", "--checks", "all",
             "--max-examples", "30", "--exclude-path", EXCLUDED, "--seed", "7", "--workers", "2", "--no-color",
             "--phases", "fuzzing,stateful"],
            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Server error" not in result.stdout
    assert f"Tested: {operations}" in result.stdout, result.stdout[-3000:]
