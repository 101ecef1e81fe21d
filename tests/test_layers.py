"""The code's layers run one way and the runtime type-checks: import-linter's contracts (pyproject.toml,
``[tool.importlinter]``) and mypy, strict on ``service/`` (``[tool.mypy]``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


def _installed_layout(root: Path) -> Path:
    """The source folders copied into the layout a wheel installs (``service/`` as ``emotrace/``, ...): import-linter
    walks one folder per package, which the editable install's folder mapping does not give it."""
    package_dirs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    for package, folder in sorted(package_dirs.items()):
        shutil.copytree(REPO / folder, root.joinpath(*package.split(".")), ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _lint_imports(layout: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(layout)}
    return subprocess.run([_tool("lint-imports"), "--no-cache", "--config", str(REPO / "pyproject.toml")],
                          capture_output=True, text=True, cwd=layout, env=env)


def test_import_layer_contracts_hold(tmp_path: Path) -> None:
    result = _lint_imports(_installed_layout(tmp_path / "src"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_import_layer_contracts_catch_a_violation(tmp_path: Path) -> None:
    """The contracts can fail: a batch module importing the api breaks them."""
    layout = _installed_layout(tmp_path / "src")
    with (layout / "emotrace" / "batch" / "ingest.py").open("a") as module:
        module.write("\nfrom emotrace.api.recording import Write  # noqa\n")
    result = _lint_imports(layout)
    assert result.returncode != 0
    assert "emotrace.batch is not allowed to import emotrace.api" in result.stdout


def test_mypy_is_clean(tmp_path: Path) -> None:
    """mypy reads the installed layout too: it does not follow the editable install's import hook."""
    layout = _installed_layout(tmp_path / "src")
    result = subprocess.run([_tool("mypy"), "--config-file", str(REPO / "pyproject.toml"), "--cache-dir",
                             str(tmp_path / "cache"), "-p", "emotrace"], capture_output=True, text=True, cwd=layout,
                            env={**os.environ, "MYPYPATH": str(layout)})
    assert result.returncode == 0, result.stdout[-5000:]
