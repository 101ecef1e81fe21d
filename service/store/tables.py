"""Storage tables (SQLAlchemy 2.0). Wire schemas live in ``emotrace.api.schemas``, not here."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite would give a new row the highest id plus one, so erasing the newest rows handed their ids to the next
# customer's (a stale message or alert id then acts on someone else); AUTOINCREMENT never reuses one. PostgreSQL's
# sequences never do.
NEVER_REUSED_IDS = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    """Declarative base of all tables."""


class Customer(Base):
    """A customer and their latest summary (refreshed in the same transaction as each write)."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    score: Mapped[float] = mapped_column(Float, default=50.0)
    segment: Mapped[str] = mapped_column(String(32), default="neutral", index=True)
    trend: Mapped[str] = mapped_column(String(16), default="stable")
    trend_delta: Mapped[float] = mapped_column(Float, default=0.0)
    open_alerts: Mapped[int] = mapped_column(Integer, default=0)
    alerts: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    next_step: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)  # the agent's suggested action


class AlertState(Base):
    """Where the floor stands on one of a customer's alerts: its status, who owns it. An alert is the scoring rules'
    (its kind and first triggering message identify it across refreshes; an episode alert a late message
    re-attributes, a sharp drop, ends_worse or sustained_negativity, keeps this row, which takes its new first
    message; a row whose first message another alert took so, an alert the rules no longer raise, keeps minus its id
    there: it names no message); this row is the people's."""

    __tablename__ = "alert_states"
    __table_args__ = (UniqueConstraint("customer_id", "kind", "first_message_id", name="uq_alert"), NEVER_REUSED_IDS)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    first_message_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    assignee: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertEvent(Base):
    """One entry of an alert's history: who changed what, when, with what note."""

    __tablename__ = "alert_events"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert_states.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    assignee: Mapped[str | None] = mapped_column(String(128), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class OutboxEvent(Base):
    """Something outside tools may want to hear of (an alert raised or worked), written in the same transaction as
    the change itself, so no event is lost; webhooks deliver it from here."""

    __tablename__ = "outbox_events"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)  # what receivers deduplicate on
    kind: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class WebhookDelivery(Base):
    """One event's delivery to one endpoint: pending (with its next attempt), delivered, or failed for good."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "endpoint", name="uq_delivery"),
                      Index("ix_webhook_deliveries_due", "status", "next_attempt_at"), NEVER_REUSED_IDS)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Message(Base):
    """One utterance with its reading. ``text`` is redacted (or absent) per settings."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_customer_time", "customer_id", "timestamp"), NEVER_REUSED_IDS)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(16))
    speaker: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)  # who wrote an agent turn
    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    labels: Mapped[list[str]] = mapped_column(JSON)
    # per view (Ekman, sentiment, intent, topic): the groups that fire and their probabilities; the nullable ones are null
    # on rows stored before the column existed
    ekman_labels: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    ekman_probabilities: Mapped[dict[str, float]] = mapped_column(JSON)
    sentiment_labels: Mapped[list[str]] = mapped_column(JSON)
    sentiment_probabilities: Mapped[dict[str, float] | None] = mapped_column(JSON, nullable=True)
    valence: Mapped[float] = mapped_column(Float)
    arousal: Mapped[float] = mapped_column(Float)
    satisfaction: Mapped[float] = mapped_column(Float)
    satisfaction_class: Mapped[str] = mapped_column(String(16))
    intent_labels: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    intent_probabilities: Mapped[dict[str, float] | None] = mapped_column(JSON, nullable=True)
    topic_labels: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    topic_probabilities: Mapped[dict[str, float] | None] = mapped_column(JSON, nullable=True)
    # each topic's own satisfaction: [{"topic", "satisfaction_class", "satisfaction"}] (emotrace.model.aspects)
    aspects: Mapped[list[dict[str, object]] | None] = mapped_column(JSON, nullable=True)
    # the text's language (ISO 639-1) and the reading's warnings (W001: not English, unreliable); null before 0016
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    warnings: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class Correction(Base):
    """A person's correction of a message's reading (the right satisfaction class, emotion labels, intents, topics:
    each as given, None where not given), kept with the message and erased with its customer (its client's
    Idempotency-Key and request hash with it: a retry under the key is answered from this row)."""

    __tablename__ = "corrections"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    satisfaction_class: Mapped[str | None] = mapped_column(String(16), nullable=True)
    labels: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    intents: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    topics: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    corrected_by: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True, index=True)
    request_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)


class BatchPart(Base):
    """A batch input row already stored (in the same transaction as its message): ``run_key`` the key of the message
    it makes, ``part`` how many rows of its input before it made the same message, ``customer_id`` the message's
    customer (a hash of their cells: erased with them). The release of 2026-12-02 marked a run's chunks instead (its
    run key, the chunk's index, no customer); those marks are still read."""

    __tablename__ = "batch_parts"

    run_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    customer_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)


class IdempotentWrite(Base):
    """A write made under a client's Idempotency-Key (stored in the same transaction as its messages), so a
    retried request is answered from what the first one stored instead of storing it again."""

    __tablename__ = "idempotent_writes"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_sha: Mapped[str] = mapped_column(String(64))
    message_ids: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ErasedWrite(Base):
    """An Idempotency-Key whose write an erasure took, kept as its SHA-256 alone: a retry under it is refused instead
    of storing the erased customer's messages again."""

    __tablename__ = "erased_writes"

    key_sha: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @staticmethod
    def digest(key: str) -> str:
        """What is kept of an Idempotency-Key."""
        return hashlib.sha256(key.encode()).hexdigest()


class IdempotentWriteCustomer(Base):
    """A customer whose messages a keyed write stored: erasing the customer erases the write's record with them."""

    __tablename__ = "idempotent_write_customers"

    key: Mapped[str] = mapped_column(ForeignKey("idempotent_writes.key", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)


class Outcome(Base):
    """Something the business knows happened: a customer event (churned, renewed, ...) or a conversation's rating
    (CSAT 1-5, resolved 1/0). Recording the same outcome twice keeps one row."""

    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("customer_id", "kind", "conversation_id", "occurred_at", name="uq_outcome"),
                      NEVER_REUSED_IDS)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(String(128), default="")  # "" for customer events
    value: Mapped[float | None] = mapped_column(Float, nullable=True)  # CSAT 1-5, resolved 1/0; None for events
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CustomerAttributes(Base):
    """The business's own attributes of a customer (plan, region, spend, ...), for cross-tables with segments."""

    __tablename__ = "customer_attributes"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
