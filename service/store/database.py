"""The store: one small interface over SQLite (WAL, the default) or PostgreSQL (by URL).

Every write is one transaction: the messages, and the customer summaries they change, land together
or not at all. Schema changes are Alembic migrations, applied on open.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Select, create_engine, delete, event, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from emotrace.errors import EmotraceError
from emotrace.scoring.agents import Turn
from emotrace.scoring.next_step import next_step
from emotrace.scoring.outreach import OutreachFacts
from emotrace.scoring.rules import ScoringRules
from emotrace.scoring.timeline import CUSTOMER, Signal, Timeline, build_timeline, segment, trend
from emotrace.store.tables import (
    BatchPart,
    Customer,
    CustomerAttributes,
    IdempotentWrite,
    IdempotentWriteCustomer,
    Message,
    Outcome,
)
from emotrace.times import utc

MIGRATIONS = Path(__file__).parent / "migrations"
CHANGES_CHANNEL = "emotrace_changes"
ID_CHUNK = 500  # ids per IN (...) query: well under SQLite's bound-parameter limit
NOTIFY_PAYLOAD_BYTES = 7_000  # PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more
T = TypeVar("T")


def chunks(values: Sequence[T], size: int = ID_CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size`` (one IN (...) query each)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(frozen=True)
class NewMessage:
    """A message to store, with its reading already taken."""

    customer_id: str
    conversation_id: str
    channel: str
    speaker: str
    timestamp: datetime
    text: str | None
    labels: list[str]
    ekman: dict[str, float]
    sentiment: list[str]
    valence: float
    arousal: float
    satisfaction: float
    satisfaction_class: str
    ekman_labels: list[str] | None = None
    sentiment_probabilities: dict[str, float] | None = None
    agent_id: str | None = None
    intents: list[str] | None = None
    intent_probabilities: dict[str, float] | None = None


@dataclass(frozen=True)
class NewOutcome:
    """An outcome to store (ids already pseudonymised where the settings say so)."""

    customer_id: str
    kind: str
    occurred_at: datetime
    conversation_id: str = ""
    value: float | None = None


@dataclass(frozen=True)
class RequestKey:
    """A client's Idempotency-Key for the messages ``items[start:stop]`` of one write, and its request's hash."""

    key: str
    request_sha: str
    start: int
    stop: int


SIGNAL_COLUMNS = (Message.id, Message.conversation_id, Message.timestamp, Message.speaker, Message.valence,
                  Message.arousal, Message.satisfaction, Message.ekman, Message.intents, Message.intent_probabilities)


class Store:
    """Customers, their messages and summaries."""

    def __init__(self, url: str, rules: ScoringRules | None = None) -> None:
        self.url = url
        self.replica = uuid.uuid4().hex  # tells this process's own change notices from other replicas'
        self.rules = rules or ScoringRules()
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time: queue writers here instead of spinning on its busy lock.
        self._write_lock = threading.Lock() if self.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the latest migration."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def add_messages(self, items: Iterable[NewMessage], batch_part: tuple[str, int] | None = None,
                     request_keys: Iterable[RequestKey] = ()) -> tuple[list[Message], list[Customer]]:
        """Store messages and refresh their customers' summaries, all in one transaction.

        ``batch_part`` (run key, chunk index) and ``request_keys`` are recorded in the same transaction, so a
        batch chunk or a client's keyed request is stored exactly once (see :meth:`has_batch_part`,
        :meth:`idempotent_write`; a key already used fails the transaction). Returns the stored messages and
        the refreshed customers (sorted by id)."""
        items = list(items)
        now = datetime.now(UTC)
        with self._write_lock, self.session() as session:
            if batch_part is not None:
                session.add(BatchPart(run_key=batch_part[0], part=batch_part[1], ingested_at=now))
            ids = sorted({m.customer_id for m in items})
            existing = self._lock_customers(session, ids, now)
            rows = [Message(**item.__dict__) for item in items]
            session.add_all(rows)
            session.flush()
            for k in request_keys:  # each key with the customers it wrote: their erasure erases it (delete_customer)
                session.add(IdempotentWrite(key=k.key, request_sha=k.request_sha, created_at=now,
                                            message_ids=[row.id for row in rows[k.start : k.stop]]))
                session.add_all(IdempotentWriteCustomer(key=k.key, customer_id=customer_id)
                                for customer_id in sorted({item.customer_id for item in items[k.start : k.stop]}))
            for customer_id, timeline in self.timelines_in(session, ids).items():
                self._refresh(existing[customer_id], timeline, now)
            self._notify(session, {"messages": [row.id for row in rows]})
            return rows, [existing[i] for i in ids]

    def _lock_customers(self, session: Session, ids: list[str], now: datetime) -> dict[str, Customer]:
        """The customers ``ids`` (created where new), locked until the transaction ends.

        On PostgreSQL another replica writing the same customer waits here until this transaction commits,
        then reads its messages too: no summary is computed from a stale set of messages (no lost update).
        Locks are taken in id order, so two writers never wait on each other in a cycle."""
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        session.execute(insert(Customer).values([
            {"id": customer_id, "created_at": now, "updated_at": now, "score": 50.0, "segment": "neutral",
             "trend": "stable", "trend_delta": 0.0, "open_alerts": 0, "alerts": []} for customer_id in ids
        ]).on_conflict_do_nothing(index_elements=["id"]))
        query = select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id).with_for_update()
        return {c.id: c for c in session.scalars(query.execution_options(populate_existing=True))}

    def _notify(self, session: Session, change: dict[str, object]) -> None:
        """Tell every replica's live feed about ``change`` when the transaction commits (PostgreSQL NOTIFY;
        one process owns a SQLite file, so there is no one to tell)."""
        if self.engine.dialect.name != "postgresql":
            return
        for payload in change_payloads(self.replica, change):
            session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANGES_CHANNEL,
                                                                          "payload": payload})

    def _refresh(self, customer: Customer, timeline: Timeline, now: datetime) -> None:
        state = timeline.current
        customer.updated_at = now
        if state is None:
            return
        direction = trend(timeline.history, self.rules)
        customer.score = state.score
        customer.segment = segment(state.score, self.rules)
        customer.trend, customer.trend_delta = direction.direction, direction.delta
        customer.alerts = [{"kind": a.kind, "reason": a.reason, "message_ids": a.message_ids,
                            "at": a.at.isoformat(), "severity": a.severity} for a in timeline.alerts]
        customer.open_alerts = len(timeline.alerts)
        recent = [a.kind for a in timeline.alerts if now - a.at <= timedelta(hours=self.rules.route_recent_hours)]
        step = next_step(customer.segment, recent, state.leading_emotions, customer.trend, self.rules.next_steps)
        customer.next_step = None if step is None else {"action": step.action, "script": step.script,
                                                        "follow_up_hours": step.follow_up_hours}

    def timelines_in(self, session: Session, customer_ids: list[str]) -> dict[str, Timeline]:
        """The scoring timelines of some customers, inside an open session, read in one query (only the
        columns scoring reads, and only the customers' own turns: agent turns never count)."""
        signals = self._signals(session, customer_ids, customer_turns_only=True)
        return {customer_id: build_timeline(found, self.rules) for customer_id, found in signals.items()}

    def customer_signals(self, chunk: int = ID_CHUNK) -> Iterator[tuple[str, list[Signal]]]:
        """Every customer's messages as signals (customer and agent turns, in no particular order), a chunk of
        customers at a time: what outcome models and segments read."""
        with self.session() as session:
            ids = list(session.scalars(select(Customer.id).order_by(Customer.id)))
        for part in chunks(ids, chunk):
            with self.session() as session:
                yield from self._signals(session, list(part)).items()

    def signals(self, customer_id: str) -> list[Signal]:
        """One customer's messages as signals (customer and agent turns, in no particular order)."""
        with self.session() as session:
            return self._signals(session, [customer_id])[customer_id]

    @staticmethod
    def _signals(session: Session, customer_ids: list[str], customer_turns_only: bool = False
                 ) -> dict[str, list[Signal]]:
        """The messages of ``customer_ids`` as signals, read in one query of the columns scoring reads."""
        found: dict[str, list[Signal]] = {customer_id: [] for customer_id in customer_ids}
        query = select(Message.customer_id, *SIGNAL_COLUMNS).where(Message.customer_id.in_(customer_ids))
        if customer_turns_only:
            query = query.where(Message.speaker == CUSTOMER)
        for customer_id, i, conv, ts, speaker, v, a, s, ekman, intents, intent_p in session.execute(query):
            stated = {name: (intent_p or {}).get(name, 1.0) for name in intents or ()}
            found[customer_id].append(Signal(i, conv, utc(ts), speaker, v, a, s, ekman, stated))
        return found

    def agent_conversations(self, agent_id: str | None = None) -> list[tuple[str, list[Turn]]]:
        """The conversations agents took part in (``agent_id``: one agent's), each with its customer's segment and
        every turn in time order."""
        with self.session() as session:
            named = select(Message.customer_id, Message.conversation_id).where(Message.agent_id.is_not(None))
            if agent_id is not None:
                named = named.where(Message.agent_id == agent_id)
            keys = set(session.execute(named.distinct()).all())
            customers = sorted({customer for customer, _ in keys})
            segments = dict(session.execute(select(Customer.id, Customer.segment).where(Customer.id.in_(customers)))
                            .all()) if customers else {}
            turns: dict[tuple[str, str], list[Turn]] = {key: [] for key in keys}
            for part in chunks(customers):
                rows = session.execute(
                    select(Message.customer_id, Message.conversation_id, Message.channel, Message.speaker,
                           Message.agent_id, Message.timestamp, Message.valence, Message.satisfaction, Message.labels)
                    .where(Message.customer_id.in_(part))
                    .order_by(Message.timestamp, Message.id))
                for customer_id, conv, channel, speaker, agent, ts, valence, satisfaction, labels in rows:
                    if (customer_id, conv) in turns:
                        turns[(customer_id, conv)].append(Turn(conv, customer_id, channel, speaker, agent, utc(ts),
                                                               valence, satisfaction, labels))
        return [(segments.get(customer, "neutral"), found) for (customer, _), found in sorted(turns.items())]

    def outcome_kinds(self, customer_id: str) -> set[str]:
        """The kinds of outcome recorded for one customer."""
        with self.session() as session:
            return set(session.scalars(select(Outcome.kind).where(Outcome.customer_id == customer_id)))

    def has_batch_part(self, run_key: str, part: int) -> bool:
        """True when chunk ``part`` of batch run ``run_key`` is already stored."""
        with self.session() as session:
            return session.get(BatchPart, (run_key, part)) is not None

    def idempotent_write(self, key: str) -> tuple[str, list[Message], list[Customer]] | None:
        """What the write under Idempotency-Key ``key`` stored: its request's hash, its messages (those not erased
        since) and their customers' current summaries; None for a new key."""
        with self.session() as session:
            write = session.get(IdempotentWrite, key)
            if write is None:
                return None
            return write.request_sha, *self._messages_with_customers(session, write.message_ids)

    def messages_with_customers(self, message_ids: list[int]) -> tuple[list[Message], list[Customer]]:
        """The messages ``message_ids`` (in that order; erased ones left out) and their customers, sorted by id."""
        with self.session() as session:
            return self._messages_with_customers(session, message_ids)

    @staticmethod
    def _messages_with_customers(session: Session, message_ids: list[int]) -> tuple[list[Message], list[Customer]]:
        messages = {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(message_ids)))}
        found = [messages[i] for i in message_ids if i in messages]
        ids = sorted({m.customer_id for m in found})
        return found, list(session.scalars(select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id)))

    def customer(self, customer_id: str) -> Customer | None:
        """One customer's summary row, or None."""
        with self.session() as session:
            return session.get(Customer, customer_id)

    def messages(self, customer_id: str) -> list[Message]:
        """A customer's messages, oldest first."""
        with self.session() as session:
            return list(session.scalars(select(Message).where(Message.customer_id == customer_id)
                                        .order_by(Message.timestamp, Message.id)))

    def timeline(self, customer_id: str) -> Timeline:
        """A customer's scoring timeline."""
        with self.session() as session:
            return self.timelines_in(session, [customer_id])[customer_id]

    def customers(self, segment_filter: str | None = None, limit: int = 100, offset: int = 0) -> list[Customer]:
        """Customers, riskiest first (lowest score, then most alerts)."""
        query = select(Customer).order_by(Customer.score, Customer.open_alerts.desc(), Customer.id)
        return self._customers_in_segment(query.limit(limit).offset(offset), segment_filter)

    def customers_with_alerts(self, segment_filter: str | None = None) -> list[Customer]:
        """Every customer with at least one open alert (all of them: alert lists are never cut short)."""
        return self._customers_in_segment(select(Customer).where(Customer.open_alerts > 0), segment_filter)

    def _customers_in_segment(self, query: Select[Customer], segment_filter: str | None) -> list[Customer]:
        if segment_filter:
            query = query.where(Customer.segment == segment_filter)
        with self.session() as session:
            return list(session.scalars(query))

    def count_customers(self) -> int:
        """How many customers are stored."""
        with self.session() as session:
            return int(session.scalar(select(func.count()).select_from(Customer)) or 0)

    def count_conversation_messages(self, customer_id: str, conversation_id: str) -> int:
        """How many messages of ``conversation_id`` the customer has stored."""
        with self.session() as session:
            return int(session.scalar(select(func.count()).select_from(Message).where(
                Message.customer_id == customer_id, Message.conversation_id == conversation_id)) or 0)

    def delete_customer(self, customer_id: str) -> bool:
        """Erase a customer and every message, outcome and attribute of theirs, and the records of the keyed writes
        that stored their messages (a retry under such an Idempotency-Key is then a new write); False when unknown.

        On SQLite no byte of the erased rows stays in any file: pages are zeroed as rows are deleted
        (``secure_delete``) and the write-ahead log, which still holds the pages as written, is checkpointed
        and truncated. On PostgreSQL the rows are gone for every query at once; their disk space is
        reclaimed by (auto)vacuum."""
        with self._write_lock:
            with self.session() as session:
                # locked first: a write of this customer's that is under way commits before the erasure reads
                session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())
                keys = list(session.scalars(select(IdempotentWriteCustomer.key)
                                            .where(IdempotentWriteCustomer.customer_id == customer_id)))
                for part in chunks(keys):  # a write of several customers goes with any of them
                    session.execute(delete(IdempotentWriteCustomer).where(IdempotentWriteCustomer.key.in_(part)))
                    session.execute(delete(IdempotentWrite).where(IdempotentWrite.key.in_(part)))
                for table in (Message, Outcome, CustomerAttributes):
                    session.execute(delete(table).where(table.customer_id == customer_id))
                deleted = session.execute(delete(Customer).where(Customer.id == customer_id).returning(Customer.id))
                found = deleted.first() is not None
                if found:
                    self._notify(session, {"deleted": customer_id})
            if found and self.engine.dialect.name == "sqlite":
                with self.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return found

    def existing_customers(self, customer_ids: Iterable[str]) -> set[str]:
        """Which of ``customer_ids`` are stored (read in chunks, so a million ids is fine)."""
        with self.session() as session:
            return self._existing_customers(session, customer_ids)

    @staticmethod
    def _existing_customers(session: Session, customer_ids: Iterable[str]) -> set[str]:
        wanted = sorted(set(customer_ids))
        found: set[str] = set()
        for part in chunks(wanted):
            found.update(session.scalars(select(Customer.id).where(Customer.id.in_(part))))
        return found

    @classmethod
    def _refuse_unknown_customers(cls, session: Session, customer_ids: Iterable[str], fix: str) -> None:
        """E801 naming the customers among ``customer_ids`` that have no stored messages."""
        wanted = sorted(set(customer_ids))
        known = cls._existing_customers(session, wanted)
        if unknown := [i for i in wanted if i not in known]:
            shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
            raise EmotraceError("E801", f"{len(unknown)} customer(s) have no stored messages: {shown}.", fix)

    def existing_conversations(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (customer, conversation) pairs have stored messages."""
        with self.session() as session:
            return self._existing_conversations(session, set(pairs))

    @staticmethod
    def _existing_conversations(session: Session, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        customers = sorted({c for c, _ in pairs})
        for part in chunks(customers):
            rows = session.execute(select(Message.customer_id, Message.conversation_id).distinct()
                                   .where(Message.customer_id.in_(part)))
            found.update((c, conv) for c, conv in rows if (c, conv) in pairs)
        return found

    def add_outcomes(self, outcomes: list[NewOutcome]) -> int:
        """Store outcomes in one transaction; returns how many were new (an outcome recorded before is kept once).
        Nothing is stored when any is refused: E801 names customers with no stored messages, E808 rated
        conversations the customer has no messages in, E807 an outcome recorded before (or twice here) with
        another value."""
        now = datetime.now(UTC)
        with self._write_lock, self.session() as session:
            self._refuse_unknown_customers(session, (o.customer_id for o in outcomes),
                                           "Record outcomes for customers emotrace knows (store their messages first).")
            rated = {(o.customer_id, o.conversation_id) for o in outcomes if o.conversation_id}
            if missing := sorted(rated - self._existing_conversations(session, rated)):
                shown = ", ".join(f"{c}/{conv}" for c, conv in missing[:10])
                raise EmotraceError("E808", f"{len(missing)} rated conversation(s) have no stored messages of that "
                                    f"customer: {shown}.", "Rate conversations emotrace has read (customer/"
                                    "conversation ids as stored).")
            self._refuse_conflicts(session, outcomes)
            insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
            stored = 0
            for part in chunks(outcomes):
                rows = [{**o.__dict__, "recorded_at": now} for o in part]
                result = session.execute(insert(Outcome).values(rows).on_conflict_do_nothing().returning(Outcome.id))
                stored += len(result.all())
            return stored

    @staticmethod
    def _refuse_conflicts(session: Session, outcomes: list[NewOutcome]) -> None:
        """E807 when an outcome is given twice with different values, or was recorded before with another value."""
        values: dict[tuple[str, str, str, datetime], float | None] = {}
        for o in outcomes:
            key = (o.customer_id, o.kind, o.conversation_id, utc(o.occurred_at))
            if key in values and values[key] != o.value:
                raise EmotraceError("E807", f"{o.kind} of {o.customer_id} {o.conversation_id} at {key[3].isoformat()} "
                                    f"is given twice, as {values[key]} and {o.value}.", "Give each outcome once.")
            values[key] = o.value
        customers = sorted({k[0] for k in values})
        for part in chunks(customers):
            for stored in session.scalars(select(Outcome).where(Outcome.customer_id.in_(part))):
                key = (stored.customer_id, stored.kind, stored.conversation_id, utc(stored.occurred_at))
                if key in values and values[key] != stored.value:
                    raise EmotraceError("E807", f"{stored.kind} of {stored.customer_id} {stored.conversation_id} at "
                                        f"{key[3].isoformat()} was recorded before as {stored.value}, now "
                                        f"{values[key]}.", "A recorded outcome is kept as it is: record a new one "
                                        "with its own time instead.")

    def outreach_facts(self, customer_ids: Sequence[str], since: datetime) -> dict[str, OutreachFacts]:
        """What the outreach guard reads of each stored customer among ``customer_ids`` (at most a few thousand per
        call): the summary, and since ``since`` the escalated complaints and the conversations whose latest
        resolution record says not resolved (a later "resolved" lifts an earlier "not resolved")."""
        ids = list(customer_ids)
        with self.session() as session:
            summaries = session.execute(select(Customer.id, Customer.segment, Customer.alerts)
                                        .where(Customer.id.in_(ids))).all()
            latest: dict[tuple[str, str], tuple[datetime, float | None]] = {}
            escalations: dict[str, list[datetime]] = {}
            for customer_id, kind, conversation, value, at in session.execute(
                    select(Outcome.customer_id, Outcome.kind, Outcome.conversation_id, Outcome.value, Outcome.occurred_at)
                    .where(Outcome.customer_id.in_(ids), Outcome.kind.in_(["resolved", "complaint_escalated"]),
                           Outcome.occurred_at >= since).order_by(Outcome.occurred_at, Outcome.id)):
                if kind == "complaint_escalated":
                    escalations.setdefault(customer_id, []).append(utc(at))
                else:
                    latest[(customer_id, conversation)] = (utc(at), value)
        unresolved: dict[str, list[datetime]] = {}
        for (customer_id, _), (at, value) in latest.items():
            if value == 0:
                unresolved.setdefault(customer_id, []).append(at)
        return {customer_id: OutreachFacts(segment, [(str(a["kind"]), datetime.fromisoformat(str(a["at"])))
                                                     for a in alerts], unresolved.get(customer_id, []),
                                           escalations.get(customer_id, []))
                for customer_id, segment, alerts in summaries}

    def outcomes(self) -> list[Outcome]:
        """Every stored outcome, oldest first."""
        with self.session() as session:
            return list(session.scalars(select(Outcome).order_by(Outcome.occurred_at, Outcome.id)))

    def set_attributes(self, attributes: dict[str, dict[str, str]]) -> None:
        """Replace the business attributes of stored customers (one transaction; E801 for unknown customers)."""
        now = datetime.now(UTC)
        with self._write_lock, self.session() as session:
            self._refuse_unknown_customers(session, attributes, "Import attributes of customers emotrace knows.")
            for customer_id in sorted(attributes):
                session.merge(CustomerAttributes(customer_id=customer_id, attributes=attributes[customer_id],
                                                 updated_at=now))

    def attributes(self) -> dict[str, dict[str, str]]:
        """Every customer's business attributes."""
        with self.session() as session:
            return {row.customer_id: row.attributes for row in session.scalars(select(CustomerAttributes))}

    def ping(self) -> bool:
        """True when the database answers."""
        with self.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT 1").scalar() == 1


def change_payloads(origin: str, change: dict[str, object]) -> list[str]:
    """``change`` as NOTIFY payloads under the size limit (a long list of message ids is split)."""
    ids = change.get("messages")
    if not isinstance(ids, list):
        return [json.dumps({"origin": origin, **change})]
    per_payload = NOTIFY_PAYLOAD_BYTES // 12  # a message id with its separator: at most 11 characters
    return [json.dumps({"origin": origin, "messages": part}) for part in chunks(ids, per_payload)]


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across app crashes, fsync at checkpoints
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA secure_delete=ON")  # erased rows are overwritten with zeros, not left in free pages
    cursor.close()
