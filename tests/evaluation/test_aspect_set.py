"""The hand-written aspect set: valid, evaluation only, and sharing nothing with the corpus or the behaviour suite."""

from __future__ import annotations

import json

from emotrace.evaluation.checklist import suite_texts
from emotrace.evaluation.topics import ASPECTS_FILE, read_aspect_set
from emotrace.training.written_corpus import TOPICS, read_corpus, shared_runs

ROWS = [json.loads(line) for line in ASPECTS_FILE.read_text(encoding="utf-8").splitlines()]


def test_every_aspect_names_a_topic_a_feeling_and_a_piece_of_its_message() -> None:
    assert len(ROWS) >= 320 and len({r["id"] for r in ROWS}) == len(ROWS)
    for row in ROWS:
        topics = [a["topic"] for a in row["aspects"]]
        assert len(set(topics)) == len(topics), row["id"]
        for aspect in row["aspects"]:
            assert aspect["topic"] in TOPICS and aspect["satisfaction"] in {"satisfied", "neutral", "dissatisfied"}
            assert aspect["span"] in row["text"], row["id"]
    mixed = sum(len({a["satisfaction"] for a in r["aspects"]}) > 1 for r in ROWS)
    assert mixed >= 150  # the point of the set: messages that feel two ways


def test_the_set_shares_no_six_word_run_with_itself_the_corpus_or_the_suite() -> None:
    texts = [r["text"] for r in ROWS]
    assert shared_runs(texts) == []
    assert shared_runs(texts, [r.text for r in read_corpus()]) == []
    assert shared_runs(texts, suite_texts()) == []


def test_the_halves_split_the_set_by_text() -> None:
    dev, test = read_aspect_set("dev"), read_aspect_set("test")
    assert len(dev[0]) + len(test[0]) == len(ROWS) and not set(dev[0]) & set(test[0])
    assert min(len(dev[0]), len(test[0])) >= 150


def test_the_travel_industries_are_industries_of_the_corpus() -> None:
    """Found by a review: "airlines" named no corpus row, so the airline + rail NMI read rail rows alone."""
    from emotrace.evaluation.topics import TRAVEL
    from emotrace.training.written_corpus import read_corpus

    assert set(TRAVEL) <= {row.industry for row in read_corpus()}
