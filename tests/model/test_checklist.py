"""The CheckList suite (``emotrace.evaluation.checklist``) on the shipped model: pass rates per capability."""

from __future__ import annotations

import pytest

from emotrace.evaluation.checklist import DIR_CASES, INV_CASES, MFT_CASES, CapabilityResult, overall_rate, run_checklist

OVERALL_FLOOR = 0.85  # the target; the shipped model: 0.860 (README; the release before: 0.763)


@pytest.fixture(scope="module")
def results(classifier) -> dict[str, CapabilityResult]:
    return run_checklist(classifier)


def test_every_case_is_counted(results) -> None:
    invariance = sum(len(fillers) - 1 for _, _, fillers in INV_CASES)
    assert sum(r.total for r in results.values()) == len(MFT_CASES) + invariance + len(DIR_CASES)
    assert all(r.total >= 5 for r in results.values())


def test_overall_pass_rate(results) -> None:
    assert overall_rate(results) >= OVERALL_FLOOR, {k: round(r.rate, 2) for k, r in results.items()}


@pytest.mark.parametrize("capability", ["INV:name", "INV:order_number", "INV:amount", "INV:brand", "DIR:intensifier",
                                        "MFT:plain_question", "MFT:praise", "MFT:factual_complaint",
                                        "MFT:thanks_but"])
def test_core_capabilities_hold(results, capability: str) -> None:
    assert results[capability].rate >= 0.8, results[capability].failures


def test_a_failure_names_the_text_and_the_reading() -> None:
    result = CapabilityResult()
    result.record(True, "fine")
    result.record(False, "'x' -> neutral (+0.00), []; expected dissatisfied")
    assert (result.passed, result.total, result.rate) == (1, 2, 0.5)
    assert result.failures == ["'x' -> neutral (+0.00), []; expected dissatisfied"]
