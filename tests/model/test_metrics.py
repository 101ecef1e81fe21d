"""The scorecard's pure parts: macro-F1 over the labels present, the confusion matrix, the most confident mistakes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score

from emotrace.model.labelled import LabelledTexts
from emotrace.model.metrics import (
    class_macro_f1,
    confident_mistakes,
    confusion_matrix,
    label_columns,
    multilabel_report,
)

NAMES = ["anger", "joy", "fear", "grief"]


def test_macro_f1_averages_the_labels_with_examples_and_lists_the_others() -> None:
    """Two of four labels have rows, both read perfectly: macro-F1 1.0, not 0.5 (averaged over two empty labels)."""
    gold = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]])
    report = multilabel_report(gold, gold.copy(), NAMES)
    assert report["macro_f1"] == 1.0
    assert report["labels_without_examples"] == ["fear", "grief"]
    predicted = gold.copy()
    predicted[1, 2] = 1  # a label without examples fired: counts in micro-F1 and its precision, not in macro-F1
    report = multilabel_report(gold, predicted, NAMES)
    assert report["macro_f1"] == 1.0 and report["micro_f1"] < 1.0 and report["per_label"]["fear"]["f1"] == 0.0


def test_the_confusion_matrix_counts_gold_against_top_label_and_other() -> None:
    gold = np.array([0, 0, 1, 1, 1])
    top = np.array([0, 1, 1, 1, -1])  # -1: a label outside the ones scored
    matrix = confusion_matrix(gold, top, NAMES)
    assert matrix == {"labels": ["anger", "joy", "(other)"], "counts": [[1, 1, 0], [0, 2, 1], [0, 0, 0]]}


def test_the_most_confident_mistakes_come_first_and_misses_alone_are_not_listed() -> None:
    data = LabelledTexts(["a", "b", "c", "d"], np.array([[1, 0], [1, 0], [0, 1], [1, 1]], dtype=np.float32),
                         ("anger", "joy"))
    gold = label_columns(data, ["anger", "joy"])
    probabilities = np.array([[0.9, 0.6], [0.2, 0.95], [0.8, 0.1], [0.9, 0.1]])
    decided = np.array([[1, 1], [0, 1], [1, 0], [1, 0]], dtype=bool)  # d misses joy: no wrong label fired
    fired = [["anger", "joy"], ["joy"], ["anger"], ["anger"]]
    mistakes = confident_mistakes(data, gold, probabilities, decided, ["anger", "joy"], fired, 5)
    assert [(m["text"], m["label"], m["confidence"]) for m in mistakes] == [("b", "joy", 0.95), ("c", "anger", 0.8),
                                                                             ("a", "joy", 0.6)]
    assert mistakes[0]["gold"] == ["anger"] and mistakes[0]["predicted"] == ["joy"]
    assert len(confident_mistakes(data, gold, probabilities, decided, ["anger", "joy"], fired, 1)) == 1


def test_gold_columns_of_labels_the_data_does_not_name_are_empty() -> None:
    data = LabelledTexts(["a", "b"], np.array([[1, 0], [0, 1]], dtype=np.float32), ("joy", "refund_request"))
    assert label_columns(data, ["anger", "joy"]).tolist() == [[0, 1], [0, 0]]


def test_one_label_is_scored_as_that_label_not_as_two_classes() -> None:
    """Found by a review: one label's (rows, 1) column was read by scikit-learn as a binary target of two classes, so
    the per-label figures had two entries for one name (a ValueError) and the macro-F1 averaged in the rows without
    the label. One column is one label, scored as it is among several."""
    gold = np.array([[1], [1], [0], [0]])
    predicted = np.array([[1], [0], [0], [1]])
    report = multilabel_report(gold, predicted, ["refund_request"])
    assert report["per_label"] == {"refund_request": {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}}
    assert report["macro_f1"] == report["micro_f1"] == 0.5
    wide = multilabel_report(np.hstack([gold, 1 - gold]), np.hstack([predicted, predicted]), ["refund_request", "x"])
    assert wide["per_label"]["refund_request"] == report["per_label"]["refund_request"]


@pytest.mark.parametrize("seed", range(6))
def test_class_macro_f1_is_scikit_learns(seed: int) -> None:
    """The bootstrap of `emotrace adapt` scores a thousand resamples per head: scikit-learn's checks took 32 of its
    38 s in a test; the numpy count must give scikit-learn's figure (classes of the rows, or those of either side)."""
    rng = np.random.default_rng(seed)
    gold, predicted = rng.integers(0, 3, 40), rng.integers(0, 3, 40)
    gold[gold == seed % 3] = (seed + 1) % 3  # a class no row holds, predicted all the same
    labels = sorted(set(gold.tolist()))
    assert class_macro_f1(gold, predicted, labels) == pytest.approx(
        f1_score(gold, predicted, labels=labels, average="macro", zero_division=0), abs=1e-12)
    assert class_macro_f1(gold == 0, predicted == 0) == pytest.approx(
        f1_score(gold == 0, predicted == 0, average="macro", zero_division=0), abs=1e-12)
    assert class_macro_f1(np.zeros(5, bool), np.zeros(5, bool)) == f1_score(
        np.zeros(5, bool), np.zeros(5, bool), average="macro", zero_division=0)
