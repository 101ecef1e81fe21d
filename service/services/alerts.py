"""Working alerts: the rules of a status change, and an alert with its customer's view of it and its history."""

from __future__ import annotations

from datetime import UTC, datetime

from emotrace.errors import EmotraceError
from emotrace.store import Store
from emotrace.store.alerts import AlertChange
from emotrace.store.tables import AlertState, Customer
from emotrace.times import utc


def check_change(state: AlertState, change: AlertChange) -> None:
    """E915 when a resolved alert would be resolved again with something new (a note, another assignee): reopen it
    first. Every other change is allowed, reopening included; asking for the state it is in changes nothing."""
    if state.status == "resolved" and change.status == "resolved" and (
            change.note or (change.unassign and state.assignee is not None)
            or change.assignee not in (None, state.assignee)):
        raise EmotraceError("E915", f"Alert {state.id} is already resolved.")


def change_alert(store: Store, alert_id: int, change: AlertChange) -> tuple[AlertState, Customer]:
    """Check and apply ``change`` to alert ``alert_id`` (E905 when there is none, or it was erased); checked on the
    alert as locked for the change (two resolutions at once: the second is E915, not a second history entry)."""
    changed = store.alerts.change(alert_id, change, datetime.now(UTC), check_change)
    if changed is None:
        raise EmotraceError("E905", f"Alert {alert_id} not found.")
    return changed


def alert_view(customer: Customer, state: AlertState) -> dict[str, object]:
    """The alert as the customer's row holds it (kind, reason, messages, severity, status, assignee); one the rules
    no longer raise (its messages rescored away) is described from its state: its first message, unless another
    alert has taken it (see :class:`AlertState`)."""
    held = next((a for a in customer.alerts if a.get("id") == state.id), None)
    first = [state.first_message_id] if state.first_message_id > 0 else []
    return held or {"id": state.id, "kind": state.kind, "reason": "no longer raised by the scoring rules",
                    "message_ids": first, "at": utc(state.created_at), "severity": "warning",
                    "status": state.status, "assignee": state.assignee}
