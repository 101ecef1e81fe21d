"""The shapes of evaluation reports (``emotrace.json``'s metrics, ``emotrace evaluate --json``): typed, light to import."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class LabelScores(TypedDict):
    """One label's precision, recall, F1 and support."""

    precision: float
    recall: float
    f1: float
    support: int


class MultilabelReport(TypedDict):
    """Macro-F1 over the labels with examples (those without are listed, not averaged), micro-F1 and per-label
    scores of multi-hot decisions."""

    macro_f1: float
    micro_f1: float
    per_label: dict[str, LabelScores]
    labels_without_examples: list[str]


class ConfusionMatrix(TypedDict):
    """Single-label rows: ``counts[i][j]`` rows of gold ``labels[i]`` whose top decided label is ``labels[j]``."""

    labels: list[str]
    counts: list[list[int]]


class Mistake(TypedDict):
    """A row where a label fired that its gold labels do not hold: ``label``, the most probable such, at
    ``confidence``."""

    text: str
    gold: list[str]
    predicted: list[str]
    label: str
    confidence: float


class ModelReport(MultilabelReport):
    """A model's labels on ``n`` texts, each grouped view (e.g. Ekman, sentiment) under ``groups``; on request, the
    confusion matrix of single-label rows and the most confident mistakes."""

    n: int
    groups: dict[str, MultilabelReport]
    confusion: NotRequired[ConfusionMatrix]
    mistakes: NotRequired[list[Mistake]]


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
