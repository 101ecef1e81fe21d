"""Metrics of a model's outputs (pure; wraps scikit-learn): multi-label F1 and per-label P/R/F1, tuned macro-F1,
calibration, satisfaction and affect figures, and a model's scorecard on labelled texts (on the labels asked for,
with the confusion matrix of single-label rows and the most confident mistakes).

A leaf shared by training (the model card's figures) and evaluation (the benchmarks).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import pearsonr
from sklearn.metrics import f1_score, roc_auc_score

from emotrace.model.decision import decide, group_matrix, group_targets, tune_thresholds
from emotrace.model.labelled import LabelledTexts
from emotrace.model.reports import (
    ConfusionMatrix,
    LabelScores,
    Mistake,
    ModelReport,
    MultilabelReport,
    SatisfactionReport,
)

if TYPE_CHECKING:
    from emotrace.model.classifier import EmotionClassifier, RawOutputs

DISSATISFIED = 0


def multilabel_report(gold: np.ndarray, predicted: np.ndarray, names: Sequence[str]) -> MultilabelReport:
    """Macro-F1 over the labels with examples in ``gold`` (a label no row holds has no F1 worth averaging: it is
    listed instead), micro-F1 (every label's decisions) and per-label precision, recall, F1 and support (0 where a
    ratio has nothing to divide by). Counted per column of ``gold`` and ``predicted`` ((rows, labels)): one column
    is one label (scikit-learn read it as a binary target of two classes, and the names no longer matched)."""
    gold, predicted = gold.astype(bool), predicted.astype(bool)
    hit, support, fired = (gold & predicted).sum(axis=0), gold.sum(axis=0), predicted.sum(axis=0)
    precision, recall, f1 = _ratio(hit, fired), _ratio(hit, support), _ratio(2 * hit, support + fired)
    present = support > 0
    return MultilabelReport(
        macro_f1=float(f1[present].mean()) if present.any() else 0.0,
        micro_f1=float(_ratio(2 * hit.sum(), support.sum() + fired.sum())),
        per_label={
            name: LabelScores(precision=float(p), recall=float(r), f1=float(f), support=int(s))
            for name, p, r, f, s in zip(names, precision, recall, f1, support, strict=True)
        },
        labels_without_examples=[name for name, s in zip(names, support, strict=True) if s == 0],
    )


def class_macro_f1(gold: np.ndarray, predicted: np.ndarray, labels: Sequence[object] | None = None) -> float:
    """Macro-F1 of single-label decisions over ``labels`` (default: the classes either side holds), 0 for a class
    with nothing to divide by: scikit-learn's ``f1_score(average="macro", zero_division=0)``, counted directly
    (`emotrace adapt` scores a thousand bootstrap resamples per head, where scikit-learn's checks took most of it)."""
    classes = np.union1d(gold, predicted) if labels is None else np.asarray(labels)
    is_gold, is_predicted = gold[:, None] == classes, predicted[:, None] == classes
    f1 = _ratio(2 * (is_gold & is_predicted).sum(axis=0), is_gold.sum(axis=0) + is_predicted.sum(axis=0))
    return float(f1.mean()) if len(classes) else 0.0


def _ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """``part / whole``, 0 where ``whole`` is 0."""
    part, whole = np.asarray(part, dtype=float), np.asarray(whole, dtype=float)
    return np.asarray(np.divide(part, whole, out=np.zeros_like(whole), where=whole > 0))


def intent_set_figures(gold: np.ndarray, fired: np.ndarray) -> tuple[float, int, int]:
    """Of (rows, intents) gold and fired: the share of rows whose fired intent set is exactly the gold one, how many
    rows stating no intent were given one, and how many rows state none."""
    gold, fired = gold.astype(bool), fired.astype(bool)
    none = ~gold.any(axis=1)
    return float((gold == fired).all(axis=1).mean()), int(fired[none].any(axis=1).sum()), int(none.sum())


def label_columns(data: LabelledTexts, names: Sequence[str]) -> np.ndarray:
    """``data``'s gold matrix over ``names`` (a name the data does not label: no row holds it)."""
    index = {label: j for j, label in enumerate(data.labels)}
    out = np.zeros((len(data.texts), len(names)), dtype=np.float32)
    for j, name in enumerate(names):
        if name in index:
            out[:, j] = data.targets[:, index[name]]
    return out


def top_decided(probabilities: np.ndarray, decided: np.ndarray) -> np.ndarray:
    """Each row's most probable label among those that fired."""
    return np.asarray(np.where(decided, probabilities, -1.0).argmax(axis=1))


def confusion_matrix(gold: np.ndarray, top: np.ndarray, names: Sequence[str]) -> ConfusionMatrix:
    """Rows of one gold label each (``gold``: their column) against their top decided label (``top``: its column in
    ``names``); either -1 outside ``names``, counted under ``(other)``; over the labels that occur as either."""
    shown = sorted({*gold.tolist(), *top.tolist()} - {-1})
    labels = [names[j] for j in shown] + (["(other)"] if (top == -1).any() or (gold == -1).any() else [])
    position = {j: i for i, j in enumerate(shown)} | {-1: len(shown)}
    counts = np.zeros((len(labels), len(labels)), dtype=int)
    np.add.at(counts, ([position[g] for g in gold.tolist()], [position[t] for t in top.tolist()]), 1)
    return ConfusionMatrix(labels=labels, counts=counts.tolist())


def confident_mistakes(data: LabelledTexts, gold: np.ndarray, probabilities: np.ndarray, decided: np.ndarray,
                       names: Sequence[str], fired: Sequence[list[str]], limit: int) -> list[Mistake]:
    """The ``limit`` rows where a label of ``names`` (the columns of ``gold``, ``probabilities`` and ``decided``)
    fired that the row's gold does not hold, most probable first (``fired``: each row's labels as the model
    decided them)."""
    wrong = np.where(decided & ~gold.astype(bool), probabilities, -1.0)
    label, confidence = wrong.argmax(axis=1), wrong.max(axis=1)
    rows = [i for i in np.argsort(-confidence, kind="stable")[:limit].tolist() if confidence[i] >= 0]
    return [Mistake(text=data.texts[i], gold=[data.labels[j] for j in np.flatnonzero(data.targets[i])],
                    predicted=fired[i], label=names[label[i]],
                    confidence=round(float(confidence[i]), 4)) for i in rows]


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
    """3-class macro-F1, dissatisfied-vs-rest macro-F1 / AUC / recall, and calibration error. Both macro-F1s average
    the classes the rows hold (a class no row holds has no F1 worth averaging: all-dissatisfied rows scored 0.5 read
    perfectly, the absent rest as 0)."""
    predicted = probabilities.argmax(axis=1)
    gold_dis = gold == DISSATISFIED
    pred_dis = predicted == DISSATISFIED
    return SatisfactionReport(
        n=len(gold),
        macro_f1=class_macro_f1(gold, predicted, sorted(set(gold.tolist()))),
        dissatisfied_vs_rest_macro_f1=class_macro_f1(gold_dis, pred_dis, sorted(set(gold_dis.tolist()))),
        dissatisfied_auc=binary_auc(gold_dis, probabilities[:, DISSATISFIED]),
        dissatisfied_recall=float(pred_dis[gold_dis].mean()) if gold_dis.any() else None,
        calibration_error=expected_calibration_error(probabilities, gold),
    )


def satisfaction_mistakes(probabilities: np.ndarray, gold: np.ndarray, texts: Sequence[str], count: int,
                          classes: Sequence[str]) -> list[dict[str, object]]:
    """The ``count`` rows read wrong with the most confidence: the class decided (the most probable; with two
    ``classes``, dissatisfied or the other) is not the gold class (``classes`` index; with two, 0 or 1), most probable
    first. Each: its text, gold and decided class and the decided class's probability."""
    decided = probabilities.argmax(axis=1)
    if len(classes) == 2:  # dissatisfied / other
        decided = (decided != DISSATISFIED).astype(int)
        confidence = np.where(decided == 0, probabilities[:, DISSATISFIED], 1 - probabilities[:, DISSATISFIED])
    else:
        confidence = probabilities.max(axis=1)
    wrong = np.flatnonzero(decided != gold)
    worst = wrong[np.argsort(-confidence[wrong], kind="stable")][:count]
    return [{"confidence": round(float(confidence[i]), 4), "gold": classes[gold[i]], "decided": classes[decided[i]],
             "text": texts[i]} for i in worst]


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


def evaluate_outputs(classifier: EmotionClassifier, raw: RawOutputs, data: LabelledTexts,
                     labels: Sequence[str] | None = None, groupings: Sequence[str] | None = None,
                     mistakes: int = 0) -> ModelReport:
    """Metrics of precomputed model outputs under the classifier's thresholds and groupings, on ``labels`` and
    ``groupings`` of the model (default: all of them; ``data`` may label others, which this model is not scored on).
    Single-label ``data`` adds the confusion matrix, ``mistakes`` the most confident mistakes."""
    schema = classifier.schema
    decided = decide(raw.probabilities, classifier.thresholds.for_labels(schema.labels))
    gold = label_columns(data, schema.labels)
    groups: dict[str, MultilabelReport] = {}
    for grouping in schema.groupings if groupings is None else groupings:
        names = schema.group_names(grouping)
        matrix = group_matrix(schema, grouping)
        group_pred = decide(raw.groups[grouping], classifier.thresholds.for_grouping(grouping, names))
        groups[grouping] = multilabel_report(group_targets(gold, matrix), group_pred, names)
    scored = [schema.labels.index(name) for name in (schema.labels if labels is None else labels)]
    names = [schema.labels[j] for j in scored]
    scores = multilabel_report(gold[:, scored], decided[:, scored], names)
    report = ModelReport(n=len(data.texts), macro_f1=scores["macro_f1"], micro_f1=scores["micro_f1"],
                         per_label=scores["per_label"], labels_without_examples=scores["labels_without_examples"],
                         groups=groups)
    if len(data.texts) and (data.targets.sum(axis=1) == 1).all():
        top = top_decided(raw.probabilities, decided)
        column = {j: i for i, j in enumerate(scored)}
        held = gold[:, scored]  # a row whose gold label is not scored here: under the "(other)" gold row
        report["confusion"] = confusion_matrix(np.where(held.any(axis=1), held.argmax(axis=1), -1),
                                               np.array([column.get(t, -1) for t in top.tolist()]), names)
    if mistakes:
        fired = [[schema.labels[j] for j in np.flatnonzero(row)] for row in decided]
        report["mistakes"] = confident_mistakes(data, gold[:, scored], raw.probabilities[:, scored],
                                                decided[:, scored], names, fired, mistakes)
    return report


def evaluate(classifier: EmotionClassifier, data: LabelledTexts, labels: Sequence[str] | None = None,
             groupings: Sequence[str] | None = None, mistakes: int = 0) -> ModelReport:
    """Run the classifier over ``data`` and report macro/micro F1, per-label P/R/F1, grouped views (see
    :func:`evaluate_outputs`)."""
    return evaluate_outputs(classifier, classifier.raw_outputs(data.texts), data, labels, groupings, mistakes)
