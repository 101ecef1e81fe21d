"""Clauses: where a message's feeling can turn."""

from __future__ import annotations

import pytest

from emotrace.text.clauses import split_clauses


@pytest.mark.parametrize(("text", "clauses"), [
    ("the food was great but the delivery was an hour late", ["the food was great", "but the delivery was an hour late"]),
    ("Love the app. Billing is a mess; charged twice!", ["Love the app.", "Billing is a mess;", "charged twice!"]),
    ("Nice staff, though the room was dirty", ["Nice staff,", "though the room was dirty"]),
    ("The engineer was lovely, however the fault is back", ["The engineer was lovely,", "however the fault is back"]),
    ("Everything fine apart from the hold music", ["Everything fine", "apart from the hold music"]),
])
def test_a_message_is_cut_where_it_turns(text: str, clauses: list[str]) -> None:
    assert split_clauses(text) == clauses


@pytest.mark.parametrize("text", [
    "The billing though is a mess",  # "though" without a comma is an adverb
    "Not only fast but also cheap",  # "but also" joins, it does not contrast
    "Great, but",  # a one-word piece stays with its neighbour
    "I was waiting while they fixed it",
    "hi",
])
def test_no_cut_without_a_turn(text: str) -> None:
    assert split_clauses(text) == [text]


def test_every_clause_is_a_piece_of_the_text() -> None:
    text = "Booking was easy. The room, sadly, was tiny; but breakfast was superb except the coffee."
    clauses = split_clauses(text)
    assert len(clauses) >= 3
    assert all(clause in text for clause in clauses)


def test_an_empty_text_is_one_empty_clause() -> None:
    assert split_clauses("   ") == [""]


def test_a_short_piece_joins_its_neighbour_as_the_text_has_them() -> None:
    text = "charged twice\r\nbut\r\ndelivery great\r\n"
    clauses = split_clauses(text)
    assert all(clause in text for clause in clauses) and "".join(clauses).replace("\r\n", "") == "charged twicebutdelivery great"
