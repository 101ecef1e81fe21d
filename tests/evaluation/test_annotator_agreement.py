"""The second reader's labels belong to corpus rows, and the agreement figures move with disagreement."""

import json

from emotrace.evaluation.annotator_agreement import SECOND_READER_FILE, SecondReading, agreement
from emotrace.training.written_corpus import CorpusRow, read_corpus


def _row(row_id: str, satisfaction: str, intents: tuple[str, ...], topics: tuple[str, ...] = ()) -> CorpusRow:
    return CorpusRow(row_id, f"text {row_id}", "chat", "telecom", satisfaction, intents, topics, (), ())


def test_every_second_reading_names_a_corpus_row_once() -> None:
    ids = [json.loads(line)["id"] for line in SECOND_READER_FILE.read_text(encoding="utf-8").splitlines()]
    assert len(ids) == len(set(ids)) == 1120
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


def test_readers_who_agree_on_one_class_throughout_agree_fully() -> None:
    """Found adding the fourteenth wave (every row dissatisfied): the satisfaction kappa printed "nan" under two
    scikit-learn warnings, as kappa is undefined when one class is all either reader uses."""
    rows = [_row("a", "dissatisfied", ("churn_threat",)), _row("b", "dissatisfied", ())]
    figures = agreement([(r, SecondReading(r.satisfaction, r.intents)) for r in rows])
    assert figures["satisfaction_kappa"] == 1.0


def test_topic_agreement_is_read_only_where_the_second_reader_gave_topics() -> None:
    rows = [_row("a", "neutral", (), ("other",)), _row("b", "satisfied", (), ("product_quality",)),
            _row("c", "neutral", (), ("other",)), _row("d", "dissatisfied", (), ("price", "policy"))]
    without = agreement([(r, SecondReading(r.satisfaction, r.intents)) for r in rows])
    assert "has_topic_kappa" not in without
    read = [(rows[0], SecondReading("neutral", (), ("other",))), (rows[1], SecondReading("satisfied", (), ("other",))),
            (rows[2], SecondReading("neutral", (), ("other",))), (rows[3], SecondReading("dissatisfied", (), ("price",))),
            (_row("e", "neutral", ()), SecondReading("neutral", ()))]
    figures = agreement(read)
    assert figures["topic_rows"] == 4
    assert figures["has_topic_agreement"] == 0.75 and figures["has_topic_kappa"] < 1.0
    assert figures["topic_set_agreement"] == 0.5
