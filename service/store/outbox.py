"""The outbox: events written in the same transaction as the change they tell of, and their deliveries to webhook
endpoints (at least once: a delivery is claimed for a lease, tried, and recorded; a claim that dies with its
process is tried again when the lease runs out).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, DateTime, and_, exists, func, literal, or_, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from emotrace.store.database import Database
from emotrace.store.tables import OutboxEvent, WebhookDelivery
from emotrace.times import utc

CLAIM_LEASE = timedelta(minutes=2)  # a claimed delivery is tried again after this if its attempt was never recorded


@dataclass(frozen=True)
class DueDelivery:
    """A delivery claimed for an attempt: where to, and the event to send."""

    id: int
    endpoint: str
    attempts: int
    event_id: str
    kind: str
    created_at: datetime
    payload: dict[str, object]


@dataclass(frozen=True)
class EndpointLog:
    """How an endpoint's deliveries stand."""

    endpoint: str
    delivered: int
    pending: int
    failed: int
    last_error: str | None
    last_attempt_at: datetime | None
    last_delivered_at: datetime | None


def _latest(column: InstrumentedAttribute[datetime | None]) -> ColumnElement[datetime]:
    """The latest time of ``column``, read as a time on SQLite too (its MAX comes back as text)."""
    return type_coerce(func.max(column), DateTime(timezone=True))


class Outbox:
    """Events for webhooks and their deliveries."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def add(session: Session, kind: str, customer_id: str, payload: dict[str, object], now: datetime) -> None:
        """Write an event inside the caller's transaction (it is delivered only if that transaction commits)."""
        session.add(OutboxEvent(event_id=str(uuid.uuid4()), kind=kind, customer_id=customer_id, payload=payload,
                                created_at=now))

    def fan_out(self, endpoint: str, kinds: Sequence[str], since: datetime, now: datetime,
                catch_up: bool = False) -> int:
        """Give ``endpoint`` a pending delivery of every event of ``kinds`` written since ``since`` that it has none
        of yet, and with ``catch_up`` of every one written after the first event of its kind it has a delivery of
        (a kind the endpoint took before: what it missed while no sender ran, however long ago); returns how many."""
        have = exists().where(and_(WebhookDelivery.event_id == OutboxEvent.id, WebhookDelivery.endpoint == endpoint))
        written = OutboxEvent.created_at >= since
        if catch_up:  # a kind the endpoint has no delivery of yet has no first event: only ``since`` holds
            given = aliased(OutboxEvent)
            first = (select(func.min(WebhookDelivery.event_id)).join(given, given.id == WebhookDelivery.event_id)
                     .where(WebhookDelivery.endpoint == endpoint, given.kind == OutboxEvent.kind))
            written = or_(written, OutboxEvent.id >= first.scalar_subquery())
        new = (select(OutboxEvent.id, literal(endpoint), literal("pending"), literal(0),
                      literal(now, DateTime(timezone=True)))
               .where(OutboxEvent.kind.in_(list(kinds)), written, ~have))
        with self.db.session() as session:  # read first: an idle round takes no write lock
            if session.execute(new.limit(1)).first() is None:
                return 0
        with self.db.writing() as session:
            added = session.execute(self.db.insert(WebhookDelivery).from_select(
                ["event_id", "endpoint", "status", "attempts", "next_attempt_at"], new).on_conflict_do_nothing()
                .returning(WebhookDelivery.id))
            return len(added.all())

    def claim_due(self, now: datetime, endpoints: Sequence[str], limit: int = 20) -> list[DueDelivery]:
        """Pending deliveries to ``endpoints`` (those configured now: not one removed, or whose token was changed)
        due by ``now``, oldest first, claimed for :data:`CLAIM_LEASE` (replicas on one PostgreSQL skip each other's
        claims)."""
        query = (select(WebhookDelivery, OutboxEvent).join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
                 .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
                        WebhookDelivery.endpoint.in_(list(endpoints)))
                 .order_by(WebhookDelivery.id).limit(limit))
        with self.db.session() as session:  # read first: an idle round takes no write lock
            if session.execute(query).first() is None:
                return []
        with self.db.writing() as session:
            due = []
            claimed = query.with_for_update(skip_locked=True, of=WebhookDelivery)
            for delivery, event in session.execute(claimed).tuples():
                delivery.next_attempt_at = now + CLAIM_LEASE
                due.append(DueDelivery(delivery.id, delivery.endpoint, delivery.attempts, event.event_id, event.kind,
                                       event.created_at, dict(event.payload)))
            return due

    def is_pending(self, delivery_id: int) -> bool:
        """Whether a claimed delivery is still to be made (not erased with its customer since it was claimed)."""
        with self.db.session() as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            return delivery is not None and delivery.status == "pending"

    def record(self, delivery_id: int, now: datetime, error: str | None, retry_at: datetime | None) -> None:
        """Record an attempt: delivered (no ``error``), to be retried at ``retry_at``, or failed for good."""
        with self.db.writing() as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            if delivery is None:  # erased with its customer meanwhile
                return
            delivery.attempts += 1
            delivery.last_attempt_at = now
            if error is None:
                delivery.status, delivery.delivered_at = "delivered", now
            else:
                delivery.last_error = error
                delivery.status = "pending" if retry_at is not None else "failed"
                delivery.next_attempt_at = retry_at or now

    def log(self) -> list[EndpointLog]:
        """Per endpoint: deliveries delivered, pending and failed, the last error and the last attempts."""
        with self.db.session() as session:
            counts = session.execute(select(WebhookDelivery.endpoint, WebhookDelivery.status, func.count(),
                                            _latest(WebhookDelivery.last_attempt_at), _latest(WebhookDelivery.delivered_at))
                                     .group_by(WebhookDelivery.endpoint, WebhookDelivery.status)).tuples().all()
            last_errors = dict(session.execute(
                select(WebhookDelivery.endpoint, WebhookDelivery.last_error)
                .where(WebhookDelivery.last_error.is_not(None))
                .order_by(WebhookDelivery.last_attempt_at)).tuples().all())  # the latest per endpoint wins
        by_endpoint: dict[str, list[tuple[str, int, datetime | None, datetime | None]]] = {}
        for endpoint, status, count, attempted, delivered in counts:
            by_endpoint.setdefault(endpoint, []).append((status, count, attempted and utc(attempted),
                                                         delivered and utc(delivered)))
        return [EndpointLog(endpoint=endpoint,
                            delivered=sum(c for s, c, _, _ in rows if s == "delivered"),
                            pending=sum(c for s, c, _, _ in rows if s == "pending"),
                            failed=sum(c for s, c, _, _ in rows if s == "failed"),
                            last_error=last_errors.get(endpoint),
                            last_attempt_at=max((a for _, _, a, _ in rows if a is not None), default=None),
                            last_delivered_at=max((d for _, _, _, d in rows if d is not None), default=None))
                for endpoint, rows in sorted(by_endpoint.items())]
