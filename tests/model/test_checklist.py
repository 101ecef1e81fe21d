"""The CheckList suite (``emotrace.evaluation.checklist``) on the shipped model: pass rates per capability."""

from __future__ import annotations

import pytest

from emotrace.evaluation.checklist import (
    DIR_CASES,
    INTENT_CASES,
    INTENT_DIR_CASES,
    INTENT_INV_CASES,
    INV_CASES,
    MFT_CASES,
    CapabilityResult,
    overall_rate,
    run_checklist,
)

# Regression floors at what the shipped model reaches (92.2% of 217 cases, no capability under 3 of 6; plainly stated
# intents 9 of 16; docs/benchmarks.md, "This release"). Issue 26's 92% overall is met; every capability at 5 of 6 is
# not yet (rhetorical questions 3/6).
OVERALL_FLOOR = 0.92
CAPABILITY_FLOOR = 0.5


@pytest.fixture(scope="module")
def results(classifier) -> dict[str, CapabilityResult]:
    return run_checklist(classifier)


def test_every_case_is_counted(results) -> None:
    invariance = sum(len(fillers) - 1 for _, _, fillers in INV_CASES)
    intents = len(INTENT_CASES) + sum(len(fillers) for _, fillers, _ in INTENT_INV_CASES) + len(INTENT_DIR_CASES)
    assert sum(r.total for r in results.values()) == len(MFT_CASES) + invariance + len(DIR_CASES) + intents
    assert all(r.total >= 6 for r in results.values())
    assert {"MFT:intent:churn_threat", "MFT:intent:plain", "MFT:intent:lookalike", "INV:intent", "DIR:intent"} <= set(results)


def test_overall_pass_rate(results) -> None:
    assert overall_rate(results) >= OVERALL_FLOOR, {k: round(r.rate, 2) for k, r in results.items()}


def test_no_capability_falls_under_its_floor(results) -> None:
    weak = {name: r.failures for name, r in results.items() if r.rate < CAPABILITY_FLOOR - 1e-9}
    assert not weak


def test_a_failure_names_the_text_and_the_reading() -> None:
    result = CapabilityResult()
    result.record(True, "fine")
    result.record(False, "'x' -> neutral (+0.00), []; expected dissatisfied")
    assert (result.passed, result.total, result.rate) == (1, 2, 0.5)
    assert result.failures == ["'x' -> neutral (+0.00), []; expected dissatisfied"]
