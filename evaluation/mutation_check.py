"""Mutation check: break each core function once and count the tests that catch it.

Each mutant changes one line of a copy of the package (the source tree is never touched); the tests run against
the copy. A mutant no test catches is a behaviour the suite does not pin down.

    python -m emotrace.evaluation.mutation_check [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from emotrace.paths import DEFAULT_DATA_ROOT, REPO_ROOT


@dataclass(frozen=True)
class Mutant:
    """One deliberate bug: ``old`` becomes ``new`` in ``path`` (a file of the package, e.g. ``scoring/timeline.py``)."""

    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


SCORING = ("tests/scoring", "tests/store")
MODEL = ("tests/model/test_decision.py", "tests/model/test_group_heads.py", "tests/model/test_classifier.py")
MUTANTS = (
    Mutant("score: valence counts against the customer", "scoring/timeline.py",
           "50.0 + 50.0 * mix", "50.0 - 50.0 * mix", SCORING),
    Mutant("decay: old messages never fade", "scoring/timeline.py",
           "math.pow(0.5, (at - self.at)", "math.pow(1.0, (at - self.at)", SCORING),
    Mutant("segment: a score on a band's edge falls below it", "scoring/timeline.py",
           "        if score >= low:", "        if score > low:", SCORING),
    Mutant("routing: calm customers go to experienced agents", "scoring/timeline.py",
           "if state.score < rules.route_score_below:", "if state.score > rules.route_score_below:", SCORING),
    Mutant("drop alert: needs twice the configured fall", "scoring/timeline.py",
           "if peak.score - state.score >= rules.drop_points:", "if peak.score - state.score >= 2 * rules.drop_points:",
           SCORING),
    Mutant("streak alert: one negative contact too many", "scoring/timeline.py",
           "if len(streak) == rules.negative_streak:", "if len(streak) == rules.negative_streak + 1:", SCORING),
    Mutant("decisions: no fallback label when none passes its threshold", "model/decision.py",
           "    if empty.any():", "    if False:", MODEL),
    Mutant("chunks: a text is as neutral as its most neutral chunk", "model/classifier.py",
           "probabilities[:, neutral_index].min()", "probabilities[:, neutral_index].max()", MODEL),
    Mutant("groups: a group's probability is its members' mean", "model/decision.py",
           "np.max(probabilities[:, :, None] * matrix[None, :, :], axis=1)",
           "np.mean(probabilities[:, :, None] * matrix[None, :, :], axis=1)", MODEL),
    Mutant("redaction: card numbers without the Luhn check", "text/redact.py",
           "if 13 <= len(digits) <= 19 and _luhn_ok(digits):", "if 13 <= len(digits) <= 19:", ("tests/text",)),
    Mutant("redaction: phone numbers need 12 digits", "text/redact.py",
           "if 9 <= len(_digits(m.group(0))) <= E164_MAX_DIGITS", "if 12 <= len(_digits(m.group(0))) <= E164_MAX_DIGITS",
           ("tests/text",)),
    Mutant("batching: a batch grows past max_batch", "batching.py",
           "            size += len(item[0])\n", "            size += 0\n", ("tests/test_batching.py",)),
    Mutant("normalizer: shouting needs 80 letters", "text/normalize.py",
           "sum(c.isalpha() for c in span) >= 8", "sum(c.isalpha() for c in span) >= 80", ("tests/text",)),
)


def installed_layout(root: Path) -> Path:
    """A copy of the package as a wheel installs it, with the model and data folders where ``paths.py`` looks."""
    package_dirs = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    for package, folder in sorted(package_dirs.items()):
        shutil.copytree(REPO_ROOT / folder, root.joinpath(*package.split(".")),
                        ignore=shutil.ignore_patterns("__pycache__"))
    (root / "models").symlink_to(REPO_ROOT / "models")
    (root.parent / "shared").mkdir(exist_ok=True)
    (root.parent / "shared" / "data").symlink_to(DEFAULT_DATA_ROOT)
    return root


def run_mutant(mutant: Mutant, work: Path) -> tuple[int, int]:
    """(failed, passed) tests of ``mutant.tests`` against a copy of the package holding the mutant."""
    layout = installed_layout(work / "src")
    target = layout / "emotrace" / mutant.path
    source = target.read_text()
    if source.count(mutant.old) != 1:
        raise SystemExit(f"{mutant.name}: the line to break is not found exactly once in {mutant.path}")
    target.write_text(source.replace(mutant.old, mutant.new))
    env = {**os.environ, "PYTHONPATH": str(layout)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *mutant.tests],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    imported = subprocess.run([sys.executable, "-c", "import emotrace; print(emotrace.__file__)"], env=env,
                              capture_output=True, text=True, check=True).stdout.strip()
    if not imported.startswith(str(layout)):
        raise SystemExit(f"the tests imported {imported}, not the mutated copy")
    counts = dict.fromkeys(("failed", "passed"), 0)
    for number, outcome in re.findall(r"(\d+) (failed|passed)", result.stdout.splitlines()[-1] if result.stdout else ""):
        counts[outcome] = int(number)
    return counts["failed"], counts["passed"]


def main() -> None:
    """Run every mutant (or those named with --only) and print how many tests catch each."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=None, help="run the mutants whose name contains one of these")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if args.only is None or any(word in m.name for word in args.only)]
    caught = 0
    for mutant in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            failed, passed = run_mutant(mutant, Path(tmp))
        caught += failed > 0
        print(f"{'caught' if failed else 'MISSED':<7} {failed:>3} of {failed + passed:>3} tests fail  {mutant.name}",
              flush=True)
    print(f"{caught} of {len(chosen)} mutants caught")
    if caught < len(chosen):
        sys.exit(1)


if __name__ == "__main__":
    main()
