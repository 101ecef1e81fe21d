"""The mutation check's reading of mutmut's results and its floors (mutmut itself runs in the check, not here)."""

from __future__ import annotations

import json
import tomllib

import pytest

from emotrace.evaluation.mutation_check import floors, layout, report, tallies, under_floor
from emotrace.paths import REPO_ROOT


def _meta(mutants, path: str, codes: dict[str, int | None]) -> None:
    meta = mutants / f"{path}.meta"
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps({"exit_code_by_key": codes, "durations_by_key": {}}))


def test_mutants_are_tallied_per_module_from_mutmuts_exit_codes(tmp_path) -> None:
    _meta(tmp_path, "emotrace/scoring/timeline.py", {"a": 1, "b": 1, "c": 36, "d": 0, "e": 33, "f": None})
    _meta(tmp_path, "emotrace/model/decision.py", {"a": 1, "b": 0})
    _meta(tmp_path, "emotrace/store/outcomes.py", {"a": None})  # not run (outside --only): left out
    results = tallies(tmp_path)
    assert set(results) == {"emotrace.scoring.timeline", "emotrace.model.decision"}
    timeline = results["emotrace.scoring.timeline"]
    assert (timeline.killed, timeline.survived, timeline.untested, timeline.total) == (3, 1, 1, 5)  # a timeout kills
    assert timeline.rate == 60.0 and results["emotrace.model.decision"].rate == 50.0
    assert under_floor(results, {"emotrace.scoring.timeline": 60, "emotrace.model.decision": 55}) == [
        "emotrace.model.decision"]
    table = report(results, {"emotrace.scoring.timeline": 60, "emotrace.model.decision": 55})
    assert "scoring.timeline" in table and " 60.0% " in table and table.splitlines()[-1].split()[1:4] == [
        "4", "7", "57.1%"]
    with pytest.raises(SystemExit, match="no floor"):
        under_floor(results, {"emotrace.scoring.timeline": 60})


def test_every_checked_module_has_a_floor_and_the_layout_names_the_package(tmp_path) -> None:
    mutmut = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    checked = {p.removesuffix(".py").replace("/", ".") for p in mutmut["only_mutate"]}
    assert checked == set(floors())
    root = layout(tmp_path)
    assert (root / "emotrace" / "scoring" / "timeline.py").is_file() and (root / "tests" / "conftest.py").is_file()
