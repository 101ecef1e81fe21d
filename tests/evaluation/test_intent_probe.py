"""The blind intent probe: an evaluation set apart from the training data, read by the shipped model."""

from __future__ import annotations

from emotrace.evaluation.checklist import suite_texts
from emotrace.evaluation.intent_probe import INTENTS, LOOKALIKES, main
from emotrace.model.labels import INTENT_LABELS
from emotrace.training.written_corpus import read_corpus
from tests.evaluation.test_calm_probe import shipped_figures, words


def test_no_probe_text_is_a_corpus_or_suite_text_and_every_intent_is_asked_for() -> None:
    probe = {words(t) for t in [*LOOKALIKES, *(text for text, _ in INTENTS)]}
    assert len(probe) == len(LOOKALIKES) + len(INTENTS) == 80
    assert not probe & {words(r.text) for r in read_corpus()}
    assert not probe & {words(t) for t in suite_texts()}
    assert all(gold and set(gold) <= set(INTENT_LABELS) for _, gold in INTENTS)
    assert {intent: sum(intent in gold for _, gold in INTENTS) for intent in INTENT_LABELS} == dict.fromkeys(
        INTENT_LABELS, 12)


def test_the_probe_prints_each_models_figures(monkeypatch, capsys) -> None:
    found = shipped_figures(main, r"look-alikes \(40\) given an intent (\d+); intent messages \(40\) with their exact "
                            r"set (\d+); recall (.*)", monkeypatch, capsys)
    lookalikes, exact = int(found.group(1)), int(found.group(2))
    assert lookalikes <= 6 and exact >= 34  # the bar: the exact intent set right for 85 % or more
    assert [part.split()[0] for part in found.group(3).split(", ")] == list(INTENT_LABELS)
