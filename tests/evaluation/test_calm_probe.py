"""The calm-question probe: an evaluation set apart from the training data, read by the shipped model."""

from __future__ import annotations

import re
from collections.abc import Callable

from emotrace.evaluation.calm_probe import CALM, IMPATIENT, main
from emotrace.evaluation.checklist import suite_texts
from emotrace.training.written_corpus import read_corpus


def words(text: str) -> str:
    """A text's words, lower case (a probe text and a corpus or suite text are one when these are)."""
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def test_no_probe_text_is_a_corpus_or_suite_text() -> None:
    probe = {words(t) for t in CALM + IMPATIENT}
    assert len(probe) == len(CALM) + len(IMPATIENT) == 39
    assert not probe & {words(r.text) for r in read_corpus()}
    assert not probe & {words(t) for t in suite_texts()}


def shipped_figures(main: Callable[[], None], pattern: str, monkeypatch, capsys) -> re.Match[str]:
    """What a probe's ``main`` prints for the shipped model (no --model), matched whole by ``pattern``."""
    monkeypatch.setattr("sys.argv", ["probe"])
    main()
    line = capsys.readouterr().out.strip()
    found = re.fullmatch(r".*emotrace-minilm-v1: " + pattern, line)
    assert found, line
    return found


def test_the_probe_prints_each_models_figures(monkeypatch, capsys) -> None:
    found = shipped_figures(main, r"calm \(29\) read dissatisfied (\d+), Ekman anger >= 0\.5 (\d+), >= 0\.7 (\d+); "
                            r"impatient \(10\) read dissatisfied (\d+)", monkeypatch, capsys)
    dissatisfied, anger5, anger7, impatient = map(int, found.groups())
    assert anger7 <= anger5 <= 29 and dissatisfied <= 29
    assert impatient >= 7  # the impatient ones of the same shape are still read as complaints
