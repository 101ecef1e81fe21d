"""Corrections from the floor: the rules of a correction (names of the served model's label schema), and the rows
``emotrace adapt`` learns from (a text and its right labels, comma-separated)."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from emotrace.errors import EmotraceError
from emotrace.model.labels import SATISFACTION_CLASSES, LabelSchema
from emotrace.store import Store
from emotrace.store.corrections import NewCorrection
from emotrace.store.tables import Correction
from emotrace.times import utc

TRAINING_COLUMNS = ("text", "labels", "message_id", "corrected_by", "corrected_at")
NEUTRAL = "neutral"  # an emotion label and a satisfaction class alike


@dataclass(frozen=True)
class TrainingRow:
    """One corrected message as ``emotrace adapt`` reads it (``text``, ``labels``) and where it came from."""

    text: str
    labels: str  # the satisfaction class, emotion labels, intents and topics, comma-separated
    message_id: int
    corrected_by: str
    corrected_at: str


def unknown_names(correction: NewCorrection, schema: LabelSchema) -> dict[str, list[str]]:
    """Per field, the names of ``correction`` that ``schema`` (or the satisfaction classes) does not have."""
    known = {"satisfaction_class": SATISFACTION_CLASSES, "labels": schema.labels, "intents": schema.intents,
             "topics": schema.topics}
    given = {"satisfaction_class": [correction.satisfaction_class] if correction.satisfaction_class else [],
             "labels": correction.labels or [], "intents": correction.intents or [], "topics": correction.topics or []}
    return {field: bad for field, names in given.items() if (bad := [n for n in names if n not in known[field]])}


def correct_message(store: Store, schema: LabelSchema, message_id: int, correction: NewCorrection) -> Correction:
    """Store ``correction`` of message ``message_id``: E918 naming the names ``schema`` does not have, E905 when the
    message is not stored (never was, or was erased). Nothing is written on either."""
    if unknown := unknown_names(correction, schema):
        listed = "; ".join(f"{field}: {', '.join(names)}" for field, names in unknown.items())
        raise EmotraceError("E918", f"Unknown names in the correction ({listed}).")
    stored = store.corrections.add(message_id, correction, datetime.now(UTC))
    if stored is None:
        raise EmotraceError("E905", f"Message {message_id} not found.")
    return stored


@dataclass(frozen=True)
class MergedCorrection:
    """What the corrections of one message say together: per field, its latest correction that gave it (a lead
    corrects the class, another adds an intent: both hold); who corrected last and when."""

    message_id: int
    satisfaction_class: str | None
    labels: list[str] | None
    intents: list[str] | None
    topics: list[str] | None
    corrected_by: str
    corrected_at: datetime

    @classmethod
    def of(cls, corrections: list[Correction]) -> MergedCorrection:
        """``corrections`` of one message, oldest first, merged field by field."""
        def latest(field: str) -> object:
            return next((v for c in reversed(corrections) if (v := getattr(c, field)) is not None), None)

        last = corrections[-1]
        return cls(last.message_id, cast(str | None, latest("satisfaction_class")),
                   cast(list[str] | None, latest("labels")), cast(list[str] | None, latest("intents")),
                   cast(list[str] | None, latest("topics")), last.corrected_by, last.created_at)


def adapt_labels(correction: MergedCorrection, with_classes: bool) -> list[str]:
    """The names of ``correction`` that ``emotrace adapt`` learns: its satisfaction class, emotion labels, intents
    and topics. In a file that names satisfaction classes (``with_classes``), adapt reads ``neutral`` as the class,
    so the emotion label ``neutral`` is left out there."""
    labels = [n for n in correction.labels or [] if not (with_classes and n == NEUTRAL)]
    return [*([correction.satisfaction_class] if correction.satisfaction_class else []), *labels,
            *(correction.intents or []), *(correction.topics or [])]


def training_rows(store: Store, since: datetime | None = None) -> tuple[list[TrainingRow], int]:
    """The corrected messages (those corrected at or after ``since``, when given) as training rows, in the order of
    their latest corrections, and how many corrected messages were left out (text not stored, or nothing adapt
    learns corrected). Each message's corrections are merged field by field (:class:`MergedCorrection`), those
    made before ``since`` included."""
    by_message: dict[int, tuple[list[Correction], str | None]] = {}
    for stored, text in store.corrections.with_texts():
        by_message.setdefault(stored.message_id, ([], text))[0].append(stored)
    merged = [(MergedCorrection.of(corrections), text) for corrections, text in by_message.values()
              if since is None or utc(corrections[-1].created_at) >= since]
    with_classes = any(correction.satisfaction_class for correction, _ in merged)
    rows, left_out = [], 0
    for correction, text in sorted(merged, key=lambda pair: pair[0].corrected_at):
        names = adapt_labels(correction, with_classes)
        if not text or not names:
            left_out += 1
            continue
        rows.append(TrainingRow(text, ",".join(names), correction.message_id, correction.corrected_by,
                                utc(correction.corrected_at).isoformat()))
    return rows, left_out


def write_training_rows(path: Path, rows: list[TrainingRow]) -> None:
    """``rows`` as a UTF-8 CSV with a header (:data:`TRAINING_COLUMNS`); E809 when there are none, E516 when the
    system refuses the file."""
    if not rows:
        raise EmotraceError("E809", "No stored correction can be learnt from.")
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, TRAINING_COLUMNS)
            writer.writeheader()
            writer.writerows(asdict(row) for row in rows)
    except OSError as exc:
        raise EmotraceError("E516", f"Cannot write {path} ({exc.strerror}).") from None
