"""``emotrace batch`` end to end: formats, bad rows, refusal to clobber, kill -9 and resume, Dask."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from emotrace.batch.engines import dask_runner, local_runner
from emotrace.batch.job import BatchJob, BatchOptions
from emotrace.errors import EmotraceError
from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.settings import get_settings
from emotrace.training.data import read_goemotions_tsv
from tests.conftest import DATA_ROOT
from tests.test_cli import EMOTRACE, run

TEXTS = ["Thanks so much, that fixed it!", "Where is my order? It's been two weeks.", "I'm furious 😡",
         "ok", "This is great <3", "Still waiting for my refund...", "Can you tell me your opening hours?"]


def write_input(path: Path, rows: int, bad: dict[int, str] | None = None) -> None:
    bad = bad or {}
    with path.open("w", encoding="utf-8") as handle:
        for i in range(1, rows + 1):
            handle.write(bad.get(i, json.dumps({"msg_id": f"m{i}", "body": TEXTS[i % len(TEXTS)]})) + "\n")


def output_rows(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_jsonl_to_csv_with_bad_rows(tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    write_input(source, 30, {4: '{"msg_id": "m4", "body": "   "}', 9: "{not json", 12: '{"msg_id": "m12", "body": 123}'})
    write_input(one_bad := tmp_path / "one.jsonl", 30, {4: '{"msg_id": "m4", "body": ""}'})
    text = run("batch", str(one_bad), "-o", str(tmp_path / "text.csv"), "--text-column", "body", "--max-bad-share", "0.1")
    assert "29 rows read" in text.stdout and "; 1 bad row (see" in text.stdout  # was "1 bad rows"
    result = run("batch", str(source), "-o", str(tmp_path / "out.csv"), "--text-column", "body",
                 "--id-column", "msg_id", "--chunk-rows", "8", "--max-bad-share", "0.1", "--json")
    assert result.returncode == 0, result.stderr  # 3 bad rows of 30 (10%) is within the 10% allowed here
    summary = json.loads(result.stdout)
    assert summary["rows"] == 27 and summary["errors"] == 3
    errors = [json.loads(line) for line in Path(summary["error_file"]).read_text().splitlines()]
    assert [e["row"] for e in errors] == [4, 9, 12]
    assert "'body' is a number, not text" in errors[2]["reason"]  # was "missing or empty" (new-user trial)
    assert errors[0]["id"] == "m4" and "id" not in errors[1]  # the id a user looks the row up by, where it was read
    assert "missing or empty 'body'" in errors[0]["reason"] and "line 9 is not valid JSON" in errors[1]["reason"]
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0].startswith("row,id,labels") and len(lines) == 28
    assert not (tmp_path / "out.csv.parts").exists()


def test_refusals_name_the_problem(tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    write_input(source, 3)
    missing = run("batch", str(source), "-o", str(tmp_path / "o.jsonl"))
    assert missing.returncode == 2 and "Column 'text' is not in" in missing.stderr
    assert "['msg_id', 'body']" in missing.stderr
    (tmp_path / "o.jsonl").write_text("precious\n")
    clobber = run("batch", str(source), "-o", str(tmp_path / "o.jsonl"), "--text-column", "body")
    assert clobber.returncode == 2 and "already exists" in clobber.stderr and "--overwrite" in clobber.stderr
    assert (tmp_path / "o.jsonl").read_text() == "precious\n"


def test_an_output_that_is_the_input_is_refused_and_the_input_kept(tmp_path, monkeypatch) -> None:
    """With --overwrite the input itself used to be deleted as the old output, then the run crashed."""
    source = tmp_path / "in.csv"
    source.write_text("text\nhello\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for output in (source, Path("in.csv"), tmp_path / "sub" / ".." / "in.csv"):
        with pytest.raises(EmotraceError, match="E518"):
            BatchJob(BatchOptions(input=source, output=output), overwrite=True)
    assert source.read_text(encoding="utf-8") == "text\nhello\n"


@pytest.mark.parametrize("where", ["in.csv/out.jsonl", "folder.jsonl"])
def test_an_output_that_cannot_be_written_is_refused_before_any_work(tmp_path, where) -> None:
    source = tmp_path / "in.csv"
    source.write_text("text\nhello\n", encoding="utf-8")
    (tmp_path / "folder.jsonl").mkdir()
    with pytest.raises(EmotraceError, match="E516"):
        BatchJob(BatchOptions(input=source, output=tmp_path / where))


def test_rerunning_a_finished_run_says_it_is_complete_and_changes_nothing(tmp_path) -> None:
    """Issue 28: re-running a finished job failed with E505."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 5)
    args = ("batch", str(source), "-o", str(output), "--text-column", "body")
    assert run(*args).returncode == 0
    written = output.read_bytes()
    again = run(*args)
    assert again.returncode == 0 and "already complete" in again.stdout and "5 rows" in again.stdout
    assert output.read_bytes() == written
    write_input(source, 6)  # other input: the output is not this run's
    changed = run(*args)
    assert changed.returncode == 2 and "E505" in changed.stderr
    assert "from a run with the input at another size" in changed.stderr, changed.stderr
    other_chunks = run(*args, "--chunk-rows", "2")
    assert other_chunks.returncode == 2 and "--chunk-rows 2048 (now 2)" in other_chunks.stderr, other_chunks.stderr


def test_an_output_refused_as_another_runs_says_what_differs(tmp_path) -> None:
    """Found by a new-user trial: after `touch INPUT` a finished run's re-run said only "Output ... already exists"
    (E505), with nothing to tell that the input's modification time was why."""
    import os

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 3)
    args = ("batch", str(source), "-o", str(output), "--text-column", "body")
    assert run(*args).returncode == 0
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    touched = run(*args)
    assert touched.returncode == 2 and "[E505]" in touched.stderr
    assert "from a run with the input modified at another time" in touched.stderr, touched.stderr
    assert "size" not in touched.stderr


def kill_after_parts(args: list[str], output: Path, parts_wanted: int, sig: int = signal.SIGKILL,
                     stderr: Path | None = None) -> int:
    """Start ``emotrace batch``, send it ``sig`` once its run has begun (its manifest written) and ``parts_wanted``
    parts are committed; returns how many were."""
    # SIGINT as a terminal sends it: a test run started in the background inherits SIGINT ignored, which Python keeps
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=stderr.open("w") if stderr is not None else subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    parts = output.with_name(output.name + ".parts")
    pattern = f"part-*[0-9]{output.suffix}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not (parts / "manifest.json").exists()
                                           or len(list(parts.glob(pattern))) < parts_wanted):
        time.sleep(0.05)
    proc.send_signal(sig)
    assert proc.wait(timeout=60) == {signal.SIGINT: 130, signal.SIGTERM: 143}.get(sig, -sig)
    assert not output.exists()
    return len(list(parts.glob(pattern)))


def test_killed_run_resumes_with_every_row_exactly_once(tmp_path) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.parquet"
    write_input(source, 1600)
    args = [EMOTRACE, "batch", str(source), "-o", str(output), "--text-column", "body", "--id-column", "msg_id",
            "--chunk-rows", "80"]
    assert 3 <= kill_after_parts(args, output, 3) < 20
    resumed = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    kept = re.search(r"resumed: kept (\d+) rows finished by an earlier run", resumed.stdout)
    assert kept is not None, resumed.stdout
    rows = output_rows(output)
    assert sorted(r["row"] for r in rows) == list(range(1, 1601))
    assert all(r["id"] == f"m{r['row']}" for r in rows)
    # found by a new-user trial: the run's record said resumed_rows 0, and so did the "already complete" rerun
    record = json.loads(output.with_name(output.name + ".done.json").read_text())
    assert record["summary"]["resumed_rows"] == int(kept.group(1)) > 0
    again = subprocess.run([*args, "--json"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and json.loads(again.stdout)["resumed_rows"] == int(kept.group(1)), again.stdout


def test_an_ingest_column_named_id_is_read_and_a_real_clash_names_the_options(tmp_path) -> None:
    """Found by a new-user trial: `--ingest --customer-column id` was refused, "Kept columns ['id'] would overwrite
    output fields", with no --keep-columns given (the output writes `id` only with --id-column)."""
    from emotrace.store import Store

    source = tmp_path / "in.csv"
    source.write_text("id,ticket,text\nc1,t1,My parcel is late again.\nc2,t2,Thanks for the help!\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'ingest.db'}"
    args = ["batch", str(source), "--ingest", "--database-url", db, "--customer-column", "id", "--conversation-column",
            "ticket"]
    result = run(*args, "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 0, result.stderr
    assert len(Store(db).messages.of_customer("c1")) == 1
    clash = run(*args, "-o", str(tmp_path / "other.jsonl"), "--id-column", "ticket")
    assert clash.returncode == 2 and "[E508]" in clash.stderr and "--customer-column" in clash.stderr, clash.stderr


def test_parquet_parts_whose_list_columns_differ_in_type_are_joined(tmp_path) -> None:
    """Found by a new-user trial: a chunk whose rows had no warning (or no intent) wrote that list column with a null
    element type, and joining it with a later chunk's strings failed (ArrowNotImplementedError, a traceback on every
    re-run)."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.parquet"
    texts = ["Thanks, all good.", "ok", "Bonjour, ma commande n'est jamais arrivée et personne ne répond.",
             "I'm cancelling my subscription, done with you."]
    source.write_text("".join(json.dumps({"body": t}) + "\n" for t in texts), encoding="utf-8")
    result = run("batch", str(source), "-o", str(output), "--text-column", "body", "--chunk-rows", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    rows = output_rows(output)
    assert [r["row"] for r in rows] == [1, 2, 3, 4] and rows[2]["warnings"] and not rows[0]["warnings"]


def test_parquet_parts_whose_copied_column_is_text_in_one_and_a_list_or_object_in_another_are_joined(
        tmp_path) -> None:
    """Found by a review: a kept column holding "vip" in one chunk and ["vip", "eu"] in the next (or an id column 1
    and {"x": 1}) was unified as text, but a list or struct part cannot be cast to text (ArrowNotImplementedError at
    the join, on every re-run); such a column is written as text, lists and objects as JSON, as within one chunk."""
    source, output = tmp_path / "mixtags.jsonl", tmp_path / "mixtags.parquet"
    source.write_text('{"id": 1, "text": "hello", "tags": "vip"}\n'
                      '{"id": {"x": 1}, "text": "bye", "tags": ["vip", "eu"]}\n', encoding="utf-8")
    result = run("batch", str(source), "-o", str(output), "--keep-columns", "tags", "--id-column", "id",
                 "--chunk-rows", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    rows = output_rows(output)
    assert [(r["row"], r["id"], r["tags"]) for r in rows] == [(1, "1", "vip"), (2, '{"x": 1}', '["vip", "eu"]')]


def test_an_output_folder_the_system_refuses_is_e516_not_a_traceback(tmp_path) -> None:
    """Found by a review: as root, os.access says /proc is writable, so the pre-check passed and the run ended in a
    FileNotFoundError traceback making OUTPUT.parts; it is E516 before any work, and nothing is written."""
    source = tmp_path / "in.csv"
    source.write_text("text\nhello\n", encoding="utf-8")
    result = run("batch", str(source), "-o", "/proc/nope.jsonl")
    assert result.returncode == 2 and "[E516]" in result.stderr, result.stderr
    assert not list(Path("/proc").glob("nope*"))


@pytest.mark.parametrize(("sig", "said_as"), [(signal.SIGINT, "interrupted"), (signal.SIGTERM, "terminated")])
def test_a_stopped_run_says_how_to_resume(tmp_path, sig: int, said_as: str) -> None:
    """Issue 28: Ctrl-C exited 130 without a word on resuming. Found by a new-user trial: `kill` (SIGTERM, as a
    scheduler or systemd stops a job) ended the run with no word either, only a warning of leaked semaphores."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 2000)
    args = [EMOTRACE, "batch", str(source), "-o", str(output), "--text-column", "body", "--chunk-rows", "100"]
    assert kill_after_parts(args, output, 1, sig, tmp_path / "stderr.txt") >= 1
    said = (tmp_path / "stderr.txt").read_text()
    assert said_as in said and "run the same command again to resume" in said and "Traceback" not in said


def test_a_run_stopped_before_any_chunk_finished_keeps_nothing_and_says_so(tmp_path) -> None:
    """Found by a review: Ctrl-C or kill before the first chunk finished said "the finished chunks are kept in
    OUTPUT.parts" and left that folder holding only the run's options, so the same command with an option corrected
    (the reason to stop it) was refused as another run's (E506) until --overwrite. Nothing is kept, it says so, and
    the corrected command runs."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 3000)
    args = [EMOTRACE, "batch", str(source), "-o", str(output), "--text-column", "body", "--chunk-rows", "3000"]
    assert kill_after_parts(args, output, 0, signal.SIGTERM, tmp_path / "stderr.txt") == 0
    said = (tmp_path / "stderr.txt").read_text()
    assert "no chunk had finished: nothing is kept" in said and "finished chunks are kept" not in said, said
    assert not output.with_name("out.jsonl.parts").exists()
    corrected = run("batch", str(source), "-o", str(output), "--text-column", "body", "--id-column", "msg_id")
    assert corrected.returncode == 0 and "3000 rows read" in corrected.stdout, corrected.stderr


def test_a_run_interrupted_as_it_ends_says_its_output_is_complete(tmp_path, monkeypatch) -> None:
    """Found by a new-user trial: Ctrl-C while the finished run removed its parts exited 130 saying nothing, or that
    "no chunk had finished: nothing is kept", though the output was whole. It says the output is complete, and the
    same command gives its summary."""
    import emotrace.batch.job as job

    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 40)
    args = ["batch", str(source), "-o", str(output), "--text-column", "body", "--chunk-rows", "20"]
    removal = job.shutil.rmtree

    def interrupted(path, *rest, **options) -> None:
        removal(path, *rest, **options)
        if path == output.with_name("out.jsonl.parts"):
            raise KeyboardInterrupt

    monkeypatch.setattr(job.shutil, "rmtree", interrupted)
    stopped = run(*args)
    monkeypatch.setattr(job.shutil, "rmtree", removal)
    assert stopped.returncode == 130 and "interrupted as the run ended: " in stopped.stderr, stopped.stderr
    assert f"{output} is complete" in stopped.stderr and "nothing is kept" not in stopped.stderr, stopped.stderr
    assert sorted(r["row"] for r in output_rows(output)) == list(range(1, 41))
    again = run(*args)
    assert again.returncode == 0 and "already complete" in again.stdout, again.stdout + again.stderr


def test_dask_engine_gives_the_same_labels(tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    write_input(source, 120)
    results = {}
    for engine in ("local", "dask"):
        options = BatchOptions(source, tmp_path / f"{engine}.jsonl", "body", "msg_id", chunk_rows=25)
        runner = local_runner(options) if engine == "local" else dask_runner(options, scheduler=None, workers=2)
        summary = BatchJob(options).run(runner, progress=False)
        assert summary.rows == 120
        results[engine] = {r["row"]: r["labels"] for r in output_rows(options.output)}
    assert results["dask"] == results["local"]


def test_dask_engine_shuts_down_without_a_traceback(tmp_path, monkeypatch, capfd) -> None:
    """A worker's heartbeat under way when the local cluster closes is not cut off (it printed CommClosedError).

    The scheduler runs in this process: answering workers' heartbeats in 2 s (they come every 0.5 s) keeps one
    under way nearly always (the old code failed 6 runs of 6)."""
    from distributed import Scheduler

    start = Scheduler.__init__

    def slow_to_answer_heartbeats(self: Scheduler, *args: object, **kwargs: object) -> None:
        start(self, *args, **kwargs)
        answer = self.handlers["heartbeat_worker"]

        async def slowly(**heartbeat: object) -> dict:
            await asyncio.sleep(2.0)
            return answer(**heartbeat)

        self.handlers["heartbeat_worker"] = slowly

    monkeypatch.setattr(Scheduler, "__init__", slow_to_answer_heartbeats)
    source = tmp_path / "in.jsonl"
    write_input(source, 20)
    options = BatchOptions(source, tmp_path / "out.jsonl", "body", "msg_id", chunk_rows=10)
    assert BatchJob(options).run(dask_runner(options, scheduler=None, workers=2), progress=False).rows == 20
    said = capfd.readouterr().err
    assert "Traceback" not in said and "CommClosedError" not in said, said


@pytest.mark.parametrize("suffix", [".txt", ".xlsx"])
def test_unsupported_formats(tmp_path, suffix: str) -> None:
    source = tmp_path / f"in{suffix}"
    source.write_text("x")
    result = run("batch", str(source), "-o", str(tmp_path / "o.jsonl"))
    assert result.returncode == 2 and "Unsupported file type" in result.stderr


@pytest.mark.parametrize("suffix", [".wav", ".vtt", ".eml", ".txt"])
def test_a_conversation_or_call_file_is_pointed_to_analyze(tmp_path, suffix: str) -> None:
    """Found by a review: `batch call.wav` said only "Use .csv, .jsonl ... or .parquet", not how a call or
    conversation file is read."""
    source = tmp_path / f"call{suffix}"
    source.write_text("x")
    result = run("batch", str(source), "-o", str(tmp_path / "o.jsonl"))
    assert result.returncode == 2 and "[E206]" in result.stderr and "emotrace analyze" in result.stderr, result.stderr


def test_ingest_builds_timelines_exactly_once(tmp_path) -> None:
    from emotrace.scoring.rules import ScoringRules
    from emotrace.services.summaries import customer_timeline
    from emotrace.store import Store

    source = tmp_path / "calls.jsonl"
    rows = [{"cust": f"cu{i % 3}", "conv": f"v{i % 5}", "who": "agent" if i % 4 == 0 else "customer",
             "agent": "kim" if i % 4 == 0 else "", "at": f"2026-10-{1 + i % 20:02d}T10:00:00Z",
             "text": TEXTS[i % len(TEXTS)]} for i in range(60)]
    rows[10]["cust"] = ""
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'ingest.db'}"
    args = ["batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--ingest", "--database-url", db,
            "--customer-column", "cust", "--conversation-column", "conv", "--speaker-column", "who",
            "--timestamp-column", "at", "--agent-column", "agent", "--chunk-rows", "16", "--json"]
    result = run(*args)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["rows"], summary["errors"], summary["not_ingested"]) == (60, 0, 1)  # read, not stored
    # found by a new-user trial: --json left out what the text output says of the store
    assert summary["ingest"] == {"stored_messages": 59, "customers": 3, "already_stored": 0, "database": db}
    complete = run(*args[:-1])  # the same command again: already complete, nothing read or stored again
    assert complete.returncode == 0 and "already complete" in complete.stdout
    assert "stored 0 messages" not in complete.stdout and "nothing stored again" in complete.stdout
    store = Store(db)
    stored = [m for i in range(3) for m in store.messages.of_customer(f"cu{i}")]
    assert len(stored) == 59
    assert {m.agent_id for m in stored if m.speaker == "agent"} == {"kim"}  # --agent-column names the agent
    assert {m.agent_id for m in stored if m.speaker == "customer"} == {None}
    # the stored summary is what a re-score of the stored messages gives
    fresh = customer_timeline(store, "cu1", ScoringRules()).current
    assert fresh is not None and store.customers.get("cu1").score == pytest.approx(fresh.score, abs=0.05)
    again = run(*args[:-1], "--overwrite")  # the same input and options: nothing is stored twice
    assert again.returncode == 0
    assert sum(len(store.messages.of_customer(f"cu{i}")) for i in range(3)) == 59
    # found by a new-user trial: other chunks or kept columns made another run, whose rows were all stored again
    other = run(*args[:-3], "--chunk-rows", "7", "--keep-columns", "at", "-o", str(tmp_path / "other.jsonl"))
    assert other.returncode == 0, other.stderr
    assert sum(len(store.messages.of_customer(f"cu{i}")) for i in range(3)) == 59
    # found by a trial: it said "stored 0 messages of 0 customers in ...; 59 rows stored by an earlier run"
    assert "nothing new stored in" in other.stdout and ": 59 rows stored by an earlier run" in other.stdout, other.stdout
    os.utime(source)  # the same content with a new modification time (a copy, a download again) is the same input
    assert run(*args[:-1], "--overwrite").returncode == 0
    assert sum(len(store.messages.of_customer(f"cu{i}")) for i in range(3)) == 59


def test_a_store_that_fails_mid_run_is_a_coded_error_and_the_run_resumes(tmp_path) -> None:
    """Found by a review: a database error while --ingest stored a chunk (the server gone, the disk full, a SQLite
    file locked by another program past the busy timeout) came out of `batch` as a traceback. It is E522, exit 2,
    nothing of the failed chunk stored or committed, and the same command, run again, stores every row once."""
    import sqlite3

    from emotrace.store import Store

    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"customer_id": f"c{i % 2}", "conversation_id": "v", "body": TEXTS[i % 7]})
                              + "\n" for i in range(6)), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'ingest.db'}"
    Store(db)  # migrated: only the run's writes meet the lock
    args = ["batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--text-column", "body", "--ingest",
            "--database-url", db]
    holder = sqlite3.connect(tmp_path / "ingest.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing: the run waits out its busy timeout, then fails
    try:
        failed = run(*args)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert failed.returncode == 2 and "[E522]" in failed.stderr and "Traceback" not in failed.stderr, failed.stderr
    assert "run the same command again" in failed.stderr and not (tmp_path / "out.jsonl").exists()
    assert sum(len(Store(db).messages.of_customer(f"c{i}")) for i in range(2)) == 0
    again = run(*args)
    assert again.returncode == 0, again.stderr
    assert sum(len(Store(db).messages.of_customer(f"c{i}")) for i in range(2)) == 6


def test_an_export_that_grew_or_was_corrected_stores_only_its_new_rows(tmp_path) -> None:
    """Found by a new-user trial: a file exported again with the day's new rows (or one row corrected) was another
    input, and `--ingest` stored every row again: each customer's earlier messages counted twice. A row is now known
    by the message it makes (customer, conversation, speaker, time, channel, agent, text) and how many such rows came
    before it in its file, so a repeated message is stored as often as the file repeats it."""
    from emotrace.store import Store

    def export(path: Path, rows: list[tuple[str, str, str]]) -> None:
        path.write_text("customer_id,conversation_id,role,text\n"
                        + "".join(f"{c},{v},{r},\"{t}\"\n" for c, v, r, t in rows), encoding="utf-8")

    monday = [("c1", "t1", "customer", "My parcel is late again."), ("c1", "t1", "agent", "Sorry, checking now."),
              ("c1", "t1", "customer", "hello?"), ("c2", "t2", "customer", "Refund me or I am leaving.")]
    db = f"sqlite:///{tmp_path / 'ingest.db'}"
    store = Store(db)

    def ingest(rows: list[tuple[str, str, str]], name: str) -> str:
        export(tmp_path / name, rows)
        result = run("batch", str(tmp_path / name), "-o", str(tmp_path / f"{name}.jsonl"), "--ingest",
                     "--database-url", db, "--speaker-column", "role")
        assert result.returncode == 0, result.stderr
        return result.stdout

    ingest(monday, "monday.csv")
    assert [len(store.messages.of_customer(c)) for c in ("c1", "c2")] == [3, 1]
    tuesday = [*monday, ("c1", "t1", "customer", "hello?"), ("c2", "t2", "customer", "Still nothing."),
               ("c2", "t2", "customer", "Still nothing.")]  # the export grew: a repeated hello?, a new message twice
    said = ingest(tuesday, "tuesday.csv")
    assert [len(store.messages.of_customer(c)) for c in ("c1", "c2")] == [4, 3], said
    assert "stored 3 messages of 2 customers" in said and "4 rows stored by an earlier run, not again" in said, said
    corrected = [*tuesday[:3], ("c2", "t2", "customer", "Refund me or I'm leaving."), *tuesday[4:]]
    said = ingest(corrected, "corrected.csv")  # one row corrected: that row alone is new
    assert [len(store.messages.of_customer(c)) for c in ("c1", "c2")] == [4, 4], said
    assert "stored 1 message of 1 customer" in said and "6 rows stored by an earlier run" in said, said


def test_rows_not_ingested_are_reported_by_every_run_and_counted_once(tmp_path) -> None:
    """Found by a new-user trial: a re-run (``--overwrite``, or another output) of an ingest whose rows were already
    stored reported "0 bad rows" and wrote no errors file, so the rows never stored went unsaid; the first run counted
    them twice ("4 of 11 rows are bad" for 7 rows)."""
    source = tmp_path / "in.csv"
    source.write_text("customer_id,ticket_id,role,created_at,text\n"
                      "c1,t1,customer,2026-11-01T10:00:00Z,\"Hi, my parcel is late\"\n"
                      "c1,t2,shopper,2026-11-20T11:00:00Z,Anyone there?\n"
                      "c2,t3,customer,yesterday,The app keeps crashing\n"
                      "c2,t4,customer,2026-11-21T09:00:00Z,\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'ingest.db'}"
    args = ["batch", str(source), "--ingest", "--database-url", db, "--conversation-column", "ticket_id",
            "--speaker-column", "role", "--timestamp-column", "created_at", "--max-bad-share", "1", "--json"]
    for output, extra in (("out.jsonl", ()), ("out.jsonl", ("--overwrite",)), ("other.jsonl", ())):
        result = run(*args, "-o", str(tmp_path / output), *extra)
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert (summary["rows"], summary["errors"], summary["not_ingested"]) == (3, 1, 2), (output, extra, summary)
        errors = [json.loads(line) for line in (tmp_path / f"{output}.errors.jsonl").read_text().splitlines()]
        assert [e["row"] for e in errors] == [2, 3, 4]
        assert all(e["reason"].startswith("not ingested") for e in errors[:2]) and "missing" in errors[2]["reason"]
        assert not any(f"Row {e['row']}" in e["reason"] for e in errors), errors  # the record gives the row once
    plain = run(*args[:-1], "--max-bad-share", "0.5", "-o", str(tmp_path / "third.jsonl"))
    assert plain.returncode == 1 and "3 of 4 rows" in plain.stderr, plain.stderr  # 3 rows read, 1 unreadable
    assert "2 rows not ingested" in plain.stdout
    # found by a trial: the first line said "0 bad rows" and the error "1 of 12 rows are bad"
    assert "3 rows read into" in plain.stdout and "1 bad row, 2 rows not ingested" in plain.stdout, plain.stdout
    assert "are bad or not ingested" in plain.stderr


def test_speaker_and_channel_values_are_read_whatever_their_case_and_a_bad_one_is_named_alone(tmp_path) -> None:
    """Found by a new-user trial: a speaker `Customer` was refused as "speaker 'Customer' / channel 'chat' unknown"
    although no channel was given."""
    from emotrace.store import Store

    source = tmp_path / "in.csv"
    source.write_text("customer_id,conversation_id,role,medium,text\nc1,t1,Customer,Email,My parcel is late\n"
                      "c1,t1, AGENT ,chat,Sorry to hear that\nc1,t1,shopper,chat,Still waiting\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'ingest.db'}"
    result = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--ingest", "--database-url", db,
                 "--speaker-column", "role", "--channel-column", "medium", "--max-bad-share", "1")
    assert result.returncode == 0, result.stderr
    stored = Store(db).messages.of_customer("c1")
    assert [(m.speaker, m.channel) for m in stored] == [("customer", "email"), ("agent", "chat")]
    error = json.loads((tmp_path / "out.jsonl.errors.jsonl").read_text())
    assert "speaker 'shopper' is not one of" in error["reason"] and "channel" not in error["reason"], error
    # a chunk none of whose rows can be stored stored a customer without an id (IntegrityError, a traceback)
    alone = run("batch", str(source), "-o", str(tmp_path / "alone.jsonl"), "--ingest", "--database-url", db,
                "--speaker-column", "role", "--chunk-rows", "1", "--max-bad-share", "1", "--json")
    assert alone.returncode == 0 and json.loads(alone.stdout)["not_ingested"] == 1, alone.stderr


def _ingested(tmp_path: Path, table: str, *options: str) -> tuple[list[Any], list[dict[str, Any]]]:
    """``table`` (a CSV) run through `batch --ingest` with ``options``: customer c1's stored messages and the errors
    file's records."""
    from emotrace.store import Store

    source = tmp_path / "in.csv"
    source.write_text(table, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'ingest.db'}"
    result = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--ingest", "--database-url", db,
                 "--max-bad-share", "1", *options)
    assert result.returncode == 0, result.stderr
    reported = tmp_path / "out.jsonl.errors.jsonl"
    errors = [json.loads(line) for line in reported.read_text().splitlines()] if reported.exists() else []
    return Store(db).messages.of_customer("c1"), errors


def test_an_ingested_speaker_may_be_named_by_the_role_words_conversation_files_use(tmp_path) -> None:
    """Found by a new-user trial: the docs say a conversation file's speaker named rep, support, caller, user ... is
    the agent or the customer, and `--ingest` refused those values ("speaker 'rep' is not one of customer, agent")."""
    stored, (error,) = _ingested(tmp_path, "customer_id,conversation_id,role,text\nc1,t1,User,My parcel is late\n"
                                 "c1,t1,rep,Sorry to hear that\nc1,t1,Support,It ships today\nc1,t1,bot,Rate us!\n",
                                 "--speaker-column", "role")
    assert [m.speaker for m in stored] == ["customer", "agent", "agent"]
    assert "speaker 'bot' is not one of customer, agent" in error["reason"] and "rep" in error["reason"], error


def test_an_ingested_message_dated_in_the_future_or_before_1970_is_not_ingested(tmp_path) -> None:
    """Found by a new-user trial: `--ingest` stored a row dated 2027 (a typo in the year), which `POST /v1/messages`
    refuses, and its alerts and outreach hold sat in the future."""
    stored, errors = _ingested(tmp_path, "customer_id,conversation_id,created_at,text,mid\n"
                               "c1,t1,2026-12-01T10:00:00Z,Thanks it arrived!,m1\nc1,t2,2099-03-01T10:00:00Z,This is a "
                               "disgrace,m2\nc1,t3,1969-12-31T10:00:00Z,Old news,m3\n",
                               "--timestamp-column", "created_at", "--id-column", "mid")
    assert [m.text for m in stored] == ["Thanks it arrived!"]
    assert [(e["row"], e["id"], e["code"]) for e in errors] == [(2, "m2", "E520"), (3, "m3", "E520")], errors
    assert "timestamp '2099-03-01T10:00:00Z' is in the future" in errors[0]["reason"], errors
    assert "timestamp '1969-12-31T10:00:00Z' is before 1970" in errors[1]["reason"], errors


def test_an_ingested_row_whose_id_no_route_takes_is_not_ingested(tmp_path) -> None:
    """Found by a re-trial: ids with a space, an accent or 200 characters were stored, and every route refused them
    (the customer could be listed but never read, worked or erased)."""
    long_id = "x" * 200
    stored, errors = _ingested(tmp_path, "customer_id,conversation_id,text\nc1,t1,fine\nbad id,t1,space\n"
                               f"ćafé,t1,accent\n{long_id},t1,long\nc1,{long_id},long conversation\n"
                               "c1,\u200b,a blank-looking conversation id\n")
    assert [m.text for m in stored] == ["fine"]
    assert [e["row"] for e in errors] == [2, 3, 4, 5, 6], errors
    assert "customer_id 'bad id' is not an id" in errors[0]["reason"], errors
    assert "conversation_id" in errors[3]["reason"], errors


def test_rows_ingested_without_a_time_keep_the_order_of_the_file(tmp_path) -> None:
    """Found by a re-trial: without --timestamp-column every row of a chunk had the same instant, so a conversation's
    order was lost (an agent's de-escalation had no "before")."""
    stored, _ = _ingested(tmp_path, "customer_id,conversation_id,role,text\nc1,t1,customer,My card was charged twice\n"
                                    "c1,t1,agent,So sorry about that\nc1,t1,customer,Thanks that helps\n",
                          "--speaker-column", "role")
    assert [m.text for m in sorted(stored, key=lambda m: m.timestamp)] == [
        "My card was charged twice", "So sorry about that", "Thanks that helps"]
    assert len({m.timestamp for m in stored}) == 3


def test_a_dask_run_without_workers_or_scheduler_is_refused_not_hung(tmp_path) -> None:
    """Found by a new-user trial: `--workers 0` waited forever for a worker; an unreachable scheduler ended in a
    traceback after 30 s."""
    source = tmp_path / "in.jsonl"
    write_input(source, 2)
    args = ["batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--text-column", "body", "--engine", "dask"]
    none = run(*args, "--workers", "0")
    assert none.returncode == 2 and "--workers" in none.stderr and "greater than or equal to 1" in none.stderr
    away = run(*args, "--scheduler", "tcp://127.0.0.1:1")
    assert away.returncode == 2 and "[E519]" in away.stderr and "tcp://127.0.0.1:1" in away.stderr, away.stderr
    assert "Traceback" not in away.stderr and not (tmp_path / "out.jsonl").exists()


def test_a_scheduler_address_where_nothing_listens_is_refused_at_once(tmp_path) -> None:
    """Found by a trial: E519 came only after Dask's connect timeout (30 s) on a port that refuses at once."""
    import time

    source = tmp_path / "in.jsonl"
    write_input(source, 1)
    started = time.monotonic()
    away = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--text-column", "body", "--engine", "dask",
               "--scheduler", "tcp://127.0.0.1:1")
    assert away.returncode == 2 and "[E519]" in away.stderr and "tcp://127.0.0.1:1" in away.stderr, away.stderr
    assert time.monotonic() - started < 15  # Dask alone retries for 30 s


def test_a_one_row_run_says_one_row_and_an_error_starts_its_own_line(tmp_path) -> None:
    """Found by a new-user trial: "1 rows read"; an error raised while the progress bar was drawn was printed on the
    bar's line."""
    source = tmp_path / "in.jsonl"
    write_input(source, 1)
    one = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--text-column", "body")
    assert one.returncode == 0 and "1 row read into" in one.stdout, one.stdout
    away = run("batch", str(source), "-o", str(tmp_path / "o2.jsonl"), "--text-column", "body", "--engine", "dask",
               "--scheduler", "tcp://127.0.0.1:1")
    assert any(line.startswith("error: [E519]") for line in away.stderr.splitlines()), away.stderr


def test_a_rerun_with_overwrite_leaves_no_stale_errors_file(tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    write_input(source, 5, bad={2: json.dumps({"msg_id": "m2", "body": ""})})
    out = tmp_path / "out.jsonl"
    assert run("batch", str(source), "-o", str(out), "--text-column", "body", "--max-bad-share", "1").returncode == 0
    assert (tmp_path / "out.jsonl.errors.jsonl").exists()
    write_input(source, 5)
    assert run("batch", str(source), "-o", str(out), "--text-column", "body", "--overwrite").returncode == 0
    assert not (tmp_path / "out.jsonl.errors.jsonl").exists()


def test_killed_ingest_stores_every_row_exactly_once(tmp_path) -> None:
    from emotrace.store import Store

    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"customer_id": f"k{i % 40}", "conversation_id": f"c{i % 90}",
                                          "text": TEXTS[i % len(TEXTS)]}) + "\n" for i in range(1200)))
    db = f"sqlite:///{tmp_path / 'ingest.db'}"
    args = [EMOTRACE, "batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--ingest", "--database-url", db,
            "--chunk-rows", "60"]
    assert 2 <= kill_after_parts(args, tmp_path / "out.jsonl", 2) < 20
    assert subprocess.run(args, capture_output=True, timeout=300).returncode == 0
    store = Store(db)
    assert sum(len(store.messages.of_customer(f"k{i}")) for i in range(40)) == 1200


def test_a_run_stored_by_a_release_that_marked_chunks_is_not_stored_again(tmp_path) -> None:
    """The release of 2026-12-02 marked each stored chunk under the hash of its resume manifest; re-running such a run
    stores nothing, and marks its rows, so a later run with other chunks stores nothing either."""
    import hashlib

    from sqlalchemy import delete

    from emotrace.store import Store
    from emotrace.store.tables import BatchPart

    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"customer_id": f"k{i % 4}", "conversation_id": "c", "text": TEXTS[i]})
                              + "\n" for i in range(6)))
    db = f"sqlite:///{tmp_path / 'ingest.db'}"
    args = ["batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--ingest", "--database-url", db]
    assert run(*args, "--chunk-rows", "4").returncode == 0
    stat = source.stat()
    manifest = {"input": str(source.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                "text_column": "text", "id_column": None, "chunk_rows": 4, "model_dir": str(get_settings().model_dir),
                "keep_columns": ["customer_id", "conversation_id", "text"], "encoding": "utf-8", "rating_column": None}
    released = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:32]
    store = Store(db)
    with store.db.writing() as session:  # the marks that release left instead of the row marks
        session.execute(delete(BatchPart))
        session.add_all(BatchPart(run_key=released, part=index, ingested_at=datetime.now(UTC)) for index in (0, 1))
    again = run(*args, "--chunk-rows", "4", "--overwrite")
    assert again.returncode == 0, again.stderr
    assert sum(len(store.messages.of_customer(f"k{i}")) for i in range(4)) == 6
    assert "nothing new stored in" in again.stdout and ": 6 rows stored by an earlier run" in again.stdout
    other = run(*args, "--chunk-rows", "5", "--overwrite")
    assert other.returncode == 0, other.stderr
    assert sum(len(store.messages.of_customer(f"k{i}")) for i in range(4)) == 6


def test_copies_of_one_text_read_alike_whatever_their_neighbours(tmp_path) -> None:
    """One text, one reading in a batch job: with per-batch int8 scales, 1,216 copies of a text got one label
    set and 34 copies another, depending on the texts sharing their model batch."""
    source = tmp_path / "in.jsonl"
    dev = read_goemotions_tsv(DATA_ROOT / "goemotions" / "original" / "dev.tsv", GOEMOTIONS_LABELS).texts[:300]
    probe = "Thanks, but this still doesn't work."
    texts = [probe if i % 3 == 0 else dev[i] for i in range(300)]
    source.write_text("".join(json.dumps({"body": t}) + "\n" for t in texts), encoding="utf-8")
    options = BatchOptions(source, tmp_path / "out.jsonl", "body", None, chunk_rows=37)
    BatchJob(options).run(local_runner(options), progress=False)
    copies = [r for r in output_rows(options.output) if (r["row"] - 1) % 3 == 0]
    assert len(copies) == 100
    decisions = {json.dumps([r["labels"], r["top_label"], r["ekman_labels"], r["sentiment_labels"]]) for r in copies}
    assert len(decisions) == 1
    assert max(r["satisfaction"] for r in copies) - min(r["satisfaction"] for r in copies) < 1e-3


def test_an_empty_input_says_it_is_empty(tmp_path) -> None:
    for name, content in (("empty.csv", ""), ("empty.jsonl", "\n\n")):
        (tmp_path / name).write_text(content)
        result = run("batch", str(tmp_path / name), "-o", str(tmp_path / "out.jsonl"))
        assert result.returncode == 2 and f"{name} is empty" in result.stderr, result.stderr


def test_ingest_says_where_it_stored(tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"text": f"order {i} is late", "customer_id": "c1",
                                          "conversation_id": "k"}) + "\n" for i in range(5)))
    db = f"sqlite:///{tmp_path / 'ingest.db'}"
    result = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--ingest", "--database-url", db)
    assert result.returncode == 0, result.stderr
    assert f"stored 5 messages of 1 customer in {db}" in result.stdout


def test_kept_columns_are_copied_into_the_output(tmp_path) -> None:
    source = tmp_path / "in.jsonl"
    write_input(source, 6)
    result = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--text-column", "body",
                 "--keep-columns", "body, msg_id")
    assert result.returncode == 0, result.stderr
    rows = output_rows(tmp_path / "out.jsonl")
    assert [(r["msg_id"], bool(r["body"])) for r in rows] == [(f"m{i}", True) for i in range(1, 7)]
    assert all(set(r["sentiment_labels"]) <= set(r["sentiment_probabilities"]) for r in rows)
    assert all(set(r["intent_labels"]) <= set(r["intent_probabilities"]) and len(r["intent_probabilities"]) == 4 for r in rows)


def test_each_row_carries_its_language_and_warnings(tmp_path) -> None:
    """A German row came out as a confident reading with nothing to say it is unreliable."""
    source = tmp_path / "in.csv"
    source.write_text("text\n\"Ich bin sehr unzufrieden mit Ihrem Service, die Lieferung ist seit zwei Wochen "
                      "überfällig.\"\n\"Where is my parcel? It's two weeks late.\"\n", encoding="utf-8")
    result = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 0, result.stderr
    rows = output_rows(tmp_path / "out.jsonl")
    assert [r["language"] for r in rows] == ["de", "en"]
    assert rows[0]["warnings"][0].startswith("W001 non_english") and rows[1]["warnings"] == []


def test_a_rating_column_flags_reviews_whose_text_contradicts_it(tmp_path) -> None:
    source = tmp_path / "reviews.csv"
    source.write_text("text,stars\n\"Wonderful, thanks a lot, I love it!\",1\n\"Wonderful, I love it!\",5\n"
                      "\"Fine.\",n/a\n\"No stars given.\",\n")
    result = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--rating-column", "stars")
    assert result.returncode == 0, result.stderr
    flags = [r["flags"] for r in output_rows(tmp_path / "out.jsonl")]
    assert "likely sarcasm" in flags[0][0] and flags[1] == [] and "Unreadable rating" in flags[2][0]
    assert flags[3] == []  # found by a trial: no rating was flagged "Unreadable rating '': not compared."


def test_parquet_and_csv_inputs_are_read_row_by_row(tmp_path) -> None:
    import pyarrow as pa

    texts = ["Thanks, that fixed it!", "Where is my parcel?\nIt is late.", "I want a refund, now."]
    pq.write_table(pa.table({"msg_id": ["a", "b", "c"], "body": texts}), tmp_path / "in.parquet")
    (tmp_path / "in.csv").write_text('msg_id,body\na,"Thanks, that fixed it!"\nb,"Where is my parcel?\nIt is late."\n'
                                    'c,"I want a refund, now."\n', encoding="utf-8")
    for name in ("in.parquet", "in.csv"):
        out = tmp_path / f"{name}.jsonl"
        result = run("batch", str(tmp_path / name), "-o", str(out), "--text-column", "body", "--id-column", "msg_id",
                     "--keep-columns", "body")
        assert result.returncode == 0, result.stderr
        assert [(r["row"], r["id"], r["body"]) for r in output_rows(out)] == [
            (1, "a", texts[0]), (2, "b", texts[1]), (3, "c", texts[2])]


def test_ingest_reads_rows_of_the_previous_release_under_the_new_names(tmp_path) -> None:
    """Rows that named the labels ``ekman``, ``sentiment`` and ``intents`` store them as the new fields; a row with
    the new names keeps them even beside an input column called ``sentiment``."""
    from emotrace.batch.ingest import IngestColumns, Ingestor
    from emotrace.settings import Settings
    from emotrace.store import Store

    source = tmp_path / "in.jsonl"
    write_input(source, 1)
    ingestor = Ingestor(Store(f"sqlite:///{tmp_path / 'e.db'}"), Settings(),
                        BatchOptions(source, tmp_path / "out.jsonl", "body"), IngestColumns())
    reading = {"labels": ["anger"], "top_label": "anger", "ekman_probabilities": {"anger": 0.9},
               "sentiment_probabilities": {"negative": 0.9}, "intent_probabilities": {"churn_threat": 0.8},
               "valence": -0.8, "arousal": 0.7, "satisfaction": -0.9, "satisfaction_class": "dissatisfied"}
    row = {"row": 1, "customer_id": "c1", "conversation_id": "k1", "body": "I'm leaving.", **reading}
    old = ingestor.message({**row, "ekman": ["anger"], "sentiment": ["negative"], "intents": ["churn_threat"]})
    new = ingestor.message({**row, "ekman_labels": ["anger"], "sentiment_labels": ["negative"],
                            "intent_labels": ["churn_threat"], "sentiment": "a kept input column"})
    assert old == new
    assert (new.ekman_labels, new.sentiment_labels, new.intent_labels) == (["anger"], ["negative"], ["churn_threat"])


def test_ingested_rows_with_a_time_column_are_timed_by_it_without_counting_the_input(tmp_path) -> None:
    """Rows timed by their column need no count of the input's rows (every run read the whole input once more to
    time rows that never used it); untimed rows keep the file's order by their row number."""
    from emotrace.batch.ingest import IngestColumns, Ingestor
    from emotrace.settings import Settings
    from emotrace.store import Store

    store = Store(f"sqlite:///{tmp_path / 'e.db'}")
    source = tmp_path / "in.jsonl"
    write_input(source, 3)
    options = BatchOptions(source, tmp_path / "out.jsonl", "body")
    timed = Ingestor(store, Settings(), options, IngestColumns(timestamp="sent_at"))
    source.rename(tmp_path / "moved.jsonl")  # from here on the input cannot be read
    row = {"row": 7, "customer_id": "c1", "conversation_id": "k1", "body": "Where is my order?"}
    assert timed.row_time({**row, "sent_at": "2026-11-30T09:15:00Z"}) == datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
    (tmp_path / "moved.jsonl").rename(source)
    untimed = Ingestor(store, Settings(), options, IngestColumns())
    assert untimed.row_time({**row, "row": 1}) < untimed.row_time({**row, "row": 3}) <= datetime.now(UTC)


def test_a_finished_run_is_not_taken_as_complete_when_its_model_folder_now_holds_another_model(tmp_path) -> None:
    """The run recorded only the model's path: with another model copied into that folder, a rerun said "already
    complete" and kept the first model's readings (a half-finished one would have mixed two models' readings)."""
    import shutil

    from emotrace.model.classifier import DEFAULT_MODEL_DIR

    model = Path(shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model"))
    source = tmp_path / "in.jsonl"
    write_input(source, 3)
    args = ("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--text-column", "body", "--model", str(model))
    assert run(*args).returncode == 0
    assert "already complete" in run(*args).stdout + run(*args).stderr  # same model: nothing read again
    config = json.loads((model / "emotrace.json").read_text(encoding="utf-8"))
    config["metrics"] = {}  # another model in the same folder (copies keep sizes and times)
    (model / "emotrace.json").write_text(json.dumps(config), encoding="utf-8")
    again = run(*args)
    assert again.returncode == 2 and "[E505]" in again.stderr, again.stdout + again.stderr
    assert "from a run with another model" in again.stderr, again.stderr


def test_a_run_left_unfinished_by_a_release_with_other_output_fields_is_not_resumed(tmp_path) -> None:
    """Its parts would be joined with this release's under other column names: the run is refused (E506), and
    --overwrite starts afresh (it did not while no output existed: the parts stayed and E506 again)."""
    source = tmp_path / "in.jsonl"
    write_input(source, 3)
    options = BatchOptions(source, tmp_path / "out.jsonl", "body")
    parts = tmp_path / "out.jsonl.parts"
    parts.mkdir()
    manifest = dict(options.manifest)
    manifest.pop("output_fields")  # as the previous release wrote it
    (parts / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(EmotraceError) as refused:
        BatchJob(options)
    assert refused.value.code == "E506" and "unfinished run with a release with other output fields" in str(refused.value)
    BatchJob(options, overwrite=True)  # --overwrite starts afresh


def test_parquet_output_writes_a_copied_column_whose_types_mix_as_text(tmp_path) -> None:
    """Found by a review: an id column holding 1001 in one row and "A-17" in another ended the run in ArrowInvalid
    (within a chunk) or ArrowTypeError (between chunks), a traceback on every re-run."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.parquet"
    ids: list[object] = [1001, "A-17", 7, 8, "B-2", "C-3"]
    source.write_text("".join(json.dumps({"id": i, "body": "My parcel is late."}) + "\n" for i in ids),
                      encoding="utf-8")
    result = run("batch", str(source), "-o", str(output), "--id-column", "id", "--text-column", "body",
                 "--chunk-rows", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    assert [r["id"] for r in output_rows(output)] == ["1001", "A-17", "7", "8", "B-2", "C-3"]


def test_a_row_whose_text_or_id_cannot_be_stored_is_a_bad_row_not_a_crash(tmp_path) -> None:
    """Found by a review: a lone surrogate in an id or a text ended the run in UnicodeEncodeError while writing
    the output; a NUL or an invisible-only text was read and stored, though the API refuses both."""
    source = tmp_path / "in.jsonl"
    rows = ['{"msg_id": "m1", "body": "My parcel is late."}', '{"msg_id": "m2", "body": "late \\u0000 again"}',
            '{"msg_id": "m3", "body": "\\u200b"}', '{"msg_id": "m4", "body": "late \\ud800 again"}',
            '{"msg_id": "m\\ud800", "body": "Still late."}', '{"msg_id": "m6", "body": "Thanks, it came."}']
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--text-column", "body",
                 "--id-column", "msg_id", "--max-bad-share", "1", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert [r["id"] for r in output_rows(tmp_path / "out.jsonl")] == ["m1", "m6"]
    errors = [json.loads(line) for line in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert [e["row"] for e in errors] == [2, 3, 4, 5]
    assert "NUL" in errors[0]["reason"] and "invisible" in errors[1]["reason"], errors
    assert "surrogate" in errors[2]["reason"] and "'msg_id'" in errors[3]["reason"], errors


def test_a_parquet_text_column_stored_as_binary_is_read_as_utf8_text(tmp_path) -> None:
    """Found by a review: Hive and Impala write strings as BINARY, which came back as bytes and every row was
    reported "missing or empty"."""
    import pyarrow as pa

    source, output = tmp_path / "in.parquet", tmp_path / "out.jsonl"
    pq.write_table(pa.table({"body": pa.array([b"My parcel is late.", "Caf\u00e9 was lovely!".encode()], pa.binary())}),
                   source)
    result = run("batch", str(source), "-o", str(output), "--text-column", "body")
    assert result.returncode == 0 and "0 bad rows" in result.stdout, result.stdout + result.stderr[-2000:]
    assert len(output_rows(output)) == 2


def test_ingest_stores_binary_parquet_cells_as_their_text(tmp_path) -> None:
    """Found by a review: --ingest copied BINARY cells as bytes, storing the text "b'My parcel is late.'" and the
    conversation "b'k1'"; a JSONL output then failed on the bytes after the chunk was stored, on every re-run."""
    import pyarrow as pa

    from emotrace.store import Store

    source, db = tmp_path / "in.parquet", f"sqlite:///{tmp_path / 'ingest.db'}"
    pq.write_table(pa.table({"customer_id": ["c1", "c1"], "conversation_id": pa.array([b"k1", b"k1"], pa.binary()),
                             "text": pa.array([b"My parcel is late.", "Caf\u00e9 was cold.".encode()], pa.binary())}),
                   source)
    result = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--ingest", "--database-url", db)
    assert result.returncode == 0, result.stderr[-2000:]
    stored = Store(db).messages.of_customer("c1")
    assert [(m.conversation_id, m.text) for m in stored] == [("k1", "My parcel is late."), ("k1", "Caf\u00e9 was cold.")]


def test_an_unfinished_run_without_ingest_is_not_resumed_with_ingest(tmp_path) -> None:
    """Found by a review: the resume manifest did not record --ingest, so a run stopped without it and resumed with it
    (the same kept columns) skipped its finished chunks, whose rows were never stored, without a word."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps({"cust": f"c{i}", "conv": f"v{i}", "text": TEXTS[i % len(TEXTS)]}) + "\n"
                              for i in range(6)), encoding="utf-8")
    options = BatchOptions(source, output, "text", None, 2, str(get_settings().model_dir), ("cust", "conv", "text"))

    def stopped_after_one(chunks):
        for finished in local_runner(options)(chunks):
            yield finished
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        BatchJob(options).run(stopped_after_one, progress=False)
    resumed = run("batch", str(source), "-o", str(output), "--keep-columns", "cust,conv,text", "--chunk-rows", "2",
                  "--ingest", "--customer-column", "cust", "--conversation-column", "conv",
                  "--database-url", f"sqlite:///{tmp_path / 'ingest.db'}")
    assert resumed.returncode == 2 and "[E506]" in resumed.stderr and "--ingest" in resumed.stderr, resumed.stderr


def test_untimed_rows_ingested_from_chunks_finished_out_of_order_keep_the_file_s_order(tmp_path) -> None:
    """Found by a review: untimed rows were timed when their chunk was stored, and Dask hands chunks back as they
    finish: a conversation spanning two chunks could be stored with its second half first (the agent's reply before
    the complaint)."""
    texts, options, store, ingestor = untimed_conversation(tmp_path)

    def last_chunk_first(chunks):
        yield from reversed(list(local_runner(options)(chunks)))

    BatchJob(options).run(last_chunk_first, progress=False, before_commit=ingestor())
    assert [m.text for m in store.messages.of_customer("c1")] == texts


def untimed_conversation(tmp_path: Path) -> tuple[list[str], BatchOptions, Any, Any]:
    """One customer's conversation of four untimed rows, to ingest in chunks of two: its texts, the run's options,
    the store, and a maker of the run's ingestor."""
    from emotrace.batch.ingest import IngestColumns, Ingestor
    from emotrace.store import Store

    source = tmp_path / "in.jsonl"
    texts = ["My order never came.", "Sorry, I'm checking now.", "It's been two weeks!", "Refund issued, sorry."]
    source.write_text("".join(json.dumps({"customer_id": "c1", "conversation_id": "k1", "text": t}) + "\n"
                              for t in texts), encoding="utf-8")
    columns = IngestColumns()
    options = BatchOptions(source, tmp_path / "out.jsonl", "text", None, 2, str(get_settings().model_dir),
                           columns.keep("text"), ingest=True)
    store = Store(f"sqlite:///{tmp_path / 'ingest.db'}")
    return texts, options, store, lambda: Ingestor(store, get_settings(), options, columns)


def test_a_run_recorded_before_runs_recorded_ingest_is_still_complete(tmp_path) -> None:
    """Runs of earlier releases recorded no "ingest" in their manifest: they did not store, and are complete as
    before (not "another run" because the key is missing)."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 4)
    assert run("batch", str(source), "-o", str(output), "--text-column", "body").returncode == 0
    done = output.with_name(output.name + ".done.json")
    record = json.loads(done.read_text())
    del record["manifest"]["ingest"]
    done.write_text(json.dumps(record))
    again = run("batch", str(source), "-o", str(output), "--text-column", "body")
    assert again.returncode == 0 and "already complete" in again.stdout, again.stdout + again.stderr


@pytest.mark.parametrize(("options", "said"), [
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler does nothing without --engine dask."),
    (["--workers", "4"], "--workers does nothing without --engine dask."),
    (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:1", "--workers", "4"],
     "--workers sizes the local Dask cluster; it does nothing with --scheduler."),
    (["--database-url", "sqlite:///x.db", "--timestamp-column", "at"],
     "--database-url and --timestamp-column do nothing without --ingest."),
    (["--customer-column", "who", "--conversation-column", "thread", "--speaker-column", "role",
      "--channel-column", "medium", "--agent-column", "agent"],
     "--customer-column, --conversation-column, --speaker-column, --channel-column and --agent-column do nothing "
     "without --ingest."),
])
def test_options_the_run_would_not_read_are_refused(tmp_path, options: list[str], said: str) -> None:
    """Found by a review: --scheduler and --workers without --engine dask (--workers with a --scheduler too), and the
    store and column options of --ingest without it, were read as given and ignored without a word."""
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 2)
    refused = run("batch", str(source), "-o", str(output), "--text-column", "body", *options)
    assert refused.returncode == 2 and f"[E027] {said}" in refused.stderr, refused.stderr
    assert not output.exists() and not output.with_name("out.jsonl.parts").exists()


def test_batch_reads_with_the_threads_the_settings_give(tmp_path, monkeypatch) -> None:
    """Found by a review: batch loaded the model on every core (up to 8), locally and on each Dask worker, ignoring
    EMOTRACE_THREADS, which `analyze` and `adapt` honour. The ONNX Runtime sessions it opens (recorded as onnxruntime
    makes them) have the settings' threads."""
    import onnxruntime as ort

    from emotrace.batch.engines import _worker_classifier

    opened: list[int] = []

    class Recorded(ort.InferenceSession):
        def __init__(self, path: str, options: ort.SessionOptions, *args: object, **kwargs: object) -> None:
            opened.append(options.intra_op_num_threads)
            super().__init__(path, options, *args, **kwargs)

    source = tmp_path / "in.jsonl"
    write_input(source, 2)
    monkeypatch.setattr(ort, "InferenceSession", Recorded)
    monkeypatch.setenv("EMOTRACE_THREADS", "1")
    get_settings.cache_clear()
    _worker_classifier.cache_clear()
    try:
        result = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--text-column", "body")
        _worker_classifier(str(get_settings().model_dir))  # as a Dask worker loads it
    finally:
        _worker_classifier.cache_clear()
        get_settings.cache_clear()
    assert result.returncode == 0, result.stderr
    assert opened == [1, 1]


def test_a_bad_share_exactly_at_max_bad_share_passes(tmp_path) -> None:
    """Found by a review: the share was compared in float (0.58 * 50 = 28.999999999999996), so 29 bad rows of 50 with
    --max-bad-share 0.58 exited 1."""
    source = tmp_path / "in.jsonl"
    write_input(source, 50, {i: json.dumps({"msg_id": f"m{i}", "body": ""}) for i in range(1, 30)})
    args = ("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--text-column", "body")
    assert run(*args, "--max-bad-share", "0.58").returncode == 0
    over = run(*args, "--max-bad-share", "0.57")
    assert over.returncode == 1 and "29 of 50 rows are bad" in over.stderr, over.stderr


def test_rerunning_a_finished_run_with_too_many_bad_rows_exits_1_again(tmp_path) -> None:
    """Found by a review: docs/cli.md said a rerun of a finished run exits 0; it repeats the run's exit status 1 when
    more rows than --max-bad-share allows were bad, so a script checking the status gets the same answer twice."""
    source = tmp_path / "in.jsonl"
    write_input(source, 4, {2: json.dumps({"msg_id": "m2", "body": ""})})
    args = ("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--text-column", "body")
    assert run(*args).returncode == 1
    again = run(*args)
    assert again.returncode == 1 and "already complete" in again.stdout, again.stdout + again.stderr
    assert "1 of 4 rows are bad (25%), over --max-bad-share 5%" in again.stderr
