"""The written customer-service rows: apart from the behavioural suite that measures them, balanced, and turned
into distillation targets that carry their class."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from emotrace.evaluation.checklist import suite_texts
from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.paths import DEFAULT_MODEL_DIR
from emotrace.training.distill import GOLD_WEIGHT, WRITTEN_VALENCE, written_task
from emotrace.training.phenomena import FAMILY_ROWS, SLOTS, balanced, phenomena_rows
from emotrace.training.satisfaction_data import DISSATISFIED, NEUTRAL, SATISFIED


def _four_grams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def test_no_written_row_shares_four_words_with_a_suite_case() -> None:
    suite_grams = set().union(*(_four_grams(text) for text in suite_texts()))
    shared = {row.text: _four_grams(row.text) & suite_grams for row in phenomena_rows()}
    assert not {text: grams for text, grams in shared.items() if grams}


def test_rows_are_distinct_stable_and_every_class_has_counter_examples() -> None:
    rows = phenomena_rows()
    assert [r.text for r in rows] == [r.text for r in phenomena_rows()]
    assert len({r.text for r in rows}) == len(rows) > 500
    assert not [r.text for r in rows if "{" in r.text]
    classes = Counter(r.satisfaction for r in rows)
    assert min(classes[c] for c in (DISSATISFIED, NEUTRAL, SATISFIED)) >= 60
    opener = {r.satisfaction for r in rows if r.text.startswith(("Fantastic,", "Great job,"))}
    assert opener == {DISSATISFIED, SATISFIED}  # the same praise opener, sincere and sarcastic
    assert {e for r in rows for e in r.emotions} <= set(GOEMOTIONS_LABELS)


def test_slot_values_do_not_go_with_one_class() -> None:
    rows = phenomena_rows()
    for slot in ("amount", "order", "name"):
        for value in SLOTS[slot]:
            classes = {r.satisfaction for r in rows if value in r.text}
            assert len(classes) >= 2, (slot, value, classes)


def test_balanced_gives_every_family_about_the_same_weight() -> None:
    weights = Counter(r.family for r in balanced(phenomena_rows()))
    assert min(weights.values()) >= FAMILY_ROWS * 0.7 and max(weights.values()) <= FAMILY_ROWS * 1.6


def test_written_targets_carry_the_class_the_emotions_and_a_matching_valence() -> None:
    rows = [r for r in phenomena_rows() if r.family in ("sarcasm", "plain question")][:40]
    texts, targets = written_task(DEFAULT_MODEL_DIR, rows)
    labels = len(GOEMOTIONS_LABELS)
    assert texts == [r.text for r in rows] and targets.shape == (len(rows), labels + 5)
    for row, target in zip(rows, targets, strict=True):
        assert np.argmax(target[labels : labels + 3]) == row.satisfaction and target[labels : labels + 3].sum() == 1
        for emotion in row.emotions:
            assert target[GOEMOTIONS_LABELS.index(emotion)] >= GOLD_WEIGHT
        if row.satisfaction in WRITTEN_VALENCE:
            assert target[labels + 3] == WRITTEN_VALENCE[row.satisfaction]
        assert 0.0 <= target[labels + 4] <= 1.0
