"""Repository hygiene that CI must enforce: the README's test command is what CI runs; ruff is clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci_line = [line for line in (REPO / ".ci" / "run").read_text().splitlines() if "pytest" in line][-1]
    assert ci_line.strip() in (REPO / "README.md").read_text()


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    result = subprocess.run([ruff, "check", str(REPO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
