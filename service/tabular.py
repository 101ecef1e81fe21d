"""Tables in files - CSV, JSON Lines (``.jsonl``, ``.ndjson``, ``.json``) and Parquet - read as numbered rows with
constant memory, and written whole. Batch, training and the imports all read here, so one mistake gets one code
whoever reads the file: E006 no such file (E012 a folder), E206 an unsupported type, E004 not valid text in its
encoding, E513 no rows, E503 missing columns, E514 a row that cannot be read, E515 not a Parquet file, E517 a CSV
header or Parquet schema naming a column twice (a JSON line naming a key twice, at any depth, is a row that cannot be read)."""

from __future__ import annotations

import codecs
import csv
import json
import math
from collections.abc import Collection, Generator, Iterable, Iterator, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import dropwhile
from pathlib import Path
from typing import TextIO, cast

import pyarrow as pa
import pyarrow.parquet as pq

from emotrace.encoding import decode_error
from emotrace.errors import ERRORS, EmotraceError
from emotrace.paths import existing_file
from emotrace.times import iso_utc

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet"}
MAX_CELL_CHARS = 4_000_000  # a CSV/TSV cell up to this is read (csv's default limit, 131,072, stopped a long e-mail)
csv.field_size_limit(MAX_CELL_CHARS)
REPEATED_KEY = "is given twice in one object"  # the end of a repeated key's decode error (emotrace.api.problems)


class RepeatedKeyError(json.JSONDecodeError):
    """A JSON object names a key twice: JSON readers keep the last value silently, so it is refused instead."""


def without_repeats(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """``json.loads``'s ``object_pairs_hook`` for objects at any depth: the pairs as a dict; a key named twice is a
    :class:`RepeatedKeyError` naming it (one check for JSON Lines rows and the API's request bodies)."""
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise RepeatedKeyError(f"the key '{key}' {REPEATED_KEY}", "", 0)
        found[key] = value
    return found


@dataclass(frozen=True)
class TableRow:
    """One row: its number (from 1), its fields, or why it could not be read."""

    number: int
    fields: dict[str, object] | None
    error: str | None = None


def table_format(path: Path) -> str:
    """``csv``, ``jsonl`` or ``parquet`` from the file name (E206 for any other)."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise EmotraceError("E206", f"Unsupported file type '{path.suffix}' ({path}).") from None


def unreadable_row(path: Path, number: int, reason: str | None) -> EmotraceError:
    """E514 for row ``number`` of ``path``, where the read stopped."""
    return EmotraceError("E514", f"{path}: row {number} cannot be read ({reason}); nothing after it was read.")


def require_columns(source: Path, columns: Sequence[str], required: Iterable[str | None]) -> None:
    """E503 naming every ``required`` column (None: not asked for) that ``columns`` lacks, and the columns there."""
    missing = [name for name in dict.fromkeys(required) if name is not None and name not in columns]
    if missing:
        first, *others = (f"'{name}'" for name in missing)
        nor = f", nor {'is' if len(others) == 1 else 'are'} {', '.join(others)}" if others else ""
        raise EmotraceError("E503", f"Column {first} is not in {source}{nor}.",
                            f"Columns there: {list(columns)}. {ERRORS['E503'].fix}")


def read_table(path: Path, encoding: str = "utf-8", required: Iterable[str | None] = ()) -> Iterator[TableRow]:
    """The rows of a table file, after :func:`check_table` (errors raised here, not at the first row); a JSON row
    without a ``required`` key holds it empty (None), as a CSV row's empty cell reads."""
    wanted = [column for column in required if column]
    check_table(path, encoding, wanted)
    return (_with_columns(row, wanted) for row in read_rows(path, encoding))


def _with_columns(row: TableRow, columns: list[str]) -> TableRow:
    if row.fields is not None:
        for column in columns:
            row.fields.setdefault(column, None)
    return row


def check_table(path: Path, encoding: str = "utf-8", required: Iterable[str | None] = ()) -> list[str]:
    """The columns of a table file that exists, has a known type, is valid ``encoding`` throughout, holds at least
    one row and has every ``required`` column; the coded error of the first of these that fails."""
    existing_file(path)
    fmt = table_format(path)
    check_decodable(path, encoding)
    columns = _columns(path, fmt, encoding)
    wanted = [name for name in required if name is not None]
    if fmt == "jsonl" and not set(wanted) <= set(columns):  # JSON objects need not all hold the same keys
        columns = json_keys(path, encoding, wanted)
    require_columns(path, columns, wanted)
    return columns


def json_keys(path: Path, encoding: str, wanted: Collection[str] | None = None) -> list[str]:
    """The keys of a JSON Lines file's objects, in the order first given, streamed (the rows are not held): every
    key of the file, or those read until every ``wanted`` key is among them."""
    keys: dict[str, None] = {}
    with closing(read_rows(path, encoding)) as rows:
        for row in rows:
            keys.update(dict.fromkeys(row.fields or ()))
            if wanted is not None and set(wanted) <= keys.keys():
                break
    return list(keys)


def _columns(path: Path, fmt: str, encoding: str) -> list[str]:
    """The column names (header, schema, or the first readable JSON object); E513 when no row follows them."""
    if fmt == "parquet":
        table = _parquet(path)
        names = [str(name) for name in table.schema_arrow.names]
        if twice := sorted({name for name in names if names.count(name) > 1}):  # read, the last would win silently
            raise EmotraceError("E517", f"{path} names the column(s) {twice} more than once in its schema.")
        if table.metadata.num_rows:
            return names
    else:
        with closing(read_rows(path, encoding)) as rows:
            first = next(rows, None)
            if first is not None and fmt == "csv":  # its header names its columns, whatever its rows hold
                return _csv_columns(path, encoding)
            if first is not None:
                readable = first if first.fields is not None else next((row for row in rows if row.fields is not None), None)
                if readable is None or readable.fields is None:
                    raise unreadable_row(path, first.number, first.error)
                return [name for name in readable.fields if name is not None]  # None: a CSV row's extra cells
    raise EmotraceError("E513", f"{path} is empty: it holds no rows.")


def check_decodable(path: Path, encoding: str) -> None:
    """E004 (naming the first bad line) unless a text file (CSV, JSONL, TSV) is valid ``encoding`` throughout; one
    pass over the file, so a wrong encoding stops a run before anything is read or written."""
    if path.suffix.lower() == ".parquet":
        return
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as handle:
        try:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeError:  # UnicodeDecodeError, or a UTF-16 / UTF-32 stream without its byte-order mark
            raise decode_error(path, encoding) from None


def count_rows(path: Path, encoding: str = "utf-8") -> int:
    """Number of rows (for progress): Parquet metadata, or one pass over the text counting CSV records (a quoted
    cell may hold line breaks) or non-blank JSON lines; a count stops where a CSV read would (E514)."""
    fmt = table_format(path)
    if fmt == "parquet":
        return int(_parquet(path).metadata.num_rows)
    with path.open(encoding=_without_bom(encoding), errors="replace", newline="" if fmt == "csv" else "\n") as handle:
        if fmt == "jsonl":
            return sum(1 for line in handle if line.strip())
        records = 0
        with suppress(csv.Error):
            for record in csv.reader(_past_blank_lines(handle), delimiter=_delimiter(path, encoding)):
                records += bool(record)
        return max(records - 1, 0)


def read_rows(path: Path, encoding: str = "utf-8") -> Generator[TableRow, None, None]:
    """Rows of a table file, streamed; a JSON line that is not one object comes back with an error instead of
    fields. A CSV raises E004 where it is not valid ``encoding`` and E514 at a malformed row (a CSV reader cannot
    resynchronise after either)."""
    fmt = table_format(path)
    if fmt == "parquet":
        yield from _parquet_rows(path)
    elif fmt == "csv":
        yield from _csv_rows(path, encoding)
    else:
        yield from _json_lines(path, encoding)


def all_records(path: Path, encoding: str = "utf-8", required: Iterable[str | None] = ()) -> list[dict[str, object]]:
    """Every row of a table file, checked as :func:`check_table` does; E514 at the first row that cannot be read."""
    records = []
    for row in read_table(path, encoding, required):
        if row.fields is None:
            raise unreadable_row(path, row.number, row.error)
        records.append(row.fields)
    return records


def _decoded(lines: Iterable[str], path: Path, encoding: str) -> Iterator[str]:
    """The lines of a text file opened in ``encoding``; E004 where the file is not valid in it."""
    try:
        yield from lines
    except UnicodeError:
        raise decode_error(path, encoding) from None


def _csv_reader(handle: TextIO, path: Path, encoding: str) -> tuple[csv.DictReader[str], int]:
    """A reader of the CSV file ``path`` open as ``handle``, its header checked (:func:`_check_header`), and the
    number of empty cells ending that header. Strict: a quote never closed is an error, not the rest of the file."""
    lines = _past_blank_lines(_decoded(handle, path, encoding))
    reader = csv.DictReader(lines, strict=True, delimiter=_delimiter(path, encoding))
    return reader, _check_header(path, reader)


def _csv_columns(path: Path, encoding: str) -> list[str]:
    """The columns a CSV file's header names (a file whose every row is malformed still has them)."""
    with path.open(encoding=_without_bom(encoding), errors="strict", newline="") as handle:
        return list(_csv_reader(handle, path, encoding)[0].fieldnames or [])


def _csv_rows(path: Path, encoding: str) -> Iterator[TableRow]:
    with path.open(encoding=_without_bom(encoding), errors="strict", newline="") as handle:
        reader, unnamed = _csv_reader(handle, path, encoding)
        number = 0
        while True:
            number += 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # a CSV reader cannot resynchronise after a malformed row: stop, and say so
                reason = str(exc)
                if reason == "unexpected end of data":
                    reason = "a quote opened in it is never closed: every later line was read into one cell"
                raise unreadable_row(path, number, reason) from None
            if None in record:  # cells past the header's named columns
                extra = cast(list[str], record.pop(None))
                if error := _extra_cells(len(reader.fieldnames or []), unnamed, extra):
                    yield TableRow(number, None, error)
                    continue
            yield TableRow(number, dict(record))


def _extra_cells(columns: int, unnamed: int, extra: list[str]) -> str | None:
    """Why a row whose ``extra`` cells run past the header's ``columns`` named ones cannot be read, the header ending in
    ``unnamed`` empty cells; None where the extra cells are blank and under those (a spreadsheet's export)."""
    if len(extra) > unnamed:  # an unquoted comma in a text, most often
        return f"{columns + len(extra)} cells where the header names {columns} columns (quote a text that holds a comma)"
    if filled := next((column for column, cell in enumerate(extra, columns + 1) if cell.strip()), None):
        return f"its cell {filled} is under a header cell that names no column (name that column in the header)"
    return None


def _delimiter(path: Path, encoding: str) -> str:
    """``;`` for a CSV whose header line holds semicolons and no comma (spreadsheets where the comma is the decimal
    mark save "CSV" so), else ``,``."""
    with path.open(encoding=_without_bom(encoding), errors="replace", newline="") as handle:
        header = next(_past_blank_lines(handle), "")
    return ";" if ";" in header and "," not in header else ","


def _past_blank_lines(lines: Iterable[str]) -> Iterator[str]:
    """``lines`` from the first that is not blank: blank lines before a CSV header are not its header."""
    return dropwhile(lambda line: not line.strip(), lines)


def _without_bom(encoding: str) -> str:
    """The codec that reads ``encoding`` and drops a leading byte-order mark (spreadsheets' "CSV UTF-8" starts with
    one, which would otherwise stick to the first column's name)."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _check_header(path: Path, reader: csv.DictReader[str]) -> int:
    """The number of empty cells ending the header (a spreadsheet's export: "id,text,,"), dropped from the reader's
    columns; E517 when the header names a column more than once (a reader would keep the last one's cells
    silently)."""
    try:
        cells = reader.fieldnames or []
    except csv.Error as exc:
        raise unreadable_row(path, 0, str(exc)) from None
    names = list(cells)
    while names and not names[-1].strip():
        names.pop()
    reader.fieldnames = names
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise EmotraceError("E517", f"{path} names the column(s) {twice} more than once in its header.")
    return len(cells) - len(names)


def _json_lines(path: Path, encoding: str) -> Iterator[TableRow]:
    # a file saved by Notepad or Excel starts with a byte-order mark; lines end at "\n" alone, as JSON Lines says
    with path.open(encoding=_without_bom(encoding), errors="strict", newline="\n") as handle:
        number = 0
        for line_number, line in enumerate(_decoded(handle, path, encoding), 1):
            if not line.strip():
                continue
            number += 1
            try:
                # a cut row's error then points into this line; a key named twice is refused, not read as its last value
                record = json.loads(line.rstrip("\r\n"), object_pairs_hook=without_repeats)
            except RepeatedKeyError as exc:
                yield TableRow(number, None, f"line {line_number} is not read: {exc.msg}")
                continue
            except json.JSONDecodeError as exc:
                where = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
                yield TableRow(number, None, _array_line(line_number, line)
                               or f"line {line_number} is not valid JSON: {where[0].lower()}{where[1:]}")
                continue
            except (ValueError, RecursionError) as exc:  # ValueError: past Python's 4,300 digits for an integer
                why = "nested too deeply" if isinstance(exc, RecursionError) else "a number has too many digits"
                yield TableRow(number, None, f"line {line_number} cannot be read: {why}")
                continue
            if not isinstance(record, dict):
                yield TableRow(number, None, _array_line(line_number, line) or f"line {line_number} is not a JSON object")
                continue
            yield TableRow(number, record)


def _array_line(line_number: int, line: str) -> str | None:
    """Why a line opening a JSON array is not a row (a JSON export's whole file, or its first line), or None."""
    if not line.lstrip().startswith("["):
        return None
    return f"line {line_number} is a JSON array, not an object: JSON Lines hold one object per line"


def _parquet_rows(path: Path) -> Iterator[TableRow]:
    """The rows of a Parquet file; E515 naming the row reached where its data is damaged (the footer, read on
    opening, can be intact)."""
    number = 0
    try:
        for batch in _parquet(path).iter_batches(batch_size=4096):
            for record in batch.to_pylist():
                number += 1
                yield TableRow(number, record)
    except (pa.ArrowInvalid, OSError) as exc:
        reason = " ".join(str(exc).split())  # pyarrow's message runs over lines
        raise EmotraceError("E515", f"{path} is not a readable Parquet file: its rows from row {number + 1} on "
                                    f"cannot be read ({reason}).") from None


def _parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise EmotraceError("E515", f"{path} is not a readable Parquet file ({exc}).") from None


def arrow_table(rows: list[dict[str, object]]) -> pa.Table:
    """``rows`` as an Arrow table; a column no Arrow type holds (an id column with 1001 and "A-17", a number past 64
    bits, a list mixing text and numbers) is written as text."""
    try:
        return pa.Table.from_pylist(rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        names = dict.fromkeys(name for row in rows for name in row)
        return pa.table({name: _arrow_column([row.get(name) for row in rows]) for name in names})


def _arrow_column(values: list[object]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([as_text(value) for value in values], pa.string())


def cell_text(value: object) -> str:
    """A cell read as text: empty for no value (not for 0 or False), bytes decoded as UTF-8 (Parquet BINARY
    columns), anything else as ``str``."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def json_cell(value: object) -> object:
    """A cell JSON has no type for, as JSON writes it (``json.dumps``'s ``default``): times in ISO 8601 (UTC, ``Z``),
    bytes as their UTF-8 text, anything else (a decimal) as ``str``."""
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date | time):
        return str(value)  # ISO 8601: 2026-12-01, 09:30:00
    return cell_text(value)


def as_text(value: object) -> object:
    """A cell as a text file writes it: lists and objects as JSON (times and bytes inside them as :func:`json_cell`
    writes them), other values as ``str`` (None stays None)."""
    if value is None or isinstance(value, str):
        return value
    return json_text(value) if isinstance(value, list | dict) else str(value)


def json_text(value: object, ensure_ascii: bool = True) -> str:
    """``value`` as JSON (cells JSON has no type for as :func:`json_cell` writes them); a float that is not finite
    (pandas' NaN for a missing value, an infinity) is null, as JSON has no NaN."""
    try:
        return json.dumps(value, ensure_ascii=ensure_ascii, default=json_cell, allow_nan=False)
    except ValueError:  # a non-finite float: rare, so the values are walked only then
        return json.dumps(_finite(value), ensure_ascii=ensure_ascii, default=json_cell, allow_nan=False)


def _finite(value: object) -> object:
    """``value`` with each float that is not finite, at any depth of its lists and objects, as None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def write_rows(path: Path, rows: list[dict[str, object]]) -> None:
    """Write ``rows`` to ``path`` in the format its name says (a file written whole or not at all is written to
    :func:`emotrace.paths.staged_file`'s path)."""
    fmt = table_format(path)
    if fmt == "parquet":
        pq.write_table(arrow_table(rows), path)
    elif fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else [])
            writer.writeheader()
            writer.writerows({k: as_text(v) for k, v in r.items()} for r in rows)
    else:
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json_text(row, ensure_ascii=False) + "\n")
