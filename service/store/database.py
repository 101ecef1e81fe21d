"""The database: one SQLite file (WAL, the default) or a PostgreSQL database, by URL.

Transactions, the schema (Alembic migrations, applied on open), and change notices to other replicas. The
resources over it (customers, messages, outcomes, agents' conversations, write records) are in their own modules;
:class:`emotrace.store.Store` holds one of each.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from emotrace.errors import EmotraceError

MIGRATIONS = Path(__file__).parent / "migrations"
CHANGES_CHANNEL = "emotrace_changes"
ID_CHUNK = 500  # ids per IN (...) query: well under SQLite's bound-parameter limit
NOTIFY_PAYLOAD_BYTES = 7_000  # PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more
CHECKPOINT_WAIT_SECONDS = 60.0  # how long an erasure waits for readers to let its pages leave the SQLite log
SQLITE_BUSY_WAIT_SECONDS = 5  # how long a SQLite statement waits for another process's write to finish
MIGRATION_WAIT_SECONDS = 120  # how long a process opening a SQLite file waits for another one's migration
CONNECT_TIMEOUT_SECONDS = 5  # how long a PostgreSQL connection may take to be made (a healthy server: milliseconds)
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}  # the stores emotrace's schema and queries are written for
T = TypeVar("T")
log = logging.getLogger(__name__)


def chunks(values: Sequence[T], size: int = ID_CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size`` (one IN (...) query each)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _at_latest_migration(connection: Connection, config: Config) -> bool:
    """Whether the schema is at this release's latest migration (read without a lock)."""
    current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(ScriptDirectory.from_config(config).get_heads())


def _lock_key(name: str) -> int:
    """The PostgreSQL advisory lock key of ``name`` (every replica derives the same)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


class Database:
    """An engine with transactions that commit or roll back whole, migrated to the latest schema on open."""

    def __init__(self, url: str, existing: bool = False) -> None:
        """``existing``: refuse (E025) a SQLite file that is not there instead of creating it (commands that only
        read the store: a mistyped path would give an empty new database)."""
        self.url = url
        self.replica = uuid.uuid4().hex  # tells this process's own change notices from other replicas'
        self.engine: Engine = _engine(url)
        if self.engine.dialect.name == "sqlite":
            path = self.engine.url.database
            if path in (None, "", ":memory:"):
                raise EmotraceError("E025", f"{url} is an in-memory database: it keeps nothing (each connection "
                                    "gets an empty one of its own).", "Give a file: sqlite:///path/emotrace.db.")
            if existing and not Path(path).exists():
                raise EmotraceError("E025", f"The database {url} cannot be opened (no such file: {path}); nothing "
                                            "was created.")
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time: queue writers here instead of spinning on its busy lock.
        self._write_lock = threading.Lock() if self.is_sqlite else contextlib.nullcontext()
        try:
            self.migrate()
        except DatabaseError as exc:  # no such folder, server down, refused login, a file that is not a database
            raise EmotraceError("E025", f"The database {self.shown_url} cannot be opened "
                                f"({str(exc.orig).strip()}).") from None

    @property
    def shown_url(self) -> str:
        """The database's URL as messages show it: its password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        """True for a SQLite file (one process owns it: no other replica to notify)."""
        return self.engine.dialect.name == "sqlite"

    def migrate(self) -> None:
        """Bring the schema to the latest migration."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.connect() as connection:
            if _at_latest_migration(connection, config):  # most opens: nothing to do, no lock to wait for
                return
        with self.engine.connect() as connection:
            # a migration that rebuilds a SQLite table drops the old one: with foreign keys on, the drop would
            # cascade into the rows that refer to it (SQLite takes the pragma outside a transaction only)
            self._sqlite_migration_mode(connection, migrating=True)
            try:
                with connection.begin():  # processes starting together on one store migrate one after another
                    if self.is_sqlite:  # the file's write lock, taken before alembic reads the schema's revision
                        connection.exec_driver_sql("BEGIN IMMEDIATE")
                    else:
                        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_lock_key('migration')})")
                    config.attributes["connection"] = connection
                    try:
                        command.upgrade(config, "head")
                    except CommandError as exc:  # a revision this release does not know: a newer one migrated it
                        raise EmotraceError(
                            "E025", f"The database {self.shown_url} was migrated by a newer emotrace ({exc}); "
                                    "this release cannot use it.",
                            "Run the release that migrated it (or newer); a rollback needs a backup taken before "
                            "the upgrade.") from None
            finally:
                self._sqlite_migration_mode(connection, migrating=False)

    def _sqlite_migration_mode(self, connection: Connection, migrating: bool) -> None:
        """A SQLite connection set for a migration (foreign keys off, a longer wait for another process's migration
        of the same file) or back to its usual settings."""
        if self.is_sqlite:
            connection.exec_driver_sql(f"PRAGMA foreign_keys={'OFF' if migrating else 'ON'}")
            wait = MIGRATION_WAIT_SECONDS if migrating else SQLITE_BUSY_WAIT_SECONDS
            connection.exec_driver_sql(f"PRAGMA busy_timeout={wait * 1000}")
            connection.commit()

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Run the block in one replica at a time (a PostgreSQL advisory lock named by ``name``; SQLite has one
        process): a check and the write it decides, e.g. "the store is empty, load the demo"."""
        if self.is_sqlite:
            yield
            return
        key = _lock_key(name)
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({key})")
            try:
                yield
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({key})")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction (writers queue here on SQLite, which has one writer at a time)."""
        with self._write_lock, self.session() as session:
            yield session

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the write queue across several transactions (an erasure, then its checkpoint)."""
        with self._write_lock:
            yield

    def in_code_point_order(self, column: Any) -> Any:
        """``column`` (text) to order by code point on every store: SQLite compares bytes, PostgreSQL the database's
        collation (a locale's, as most servers make them) unless told ``C``."""
        return column.collate("C") if self.engine.dialect.name == "postgresql" else column

    def insert(self, table: Any) -> Any:
        """The dialect's INSERT for ``table`` (it has ``on_conflict_do_nothing``)."""
        return (postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert)(table)

    def notify(self, session: Session, change: dict[str, object]) -> None:
        """Tell every replica's live feed about ``change`` when the transaction commits (PostgreSQL NOTIFY;
        one process owns a SQLite file, so there is no one to tell)."""
        if self.engine.dialect.name != "postgresql":
            return
        for payload in change_payloads(self.replica, change):
            session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANGES_CHANNEL,
                                                                          "payload": payload})

    def checkpoint(self) -> None:
        """On SQLite, move the write-ahead log into the file and truncate it (erased pages leave the log). A reader
        holding an older snapshot past the busy timeout makes SQLite give up ("busy"): it is tried again until the
        log is cleared, for at most :data:`CHECKPOINT_WAIT_SECONDS`, then said in the log."""
        if not self.is_sqlite:
            return
        deadline = time.monotonic() + CHECKPOINT_WAIT_SECONDS
        with self.engine.connect() as connection:
            while connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar():  # busy: 1
                if time.monotonic() > deadline:
                    log.warning("the write-ahead log of %s is still held by a reader after %.0f s: erased rows stay "
                                "in it until its next checkpoint", self.engine.url.database, CHECKPOINT_WAIT_SECONDS)
                    return
                time.sleep(0.1)

    def ping(self) -> bool:
        """True when the database answers."""
        with self.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT 1").scalar() == 1


def _engine(url: str) -> Engine:
    """The engine of ``url``, a SQLite or PostgreSQL database (E025 naming what is wrong with any other, its password
    never shown); on PostgreSQL, a connection not made within :data:`CONNECT_TIMEOUT_SECONDS` fails (unless the URL
    sets ``connect_timeout``) instead of waiting on a server that never answers."""
    if not url.strip():
        raise EmotraceError("E025", "The database URL is empty.")
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError) as exc:  # not a URL; a port that is not a number, not quoted: it may be the
        # end of a password cut at an @ it holds
        why = "its port is not a number; in a password write @ : / as %40 %3A %2F" if isinstance(exc, ValueError) \
            else type(exc).__name__
        raise EmotraceError("E025", f"'{url.split(':', 1)[0]}:…' is not a database URL emotrace can use ({why}).") \
            from None
    shown = parsed.render_as_string(hide_password=True)
    if url != url.strip():
        raise EmotraceError("E025", f"The database URL '{shown}' is written with a space before or after it: it would "
                            "name another database (a new SQLite file whose name ends in a space).",
                            "Give the URL without the spaces around it.")
    if parsed.get_backend_name() not in DATABASES:
        raise EmotraceError("E025", f"emotrace stores in {' or '.join(DATABASES.values())}: "
                            f"'{parsed.get_backend_name()}' is not one of them ({shown}).")
    timeout = {"connect_timeout": CONNECT_TIMEOUT_SECONDS} \
        if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query else {}
    try:
        return create_engine(parsed, pool_pre_ping=True, connect_args=timeout)
    except ImportError as exc:
        raise EmotraceError("E025", f"The database driver '{parsed.get_driver_name()}' is not installed ({shown}: "
                            f"{exc}).", "Write PostgreSQL URLs postgresql+psycopg://user@host/db (the driver "
                            "emotrace installs).") from None


def change_payloads(origin: str, change: dict[str, object]) -> list[str]:
    """``change`` as NOTIFY payloads under the size limit (a long list of message ids is split)."""
    ids = change.get("messages")
    if not isinstance(ids, list):
        return [json.dumps({"origin": origin, **change})]
    per_payload = NOTIFY_PAYLOAD_BYTES // 12  # a message id with its separator: at most 11 characters
    return [json.dumps({"origin": origin, "messages": part}) for part in chunks(ids, per_payload)]


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_WAIT_SECONDS * 1000}")
    # a new file's switch to WAL answers "locked" at once, not after the busy timeout, while another process opening
    # the file switches it: tried again until that timeout
    deadline = time.monotonic() + SQLITE_BUSY_WAIT_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across app crashes, fsync at checkpoints
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # erased rows are overwritten with zeros, not left in free pages
    cursor.close()
