"""Messages: stored with their readings, each write refreshing its customers' summaries in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from emotrace.scoring.drivers import TopicMessage, topic_feelings
from emotrace.scoring.timeline import CUSTOMER, Signal
from emotrace.store.alerts import Alerts
from emotrace.store.customers import Customers, CustomerSummary
from emotrace.store.database import ID_CHUNK, Database, chunks
from emotrace.store.tables import BatchPart, Customer, ErasedWrite, IdempotentWrite, IdempotentWriteCustomer, Message
from emotrace.times import utc

# a customer's own turns as signals, and the time of the write -> their new summary (None: nothing to score)
Summarize = Callable[[list[Signal], datetime], CustomerSummary]


BatchRow = tuple[str, int]  # a batch input row's mark: the key of the message it makes, and how many before it made it


def claim_batch_rows(db: Database, session: Session, rows: Sequence[BatchRow], now: datetime,
                     customer_ids: Sequence[str | None] | None = None) -> set[BatchRow]:
    """Mark batch input ``rows`` as stored in ``session``'s transaction, each with the customer of its message
    (``customer_ids``, in order; erasing the customer takes the mark); the ones this claimed (not marked before)."""
    claimed: set[BatchRow] = set()
    owners = list(customer_ids) if customer_ids is not None else [None] * len(rows)
    for part in chunks(list(zip(rows, owners, strict=True))):
        claimed.update(session.execute(
            db.insert(BatchPart).values([{"run_key": key, "part": n, "ingested_at": now, "customer_id": owner}
                                         for (key, n), owner in part])
            .on_conflict_do_nothing().returning(BatchPart.run_key, BatchPart.part)).tuples())
    return claimed


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
    ekman_probabilities: dict[str, float]
    sentiment_labels: list[str]
    valence: float
    arousal: float
    satisfaction: float
    satisfaction_class: str
    ekman_labels: list[str] | None = None
    sentiment_probabilities: dict[str, float] | None = None
    agent_id: str | None = None
    intent_labels: list[str] | None = None
    intent_probabilities: dict[str, float] | None = None
    topic_labels: list[str] | None = None
    topic_probabilities: dict[str, float] | None = None
    aspects: list[dict[str, object]] | None = None
    language: str | None = None
    warnings: list[str] | None = None


class WriteErased(Exception):
    """A keyed write whose Idempotency-Key an erasure of its customer took after the write's replay check: storing it
    would bring the erased messages back."""


class ConversationStored(Exception):
    """A write would store a conversation again: ``pairs`` are its (customer, conversation) ids already stored (or
    given twice in the write)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(f"conversations already stored: {pairs}")
        self.pairs = pairs


@dataclass(frozen=True)
class RequestKey:
    """A client's Idempotency-Key for the messages ``items[start:stop]`` of one write, and its request's hash."""

    key: str
    request_sha: str
    start: int
    stop: int


SIGNAL_COLUMNS = (Message.id, Message.conversation_id, Message.timestamp, Message.speaker, Message.valence,
                  Message.arousal, Message.satisfaction, Message.ekman_probabilities, Message.intent_labels,
                  Message.intent_probabilities, Message.topic_labels, Message.aspects, Message.satisfaction_class)


@dataclass(frozen=True)
class DailyChannel:
    """One UTC day's customer messages on one channel."""

    day: str  # YYYY-MM-DD
    channel: str
    messages: int
    mean_satisfaction: float
    mean_valence: float
    dissatisfied: int


class Messages:
    """The messages: written in transactions with their customers' summaries, read back per customer."""

    def __init__(self, db: Database, customers: Customers, alerts: Alerts) -> None:
        self.db = db
        self.customers = customers
        self.alerts = alerts

    def add(self, items: Iterable[NewMessage], summarize: Summarize, batch_rows: Sequence[BatchRow] | None = None,
            request_keys: Iterable[RequestKey] = (), new_conversations: Iterable[tuple[str, str]] = ()
            ) -> tuple[list[Message], list[Customer]]:
        """Store messages and their customers' new summaries (``summarize``), all in one transaction.

        ``batch_rows`` (each item's batch input row mark) are claimed in the same transaction and the items whose
        rows were claimed before (by an earlier run, or one at the same time) are left out; ``request_keys`` are
        recorded in it too (a key already used fails the transaction): so a batch input's row or a client's keyed
        request is stored exactly once (see :class:`emotrace.store.writes.Writes`). ``new_conversations``
        (customer, conversation) must have no stored messages, checked once their customers are locked: a concurrent
        write of one of them, on any replica, has committed by then, so a conversation uploaded twice at once is
        stored once (:class:`ConversationStored`). Returns the stored messages and the refreshed customers (sorted by id)."""
        items, new_conversations = list(items), list(new_conversations)
        now = datetime.now(UTC)
        with self.db.writing() as session:
            if batch_rows is not None:
                claimed = claim_batch_rows(self.db, session, batch_rows, now, [item.customer_id for item in items])
                items = [item for item, row in zip(items, batch_rows, strict=True) if row in claimed]
                if not items:
                    return [], []
            ids = sorted({m.customer_id for m in items})
            customers = self.customers.lock_or_create(session, ids, now)
            if new_conversations:
                _refuse_stored(session, new_conversations)
            keys = list(request_keys)
            if keys and session.scalars(select(ErasedWrite.key_sha).where(
                    ErasedWrite.key_sha.in_([ErasedWrite.digest(k.key) for k in keys]))).first() is not None:
                raise WriteErased  # an erasure committed between the replay check and this write: checked locked
            rows = [Message(**item.__dict__) for item in items]
            session.add_all(rows)
            session.flush()
            for k in keys:  # each key with the customers it wrote: their erasure erases it
                session.add(IdempotentWrite(key=k.key, request_sha=k.request_sha, created_at=now,
                                            message_ids=[row.id for row in rows[k.start : k.stop]]))
                session.add_all(IdempotentWriteCustomer(key=k.key, customer_id=customer_id)
                                for customer_id in sorted({item.customer_id for item in items[k.start : k.stop]}))
            for customer_id, signals in signals_in(session, ids, customer_turns_only=True).items():
                customers[customer_id].updated_at = now
                summary = summarize(signals, now)
                previous = list(customers[customer_id].alerts)
                summary.apply(customers[customer_id])
                self.alerts.register(session, customers[customer_id], now, previous, summary.alerts_open_after)
            self.db.notify(session, {"messages": [row.id for row in rows]})
            return rows, [customers[i] for i in ids]

    def of_customer(self, customer_id: str) -> list[Message]:
        """A customer's messages, oldest first."""
        with self.db.session() as session:
            return list(session.scalars(select(Message).where(Message.customer_id == customer_id)
                                        .order_by(Message.timestamp, Message.id)))

    def with_customers(self, message_ids: list[int]) -> tuple[list[Message], list[Customer]]:
        """The messages ``message_ids`` (in that order; erased ones left out) and their customers, sorted by id."""
        with self.db.session() as session:
            return with_customers_in(session, message_ids)

    def signals(self, customer_id: str, customer_turns_only: bool = False) -> list[Signal]:
        """One customer's messages as signals (in no particular order; agent turns too unless told otherwise)."""
        with self.db.session() as session:
            return signals_in(session, [customer_id], customer_turns_only)[customer_id]

    def customer_signals(self, chunk: int = ID_CHUNK) -> Iterator[tuple[str, list[Signal]]]:
        """Every customer's messages as signals (customer and agent turns, in no particular order), a chunk of
        customers at a time: what outcome models and segments read."""
        with self.db.session() as session:
            ids = list(session.scalars(select(Customer.id).order_by(Customer.id)))
        for part in chunks(ids, chunk):
            with self.db.session() as session:
                yield from signals_in(session, list(part)).items()

    def daily(self, since: datetime) -> list[DailyChannel]:
        """Customers' own messages since ``since`` per UTC day and channel: how many, mean satisfaction and valence,
        how many read dissatisfied (one grouped query)."""
        day = (func.date(Message.timestamp) if self.db.is_sqlite
               else func.to_char(func.timezone("UTC", Message.timestamp), "YYYY-MM-DD"))
        query = (select(day, Message.channel, func.count(), func.avg(Message.satisfaction), func.avg(Message.valence),
                        func.sum(case((Message.satisfaction_class == "dissatisfied", 1), else_=0)))
                 .where(Message.speaker == CUSTOMER, Message.timestamp >= since)
                 .group_by(day, Message.channel).order_by(day, Message.channel))
        with self.db.session() as session:
            return [DailyChannel(str(d), str(channel), int(n), float(satisfaction), float(valence), int(dissatisfied or 0))
                    for d, channel, n, satisfaction, valence, dissatisfied in session.execute(query)]

    def with_topics(self, since: datetime, until: datetime, segment: str | None = None,
                    channel: str | None = None) -> list[TopicMessage]:
        """Customers' own messages from ``since`` up to (not including) ``until`` as drivers read them, optionally
        only of customers now in ``segment`` and only on ``channel`` (one query of the columns drivers read)."""
        query = (select(Message.customer_id, Message.timestamp, Message.text, Message.satisfaction,
                        Message.satisfaction_class, Message.topic_labels, Message.aspects)
                 .where(Message.speaker == CUSTOMER, Message.timestamp >= since, Message.timestamp < until))
        if segment is not None:
            query = query.join(Customer, Customer.id == Message.customer_id).where(Customer.segment == segment)
        if channel is not None:
            query = query.where(Message.channel == channel)
        with self.db.session() as session:
            return [TopicMessage(customer_id, utc(ts), text, topic_feelings(labels, aspects, s, satisfaction_class))
                    for customer_id, ts, text, s, satisfaction_class, labels, aspects in session.execute(query)]

    def count_in_conversation(self, customer_id: str, conversation_id: str) -> int:
        """How many messages of ``conversation_id`` the customer has stored."""
        with self.db.session() as session:
            return int(session.scalar(select(func.count()).select_from(Message).where(
                Message.customer_id == customer_id, Message.conversation_id == conversation_id)) or 0)

    def existing_conversations(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (customer, conversation) pairs have stored messages."""
        with self.db.session() as session:
            return existing_conversations_in(session, set(pairs))


def signals_in(session: Session, customer_ids: list[str], customer_turns_only: bool = False
               ) -> dict[str, list[Signal]]:
    """The messages of ``customer_ids`` as signals, read in a query of the columns scoring reads per chunk of ids."""
    found: dict[str, list[Signal]] = {customer_id: [] for customer_id in customer_ids}
    query = select(Message.customer_id, *SIGNAL_COLUMNS)
    if customer_turns_only:
        query = query.where(Message.speaker == CUSTOMER)
    rows = (row for part in chunks(customer_ids) for row in session.execute(query.where(Message.customer_id.in_(part))))
    for (customer_id, i, conv, ts, speaker, v, a, s, ekman, intent_labels, intent_p, topic_labels, aspects,
         satisfaction_class) in rows:
        stated = {name: (intent_p or {}).get(name, 1.0) for name in intent_labels or ()}
        found[customer_id].append(Signal(i, conv, utc(ts), speaker, v, a, s, ekman, stated,
                                         topic_feelings(topic_labels, aspects, s, satisfaction_class)))
    return found


def with_customers_in(session: Session, message_ids: list[int]) -> tuple[list[Message], list[Customer]]:
    """The messages ``message_ids`` that still exist, in that order, and their customers sorted by id."""
    messages = {m.id: m for part in chunks(message_ids) for m in session.scalars(select(Message).where(
        Message.id.in_(part)))}
    found = [messages[i] for i in message_ids if i in messages]
    ids = sorted({m.customer_id for m in found})
    customers = {c.id: c for part in chunks(ids) for c in session.scalars(select(Customer).where(Customer.id.in_(part)))}
    return found, [customers[i] for i in ids if i in customers]  # one erased meanwhile is left out


def _refuse_stored(session: Session, conversations: list[tuple[str, str]]) -> None:
    repeated = {pair for pair in conversations if conversations.count(pair) > 1}
    if stored := sorted(repeated | existing_conversations_in(session, set(conversations))):
        raise ConversationStored(stored)


def existing_conversations_in(session: Session, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (customer, conversation) pairs have stored messages, inside an open session."""
    found: set[tuple[str, str]] = set()
    customers = sorted({c for c, _ in pairs})
    for part in chunks(customers):
        rows = session.execute(select(Message.customer_id, Message.conversation_id).distinct()
                               .where(Message.customer_id.in_(part)))
        found.update((c, conv) for c, conv in rows if (c, conv) in pairs)
    return found
