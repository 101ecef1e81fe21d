"""Outcomes as users record them: customer events (churned, renewed, upgraded, complaint escalated) and
conversation ratings (CSAT 1-5, resolved yes/no), each with the date it happened.

One validating model serves the HTTP API and ``emotrace outcomes import``; a file's bad rows are named with the
reason, never dropped silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from emotrace.messages import Identifier
from emotrace.settings import Settings, stored_id
from emotrace.store.outcomes import NewOutcome
from emotrace.times import iso_8601, utc_timestamp


class OutcomeKind(StrEnum):
    """What happened."""

    churned = "churned"
    renewed = "renewed"
    upgraded = "upgraded"
    complaint_escalated = "complaint_escalated"
    csat = "csat"  # a conversation's satisfaction rating, 1-5
    resolved = "resolved"  # whether a conversation's issue was resolved, 1 (yes) or 0 (no)


EVENT_KINDS = (OutcomeKind.churned, OutcomeKind.renewed, OutcomeKind.upgraded, OutcomeKind.complaint_escalated)
PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # a rating as a spreadsheet writes it
RATING_RANGES = {OutcomeKind.csat: (1.0, 5.0), OutcomeKind.resolved: (0.0, 1.0)}
YES_NO = {"yes": 1.0, "true": 1.0, "y": 1.0, "no": 0.0, "false": 0.0, "n": 0.0}


class OutcomeIn(BaseModel):
    """One outcome: a customer event, or a conversation's rating (``conversation_id`` and ``value`` required)."""

    model_config = ConfigDict(extra="forbid")

    customer_id: Identifier
    kind: OutcomeKind
    at: datetime = Field(description="When it happened (ISO 8601; naive means UTC); not in the future.")
    conversation_id: str | None = Field(None, min_length=1, max_length=128, description="For csat and resolved.")
    value: float | None = Field(None, description="csat: 1-5; resolved: 1 (yes) or 0 (no); events: none.")

    @field_validator("at", mode="before")
    @classmethod
    def iso_time(cls, value: object) -> object:
        """ISO 8601 only: a number is refused (not read as seconds since 1970)."""
        return iso_8601(value)

    @field_validator("at")
    @classmethod
    def in_the_past(cls, value: datetime) -> datetime:
        """Aware UTC, between 1970 and now."""
        return utc_timestamp(value, "at")

    @field_validator("value", mode="before")
    @classmethod
    def yes_no(cls, value: object, info: ValidationInfo) -> object:
        """A resolved flag may be written yes/no or true/false (a JSON boolean too); an empty cell is no value."""
        flag = value if isinstance(value, bool) else YES_NO.get(value.strip().lower()) if isinstance(value, str) else None
        if flag is not None and info.data.get("kind") is not OutcomeKind.resolved:
            raise ValueError(f"yes/no is a resolved outcome's value; a csat outcome is a number of stars (1 to 5), "
                             f"an event has no value (got {json.dumps(value)})")
        if isinstance(value, str):
            text = value.strip().lower()
            if text and text not in YES_NO and not PLAIN_NUMBER.fullmatch(text):  # "0_4", "+4", "1e0": not a rating
                raise ValueError(f"{json.dumps(value)} is not a number written with digits (and a decimal point)")
            return None if not text else YES_NO.get(text, text)
        return value

    @field_validator("value")
    @classmethod
    def whole_stars(cls, value: float | None, info: ValidationInfo) -> float | None:
        """A csat rating is a whole number of stars (3.5 is no point on the 1-5 scale)."""
        if value is not None and info.data.get("kind") is OutcomeKind.csat and not value.is_integer():
            raise ValueError(f"a csat outcome is rated in whole stars: give a whole number of 1 to 5, not {value}")
        return value

    @field_validator("conversation_id", mode="before")
    @classmethod
    def empty_is_none(cls, value: object) -> object:
        """An empty CSV cell is no conversation; NUL characters are refused (no database stores them)."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("conversation_id contains a NUL character")
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("conversation_id")
    @classmethod
    def rated_only(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Only a rating names a conversation: an event is the customer's (with a conversation, the same event would
        be stored once more)."""
        kind = info.data.get("kind")
        if value is not None and kind in EVENT_KINDS:
            raise ValueError(f"a {kind.value} event is the customer's: only a csat or resolved outcome names a "
                             f"conversation")
        return value

    @model_validator(mode="after")
    def fits_its_kind(self) -> Self:
        """Events carry no value; ratings need their conversation and a value in range."""
        if self.kind in RATING_RANGES:
            low, high = RATING_RANGES[self.kind]
            if self.conversation_id is None:
                raise ValueError(f"a {self.kind.value} outcome needs the conversation_id it rates")
            if self.value is None or not low <= self.value <= high or (self.kind is OutcomeKind.resolved
                                                                       and self.value not in (0.0, 1.0)):
                allowed = "1 to 5" if self.kind is OutcomeKind.csat else "1 (yes) or 0 (no)"
                raise ValueError(f"a {self.kind.value} outcome needs a value of {allowed}, not {self.value}")
        elif self.value is not None:
            raise ValueError(f"a {self.kind.value} event has no value (got {self.value})")
        return self


REQUIRED_COLUMNS = tuple(name for name, field in OutcomeIn.model_fields.items() if field.is_required())
OUTCOME_COLUMNS = tuple(OutcomeIn.model_fields)  # a file's other columns are not read (and said so)


def stored_outcome(outcome: OutcomeIn, settings: Settings) -> NewOutcome:
    """The outcome as the store keeps it: customer and conversation ids pseudonymised where the settings say so (an
    id given as the pseudonym the service lists is taken as it is, as paths take it)."""
    return NewOutcome(stored_id(outcome.customer_id, settings), outcome.kind.value, outcome.at,
                      stored_id(outcome.conversation_id, settings) if outcome.conversation_id else "", outcome.value)


@dataclass(frozen=True)
class RowProblem:
    """A row that was not stored, and why."""

    row: int
    reason: str


def parse_rows(rows: Iterable[tuple[int, dict[str, object] | None, str | None]]
               ) -> tuple[list[tuple[int, OutcomeIn]], list[RowProblem]]:
    """Validate numbered file rows (number, fields or None, read error): the good outcomes, and every bad row with
    its reason (a wrong kind names the kinds; a future date says so)."""
    good: list[tuple[int, OutcomeIn]] = []
    problems: list[RowProblem] = []
    for number, fields, error in rows:
        if fields is None:
            problems.append(RowProblem(number, error or "unreadable row"))
            continue
        try:
            good.append((number, OutcomeIn.model_validate(ids_as_text(fields))))
        except ValidationError as exc:
            problems.append(RowProblem(number, describe(exc)))
    return good, problems


ID_COLUMNS = ("customer_id", "conversation_id")


def ids_as_text(fields: dict[str, object]) -> dict[str, object]:
    """A file row's integer ids (a Parquet int64 column, a JSON number) as text, as ``customers import``, ``outreach``
    and ``batch --ingest`` read them (``cell_text``); a boolean or a float stays as it is, and is refused."""
    from emotrace.tabular import cell_text  # here: the API validates bodies with OutcomeIn and reads no files

    return {key: cell_text(value) if key in ID_COLUMNS and isinstance(value, int) and not isinstance(value, bool)
            else value for key, value in fields.items()}


def describe(exc: ValidationError) -> str:
    """A validation error in one line: each bad field and what is wrong with it."""
    parts = []
    for error in exc.errors():
        field = ".".join(str(x) for x in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "enum":
            message = f"unknown kind {error['input']!r}; kinds: {', '.join(k.value for k in OutcomeKind)}"
        parts.append(f"{field}: {message}" if field and not message.startswith(field) else message)
    return "; ".join(parts)
