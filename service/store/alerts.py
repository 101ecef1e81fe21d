"""Alerts as the floor works them: registered as the scoring rules raise them, then acknowledged, assigned and
resolved by people, every change kept in the alert's history.

New alerts and changes are written to the outbox in the same transactions (webhooks deliver them).

A customer's row holds their alerts as the scoring rules computed them, each with the ``id``, ``status`` and
``assignee`` of its :class:`AlertState`; both are written in the same transactions (a write that refreshes the
summary, a change made here), so a list read from either never disagrees with the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from emotrace.store.database import Database, chunks
from emotrace.store.outbox import Outbox
from emotrace.store.tables import AlertEvent, AlertState, Customer, Message, Outcome
from emotrace.times import utc

SYSTEM_ACTOR = "emotrace"
UNRESOLVED = ("open", "acknowledged")
Key = tuple[str, int]  # an alert's identity across refreshes (_key)
Seen = dict[int, tuple[datetime, str]]  # message id -> its time and conversation
PAST_NOTE = "Raised on messages older than the scoring rules' alert_open_hours (history): registered resolved."


@dataclass(frozen=True)
class AlertChange:
    """A change asked for: the new status and assignee (None: keep), a note, and who asks."""

    status: str | None = None
    assignee: str | None = None
    unassign: bool = False
    note: str | None = None
    actor: str = "api"


class Alerts:
    """Alert states and their histories."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def register(self, session: Session, customer: Customer, now: datetime,
                 previous: list[dict[str, object]], open_after: datetime | None = None) -> None:
        """Give each of ``customer``'s freshly computed alerts its state and count the unresolved ones, inside the
        caller's write transaction. Alerts already in ``previous`` (the row's list before this write, which holds
        each state as it stands) keep theirs without a query; only new ones are registered: as open, or as
        resolved when raised at a time before ``open_after`` (on history imported late: nothing for the floor to
        work, and no ``alert.new`` webhook). A new episode alert (:data:`EPISODES`) that is a held one the rules no
        longer raise, attributed to other messages (:func:`_same_episodes`), keeps its state: not a second alert; its
        row takes its new first message (:func:`_move`), so a later alert raised on the old one is an alert of its
        own."""
        held = {_key(a): a for a in previous if a.get("id") is not None}
        at = {_key(a): utc(datetime.fromisoformat(str(a["at"]))) for a in customer.alerts}
        new_keys = at.keys() - held.keys()
        states: dict[Key, dict[str, object]] = {
            key: {"id": a["id"], "status": a.get("status", "open"), "assignee": a.get("assignee")}
            for key, a in held.items()}
        moved = _same_episodes(session, held, customer.alerts, new_keys)
        for key, same in moved.items():
            states[key] = states[_key(same)]
            new_keys.discard(key)
        if moved:
            _move(session, customer.id, {cast(int, states[key]["id"]): key for key in moved}, now)
        created: set[int] = set()
        if new_keys:
            past = {key for key in new_keys if open_after is not None and at[key] < open_after}
            rows = [{"customer_id": customer.id, "kind": kind, "first_message_id": first, "created_at": now,
                     "status": "resolved" if (kind, first) in past else "open", "updated_at": now}
                    for kind, first in sorted(new_keys)]
            created = {i for part in chunks(rows) for i in session.execute(  # a statement binds at most 65,535 values
                self.db.insert(AlertState).values(list(part)).on_conflict_do_nothing().returning(AlertState.id)).scalars()}
            for state in session.scalars(select(AlertState).where(AlertState.customer_id == customer.id)):
                if (state.kind, state.first_message_id) in new_keys:
                    states[(state.kind, state.first_message_id)] = _state_fields(state)
                    if state.id in created:
                        session.add(AlertEvent(alert_id=state.id, at=now, actor=SYSTEM_ACTOR, status=state.status,
                                               note=PAST_NOTE if state.status == "resolved" else None))
        customer.alerts = [{**a, **states[_key(a)]} for a in customer.alerts]
        customer.open_alerts = sum(a["status"] in UNRESOLVED for a in customer.alerts)
        for alert in customer.alerts:
            if alert["id"] in created and alert["status"] == "open":
                Outbox.add(session, "alert.new", customer.id, {**alert, "customer_id": customer.id}, now)

    def get(self, alert_id: int) -> AlertState | None:
        """One alert's state, or None."""
        with self.db.session() as session:
            return session.get(AlertState, alert_id)

    def history(self, alert_id: int) -> list[AlertEvent]:
        """An alert's history, oldest first."""
        with self.db.session() as session:
            return list(session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert_id)
                                        .order_by(AlertEvent.at, AlertEvent.id)))

    def change(self, alert_id: int, change: AlertChange, now: datetime,
               check: Callable[[AlertState, AlertChange], None]) -> tuple[AlertState, Customer] | None:
        """Apply ``change`` in one transaction: the state, its history entry, the customer's alert list and count,
        and (on resolving) a "resolved" outcome for the conversation of the alert's last message, which lifts an
        outreach hold as a recorded one does (withdrawn when the alert is reopened). None when the alert is unknown;
        a change that changes nothing adds no history. ``check`` (:func:`emotrace.services.alerts.check_change`)
        refuses a change the alert, as locked, does not allow."""
        with self.db.writing() as session:
            state = session.get(AlertState, alert_id)
            if state is None:
                return None
            # the customer locked first, as an erasure locks it before deleting the alert (else they deadlock)
            customer = session.get(Customer, state.customer_id, with_for_update=True)
            state = session.get(AlertState, alert_id, with_for_update=True, populate_existing=True)
            if customer is None or state is None:  # erased while this change waited
                return None
            check(state, change)
            status = change.status or state.status
            assignee = None if change.unassign else change.assignee or state.assignee
            if (status, assignee) == (state.status, state.assignee) and not change.note:
                return state, customer
            if status == "resolved" and state.status != "resolved":
                self._record_resolved(session, customer, state, now)
            elif state.status == "resolved" and status != "resolved":
                _withdraw_resolved(session, state)
            state.status, state.assignee, state.updated_at = status, assignee, now
            session.add(AlertEvent(alert_id=alert_id, at=now, actor=change.actor, status=status, assignee=assignee,
                                   note=change.note))
            customer.alerts = [_with_state(a, state) if a.get("id") == alert_id else a for a in customer.alerts]
            customer.open_alerts = sum(a.get("status", "open") in UNRESOLVED for a in customer.alerts)
            held = next((a for a in customer.alerts if a.get("id") == alert_id), {"id": alert_id, "kind": state.kind})
            Outbox.add(session, "alert.changed", customer.id, {**held, "customer_id": customer.id, "actor": change.actor,
                                                              "note": change.note}, now)
            self.db.notify(session, {"alert": alert_id})
            session.flush()
            return state, customer

    def _record_resolved(self, session: Session, customer: Customer, state: AlertState, now: datetime) -> None:
        """Record the conversation of the alert's last message resolved, dated ``now`` as it happened and as recorded
        (which tells it from an outcome a user recorded: :func:`_withdraw_resolved`)."""
        alert = next((a for a in customer.alerts if a.get("id") == state.id), None)
        last = cast(list[int], alert["message_ids"])[-1] if alert else state.first_message_id
        conversation = session.scalar(select(Message.conversation_id).where(Message.id == last))
        if conversation is not None:
            session.execute(self.db.insert(Outcome).values(
                customer_id=customer.id, kind="resolved", conversation_id=conversation, value=1.0, occurred_at=now,
                recorded_at=now).on_conflict_do_nothing())


def _withdraw_resolved(session: Session, state: AlertState) -> None:
    """Delete the "resolved" outcome that resolving the alert recorded (:meth:`Alerts._record_resolved`): of its
    customer, value 1, dated when recorded, at a time the alert's history has it resolved. An outcome a user recorded is
    dated when it happened, before it was recorded, and stays."""
    resolved_at = select(AlertEvent.at).where(AlertEvent.alert_id == state.id, AlertEvent.status == "resolved")
    session.execute(delete(Outcome).where(
        Outcome.customer_id == state.customer_id, Outcome.kind == "resolved", Outcome.value == 1.0,
        Outcome.occurred_at == Outcome.recorded_at, Outcome.occurred_at.in_(resolved_at)))


def _same_episodes(session: Session, held: dict[Key, dict[str, object]], fresh: list[dict[str, object]],
                   new_keys: set[Key]) -> dict[Key, dict[str, object]]:
    """The new episode alerts (by key) that are held ones the rules no longer raise under their key: a message
    delivered late can move an episode's first message (a fall's peak or lowest point; a message dated before a
    conversation's first). A new alert is the held one of its kind that its kind's rule (:data:`EPISODES`) finds
    the same episode; each held alert goes to the earliest new one (by window) it matches."""
    raised = {_key(a) for a in fresh}
    gone = [a for key, a in held.items() if key[0] in EPISODES and key not in raised]
    found = [a for a in fresh if _key(a) in new_keys and a["kind"] in EPISODES]
    kinds = {a["kind"] for a in gone} & {a["kind"] for a in found}
    if not kinds:
        return {}
    seen = _messages_of(session, [a for a in gone + found if a["kind"] in kinds])
    gone = [a for a in gone if a["kind"] in kinds and _key(a)[1] in seen]
    same: dict[Key, dict[str, object]] = {}
    for new in sorted((a for a in found if a["kind"] in kinds and _key(a)[1] in seen),
                      key=lambda a: _window(a, seen)):
        rule = EPISODES[str(new["kind"])]
        match = next((old for old in gone if old["kind"] == new["kind"] and rule(old, new, seen)), None)
        if match is not None:
            same[_key(new)] = match
            gone.remove(match)
    return same


def _move(session: Session, customer_id: str, moved: dict[int, Key], now: datetime) -> None:
    """Give the rows of the re-attributed alerts (by id) their alerts' new keys, so that each row is keyed as its
    alert is now (``uq_alert`` keeps a key to one row; a row left with the old key would hand its state to any alert
    raised later on that message). A row holding one of the new keys is an alert the rules no longer raise (a key
    still raised is not new; a re-attributed alert's old key is not raised): it keeps its status and history, and
    lets go of the key (its first message, now the other alert's), noted in its history."""
    targets = {key: alert_id for alert_id, key in moved.items()}
    query = select(AlertState).where(AlertState.customer_id == customer_id,
                                     AlertState.first_message_id.in_(sorted({first for _, first in targets})))
    for state in session.scalars(query).all():
        key = (state.kind, state.first_message_id)
        if key in targets and state.id not in moved:
            state.first_message_id = -state.id  # claims no message (ids are positive, and never reused)
            session.add(AlertEvent(alert_id=state.id, at=now, actor=SYSTEM_ACTOR, status=state.status,
                                   assignee=state.assignee, note=f"Its first message, {key[1]}, is now alert "
                                   f"{targets[key]}'s: the rules raise this alert no longer."))
    session.flush()  # the keys let go of before they are taken
    for state in session.scalars(select(AlertState).where(AlertState.id.in_(sorted(moved)))).all():
        state.first_message_id = moved[state.id][1]
    session.flush()


def _overlap_in_time(held: dict[str, object], new: dict[str, object], seen: Seen) -> bool:
    """Their windows overlap: the rules raise one sharp_drop per fall, the windows of two falls apart."""
    (start, end), (was_start, was_end) = _window(new, seen), _window(held, seen)
    return was_start <= end and start <= was_end


def _share_a_conversation(held: dict[str, object], new: dict[str, object], seen: Seen) -> bool:
    """Their messages share a conversation: ends_worse is raised once a conversation, and a conversation is in one
    negative streak (two streaks are apart by a contact that was not negative; they can overlap in time, as
    interleaved conversations do)."""
    return bool(_conversations(held, seen) & _conversations(new, seen))


# The alert kinds raised once per episode, whose first message a late message can change, each with its rule for
# when a new alert and a held one are the same episode (_same_episodes).
EPISODES: dict[str, Callable[[dict[str, object], dict[str, object], Seen], bool]] = {
    "sharp_drop": _overlap_in_time, "ends_worse": _share_a_conversation, "sustained_negativity": _share_a_conversation}


def _messages_of(session: Session, alerts: Iterable[dict[str, object]]) -> Seen:
    """The time and conversation of each stored message the alerts name."""
    ids = sorted({i for a in alerts for i in _ids(a)})
    query = select(Message.id, Message.timestamp, Message.conversation_id)
    return {i: (utc(t), conversation) for part in chunks(ids)
            for i, t, conversation in session.execute(query.where(Message.id.in_(part))).tuples()}


def _window(alert: dict[str, object], seen: Seen) -> tuple[datetime, datetime]:
    """From the time of an alert's first message (stored) to its ``at``."""
    return seen[_key(alert)[1]][0], utc(datetime.fromisoformat(str(alert["at"])))


def _conversations(alert: dict[str, object], seen: Seen) -> set[str]:
    return {seen[i][1] for i in _ids(alert) if i in seen}


def _ids(alert: dict[str, object]) -> list[int]:
    return [int(i) for i in cast(list[int], alert["message_ids"])]


def _key(alert: dict[str, object]) -> Key:
    """An alert's identity across refreshes: its kind and first triggering message."""
    return str(alert["kind"]), int(cast(list[int], alert["message_ids"])[0])


def _state_fields(state: AlertState) -> dict[str, object]:
    """What a customer's alert list holds of an alert's state."""
    return {"id": state.id, "status": state.status, "assignee": state.assignee}


def _with_state(alert: dict[str, object], state: AlertState) -> dict[str, object]:
    return {**alert, **_state_fields(state)}
