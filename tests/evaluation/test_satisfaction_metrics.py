"""The satisfaction and affect metrics on constructed cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from emotrace.model.metrics import affect_report, expected_calibration_error, fit_temperature, satisfaction_report


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def test_calibration_error_of_a_calibrated_and_an_overconfident_reader() -> None:
    gold = np.array([0] * 8 + [1] * 2)
    calibrated = np.tile([0.8, 0.2], (10, 1))  # says 0.8 and is right 8 times in 10
    assert expected_calibration_error(calibrated, gold) == pytest.approx(0.0, abs=1e-9)
    overconfident = np.tile([0.99, 0.01], (10, 1))
    assert expected_calibration_error(overconfident, gold) == pytest.approx(0.19, abs=1e-9)


def test_temperature_recovers_the_one_that_made_the_probabilities_overconfident() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4000, 3)) * 2
    gold = np.array([rng.choice(3, p=p) for p in _softmax(logits)])
    sharpened = _softmax(logits * 2.0)  # the same beliefs, twice as confident
    assert fit_temperature(sharpened, gold) == pytest.approx(2.0, abs=0.15)
    assert fit_temperature(_softmax(logits), gold) == pytest.approx(1.0, abs=0.1)


def test_satisfaction_report_on_known_predictions() -> None:
    gold = np.array([0, 0, 1, 2, 2])  # dissatisfied, dissatisfied, neutral, satisfied, satisfied
    probabilities = np.array([[.9, .05, .05], [.2, .7, .1], [.1, .8, .1], [.1, .1, .8], [.6, .2, .2]])
    report = satisfaction_report(probabilities, gold)
    assert report["n"] == 5
    assert report["dissatisfied_recall"] == pytest.approx(0.5)
    assert report["dissatisfied_auc"] == pytest.approx(5 / 6)  # 5 of 6 (dissatisfied, other) pairs ranked right
    assert report["dissatisfied_vs_rest_macro_f1"] == pytest.approx((0.5 + 2 / 3) / 2)


def test_dissatisfied_vs_rest_averages_only_the_classes_the_rows_hold() -> None:
    """Found by a review: on a file whose rows are all dissatisfied, `macro_f1` averaged the classes present (0.537)
    but `dissatisfied_vs_rest_macro_f1` averaged the absent "rest" as 0 too (0.268): a perfect reading scored 0.5."""
    gold = np.zeros(4, dtype=int)  # every row dissatisfied
    probabilities = np.array([[.9, .05, .05], [.8, .1, .1], [.1, .8, .1], [.2, .1, .7]])  # 2 of 4 read dissatisfied
    report = satisfaction_report(probabilities, gold)
    assert report["dissatisfied_vs_rest_macro_f1"] == pytest.approx(2 / 3)  # dissatisfied's F1 alone
    assert report["dissatisfied_vs_rest_macro_f1"] == pytest.approx(report["macro_f1"])  # the same rule for both
    perfect = satisfaction_report(np.tile([.9, .05, .05], (4, 1)), gold)
    assert perfect["dissatisfied_vs_rest_macro_f1"] == pytest.approx(1.0)  # was 0.5

def test_affect_report_pearson_and_error() -> None:
    gold = np.array([[-1.0, 0.1], [0.0, 0.5], [1.0, 0.9]])
    report = affect_report(gold * 0.5, gold)
    assert report["valence_pearson_r"] == pytest.approx(1.0) and report["arousal_pearson_r"] == pytest.approx(1.0)
    assert report["valence_mae"] == pytest.approx(1 / 3) and report["arousal_mae"] == pytest.approx(0.25)
