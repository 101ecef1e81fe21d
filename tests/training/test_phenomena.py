"""The written customer-service rows stay apart from the behavioural suite that measures them."""

from __future__ import annotations

import re

from evaluation.checklist import DIR_CASES, INV_CASES, MFT_CASES
from training.phenomena import phenomena_rows
from training.satisfaction_data import DISSATISFIED, NEUTRAL, SATISFIED


def _four_grams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def test_no_written_row_shares_four_words_with_a_suite_case() -> None:
    suite = [text for _, text, _ in MFT_CASES] + [t.format(f) for _, t, fillers in INV_CASES for f in fillers]
    suite += [text for pair in DIR_CASES for text in pair]
    suite_grams = set().union(*(_four_grams(text) for text in suite))
    texts, _ = phenomena_rows()
    shared = {text: _four_grams(text) & suite_grams for text in texts}
    assert not {text: grams for text, grams in shared.items() if grams}


def test_every_class_has_counter_examples() -> None:
    texts, classes = phenomena_rows()
    assert len(texts) == len(set(texts)) == len(classes)
    assert {classes.count(c) >= 40 for c in (DISSATISFIED, NEUTRAL, SATISFIED)} == {True}
    assert any(t.startswith("Oh great") and c == SATISFIED for t, c in zip(texts, classes, strict=True))
    assert any(t.startswith("Oh great") and c == DISSATISFIED for t, c in zip(texts, classes, strict=True))
