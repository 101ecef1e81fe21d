"""Corrections: people's right readings of stored messages, each written in one transaction with its outbox event
and change notice (once per client's Idempotency-Key), and read back per customer or, with their messages' texts, for
training."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from emotrace.scoring.timeline import CUSTOMER
from emotrace.store.database import Database
from emotrace.store.outbox import Outbox
from emotrace.store.tables import Correction, Customer, Message
from emotrace.times import iso_utc

CORRECTION_EVENT = "correction"  # the outbox (webhook) event of a new correction


@dataclass(frozen=True)
class NewCorrection:
    """A correction to store: the right reading's parts as given (None: not corrected), who made it, a note."""

    corrected_by: str
    satisfaction_class: str | None = None
    labels: list[str] | None = None
    intents: list[str] | None = None
    topics: list[str] | None = None
    note: str | None = None


@dataclass(frozen=True)
class CorrectionKey:
    """A client's Idempotency-Key for a correction request, and the request's hash (its message id and body)."""

    key: str
    request_sha: str


class KeyReused(Exception):
    """An Idempotency-Key already used for another correction request (another message or another body)."""


class AgentTurn(Exception):
    """A correction of an agent's turn: agent turns are never scored, and adapt learns the customers' readings."""


class StoredCorrection(NamedTuple):
    """A correction as :meth:`Corrections.add` stored it or, ``replayed``, as an earlier request under the same
    Idempotency-Key stored it (nothing was written again)."""

    correction: Correction
    replayed: bool


def under_key(session: Session, key: str) -> Correction | None:
    """The correction stored under Idempotency-Key ``key``, or None."""
    return session.scalar(select(Correction).where(Correction.idempotency_key == key))


def _replay(stored: Correction, message_id: int, key: CorrectionKey) -> StoredCorrection:
    """``stored`` answering a retry of a correction of ``message_id`` under ``key``: :class:`KeyReused` when it was
    made for another request (another message, another request hash)."""
    if (stored.message_id, stored.request_sha) != (message_id, key.request_sha):
        raise KeyReused(key.key)
    return StoredCorrection(stored, replayed=True)


class CorrectedMessage(NamedTuple):
    """What a corrected message holds: its stored text (None where the settings kept none), the intents and topics
    it was read with (none for messages stored before those views) and who spoke it (a correction of an agent's turn
    is refused now, and may have been stored before)."""

    text: str | None
    intents: list[str]
    topics: list[str]
    speaker: str


class Corrections:
    """The corrections of stored messages."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, message_id: int, correction: NewCorrection, now: datetime, key: CorrectionKey | None = None
            ) -> StoredCorrection | None:
        """Store ``correction`` of message ``message_id`` with its ``correction`` outbox event and change notice, in
        one transaction; None when the message is not stored (never was, or was erased with its customer).

        Under a client's ``key``, a correction already stored under it (by this request's earlier try, on any
        replica) is returned instead, ``replayed``, and nothing is written; :class:`KeyReused` when it was stored for
        another request. Checked once the customer is locked; a concurrent request that stored the key after the
        check (its insert fails on the key) is answered from that request's correction as well. :class:`AgentTurn`,
        nothing written, for a message an agent spoke."""
        try:
            with self.db.writing() as session:
                customer_id = session.scalar(select(Message.customer_id).where(Message.id == message_id))
                if customer_id is None:
                    return None
                # locked as an erasure locks it: an erasure under way commits first, and the message is read after it
                session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())
                message = session.get(Message, message_id)
                if message is None:
                    return None
                if key is not None and (stored := under_key(session, key.key)) is not None:
                    return _replay(stored, message_id, key)
                if message.speaker != CUSTOMER:
                    raise AgentTurn(message_id)
                row = Correction(message_id=message_id, customer_id=customer_id, created_at=now,
                                 idempotency_key=key.key if key else None,
                                 request_sha=key.request_sha if key else None, **asdict(correction))
                session.add(row)
                session.flush()
                Outbox.add(session, CORRECTION_EVENT, customer_id, event_payload(row, message), now)
                self.db.notify(session, {"correction": row.id})
                return StoredCorrection(row, replayed=False)
        except IntegrityError:  # the key stored meanwhile by a request the customer's lock did not hold back
            if key is None or (replayed := self.replay(message_id, key)) is None:
                raise
            return replayed

    def replay(self, message_id: int, key: CorrectionKey) -> StoredCorrection | None:
        """The correction an earlier request under ``key`` stored, ``replayed``; None when none was stored under it
        (:class:`KeyReused` when it was stored for another request)."""
        with self.db.session() as session:
            stored = under_key(session, key.key)
        return None if stored is None else _replay(stored, message_id, key)

    def get(self, correction_id: int) -> Correction | None:
        """One correction, or None (unknown, or erased with its customer)."""
        with self.db.session() as session:
            return session.get(Correction, correction_id)

    def of_customer(self, customer_id: str) -> dict[int, list[Correction]]:
        """A customer's corrections by message id, oldest first."""
        found: dict[int, list[Correction]] = {}
        with self.db.session() as session:
            for row in session.scalars(select(Correction).where(Correction.customer_id == customer_id)
                                       .order_by(Correction.created_at, Correction.id)):
                found.setdefault(row.message_id, []).append(row)
        return found

    def with_messages(self) -> list[tuple[Correction, CorrectedMessage]]:
        """Every correction, oldest first, with what its message holds (:class:`CorrectedMessage`)."""
        query = (select(Correction, Message.text, Message.intent_labels, Message.topic_labels, Message.speaker)
                 .join(Message, Message.id == Correction.message_id).order_by(Correction.created_at, Correction.id))
        with self.db.session() as session:
            return [(row, CorrectedMessage(text, intents or [], topics or [], speaker))
                    for row, text, intents, topics, speaker in session.execute(query).tuples()]


def event_payload(correction: Correction, message: Message) -> dict[str, object]:
    """What a ``correction`` webhook event carries: the correction, and the reading it corrects."""
    return {"id": correction.id, "message_id": message.id, "customer_id": message.customer_id,
            "satisfaction_class": correction.satisfaction_class, "labels": correction.labels,
            "intents": correction.intents, "topics": correction.topics, "corrected_by": correction.corrected_by,
            "note": correction.note, "created_at": iso_utc(correction.created_at),
            "reading": {"satisfaction_class": message.satisfaction_class, "labels": message.labels,
                        "intents": message.intent_labels, "topics": message.topic_labels}}
