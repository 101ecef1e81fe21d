"""Metrics of a model's outputs (pure; wraps scikit-learn): multi-label F1 and per-label P/R/F1, tuned macro-F1,
calibration, satisfaction and affect figures, and a model's scorecard on labelled texts.

A leaf shared by training (the model card's figures) and evaluation (the benchmarks).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import pearsonr
from sklearn.metrics import f1_score, precision_recall_fscore_support, roc_auc_score

from emotrace.model.decision import decide, group_matrix, group_targets, tune_thresholds
from emotrace.model.labelled import LabelledTexts
from emotrace.model.reports import LabelScores, ModelReport, MultilabelReport, SatisfactionReport

if TYPE_CHECKING:
    from emotrace.model.classifier import EmotionClassifier, RawOutputs

DISSATISFIED = 0


def multilabel_report(gold: np.ndarray, predicted: np.ndarray, names: Sequence[str]) -> MultilabelReport:
    """Macro/micro F1 and per-label precision, recall, F1 and support."""
    gold = gold.astype(bool)
    predicted = predicted.astype(bool)
    precision, recall, f1, support = precision_recall_fscore_support(gold, predicted, zero_division=0)
    return MultilabelReport(
        macro_f1=float(f1_score(gold, predicted, average="macro", zero_division=0)),
        micro_f1=float(f1_score(gold, predicted, average="micro", zero_division=0)),
        per_label={
            name: LabelScores(precision=float(p), recall=float(r), f1=float(f), support=int(s))
            for name, p, r, f, s in zip(names, precision, recall, f1, support, strict=True)
        },
    )


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


def satisfaction_report(probabilities: np.ndarray, gold: np.ndarray) -> SatisfactionReport:
    """3-class macro-F1, dissatisfied-vs-rest macro-F1 / AUC / recall, and calibration error."""
    predicted = probabilities.argmax(axis=1)
    gold_dis = gold == DISSATISFIED
    pred_dis = predicted == DISSATISFIED
    return SatisfactionReport(
        n=len(gold),
        macro_f1=float(f1_score(gold, predicted, labels=sorted(set(gold.tolist())), average="macro", zero_division=0)),
        dissatisfied_vs_rest_macro_f1=float(f1_score(gold_dis, pred_dis, average="macro", zero_division=0)),
        dissatisfied_auc=binary_auc(gold_dis, probabilities[:, DISSATISFIED]),
        dissatisfied_recall=float(pred_dis[gold_dis].mean()) if gold_dis.any() else None,
        calibration_error=expected_calibration_error(probabilities, gold),
    )


def fit_temperature(probabilities: np.ndarray, gold: np.ndarray) -> float:
    """The softmax temperature (grid 0.5..3) that minimises the negative log-likelihood on these rows."""
    logits = np.log(np.clip(probabilities, 1e-9, 1.0))
    best_t, best_nll = 1.0, np.inf
    for t in np.round(np.arange(0.5, 3.01, 0.05), 2):
        scaled = logits / t
        scaled -= scaled.max(axis=1, keepdims=True)
        log_p = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        nll = -log_p[np.arange(len(gold)), gold].mean()
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


def affect_report(predicted: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """Pearson r and mean absolute error of valence and arousal."""
    out: dict[str, float] = {}
    for j, name in enumerate(("valence", "arousal")):
        out[f"{name}_pearson_r"] = float(pearsonr(predicted[:, j], gold[:, j])[0])
        out[f"{name}_mae"] = float(np.abs(predicted[:, j] - gold[:, j]).mean())
    return out


def evaluate_outputs(classifier: EmotionClassifier, raw: RawOutputs, data: LabelledTexts) -> ModelReport:
    """Metrics of precomputed model outputs under the classifier's thresholds and groupings."""
    schema = classifier.schema
    predicted = decide(raw.probabilities, classifier.thresholds.for_labels(schema.labels))
    groups: dict[str, MultilabelReport] = {}
    for grouping in schema.groupings:
        names = schema.group_names(grouping)
        matrix = group_matrix(schema, grouping)
        group_pred = decide(raw.groups[grouping], classifier.thresholds.for_grouping(grouping, names))
        groups[grouping] = multilabel_report(group_targets(data.targets, matrix), group_pred, names)
    return ModelReport(n=len(data.texts), **multilabel_report(data.targets, predicted, schema.labels), groups=groups)


def evaluate(classifier: EmotionClassifier, data: LabelledTexts) -> ModelReport:
    """Run the classifier over ``data`` and report macro/micro F1, per-label P/R/F1, grouped views."""
    return evaluate_outputs(classifier, classifier.raw_outputs(data.texts), data)
