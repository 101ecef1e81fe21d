"""``emotrace batch --ingest``: store a batch run's readings, chunk by chunk, each input row exactly once.

Each stored row is marked with the input's key (the file, as it is now, and the columns that make its messages)
and its row number, in the transaction that stores it: a run killed and resumed, re-run with ``--overwrite``, to
another output, with other chunks, kept columns or another model stores only the rows not stored before."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import cast

from emotrace.batch.job import BatchOptions, ChunkResult
from emotrace.errors import EmotraceError
from emotrace.messages import Channel, ReadingRecord, Speaker, new_message
from emotrace.services.summaries import record_messages
from emotrace.settings import Settings
from emotrace.store import Store
from emotrace.store.messages import NewMessage
from emotrace.times import utc


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
LEGACY_FIELDS = {"ekman": "ekman_labels", "sentiment": "sentiment_labels", "intents": "intent_labels"}


def reading_of(row: dict[str, object]) -> ReadingRecord:
    """The reading of a batch output row, whichever release wrote it (old field names are renamed; a row that
    has the new name keeps it, so a kept input column called ``sentiment`` is not taken for the labels)."""
    renamed = {new: row[old] for old, new in LEGACY_FIELDS.items() if old in row and new not in row}
    return cast(ReadingRecord, {**row, **renamed})


def _digest(fields: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:32]


def run_key(options: BatchOptions) -> str:
    """The key under which releases before row keys marked a run's stored chunks (same input and options -> same
    key); still read, so that re-running such a run stores nothing again."""
    return _digest(options.manifest())


def ingest_key(options: BatchOptions, columns: IngestColumns) -> str:
    """The key of an input's messages: the file as it is now, its encoding and the columns that make its messages
    (not the chunks, kept columns, output or model of a run)."""
    stat = options.input.stat()
    return _digest({"input": str(options.input.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                    "encoding": options.encoding, "text_column": options.text_column, **asdict(columns)})


def _timestamp(value: object, row: int) -> datetime:
    try:
        return utc(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))
    except ValueError:
        raise EmotraceError("E509", f"Row {row}: timestamp '{value}' is not ISO 8601.",
                            "Use e.g. 2026-11-25T09:30:00Z.") from None


def _member(row: dict[str, object], column: str | None, what: str, names: Iterable[str], default: str) -> str:
    """The row's value of ``column`` as one of ``names`` (any case, spaces around ignored), ``default`` when the
    column is not given or the cell is empty; E510 naming the value and the names otherwise."""
    value = str(row.get(column) or "").strip() if column else ""
    if not value:
        return default
    if value.lower() not in names:
        raise EmotraceError("E510", f"Row {row['row']}: {what} '{value}' is not one of {', '.join(names)}.",
                            f"Write the {what} as one of {', '.join(names)} (any case).")
    return value.lower()


class Ingestor:
    """Stores each finished chunk's rows not stored before (messages + row markers) in one transaction."""

    def __init__(self, store: Store, settings: Settings, options: BatchOptions, columns: IngestColumns) -> None:
        self.store = store
        self.settings = settings
        self.options = options
        self.columns = columns
        self.key = ingest_key(options, columns)
        self.legacy_key = run_key(options)
        self.stored_messages = 0
        self.already_stored = 0  # rows an earlier run stored
        self.customers: set[str] = set()

    def message(self, row: dict[str, object], now: datetime) -> NewMessage:
        """A storable message from one batch output row."""
        c = self.columns
        for column in (c.customer, c.conversation):
            if row.get(column) in (None, ""):
                raise EmotraceError("E511", f"Row {row['row']}: '{column}' is empty.", "Every ingested row needs it.")
        speaker = _member(row, c.speaker, "speaker", Speaker.__members__, "customer")
        channel = _member(row, c.channel, "channel", Channel.__members__, "chat")
        return new_message(
            customer_id=str(row[c.customer]), conversation_id=str(row[c.conversation]), channel=Channel(channel),
            speaker=Speaker(speaker), timestamp=_timestamp(row[c.timestamp], int(str(row["row"]))) if c.timestamp else now,
            text=str(row[self.options.text_column]), record=reading_of(row), settings=self.settings,
            agent_id=str(row[c.agent]) if c.agent and row.get(c.agent) not in (None, "") else None)

    def __call__(self, index: int, result: ChunkResult) -> None:
        """Store the rows of chunk ``index`` that no earlier run (killed, or of the same input with other options)
        stored; its rows that cannot be stored are reported by every run."""
        now = datetime.now(UTC)
        numbers = [int(str(row["row"])) for row in result.rows]
        stored = (set(numbers) if self.store.writes.has_batch_part(self.legacy_key, index)
                  else self.store.writes.stored_batch_rows(self.key, numbers))
        rows, messages = [], []
        for number, row in zip(numbers, result.rows, strict=True):
            try:
                message = self.message(row, now)
            except EmotraceError as exc:  # the reading is kept in the output; the row is reported, not stored
                result.not_ingested.append({"row": row["row"], "reason": f"not ingested: {exc.problem}"})
                continue
            if number in stored:
                self.already_stored += 1
            else:
                rows.append(number)
                messages.append(message)
        if messages:
            record_messages(self.store, messages, self.settings.scoring, batch_rows=(self.key, rows))
        self.stored_messages += len(messages)
        self.customers.update(m.customer_id for m in messages)
