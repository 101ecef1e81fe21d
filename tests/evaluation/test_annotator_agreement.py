"""The second reader's labels belong to corpus rows, and the agreement figures move with disagreement."""

import json

from emotrace.evaluation.annotator_agreement import SECOND_READER_FILE, SecondReading, agreement
from emotrace.training.written_corpus import CorpusRow, read_corpus


def _row(row_id: str, satisfaction: str, intents: tuple[str, ...]) -> CorpusRow:
    return CorpusRow(row_id, f"text {row_id}", "chat", "telecom", satisfaction, intents, (), (), ())


def test_every_second_reading_names_a_corpus_row_once() -> None:
    ids = [json.loads(line)["id"] for line in SECOND_READER_FILE.read_text(encoding="utf-8").splitlines()]
    assert len(ids) == len(set(ids)) == 480
    assert set(ids) <= {row.id for row in read_corpus()}


def test_agreement_falls_when_the_readers_differ() -> None:
    rows = [_row("a", "dissatisfied", ("churn_threat",)), _row("b", "neutral", ()), _row("c", "satisfied", ()),
            _row("d", "dissatisfied", ("refund_request",))]
    same = [(r, SecondReading(r.satisfaction, r.intents)) for r in rows]
    assert agreement(same)["satisfaction_kappa"] == agreement(same)["churn_threat_kappa"] == 1.0
    differ = [*same[:3], (rows[3], SecondReading("neutral", ("churn_threat",)))]
    figures = agreement(differ)
    assert figures["intent_set_agreement"] == 0.75
    assert figures["satisfaction_kappa"] < 1.0 and figures["churn_threat_kappa"] < 1.0
    assert figures["refund_request_kappa"] == 0.0
