"""Scoring a model on a labelled file: labels, grouped views (Ekman, sentiment) and their F1."""

from __future__ import annotations

from evaluation.metrics import multilabel_report
from service.model.classifier import EmotionClassifier, RawOutputs
from service.model.decision import decide, group_matrix, group_targets
from training.data import LabelledTexts


def evaluate_outputs(classifier: EmotionClassifier, raw: RawOutputs, data: LabelledTexts) -> dict[str, object]:
    """Metrics of precomputed model outputs under the classifier's thresholds and groupings."""
    schema = classifier.schema
    predicted = decide(raw.probabilities, classifier.thresholds.for_labels(schema.labels))
    report: dict[str, object] = {"n": len(data.texts), **multilabel_report(data.targets, predicted, schema.labels)}
    for grouping in schema.groupings:
        names = schema.group_names(grouping)
        matrix = group_matrix(schema, grouping)
        group_pred = decide(raw.groups[grouping], classifier.thresholds.for_grouping(grouping, names))
        grouped = multilabel_report(group_targets(data.targets, matrix), group_pred, names)
        report[f"{grouping}_macro_f1"] = grouped["macro_f1"]
        report[f"{grouping}_per_label"] = grouped["per_label"]
    return report


def evaluate(classifier: EmotionClassifier, data: LabelledTexts) -> dict[str, object]:
    """Run the classifier over ``data`` and report macro/micro F1, per-label P/R/F1, grouped views."""
    return evaluate_outputs(classifier, classifier.raw_outputs(data.texts), data)
