"""One reader of tables (CSV, JSON Lines, Parquet) for batch, training and imports: one mistake, one code, whoever
reads the file."""

from __future__ import annotations

import csv
import inspect
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer

from emotrace.batch.job import BatchJob, BatchOptions
from emotrace.errors import EmotraceError
from emotrace.outcomes.commands import import_outcomes
from emotrace.tabular import TableRow, all_records, check_table, count_rows, read_table, write_rows
from emotrace.training.data import read_labelled_records

HEADER = "customer_id,kind,at,text,labels\n"
GOOD_ROW = "ann,renewed,2026-11-20,thanks!,joy\n"
OVERSIZED = "x" * (csv.field_size_limit() + 10)

def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def _parquet_damaged_in_its_data(table: pa.Table) -> bytes:
    """``table`` as Parquet in row groups of 5 rows, the second row group's data pages overwritten with 0xff (the
    footer intact: the file opens, its schema and row count read)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=5, use_dictionary=False)
    data = bytearray(sink.getvalue().to_pybytes())
    group = pq.ParquetFile(pa.BufferReader(bytes(data))).metadata.row_group(1)
    for column in range(group.num_columns):
        chunk = group.column(column)
        data[chunk.data_page_offset:chunk.data_page_offset + chunk.total_compressed_size] = \
            b"\xff" * chunk.total_compressed_size
    return bytes(data)


# each mistake: the file's name, its bytes (None: no file) and the one code every caller gives for it
MISTAKES = {
    "no such file": ("gone.csv", None, "E006"),
    "unsupported type": ("rows.xlsx", (HEADER + GOOD_ROW).encode(), "E206"),
    "not valid in its encoding": ("rows.jsonl", '{"customer_id": "ann", "kind": "renewed", "at": "2026-11-20", '
                                  '"text": "café", "labels": "joy"}\n'.encode("latin-1"), "E004"),
    "malformed row": ("rows.csv", (HEADER + GOOD_ROW + f"bob,renewed,2026-11-20,{OVERSIZED},joy\n").encode(), "E514"),
    "missing column": ("rows.csv", b"message\nthanks!\n", "E503"),
    "empty file": ("rows.csv", b"", "E513"),
    "a column named twice": ("rows.csv", (HEADER.replace("labels", "text") + GOOD_ROW).encode(), "E517"),
    # found by a review: a Parquet file's second "text" column was read in place of the first, silently
    "a Parquet column named twice": ("rows.parquet", _parquet_bytes(pa.Table.from_arrays(
        [pa.array([v]) for v in ("ann", "renewed", "2026-11-20", "thanks!", "joy", "another field")],
        names=[*HEADER.strip().split(","), "text"])), "E517"),
    # found by a review: a Parquet file damaged in its data (its footer intact) ended in pyarrow's OSError traceback
    "a Parquet file damaged in its data": ("rows.parquet", _parquet_damaged_in_its_data(pa.table(
        {name: [f"{name} {n}" for n in range(10)] for name in HEADER.strip().split(",")})), "E515"),
}


def _batch(path: Path) -> None:
    job = BatchJob(BatchOptions(path, path.with_name("out.jsonl")))
    list(job.pending_chunks())


def _training(path: Path) -> None:
    read_labelled_records(path, "text", "labels")


def _outcomes(path: Path) -> None:
    from emotrace.store import Store

    url = f"sqlite:///{path.with_name('e.db')}"
    Store(url)  # the store the import reads (a missing one is refused: E025)
    inspect.unwrap(import_outcomes)(path, database_url=url)


CALLERS: dict[str, Callable[[Path], None]] = {"batch": _batch, "training": _training, "outcomes import": _outcomes}


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_one_mistake_gets_one_code_from_every_caller(tmp_path: Path, caller: str, mistake: str) -> None:
    """Before the one reader, training said E208/E207 (or a raw csv.Error) and outcomes import refused every row,
    or stored nothing and exited 0, where batch said E503/E513/E514."""
    name, content, code = MISTAKES[mistake]
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(EmotraceError) as caught:
        CALLERS[caller](path)
    assert caught.value.code == code, caught.value
    assert name in caught.value.problem


RECORDS: list[dict[str, object]] = [{"text": "thanks!", "labels": "joy"}, {"text": "where is it?", "labels": "anger"}]
SUFFIXES = [".csv", ".jsonl", ".ndjson", ".json", ".parquet"]
TEXT_SUFFIXES = [s for s in SUFFIXES if s != ".parquet"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_every_format_streams_the_same_numbered_rows(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"rows{suffix}"
    write_rows(path, RECORDS)
    assert list(read_table(path, required=["text"])) == [TableRow(1, RECORDS[0]), TableRow(2, RECORDS[1])]
    assert check_table(path) == ["text", "labels"] and count_rows(path) == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
@pytest.mark.parametrize("suffix", TEXT_SUFFIXES)
def test_a_file_in_the_encoding_given_reads_and_counts_its_rows(tmp_path: Path, suffix: str, encoding: str) -> None:
    """JSON Lines in UTF-16 was refused (E514, row 1: its lines were split as bytes); progress counted a UTF-16
    file's lines as bytes and a CSV cell written over two lines as two rows."""
    records = [{"text": "line one\nline two", "labels": "joy"}, {"text": "né", "labels": "anger"}]
    path = tmp_path / f"rows{suffix}"
    write_rows(path, records)
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding=encoding)  # a blank line at the end
    assert list(read_table(path, encoding, ["text"])) == [TableRow(1, records[0]), TableRow(2, records[1])]
    assert count_rows(path, encoding) == 2


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_no_such_file_and_a_folder(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(EmotraceError, match=r"E006.*gone"):
        check_table(tmp_path / f"gone{suffix}")
    (tmp_path / f"folder{suffix}").mkdir()
    with pytest.raises(EmotraceError, match=r"E012.*is a folder"):
        check_table(tmp_path / f"folder{suffix}")


@pytest.mark.parametrize("suffix", [".txt", ".xlsx", ".tsv", ""])
def test_an_unsupported_type(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"rows{suffix}"
    path.write_text("text\nhi\n", encoding="utf-8")
    with pytest.raises(EmotraceError, match="E206") as caught:
        check_table(path)
    assert caught.value.kind.status == 415


@pytest.mark.parametrize("suffix", TEXT_SUFFIXES)
def test_text_not_valid_in_its_encoding_names_the_line(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"rows{suffix}"
    write_rows(path, [*RECORDS, {"text": "café", "labels": "joy"}])
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    with pytest.raises(EmotraceError, match=r"E004.*not valid utf-8: line \d, byte 0xe9"):
        check_table(path)
    assert [row.fields["text"] for row in read_table(path, "latin-1") if row.fields] == ["thanks!", "where is it?",
                                                                                          "café"]


@pytest.mark.parametrize("suffix", TEXT_SUFFIXES)
def test_a_utf8_file_read_as_utf16_is_said_not_to_be_utf16(tmp_path: Path, suffix: str) -> None:
    """Found by a review: UTF-16 without a byte-order mark raises UnicodeError, not UnicodeDecodeError, and ended
    every table-reading command in a traceback."""
    path = tmp_path / f"rows{suffix}"
    write_rows(path, RECORDS)
    with pytest.raises(EmotraceError, match=r"E004.*not valid utf-16"):
        check_table(path, "utf-16")


@pytest.mark.parametrize("codec", ["base64", "hex", "rot13", "zlib"])
def test_a_codec_that_is_not_a_text_encoding_is_refused(codec: str) -> None:
    from emotrace.encoding import checked_encoding

    with pytest.raises(EmotraceError, match=rf"E021.*'{codec}' is not a text encoding"):
        checked_encoding(codec)


def test_a_json_row_without_a_required_key_reads_as_an_empty_cell(tmp_path: Path) -> None:
    """Found by a review: the columns are checked on the first row only, so a later JSON row without one ended
    `evaluate`, `train --mapping` and `drivers` in a KeyError traceback; a CSV row's missing cell reads empty."""
    path = tmp_path / "rows.jsonl"
    path.write_text('{"text": "I love it", "labels": "joy"}\n{"text": "meh"}\n', encoding="utf-8")
    assert all_records(path, required=("text", "labels")) == [{"text": "I love it", "labels": "joy"},
                                                              {"text": "meh", "labels": None}]


def test_a_malformed_csv_row_is_named_wherever_it_is(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(f"text,labels\nthanks!,joy\n{OVERSIZED},joy\nok,joy\n", encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E514.*rows.csv: row 2 cannot be read \(field larger"):
        all_records(path)
    path.write_text(f"text,labels\n{OVERSIZED},joy\n", encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E514.*row 1 cannot be read"):
        check_table(path)



def test_a_quote_never_closed_is_named_not_read_as_the_rest_of_the_file(tmp_path: Path) -> None:
    """A quote opened and never closed took every later row into one cell (3 rows read as 1, nothing said)."""
    path = tmp_path / "rows.csv"
    path.write_text('text,labels\n"hello, world",joy\n"oops, unclosed,anger\nthird row,joy\nfourth,sadness\n',
                    encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E514.*rows.csv: row 2 cannot be read \(a quote opened in it is never "
                                            r"closed"):
        all_records(path)
    read: list[dict[str, object] | None] = []
    with pytest.raises(EmotraceError, match="E514"):
        read.extend(row.fields for row in read_table(path))
    assert read == [{"text": "hello, world", "labels": "joy"}]  # the rows before it, streamed as they were

@pytest.mark.parametrize("suffix", TEXT_SUFFIXES[1:])
def test_a_line_that_is_not_a_json_object_is_an_error_row_or_e514_for_a_whole_read(tmp_path: Path,
                                                                                     suffix: str) -> None:
    path = tmp_path / f"rows{suffix}"
    path.write_text('{"text": "thanks!"}\n\n{"text": "cut\n["a list"]\n{"text": "ok"}\n', encoding="utf-8")
    rows = list(read_table(path, required=["text"]))
    assert [(r.number, r.fields) for r in rows] == [(1, {"text": "thanks!"}), (2, None), (3, None), (4, {"text": "ok"})]
    # the file's line (blank lines count) and the column in it; not the parser's "line 2" of a cut row
    assert rows[1].error == "line 3 is not valid JSON: unterminated string starting at column 10", rows[1].error
    assert rows[2].error == "line 4 is a JSON array, not an object: JSON Lines hold one object per line"
    with pytest.raises(EmotraceError, match=r"E514.*row 2 cannot be read \(line 3 is not valid JSON"):
        all_records(path)
    path.write_text('not json\n["a list"]\n', encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E514.*row 1 cannot be read"):  # no row to take the columns from
        check_table(path)


def test_a_damaged_parquet_file(tmp_path: Path) -> None:
    """pyarrow's ArrowInvalid used to end the command with a traceback."""
    path = tmp_path / "rows.parquet"
    write_rows(path, RECORDS)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(EmotraceError, match=r"E515.*rows.parquet is not a readable Parquet file"):
        check_table(path)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_missing_columns_are_named_with_the_columns_there(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"rows{suffix}"
    write_rows(path, [{"message": "hi", "labels": "joy"}])
    with pytest.raises(EmotraceError, match=r"E503\] Column 'text' is not in .*Columns there: \['message', 'labels'\]"):
        check_table(path, required=["text", None, "labels"])
    with pytest.raises(EmotraceError, match=r"E503\] Column 'text' is not in .*, nor is 'id'\. .*\['message', 'labels'\]"):
        read_table(path, required=["text", "labels", "id", "text"])
    with pytest.raises(EmotraceError, match=r"E503\] Column 'a' is not in .*, nor are 'b', 'c'\. "):
        read_table(path, required=["a", "b", "c"])


@pytest.mark.parametrize("content", ['[{"text": "hi"}, {"text": "yo"}]\n', '[\n  {"text": "hi"},\n  {"text": "yo"}\n]\n'])
def test_a_json_array_file_is_told_to_be_json_lines(tmp_path: Path, content: str) -> None:
    """Found by a review: a .jsonl file holding one JSON array (as a JSON export writes it) got "line 1 is not a JSON
    object" / "is not valid JSON: expecting value" with no word of the format the file must have."""
    path = tmp_path / "rows.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E514.*row 1 cannot be read \(line 1 is a JSON array, not an object: JSON "
                                            r"Lines hold one object per line\)"):
        all_records(path)


def test_a_missing_column_says_which_option_names_it(tmp_path: Path) -> None:
    """Found by a review: E503's fix listed the columns there and dropped the registry's advice to name the column
    with --text-column / --label-column."""
    path = tmp_path / "rows.csv"
    write_rows(path, [{"message": "hi"}])
    with pytest.raises(EmotraceError, match=r"Columns there: \['message'\]\. Name the column with the matching option "
                                            r"\(--text-column"):
        check_table(path, required=["text"])


@pytest.mark.parametrize(("name", "content"), [("rows.csv", b""), ("rows.csv", b"text,labels\n"),
                                               ("rows.jsonl", b""), ("rows.ndjson", b"\n  \n"), ("rows.json", b"")])
def test_a_file_without_rows_is_empty(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(EmotraceError, match=rf"E513\] .*{name} is empty: it holds no rows"):
        check_table(path, required=["text"])


def test_a_parquet_file_without_rows_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"text": pa.array([], pa.string())}), path)
    with pytest.raises(EmotraceError, match=r"E513\] .*rows.parquet is empty"):
        all_records(path)


def test_a_jsonl_line_that_is_not_json_stops_training_but_is_one_bad_row_for_batch_and_outcomes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Training said E205 for what the batch reader reports as a bad row; now a read that cannot skip a row (training)
    says E514, as for a CSV row, and the streaming callers keep reporting it as that row's problem."""
    path = tmp_path / "rows.jsonl"
    path.write_text('{"customer_id": "ann", "kind": "renewed", "at": "2026-11-20", "text": "hi", "labels": "joy"}\n'
                    '{"customer_id": "ann", "kind": "renewed", "at": \n', encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E514.*row 2 cannot be read"):
        _training(path)
    (_, chunk), = BatchJob(BatchOptions(path, tmp_path / "out.jsonl")).pending_chunks()
    assert [row.fields is None for row in chunk] == [False, True]
    with pytest.raises(typer.Exit):  # refused rows: exit status 1, each named
        _outcomes(path)
    assert "row 2: line 2 is not valid JSON: expecting value at column 49" in capsys.readouterr().err


def test_a_byte_order_mark_does_not_stick_to_the_first_column(tmp_path: Path) -> None:
    """Spreadsheets' "CSV UTF-8" starts with a BOM: the first column was '\ufefftext' and E503 refused the file."""
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufefftext,labels\nthanks!,joy\n".encode())
    assert all_records(path, required=("text", "labels")) == [{"text": "thanks!", "labels": "joy"}]


def test_a_semicolon_separated_csv_is_read_by_its_header(tmp_path: Path) -> None:
    """Spreadsheets in much of Europe save "CSV" with semicolons: the header read as one column 'text;labels' and E503
    refused the file. A header with semicolons and no comma is read so; commas inside cells stay text."""
    path = tmp_path / "excel.csv"
    path.write_text('text;labels\nthanks, all fixed!;joy\n"a; quoted cell";neutral\n', encoding="utf-8")
    assert all_records(path, required=("text", "labels")) == [{"text": "thanks, all fixed!", "labels": "joy"},
                                                               {"text": "a; quoted cell", "labels": "neutral"}]
    assert count_rows(path) == 2
    path.write_text("text,labels\nthanks; all fixed!,joy\n", encoding="utf-8")  # a comma header keeps commas
    assert all_records(path) == [{"text": "thanks; all fixed!", "labels": "joy"}]


def test_a_jsonl_row_naming_a_key_twice_is_an_error_row_not_its_last_value(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CSV header naming a column twice is refused (E517) and so is an HTTP body naming a key twice (E920), but a
    JSON line naming "customer_id" twice was read as its last value with no word: outcomes import stored bob's
    upgrade for ann. A key repeated at any depth of the row's object (a nested object in a kept column too) makes
    that row an error naming the key and the line; a row with distinct keys reads as before."""
    path = tmp_path / "rows.jsonl"
    path.write_text('{"customer_id": "ann", "kind": "renewed", "at": "2026-11-20", "text": "hi", "labels": "joy"}\n'
                    '{"customer_id": "bob", "customer_id": "ann", "kind": "upgraded", "at": "2026-11-11", '
                    '"text": "hi", "labels": "joy"}\n'
                    '\n{"customer_id": "cy", "kind": "renewed", "at": "2026-11-20", "text": "hi", "labels": "joy", '
                    '"meta": {"plan": [{"tier": "gold", "tier": "basic"}]}}\n'
                    '{"customer_id": "dee", "kind": "renewed", "at": "2026-11-20", "text": "hi", "labels": "joy", '
                    '"meta": {"plan": [{"tier": "gold"}], "tier": "basic"}}\n', encoding="utf-8")
    rows = list(read_table(path, required=["customer_id", "meta"]))
    assert [(row.number, row.fields is None) for row in rows] == [(1, False), (2, True), (3, True), (4, False)]
    assert rows[1].error == "line 2 is not read: the key 'customer_id' is given twice in one object", rows[1].error
    assert rows[2].error == "line 4 is not read: the key 'tier' is given twice in one object", rows[2].error
    assert rows[3].fields == {"customer_id": "dee", "kind": "renewed", "at": "2026-11-20", "text": "hi",
                              "labels": "joy", "meta": {"plan": [{"tier": "gold"}], "tier": "basic"}}
    with pytest.raises(EmotraceError, match=r"E514.*row 2 cannot be read \(line 2 is not read: the key 'customer_id'"):
        _training(path)
    (_, chunk), = BatchJob(BatchOptions(path, tmp_path / "out.jsonl")).pending_chunks()
    assert [row.fields is None for row in chunk] == [False, True, True, False]
    with pytest.raises(typer.Exit):  # refused rows: exit status 1, each named
        _outcomes(path)
    err = capsys.readouterr().err
    assert "row 2: line 2 is not read: the key 'customer_id' is given twice in one object" in err, err
    assert "row 3: line 4 is not read: the key 'tier' is given twice in one object" in err, err


def test_a_parquet_file_damaged_in_its_data_is_e515_naming_the_row_reached(tmp_path: Path) -> None:
    """Found by a review: only opening the file was guarded, so a file damaged in its data (its footer intact) ended
    every command in pyarrow's "OSError: Couldn't deserialize thrift ... Deserializing page header failed" traceback."""
    path = tmp_path / "rows.parquet"
    path.write_bytes(_parquet_damaged_in_its_data(pa.table({"text": [f"text {n}" for n in range(10)]})))
    assert check_table(path, required=["text"]) == ["text"] and count_rows(path) == 10  # the footer reads
    with pytest.raises(EmotraceError, match=r"E515\] .*rows.parquet is not a readable Parquet file: its rows from "
                                            r"row 1 on cannot be read \(Couldn't deserialize thrift"):
        list(read_table(path, required=["text"]))


def _strict_json(line: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"{constant} is not JSON")
    return json.loads(line, parse_constant=refuse)


def test_a_cell_that_is_not_a_finite_number_is_written_as_null_in_json(tmp_path: Path) -> None:
    """Found by a review: pandas writes a missing float as NaN, and a JSON Lines output copying that cell held
    `"score": NaN`, which no strict JSON reader takes (JSON has no NaN or Infinity)."""
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["hi", "ok"], "score": [float("nan"), 2.5]}), source)
    rows = [{**record, "scores": {"a": float("inf"), "b": [float("-inf"), 0.5]}} for record in all_records(source)]
    out = tmp_path / "out.jsonl"
    write_rows(out, rows)
    assert [_strict_json(line) for line in out.read_text(encoding="utf-8").splitlines()] == [
        {"text": "hi", "score": None, "scores": {"a": None, "b": [None, 0.5]}},
        {"text": "ok", "score": 2.5, "scores": {"a": None, "b": [None, 0.5]}}]
    write_rows(out.with_suffix(".csv"), rows)  # a CSV cell holding a list or an object holds it as JSON
    assert [_strict_json(str(record["scores"])) for record in all_records(out.with_suffix(".csv"))] == [
        {"a": None, "b": [None, 0.5]}] * 2


@pytest.mark.parametrize("header", ["text,labels", "text;labels"])
def test_blank_lines_before_a_csv_header_are_skipped(tmp_path: Path, header: str) -> None:
    """Found by a review: a CSV starting with a blank line read that line as its header, and every row was refused
    as "2 cells where the header names 0 columns"."""
    path = tmp_path / "rows.csv"
    path.write_text(f"\n  \r\n{header}\nthanks!{header[4]}joy\n", encoding="utf-8", newline="")
    assert all_records(path, required=("text", "labels")) == [{"text": "thanks!", "labels": "joy"}]
    assert count_rows(path) == 1


@pytest.mark.parametrize("separator", [",", ";"])
def test_empty_header_cells_at_the_end_of_a_csv_header_are_no_columns(tmp_path: Path, separator: str) -> None:
    """Found by a review: a spreadsheet's export ending every line in empty cells ("id,text,,") was refused as
    naming the column '' twice (E517). Empty header cells at the end name no column: their cells, empty, are not
    read; a cell under one that holds something is an error row saying so."""
    path = tmp_path / "rows.csv"
    path.write_text("id,text,,\n1,hello,,\n2,thanks\n3,bye,,oops\n4,one,two,three,four\n".replace(",", separator),
                    encoding="utf-8")
    assert check_table(path, required=["text"]) == ["id", "text"]
    rows = list(read_table(path, required=["text"]))
    assert [row.fields for row in rows] == [{"id": "1", "text": "hello"}, {"id": "2", "text": "thanks"}, None, None]
    assert rows[2].error == "its cell 4 is under a header cell that names no column (name that column in the header)"
    assert rows[3].error is not None and rows[3].error.startswith("5 cells where the header names 2 columns"), rows[3].error
    assert count_rows(path) == 4


def test_a_csv_whose_every_row_is_malformed_has_its_headers_columns_and_its_rows_are_bad_rows(tmp_path: Path) -> None:
    """Found by a new-user trial: `batch` read a malformed row (an unquoted comma) as a bad row among good rows, but
    stopped the whole run with E514 ("nothing after it was read") when every row was malformed, one row or three: the
    columns were taken from the first readable row. A CSV's header names its columns."""
    path = tmp_path / "rows.csv"
    path.write_text("id,text\n1,Hello there, this is bad\n2,x, y\n", encoding="utf-8")
    assert check_table(path, required=["text"]) == ["id", "text"]
    rows = list(read_table(path, required=["text"]))
    assert [(row.number, row.fields) for row in rows] == [(1, None), (2, None)]
    assert all(row.error and row.error.startswith("3 cells where the header names 2 columns") for row in rows)
    with pytest.raises(EmotraceError, match="E503"):
        check_table(path, required=["body"])


def test_a_decode_error_is_named_by_its_line_and_column_in_the_text_in_any_encoding(tmp_path: Path) -> None:
    """Found by a review: the bad line was looked for by splitting the bytes at 0x0a, so a UTF-16 file's lone
    surrogate on line 4 was said to be "line 1, byte 0x0a at column 11", and the hint said to pass --encoding, which
    the user had. Lines and columns are counted in the text decoded before the bad bytes; --encoding is suggested
    only when the file was read as UTF-8 (every command's default)."""
    path = tmp_path / "rows.csv"
    path.write_bytes("text\nhello there\nall good\n\ud800x\n".encode("utf-16", "surrogatepass"))
    with pytest.raises(EmotraceError) as caught:
        check_table(path, "utf-16")
    assert caught.value.problem.endswith("not valid utf-16: line 4, bytes 0x00 0xd8 at column 1 (illegal UTF-16 "
                                         "surrogate)."), caught.value.problem
    assert "--encoding" not in str(caught.value.fix), caught.value.fix
    path.write_bytes("text\nnaïve, caf".encode() + b"\xe9\n")
    with pytest.raises(EmotraceError) as caught:
        check_table(path)
    assert caught.value.problem.endswith("not valid utf-8: line 2, byte 0xe9 at column 11 (invalid continuation "
                                         "byte)."), caught.value.problem
    assert "--encoding cp1252" in str(caught.value.fix), caught.value.fix


@pytest.mark.parametrize(("encoding", "named"), [("utf-16", "utf-16"), ("utf-32", "utf-32")])
def test_a_file_with_a_utf_16_or_32_byte_order_mark_read_as_utf_8_is_told_its_encoding(tmp_path, encoding: str,
                                                                                        named: str) -> None:
    """Found by a review: a UTF-16 CSV (a spreadsheet's "Unicode text" export) read without --encoding was told to
    try cp1252 or latin-1, which read its column names as garbled text (E503). Its byte-order mark says what it is."""
    path = tmp_path / "rows.csv"
    path.write_bytes("text\nhello there\n".encode(encoding))
    with pytest.raises(EmotraceError) as caught:
        check_table(path)
    assert f"--encoding {named}" in str(caught.value.fix) and "cp1252" not in str(caught.value.fix), caught.value.fix
