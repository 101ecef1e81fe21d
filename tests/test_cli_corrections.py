"""``emotrace corrections export`` and ``emotrace adapt --corrections`` over a real store: the export is the file adapt
reads (text and labels), adapt on the store reads the same rows, and each bad input is refused, writing nothing."""

from __future__ import annotations

import csv
import json
import resource
import shlex
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emotrace.services.summaries import record_messages
from emotrace.store import Store
from emotrace.store.corrections import NewCorrection
from tests.store.test_store import message
from tests.test_cli import EMOTRACE, run
from tests.training.adapt_rows import DISSATISFIED, NEUTRAL, SATISFIED

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _store_corrections(url: str, corrections: list[tuple[str | None, NewCorrection, datetime]],
                       read_intents: list[list[str]] | None = None) -> list[int]:
    """One customer message per correction, with that text (None: not stored) and the intents it was read with (none
    unless given), corrected as given; their ids."""
    store = Store(url)
    intents = read_intents or [[] for _ in corrections]
    rows, _ = record_messages(store, [replace(message("ann", i, -0.5), text=text, intent_labels=read)
                                      for i, ((text, _, _), read) in enumerate(zip(corrections, intents, strict=True))])
    for row, (_, correction, at) in zip(rows, corrections, strict=True):
        store.corrections.add(row.id, correction, at)
    return [row.id for row in rows]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_export_writes_each_corrected_message_as_adapt_reads_it(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    ids = _store_corrections(url, [
        ("Charged twice, great.", NewCorrection("maria", "dissatisfied", ["annoyance"], ["refund_request"],
                                                ["billing_charges"]), T0),
        ("Fine, whatever.", NewCorrection("maria", "neutral"), T0 + timedelta(hours=1)),
        (None, NewCorrection("maria", "satisfied"), T0 + timedelta(hours=2)),  # no text stored: nothing to learn
        ("Late again.", NewCorrection("maria", topics=["delay_waiting"]), T0 + timedelta(hours=3)),  # topics only
    ])
    store = Store(url)  # the second message corrected again later: its latest correction counts
    store.corrections.add(ids[1], NewCorrection("lead-2", "satisfied", ["approval"]), T0 + timedelta(hours=4))
    out = tmp_path / "corrections.csv"
    result = run("corrections", "export", "--out", str(out), "--database-url", url)
    assert result.returncode == 0, result.stderr
    assert "1 corrected message left out: its text is not stored" in result.stderr, result.stderr
    assert "3 corrected messages written" in result.stdout
    rows = _read(out)  # topics too: adapt fits the topic view (they were left out)
    assert [(r["text"], r["labels"], int(r["message_id"]), r["corrected_by"]) for r in rows] == [
        ("Charged twice, great.", "dissatisfied,annoyance,refund_request,billing_charges", ids[0], "maria"),
        ("Late again.", "delay_waiting", ids[3], "maria"), ("Fine, whatever.", "satisfied,approval", ids[1], "lead-2")]
    assert rows[0]["corrected_at"] == "2026-11-01T00:00:00Z"  # as every time the service writes

    since = run("corrections", "export", "--out", str(out), "--database-url", url, "--since", "2026-11-01T03:00:00",
                "--overwrite")
    assert since.returncode == 0, since.stderr
    assert [r["message_id"] for r in _read(out)] == [str(ids[3]), str(ids[1])]  # naive means UTC
    # found by a review: --out x.parquet (or .jsonl) was written as CSV, which adapt then refused to read
    from emotrace.tabular import all_records

    for name in ("corrections.jsonl", "corrections.parquet"):
        assert run("corrections", "export", "--out", str(tmp_path / name), "--database-url", url).returncode == 0
        assert [r["text"] for r in all_records(tmp_path / name)] == [r["text"] for r in rows], name
    other = run("corrections", "export", "--out", str(tmp_path / "corrections.txt"), "--database-url", url)
    assert other.returncode == 2 and "[E206]" in other.stderr and not (tmp_path / "corrections.txt").exists()


def test_the_export_leaves_out_corrections_of_agent_turns_stored_before_they_were_refused(tmp_path) -> None:
    """A store written before corrections of agent turns were refused (E925) may hold some: the export leaves them
    out and says so (they taught adapt's customer heads an agent's words)."""
    from emotrace.store.tables import Correction, Message

    url = f"sqlite:///{tmp_path / 'store.db'}"
    ids = _store_corrections(url, [("Charged twice, great.", NewCorrection("maria", "dissatisfied"), T0),
                                   ("Sorry to hear that, let me check.", NewCorrection("maria", "neutral"), T0)])
    store = Store(url)
    with store.db.writing() as session:  # as an older version stored it
        session.get(Message, ids[1]).speaker = "agent"
        session.add(Correction(message_id=ids[1], customer_id="ann", created_at=T0 + timedelta(hours=1),
                               satisfaction_class="satisfied", corrected_by="bob"))
    out = tmp_path / "corrections.csv"
    result = run("corrections", "export", "--out", str(out), "--database-url", url)
    assert result.returncode == 0, result.stderr
    assert "1 corrected message left out: spoken by an agent" in result.stderr, result.stderr
    assert [r["text"] for r in _read(out)] == ["Charged twice, great."]


def test_the_export_refuses_an_existing_file_unless_overwrite(tmp_path) -> None:
    """Found by a review: `--out` an existing file replaced it silently (a user's labelled CSV was lost), where batch,
    outcomes fit and adapt refuse an existing output. It is refused (E505) before the store is read, kept as it was;
    `--overwrite` replaces it."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _store_corrections(url, [("Charged twice.", NewCorrection("maria", "dissatisfied"), T0)])
    out = tmp_path / "labels.csv"
    out.write_text("text,label\nmy own labelled row,satisfied\n", encoding="utf-8")
    refused = run("corrections", "export", "--out", str(out), "--database-url", url)
    assert refused.returncode == 2 and "[E505]" in refused.stderr and str(out) in refused.stderr, refused.stderr
    assert "--overwrite" in refused.stderr
    assert out.read_text(encoding="utf-8") == "text,label\nmy own labelled row,satisfied\n"
    replaced = run("corrections", "export", "--out", str(out), "--database-url", url, "--overwrite")
    assert replaced.returncode == 0, replaced.stderr
    assert [r["text"] for r in _read(out)] == ["Charged twice."]


def test_an_export_the_system_refuses_midway_leaves_the_earlier_file_whole(tmp_path) -> None:
    """Found by a review: `corrections export --overwrite` wrote the file in place, so a write refused midway (a full
    disk, here a 64 KiB file size limit) left the earlier export cut at 64 KiB, its last row half-written (adapt then
    read fewer rows, or refused a broken one). The earlier file is kept as it was, and nothing else is left."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _store_corrections(url, [(f"Parcel {i} is late again. " + "Nobody answers my e-mails. " * 100,
                              NewCorrection("maria", "dissatisfied"), T0) for i in range(30)])
    out = tmp_path / "labels.csv"
    out.write_text("text,labels\nmy own labelled row,satisfied\n", encoding="utf-8")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    refused = subprocess.run([EMOTRACE, "corrections", "export", "--out", str(out), "--database-url", url,
                              "--overwrite"], capture_output=True, text=True, timeout=300, preexec_fn=limited)
    assert refused.returncode == 2 and "[E516]" in refused.stderr, refused.stderr
    assert "Free space on its disk" in refused.stderr, refused.stderr  # not "a folder you can write to": it can
    assert out.read_text(encoding="utf-8") == "text,labels\nmy own labelled row,satisfied\n"
    assert sorted(path.name for path in tmp_path.iterdir() if "store.db" not in path.name) == ["labels.csv"]


def test_corrections_of_different_fields_of_one_message_are_merged_not_replaced(tmp_path) -> None:
    """A lead corrected the satisfaction class, then another added the intent: the export kept the later correction
    alone, so the satisfaction correction was lost (and adapt then refused one intent row with E324)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    (first,) = _store_corrections(url, [("Fine. Cancel it then.", NewCorrection("maria", "neutral"), T0)])
    store = Store(url)
    store.corrections.add(first, NewCorrection("lead-2", intents=["churn_threat"]), T0 + timedelta(hours=1))
    store.corrections.add(first, NewCorrection("lead-3", "dissatisfied", note="on second thought"),
                          T0 + timedelta(hours=2))
    out = tmp_path / "corrections.csv"
    assert run("corrections", "export", "--out", str(out), "--database-url", url).returncode == 0
    assert [(r["labels"], r["corrected_by"]) for r in _read(out)] == [("dissatisfied,churn_threat", "lead-3")]
    since = run("corrections", "export", "--out", str(out), "--database-url", url, "--since", "2026-11-01T02:00:00",
                "--overwrite")
    assert since.returncode == 0, since.stderr  # a message corrected since then: all its corrections count
    assert [r["labels"] for r in _read(out)] == ["dissatisfied,churn_threat"]


def test_bad_export_requests_are_refused_writing_nothing(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    out = tmp_path / "corrections.csv"
    # a mistyped path created an empty database, then said no correction was stored
    missing = run("corrections", "export", "--out", str(out), "--database-url", url)
    assert missing.returncode == 2 and "[E025]" in missing.stderr and "no such file" in missing.stderr
    assert not (tmp_path / "store.db").exists() and not out.exists()
    adapted = run("adapt", "--corrections", "--database-url", url, "--model-dir", str(tmp_path / "model"))
    assert adapted.returncode == 2 and "[E025]" in adapted.stderr and not (tmp_path / "store.db").exists()
    Store(url)  # a store with nothing corrected
    empty = run("corrections", "export", "--out", str(out), "--database-url", url)
    assert empty.returncode == 2 and "[E809]" in empty.stderr and not out.exists()
    _store_corrections(url, [("Charged twice.", NewCorrection("maria", "dissatisfied"), T0)])
    for args, code in ((["--since", "last week"], "E916"), (["--since", "9999-12-31T23:59:59-14:00"], "E916"),
                       (["--out", str(tmp_path / "missing" / "c.csv")], "E516"),
                       (["--out", str(tmp_path)], "E516"), (["--since", "2026-12-01"], "E809")):
        result = run("corrections", "export", "--out", str(out), "--database-url", url, *args)
        assert result.returncode == 2 and f"[{code}]" in result.stderr, (args, result.stderr)
    assert "made at or after 2026-12-01" in result.stderr  # the last: it said nothing of --since
    assert not out.exists()


def test_adapt_on_the_stored_corrections_reads_the_rows_of_the_export(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _store_corrections(url, [(t, NewCorrection("maria", "dissatisfied"), T0) for t in DISSATISFIED]
                       + [(t, NewCorrection("maria", "neutral"), T0) for t in NEUTRAL]
                       + [(t, NewCorrection("maria", "satisfied"), T0) for t in SATISFIED])
    out = tmp_path / "corrections.csv"
    assert run("corrections", "export", "--out", str(out), "--database-url", url).returncode == 0
    from_file = run("adapt", "--data", str(out), "--model-dir", str(tmp_path / "from-file"), "--json")
    from_store = run("adapt", "--corrections", "--database-url", url, "--model-dir", str(tmp_path / "from-store"),
                     "--json")
    assert from_file.returncode == 0 and from_store.returncode == 0, from_store.stderr
    report, expected = json.loads(from_store.stdout), json.loads(from_file.stdout)
    assert report["heads"] == expected["heads"] and report["rows"] == len(DISSATISFIED) + len(NEUTRAL) + len(SATISFIED)
    assert report["written"] and (tmp_path / "from-store" / "emotrace.json").is_file()
    assert "corrections.csv (the user's own rows, adaptation)" in (tmp_path / "from-store" / "MODEL_CARD.md").read_text()


def test_the_commands_the_export_and_adapt_suggest_run_as_written_for_paths_with_spaces(tmp_path) -> None:
    """Found by a review: `corrections export --out "my labels.csv"` suggested `emotrace adapt --data my labels.csv
    --model-dir DIR`, and adapt `--model my model`: pasted into a shell, each path was two words (adapt read `my`,
    E006). The paths are quoted as a shell reads them."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _store_corrections(url, [(t, NewCorrection("maria", "dissatisfied"), T0) for t in DISSATISFIED]
                       + [(t, NewCorrection("maria", "neutral"), T0) for t in NEUTRAL]
                       + [(t, NewCorrection("maria", "satisfied"), T0) for t in SATISFIED])
    exported = run("corrections", "export", "--out", str(tmp_path / "my labels.csv"), "--database-url", url)
    assert exported.returncode == 0, exported.stderr
    model = tmp_path / "my model"
    suggested = shlex.split(exported.stdout.split("adapt a model with: ")[1].replace("DIR", shlex.quote(str(model))))
    adapted = run(*suggested[1:])
    assert adapted.returncode == 0 and (model / "emotrace.json").is_file(), adapted.stderr
    assert shlex.split(adapted.stdout.split("serve it with ")[1])[:2] == ["--model", str(model)], adapted.stdout


@pytest.mark.parametrize(("args", "message"), [
    ([], "Give --data or --corrections."), (["--data", "rows.csv", "--corrections"], "Both --data and"),
    (["--corrections", "--text-column", "body"], "--text-column applies to --data only"),  # was ignored silently
    (["--corrections", "--label-column", "tags"], "--label-column applies to --data only"),
    (["--corrections", "--encoding", "latin-1"], "--encoding applies to --data only")])
def test_adapt_takes_data_or_corrections(tmp_path, args, message) -> None:
    result = run("adapt", "--model-dir", str(tmp_path / "out"), *args)
    assert result.returncode == 2 and "[E024]" in result.stderr and message in result.stderr
    assert not (tmp_path / "out").exists()


def test_adapt_on_a_store_without_corrections_writes_nothing(tmp_path) -> None:
    Store(f"sqlite:///{tmp_path / 'store.db'}")
    result = run("adapt", "--corrections", "--database-url", f"sqlite:///{tmp_path / 'store.db'}", "--model-dir",
                 str(tmp_path / "out"))
    assert result.returncode == 2 and "[E809]" in result.stderr and not (tmp_path / "out").exists()


def test_nothing_to_learn_asks_for_an_earlier_since_only_where_since_was_given(tmp_path) -> None:
    """Found by a review: with nothing corrected, `adapt --corrections` (which takes no --since) and `corrections
    export` without --since were told to "give an earlier --since"."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    Store(url)
    for args in (["adapt", "--corrections", "--model-dir", str(tmp_path / "out")],
                 ["corrections", "export", "--out", str(tmp_path / "c.csv")]):
        result = run(*args, "--database-url", url)
        assert result.returncode == 2 and "[E809]" in result.stderr and "Correct readings first" in result.stderr
        assert "--since" not in result.stderr, result.stderr
    since = run("corrections", "export", "--out", str(tmp_path / "c.csv"), "--database-url", url, "--since", "2026-12-01")
    assert "[E809]" in since.stderr and "give an earlier --since" in since.stderr, since.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "c.csv").exists()


def test_the_emotion_label_neutral_beside_satisfaction_classes_does_not_stop_adapt(tmp_path) -> None:
    """Found by a hostile pass: a correction naming the class `satisfied` and the emotion label `neutral` was exported
    as "satisfied,neutral", which adapt reads as two satisfaction classes (E326) — one valid correction stopped
    `adapt --corrections` for the whole store, its error naming a temporary file already deleted."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _store_corrections(url, [(t, NewCorrection("maria", "dissatisfied"), T0) for t in DISSATISFIED]
                       + [(t, NewCorrection("maria", "satisfied", ["neutral"]), T0) for t in SATISFIED[:1]]
                       + [(t, NewCorrection("maria", "satisfied"), T0) for t in SATISFIED[1:]]
                       + [(t, NewCorrection("maria", "neutral"), T0) for t in NEUTRAL])
    out = tmp_path / "corrections.csv"
    assert run("corrections", "export", "--out", str(out), "--database-url", url).returncode == 0
    assert [r["labels"] for r in _read(out)][len(DISSATISFIED)] == "satisfied"
    result = run("adapt", "--corrections", "--database-url", url, "--model-dir", str(tmp_path / "out"), "--force")
    assert result.returncode == 0, result.stderr


def test_adapt_errors_on_the_stored_corrections_name_them_not_a_temporary_file(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _store_corrections(url, [(t, NewCorrection("maria", "dissatisfied"), T0) for t in DISSATISFIED[:3]])
    result = run("adapt", "--corrections", "--database-url", url, "--model-dir", str(tmp_path / "out"))
    assert result.returncode == 2 and "[E323]" in result.stderr, result.stderr
    assert "the stored corrections" in result.stderr and "emotrace-corrections-" not in result.stderr


def test_the_latest_correction_of_a_text_counts_and_adapt_is_not_stopped_by_older_ones(tmp_path) -> None:
    """Found by a new-user trial: two stored messages of one text corrected differently stopped `adapt --corrections`
    (E325, naming rows of an export the user never ran), and no correction can be withdrawn. The latest correction of
    a text now counts, and the export says how many earlier ones it left out."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    texts = [(t, NewCorrection("maria", "dissatisfied"), T0) for t in DISSATISFIED] + [
        (t, NewCorrection("maria", "satisfied"), T0) for t in SATISFIED] + [
        (t, NewCorrection("maria", "neutral"), T0) for t in NEUTRAL]
    again = [(DISSATISFIED[0], NewCorrection("lead-2", "neutral"), T0 + timedelta(hours=1)),
             (SATISFIED[0], NewCorrection("lead-2", "dissatisfied"), T0 - timedelta(hours=1))]  # older: left out
    _store_corrections(url, texts + again)
    out = tmp_path / "corrections.csv"
    result = run("corrections", "export", "--out", str(out), "--database-url", url)
    assert result.returncode == 0, result.stderr
    assert "2 earlier corrections of a text corrected again later left out" in result.stderr, result.stderr
    rows = {r["text"]: r["labels"] for r in _read(out)}
    assert len(rows) == len(texts) and rows[DISSATISFIED[0]] == "neutral" and rows[SATISFIED[0]] == "satisfied"
    adapted = run("adapt", "--corrections", "--database-url", url, "--model-dir", str(tmp_path / "out"), "--force")
    assert adapted.returncode == 0, adapted.stderr


def test_texts_the_model_reads_alike_are_one_text_whose_latest_correction_counts(tmp_path) -> None:
    """Found by a review: the export kept one row per exact stored text, so messages the model reads alike but written
    differently (case, spacing), corrected differently, were exported as rows adapt refuses (E325) — the floor's own
    corrections could not be used. Texts are now matched as the model reads them; the latest correction counts."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    texts = [(t, NewCorrection("maria", "dissatisfied"), T0) for t in DISSATISFIED] + [
        (t, NewCorrection("maria", "satisfied"), T0) for t in SATISFIED] + [
        (t, NewCorrection("maria", "neutral"), T0) for t in NEUTRAL]
    first = DISSATISFIED[0]
    again = [(first.lower(), NewCorrection("lead-2", "neutral"), T0 + timedelta(hours=2)),  # the latest: it counts
             ("  ".join(first.split()), NewCorrection("lead-3", "satisfied"), T0 + timedelta(hours=1))]
    _store_corrections(url, texts + again)
    out = tmp_path / "corrections.csv"
    result = run("corrections", "export", "--out", str(out), "--database-url", url)
    assert result.returncode == 0, result.stderr
    assert "2 earlier corrections of a text corrected again later left out" in result.stderr, result.stderr
    rows = {r["text"]: (r["labels"], r["corrected_by"]) for r in _read(out)}
    assert len(rows) == len(texts) and rows[first.lower()] == ("neutral", "lead-2") and first not in rows
    adapted = run("adapt", "--corrections", "--database-url", url, "--model-dir", str(tmp_path / "out"), "--force")
    assert adapted.returncode == 0 and "E325" not in adapted.stderr, adapted.stderr


def test_intents_not_corrected_are_exported_as_read_once_a_correction_names_intents(tmp_path) -> None:
    """Found by a new-user trial: adapt reads a row naming no intent as stating none, so once one correction named an
    intent, a message whose class alone was corrected taught "no intent" although its reading's churn threat stood;
    and "no intent" could not be said (`intents: []` was refused). Each row now carries the intents of its correction,
    or where it corrected none, its reading's; `intents: []` says none."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _store_corrections(url, [
        ("I'm cancelling, you charged me twice.", NewCorrection("maria", "dissatisfied"), T0),  # class only
        ("Cancel my order and refund me.", NewCorrection("maria", intents=["refund_request"]), T0),
        ("I cancelled my class by mistake, can I rebook?", NewCorrection("maria", "neutral", intents=[]), T0),
        ("Fine, thanks.", NewCorrection("maria", intents=[]), T0),  # nothing left to learn from
    ], read_intents=[["churn_threat"], ["churn_threat"], ["churn_threat"], []])
    out = tmp_path / "corrections.csv"
    result = run("corrections", "export", "--out", str(out), "--database-url", url)
    assert result.returncode == 0, result.stderr
    assert [r["labels"] for r in _read(out)] == ["dissatisfied,churn_threat", "refund_request", "neutral"]
    assert "1 corrected message left out: it names nothing adapt reads" in result.stderr, result.stderr
    without = tmp_path / "without.csv"  # no correction names intents: none are carried
    _store_corrections(url2 := f"sqlite:///{tmp_path / 'other.db'}",
                       [("I'm cancelling, you charged me twice.", NewCorrection("maria", "dissatisfied"), T0)],
                       read_intents=[["churn_threat"]])
    assert run("corrections", "export", "--out", str(without), "--database-url", url2).returncode == 0
    assert [r["labels"] for r in _read(without)] == ["dissatisfied"]


def test_an_export_whose_only_class_is_neutral_is_read_as_satisfaction_classes(tmp_path) -> None:
    """Found by a review: an export whose only satisfaction class was `neutral` (the others corrected emotion labels)
    was read by adapt as the emotion label `neutral` (a file naming no other class), so the agents' satisfaction
    corrections taught the emotion head. The export's `satisfaction_class` column says which rows give a class: its
    satisfaction rows are one class, refused as such (E323), by `adapt --data` and `adapt --corrections` alike."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _store_corrections(url, [(t, NewCorrection("maria", "neutral"), T0) for t in NEUTRAL]
                       + [(t, NewCorrection("maria", labels=["annoyance"]), T0) for t in DISSATISFIED])
    out = tmp_path / "corrections.csv"
    assert run("corrections", "export", "--out", str(out), "--database-url", url).returncode == 0
    rows = _read(out)
    assert [r["satisfaction_class"] for r in rows] == ["neutral"] * len(NEUTRAL) + [""] * len(DISSATISFIED)
    assert [r["labels"] for r in rows] == ["neutral"] * len(NEUTRAL) + ["annoyance"] * len(DISSATISFIED)  # as before
    for args in (["--data", str(out)], ["--corrections", "--database-url", url]):
        result = run("adapt", *args, "--model-dir", str(tmp_path / "out"), "--force")
        assert result.returncode == 2 and "[E323]" in result.stderr, result.stderr[-2000:]
        assert "satisfaction rows" in result.stderr and "one class only (neutral)" in result.stderr, result.stderr
        assert not (tmp_path / "out").exists()
