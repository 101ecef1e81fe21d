"""``emotrace batch``: read every row of a file, resumably and exactly once.

The input is cut into chunks of ``chunk_rows`` rows. Chunk *k* is written to ``OUTPUT.parts/`` as one
part file, made visible by an atomic rename only when complete, together with its bad rows and its
label counts. A run killed at any moment (even ``kill -9``) loses at most the chunks in flight;
re-running the same command skips the finished parts. When all parts exist they are joined into
OUTPUT (again by atomic rename) and the parts folder is removed. Memory stays constant: a chunk at a
time (a few per worker on Dask).
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from emotrace.channels.load import CONVERSATION_SUFFIXES
from emotrace.channels.reading import rating_flags
from emotrace.errors import EmotraceError
from emotrace.messages import READING_FIELDS, reading_record
from emotrace.model.classifier import EmotionClassifier, resolve_model_dir
from emotrace.model.config import model_fingerprint
from emotrace.model.reading import Reading
from emotrace.paths import not_the_input, writable_file, write_refused, write_text_file
from emotrace.settings import get_settings
from emotrace.tabular import (
    TableRow,
    as_text,
    cell_text,
    check_table,
    count_rows,
    json_text,
    read_rows,
    table_format,
    write_rows,
)
from emotrace.text.visible import character_problem, text_problem

PART_DIGITS = 6
CHUNKS_KEPT = ": the chunks finished are kept"  # what a rerun after a refused write keeps
OUTPUT_FIELDS = ("row", "id", *READING_FIELDS, "flags")


@dataclass(frozen=True)
class BatchOptions:
    """What a batch run reads, how, and where it writes."""

    input: Path
    output: Path
    text_column: str = "text"
    id_column: str | None = None
    chunk_rows: int = 2048
    model_dir: str | None = None
    keep_columns: tuple[str, ...] = ()
    encoding: str = "utf-8"
    rating_column: str | None = None  # reviews' star ratings (1-5): each row gets flags where they disagree
    ingest: bool = False  # --ingest: the rows are stored too (a run is resumed only as it began, storing or not)

    @property
    def parts(self) -> Path:
        """The folder of an unfinished run's finished chunks, beside the output."""
        return self.output.with_name(self.output.name + ".parts")

    @cached_property
    def manifest(self) -> dict[str, object]:
        """What must match for a run to be resumed (the output fields too: parts written by a release that named
        them otherwise are not joined with this one's; and the model's files, not only its folder's name). Read
        once per run: the input as it was when the run began, the model fingerprinted once."""
        stat = self.input.stat()
        return {"input": str(self.input.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                "text_column": self.text_column, "id_column": self.id_column, "chunk_rows": self.chunk_rows,
                "model_dir": self.model_dir, "keep_columns": list(self.keep_columns), "encoding": self.encoding,
                "rating_column": self.rating_column, "ingest": self.ingest, "output_fields": list(OUTPUT_FIELDS),
                "model": model_fingerprint(resolve_model_dir(self.model_dir))}


# Resume manifest fields (BatchOptions.manifest) as the earlier run's difference is said; an option not named here is
# said as its flag, the earlier value and the value now.
_MANIFEST_DIFFERENCES = {"input": "another input file", "size": "the input at another size",
                         "mtime_ns": "the input modified at another time", "model": "another model",
                         "model_dir": "another --model folder", "output_fields": "a release with other output fields",
                         "ingest": "--ingest given in one run and not the other"}


def recorded_manifest(manifest: dict[str, object]) -> dict[str, object]:
    """A run's manifest as read back; one written before runs recorded ``ingest`` is of a run that did not store."""
    return {"ingest": False, **manifest}


def _option_value(value: object) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value)) or "none"
    return "none" if value is None else str(value)


def manifest_changes(before: dict[str, object], now: dict[str, object]) -> list[str]:
    """How the run whose manifest is ``before`` differs from the run now, in the words of its options."""
    return [_MANIFEST_DIFFERENCES.get(key)
            or f"--{key.replace('_', '-')} {_option_value(before.get(key))} (now {_option_value(value)})"
            for key, value in now.items() if before.get(key) != value]


@dataclass
class ChunkResult:
    """The readings of one chunk, its bad rows and its label counts."""

    rows: list[dict[str, object]]
    errors: list[dict[str, object]]
    labels: dict[str, int] = field(default_factory=dict)
    not_ingested: list[dict[str, object]] = field(default_factory=list)  # read, in the output, but not stored


@dataclass
class BatchSummary:
    """Totals of a finished run."""

    rows: int
    errors: int
    labels: dict[str, int]
    output: str
    error_file: str | None
    resumed_rows: int = 0  # rows whose chunks an earlier, interrupted run had finished
    not_ingested: int = 0  # rows read (in the output, among ``rows``) that --ingest could not store
    already_complete: bool = False  # an earlier run with the same input and options wrote this output: nothing done


_NOT_TEXT = {bool: "true/false value", int: "number", float: "number", list: "list", dict: "JSON object"}


def _unreadable(fields: dict[str, object], options: BatchOptions) -> str | None:
    """Why a row cannot be read and written: its text missing, not text or nothing to read (a NUL, a lone surrogate,
    only invisible characters: what the API refuses), or a copied cell that cannot be written as UTF-8."""
    column = options.text_column
    for name in filter(None, (column, options.id_column, *options.keep_columns)):
        if _not_utf8(fields.get(name)):
            return f"'{name}' is bytes that are not UTF-8 text"
    text = _copied(fields.get(column))  # a Parquet BINARY column holds UTF-8 bytes
    if not isinstance(text, str) or not text.strip():
        kind = _NOT_TEXT.get(type(text))
        return f"'{column}' is a {kind}, not text" if kind else f"missing or empty '{column}'"
    if (problem := text_problem(text)) is not None:
        return f"'{column}' {problem}"
    for copied in filter(None, (options.id_column, *options.keep_columns)):
        value = fields.get(copied)
        if isinstance(value, str) and (problem := character_problem(value)) is not None:
            return f"'{copied}' {problem}"
    return None


def read_chunk(classifier: EmotionClassifier, rows: list[TableRow], options: BatchOptions) -> ChunkResult:
    """Readings for the good rows of a chunk; bad rows (no text, undecodable) become errors."""
    text_column, id_column, keep_columns = options.text_column, options.id_column, options.keep_columns
    good: list[tuple[TableRow, str]] = []
    errors: list[dict[str, object]] = []
    for row in rows:
        if row.fields is None:
            errors.append({"row": row.number, "reason": row.error})
            continue
        text = row.fields.get(text_column)
        if (reason := _unreadable(row.fields, options)) is not None:
            errors.append({"row": row.number, **({"id": row.fields.get(id_column)} if id_column is not None else {}),
                           "reason": reason})
            continue
        good.append((row, cell_text(text)))
    readings = classifier.predict([text for _, text in good], aspects=get_settings().aspects) if good else []
    out, labels = [], Counter[str]()
    for (row, _), reading in zip(good, readings, strict=True):
        labels.update(reading.labels)
        record: dict[str, object] = {"row": row.number}
        fields = row.fields or {}
        if id_column is not None:
            record["id"] = _copied(fields.get(id_column))
        for column in keep_columns:
            record[column] = _copied(fields.get(column))
        record.update(reading_record(reading))
        if options.rating_column is not None and row.fields is not None:
            record["flags"] = _rating_flags(reading, row.fields.get(options.rating_column))
        out.append(record)
    return ChunkResult(out, errors, dict(labels))


def _not_utf8(value: object) -> bool:
    """Whether a cell is bytes (a Parquet BINARY column) that UTF-8 cannot decode: read as text, they would be
    changed (U+FFFD for each bad byte) without a word."""
    if not isinstance(value, bytes):
        return False
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _copied(value: object) -> object:
    """An input cell as the output (and ``--ingest``) holds it: bytes (a Parquet BINARY column) as their UTF-8 text."""
    return cell_text(value) if isinstance(value, bytes) else value


def _rating_flags(reading: Reading, value: object) -> list[str]:
    """A row's review rating against its reading; an unreadable rating is said, not dropped."""
    if value is None or not str(value).strip():
        return []  # no rating given: nothing to compare
    try:
        rating = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return [f"Unreadable rating {value!r}: not compared."]
    if not 1 <= rating <= 5:
        return [f"Rating {rating:g} is outside 1-5: not compared."]
    return rating_flags(reading, rating)


ChunkRunner = Callable[[Iterator[tuple[int, list[TableRow]]]], Iterator[tuple[int, ChunkResult]]]


class BatchJob:
    """One batch run over a file: checks, resumable parts, the final join and summary."""

    def __init__(self, options: BatchOptions, overwrite: bool = False) -> None:
        self.options = options
        self.parts = options.parts
        self.error_file = options.output.with_name(options.output.name + ".errors.jsonl")
        self.done_file = options.output.with_name(options.output.name + ".done.json")  # the finished run's record
        self.finished: BatchSummary | None = None
        self.published = False  # this run's output is in place (only the removal of its parts may be left)
        self._check(overwrite)

    def _check(self, overwrite: bool) -> None:
        opts = self.options
        try:
            check_table(opts.input, opts.encoding,
                        (opts.text_column, opts.id_column, opts.rating_column, *opts.keep_columns))
        except EmotraceError as exc:
            if exc.code == "E206" and opts.input.suffix.lower() in CONVERSATION_SUFFIXES:
                raise EmotraceError("E206", exc.problem, f"{exc.fix} A conversation or call file is read with `emotrace "
                                    "analyze FILE` (or POST /v1/customers/{id}/conversations).") from None
            raise
        table_format(opts.output)
        written = set(OUTPUT_FIELDS) - ({"id"} if opts.id_column is None else set()) - (
            {"flags"} if opts.rating_column is None else set())
        if clash := sorted(set(opts.keep_columns) & written):
            raise EmotraceError("E508", f"Input columns {clash}, kept in the output (--keep-columns, or with --ingest "
                                "the --customer-column, --conversation-column, --speaker-column, --timestamp-column, "
                                "--channel-column and --agent-column it stores), would overwrite output fields of "
                                "the same name.", "Rename those input columns before the run.")
        if opts.chunk_rows < 1:
            raise EmotraceError("E504", f"chunk_rows={opts.chunk_rows}.", "Use at least 1 row per chunk.")
        self._check_output()
        if overwrite:  # any unfinished run's parts; the output, its errors and its record are replaced at the join
            shutil.rmtree(self.parts, ignore_errors=True)
        earlier = self._unfinished_manifest()
        if opts.output.exists() and not overwrite and earlier != opts.manifest:  # unless this run's parts are beside it
            self.finished = self._finished_run()
            return
        if earlier is not None and earlier != (now := opts.manifest):
            raise EmotraceError("E506", f"{self.parts} holds an unfinished run with "
                                f"{'; '.join(manifest_changes(earlier, now))}.",
                                "Re-run with the same input and options to resume it, or pass --overwrite.")

    def _unfinished_manifest(self) -> dict[str, object] | None:
        """The manifest of the run whose parts are beside the output (None without parts). Parts of this very run
        beside an existing output were left by a kill during the join (the record is written before the output is
        replaced): they are joined again rather than the output taken as complete."""
        manifest = self.parts / "manifest.json"
        return recorded_manifest(read_record(manifest, "E506")) if manifest.exists() else None

    def _check_output(self) -> None:
        """E518 when the output or a file the run writes beside it is the input (--overwrite would delete it first);
        E516 when the output cannot be written (its folder is made here when missing)."""
        for path in (self.options.output, self.error_file, self.done_file):
            not_the_input(path, self.options.input)
        try:
            self.options.output.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EmotraceError("E516", f"Cannot write {self.options.output} ({exc.strerror}).") from None
        writable_file(self.options.output)

    def _finished_run(self) -> BatchSummary:
        """The summary of the run that wrote the existing output with this input and these options (E505 when the
        output is anything else)."""
        done = read_record(self.done_file, "E505") if self.done_file.exists() else {}
        manifest = self.options.manifest
        recorded = recorded_manifest(done["manifest"]) if "manifest" in done else None
        if recorded != manifest:
            changes = manifest_changes(recorded, manifest) if recorded is not None else []
            raise EmotraceError("E505", f"Output {self.options.output} already exists"
                                + (f", from a run with {'; '.join(changes)}" if changes else "") + ".",
                                "Pass --overwrite to replace it, or choose another output path.")
        return replace(BatchSummary(**done["summary"]), already_complete=True)

    def part_path(self, index: int) -> Path:
        """Where chunk ``index`` lives once finished."""
        return self.parts / f"part-{index:0{PART_DIGITS}d}{self.options.output.suffix}"

    def pending_chunks(self) -> Iterator[tuple[int, list[TableRow]]]:
        """(index, rows) of every chunk not yet finished, streaming through the input once."""
        rows = read_rows(self.options.input, self.options.encoding)
        index = 0
        while chunk := list(islice(rows, self.options.chunk_rows)):
            if not self.part_path(index).exists():
                yield index, chunk
            index += 1

    def write_part(self, index: int, result: ChunkResult,
                   before_commit: Callable[[int, ChunkResult], None] | None = None) -> None:
        """Write a finished chunk: the part first under a temporary name (a cell that cannot be written fails here,
        before anything is stored), then ``before_commit``, the sidecar, and the part by atomic rename (the
        commit)."""
        final = self.part_path(index)
        tmp = final.with_name(final.stem + ".tmp" + final.suffix)
        with _written(tmp, final):
            write_rows(tmp, result.rows)
        if before_commit is not None:
            before_commit(index, result)
        write_record(self.parts / f"part-{index:0{PART_DIGITS}d}.meta.json",
                     {"rows": len(result.rows), "errors": result.errors, "labels": result.labels,
                      "not_ingested": result.not_ingested})
        os.replace(tmp, final)

    def run(self, runner: ChunkRunner, progress: bool = True,
            before_commit: Callable[[int, ChunkResult], None] | None = None) -> BatchSummary:
        """Process every pending chunk with ``runner``, then join the parts into the output.

        ``before_commit(index, result)`` runs before a part is committed (``--ingest`` stores it there);
        it must be idempotent per index, since a kill between it and the commit repeats it. A run finished before
        with the same input and options is not repeated: its summary is returned. A run that fails (a row that
        cannot be parsed, a write refused) or is stopped (Ctrl-C, SIGTERM) leaving nothing to resume removes its
        parts folder, so that the same command, its input or options corrected, is not refused as another run's."""
        if self.finished is not None:
            return self.finished
        self.parts.mkdir(parents=True, exist_ok=True)
        try:
            write_record(self.parts / "manifest.json", self.options.manifest)
            total = count_rows(self.options.input, self.options.encoding)
            finished = list(self._finished_parts())
            resumed_rows = sum(data["rows"] for data in finished)
            done_rows = resumed_rows + sum(len(data["errors"]) for data in finished)
            with tqdm(total=total, initial=done_rows, unit="row", desc="batch", disable=not progress,
                      dynamic_ncols=True) as bar:  # closed on an error too, so its message starts a line of its own
                for index, result in runner(self.pending_chunks()):
                    self.write_part(index, result, before_commit)
                    bar.update(len(result.rows) + len(result.errors))
        except BaseException:  # KeyboardInterrupt too: a run stopped before its first chunk finished
            if not self._resumable():
                shutil.rmtree(self.parts, ignore_errors=True)
            raise
        return self._join(resumed_rows)

    def _resumable(self) -> bool:
        """Whether the parts folder holds anything a rerun resumes from: a committed part, or a record beside the
        manifest and the parts (``--ingest``'s time for untimed rows, kept once a chunk may have been stored), not a
        staged record a kill left (its name starts with a dot)."""
        return self.parts.is_dir() and (
            any(self._finished_parts()) or any(path.name != "manifest.json" and not path.name.startswith(("part-", "."))
                                               for path in self.parts.iterdir()))

    def _finished_parts(self) -> Iterator[dict[str, Any]]:
        """Sidecar data (rows, errors, labels) of every committed part, in order."""
        for meta in ordered_parts(self.parts.glob("part-*.meta.json")):
            if self.part_path(part_index(meta)).exists():
                yield json.loads(meta.read_text())

    def _join(self, resumed_rows: int) -> BatchSummary:
        """Join the parts into the output: the errors file and the run's record (with the ``resumed_rows`` an earlier
        run had finished) first, the output published by an atomic rename, then the parts removed (a kill between any
        two steps is finished by the next run)."""
        output = self.options.output
        parts = ordered_parts(self.parts.glob(f"part-*[0-9]{output.suffix}"))
        tmp = self.parts / f"joined.tmp{output.suffix}"  # no user's file: its type still read from its suffix
        with _written(tmp, output):
            _concatenate(parts, tmp, table_format(output))
        rows, labels, errors, not_ingested = 0, Counter[str](), [], []
        for data in self._finished_parts():
            rows += data["rows"]
            labels.update(data["labels"])
            errors += data["errors"]
            not_ingested += data.get("not_ingested", [])
        reported = sorted(errors + not_ingested, key=lambda e: int(e["row"]))
        if reported:
            write_text_file(self.error_file, "".join(json_text(e) + "\n" for e in reported), CHUNKS_KEPT)
        else:
            self.error_file.unlink(missing_ok=True)  # an earlier run's, listing rows this run read
        summary = BatchSummary(rows, len(errors), dict(labels.most_common()), str(output),
                               str(self.error_file) if reported else None, not_ingested=len(not_ingested),
                               resumed_rows=resumed_rows)
        write_record(self.done_file, {"manifest": self.options.manifest, "summary": asdict(summary)})
        os.replace(tmp, output)
        self.published = True
        shutil.rmtree(self.parts)
        return summary


def part_index(path: Path) -> int:
    """The chunk number in a part's file name (``part-000012.jsonl``, ``part-000012.meta.json``)."""
    return int(path.name.split("-")[1].split(".")[0])


def ordered_parts(paths: Iterable[Path]) -> list[Path]:
    """Part files in the order of their chunk numbers (as text, part-1000000 would sort before part-100001)."""
    return sorted(paths, key=part_index)


def write_record(path: Path, data: dict[str, object]) -> None:
    """Write a run's JSON record whole or not at all (E516 when the system refuses)."""
    write_text_file(path, json_text(data), CHUNKS_KEPT)


@contextmanager
def _written(tmp: Path, path: Path) -> Iterator[None]:
    """Around the writing of ``tmp``, the temporary file of ``path``: when the system refuses (a full disk, a file
    size limit), ``tmp`` is removed and E516 names ``path`` and the system's reason."""
    try:
        yield
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_refused(path, exc, CHUNKS_KEPT) from None


def read_record(path: Path, code: str) -> dict[str, Any]:
    """A run's JSON record; ``code`` (E505 / E506) when it cannot be read (cut by a kill in an earlier release, or
    edited)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict):
        raise EmotraceError(code, f"{path}, the record of an earlier run, cannot be read.",
                            "Pass --overwrite to start over.")
    return data


def _joined_schema(schemas: list[pa.Schema]) -> pa.Schema:
    """One schema for all parts, column by column: a part whose rows had no warning (or no intent) holds that list
    column as a list of nulls, unified with another part's strings as a list of strings; a copied input column
    written as numbers in one part and as text in another becomes text."""
    fields = []
    for name in dict.fromkeys(name for schema in schemas for name in schema.names):
        own = [pa.schema([schema.field(name)]) for schema in schemas if name in schema.names]
        try:
            fields.append(pa.unify_schemas(own, promote_options="permissive").field(name))
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            fields.append(pa.field(name, pa.string()))
    return pa.schema(fields)


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` cast to the joined ``schema``; a list or object column joined as text (another part holds text or
    numbers there) is written as text, lists and objects as JSON, as one part writes a column of mixed cells."""
    columns = []
    for target in schema:
        column = table.column(target.name)
        if target.type == pa.string() and pa.types.is_nested(column.type):  # Arrow casts no list or struct to text
            column = pa.array([as_text(value) for value in column.to_pylist()], pa.string())
        columns.append(column)
    return pa.table(columns, names=schema.names).cast(schema)


def _concatenate(parts: list[Path], target: Path, fmt: str) -> None:
    if fmt == "parquet":
        filled = [part for part in parts if pq.read_metadata(part).num_rows]
        if not filled:
            write_rows(target, [])
            return
        schema = _joined_schema([pq.read_schema(part) for part in filled])
        with pq.ParquetWriter(target, schema) as writer:
            for part in filled:
                writer.write_table(_conformed(pq.read_table(part), schema))
        return
    with target.open("wb") as out:
        header_written = False
        for part in parts:
            with part.open("rb") as handle:
                if fmt == "csv":
                    header = handle.readline()
                    if not header_written and header.strip():
                        out.write(header)
                        header_written = True
                shutil.copyfileobj(handle, out)


def summary_dict(summary: BatchSummary) -> dict[str, object]:
    """The summary as a JSON-ready dict."""
    return asdict(summary)
