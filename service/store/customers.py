"""Customers: their summary rows, business attributes and erasure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from emotrace.errors import EmotraceError
from emotrace.store.database import Database, chunks
from emotrace.store.tables import (
    AlertEvent,
    AlertState,
    BatchPart,
    Correction,
    Customer,
    CustomerAttributes,
    ErasedWrite,
    IdempotentWrite,
    IdempotentWriteCustomer,
    Message,
    OutboxEvent,
    Outcome,
    WebhookDelivery,
)
from emotrace.wording import and_more, counted_doing


@dataclass(frozen=True)
class CustomerSummary:
    """What a customer's row says of them after a write: computed by the scoring rules, stored as given."""

    score: float
    segment: str
    trend: str
    trend_delta: float
    alerts: list[dict[str, object]]
    next_step: dict[str, object] | None
    alerts_open_after: datetime | None = None  # a new alert at an earlier time is registered resolved, not open

    def apply(self, customer: Customer) -> None:
        """Write this summary into ``customer``'s row."""
        customer.score, customer.segment = self.score, self.segment
        customer.trend, customer.trend_delta = self.trend, self.trend_delta
        customer.alerts, customer.open_alerts = self.alerts, len(self.alerts)
        customer.next_step = self.next_step


class Customers:
    """The customers' rows: read, listed by risk, counted, erased; their attributes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, customer_id: str) -> Customer | None:
        """One customer's summary row, or None."""
        with self.db.session() as session:
            return session.get(Customer, customer_id)

    def ranked(self, segment_filter: str | None = None, limit: int = 100, offset: int = 0,
               id_contains: str | None = None, exact_id: str | None = None) -> list[Customer]:
        """Customers, riskiest first (lowest score, then most alerts); of one segment, whose id contains
        ``id_contains`` (in any case; ``%`` and ``_`` are no wildcards), or with id ``exact_id``, when given."""
        query = select(Customer).order_by(*self._riskiest_first())
        if id_contains:
            query = query.where(Customer.id.icontains(id_contains, autoescape=True))  # any case, on every store
        if exact_id is not None:
            query = query.where(Customer.id == exact_id)
        return self._in_segment(query.limit(limit).offset(offset), segment_filter)

    def ranked_ids(self) -> list[str]:
        """Every customer's id, riskiest first (as :meth:`ranked` orders them), read at one moment."""
        with self.db.session() as session:
            return list(session.scalars(select(Customer.id).order_by(*self._riskiest_first())))

    def of_ids(self, ids: Iterable[str]) -> list[Customer]:
        """The customers of ``ids`` that are stored, in the order of ``ids``."""
        wanted = list(ids)
        with self.db.session() as session:
            found = {c.id: c for part in chunks(wanted) for c in session.scalars(select(Customer).where(
                Customer.id.in_(part)))}
        return [found[i] for i in wanted if i in found]

    def with_alerts(self, segment_filter: str | None = None,
                    statuses: Iterable[str] = ("open", "acknowledged")) -> list[Customer]:
        """Every customer with at least one alert in ``statuses`` (all of them: alert lists are never cut short)."""
        having = select(AlertState.customer_id).where(AlertState.status.in_(list(statuses)))
        return self._in_segment(select(Customer).where(Customer.id.in_(having))
                                .order_by(self.db.in_code_point_order(Customer.id)), segment_filter)

    def _riskiest_first(self) -> tuple[Any, ...]:
        """Lowest score first, then most open alerts, then id (in code point order on every store)."""
        return Customer.score, Customer.open_alerts.desc(), self.db.in_code_point_order(Customer.id)

    def _in_segment(self, query: Select[Customer], segment_filter: str | None) -> list[Customer]:
        if segment_filter:
            query = query.where(Customer.segment == segment_filter)
        with self.db.session() as session:
            return list(session.scalars(query))

    def count(self) -> int:
        """How many customers are stored."""
        with self.db.session() as session:
            return int(session.scalar(select(func.count()).select_from(Customer)) or 0)

    def existing(self, customer_ids: Iterable[str]) -> set[str]:
        """Which of ``customer_ids`` are stored (read in chunks, so a million ids is fine)."""
        with self.db.session() as session:
            return existing_in(session, customer_ids)

    def lock_or_create(self, session: Session, ids: list[str], now: datetime) -> dict[str, Customer]:
        """The customers ``ids`` (created where new), locked until the transaction ends.

        On PostgreSQL another replica writing the same customer waits here until this transaction commits,
        then reads its messages too: no summary is computed from a stale set of messages (no lost update).
        Locks are taken in id order, so two writers never wait on each other in a cycle. A customer an erasure
        deletes while this write waits for its lock is created again (the write then stores what it was given)."""
        locked: dict[str, Customer] = {}
        for _ in range(3):  # a customer erased while this write waited for its lock is gone then: created afresh
            if not (missing := [customer_id for customer_id in ids if customer_id not in locked]):
                break
            for part in chunks(sorted(missing)):  # a statement binds at most 65,535 values on PostgreSQL
                session.execute(self.db.insert(Customer).values([
                    {"id": customer_id, "created_at": now, "updated_at": now, "score": 50.0, "segment": "neutral",
                     "trend": "stable", "trend_delta": 0.0, "open_alerts": 0, "alerts": []} for customer_id in part
                ]).on_conflict_do_nothing(index_elements=["id"]))
                query = select(Customer).where(Customer.id.in_(part)).order_by(Customer.id).with_for_update()
                locked.update((c.id, c) for c in session.scalars(query.execution_options(populate_existing=True)))
        if missing := [customer_id for customer_id in ids if customer_id not in locked]:  # erased three times over
            raise RuntimeError(f"customers {missing[:5]} could not be created and locked")
        return locked

    def erase(self, customer_id: str) -> int | None:
        """Erase a customer and every message, correction, alert state and history, outbox event (undelivered webhooks included),
        outcome and attribute of theirs, the marks of the batch rows that stored their messages (hashes of their
        cells: ingesting those rows again stores them again), and the
        records of the keyed writes
        that stored their messages (each key kept as its SHA-256 alone: a retry under it is refused, not stored
        again). Returns the highest id of the messages erased (0 for none: the live feed drops events of those it has
        not sent yet), None when the customer is unknown.

        On SQLite no byte of the erased rows stays in any file: pages are zeroed as rows are deleted
        (``secure_delete``) and the write-ahead log, which still holds the pages as written, is checkpointed
        and truncated. On PostgreSQL the rows are gone for every query at once; their disk space is
        reclaimed by (auto)vacuum."""
        with self.db.write_lock():
            with self.db.session() as session:
                # locked first: a write of this customer's that is under way commits before the erasure reads
                session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())
                through = session.scalar(select(func.max(Message.id)).where(Message.customer_id == customer_id)) or 0
                keys = list(session.scalars(select(IdempotentWriteCustomer.key)
                                            .where(IdempotentWriteCustomer.customer_id == customer_id)))
                for part in chunks(keys):  # a write of several customers goes with any of them
                    session.execute(delete(IdempotentWriteCustomer).where(IdempotentWriteCustomer.key.in_(part)))
                    session.execute(delete(IdempotentWrite).where(IdempotentWrite.key.in_(part)))
                    session.execute(self.db.insert(ErasedWrite).values(
                        [{"key_sha": ErasedWrite.digest(key), "erased_at": datetime.now(UTC)} for key in part])
                        .on_conflict_do_nothing())
                alert_ids = select(AlertState.id).where(AlertState.customer_id == customer_id).scalar_subquery()
                session.execute(delete(AlertEvent).where(AlertEvent.alert_id.in_(alert_ids)))
                event_ids = select(OutboxEvent.id).where(OutboxEvent.customer_id == customer_id).scalar_subquery()
                session.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(event_ids)))
                for table in (AlertState, OutboxEvent, Correction, Message, Outcome, CustomerAttributes, BatchPart):
                    session.execute(delete(table).where(table.customer_id == customer_id))
                deleted = session.execute(delete(Customer).where(Customer.id == customer_id).returning(Customer.id))
                found = deleted.first() is not None
                if found:
                    self.db.notify(session, {"deleted": customer_id, "through": through})
            if found:
                self.db.checkpoint()
            return through if found else None

    def set_attributes(self, attributes: dict[str, dict[str, str]]) -> None:
        """Replace the business attributes of stored customers (one transaction; E801 for unknown customers)."""
        now = datetime.now(UTC)
        with self.db.writing() as session:
            refuse_unknown(session, attributes, "Import attributes of customers emotrace knows.")
            for customer_id in sorted(attributes):
                session.merge(CustomerAttributes(customer_id=customer_id, attributes=attributes[customer_id],
                                                 updated_at=now))

    def attributes(self) -> dict[str, dict[str, str]]:
        """Every customer's business attributes."""
        with self.db.session() as session:
            return {row.customer_id: row.attributes for row in session.scalars(select(CustomerAttributes))}


def existing_in(session: Session, customer_ids: Iterable[str], hold: bool = False) -> set[str]:
    """Which of ``customer_ids`` are stored, inside an open session; with ``hold``, those are kept from an erasure
    until the session ends (FOR SHARE on PostgreSQL: one under way is waited for, and its customer found gone)."""
    wanted = sorted(set(customer_ids))
    found: set[str] = set()
    for part in chunks(wanted):
        query = select(Customer.id).where(Customer.id.in_(part))
        found.update(session.scalars(query.order_by(Customer.id).with_for_update(read=True) if hold else query))
    return found


def refuse_unknown(session: Session, customer_ids: Iterable[str], fix: str) -> None:
    """E801 naming the customers among ``customer_ids`` that have no stored messages; the others are held until the
    session ends, so that what is written for them finds them (:func:`existing_in`)."""
    wanted = sorted(set(customer_ids))
    known = existing_in(session, wanted, hold=True)
    if unknown := [i for i in wanted if i not in known]:
        shown = ", ".join(unknown[:10]) + and_more(len(unknown), 10)
        raise EmotraceError("E801", f"{counted_doing(len(unknown), 'customer', 'has', 'have')} no stored messages: {shown}.", fix)
