"""Outcomes: what happened to customers and how their conversations were rated, and what outreach reads of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from emotrace.errors import EmotraceError
from emotrace.scoring.outreach import OutreachFacts
from emotrace.store.customers import refuse_unknown
from emotrace.store.database import Database, chunks
from emotrace.store.messages import existing_conversations_in
from emotrace.store.tables import Customer, Outcome
from emotrace.times import iso_utc, utc
from emotrace.wording import counted_doing


@dataclass(frozen=True)
class NewOutcome:
    """An outcome to store (ids already pseudonymised where the settings say so)."""

    customer_id: str
    kind: str
    occurred_at: datetime
    conversation_id: str = ""
    value: float | None = None


class Outcomes:
    """Recorded outcomes: added all or none, read back whole, per customer, or as outreach facts."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, outcomes: list[NewOutcome]) -> int:
        """Store outcomes in one transaction; returns how many were new (an outcome recorded before is kept once).
        Nothing is stored when any is refused: E801 names customers with no stored messages, E808 rated
        conversations the customer has no messages in, E807 an outcome recorded before (or twice here) with
        another value."""
        now = datetime.now(UTC)
        with self.db.writing() as session:
            refuse_unknown(session, (o.customer_id for o in outcomes),
                           "Record outcomes for customers emotrace knows (store their messages first).")
            rated = {(o.customer_id, o.conversation_id) for o in outcomes if o.conversation_id}
            if missing := sorted(rated - existing_conversations_in(session, rated)):
                shown = ", ".join(f"{c}/{conv}" for c, conv in missing[:10])
                said = counted_doing(len(missing), "rated conversation", "has", "have")
                raise EmotraceError("E808", f"{said} no stored messages of that customer: {shown}.",
                                    "Rate conversations emotrace has read (customer/conversation ids as stored).")
            _refuse_conflicts(session, outcomes)
            stored = 0
            for part in chunks(outcomes):
                rows = [{**o.__dict__, "recorded_at": now} for o in part]
                result = session.execute(self.db.insert(Outcome).values(rows).on_conflict_do_nothing()
                                         .returning(Outcome.id))
                stored += len(result.all())
            # again once inserted: a writer that checked at the same time may have stored another value first (its
            # row held back this insert until it committed), and this transaction then stores nothing
            _refuse_conflicts(session, outcomes)
            return stored

    def conflicting(self, outcomes: list[NewOutcome]) -> dict[int, str]:
        """Index -> why, for the outcomes :meth:`add` would refuse with E807 (given twice, or recorded before, with
        another value)."""
        with self.db.session() as session:
            return conflicts_in(session, outcomes)

    def all(self) -> list[Outcome]:
        """Every stored outcome, oldest first."""
        with self.db.session() as session:
            return list(session.scalars(select(Outcome).order_by(Outcome.occurred_at, Outcome.id)))

    def kinds(self, customer_id: str) -> set[str]:
        """The kinds of outcome recorded for one customer."""
        with self.db.session() as session:
            return set(session.scalars(select(Outcome.kind).where(Outcome.customer_id == customer_id)))

    def outreach_facts(self, customer_ids: Sequence[str], since: datetime) -> dict[str, OutreachFacts]:
        """What the outreach guard reads of each stored customer among ``customer_ids`` (at most a few thousand per
        call): the summary, and since ``since`` the escalated complaints and the conversations whose latest
        resolution record says not resolved (a later "resolved" lifts an earlier "not resolved")."""
        ids = list(customer_ids)
        with self.db.session() as session:
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


def _value(value: float | None) -> str:
    """An outcome's value as given: a rating 4, not 4.0."""
    return "none" if value is None else f"{value:g}"


def conflicts_in(session: Session, outcomes: list[NewOutcome]) -> dict[int, str]:
    """Index -> why, for each outcome given twice with different values (both of the two: neither is known to be
    right), or recorded before with another value."""
    found: dict[int, str] = {}
    first: dict[tuple[str, str, str, datetime], tuple[int, float | None]] = {}
    for i, o in enumerate(outcomes):
        key = (o.customer_id, o.kind, o.conversation_id, utc(o.occurred_at))
        if key in first and first[key][1] != o.value:
            found[i] = (f"{o.kind} of {o.customer_id} {o.conversation_id} at {iso_utc(key[3])} is given twice, as "
                        f"{_value(first[key][1])} and {_value(o.value)}")
            found.setdefault(first[key][0], found[i])
        first.setdefault(key, (i, o.value))
    for part in chunks(sorted({k[0] for k in first})):
        for stored in session.scalars(select(Outcome).where(Outcome.customer_id.in_(part))):
            key = (stored.customer_id, stored.kind, stored.conversation_id, utc(stored.occurred_at))
            if key in first and first[key][1] != stored.value:
                found.setdefault(first[key][0], f"{stored.kind} of {stored.customer_id} {stored.conversation_id} at "
                                 f"{iso_utc(key[3])} was recorded before as {_value(stored.value)}, now "
                                 f"{_value(first[key][1])}")
    return found


def _refuse_conflicts(session: Session, outcomes: list[NewOutcome]) -> None:
    """E807 naming the first outcome given twice with different values, or recorded before with another value."""
    if found := conflicts_in(session, outcomes):
        raise EmotraceError("E807", f"{found[min(found)]}.", "Give each outcome once; a recorded outcome is kept as "
                            "it is: record a new one with its own time instead.")
