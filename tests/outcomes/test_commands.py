"""``emotrace outcomes import``, ``emotrace customers import`` and ``emotrace outreach`` as a user runs them."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from emotrace.evaluation.outcome_population import generate
from emotrace.messages import Channel, ReadingRecord, Speaker, new_message
from emotrace.outcomes.learn import load_outcome_models
from emotrace.services.summaries import record_messages
from emotrace.settings import Settings
from emotrace.store import Store
from emotrace.store.messages import NewMessage
from emotrace.store.outcomes import NewOutcome
from tests.test_cli import EMOTRACE, run

ANGRY = ReadingRecord(labels=["anger"], top_label="anger", ekman_labels=["anger"], ekman_probabilities={"anger": 0.9},
                      sentiment_labels=["negative"], sentiment_probabilities={"negative": 0.9},
                      intent_labels=[], intent_probabilities={}, valence=-0.8, arousal=0.8,
                      satisfaction=-0.9, satisfaction_class="dissatisfied")
GLAD = ReadingRecord(labels=["gratitude"], top_label="gratitude", ekman_labels=["joy"], ekman_probabilities={"joy": 0.9},
                     sentiment_labels=["positive"], sentiment_probabilities={"positive": 0.9},
                     intent_labels=[], intent_probabilities={}, valence=0.8, arousal=0.4,
                     satisfaction=0.9, satisfaction_class="satisfied")


def _seed(url: str) -> None:
    now = datetime.now(UTC)
    store = Store(url)
    record_messages(store, [new_message(customer_id=c, conversation_id=f"{c}-{i}", channel=Channel.chat,
                                    speaker=Speaker.customer, timestamp=now - timedelta(days=3 - i), text="...",
                                    record=record, settings=Settings())
                        for c, record in (("ann", GLAD), ("bob", ANGRY)) for i in range(3)])


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EMOTRACE_DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}"}
    return subprocess.run([EMOTRACE, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)


def test_outcomes_import_stores_good_rows_and_names_the_bad(tmp_path) -> None:
    _seed(f"sqlite:///{tmp_path / 'e.db'}")
    path = tmp_path / "outcomes.csv"
    path.write_text("customer_id,kind,at,conversation_id,value\n"
                    "ann,renewed,2026-11-20,,\n"
                    "bob,csat,2026-11-25,bob-0,1\n"
                    "zed,churned,2026-11-01,,\n"
                    "ann,refund,2026-11-01,,\n"
                    "ann,csat,2026-11-02,bob-1,4\n", encoding="utf-8")
    first = _run(tmp_path, "outcomes", "import", str(path), "--json")
    assert first.returncode == 1
    report = json.loads(first.stdout)
    assert (report["rows"], report["stored"], report["already_stored"]) == (5, 2, 0)
    assert [r["row"] for r in report["refused"]] == [3, 4, 5]
    assert report["refused"][2]["reason"] == "conversation 'bob-1' has no stored messages of customer 'ann'"
    assert "zed" in report["refused"][0]["reason"] and "refund" in report["refused"][1]["reason"]
    again = json.loads(_run(tmp_path, "outcomes", "import", str(path), "--json").stdout)
    assert (again["stored"], again["already_stored"]) == (0, 2)
    # found by a new-user trial: one row conflicting with a stored outcome stopped the whole import (E807), naming
    # none of the other bad rows; it is a refused row like the others, and "1 outcome stored"
    path.write_text("customer_id,kind,at,conversation_id,value\n"
                    "bob,csat,2026-11-25,bob-0,4\n"
                    "ann,renewed,2026-11-21,,\n"
                    "zed,churned,2026-11-01,,\n", encoding="utf-8")
    third = _run(tmp_path, "outcomes", "import", str(path))
    assert third.returncode == 1 and "1 outcome stored, 0 already stored, 2 rows refused" in third.stdout, third.stdout
    assert "row 1: csat of bob bob-0 at 2026-11-25T00:00:00Z was recorded before as 1, now 4" in third.stderr


def test_outreach_checks_an_audience_file_in_order(tmp_path) -> None:
    _seed(f"sqlite:///{tmp_path / 'e.db'}")
    audience = tmp_path / "campaign.csv"
    audience.write_text("customer_id,email\nbob,b@example.com\nann,a@example.com\nnew,n@example.com\n,x@example.com\n"
                        "bad id,y@example.com\n", encoding="utf-8")
    result = _run(tmp_path, "outreach", str(audience), "-o", "checked.csv")
    assert result.returncode == 1 and "1 row has no customer_id (first: row 4)" in result.stderr, result.stderr
    # found by a new-user trial: "bad id" was cleared "ok" while every route refuses it
    assert "1 row has a customer_id that is no id" in result.stderr and "(first: row 5)" in result.stderr
    with (tmp_path / "checked.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["customer_id"], r["email"], r["decision"]) for r in rows] == [
        ("bob", "b@example.com", "hold"), ("ann", "a@example.com", "ok"), ("new", "n@example.com", "ok")]
    assert "segment" in rows[0]["reasons"] and rows[0]["hold_until"]
    refused = _run(tmp_path, "outreach", str(audience), "-o", "checked.csv")
    assert refused.returncode == 2 and "E803" in refused.stderr  # an existing output is not overwritten


def test_outreach_refuses_an_output_it_cannot_or_must_not_write(tmp_path) -> None:
    """Found by a review: a missing folder or a folder as -o ended in a traceback after the whole audience was
    checked (leaving a .partial file), -o naming the audience itself replaced it, and an audience column named
    like one outreach writes (decision) was silently overwritten."""
    url = f"sqlite:///{tmp_path / 'e.db'}"
    _seed(url)
    audience = tmp_path / "campaign.csv"
    audience.write_text("customer_id,email\nbob,b@example.com\nann,a@example.com\n", encoding="utf-8")
    (tmp_path / "somedir").mkdir()
    for output, code in (("missing/out.csv", "E516"), ("somedir", "E516"), ("campaign.csv", "E518")):
        refused = run("outreach", str(audience), "-o", str(tmp_path / output), "--overwrite", "--database-url", url)
        assert refused.returncode == 2 and f"[{code}]" in refused.stderr, (output, refused.stderr)
    assert audience.read_text(encoding="utf-8").startswith("customer_id,email\nbob")
    assert not list(tmp_path.glob("*.partial")) and not list((tmp_path / "somedir").iterdir())
    audience.write_text("customer_id,decision\nbob,call back\n", encoding="utf-8")
    clash = run("outreach", str(audience), "-o", str(tmp_path / "checked.csv"), "--database-url", url)
    assert clash.returncode == 2 and "[E508]" in clash.stderr and "decision" in clash.stderr, clash.stderr
    assert not (tmp_path / "checked.csv").exists()


def test_outreach_refuses_ids_with_spaces_as_the_api_does(tmp_path) -> None:
    """Found by a review: outreach trimmed ids, so "  bob" and "bob " got bob's decision, while POST
    /v1/outreach/check matches ids exactly and refuses them (422); they are malformed ids, named like "bad id!"."""
    url = f"sqlite:///{tmp_path / 'e.db'}"
    _seed(url)
    audience = tmp_path / "campaign.csv"
    audience.write_text("customer_id,email\n  bob,b@example.com\nbob ,c@example.com\nann,a@example.com\n",
                        encoding="utf-8")
    result = run("outreach", str(audience), "-o", str(tmp_path / "checked.csv"), "--database-url", url)
    assert result.returncode == 1, result.stderr
    assert "2 rows have a customer_id that is no id" in result.stderr and "(first: row 1)" in result.stderr
    with (tmp_path / "checked.csv").open(encoding="utf-8") as handle:
        assert [(r["customer_id"], r["decision"]) for r in csv.DictReader(handle)] == [("ann", "ok")]


def test_customer_attributes_import_names_unknown_customers(tmp_path) -> None:
    _seed(f"sqlite:///{tmp_path / 'e.db'}")
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,plan,region\nann,pro,EU\nbob,free,US\nzed,pro,EU\n", encoding="utf-8")
    result = _run(tmp_path, "customers", "import", str(path))
    assert result.returncode == 1 and "zed" in result.stderr
    assert Store(f"sqlite:///{tmp_path / 'e.db'}").customers.attributes() == {"ann": {"plan": "pro", "region": "EU"},
                                                                     "bob": {"plan": "free", "region": "US"}}


def test_parquet_binary_ids_are_read_as_text_and_ids_the_service_refuses_are_named(tmp_path) -> None:
    """Parquet BINARY ids read as "b'bob'" (outreach: every row "no id", an empty output; customers import: unknown
    customers); a NUL in an id or an attribute reached the database (PostgreSQL: a DataError traceback)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    url = f"sqlite:///{tmp_path / 'e.db'}"
    _seed(url)
    pq.write_table(pa.table({"customer_id": pa.array([b"bob", b"ann"], pa.binary())}), tmp_path / "audience.parquet")
    result = run("outreach", str(tmp_path / "audience.parquet"), "-o", str(tmp_path / "checked.csv"),
                 "--database-url", url)
    assert result.returncode == 0, result.stderr
    with (tmp_path / "checked.csv").open(encoding="utf-8") as handle:
        assert [(r["customer_id"], r["decision"]) for r in csv.DictReader(handle)] == [("bob", "hold"), ("ann", "ok")]
    pq.write_table(pa.table({"customer_id": pa.array([b"bob", b"a\x00b", b"ann"], pa.binary()),
                             "plan": ["pro", "free", "bad\x00plan"]}), tmp_path / "customers.parquet")
    imported = run("customers", "import", str(tmp_path / "customers.parquet"), "--database-url", url)
    assert imported.returncode == 1 and "row 2: 'a\\x00b' is not a customer id" in imported.stderr, imported.stderr
    assert "row 3: 'plan' holds a NUL character" in imported.stderr
    assert Store(url).customers.attributes() == {"bob": {"plan": "pro"}}
    named = run("outreach", str(tmp_path / "audience.parquet"), "-o", str(tmp_path / "checked.parquet"),
                "--database-url", url)  # CSV text was written into checked.parquet
    assert named.returncode == 2 and "[E206]" in named.stderr and not (tmp_path / "checked.parquet").exists()


def test_outreach_names_unreadable_lines_and_leaves_no_partial_output(tmp_path) -> None:
    """Found by a review: an invalid JSON line was reported as "has no customer_id"; an unreadable CSV part-way left
    checked.csv.partial behind."""
    url = f"sqlite:///{tmp_path / 'e.db'}"
    _seed(url)
    (tmp_path / "audience.jsonl").write_text('{"customer_id": "bob"}\n{"customer_id": "ann"\n{"email": "x@y"}\n',
                                             encoding="utf-8")
    result = run("outreach", str(tmp_path / "audience.jsonl"), "-o", str(tmp_path / "checked.csv"),
                 "--database-url", url)
    assert result.returncode == 1, result.stderr
    assert "1 row has no fields that can be read (a line that is not valid JSON?) (first: row 2)" in result.stderr
    assert "1 row has no customer_id (first: row 3)" in result.stderr
    (tmp_path / "audience.csv").write_text("customer_id\nbob\n" + "ann\n" * 3 + '"a quote never closed\n',
                                           encoding="utf-8")
    broken = run("outreach", str(tmp_path / "audience.csv"), "-o", str(tmp_path / "c2.csv"), "--database-url", url)
    assert broken.returncode == 2 and "[E514]" in broken.stderr, broken.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("c2")) == []


def test_outcomes_fit_learns_churn_from_a_stored_population_and_serves_it(tmp_path) -> None:
    """The real command on a generated population stored through the store: churn is learnt and written with its
    figures and model card; the models load for serving."""
    signals, churned = generate(customers=800, days=180, seed=0)  # the benchmark's first population
    store = Store(f"sqlite:///{tmp_path / 'e.db'}")
    messages = [NewMessage(customer_id=c, conversation_id=s.conversation_id, channel="chat", speaker=s.speaker,
                           timestamp=s.timestamp, text=None, labels=[], ekman_probabilities=s.emotions,
                           sentiment_labels=[], valence=s.valence, arousal=s.arousal, satisfaction=s.satisfaction,
                           satisfaction_class="neutral")
                for c, found in signals.items() for s in found]
    for start in range(0, len(messages), 5000):
        record_messages(store, messages[start : start + 5000])
    store.outcomes.add([NewOutcome(o.customer_id, o.kind, o.at) for o in churned if signals[o.customer_id]])
    result = _run(tmp_path, "outcomes", "fit", "--out", "models", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)["kinds"]["churned"]
    assert report["shipped"] is True
    assert report["model"]["auc"] > max(b["auc"] for b in report["baselines"].values())
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["MODEL_CARD.md", "churned.json", "metrics.json"]
    assert "emotrace outcomes fit --out models --json" in (tmp_path / "models" / "MODEL_CARD.md").read_text()
    assert set(load_outcome_models(tmp_path / "models")) == {"churned"}


def test_outcomes_fit_takes_the_history_a_snapshot_needs_as_an_option(tmp_path) -> None:
    """Issue 28: the 30 days of history per snapshot were neither an option nor documented."""
    _seed(f"sqlite:///{tmp_path / 'e.db'}")
    path = tmp_path / "outcomes.csv"
    path.write_text("customer_id,kind,at,conversation_id,value\nann,renewed,2026-11-20,,\n", encoding="utf-8")
    assert _run(tmp_path, "outcomes", "import", str(path)).returncode == 0
    result = _run(tmp_path, "outcomes", "fit", "--history-days", "0", "--json")
    assert result.returncode in (0, 1) and "No such option" not in result.stderr, result.stderr
    assert "kinds" in json.loads(result.stdout)


def test_outcomes_fit_never_replaces_a_folder_of_other_files(tmp_path) -> None:
    """Found by a new-user trial: `outcomes fit --out keep` deleted keep/notes.txt ("models written to keep")."""
    _seed(f"sqlite:///{tmp_path / 'e.db'}")
    path = tmp_path / "outcomes.csv"
    path.write_text("customer_id,kind,at,conversation_id,value\nann,renewed,2026-11-20,,\n", encoding="utf-8")
    assert _run(tmp_path, "outcomes", "import", str(path)).returncode == 0
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "notes.txt").write_text("important", encoding="utf-8")
    result = _run(tmp_path, "outcomes", "fit", "--out", "keep")
    assert result.returncode == 2 and "[E314]" in result.stderr and "notes.txt" in result.stderr, result.stderr
    assert (tmp_path / "keep" / "notes.txt").read_text(encoding="utf-8") == "important"


def test_outcomes_fit_without_outcomes_says_what_to_do(tmp_path) -> None:
    _seed(f"sqlite:///{tmp_path / 'e.db'}")
    result = _run(tmp_path, "outcomes", "fit")
    assert result.returncode == 2 and "E805" in result.stderr and "outcomes import" in result.stderr


def test_the_import_commands_read_a_file_in_another_encoding_and_name_an_id_given_twice(tmp_path) -> None:
    """Found by a new-user trial: E004 told `customers import` and `outcomes import` to pass --encoding, which they
    did not have; a customer id given twice with other attributes kept the last row without a word ("0 rows
    refused"); and "attributes of 1 customers stored, 1 rows refused"."""
    from tests.test_cli import run

    url = f"sqlite:///{tmp_path / 'e.db'}"
    _seed(url)
    latin = tmp_path / "customers.csv"
    latin.write_bytes("customer_id,plan,region\nann,pro,Cork\xe9\nbob,free,US\nbob,gold,US\n".encode("latin-1"))
    refused = run("customers", "import", str(latin), "--database-url", url)
    assert refused.returncode == 2 and "E004" in refused.stderr
    result = run("customers", "import", str(latin), "--encoding", "latin-1", "--database-url", url)
    assert result.returncode == 1, result.stderr
    assert "attributes of 1 customer stored, 2 rows refused" in result.stdout, result.stdout
    assert "rows 2 and 3 give customer 'bob' different attributes" in result.stderr, result.stderr
    assert Store(url).customers.attributes() == {"ann": {"plan": "pro", "region": "Corké"}}
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_bytes("customer_id,kind,at,conversation_id,value\nann,renewed,2026-11-20,,\n".encode("utf-16"))
    stored = run("outcomes", "import", str(outcomes), "--encoding", "utf-16", "--database-url", url)
    assert stored.returncode == 0 and "1 outcome stored" in stored.stdout, stored.stdout + stored.stderr
    audience = tmp_path / "audience.csv"
    audience.write_bytes("customer_id,name\nann,Zoë\n".encode("cp1252"))
    checked = run("outreach", str(audience), "-o", str(tmp_path / "checked.csv"), "--encoding", "cp1252",
                  "--database-url", url)
    assert checked.returncode == 0, checked.stderr
    assert "Zoë" in (tmp_path / "checked.csv").read_text(encoding="utf-8")


def test_customers_import_names_customers_by_the_ids_of_the_file_under_an_id_key(tmp_path, monkeypatch) -> None:
    """Found by a re-trial: with EMOTRACE_ID_KEY the refusals named pseudonyms ("customer 'p-c3ae...' has no stored
    messages"), which mean nothing to the person holding the file."""
    from emotrace.settings import get_settings
    from tests.test_cli import run

    url = f"sqlite:///{tmp_path / 'e.db'}"
    _seed(url)
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,plan\nzed,pro\nyan,gold\nyan,free\n", encoding="utf-8")
    monkeypatch.setenv("EMOTRACE_ID_KEY", "trial-id-key-0123456789")
    get_settings.cache_clear()
    try:
        result = run("customers", "import", str(path), "--database-url", url)
    finally:
        monkeypatch.delenv("EMOTRACE_ID_KEY")
        get_settings.cache_clear()
    assert "customer 'zed' has no stored messages" in result.stderr, result.stderr
    assert "give customer 'yan' different attributes" in result.stderr and "p-" not in result.stderr, result.stderr


def test_customers_import_takes_the_listed_id_under_an_id_key(tmp_path, monkeypatch) -> None:
    """Found by a review: under EMOTRACE_ID_KEY a row giving the ``p-…`` id the API and exports list was keyed
    again, so the customer was "unknown" and its attributes never stored."""
    from emotrace.settings import get_settings, pseudonym
    from tests.test_cli import run

    url = f"sqlite:///{tmp_path / 'e.db'}"
    monkeypatch.setenv("EMOTRACE_ID_KEY", "trial-id-key-0123456789")
    get_settings.cache_clear()
    try:
        settings = get_settings()
        now = datetime.now(UTC)
        record_messages(Store(url), [new_message(customer_id="ann", conversation_id="ann-0", channel=Channel.chat,
                                                 speaker=Speaker.customer, timestamp=now, text="...", record=GLAD,
                                                 settings=settings)])
        listed = pseudonym("ann", settings)
        path = tmp_path / "customers.csv"
        path.write_text(f"customer_id,plan\n{listed},pro\n", encoding="utf-8")
        result = run("customers", "import", str(path), "--database-url", url)
    finally:
        monkeypatch.delenv("EMOTRACE_ID_KEY")
        get_settings.cache_clear()
    assert result.returncode == 0, result.stderr
    assert Store(url).customers.attributes() == {listed: {"plan": "pro"}}


def test_two_rows_rating_one_conversation_differently_are_both_refused(tmp_path) -> None:
    """Found by a re-trial: of two rows rating bob-0 3 and 2 at one time, the first was stored as if it were right
    and only the second named."""
    from tests.test_cli import run

    url = f"sqlite:///{tmp_path / 'e.db'}"
    _seed(url)
    path = tmp_path / "outcomes.csv"
    path.write_text("customer_id,kind,at,conversation_id,value\nbob,csat,2026-11-25,bob-0,3\n"
                    "bob,csat,2026-11-25,bob-0,2\nann,renewed,2026-11-20,,\n", encoding="utf-8")
    result = run("outcomes", "import", str(path), "--database-url", url, "--json")
    report = json.loads(result.stdout)
    assert [r["row"] for r in report["refused"]] == [1, 2] and report["stored"] == 1, report
    assert [o.kind for o in Store(url).outcomes.all()] == ["renewed"]


def test_a_column_outcomes_import_does_not_read_is_named_once_not_a_refusal_of_every_row(tmp_path) -> None:
    """Found by a re-trial: a file with one extra column (`note`) had every row refused: "note: Extra inputs are not
    permitted"."""
    from tests.test_cli import run

    url = f"sqlite:///{tmp_path / 'e.db'}"
    _seed(url)
    path = tmp_path / "outcomes.csv"
    path.write_text("customer_id,kind,at,conversation_id,value,note\nann,renewed,2026-11-20,,,called back\n",
                    encoding="utf-8")
    result = run("outcomes", "import", str(path), "--database-url", url)
    assert result.returncode == 0 and "1 outcome stored" in result.stdout, result.stdout + result.stderr
    assert "column not read: note" in result.stderr, result.stderr


def test_the_store_commands_refuse_a_missing_database_and_create_none(tmp_path) -> None:
    """Found by a review: on a mistyped --database-url, outreach created an empty SQLite file and cleared every
    audience id "ok" (exit 0), and outcomes import / fit and customers import created one too. Each now refuses a
    database file that is not there (E025) and creates nothing: outcomes and attributes are only stored for
    customers a store already holds."""
    missing = tmp_path / "typo.db"
    url = f"sqlite:///{missing}"
    (tmp_path / "campaign.csv").write_text("customer_id\nbob\nann\n", encoding="utf-8")
    (tmp_path / "outcomes.csv").write_text("customer_id,kind,at,conversation_id,value\nann,renewed,2026-11-20,,\n",
                                           encoding="utf-8")
    (tmp_path / "customers.csv").write_text("customer_id,plan\nann,pro\n", encoding="utf-8")
    for args in (("outreach", str(tmp_path / "campaign.csv"), "-o", str(tmp_path / "checked.csv")),
                 ("outcomes", "import", str(tmp_path / "outcomes.csv")),
                 ("outcomes", "fit", "--out", str(tmp_path / "models")),
                 ("customers", "import", str(tmp_path / "customers.csv"))):
        result = run(*args, "--database-url", url)
        assert result.returncode == 2 and "[E025]" in result.stderr and "no such file" in result.stderr, (
            args, result.returncode, result.stdout, result.stderr)
        assert not missing.exists(), args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["campaign.csv", "customers.csv", "outcomes.csv"]


def test_outreach_keeps_every_key_of_a_json_lines_audience_and_refuses_a_clash_in_any_row(tmp_path) -> None:
    """Found by a review: a JSON Lines audience's output columns were the first object's keys, so a later row's own
    keys vanished (exit 0), and a later row's own `decision` was overwritten by outreach's: only the first object
    was checked for a clash."""
    url = f"sqlite:///{tmp_path / 'e.db'}"
    _seed(url)
    audience = tmp_path / "audience.jsonl"
    audience.write_text('{"customer_id": "bob"}\n{"customer_id": "ann", "email": "a@example.com"}\n'
                        '{"segment": "vip", "customer_id": "new"}\n', encoding="utf-8")
    result = run("outreach", str(audience), "-o", str(tmp_path / "checked.csv"), "--database-url", url)
    assert result.returncode == 0, result.stderr
    with (tmp_path / "checked.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["customer_id", "email", "segment", "decision", "reasons", "hold_until"]
    assert [(r["customer_id"], r["email"], r["segment"], r["decision"]) for r in rows] == [
        ("bob", "", "", "hold"), ("ann", "a@example.com", "", "ok"), ("new", "", "vip", "ok")]
    audience.write_text('{"customer_id": "bob"}\n{"customer_id": "ann", "decision": "call back"}\n'
                        '{"customer_id": "new", "hold_until": "2027-01-01"}\n', encoding="utf-8")
    clash = run("outreach", str(audience), "-o", str(tmp_path / "again.csv"), "--database-url", url)
    assert clash.returncode == 2 and "[E508]" in clash.stderr, clash.stderr
    assert "decision" in clash.stderr and "hold_until" in clash.stderr, clash.stderr
    assert not (tmp_path / "again.csv").exists() and not list(tmp_path.glob("*.partial"))


def test_outcomes_import_reads_integer_customer_and_conversation_ids_as_text(tmp_path) -> None:
    """Found by a review: a Parquet int64 customer_id column (or a JSON number) was refused on every row
    ("customer_id: Input should be a valid string"), while customers import, outreach and batch --ingest read the
    same ids as text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    url = f"sqlite:///{tmp_path / 'e.db'}"
    store = Store(url)
    now = datetime.now(UTC)
    record_messages(store, [new_message(customer_id="101", conversation_id="7", channel=Channel.chat,
                                        speaker=Speaker.customer, timestamp=now - timedelta(days=2), text="...",
                                        record=ANGRY, settings=Settings())])
    pq.write_table(pa.table({"customer_id": pa.array([101, 101], pa.int64()), "kind": ["renewed", "csat"],
                             "at": ["2026-11-20", "2026-11-21"], "conversation_id": pa.array([None, 7], pa.int64()),
                             "value": pa.array([None, 4.0], pa.float64())}), tmp_path / "outcomes.parquet")
    result = run("outcomes", "import", str(tmp_path / "outcomes.parquet"), "--database-url", url, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["stored"] == 2
    (tmp_path / "more.jsonl").write_text('{"customer_id": 101, "kind": "upgraded", "at": "2026-11-22"}\n',
                                         encoding="utf-8")
    result = run("outcomes", "import", str(tmp_path / "more.jsonl"), "--database-url", url)
    assert result.returncode == 0 and "1 outcome stored" in result.stdout, result.stdout + result.stderr
    assert sorted((o.customer_id, o.kind, o.conversation_id) for o in Store(url).outcomes.all()) == [
        ("101", "csat", "7"), ("101", "renewed", ""), ("101", "upgraded", "")]


def test_outcomes_fit_bounds_its_day_options(tmp_path) -> None:
    """Found by a review: `outcomes fit --horizon-days 1e12` and `--history-days 1e7` ended in an OverflowError
    traceback; a value past 36,500 days (a century) is now Typer's usage error (exit 2) before anything is read."""
    url = f"sqlite:///{tmp_path / 'e.db'}"
    _seed(url)
    path = tmp_path / "outcomes.csv"
    path.write_text("customer_id,kind,at,conversation_id,value\nann,renewed,2026-11-20,,\n", encoding="utf-8")
    assert run("outcomes", "import", str(path), "--database-url", url).returncode == 0
    for option, value in (("--horizon-days", "1e12"), ("--history-days", "1e7"), ("--horizon-days", "inf")):
        result = run("outcomes", "fit", "--out", str(tmp_path / "models"), option, value, "--database-url", url)
        assert result.returncode == 2 and "Invalid value" in result.stderr and option in result.stderr, (
            option, value, result.stderr)
        assert not (tmp_path / "models").exists()
    widest = run("outcomes", "fit", "--out", str(tmp_path / "models"), "--horizon-days", "36500", "--history-days",
                 "36500", "--database-url", url, "--json")
    assert widest.returncode in (0, 1) and "kinds" in json.loads(widest.stdout), widest.stderr
