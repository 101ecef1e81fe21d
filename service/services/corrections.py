"""Corrections from the floor: the rules of a correction (names of the served model's label schema), and the rows
``emotrace adapt`` learns from (a text and its right labels, comma-separated)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from emotrace.errors import EmotraceError
from emotrace.model.labels import SATISFACTION_CLASSES, LabelSchema
from emotrace.paths import staged_file, write_refused
from emotrace.scoring.timeline import CUSTOMER
from emotrace.store import Store
from emotrace.store.corrections import AgentTurn, CorrectedMessage, CorrectionKey, NewCorrection, StoredCorrection
from emotrace.store.tables import Correction
from emotrace.tabular import table_format, write_rows
from emotrace.text.normalize import model_text_key
from emotrace.times import iso_utc, utc

NEUTRAL = "neutral"  # an emotion label and a satisfaction class alike


@dataclass(frozen=True)
class TrainingRow:
    """One corrected message as ``emotrace adapt`` reads it (``text``, ``labels``) and where it came from."""

    text: str
    labels: str  # the satisfaction class, emotion labels, intents and topics, comma-separated
    satisfaction_class: str  # the class alone (empty: none): adapt reads ``neutral`` in labels as the class by it
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


def correct_message(store: Store, schema: LabelSchema, message_id: int, correction: NewCorrection,
                    key: CorrectionKey | None = None) -> StoredCorrection:
    """Store ``correction`` of message ``message_id`` (once under a client's ``key``: a retry is answered from the
    correction stored under it, ``replayed``; :class:`emotrace.store.corrections.KeyReused` when it was stored for
    another request): E918 naming the names ``schema`` does not have, E905 when the message is not stored (never was,
    or was erased), E925 when an agent spoke it. Nothing is written on any of these."""
    if unknown := unknown_names(correction, schema):
        if key is not None and (replayed := store.corrections.replay(message_id, key)) is not None:
            return replayed  # stored by its first try, under a model that had the names (another replica's)
        listed = "; ".join(f"{field}: {', '.join(map(repr, names))}" for field, names in unknown.items())
        raise EmotraceError("E918", f"Unknown names in the correction ({listed}).")
    try:
        stored = store.corrections.add(message_id, correction, datetime.now(UTC), key)
    except AgentTurn:
        raise EmotraceError("E925", f"Message {message_id} is an agent's turn: agent turns are not scored, and "
                                    "adapt learns the customers' readings.") from None
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


# The views whose head adapt fits on every row once its file names one of theirs (most messages state none): a row
# whose correction leaves such a view alone carries its reading's names of it, so it does not teach "none".
EVERY_ROW_VIEWS = ("intents", "topics")


def adapt_labels(correction: MergedCorrection, message: CorrectedMessage, with_classes: bool,
                 taught: set[str]) -> list[str]:
    """The names of ``correction`` that ``emotrace adapt`` learns: its satisfaction class, emotion labels, intents
    and topics. In a file that names satisfaction classes (``with_classes``), adapt reads ``neutral`` as the class,
    so the emotion label ``neutral`` is left out there. A view of :data:`EVERY_ROW_VIEWS` in ``taught`` (one some
    correction of the file gives) that this correction leaves alone is given as the ``message`` was read."""
    labels = [n for n in correction.labels or [] if not (with_classes and n == NEUTRAL)]
    views = {view: given if (given := getattr(correction, view)) is not None else
             getattr(message, view) if view in taught else [] for view in EVERY_ROW_VIEWS}
    return [*([correction.satisfaction_class] if correction.satisfaction_class else []), *labels,
            *views["intents"], *views["topics"]]


@dataclass
class LeftOut:
    """Corrected messages an export leaves out: their text is not stored, they name nothing adapt reads, an agent
    spoke them (corrected before such corrections were refused), or an earlier correction of a text corrected again
    later (the latest counts; texts the model reads alike, such as ones differing only in case or spacing, are one
    text: :func:`model_text_key`)."""

    agent_turns: int = 0
    no_text: int = 0
    nothing_to_learn: int = 0
    superseded: int = 0


def training_rows(store: Store, since: datetime | None = None) -> tuple[list[TrainingRow], LeftOut]:
    """The corrected messages (those corrected at or after ``since``, when given) as training rows, one per text as
    the model reads it (:func:`model_text_key`: adapt refuses one text with two sets of labels, E325), its latest
    correction with that message's stored text, in the order of their latest corrections, and what was left out.
    Each message's corrections are merged field by field (:class:`MergedCorrection`), those made before ``since``
    included."""
    by_message: dict[int, tuple[list[Correction], CorrectedMessage]] = {}
    for stored, message in store.corrections.with_messages():
        by_message.setdefault(stored.message_id, ([], message))[0].append(stored)
    merged = [(MergedCorrection.of(corrections), message) for corrections, message in by_message.values()
              if since is None or utc(corrections[-1].created_at) >= since]
    left_out = LeftOut(agent_turns=sum(message.speaker != CUSTOMER for _, message in merged))
    merged = [(correction, message) for correction, message in merged if message.speaker == CUSTOMER]
    with_classes = any(correction.satisfaction_class for correction, _ in merged)
    taught = {view for view in EVERY_ROW_VIEWS if any(getattr(c, view) is not None for c, _ in merged)}
    by_text: dict[str, TrainingRow] = {}
    for correction, message in sorted(merged, key=lambda pair: pair[0].corrected_at):
        names = adapt_labels(correction, message, with_classes, taught)
        if not message.text:
            left_out.no_text += 1
        elif not names:
            left_out.nothing_to_learn += 1
        else:
            key = model_text_key(message.text)
            left_out.superseded += by_text.pop(key, None) is not None
            by_text[key] = TrainingRow(message.text, ",".join(names), correction.satisfaction_class or "",
                                       correction.message_id, correction.corrected_by, iso_utc(correction.corrected_at))
    return list(by_text.values()), left_out


def write_training_rows(path: Path, rows: list[TrainingRow]) -> None:
    """``rows`` (text, labels, satisfaction_class, message_id, corrected_by, corrected_at) in the table format
    ``path`` names (CSV, JSON Lines or Parquet), as ``adapt --data`` reads them; E206 for another file type, E516 when
    the system refuses it."""
    table_format(path)  # before anything is written
    try:
        with staged_file(path) as staged:  # whole or not at all: an earlier export stays as it was
            write_rows(staged, [asdict(row) for row in rows])
    except OSError as exc:
        raise write_refused(path, exc) from None
