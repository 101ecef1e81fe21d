"""Reading a batch input file: a row that cannot be read is said, never silently the end of the file."""

from __future__ import annotations

import csv

import pytest

from emotrace.errors import EmotraceError
from emotrace.tabular import all_records, read_rows


def test_a_malformed_csv_row_stops_the_read_naming_it_instead_of_ending_the_file(tmp_path) -> None:
    """261 rows with one field over the csv module's size limit at row 61: the read used to stop there as if the
    file ended (exit 0, 200 rows never read); now it stops with a coded error naming the row."""
    path = tmp_path / "in.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text"])
        for i in range(1, 262):
            writer.writerow(["x" * (csv.field_size_limit() + 10) if i == 61 else f"message {i}"])
    rows = read_rows(path)
    assert [next(rows).fields for _ in range(60)][-1] == {"text": "message 60"}
    with pytest.raises(EmotraceError, match=r"E514.*row 61 cannot be read.*nothing after it was read") as caught:
        next(rows)
    assert "in.csv" in str(caught.value)


def test_a_jsonl_line_with_a_number_too_long_to_read_is_an_error_row(tmp_path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "ok"}\n{"text": "late", "n": ' + "9" * 5000 + '}\n{"text": "fine"}\n', encoding="utf-8")
    rows = list(read_rows(path))
    assert [r.fields for r in rows] == [{"text": "ok"}, None, {"text": "fine"}]
    assert rows[1].error == "line 2 cannot be read: a number has too many digits"


def test_a_csv_row_with_more_cells_than_the_header_is_an_error_row_not_cut_short(tmp_path) -> None:
    """An unquoted comma in a text: the reader kept the cells before it and dropped the rest silently."""
    path = tmp_path / "in.csv"
    path.write_text("id,text\n1,I waited 3 hours, terrible service and nobody called back\n2,ok\n", encoding="utf-8")
    rows = list(read_rows(path))
    assert [r.fields for r in rows] == [None, {"id": "2", "text": "ok"}]
    assert rows[0].error is not None and "3 cells" in rows[0].error and "2 columns" in rows[0].error
    with pytest.raises(EmotraceError, match=r"E514.*row 1"):
        all_records(path)


def test_a_jsonl_file_starting_with_a_byte_order_mark_reads_its_first_row(tmp_path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes('\ufeff{"text": "hello"}\n{"text": "second"}\n'.encode())
    assert [r.fields for r in read_rows(path)] == [{"text": "hello"}, {"text": "second"}]
