"""Mutation check: mutmut breaks the core rules one small change at a time and runs the tests that reach each one.

mutmut mirrors a package's folders, but ``emotrace`` lives in ``service/``: the check lays out a temporary folder in
which ``emotrace`` links to ``service/`` (with ``tests`` and ``pyproject.toml`` linked beside it) and runs
``mutmut run`` there. Which modules are broken and which tests run: ``[tool.mutmut]`` of pyproject.toml; each
module's floor: ``[tool.emotrace.mutation.floors]``. The source tree is never touched; mutants run on SQLite.

    python -m emotrace.evaluation.mutation_check [--only NAME ...] [--floor]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from emotrace.paths import REPO_ROOT

# mutmut's exit codes (mutmut.stats.status_by_exit_code): a failing test or a timeout kills a mutant; 33 = no test
# reaches it; None = not run (outside --only)
KILLED = {1, 3, 36, 24, -24, 152, 255}
SURVIVED, NO_TESTS = 0, 33
LOG = "mutmut.log"


@dataclass
class Tally:
    """One module's mutants by outcome."""

    killed: int = 0
    survived: int = 0
    untested: int = 0  # no test reaches the mutated function
    other: int = 0  # suspicious, crashed

    @property
    def total(self) -> int:
        """Mutants run."""
        return self.killed + self.survived + self.untested + self.other

    @property
    def rate(self) -> float:
        """Killed share of the mutants run, in percent."""
        return 100 * self.killed / self.total


def floors(pyproject: Path = REPO_ROOT / "pyproject.toml") -> dict[str, float]:
    """Each checked module's lowest acceptable kill rate (percent)."""
    return tomllib.loads(pyproject.read_text())["tool"]["emotrace"]["mutation"]["floors"]


def layout(root: Path) -> Path:
    """A folder where mutmut finds ``emotrace`` as the import name (links into this checkout)."""
    package_dir = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    for name, target in (("emotrace", REPO_ROOT / package_dir["emotrace"]), ("tests", REPO_ROOT / "tests"),
                         ("pyproject.toml", REPO_ROOT / "pyproject.toml"),
                         ("shared", REPO_ROOT.parent / "shared")):  # the data root the mutated paths.py points at
        (root / name).symlink_to(target)
    return root


def run_mutmut(root: Path, modules: list[str] | None) -> None:
    """``mutmut run`` in ``root`` (every mutant, or those of ``modules``); its output goes to ``root / LOG``."""
    env = {k: v for k, v in os.environ.items() if k not in ("EMOTRACE_TEST_POSTGRES_URL", "EMOTRACE_REQUIRE_POSTGRES")}
    names = [f"{module}.*" for module in modules or ()]
    with (root / LOG).open("w") as log:
        done = subprocess.run([sys.executable, "-m", "mutmut", "run", *names], cwd=root, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    if done.returncode:
        sys.exit(f"mutmut failed (exit {done.returncode}); the end of its output:\n"
                 f"{(root / LOG).read_text(errors='replace')[-3000:]}")


def tallies(mutants: Path) -> dict[str, Tally]:
    """Module name -> its mutants' outcomes, read from mutmut's ``*.py.meta`` files under ``mutants``."""
    result: dict[str, Tally] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = ".".join(meta.relative_to(mutants).with_suffix("").with_suffix("").parts)
        tally = Tally()
        for code in json.loads(meta.read_text())["exit_code_by_key"].values():
            if code is None:
                continue
            if code in KILLED:
                tally.killed += 1
            elif code == SURVIVED:
                tally.survived += 1
            elif code == NO_TESTS:
                tally.untested += 1
            else:
                tally.other += 1
        if tally.total:
            result[module] = tally
    return result


def under_floor(results: dict[str, Tally], floor_by_module: dict[str, float]) -> list[str]:
    """The modules whose kill rate is under their floor (a module with no floor is an error in the table)."""
    missing = sorted(set(results) - set(floor_by_module))
    if missing:
        sys.exit(f"no floor in [tool.emotrace.mutation.floors] for {missing}")
    return [module for module, tally in results.items() if tally.rate < floor_by_module[module]]


def report(results: dict[str, Tally], floor_by_module: dict[str, float]) -> str:
    """The kill rate table, one module a line, and the total."""
    lines = [f"{'module':<28} {'killed':>7} {'total':>6} {'rate':>6} {'floor':>6} {'survived':>9} {'untested':>9}"]
    for module, t in results.items():
        lines.append(f"{module.removeprefix('emotrace.'):<28} {t.killed:>7} {t.total:>6} {t.rate:>5.1f}% "
                     f"{floor_by_module.get(module, 0):>5.0f}% {t.survived:>9} {t.untested:>9}")
    total = Tally(*(sum(getattr(t, f) for t in results.values()) for f in ("killed", "survived", "untested", "other")))
    lines.append(f"{'all':<28} {total.killed:>7} {total.total:>6} {total.rate:>5.1f}%")
    return "\n".join(lines)


def main() -> None:
    """Run mutmut over the checked modules (or those named with --only) and print each module's kill rate."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=None, help="the modules whose name contains one of these")
    parser.add_argument("--floor", action="store_true", help="exit 1 when a module's kill rate is under its floor")
    args = parser.parse_args()
    floor_by_module = floors()
    modules = None if args.only is None else [m for m in floor_by_module if any(word in m for word in args.only)]
    if modules == []:
        sys.exit(f"no checked module matches {args.only}: {sorted(floor_by_module)}")
    with tempfile.TemporaryDirectory() as tmp:
        root = layout(Path(tmp))
        run_mutmut(root, modules)
        results = tallies(root / "mutants")
    print(report(results, floor_by_module))
    low = under_floor(results, floor_by_module)
    if args.floor and low:
        sys.exit(f"kill rate under the floor: {', '.join(low)}")


if __name__ == "__main__":
    main()
