"""``emotrace batch``: what a run leaves on disk when it is killed, replaced or fed odd cells (found by a review of
the batch code, 2026-12-06: each test failed on the code before its fix)."""

from __future__ import annotations

import csv
import json
import resource
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from emotrace.batch.engines import local_runner
from emotrace.batch.job import BatchJob, BatchOptions
from emotrace.errors import EmotraceError
from emotrace.settings import get_settings
from emotrace.tabular import arrow_table, check_table, count_rows, read_rows
from tests.batch.test_batch import output_rows, untimed_conversation, write_input
from tests.test_cli import EMOTRACE, run


def _options(source: Path, output: Path, **kw: object) -> BatchOptions:
    return BatchOptions(source, output, kw.pop("text_column", "body"), kw.pop("id_column", "msg_id"),  # type: ignore[arg-type]
                        kw.pop("chunk_rows", 2), str(get_settings().model_dir), **kw)  # type: ignore[arg-type]


def _stopped_after(options: BatchOptions, chunks_done: int):
    def runner(chunks):
        for done, finished in enumerate(local_runner(options)(chunks), 1):
            yield finished
            if done == chunks_done:
                raise KeyboardInterrupt
    return runner


def test_overwrite_keeps_the_finished_output_until_the_new_run_replaces_it(tmp_path) -> None:
    """--overwrite deleted the output, its errors and its record before reading a row: a new run stopped partway
    left the user with no output at all."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 6)
    assert run("batch", str(source), "-o", str(output), "--text-column", "body").returncode == 0
    before = output.read_bytes()
    write_input(source, 8)
    options = _options(source, output)
    with pytest.raises(KeyboardInterrupt):
        BatchJob(options, overwrite=True).run(_stopped_after(options, 1), progress=False)
    assert output.read_bytes() == before
    assert BatchJob(options, overwrite=True).run(local_runner(options), progress=False).rows == 8
    assert len(output_rows(output)) == 8


def test_a_run_without_errors_removes_the_errors_file_an_earlier_run_left(tmp_path) -> None:
    """The user deleted out.jsonl, fixed the input and ran again: the old errors file stayed beside the new output,
    listing rows that were now fine."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 4, bad={2: json.dumps({"msg_id": "m2", "body": ""})})
    assert run("batch", str(source), "-o", str(output), "--text-column", "body", "--max-bad-share", "1").returncode == 0
    errors = output.with_name("out.jsonl.errors.jsonl")
    assert errors.exists()
    output.unlink()
    write_input(source, 4)
    result = run("batch", str(source), "-o", str(output), "--text-column", "body")
    assert result.returncode == 0 and not errors.exists(), result.stdout


@pytest.mark.parametrize("record", ["manifest.json", "done.json"])
def test_a_record_cut_by_a_kill_is_a_clear_error_not_a_traceback(tmp_path, record) -> None:
    """manifest.json and done.json were written in place: a kill mid-write left half a JSON document, and every
    later run died on a JSONDecodeError."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 4)
    options = _options(source, output)
    if record == "manifest.json":
        with pytest.raises(KeyboardInterrupt):
            BatchJob(options).run(_stopped_after(options, 1), progress=False)
        cut = output.with_name("out.jsonl.parts") / "manifest.json"
    else:
        BatchJob(options).run(local_runner(options), progress=False)
        cut = output.with_name("out.jsonl.done.json")
    cut.write_text(cut.read_text()[:20])
    with pytest.raises(EmotraceError, match=r"E50[56].*cannot be read.*--overwrite"):
        BatchJob(options)


def test_records_are_written_whole_or_not_at_all(tmp_path, monkeypatch) -> None:
    """A failure while a record is written leaves the earlier record, never a part of the new one."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 4)
    options = _options(source, output)
    BatchJob(options).run(local_runner(options), progress=False)
    done = output.with_name("out.jsonl.done.json")
    before = done.read_text()

    def fails(self, data, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", fails)
    with pytest.raises((OSError, EmotraceError)):
        BatchJob(options, overwrite=True).run(local_runner(options), progress=False)
    monkeypatch.undo()
    assert done.read_text() == before and output.exists()


def test_an_output_published_before_its_record_is_joined_again_not_refused(tmp_path, monkeypatch) -> None:
    """A kill between the output's rename and done.json's write left an output no run would own: every rerun said
    E505 "already exists", and only --overwrite (reading everything again) got out."""
    import emotrace.batch.job as job

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 4)
    options = _options(source, output)
    real_replace = job.os.replace

    def killed_after_publishing(source, target):
        real_replace(source, target)
        if Path(target) == output:
            raise KeyboardInterrupt

    monkeypatch.setattr(job.os, "replace", killed_after_publishing)
    with pytest.raises(KeyboardInterrupt):
        BatchJob(options).run(local_runner(options), progress=False)
    monkeypatch.setattr(job.os, "replace", real_replace)
    summary = BatchJob(options).run(local_runner(options), progress=False)
    assert summary.rows == 4 and len(output_rows(output)) == 4


def test_parts_join_in_the_order_of_their_numbers_past_a_million(tmp_path) -> None:
    """Parts sorted as text put part-1000000 between part-100000 and part-100001."""
    from emotrace.batch.job import ordered_parts

    names = ["part-100001.jsonl", "part-1000000.jsonl", "part-100000.jsonl", "part-999999.jsonl"]
    assert [p.name for p in ordered_parts([tmp_path / n for n in names])] == [
        "part-100000.jsonl", "part-100001.jsonl", "part-999999.jsonl", "part-1000000.jsonl"]


def test_a_parquet_output_of_only_bad_rows_is_written(tmp_path) -> None:
    """Every row bad, Parquet output: the empty output was written to "out.parquet.tmp", refused as an unsupported
    type (E206) on every rerun, the parts left behind."""
    source, output = tmp_path / "in.csv", tmp_path / "out.parquet"
    source.write_text('text\n""\n"   "\n', encoding="utf-8")
    result = run("batch", str(source), "-o", str(output), "--max-bad-share", "1", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["errors"] == 2 and pq.read_table(output).num_rows == 0


def test_cells_json_cannot_hold_are_written_as_text_and_nothing_is_stored_before_the_output_can_be(tmp_path) -> None:
    """A Parquet timestamp id (or one kept column) failed the JSONL part with "Object of type datetime is not JSON
    serializable", after --ingest had stored the chunk; a bad row's BINARY id failed its error record."""
    source, output = tmp_path / "in.parquet", tmp_path / "out.jsonl"
    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    pq.write_table(pa.table({"body": ["My parcel is late.", ""], "sent": pa.array([when, when], pa.timestamp("us", "UTC")),
                             "key": pa.array([b"k1", b"k2"], pa.binary())}), source)
    result = run("batch", str(source), "-o", str(output), "--text-column", "body", "--id-column", "key",
                 "--keep-columns", "sent", "--max-bad-share", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    [row] = output_rows(output)
    assert row["id"] == "k1" and row["sent"].startswith("2026-12-01T09:30:00")
    [error] = [json.loads(line) for line in output.with_name("out.jsonl.errors.jsonl").read_text().splitlines()]
    assert error["id"] == "k2"


def test_parquet_cells_arrow_cannot_hold_in_their_type_are_written_as_text() -> None:
    """A JSONL id past 64 bits raised OverflowError, and a kept list mixing text and numbers ArrowInvalid, when the
    output was Parquet."""
    table = arrow_table([{"id": 2**70, "tags": ["vip", 3], "n": 1}, {"id": 5, "tags": [], "n": 2}])
    assert table.column("id").to_pylist() == [str(2**70), "5"]
    assert table.column("tags").to_pylist() == ['["vip", 3]', "[]"]
    assert table.column("n").to_pylist() == [1, 2]


def test_a_csv_text_longer_than_csv_s_default_field_limit_is_read(tmp_path) -> None:
    """A quoted cell of 140,000 characters stopped the run at its row (E514, "nothing after it was read") after the
    rows before it were read, and the row count for progress stopped there too."""
    source = tmp_path / "in.csv"
    source.write_text('body\nfirst\nsecond\n"' + "a long complaint " * 8_300 + '"\nfourth\n', encoding="utf-8")
    assert [len(str((row.fields or {})["body"])) > 140_000 for row in read_rows(source)] == [False, False, True, False]
    assert count_rows(source) == 4


def test_a_jsonl_column_absent_from_the_first_object_is_found_in_later_ones(tmp_path) -> None:
    """Only the first object's keys were checked: --rating-column stars (or --agent-column, which customer rows
    lack) was refused as missing when a later row had it."""
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "a"}\n{"text": "b", "stars": 5}\n', encoding="utf-8")
    assert "stars" in check_table(source, required=["text", "stars"])
    with pytest.raises(EmotraceError, match=r"E503.*'starz'"):
        check_table(source, required=["text", "starz"])


def test_a_parquet_text_that_is_not_utf8_is_a_bad_row_not_a_changed_text(tmp_path) -> None:
    """b"caf\\xe9 was awful" (Latin-1 bytes in a BINARY column) was read, written and stored as "caf\ufffd was
    awful"."""
    source, output = tmp_path / "in.parquet", tmp_path / "out.jsonl"
    pq.write_table(pa.table({"body": pa.array([b"caf\xe9 was awful", b"fine"], pa.binary())}), source)
    result = run("batch", str(source), "-o", str(output), "--text-column", "body", "--max-bad-share", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert [r["row"] for r in output_rows(output)] == [2]
    [error] = [json.loads(line) for line in output.with_name("out.jsonl.errors.jsonl").read_text().splitlines()]
    assert error["row"] == 1 and "UTF-8" in error["reason"]


def test_untimed_rows_stored_by_two_runs_keep_the_file_s_order(tmp_path) -> None:
    """Each run timed untimed rows from its own start: chunk 1 stored by a killed run, chunk 0 by the resumed run,
    and the first rows were stored as later than the rows after them."""
    texts, options, store, ingestor = untimed_conversation(tmp_path)

    def last_chunk_then_stop(chunks):
        yield list(local_runner(options)(chunks))[-1]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        BatchJob(options).run(last_chunk_then_stop, progress=False, before_commit=ingestor())
    BatchJob(options).run(local_runner(options), progress=False, before_commit=ingestor())
    assert [m.text for m in store.messages.of_customer("c1")] == texts


def test_a_replacing_run_killed_before_publishing_is_joined_again_not_taken_as_the_old_output(tmp_path,
                                                                                               monkeypatch) -> None:
    """The record is written before the output is replaced: a `--overwrite` run killed between them left the old
    output beside the new run's record and parts; the rerun must publish the new rows, not call the old output the
    new run's."""
    import emotrace.batch.job as job

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 4)
    assert run("batch", str(source), "-o", str(output), "--text-column", "body").returncode == 0
    write_input(source, 6)
    options = _options(source, output)
    real_replace = job.os.replace

    def killed_before_publishing(source_path, target):
        if Path(target) == output:
            raise KeyboardInterrupt
        real_replace(source_path, target)

    monkeypatch.setattr(job.os, "replace", killed_before_publishing)
    with pytest.raises(KeyboardInterrupt):
        BatchJob(options, overwrite=True).run(local_runner(options), progress=False)
    monkeypatch.setattr(job.os, "replace", real_replace)
    assert len(output_rows(output)) == 4  # the old output, untouched
    summary = BatchJob(options).run(local_runner(options), progress=False)
    assert summary.rows == 6 and len(output_rows(output)) == 6 and not options.parts.exists()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_kept_list_of_times_is_written_as_text(tmp_path, suffix: str) -> None:
    """A kept Parquet column holding lists of timestamps (or an object with one) stopped the run with "Object of type
    datetime is not JSON serializable" where the cell is written as JSON text (a Parquet output keeps its type)."""
    source, output = tmp_path / "in.parquet", tmp_path / f"out{suffix}"
    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    pq.write_table(pa.table({"body": ["My parcel is late.", "Thanks!"],
                             "seen": pa.array([[when], [when, when]], pa.list_(pa.timestamp("us", "UTC"))),
                             "meta": pa.array([{"at": when}, {"at": when}], pa.struct([("at", pa.timestamp("us", "UTC"))])),
                             "n": [1, 2]}), source)
    result = run("batch", str(source), "-o", str(output), "--text-column", "body", "--keep-columns", "seen,meta",
                 "--chunk-rows", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    rows = list(csv.DictReader(output.open(encoding="utf-8"))) if suffix == ".csv" else output_rows(output)
    assert [("2026-12-01T09:30:00" in str(r["seen"]), "2026-12-01T09:30:00" in str(r["meta"])) for r in rows] == \
        [(True, True)] * 2


def test_the_join_writes_no_file_beside_the_output_and_keeps_an_input_named_like_its_old_temporary(tmp_path) -> None:
    """Found by a review: the join wrote OUTPUT's stem + ``.tmp`` + suffix beside the output and renamed it over the
    output, so `batch export.tmp.jsonl -o export.jsonl` read its input, then overwrote it and renamed it away."""
    source, output = tmp_path / "export.tmp.jsonl", tmp_path / "export.jsonl"
    write_input(source, 3)
    written = source.read_bytes()
    result = run("batch", str(source), "-o", str(output), "--text-column", "body")
    assert result.returncode == 0, result.stderr
    assert source.read_bytes() == written and len(output_rows(output)) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.jsonl", "export.jsonl.done.json", "export.tmp.jsonl"]


def test_a_run_stopped_by_a_bad_row_before_any_chunk_reruns_once_the_row_is_fixed(tmp_path) -> None:
    """Found by a review: a CSV row that cannot be parsed (E514) stopped the run after its parts folder and manifest
    were written, so the rerun with the row fixed was refused (E506, "the input at another size")."""
    source, output = tmp_path / "in.csv", tmp_path / "out.jsonl"
    source.write_text('id,text\n1,hello\n2,"oops\n3,thanks\n', encoding="utf-8")
    stopped = run("batch", str(source), "-o", str(output))
    assert stopped.returncode == 2 and "[E514]" in stopped.stderr, stopped.stderr
    assert not output.with_name("out.jsonl.parts").exists()  # nothing to resume
    source.write_text('id,text\n1,hello\n2,"oops"\n3,thanks\n', encoding="utf-8")
    fixed = run("batch", str(source), "-o", str(output))
    assert fixed.returncode == 0 and "3 rows read" in fixed.stdout, fixed.stderr


@pytest.mark.parametrize(("limit", "refused"), [(2048, "out.jsonl.parts/part-000000.jsonl"), (16384, "out.jsonl")])
def test_a_write_the_system_refuses_is_e516_and_leaves_no_partial_file(tmp_path, limit: int, refused: str) -> None:
    """Found by a review: a write refused (a file size limit, a full disk) ended in an OSError traceback with exit
    status 1 (too many bad rows) and left a half-written temporary file. Under a file size limit that refuses the
    first part (2 KiB) or only the joined output (16 KiB; each 5-row part is about 6 KiB) it is E516 naming the file
    and the system's reason; a rerun without the limit resumes from the parts kept."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 20)
    args = [EMOTRACE, "batch", str(source), "-o", str(output), "--text-column", "body", "--chunk-rows", "5"]

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    refusal = subprocess.run(args, capture_output=True, text=True, timeout=300, preexec_fn=limited)
    assert refusal.returncode == 2 and "Traceback" not in refusal.stderr, refusal.stderr
    assert f"[E516] Cannot write {tmp_path / refused} (File too large)." in refusal.stderr, refusal.stderr
    assert not output.exists() and not [p for p in tmp_path.rglob("*") if ".tmp" in p.name or "joined" in p.name]
    rerun = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0 and len(output_rows(output)) == 20, rerun.stderr
    assert ("resumed: kept" in rerun.stdout) == (refused == "out.jsonl")  # a refused first part leaves nothing
