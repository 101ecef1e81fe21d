"""``emotrace batch --ingest``: store a batch run's readings, chunk by chunk, each input row exactly once.

Each stored row is marked, in the transaction that stores it, by the message it makes (its cells of the columns that
make messages) and how many rows before it in its input make the same message: a run killed and resumed, re-run with
``--overwrite``, to another output, with other chunks, kept columns or another model, or over the same file exported
again with rows added or corrected, stores only the rows not stored before; a message the input repeats is stored as
often as it is repeated."""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import cast

import numpy as np
from sqlalchemy.exc import DBAPIError

from emotrace.batch.job import BatchOptions, ChunkResult, read_record, write_record
from emotrace.channels.transcript import ROLE_WORDS
from emotrace.errors import EmotraceError
from emotrace.messages import MAX_CONVERSATION_ID, Channel, ReadingRecord, Speaker, is_identifier, new_message
from emotrace.services.summaries import record_messages
from emotrace.settings import Settings
from emotrace.store import Store
from emotrace.store.messages import BatchRow, NewMessage
from emotrace.store.tables import Message
from emotrace.tabular import count_rows, read_rows
from emotrace.text.visible import text_problem
from emotrace.times import iso_time, iso_utc


@dataclass(frozen=True)
class IngestColumns:
    """Input columns that say whose message each row is."""

    customer: str = "customer_id"
    conversation: str = "conversation_id"
    speaker: str | None = None
    timestamp: str | None = None
    channel: str | None = None
    agent: str | None = None

    def keep(self, text_column: str) -> tuple[str, ...]:
        """Columns the batch must carry into its output rows for ingestion."""
        names = (self.customer, self.conversation, self.speaker, self.timestamp, self.channel, self.agent, text_column)
        return tuple(dict.fromkeys(n for n in names if n is not None))


# Reading fields as batch output rows of earlier releases named them -> their names now.
UNTIMED_START_FILE = "untimed_start.json"  # in the run's parts folder: the time untimed rows count from
LEGACY_FIELDS = {"ekman": "ekman_labels", "sentiment": "sentiment_labels", "intents": "intent_labels"}


def reading_of(row: dict[str, object]) -> ReadingRecord:
    """The reading of a batch output row, whichever release wrote it (old field names are renamed; a row that
    has the new name keeps it, so a kept input column called ``sentiment`` is not taken for the labels)."""
    renamed = {new: row[old] for old, new in LEGACY_FIELDS.items() if old in row and new not in row}
    return cast(ReadingRecord, {**row, **renamed})


def _digest(fields: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()[:32]


def released_run_key(options: BatchOptions) -> str:
    """The key under which the release of 2026-12-02 marked a run's stored chunks (the hash of its resume manifest);
    still read, so that re-running such a run stores nothing again."""
    stat = options.input.stat()
    return _digest({"input": str(options.input.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                    "text_column": options.text_column, "id_column": options.id_column,
                    "chunk_rows": options.chunk_rows, "model_dir": options.model_dir,
                    "keep_columns": list(options.keep_columns), "encoding": options.encoding,
                    "rating_column": options.rating_column})


def message_key(row: Mapping[str, object], names: Iterable[str]) -> str:
    """The key of the message an input row makes: its cells of the columns ``names`` (those that make messages)."""
    return _digest({name: row.get(name) for name in names})


def repeats(options: BatchOptions, names: Iterable[str]) -> dict[int, int]:
    """Row number -> how many rows before it in the input make the same message (:func:`message_key`), for the rows
    that repeat one; the input is read once, holding 16 bytes a row."""
    names = tuple(names)
    numbers, keys = array("q"), array("Q")
    for row in read_rows(options.input, options.encoding):
        if row.fields is not None:
            numbers.append(row.number)
            keys.append(int(message_key(row.fields, names)[:16], 16))
    if not keys:
        return {}
    order = np.argsort(np.asarray(keys, dtype=np.uint64), kind="stable")
    ordered = np.asarray(keys, dtype=np.uint64)[order]
    position = np.arange(len(order))
    first = np.maximum.accumulate(np.where(np.r_[True, ordered[1:] != ordered[:-1]], position, 0))
    before = position - first  # in order of key: how many rows of the same key came earlier in the input
    return {int(numbers[i]): int(n) for i, n in zip(order[before > 0], before[before > 0], strict=True)}


def _member(row: dict[str, object], column: str | None, what: str, names: Iterable[str], default: str,
            words: Mapping[str, str] | None = None) -> str:
    """The row's value of ``column`` as one of ``names`` (any case, spaces around ignored) or the name one of ``words``
    stands for, ``default`` when the column is not given or the cell is empty; E510 naming the value and the names
    otherwise."""
    value = str(row.get(column) or "").strip() if column else ""
    if not value:
        return default
    known = {**(words or {}), **{name: name for name in names}}
    if value.lower() not in known:
        also = f" (or a role word: {', '.join(words)})" if words else ""
        raise EmotraceError("E510", f"{what} '{value}' is not one of {', '.join(names)}{also}.",
                            f"Write the {what} as one of {', '.join(names)} (any case).")
    return known[value.lower()]


def _check_id(row: dict[str, object], column: str, takes: Callable[[str], bool]) -> None:
    """E521 when the row's ``column`` is not an id the HTTP routes take (a customer or agent id: 1-128 letters,
    digits and ``_ . : @ -``; a conversation id: up to 128 characters); a true/false or list cell is no id either."""
    value = row.get(column)
    if isinstance(value, bool | list | dict) or not takes(str(value)):
        raise EmotraceError("E521", f"{column} {str(value)[:60]!r} is not an id the service takes.")


@dataclass(frozen=True)
class IngestFigures:
    """What an ingesting run stored: messages, of how many customers, rows an earlier run had stored, and where."""

    stored_messages: int
    customers: int
    already_stored: int
    database: str


class Ingestor:
    """Stores each finished chunk's rows not stored before (messages + row markers) in one transaction."""

    def __init__(self, store: Store, settings: Settings, options: BatchOptions, columns: IngestColumns) -> None:
        self.store = store
        self.settings = settings
        self.options = options
        self.columns = columns
        self.message_columns = columns.keep(options.text_column)  # the cells that make a row's message
        self.released_key = released_run_key(options)
        self.stored_messages = 0
        self.already_stored = 0  # rows an earlier run stored
        self.customers: set[str] = set()

    @cached_property
    def repeats(self) -> dict[int, int]:
        """The input's :func:`repeats`, read when the first chunk is stored (a run whose output was already complete
        reads nothing)."""
        return repeats(self.options, self.message_columns)

    @cached_property
    def untimed_start(self) -> datetime:
        """Without a time column, row ``n`` is stored at this time plus ``n`` microseconds: a conversation keeps the
        file's order whichever chunk is stored first (Dask hands chunks back as they finish), and whichever run
        stores it (the time is kept with the run's parts); the last row is the time the first chunk was stored."""
        kept = self.options.parts / UNTIMED_START_FILE
        if kept.exists():
            return datetime.fromisoformat(str(read_record(kept, "E506")["start"]))
        start = datetime.now(UTC) - timedelta(microseconds=count_rows(self.options.input, self.options.encoding))
        if kept.parent.is_dir():  # a run's (an Ingestor used alone has none)
            write_record(kept, {"start": iso_utc(start)})
        return start

    def mark(self, row: dict[str, object]) -> BatchRow:
        """The mark of the input row an output row was read from: the message it makes, and how many before it."""
        return (message_key(row, self.message_columns),
                self.repeats.get(int(str(row["row"])), 0))

    def figures(self) -> IngestFigures:
        """What the run stored."""
        return IngestFigures(self.stored_messages, len(self.customers), self.already_stored, self.store.db.shown_url)

    def row_time(self, row: dict[str, object]) -> datetime:
        """The row's time: its time column's, or :attr:`untimed_start` plus its row number in microseconds (the
        input is counted only for a run without a time column)."""
        if self.columns.timestamp:
            return iso_time(row[self.columns.timestamp], "timestamp")
        return self.untimed_start + timedelta(microseconds=int(str(row["row"])))

    def message(self, row: dict[str, object]) -> NewMessage:
        """A storable message from one batch output row."""
        c = self.columns
        for column in (c.customer, c.conversation):
            if row.get(column) in (None, ""):
                raise EmotraceError("E511", f"'{column}' is empty.", "Every ingested row needs it.")
        _check_id(row, c.customer, is_identifier)
        _check_id(row, c.conversation, lambda value: len(value) <= MAX_CONVERSATION_ID and text_problem(value) is None)
        if c.agent and row.get(c.agent) not in (None, ""):
            _check_id(row, c.agent, is_identifier)
        speaker = _member(row, c.speaker, "speaker", Speaker.__members__, "customer", ROLE_WORDS)
        channel = _member(row, c.channel, "channel", Channel.__members__, "chat")
        return new_message(
            customer_id=str(row[c.customer]), conversation_id=str(row[c.conversation]), channel=Channel(channel),
            speaker=Speaker(speaker), timestamp=self.row_time(row),
            text=str(row[self.options.text_column]), record=reading_of(row), settings=self.settings,
            agent_id=str(row[c.agent]) if c.agent and row.get(c.agent) not in (None, "") else None)

    def __call__(self, index: int, result: ChunkResult) -> None:
        """Store the rows of chunk ``index`` that no earlier run (killed, or of the same input with other options)
        stored; its rows that cannot be stored are reported by every run."""
        rows: list[BatchRow] = []
        messages: list[NewMessage] = []
        for row in result.rows:
            try:
                messages.append(self.message(row))
                rows.append(self.mark(row))
            except EmotraceError as exc:  # the reading is kept in the output; the row is reported, not stored
                result.not_ingested.append({"row": row["row"], **({"id": row.get("id")} if self.options.id_column else {}),
                                            "code": exc.code, "reason": f"not ingested: {exc.problem}"})
        try:
            if self.store.writes.has_batch_part(self.released_key, index):  # stored by that release: marked now
                self.store.writes.mark_batch_rows(rows, [m.customer_id for m in messages])
                stored: list[Message] = []
            else:
                stored, _ = record_messages(self.store, messages, self.settings.scoring, batch_rows=rows)
        except DBAPIError as exc:  # the server gone, the disk full, a file locked past the busy timeout
            raise EmotraceError("E522", f"The database {self.store.db.shown_url} failed while chunk {index} was "
                                f"stored ({str(exc.orig).strip()}); nothing of that chunk was stored.") from None
        self.already_stored += len(messages) - len(stored)
        self.stored_messages += len(stored)
        self.customers.update(m.customer_id for m in stored)
