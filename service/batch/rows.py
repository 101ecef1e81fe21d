"""Streaming rows in and out of JSONL, CSV and Parquet files, with constant memory."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from emotrace.encoding import decode_error
from emotrace.errors import EmotraceError

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def file_format(path: Path) -> str:
    """``jsonl``, ``csv`` or ``parquet`` from the file name."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise EmotraceError("E206", f"Unsupported file type '{path.suffix}' ({path}).",
                            "Use .jsonl, .csv or .parquet.") from None


@dataclass
class InputRow:
    """One input row: its 1-based number, its fields, or why it could not be read."""

    number: int
    fields: dict[str, object] | None
    error: str | None = None


def count_rows(path: Path) -> int | None:
    """Number of rows (for progress), cheaply: Parquet metadata, or a line count."""
    fmt = file_format(path)
    if fmt == "parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return lines - 1 if fmt == "csv" else lines


def check_decodable(path: Path, encoding: str) -> None:
    """Raise E004 (naming the first bad line) unless a CSV/JSONL file is valid ``encoding`` throughout; one pass
    over the file before a run, so a wrong encoding stops it before anything is read or written."""
    if file_format(path) == "parquet":
        return
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as handle:
        try:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise decode_error(path, encoding) from None


def columns_of(path: Path, encoding: str = "utf-8") -> list[str]:
    """Column names of a file (from the header, schema or first record)."""
    fmt = file_format(path)
    if fmt == "parquet":
        return [str(name) for name in pq.ParquetFile(path).schema_arrow.names]
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        if fmt == "csv":
            return next(csv.reader(handle), [])
        for line in handle:
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                return list(record) if isinstance(record, dict) else []
    return []


def read_rows(path: Path, encoding: str = "utf-8") -> Iterator[InputRow]:
    """Rows of a JSONL, CSV or Parquet file; undecodable JSONL lines come back with an error instead of fields.
    A CSV that is not valid ``encoding`` raises E004, a malformed CSV row E514 (a CSV reader cannot resynchronise
    after either)."""
    fmt = file_format(path)
    if fmt == "parquet":
        number = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
            for record in batch.to_pylist():
                number += 1
                yield InputRow(number, record)
        return
    if fmt == "csv":
        with path.open(encoding=encoding, errors="strict", newline="") as handle:
            reader = csv.DictReader(handle)
            number = 0
            while True:
                number += 1
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except UnicodeDecodeError:
                    raise decode_error(path, encoding) from None
                except csv.Error as exc:  # a CSV reader cannot resynchronise after a malformed row: stop, and say so
                    raise EmotraceError("E514", f"{path}: row {number} cannot be read ({exc}); nothing after it was "
                                                "read.",
                                        "Fix that row (an unclosed quote, or a field over the CSV size limit), or "
                                        "give the file as JSONL, where one bad line is reported and skipped; rows "
                                        "already done are kept, so re-running resumes.") from None
                yield InputRow(number, dict(record))
    with path.open("rb") as handle:
        number = 0
        for raw in handle:
            if not raw.strip():
                continue
            number += 1
            try:
                record = json.loads(raw.decode(encoding))
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: also a number too long
                yield InputRow(number, None, f"undecodable line: {exc}")
                continue
            if not isinstance(record, dict):
                yield InputRow(number, None, "line is not a JSON object")
                continue
            yield InputRow(number, record)


def write_rows(path: Path, rows: list[dict[str, object]]) -> None:
    """Write ``rows`` to ``path`` in the format its name says (whole file at once)."""
    fmt = file_format(path)
    if fmt == "parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    elif fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else [])
            writer.writeheader()
            writer.writerows({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in r.items()}
                             for r in rows)
    else:
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
