"""Repository hygiene that CI must enforce: the README's test command is what CI runs; ruff is clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci_line = [line for line in (REPO / ".ci" / "run").read_text().splitlines() if "pytest" in line][-1]
    assert ci_line.strip() in (REPO / "README.md").read_text()


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    result = subprocess.run([ruff, "check", str(REPO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_one_public_name_and_no_generic_top_level_packages(tmp_path: Path) -> None:
    """Installed, the project is ``emotrace`` alone: ``service``/``training``/``evaluation`` do not import
    from outside the source tree, and the public names are on the package."""
    probe = (
        "import importlib.util, emotrace\n"
        "print([n for n in ('service', 'training', 'evaluation') if importlib.util.find_spec(n)])\n"
        "print(emotrace.EmotionClassifier.__name__, emotrace.Reading.__name__, emotrace.EmotraceError.__name__)\n"
        "print(emotrace.__version__)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True)
    generic, names, version = result.stdout.splitlines()
    assert generic == "[]"
    assert names == "EmotionClassifier Reading EmotraceError"
    assert version[0].isdigit()


def test_every_source_package_is_installed() -> None:
    """A folder with ``__init__.py`` that pyproject's package list forgets would be missing from a wheel."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    roots = {folder: name for name, folder in pyproject["package-dir"].items()}
    found = {
        ".".join([roots[init.relative_to(REPO).parts[0]], *init.parent.relative_to(REPO).parts[1:]])
        for root in roots
        for init in (REPO / root).rglob("__init__.py")
    }
    assert found <= set(pyproject["packages"])


def test_every_time_the_service_writes_ends_in_z() -> None:
    """JSON and CSV outputs mixed ``Z`` (the API's answers) and ``+00:00`` (webhook bodies, outreach's hold_until,
    drivers' period, corrections): every time is written by ``emotrace.times.iso_utc``, dates alone excepted."""
    import re

    written = [f"{path.relative_to(REPO)}:{number}" for path in (REPO / "service").rglob("*.py") if path.name != "times.py"
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if re.search(r"(?<!date\(\))\.isoformat\(", line)]
    assert written == []
