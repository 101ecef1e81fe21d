"""Corrections in the store, on a real SQLite file and a real PostgreSQL server: written with their outbox event,
read back per customer and with their messages' texts, erased with the customer; the migration up and down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from emotrace.services.summaries import record_messages
from emotrace.store import Store
from emotrace.store.corrections import NewCorrection
from emotrace.store.database import MIGRATIONS
from tests.store.test_store import message

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _stored(database_url: str) -> tuple[Store, list[int]]:
    store = Store(database_url)
    rows, _ = record_messages(store, [message("ann", 0, -0.8), message("ann", 1, 0.5), message("bob", 0, 0.2)])
    return store, [row.id for row in rows]


def test_a_correction_is_stored_with_its_event_and_read_back(database_url) -> None:
    store, (first, second, bobs) = _stored(database_url)
    made = store.corrections.add(first, NewCorrection("maria", "neutral", ["annoyance"], note="sarcasm"), NOW)
    later = store.corrections.add(first, NewCorrection("lead-2", intents=["refund_request"]), NOW + timedelta(hours=1))
    store.corrections.add(bobs, NewCorrection("maria", "satisfied"), NOW - timedelta(days=1))
    assert made is not None and later is not None and made.customer_id == "ann"
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
    made = store.corrections.add(first, NewCorrection("maria", "neutral", note="ann's note"), NOW)
    kept = store.corrections.add(bobs, NewCorrection("maria", "satisfied"), NOW)
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
