"""Write records: the keyed requests (Idempotency-Key) and batch rows already stored, so each is stored once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from emotrace.store.database import Database
from emotrace.store.messages import BatchRow, claim_batch_rows, with_customers_in
from emotrace.store.tables import BatchPart, Customer, ErasedWrite, IdempotentWrite, Message


class Writes:
    """What was already written under a client's key or as a batch run's chunk."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def under_key(self, key: str) -> tuple[str, list[Message], list[Customer]] | None:
        """What the write under Idempotency-Key ``key`` stored: its request's hash, its messages (those not erased
        since) and their customers' current summaries; None for a new key."""
        with self.db.session() as session:
            write = session.get(IdempotentWrite, key)
            if write is None:
                return None
            return write.request_sha, *with_customers_in(session, write.message_ids)

    def was_erased(self, key: str) -> bool:
        """Whether an erasure took the write made under Idempotency-Key ``key``."""
        with self.db.session() as session:
            return session.get(ErasedWrite, ErasedWrite.digest(key)) is not None

    def has_batch_part(self, run_key: str, part: int) -> bool:
        """True when a release before row marks stored chunk ``part`` of batch run ``run_key``."""
        with self.db.session() as session:
            return session.get(BatchPart, (run_key, part)) is not None

    def mark_batch_rows(self, rows: Sequence[BatchRow], customer_ids: Sequence[str | None] | None = None) -> None:
        """Mark batch input ``rows`` as stored (rows a release before row marks stored), each with the customer of
        its message when ``customer_ids`` (in order) are given: erasing the customer takes the mark."""
        with self.db.writing() as session:
            claim_batch_rows(self.db, session, rows, datetime.now(UTC), customer_ids)
