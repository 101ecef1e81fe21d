"""``python -m emotrace.evaluation.retrain_example``: the CSV it hands ``emotrace train --data`` is one train accepts."""

from __future__ import annotations

from emotrace.evaluation.retrain_example import write_csv
from emotrace.training.data import distinct_labelled_rows, read_labelled_records

EKMAN = ["anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"]


def test_a_text_the_source_labels_two_ways_keeps_its_first_row_s_labels_and_is_counted(tmp_path) -> None:
    """Found by a review: `--rows 10000` failed with E325 (GoEmotions holds one text as several comments, labelled by
    other raters: in the Ekman train split 37 texts, 49 rows labelled otherwise than their text's first) once `train
    --data` refused a text labelled two ways. A row whose text (as the model reads it) came earlier with other labels is
    dropped and counted; same-label repeats are left to train, which merges them and says so."""
    tsv = tmp_path / "train.tsv"
    tsv.write_text("I am so angry\t0\tc1\nWow, really\t6\tc2\ni am  so angry\t0,3\tc3\nI AM SO ANGRY\t4\tc4\n"
                   "wow, really\t6\tc5\nNice one\t3\tc6\n", encoding="utf-8")
    target = tmp_path / "train.csv"
    assert write_csv(tsv, EKMAN, target, None) == (5, 1)  # rows written, rows dropped
    kept, merged = distinct_labelled_rows(read_labelled_records(target, "text", "labels"), target)  # no E325
    assert kept.texts == ["I am so angry", "Wow, really", "I AM SO ANGRY", "Nice one"] and merged == 1
    assert [kept.labels[i] for i in kept.targets[0].nonzero()[0]] == ["anger"]  # the first row's labels
    assert write_csv(tsv, EKMAN, target, 3) == (2, 1)  # --rows counts the source rows read
    assert write_csv(tsv, EKMAN, target, None, drop_conflicts=False) == (6, 0)  # the dev file: scored whole
