"""The code's layers run one way and the runtime type-checks: import-linter's contracts (pyproject.toml,
``[tool.importlinter]``) and mypy, strict on ``service/`` (``[tool.mypy]``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


def _installed_layout(root: Path) -> Path:
    """The source folders copied into the layout a wheel installs (``service/`` as ``emotrace/``, ...): import-linter
    walks one folder per package, which the editable install's folder mapping does not give it."""
    package_dirs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    for package, folder in sorted(package_dirs.items()):
        shutil.copytree(REPO / folder, root.joinpath(*package.split(".")),
                        ignore=shutil.ignore_patterns("__pycache__", "*.onnx", "*.safetensors"))
    return root


def _lint_imports(layout: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(layout)}
    return subprocess.run([_tool("lint-imports"), "--no-cache", str(REPO / "pyproject.toml")],
                          capture_output=True, text=True, cwd=layout, env=env)


def test_import_layer_contracts_hold(tmp_path: Path) -> None:
    result = _lint_imports(_installed_layout(tmp_path / "src"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


LAYERS = "layers: every module of emotrace in one order, each importing only those below it"
FASTAPI = "Only the api (and the CLI that serves it) imports FastAPI/Starlette"


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("batch/ingest.py", "from emotrace.api.recording import Write", LAYERS),  # a lower layer importing the api
    ("model/labels.py", "import emotrace.store.database", LAYERS),  # siblings in one layer are independent
    ("channels/email.py", "import emotrace.messages", LAYERS),
    ("new_helpers.py", "", LAYERS),  # a module the contract does not name (exhaustive)
    ("batching.py", "import fastapi", FASTAPI),
])
def test_import_layer_contracts_catch_a_violation(tmp_path: Path, module: str, line: str, broken: str) -> None:
    """The contracts can fail: each deliberately wrong import (or unlisted module) breaks the one it should."""
    layout = _installed_layout(tmp_path / "src")
    with (layout / "emotrace" / module).open("a") as source:
        source.write(f"\n{line}  # noqa\n")
    result = _lint_imports(layout)
    report = " ".join(result.stdout.split())
    assert result.returncode != 0
    assert f"{broken} BROKEN" in report, report[-3000:]


def test_mypy_is_clean(tmp_path: Path) -> None:
    """mypy reads the installed layout too: it does not follow the editable install's import hook."""
    layout = _installed_layout(tmp_path / "src")
    result = subprocess.run([_tool("mypy"), "--config-file", str(REPO / "pyproject.toml"), "--cache-dir",
                             str(tmp_path / "cache"), "-p", "emotrace"], capture_output=True, text=True, cwd=layout,
                            env={**os.environ, "MYPYPATH": str(layout)})
    assert result.returncode == 0, result.stdout[-5000:]
