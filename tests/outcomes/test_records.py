"""Outcome rows as users write them: every bad row named with its reason, good rows normalised."""

from __future__ import annotations

from datetime import UTC, datetime

from emotrace.outcomes.records import OutcomeKind, parse_rows


def test_good_rows_from_a_csv_are_normalised() -> None:
    rows = [(1, {"customer_id": "ann", "kind": "churned", "at": "2026-11-20", "conversation_id": "", "value": ""}, None),
            (2, {"customer_id": "ann", "kind": "csat", "at": "2026-11-21T09:00:00+01:00", "conversation_id": "c1",
                 "value": "4"}, None),
            (3, {"customer_id": "bob", "kind": "resolved", "at": "2026-11-22", "conversation_id": "c2", "value": "no"},
             None)]
    good, problems = parse_rows(rows)
    assert problems == []
    assert [(n, o.kind, o.value, o.conversation_id) for n, o in good] == [
        (1, OutcomeKind.churned, None, None), (2, OutcomeKind.csat, 4.0, "c1"), (3, OutcomeKind.resolved, 0.0, "c2")]
    assert good[1][1].at == datetime(2026, 11, 21, 8, tzinfo=UTC)


def test_each_bad_row_is_named_with_its_reason() -> None:
    rows = [(1, {"customer_id": "ann", "kind": "refund", "at": "2026-11-20"}, None),
            (2, {"customer_id": "ann", "kind": "churned", "at": "2031-01-01"}, None),
            (3, {"customer_id": "ann", "kind": "csat", "at": "2026-11-20", "value": "4"}, None),
            (4, {"customer_id": "ann", "kind": "csat", "at": "2026-11-20", "conversation_id": "c", "value": "6"}, None),
            (5, {"customer_id": "ann", "kind": "renewed", "at": "2026-11-20", "value": "3"}, None),
            (6, {"customer_id": "ann", "kind": "resolved", "at": "2026-11-20", "conversation_id": "c", "value": "maybe"},
             None),
            (7, {"customer_id": "ann", "kind": "churned", "at": "last week"}, None),
            (8, None, "line 8 is not valid JSON: expecting value at column 1"),
            (9, {"customer_id": "a b", "kind": "churned", "at": "2026-11-20"}, None)]
    good, problems = parse_rows(rows)
    assert good == []
    reasons = {p.row: p.reason for p in problems}
    assert reasons[1].startswith("kind: unknown kind 'refund'; kinds: churned,")
    assert reasons[2] == "at is in the future"
    assert "needs the conversation_id" in reasons[3]
    assert "needs a value of 1 to 5, not 6.0" in reasons[4]
    assert "renewed event has no value" in reasons[5]
    assert reasons[6].startswith("value:")
    assert reasons[7].startswith("at:")
    assert reasons[8] == "line 8 is not valid JSON: expecting value at column 1"
    assert reasons[9].startswith("customer_id:")


def test_integer_ids_are_read_as_text_but_not_booleans_or_fractions() -> None:
    """Found by a review: a Parquet int64 or JSON number customer_id was refused ("Input should be a valid string")
    where every other reader of a file takes it as text; a boolean or a float stays refused (no id is written so)."""
    rows = [(1, {"customer_id": 101, "kind": "csat", "at": "2026-11-20", "conversation_id": 7, "value": 4}, None),
            (2, {"customer_id": True, "kind": "churned", "at": "2026-11-20"}, None),
            (3, {"customer_id": 101.0, "kind": "churned", "at": "2026-11-20"}, None),
            (4, {"customer_id": "ann", "kind": "csat", "at": "2026-11-20", "conversation_id": False, "value": 4},
             None)]
    good, problems = parse_rows(rows)
    assert [(n, o.customer_id, o.conversation_id) for n, o in good] == [(1, "101", "7")]
    assert [p.row for p in problems] == [2, 3, 4]
    assert all(p.reason.startswith(("customer_id:", "conversation_id:")) for p in problems), problems


def test_a_rating_written_with_underscores_or_signs_is_refused_not_read_as_another_number() -> None:
    """Found by a review: a csat cell "0_4" was read as 4 stars and "4_0" refused as "not 40.0" (Python's number
    syntax, not a spreadsheet's), as was "+4". A value is digits, with a decimal point at most (spaces around it
    aside)."""
    def row(number: int, value: str) -> tuple[int, dict[str, object], None]:
        return number, {"customer_id": "ann", "kind": "csat", "at": "2026-11-20", "conversation_id": "c",
                        "value": value}, None

    good, problems = parse_rows([row(1, "0_4"), row(2, "4_0"), row(3, "+4"), row(4, " 4 "), row(5, "4.0"), row(6, "1e0")])
    assert [n for n, _ in good] == [4, 5]
    assert {p.row: p.reason.startswith("value:") for p in problems} == {1: True, 2: True, 3: True, 6: True}, problems
