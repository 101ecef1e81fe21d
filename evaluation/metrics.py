"""Classification metrics over multi-hot decisions (pure; wraps scikit-learn)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support, roc_auc_score

from service.model.decision import decide, tune_thresholds


def multilabel_report(gold: np.ndarray, predicted: np.ndarray, names: Sequence[str]) -> dict[str, object]:
    """Macro/micro F1 and per-label precision, recall, F1 and support."""
    gold = gold.astype(bool)
    predicted = predicted.astype(bool)
    precision, recall, f1, support = precision_recall_fscore_support(gold, predicted, zero_division=0)
    return {
        "macro_f1": float(f1_score(gold, predicted, average="macro", zero_division=0)),
        "micro_f1": float(f1_score(gold, predicted, average="micro", zero_division=0)),
        "per_label": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(names, precision, recall, f1, support, strict=True)
        },
    }


def tuned_macro_f1(probabilities: np.ndarray, targets: np.ndarray, tune_rows: np.ndarray | slice = slice(None),
                   score_rows: np.ndarray | slice = slice(None)) -> float:
    """Macro-F1 on ``score_rows`` with per-column thresholds tuned on ``tune_rows`` (default: all rows)."""
    thresholds = tune_thresholds(probabilities[tune_rows], targets[tune_rows])
    decided = decide(probabilities[score_rows], thresholds)
    return float(f1_score(targets[score_rows].astype(bool), decided, average="macro", zero_division=0))


def expected_calibration_error(probabilities: np.ndarray, gold: np.ndarray, bins: int = 10) -> float:
    """ECE of the top-class probability of a single-label classifier."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == gold
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for low, high in itertools.pairwise(edges):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            ece += in_bin.mean() * abs(confidence[in_bin].mean() - correct[in_bin].mean())
    return float(ece)


def binary_auc(gold: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC AUC, or None when only one class is present."""
    return float(roc_auc_score(gold, scores)) if 0 < gold.sum() < len(gold) else None
