"""Corrections in the store, on a real SQLite file and a real PostgreSQL server: written with their outbox event,
read back per customer and with their messages' texts, erased with the customer; stored once under a client's
Idempotency-Key; the migrations up and down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from emotrace.errors import EmotraceError
from emotrace.services.summaries import record_messages
from emotrace.store import Store
from emotrace.store import corrections as store_corrections
from emotrace.store.corrections import CorrectionKey, KeyReused, NewCorrection
from emotrace.store.database import MIGRATIONS
from emotrace.times import utc
from tests.store.test_store import message

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _stored(database_url: str) -> tuple[Store, list[int]]:
    store = Store(database_url)
    rows, _ = record_messages(store, [message("ann", 0, -0.8), message("ann", 1, 0.5), message("bob", 0, 0.2)])
    return store, [row.id for row in rows]


def test_a_correction_is_stored_with_its_event_and_read_back(database_url) -> None:
    store, (first, second, bobs) = _stored(database_url)
    made, replayed = store.corrections.add(first, NewCorrection("maria", "neutral", ["annoyance"], note="sarcasm"), NOW)
    later, _ = store.corrections.add(first, NewCorrection("lead-2", intents=["refund_request"]), NOW + timedelta(hours=1))
    store.corrections.add(bobs, NewCorrection("maria", "satisfied"), NOW - timedelta(days=1))
    assert made.customer_id == "ann" and not replayed
    by_message = store.corrections.of_customer("ann")
    assert list(by_message) == [first] and [c.id for c in by_message[first]] == [made.id, later.id]
    assert (later.satisfaction_class, later.labels, later.intents, later.topics) == (None, None, ["refund_request"], None)
    assert store.corrections.get(made.id).note == "sarcasm"
    assert [(c.message_id, m.text) for c, m in store.corrections.with_messages()] == [
        (bobs, "text [EMAIL]"), (first, "text [EMAIL]"), (first, "text [EMAIL]")]  # oldest first
    with store.db.engine.connect() as connection:
        events = connection.execute(text("SELECT kind, customer_id FROM outbox_events ORDER BY id")).all()
    assert [e for e in events if e[0] == "correction"] == [("correction", "ann"), ("correction", "ann"),
                                                           ("correction", "bob")]
    assert second not in by_message


def test_a_correction_of_a_message_not_stored_writes_nothing(database_url) -> None:
    store, ids = _stored(database_url)
    assert store.corrections.add(max(ids) + 1, NewCorrection("maria", "neutral"), NOW) is None
    with store.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM corrections")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM outbox_events WHERE kind = 'correction'")).scalar() == 0


def test_erasing_the_customer_erases_their_corrections_and_their_events(database_url) -> None:
    store, (first, _, bobs) = _stored(database_url)
    made, _ = store.corrections.add(first, NewCorrection("maria", "neutral", note="ann's note"), NOW)
    kept, _ = store.corrections.add(bobs, NewCorrection("maria", "satisfied"), NOW)
    assert store.customers.erase("ann") is not None
    assert store.corrections.get(made.id) is None and store.corrections.of_customer("ann") == {}
    assert store.corrections.add(first, NewCorrection("maria", "neutral"), NOW) is None  # the message went too
    assert [c.id for c, _ in store.corrections.with_messages()] == [kept.id]
    with store.db.engine.connect() as connection:
        assert connection.execute(text("SELECT customer_id FROM corrections")).scalars().all() == ["bob"]
        assert connection.execute(text("SELECT customer_id FROM outbox_events WHERE kind = 'correction'")
                                  ).scalars().all() == ["bob"]


def test_the_migration_creates_the_corrections_table_and_drops_it(database_url) -> None:
    Store(database_url)
    engine = create_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert "corrections" in inspect(engine).get_table_names()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
    assert "corrections" not in inspect(engine).get_table_names()
    engine.dispose()
    store, (first, _, _) = _stored(database_url)  # migrated up again on open
    assert store.corrections.add(first, NewCorrection("maria", "neutral"), NOW) is not None


KEY = CorrectionKey("fix-4411-retry", "a" * 64)


def _count(store: Store, query: str) -> int:
    with store.db.engine.connect() as connection:
        return connection.execute(text(query)).scalar()


def test_a_keyed_correction_is_stored_once_and_a_retry_answered_from_it(database_url) -> None:
    store, (first, second, bobs) = _stored(database_url)
    made, replayed = store.corrections.add(first, NewCorrection("maria", "neutral"), NOW, KEY)
    assert not replayed and (made.idempotency_key, made.request_sha) == (KEY.key, KEY.request_sha)
    again, replayed = Store(database_url).corrections.add(first, NewCorrection("maria", "neutral"),
                                                          NOW + timedelta(seconds=5), KEY)  # any replica
    assert replayed and again.id == made.id and utc(again.created_at) == utc(made.created_at)
    for message_id, sha in ((first, "b" * 64), (second, KEY.request_sha), (bobs, "b" * 64)):  # another request
        with pytest.raises(KeyReused):
            store.corrections.add(message_id, NewCorrection("maria", "neutral"), NOW, CorrectionKey(KEY.key, sha))
    assert store.corrections.add(first, NewCorrection("maria", "neutral"), NOW)[1] is False  # no key: stored again
    assert _count(store, "SELECT count(*) FROM corrections") == 2
    assert _count(store, "SELECT count(*) FROM outbox_events WHERE kind = 'correction'") == 2


def test_a_retry_whose_first_commits_between_its_check_and_its_insert_is_answered_from_that_first(
        database_url, monkeypatch) -> None:
    """Two requests under one key at once (on two replicas): both pass the check, the second's insert meets the
    first's key (IntegrityError) and is answered from the row the first stored; nothing else is written."""
    store, (first, second, _) = _stored(database_url)
    made, _ = store.corrections.add(first, NewCorrection("maria", "neutral"), NOW, KEY)
    under_key = store_corrections.under_key
    missed: list[str] = []

    def missed_once(session, key):
        if not missed:  # the check ran before the first request committed
            missed.append(key)
            return None
        return under_key(session, key)

    monkeypatch.setattr(store_corrections, "under_key", missed_once)
    again, replayed = store.corrections.add(first, NewCorrection("maria", "neutral"), NOW, KEY)
    assert missed == [KEY.key] and replayed and again.id == made.id
    missed.clear()
    with pytest.raises(KeyReused):  # the other request was another one
        store.corrections.add(second, NewCorrection("maria", "neutral"), NOW, KEY)
    assert missed == [KEY.key]
    assert _count(store, "SELECT count(*) FROM corrections") == 1
    assert _count(store, "SELECT count(*) FROM outbox_events WHERE kind = 'correction'") == 1


def test_erasing_the_customer_erases_their_corrections_keys(database_url) -> None:
    store, (first, _, bobs) = _stored(database_url)
    store.corrections.add(first, NewCorrection("maria", "neutral"), NOW, KEY)
    bobs_key = CorrectionKey("bob-fix-0001", "c" * 64)
    store.corrections.add(bobs, NewCorrection("maria", "satisfied"), NOW, bobs_key)
    assert store.customers.erase("ann") is not None
    assert store.corrections.add(first, NewCorrection("maria", "neutral"), NOW, KEY) is None  # the message went
    with store.db.engine.connect() as connection:
        assert connection.execute(text("SELECT idempotency_key FROM corrections")).scalars().all() == [bobs_key.key]
    assert store.corrections.add(bobs, NewCorrection("maria", "satisfied"), NOW, bobs_key)[1] is True


def test_the_migration_adds_the_idempotency_key_and_drops_it_keeping_the_corrections(database_url) -> None:
    store, (first, _, _) = _stored(database_url)
    made, _ = store.corrections.add(first, NewCorrection("maria", "neutral", note="kept"), NOW)
    store.db.engine.dispose()
    engine = create_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    unique = {(i["name"], tuple(i["column_names"]), bool(i["unique"]))
              for i in inspect(engine).get_indexes("corrections")}
    assert ("ix_corrections_idempotency_key", ("idempotency_key",), True) in unique
    def foreign_keys() -> list[tuple[str, ...]]:
        return sorted((*k["constrained_columns"], k["referred_table"], k["options"].get("ondelete", ""))
                      for k in inspect(engine).get_foreign_keys("corrections"))

    kept = foreign_keys()
    assert kept == [("customer_id", "customers", "CASCADE"), ("message_id", "messages", "CASCADE")]
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0018")
    columns = {c["name"] for c in inspect(engine).get_columns("corrections")}
    assert "idempotency_key" not in columns and "request_sha" not in columns and "note" in columns
    assert foreign_keys() == kept  # still erased with the customer and the message
    if engine.dialect.name == "sqlite":  # the table rebuilt by the downgrade still never reuses an id (0015)
        with engine.connect() as connection:
            assert "AUTOINCREMENT" in connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'corrections'")).scalar()
    engine.dispose()
    store = Store(database_url)  # migrated up again on open
    assert [(c.id, c.note, c.idempotency_key) for c, _ in store.corrections.with_messages()] == [
        (made.id, "kept", None)]
    assert store.corrections.add(first, NewCorrection("maria", "neutral"), NOW, KEY)[0].id > made.id



def test_a_retry_is_answered_from_its_stored_correction_though_the_model_no_longer_has_its_names(database_url) -> None:
    """Found by a review: the names were checked before the key, so a retry reaching a replica that serves another
    model (a rolling deploy) was refused E918 while its correction was stored: the client took it as not stored."""
    from emotrace.model.labels import INTENT_LABELS, LabelSchema
    from emotrace.services.corrections import correct_message

    store, (first, _, _) = _stored(database_url)
    key = CorrectionKey("retry-key-0001", "sha-of-the-request")
    with_intents = LabelSchema(("anger", "joy"), {}, None, INTENT_LABELS)
    made, _ = correct_message(store, with_intents, first, NewCorrection("maria", intents=["churn_threat"]), key)
    again, replayed = correct_message(store, LabelSchema(("anger", "joy"), {}, None), first,
                                      NewCorrection("maria", intents=["churn_threat"]), key)
    assert replayed and again.id == made.id
    with pytest.raises(EmotraceError, match=r"\[E918\]"):  # a new correction naming them is refused, as before
        correct_message(store, LabelSchema(("anger", "joy"), {}, None), first,
                        NewCorrection("maria", intents=["churn_threat"]))
