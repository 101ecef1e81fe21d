"""The shapes of evaluation reports (``emotrace.json``'s metrics, ``emotrace evaluate --json``): typed, light to import."""

from __future__ import annotations

from typing import TypedDict


class LabelScores(TypedDict):
    """One label's precision, recall, F1 and support."""

    precision: float
    recall: float
    f1: float
    support: int


class MultilabelReport(TypedDict):
    """Macro/micro F1 and per-label scores of multi-hot decisions."""

    macro_f1: float
    micro_f1: float
    per_label: dict[str, LabelScores]


class ModelReport(MultilabelReport):
    """A model's labels on ``n`` texts, and each grouped view (e.g. Ekman, sentiment) under ``groups``."""

    n: int
    groups: dict[str, MultilabelReport]


class SatisfactionReport(TypedDict):
    """Satisfaction classes against gold: 3-class macro-F1, dissatisfied vs rest, calibration."""

    n: int
    macro_f1: float
    dissatisfied_vs_rest_macro_f1: float
    dissatisfied_auc: float | None
    dissatisfied_recall: float | None
    calibration_error: float


def headline_scores(report: ModelReport) -> dict[str, float]:
    """The report's macro- and micro-F1 and each grouped view's macro-F1 (``ekman_macro_f1``, ...), flat. (Figures
    measured before views were grouped under ``groups`` give the labels' figures alone.)"""
    return {"macro_f1": report["macro_f1"], "micro_f1": report["micro_f1"],
            **{f"{name}_macro_f1": group["macro_f1"] for name, group in report.get("groups", {}).items()}}
