"""The store on a real SQLite file and a real PostgreSQL server: same behaviour on both."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.exc import IntegrityError

from emotrace.errors import EmotraceError
from emotrace.scoring.rules import ScoringRules
from emotrace.services.summaries import customer_timeline, record_messages
from emotrace.store import Store
from emotrace.store.corrections import NewCorrection
from emotrace.store.database import MIGRATIONS
from emotrace.store.messages import NewMessage, RequestKey, signals_in, with_customers_in
from emotrace.store.tables import Base
from tests.test_cli import run

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def message(customer: str, hours: float, satisfaction: float, *, speaker: str = "customer",
            conv: str = "c1") -> NewMessage:
    return NewMessage(customer, conv, "chat", speaker, T0 + timedelta(hours=hours), "text [EMAIL]",
                      ["annoyance"] if satisfaction < 0 else ["gratitude"],
                      {"anger": 0.1, "joy": 0.5, "neutral": 0.2}, ["negative" if satisfaction < 0 else "positive"],
                      satisfaction, 0.4, satisfaction, "dissatisfied" if satisfaction < 0 else "satisfied")


def test_migrations_create_the_schema(database_url) -> None:
    store = Store(database_url)
    tables = set(inspect(store.db.engine).get_table_names())
    assert {"customers", "messages", "alembic_version"} <= tables
    Store(database_url)  # migrating again is a no-op


def test_the_schema_the_migrations_make_is_the_one_the_code_declares(database_url) -> None:
    """tables.py and the migrations describe one schema (tables, columns and their types, indexes): a column added to
    one and not the other is found here, not by a query failing in production."""
    store = Store(database_url)
    with store.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_a_database_migrated_by_a_newer_release_is_one_line_naming_it(database_url) -> None:
    """A rollback (or an older replica restarting in a rolling deploy) met a revision it does not know: alembic's
    CommandError escaped as a traceback from serve and every command."""
    store = Store(database_url)
    with store.db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(EmotraceError, match=r"E025.*migrated by a newer emotrace.*'9999'"):
        Store(database_url)


def test_write_read_summary_and_erase(database_url) -> None:
    store = Store(database_url)
    rows, customers = record_messages(store, [message("ann", 0, 0.8), message("ann", 1, -0.9, speaker="agent"),
                               message("bob", 0, -0.7)])
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    assert [c.id for c in customers] == ["ann", "bob"]
    ann = store.customers.get("ann")
    assert ann is not None and ann.score > 60  # the agent's negative turn does not count
    assert [c.id for c in store.customers.ranked()] == ["bob", "ann"]  # riskiest first
    assert ann.segment == "satisfied"  # one happy message: satisfied, not delighted (the neutral prior)
    assert [c.id for c in store.customers.ranked("satisfied")] == ["ann"]
    assert [c.id for c in store.customers.ranked(store.customers.get("bob").segment)] == ["bob"]
    assert store.customers.ranked("delighted") == []
    assert store.messages.of_customer("ann")[0].timestamp.replace(tzinfo=UTC) == T0
    assert store.customers.erase("ann") == max(m.id for m in rows if m.customer_id == "ann")  # the newest erased
    assert store.customers.get("ann") is None and store.messages.of_customer("ann") == []
    assert store.customers.erase("ann") is None
    assert store.customers.get("bob") is not None


def test_a_failed_write_stores_nothing(database_url) -> None:
    store = Store(database_url)
    record_messages(store, [message("ann", 0, 0.5)])
    broken = replace(message("cat", 1, 0.5), conversation_id=None)  # NOT NULL violation, second row
    with pytest.raises(IntegrityError):
        record_messages(store, [message("ann", 2, -0.9), broken])
    assert len(store.messages.of_customer("ann")) == 1
    assert store.customers.get("cat") is None
    assert store.customers.get("ann").score == customer_timeline(store, "ann", ScoringRules()).current.score


def test_batch_rows_are_claimed_once_and_only_the_unclaimed_are_stored(database_url) -> None:
    """A batch input's rows are claimed in the transaction that stores them: a second write of rows already claimed
    (another run of the same input, at the same time or later) stores only the rows not claimed before."""
    store = Store(database_url)
    stored, _ = record_messages(store, [message("ann", 0, 0.5), message("ann", 1, 0.5)],
                                batch_rows=[("a0", 0), ("a1", 0)])
    assert len(stored) == 2
    stored, customers = record_messages(store, [message("ann", 1, 0.5), message("bob", 2, -0.5)],
                                        batch_rows=[("a1", 0), ("b2", 0)])
    assert [m.customer_id for m in stored] == ["bob"] and [c.id for c in customers] == ["bob"]
    assert record_messages(store, [message("ann", 0, 0.5)], batch_rows=[("a0", 0)]) == ([], [])
    assert len(store.messages.of_customer("ann")) == 2
    store.writes.mark_batch_rows([("b2", 0), ("c0", 0)])  # b2 already marked: no conflict
    assert record_messages(store, [message("cat", 0, 0.5)], batch_rows=[("c0", 0)]) == ([], [])
    assert len(record_messages(store, [message("cat", 0, 0.5)], batch_rows=[("c0", 1)])[0]) == 1


def test_erasure_takes_the_batch_marks_of_the_customer_s_rows(database_url) -> None:
    """Found by a review: batch_parts kept the marks of an erased customer's ingested rows (hashes of their id and
    text cells): a fingerprint of their data stayed, and ingesting their rows again stored nothing ("2 rows stored by
    an earlier run"). Erasure takes them; another customer's marks stay."""
    from emotrace.batch.ingest import message_key

    store = Store(database_url)
    cells = [{"customer_id": c, "conversation_id": "c1", "text": t}
             for c, t in (("ann", "Still no refund."), ("ann", "Hello?"), ("bob", "Thanks!"), ("ann", "Fine."))]
    marks = [(message_key(row, ("customer_id", "conversation_id", "text")), 0) for row in cells]
    items = [message("ann", 0, -0.5), message("ann", 1, -0.5), message("bob", 0, 0.5)]
    assert len(record_messages(store, items, batch_rows=marks[:3])[0]) == 3
    store.writes.mark_batch_rows(marks[3:], ["ann"])  # a row of ann's that a release before stored, marked now

    def kept() -> set[tuple[str, int]]:
        with store.db.engine.connect() as connection:
            return {(key, part) for key, part in connection.execute(text("SELECT run_key, part FROM batch_parts"))}

    assert kept() == set(marks)
    assert store.customers.erase("ann") is not None
    assert kept() == {marks[2]}  # nothing of ann's
    stored, _ = record_messages(store, items, batch_rows=marks[:3])  # the same input ingested again
    assert [m.customer_id for m in stored] == ["ann", "ann"]
    assert len(store.messages.of_customer("ann")) == 2 and len(store.messages.of_customer("bob")) == 1


def test_erasure_takes_the_keyed_writes_of_the_customer(database_url) -> None:
    store = Store(database_url)
    record_messages(store, [message("ann", 0, 0.5)], request_keys=[RequestKey("ann-key-01", "a" * 64, 0, 1)])
    record_messages(store, [message("ann", 1, 0.5), message("bob", 1, 0.5)],
                       request_keys=[RequestKey("both-key-01", "b" * 64, 0, 2)])
    record_messages(store, [message("bob", 2, 0.5)], request_keys=[RequestKey("bob-key-01", "c" * 64, 0, 1)])
    assert store.customers.erase("ann") is not None
    assert store.writes.under_key("ann-key-01") is None and store.writes.under_key("both-key-01") is None
    assert store.writes.under_key("bob-key-01") is not None
    with store.db.engine.connect() as connection:
        assert connection.execute(text("SELECT key, customer_id FROM idempotent_write_customers")).all() == [
            ("bob-key-01", "bob")]


def test_a_keyed_write_whose_key_an_erasure_took_meanwhile_stores_nothing(database_url) -> None:
    """Found by a review: a retry under key K that passed the replay check before the first write under K committed,
    then wrote after the customer's erasure had taken K, stored the erased customer's messages again (the write never
    read the erased keys). The write checks them once its customers are locked, and stores nothing."""
    from emotrace.store.messages import WriteErased

    store = Store(database_url)
    key = RequestKey("ann-key-01", "a" * 64, 0, 1)
    record_messages(store, [message("ann", 0, 0.5)], request_keys=[key])
    assert store.customers.erase("ann") is not None
    with pytest.raises(WriteErased):
        record_messages(store, [message("ann", 0, 0.5)], request_keys=[key])
    assert store.messages.of_customer("ann") == [] and store.writes.under_key("ann-key-01") is None


def test_the_migration_links_stored_keyed_writes_and_drops_those_an_erasure_left(database_url) -> None:
    engine = create_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:  # a database as revision 0008 left it, with an erasure made under it
        config.attributes["connection"] = connection
        command.upgrade(config, "0008")
        connection.execute(text("INSERT INTO customers (id, created_at, updated_at, score, segment, trend, trend_delta, "
                                "open_alerts, alerts) VALUES ('bob', :t, :t, 50, 'neutral', 'stable', 0, 0, '[]')"),
                           {"t": T0})
        for i in (1, 2):
            connection.execute(text("INSERT INTO messages (id, customer_id, conversation_id, channel, speaker, timestamp, "
                                    "labels, ekman, sentiment, valence, arousal, satisfaction, satisfaction_class) "
                                    "VALUES (:i, 'bob', 'c1', 'chat', 'customer', :t, '[]', '{}', '[]', 0, 0, 0, "
                                    "'neutral')"), {"i": i, "t": T0})
        for key, ids in (("bob-key-01", "[1, 2]"), ("erased-ann-01", "[3]"), ("ann-and-bob-01", "[2, 4]")):
            connection.execute(text("INSERT INTO idempotent_writes (key, request_sha, message_ids, created_at) "
                                    "VALUES (:k, 'x', :ids, :t)"), {"k": key, "ids": ids, "t": T0})
    engine.dispose()
    store = Store(database_url)
    assert store.writes.under_key("bob-key-01") is not None
    assert store.writes.under_key("erased-ann-01") is None and store.writes.under_key("ann-and-bob-01") is None
    assert store.customers.erase("bob") is not None
    assert store.writes.under_key("bob-key-01") is None


def test_the_migration_registers_the_stored_alerts_as_open(database_url) -> None:
    engine = create_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    alerts = ('[{"kind": "spike", "reason": "r", "message_ids": [1], "at": "2026-10-01T09:00:00+00:00", '
              '"severity": "warning"}]')
    with engine.begin() as connection:  # a customer with an alert as revision 0009 stored it
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
        connection.execute(text("INSERT INTO customers (id, created_at, updated_at, score, segment, trend, trend_delta, "
                                "open_alerts, alerts) VALUES ('bob', :t, :t, 20, 'at_risk', 'stable', 0, 1, :a)"),
                           {"t": T0, "a": alerts})
    engine.dispose()
    store = Store(database_url)
    (alert,) = store.customers.get("bob").alerts
    state = store.alerts.get(alert["id"])
    assert (alert["status"], state.status, state.kind, state.first_message_id) == ("open", "open", "spike", 1)
    assert [e.actor for e in store.alerts.history(alert["id"])] == ["emotrace"]


def test_the_migration_renames_the_view_columns_keeping_their_values_and_back(database_url) -> None:
    engine = create_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    old = ("ekman", "ekman_labels", "sentiment", "sentiment_probabilities", "intents", "intent_probabilities")
    new = ("ekman_probabilities", "ekman_labels", "sentiment_labels", "sentiment_probabilities", "intent_labels",
           "intent_probabilities")
    values = ('{"anger": 0.9}', '["anger"]', '["negative"]', '{"negative": 0.8}', '["churn_threat"]',
              '{"churn_threat": 0.7}')
    with engine.begin() as connection:  # a message as revision 0011 stored it
        config.attributes["connection"] = connection
        command.upgrade(config, "0011")
        connection.execute(text("INSERT INTO customers (id, created_at, updated_at, score, segment, trend, trend_delta, "
                                "open_alerts, alerts) VALUES ('bob', :t, :t, 50, 'neutral', 'stable', 0, 0, '[]')"),
                           {"t": T0})
        connection.execute(text(f"INSERT INTO messages (id, customer_id, conversation_id, channel, speaker, timestamp, "
                                f"labels, {', '.join(old)}, valence, arousal, satisfaction, satisfaction_class) "
                                f"VALUES (1, 'bob', 'c1', 'chat', 'customer', :t, '[]', :v0, :v1, :v2, :v3, :v4, :v5, "
                                f"0, 0, 0, 'neutral')"), {"t": T0, **{f"v{i}": v for i, v in enumerate(values)}})
    engine.dispose()
    (stored,) = Store(database_url).messages.of_customer("bob")
    assert [getattr(stored, column) for column in new] == [json.loads(v) for v in values]
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
        back = connection.execute(text(f"SELECT {', '.join(old)} FROM messages")).one()
    engine.dispose()
    assert [json.loads(v) if isinstance(v, str) else v for v in back] == [json.loads(v) for v in values]


def test_daily_customer_messages_are_grouped_by_utc_day_and_channel(database_url) -> None:
    store = Store(database_url)
    record_messages(store, [message("ann", 0, 0.8), message("ann", 1, -0.6), message("bob", 30, -0.6),
                            message("bob", 31, 0.5, speaker="agent")])
    rows = store.messages.daily(T0 - timedelta(days=1))
    assert [(r.day, r.channel, r.messages, r.dissatisfied) for r in rows] == [
        ("2026-10-01", "chat", 2, 1), ("2026-10-02", "chat", 1, 1)]
    assert rows[0].mean_satisfaction == pytest.approx(0.1)
    assert store.messages.daily(T0 + timedelta(days=5)) == []


@pytest.mark.parametrize(("url", "named"), [("bogus://x", "'bogus' is not one of them"),
                                            ("not a url", "is not a database URL"),
                                            ("sqlite:////nonexistent-folder/x.db", "cannot be opened")])
def test_a_database_that_cannot_be_opened_is_named_not_a_traceback(url: str, named: str) -> None:
    """Found by a hostile pass: `--database-url bogus://x` or a SQLite file in a missing folder gave a raw SQLAlchemy
    traceback (exit 1) from every command that opens a store."""
    with pytest.raises(EmotraceError) as caught:
        Store(url)
    assert caught.value.code == "E025" and named in caught.value.problem


def test_a_file_that_is_not_a_database_is_named_not_a_traceback(tmp_path) -> None:
    not_a_database = tmp_path / "customers.csv"
    not_a_database.write_text("id,text\n1,hello\n", encoding="utf-8")
    with pytest.raises(EmotraceError) as caught:
        Store(f"sqlite:///{not_a_database}")
    assert caught.value.code == "E025" and "file is not a database" in caught.value.problem
    assert not_a_database.read_text(encoding="utf-8") == "id,text\n1,hello\n"


def test_a_cli_command_on_a_database_that_cannot_be_opened_exits_2_with_its_code(tmp_path) -> None:
    result = run("corrections", "export", "--out", str(tmp_path / "c.csv"), "--database-url", "bogus://x")
    assert result.returncode == 2 and "[E025]" in result.stderr and "Traceback" not in result.stderr


def _ids_after_erasing_the_newest_customer(store: Store) -> tuple[list[int], list[int], list[int], list[int]]:
    """Message and correction ids of a customer erased last, and those the next customer's rows get."""
    rows, _ = record_messages(store, [message("ann", 0, 0.5), message("ann", 1, -0.9)])
    erased = [store.corrections.add(rows[-1].id, NewCorrection("maria", "neutral"), T0)[0].id]
    assert store.customers.erase("ann") is not None
    rows_after, _ = record_messages(store, [message("bob", 0, 0.5), message("bob", 1, -0.9)])
    after = [store.corrections.add(rows_after[-1].id, NewCorrection("maria", "neutral"), T0)[0].id]
    return [r.id for r in rows], erased, [r.id for r in rows_after], after


def test_ids_are_never_reused_after_an_erasure(database_url) -> None:
    """SQLite gave the next row the highest id plus one: erasing the newest customer handed their message, alert and
    correction ids to the next customer, so a stale id (a correction, an alert update) acted on someone else."""
    messages, corrections, messages_after, corrections_after = _ids_after_erasing_the_newest_customer(
        Store(database_url))
    assert min(messages_after) > max(messages) and min(corrections_after) > max(corrections)


def test_every_table_with_a_generated_id_never_reuses_one_on_sqlite(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'e.db'}")
    with store.db.engine.connect() as connection:
        tables = dict(connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
    generated = {"alert_states", "alert_events", "outbox_events", "webhook_deliveries", "messages", "corrections",
                 "outcomes"}
    assert generated <= set(tables)
    assert {name for name in generated if "AUTOINCREMENT" not in tables[name]} == set()


def test_the_migration_keeps_every_row_and_its_ids_are_never_reused_after(database_url) -> None:
    engine = create_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:  # a database as revision 0014 left it: two customers, a correction
        config.attributes["connection"] = connection
        command.upgrade(config, "0014")
        for customer in ("ann", "bob"):
            connection.execute(text("INSERT INTO customers (id, created_at, updated_at, score, segment, trend, "
                                    "trend_delta, open_alerts, alerts) VALUES (:c, :t, :t, 50, 'neutral', 'stable', 0, "
                                    "0, '[]')"), {"c": customer, "t": T0})
        for customer in ("ann", "ann", "bob"):
            connection.execute(text("INSERT INTO messages (customer_id, conversation_id, channel, speaker, timestamp, "
                                    "labels, ekman_probabilities, sentiment_labels, valence, arousal, satisfaction, "
                                    "satisfaction_class) VALUES (:c, 'c1', 'chat', 'customer', :t, '[]', '{}', '[]', 0, "
                                    "0, 0, 'neutral')"), {"c": customer, "t": T0})
        ids = list(connection.execute(text("SELECT id FROM messages ORDER BY id")).scalars())
        connection.execute(text("INSERT INTO corrections (message_id, customer_id, satisfaction_class, corrected_by, "
                                "note, created_at) VALUES (:m, 'ann', 'neutral', 'maria', 'kept', :t)"),
                           {"m": ids[0], "t": T0})
    engine.dispose()
    store = Store(database_url)  # migrates to the latest revision
    assert [m.id for m in store.messages.of_customer("ann")] == ids[:2]
    assert [(c.message_id, c.note) for c, _ in store.corrections.with_messages()] == [(ids[0], "kept")]  # kept
    assert store.customers.erase("bob") is not None  # the newest message's customer
    later, _ = record_messages(store, [message("cat", 0, 0.5)])
    assert later[0].id > ids[-1]


def test_replicas_starting_together_on_a_new_postgresql_database_both_open_it(postgres_url) -> None:
    """Found by a new-user trial: two replicas started at once on an empty PostgreSQL (the replicas example's
    compose file) both ran the migrations; one failed on a duplicate `alembic_version` type (E025, startup failed)."""
    from concurrent.futures import ThreadPoolExecutor

    from emotrace.store.database import Database

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(Database, postgres_url) for _ in range(4)]
    failed = [future.exception() for future in futures if future.exception() is not None]
    for future in futures:
        if future.exception() is None:
            future.result().engine.dispose()  # the test database is dropped after: no connection may stay
    assert not failed, failed


def test_processes_starting_together_on_a_new_sqlite_file_both_open_it(tmp_path) -> None:
    """Found by a review: two servers (or serve and `batch --ingest`) started at once on a new SQLite file both
    ran the migrations; the second failed with E025 "table customers already exists"."""
    from concurrent.futures import ThreadPoolExecutor

    from emotrace.store.database import Database

    for attempt in range(2):  # the race is a matter of timing: two fresh files make it near certain
        url = f"sqlite:///{tmp_path / f'new{attempt}.db'}"
        with ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(Database, url) for _ in range(3)]
        failed = [future.exception() for future in futures if future.exception() is not None]
        assert not failed, failed
        for future in futures:
            with future.result().engine.connect() as connection:  # the migration's longer wait is not kept
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            future.result().engine.dispose()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_url_is_refused(url: str) -> None:
    """Found by a new-user trial: `serve --database-url sqlite://` answered 500 to every request (each pooled
    connection got its own empty database) and `batch --ingest` said it stored rows that were gone."""
    from emotrace.store.database import Database

    with pytest.raises(EmotraceError, match="E025") as refused:
        Database(url)
    assert "keeps nothing" in str(refused.value)


def test_work_done_exclusively_by_replicas_runs_one_at_a_time(postgres_url) -> None:
    """Found by a re-trial: two replicas started with --demo on a new PostgreSQL database both found it empty and
    both loaded the demo (every message twice); the check and the load now run under a lock across replicas."""
    import threading
    import time

    from emotrace.store.database import Database

    spans: list[tuple[float, float]] = []

    def work(database: Database) -> None:
        with database.exclusive("demo"):
            start = time.perf_counter()
            time.sleep(0.3)
            spans.append((start, time.perf_counter()))

    databases = [Database(postgres_url) for _ in range(2)]
    try:
        threads = [threading.Thread(target=work, args=(d,)) for d in databases]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for database in databases:
            database.engine.dispose()
    first, second = sorted(spans)
    assert first[1] <= second[0], spans


def _beside_an_erasure_of_ann(store: Store, write: Callable[[], object]) -> list[BaseException]:
    """Run ``write`` while an erasure of customer ann holds the customer's lock, then let the erasure delete the
    customer and commit; what the write raised."""
    import threading
    import time

    raised: list[BaseException] = []

    def attempt() -> None:
        try:
            write()
        except BaseException as exc:  # the test reports whatever the write raised
            raised.append(exc)

    erasure = store.db.engine.connect()
    try:
        erasure.execute(text("SELECT id FROM customers WHERE id = 'ann' FOR UPDATE"))  # the erasure has begun
        writer = threading.Thread(target=attempt)
        writer.start()
        time.sleep(0.5)  # the write now waits for the customer's lock
        for table in ("messages", "customers"):
            erasure.execute(text(f"DELETE FROM {table} WHERE {'customer_id' if table == 'messages' else 'id'} = 'ann'"))
        erasure.commit()
        writer.join(30)
    finally:
        erasure.close()
    return raised


def test_a_write_waiting_on_an_erasure_of_its_customer_stores_its_messages(postgres_url) -> None:
    """Found by a review: on PostgreSQL a write of a customer whose erasure held the customer's lock found no row
    when the lock came (the erasure deleted it): the message insert broke its foreign key, a 500, the message lost."""
    store = Store(postgres_url)
    record_messages(store, [message("ann", 0, -0.5)])
    failures = _beside_an_erasure_of_ann(store, lambda: record_messages(store, [message("ann", 2, 0.8)]))
    assert not failures, failures
    ann = store.customers.get("ann")
    assert ann is not None and [m.satisfaction for m in store.messages.of_customer("ann")] == [0.8]
    store.db.engine.dispose()


def test_an_alert_change_waiting_on_an_erasure_of_its_customer_finds_it_gone(postgres_url) -> None:
    """Found by a review: an alert change locked the alert, then the customer; an erasure locks the customer, then
    deletes the alert: PostgreSQL broke the deadlock by failing one of them (a 500)."""
    import threading
    import time

    from emotrace.services.alerts import check_change
    from emotrace.store.alerts import AlertChange

    store = Store(postgres_url)
    record_messages(store, [message("ann", 0, 0.6), *[message("ann", h, -0.95) for h in (1, 2, 3)]])
    (alert_id, *_) = [a["id"] for a in store.customers.get("ann").alerts]
    erasure = store.db.engine.connect()
    outcome: list[object] = []
    try:
        erasure.execute(text("SELECT id FROM customers WHERE id = 'ann' FOR UPDATE"))  # the erasure has begun
        changer = threading.Thread(target=lambda: outcome.append(store.alerts.change(
            alert_id, AlertChange(status="acknowledged"), datetime.now(UTC), check_change)))
        changer.start()
        time.sleep(0.5)  # the change now waits
        for statement in ("DELETE FROM alert_events WHERE alert_id IN (SELECT id FROM alert_states WHERE "
                          "customer_id = 'ann')", "DELETE FROM alert_states WHERE customer_id = 'ann'",
                          "DELETE FROM outbox_events WHERE customer_id = 'ann'",
                          "DELETE FROM messages WHERE customer_id = 'ann'", "DELETE FROM customers WHERE id = 'ann'"):
            erasure.execute(text(statement))
        erasure.commit()
        changer.join(30)
    finally:
        erasure.close()
    assert outcome == [None]
    store.db.engine.dispose()


def test_a_write_of_thousands_of_new_customers_fits_the_databases_parameter_limit(database_url) -> None:
    """Found by a review: creating 8,000 customers bound 9 values each in one statement, over PostgreSQL's 65,535
    (``batch --ingest --chunk-rows 8000`` of a file with one customer a row failed every chunk)."""
    store = Store(database_url)
    ids = [f"cx-{i:05d}" for i in range(8_000)]
    with store.db.writing() as session:
        assert len(store.customers.lock_or_create(session, ids, T0)) == 8_000
    assert store.customers.count() == 8_000
    store.db.engine.dispose()


def _binding_at_most(store: Store, values: int) -> None:
    """Let each statement on ``store`` (SQLite) bind at most ``values`` values from its next connection on."""
    event.listen(store.db.engine, "connect", lambda connection, _: connection.setlimit(
        sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, values))
    store.db.engine.dispose()


def test_a_write_raising_thousands_of_alerts_fits_the_databases_parameter_limit(tmp_path) -> None:
    """Found by a review: a write's new alerts were registered in one INSERT of 6 values each, so above 5,461 alerts
    on SQLite as python.org builds it (32,766 values a statement) and 10,922 on PostgreSQL (65,535) the whole write
    failed and its messages were lost."""
    store = Store(f"sqlite:///{tmp_path / 'emotrace.db'}")
    _binding_at_most(store, 32_766)
    spike = {"anger": 0.9, "disgust": 0.05, "joy": 0.0, "neutral": 0.05}
    items = [replace(message("acme", i / 3, -0.9, conv=f"t{i // 4}"), ekman_probabilities=spike, arousal=0.8)
             for i in range(5_600)]
    rows, customers = record_messages(store, items)
    assert len(rows) == 5_600 and len(customers[0].alerts) > 5_461
    assert len({alert["id"] for alert in customers[0].alerts}) == len(customers[0].alerts)


def test_reads_of_more_ids_than_one_statement_binds_are_chunked(tmp_path) -> None:
    """Found by a review: the signals of a write's customers (every one of a ``batch --ingest --chunk-rows`` chunk)
    and the messages and customers of a keyed write replayed were each read with one IN (...) of every id."""
    store = Store(f"sqlite:///{tmp_path / 'emotrace.db'}")
    rows, _ = record_messages(store, [message(f"c{i:04d}", 0, 0.5) for i in range(700)])
    _binding_at_most(store, 600)
    with store.db.session() as session:
        signals = signals_in(session, [f"c{i:04d}" for i in range(700)], customer_turns_only=True)
        messages, customers = with_customers_in(session, [row.id for row in rows])
    assert len(signals) == 700 and all(len(found) == 1 for found in signals.values())
    assert [m.id for m in messages] == [row.id for row in rows]
    assert [c.id for c in customers] == [f"c{i:04d}" for i in range(700)]


def test_two_resolutions_at_once_add_one_history_entry(database_url, monkeypatch) -> None:
    """Found by a review: the change was checked before the alert was locked, so two resolutions with notes sent at
    once both passed and the second added a history entry to a resolved alert instead of E915."""
    import threading

    from emotrace.services.alerts import change_alert
    from emotrace.store.alerts import AlertChange

    store = Store(database_url)
    recent = datetime.now(UTC) - timedelta(hours=4)  # alerts on old messages are registered resolved
    record_messages(store, [replace(message("ann", h, s), timestamp=recent + timedelta(hours=h))
                            for h, s in ((0, 0.6), (1, -0.95), (2, -0.95), (3, -0.95))])
    (alert_id, *_) = [a["id"] for a in store.customers.get("ann").alerts if a["status"] == "open"]
    barrier, change = threading.Barrier(2), store.alerts.change

    def together(*args: object, **kwargs: object) -> object:
        barrier.wait(10)  # both requests have read the alert before either changes it
        return change(*args, **kwargs)

    monkeypatch.setattr(store.alerts, "change", together)
    outcomes: list[str] = []

    def resolve(note: str) -> None:
        try:
            change_alert(store, alert_id, AlertChange(status="resolved", note=note))
            outcomes.append("resolved")
        except EmotraceError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=resolve, args=(note,)) for note in ("refunded", "called back")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["E915", "resolved"]
    store.db.engine.dispose()


RECENT = datetime.now(UTC) - timedelta(days=1)  # alerts on messages older than alert_open_hours are registered resolved
Sent = tuple[float, float] | tuple[float, float, str]  # (hours after RECENT, satisfaction[, conversation])


def _recent(hours: float, satisfaction: float, conv: str = "c1") -> NewMessage:
    """Ann's message ``hours`` after :data:`RECENT`."""
    return replace(message("ann", hours, satisfaction, conv=conv), timestamp=RECENT + timedelta(hours=hours))


def _worked_then(store: Store, kind: str, sent: list[Sent], late: list[Sent],
                 assignees: tuple[str, ...] = ("maria",)) -> list[dict[str, object]]:
    """Ann's messages ``sent``, the alerts of ``kind`` they raise (one per assignee, in time order) acknowledged and
    assigned, then the messages ``late`` delivered after them all: those alerts as they were acknowledged."""
    from emotrace.services.alerts import change_alert
    from emotrace.store.alerts import AlertChange

    record_messages(store, [_recent(*m) for m in sent])
    raised = [a for a in store.customers.get("ann").alerts if a["kind"] == kind]
    assert len(raised) == len(assignees), raised
    for alert, assignee in zip(raised, assignees, strict=True):
        change_alert(store, int(alert["id"]), AlertChange(status="acknowledged", assignee=assignee,
                                                          note="calling back"))
    record_messages(store, [_recent(*m) for m in late])
    return raised


def _fall_then(store: Store, late: tuple[float, float]) -> dict[str, object]:
    """Ann's messages falling from satisfied to furious, the sharp_drop they raise acknowledged and assigned, then one
    message dated ``late`` (hours, satisfaction) delivered after them all: the sharp_drop as it was acknowledged."""
    (raised,) = _worked_then(store, "sharp_drop", [(0, 0.8), (1, 0.8), (2, 0.8), (3, -1.0), (4, -1.0)], [late])
    return raised


def _alert_states(store: Store, kind: str) -> list[tuple[int, str]]:
    """Ann's stored states of ``kind`` (id, status), then the ids their alert.new events sent."""
    from sqlalchemy import select

    from emotrace.store.tables import AlertState, OutboxEvent

    with store.db.session() as session:
        states = session.scalars(select(AlertState).where(AlertState.customer_id == "ann",
                                                          AlertState.kind == kind).order_by(AlertState.id))
        sent = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "alert.new").order_by(OutboxEvent.id))
        new = [e.payload["id"] for e in sent if e.payload["kind"] == kind]
        return [(s.id, s.status) for s in states] + [(n, "alert.new") for n in new]


@pytest.mark.parametrize(("late", "attributed"), [((2.5, 0.9), "to the late message as its peak"),
                                                  ((1.5, -1.0), "to other messages at both ends")])
def test_a_late_message_inside_an_alerted_fall_keeps_its_one_sharp_drop(database_url, late, attributed) -> None:
    """Found by a review: a message delivered late, dated inside a fall already alerted, moved the fall's peak (or
    both its ends) to other messages: the recomputed sharp_drop was keyed by another first message and registered as
    a second alert (open, sent as alert.new), while the first, acknowledged and assigned, was left open outside the
    customer's list. It is the same fall (their windows overlap): one alert, its id, status and history kept."""
    store = Store(database_url)
    raised = _fall_then(store, late)
    customer = store.customers.get("ann")
    drops = [a for a in customer.alerts if a["kind"] == "sharp_drop"]
    assert [(a["id"], a["status"], a["assignee"]) for a in drops] == [(raised["id"], "acknowledged", "maria")], drops
    assert drops[0]["message_ids"] != raised["message_ids"], attributed  # the fall is attributed anew
    assert _alert_states(store, "sharp_drop") == [(raised["id"], "acknowledged"), (raised["id"], "alert.new")]
    assert [(e.status, e.note) for e in store.alerts.history(int(raised["id"]))] == [
        ("open", None), ("acknowledged", "calling back")]
    assert customer.open_alerts == sum(a["status"] in ("open", "acknowledged") for a in customer.alerts)
    store.db.engine.dispose()


def test_a_late_message_raising_a_fall_of_its_own_is_a_new_sharp_drop(database_url) -> None:
    """A late message whose own fall comes before the one alerted (their windows apart) is a new alert, not the
    acknowledged one re-attributed."""
    store = Store(database_url)
    raised = _fall_then(store, (0.5, -1.0))
    (drop,) = [a for a in store.customers.get("ann").alerts if a["kind"] == "sharp_drop"]
    assert drop["id"] != raised["id"] and drop["status"] == "open", drop
    assert _alert_states(store, "sharp_drop") == [(raised["id"], "acknowledged"), (drop["id"], "open"),
                                         (raised["id"], "alert.new"), (drop["id"], "alert.new")]
    store.db.engine.dispose()


@pytest.mark.parametrize(("kind", "sent", "late"), [
    ("ends_worse", [(0, 0.8), (1, -1.0)], (-1, 0.8)),
    ("sustained_negativity", [(0, 0.8, "a"), (1, -1.0, "b"), (2, -1.0, "c"), (3, -1.0, "d")], (0.5, -1.0, "b"))])
def test_a_late_message_before_an_alerted_conversation_keeps_its_one_alert(database_url, kind, sent, late) -> None:
    """Found by a review, as the sharp_drop above: a message delivered late, dated before the first message of a
    conversation already alerted (one that ended worse than it began; the first of a negative streak), became the
    alert's first message: it was registered as a second alert (open, sent as alert.new), while the first,
    acknowledged and assigned, was left open outside the customer's list. It is the same conversation: one alert,
    its id, status and history kept."""
    store = Store(database_url)
    (raised,) = _worked_then(store, kind, sent, [late])
    customer = store.customers.get("ann")
    alerts = [a for a in customer.alerts if a["kind"] == kind]
    assert [(a["id"], a["status"], a["assignee"]) for a in alerts] == [(raised["id"], "acknowledged", "maria")], alerts
    assert alerts[0]["message_ids"] != raised["message_ids"]  # the late message is the conversation's first
    assert _alert_states(store, kind) == [(raised["id"], "acknowledged"), (raised["id"], "alert.new")]
    assert [(e.status, e.assignee, e.note) for e in store.alerts.history(int(raised["id"]))] == [
        ("open", None, None), ("acknowledged", "maria", "calling back")]
    assert customer.open_alerts == sum(a["status"] in ("open", "acknowledged") for a in customer.alerts)
    store.db.engine.dispose()


@pytest.mark.parametrize(("kind", "sent", "late"), [
    ("ends_worse", [(0, 0.8, "c1"), (1, 0.8, "c2"), (5, -1.0, "c2"), (10, -1.0, "c1")],
     [(-1, 0.8, "c1"), (0.5, 0.8, "c2")]),
    ("sustained_negativity", [(0, -1.0, "a"), (1, -1.0, "b"), (2, -1.0, "c"), (3, 0.8, "d"), (4, -1.0, "e"),
                              (5, -1.0, "f"), (6, -1.0, "g"), (20, -1.0, "c")], [(-1, -1.0, "a"), (3.5, -1.0, "e")])])
def test_late_messages_moving_two_alerts_overlapping_in_time_keep_each_its_own(database_url, kind, sent, late) -> None:
    """Two alerts of one kind can overlap in time and be two: two interleaved conversations that each ended worse;
    two negative streaks, a contact that was not negative between them, the first streak's last conversation going
    on past the second. Late messages dated before the first message of each keep each its own id and assignee
    (matched by time alone, the earlier new alert took the held one listed first: the two swapped)."""
    store = Store(database_url)
    raised = _worked_then(store, kind, sent, late, assignees=("li", "maria"))
    alerts = [a for a in store.customers.get("ann").alerts if a["kind"] == kind]
    assert [(a["id"], a["status"], a["assignee"]) for a in alerts] == [
        (raised[0]["id"], "acknowledged", "li"), (raised[1]["id"], "acknowledged", "maria")], alerts
    for now, was in zip(alerts, raised, strict=True):  # each one's first message a late one, its last the same
        assert now["message_ids"][0] > max(was["message_ids"]) and now["message_ids"][-1] == was["message_ids"][-1]
    assert sorted(_alert_states(store, kind)) == sorted([(a["id"], "acknowledged") for a in raised]
                                                        + [(a["id"], "alert.new") for a in raised])
    store.db.engine.dispose()


def _conversations_of(store: Store, alerts: list[dict[str, object]]) -> list[list[str]]:
    """The conversations of each alert's messages, in the alert's order."""
    conversation = {m.id: m.conversation_id for m in store.messages.of_customer("ann")}
    return [[conversation[i] for i in a["message_ids"]] for a in alerts]


def test_a_streak_raised_on_a_moved_alerts_old_first_message_is_an_alert_of_its_own(database_url) -> None:
    """Found by a review: an alert a late message moved to another first message kept its stored row, which still
    named the old first message. When later messages made the rules raise a separate alert starting at that old one
    (late negative contacts before the streak, a satisfied one closing them: two streaks), its insert met the row
    and was handed that row's state: both alerts were one id, counted twice as open, the new one with no alert.new
    and no state of its own, a change to one a change to both. The row moves with its alert: the streak that keeps
    the alert's first message keeps it (id, status, assignee), the other is a new open alert."""
    from emotrace.services.alerts import change_alert
    from emotrace.store.alerts import AlertChange

    store = Store(database_url)
    kind = "sustained_negativity"
    (raised,) = _worked_then(store, kind, [(0, 0.8, "z"), (1, -1.0, "b"), (2, -1.0, "c"), (3, -1.0, "d")],
                             [(0.5, -1.0, "a")])
    (moved,) = [a for a in store.customers.get("ann").alerts if a["kind"] == kind]
    assert moved["id"] == raised["id"] and _conversations_of(store, [moved]) == [["a", "b", "c"]], moved
    record_messages(store, [_recent(0.6, -1.0, "a2"), _recent(0.7, -1.0, "a3"), _recent(0.8, 0.8, "p")])
    customer = store.customers.get("ann")
    alerts = [a for a in customer.alerts if a["kind"] == kind]
    assert _conversations_of(store, alerts) == [["a", "a2", "a3"], ["b", "c", "d"]], alerts
    assert [(a["id"], a["status"], a["assignee"]) for a in alerts] == [
        (raised["id"], "acknowledged", "maria"), (alerts[1]["id"], "open", None)], alerts
    assert alerts[1]["id"] != raised["id"]
    assert _alert_states(store, kind) == [(raised["id"], "acknowledged"), (alerts[1]["id"], "open"),
                                          (raised["id"], "alert.new"), (alerts[1]["id"], "alert.new")]
    assert customer.open_alerts == sum(a["status"] in ("open", "acknowledged") for a in customer.alerts)
    _, customer = change_alert(store, int(raised["id"]), AlertChange(status="resolved"))
    assert [a["status"] for a in customer.alerts if a["kind"] == kind] == ["resolved", "open"]
    store.db.engine.dispose()


def test_an_alert_moved_to_the_first_message_of_one_gone_takes_it_from_that_one(database_url) -> None:
    """A late message can move an alert the floor works to the first message of an older alert the rules no longer
    raise (resolved, its streak broken by a contact delivered late; the same negative contacts then raise the one
    worked, and make the older one's first message its first). The one in the customer's list keeps its state; the
    older one keeps its row, status and history, a note saying which alert has its first message now, and no longer
    claims that message (a write that would have had two rows name it)."""
    from emotrace.services.alerts import alert_view, change_alert
    from emotrace.store.alerts import AlertChange

    store = Store(database_url)
    kind = "sustained_negativity"
    record_messages(store, [_recent(0, 0.8, "z"), _recent(1, -1.0, "b"), _recent(2, -1.0, "c"), _recent(3, -1.0, "d")])
    (gone,) = [a for a in store.customers.get("ann").alerts if a["kind"] == kind]
    change_alert(store, int(gone["id"]), AlertChange(status="resolved", note="refunded"))
    record_messages(store, [_recent(1.5, 0.8, "p")])  # b | p (satisfied) | c, d: no streak of three
    assert [a for a in store.customers.get("ann").alerts if a["kind"] == kind] == []
    (worked,) = _worked_then(store, kind, [(4, -1.0, "e")], [(1.6, -1.0, "p"), (1.7, -1.0, "p")])  # p negative
    customer = store.customers.get("ann")
    alerts = [a for a in customer.alerts if a["kind"] == kind]
    assert [(a["id"], a["status"], a["assignee"]) for a in alerts] == [(worked["id"], "acknowledged", "maria")]
    assert alerts[0]["message_ids"][0] == gone["message_ids"][0], alerts  # b: the first message of the one gone
    assert store.alerts.get(int(worked["id"])).first_message_id == gone["message_ids"][0]
    assert store.alerts.get(int(gone["id"])).status == "resolved"
    assert [(e.status, e.actor, e.note) for e in store.alerts.history(int(gone["id"]))] == [
        ("open", "emotrace", None), ("resolved", "api", "refunded"),
        ("resolved", "emotrace", f"Its first message, {gone['message_ids'][0]}, is now alert {worked['id']}'s: "
                                 "the rules raise this alert no longer.")]
    assert alert_view(customer, store.alerts.get(int(gone["id"])))["message_ids"] == []
    record_messages(store, [_recent(5, -1.0, "f")])  # a refresh keeps both as they are
    assert [(a["id"], a["status"]) for a in store.customers.get("ann").alerts if a["kind"] == kind] == [
        (worked["id"], "acknowledged")]
    assert _alert_states(store, kind) == [(gone["id"], "resolved"), (worked["id"], "acknowledged"),
                                          (gone["id"], "alert.new"), (worked["id"], "alert.new")]
    store.db.engine.dispose()


def test_searching_ids_ignores_case_on_every_store(database_url) -> None:
    """Found by a re-trial: `?search=C` found c1, c2 on SQLite (its LIKE folds ASCII case) and nobody on PostgreSQL."""
    store = Store(database_url)
    record_messages(store, [message("Cara", 0, 0.5), message("marc", 1, 0.5), message("bob", 2, 0.5)])
    assert sorted(c.id for c in store.customers.ranked(id_contains="C")) == ["Cara", "marc"]
    assert sorted(c.id for c in store.customers.ranked(id_contains="car")) == ["Cara"]


def test_agent_conversations_read_while_a_customer_is_erased_leave_the_customer_out(tmp_path) -> None:
    """Found by a review: the conversations' keys and their turns were read by two statements; an erasure committed
    between them left a conversation with no turns, and GET /v1/agents failed (IndexError: 500)."""
    from sqlalchemy import event

    store = Store(f"sqlite:///{tmp_path / 'e.db'}")
    record_messages(store, [message("gone", 0, -0.5), replace(message("gone", 1, 0.2, speaker="agent"),
                                                               agent_id="kim"),
                            message("kept", 0, -0.5, conv="c2"),
                            replace(message("kept", 1, 0.2, speaker="agent", conv="c2"), agent_id="kim")])
    erased = []

    def erase_before_the_turns(conn, cursor, statement, parameters, context, executemany) -> None:
        if not erased and "messages.labels" in statement:
            erased.append(store.customers.erase("gone"))

    event.listen(store.db.engine, "before_cursor_execute", erase_before_the_turns)
    found = store.conversations.of()
    assert erased and [turns[0].customer_id for _, turns in found] == ["kept"]


def test_customers_of_equal_standing_and_alert_exports_are_in_code_point_order_on_every_store(database_url) -> None:
    """Found by a review: ties in the ranking were broken by the database's collation (bytes on SQLite, the locale on
    PostgreSQL: "a-2, A1, B-1, b.0" under en-US), and the customers of the alert export came in no order at all (they
    moved between two downloads of the same floor). Both are now in code-point order, as `/v1/alerts` sorts ids."""
    store = Store(database_url)
    if not store.db.is_sqlite:  # a database made with a locale collation, as most PostgreSQL servers make them
        with store.db.engine.begin() as connection:
            connection.execute(text('ALTER TABLE customers ALTER COLUMN id TYPE varchar(128) COLLATE "en-US-x-icu"'))
    ids = ["b.0", "A1", "a-2", "B-1"]
    record_messages(store, [m for i in ids for m in (message(i, 0, 0.9), message(i, 1, -0.9))])
    assert len({(c.score, c.open_alerts) for c in store.customers.ranked()}) == 1 and store.customers.get("A1").alerts
    assert [c.id for c in store.customers.ranked()] == store.customers.ranked_ids() == ["A1", "B-1", "a-2", "b.0"]
    exported = store.customers.with_alerts(statuses=("open", "acknowledged", "resolved"))  # what the export lists
    assert [c.id for c in exported] == ["A1", "B-1", "a-2", "b.0"]


@pytest.mark.parametrize("write", ["outcome", "attributes"])
def test_an_outcome_or_attributes_waiting_on_an_erasure_of_their_customer_find_it_gone(postgres_url, write) -> None:
    """Found by a review: recording an outcome (or importing attributes) read the customer as stored, then waited on
    its erasure at the insert's foreign key and failed with an IntegrityError (a 500) when the erasure committed:
    the customers are now held first, so the write waits, finds the customer gone and says so (E801)."""
    from emotrace.store.outcomes import NewOutcome

    store = Store(postgres_url)
    record_messages(store, [message("ann", 0, -0.5)])
    raised = _beside_an_erasure_of_ann(store, lambda: store.outcomes.add(
        [NewOutcome("ann", "churned", T0 + timedelta(days=1))]) if write == "outcome"
        else store.customers.set_attributes({"ann": {"plan": "gold"}}))
    assert len(raised) == 1 and isinstance(raised[0], EmotraceError) and raised[0].code == "E801", raised
    store.db.engine.dispose()


@pytest.mark.parametrize(("url", "named"), [
    ("mysql://ops:s3cret-pw@127.0.0.1/floor", "'mysql' is not one of them"),
    ("postgres://ops:s3cret-pw@127.0.0.1:1/floor", "'postgres' is not one of them"),
    ("postgresql+psycopg2://ops:s3cret-pw@127.0.0.1:1/floor", "driver 'psycopg2' is not installed"),
    ("postgresql+psycopg://ops:s3cret-pw@127.0.0.1:54xx/floor", "its port is not a number"),
    ("postgresql+psycopg://ops:s3c@ret:s3cret-pw@127.0.0.1/floor", "write @ : / as %40 %3A %2F"),
    ("", "The database URL is empty"), ("  ", "The database URL is empty")])
def test_a_database_emotrace_cannot_use_is_named_not_a_traceback(url: str, named: str) -> None:
    """Found by a review: a URL of a database whose driver is not installed (mysql://, postgresql+psycopg2://) or
    with a port that is not a number ended in a ModuleNotFoundError or ValueError traceback (a password holding an
    unencoded @ then shown in part); postgres:// was
    "NoSuchModuleError" and an empty URL "':…' is not a database URL"."""
    with pytest.raises(EmotraceError) as caught:
        Store(url)
    assert caught.value.code == "E025" and named in caught.value.problem, caught.value.problem
    assert "s3cret-pw" not in str(caught.value)


def test_a_database_url_with_a_space_around_it_is_refused_not_made_a_new_file(tmp_path) -> None:
    """Found by a review: EMOTRACE_DATABASE_URL='sqlite:///.../emotrace.db ' (a space copied with it) created and
    served an empty database in a new file named 'emotrace.db ' beside the real one."""
    with pytest.raises(EmotraceError, match="E025") as caught:
        Store(f"sqlite:///{tmp_path / 'emotrace.db'} ")
    assert "space" in caught.value.problem and list(tmp_path.iterdir()) == []


def test_a_database_server_that_never_answers_is_given_up_on_in_seconds() -> None:
    """Found by a review: a PostgreSQL URL naming a port where something accepts connections and never answers (a
    stopped server behind a proxy, a firewall) made `emotrace serve` hang for good before saying anything."""
    import socket
    import time

    from emotrace.store.database import CONNECT_TIMEOUT_SECONDS

    with socket.create_server(("127.0.0.1", 0)) as silent:
        started = time.monotonic()
        with pytest.raises(EmotraceError, match="E025") as caught:
            Store(f"postgresql+psycopg://ops:s3cret-pw@127.0.0.1:{silent.getsockname()[1]}/floor")
    assert time.monotonic() - started < CONNECT_TIMEOUT_SECONDS + 5
    assert "s3cret-pw" not in str(caught.value) and "timeout expired" in caught.value.problem
