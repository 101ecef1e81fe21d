"""The written customer-service corpus: well-formed, varied, free of near-duplicates, apart from the behavioural
suite, and its test split never trained on."""

from __future__ import annotations

import json

import pytest

from emotrace.errors import EmotraceError
from emotrace.evaluation.checklist import suite_texts
from emotrace.model.labels import INTENT_LABELS
from emotrace.training.recipe import customer_data, customer_tasks
from emotrace.training.written_corpus import (
    CHANNELS,
    PHENOMENA,
    datasheet_counts,
    parse_row,
    read_corpus,
    shared_runs,
    short_copies,
)


@pytest.fixture(scope="module")
def rows():
    return read_corpus()


def test_the_corpus_is_large_and_varied(rows) -> None:
    counts = datasheet_counts(rows)
    assert len(rows) >= 4000
    assert len(counts["industry"]) >= 10
    assert set(counts["channel"]) == set(CHANNELS)
    assert all(counts["phenomena"][name] >= 100 for name in PHENOMENA), counts["phenomena"]
    assert all(counts["intents"][name] >= 100 for name in INTENT_LABELS), counts["intents"]
    assert len({r.id for r in rows}) == len(rows)


def test_no_two_rows_share_a_run_of_six_words(rows) -> None:
    clashes = shared_runs([r.text for r in rows])
    assert not [(rows[i].id, run) for i, run in clashes]


def test_no_row_shares_a_run_of_six_words_with_the_behaviour_suite(rows) -> None:
    clashes = shared_runs([r.text for r in rows], suite_texts())
    assert not [(rows[i].id, run) for i, run in clashes]


def test_no_row_repeats_a_short_case_of_the_behaviour_suite(rows) -> None:
    """Found by a review: suite cases under six words share no run, so "escalate this please" (a dev row's words)
    and "Cancel my account. Now." (a train row's and one word) passed the check above."""
    clashes = short_copies([r.text for r in rows], suite_texts())
    assert not [(rows[i].id, case) for i, case in clashes]


def test_a_short_copy_is_found() -> None:
    suite = ["escalate this please", "Cancel my account. Now.", "😤 again?!"]
    assert [case for _, case in short_copies(["Escalate this please.", "cancel my account.", "hi again!", "🙏"],
                                             suite)] == ["escalate this please", "Cancel my account. Now."]


def test_a_shared_run_is_found() -> None:
    """The overlap check itself: a suite case copied into a row is caught, a paraphrase is not."""
    suite = ["Unless this is fixed by Friday I'm moving to a different network."]
    assert shared_runs(["ok so unless this is fixed by friday i'm off"], suite)
    assert not shared_runs(["If it's not fixed by the weekend I will change network."], suite)


def test_the_test_split_is_a_fifth_and_never_trained_on(rows, data_root) -> None:
    test = {r.text for r in rows if r.split == "test"}
    assert 0.15 <= len(test) / len(rows) <= 0.25
    train = read_corpus(split="train")
    tasks = customer_tasks(customer_data(data_root, train, seed=13), train, seed=13)
    trained = {text for task in tasks.values() for text in task.texts}
    assert not test & trained
    assert not {r.text for r in rows if r.split == "dev"} & trained


@pytest.mark.parametrize(("change", "message"), [
    ({"channel": "fax"}, "channel 'fax'"),
    ({"intents": ["churn"]}, "intents ['churn']"),
    ({"emotions": []}, "emotions [] must be a list"),
    ({"text": "  "}, "'text' is empty"),
])
def test_a_bad_row_is_refused_naming_the_field(change: dict[str, object], message: str) -> None:
    good = {"id": "x-1", "text": "Where is my parcel?", "channel": "chat", "industry": "parcel",
            "satisfaction": "neutral", "intents": [], "topics": ["delivery"], "emotions": ["curiosity"],
            "phenomena": ["inquiry"]}
    assert parse_row(json.loads(json.dumps(good)), "a.jsonl line 1").text == "Where is my parcel?"
    with pytest.raises(EmotraceError, match="E320") as caught:
        parse_row({**good, **change}, "a.jsonl line 7")
    assert "a.jsonl line 7" in str(caught.value) and message in str(caught.value)
