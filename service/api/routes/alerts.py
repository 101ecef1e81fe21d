"""Alerts across all customers, and working them: acknowledge, assign, resolve, with a history."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from emotrace.api.deps import GUARDS, RuntimeDep
from emotrace.api.feed import alert_detail, publish_alert
from emotrace.api.schemas import (
    PLAIN_DIGITS,
    ActorName,
    AlertChangeIn,
    AlertDetailOut,
    AlertStatus,
    CustomerAlertOut,
    SegmentFilter,
)
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.errors import EmotraceError
from emotrace.scoring.rules import known_segment
from emotrace.services.alerts import change_alert
from emotrace.store.alerts import AlertChange

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/alerts", tags=["alerts"], dependencies=GUARDS)
SEVERITY_RANK = {"critical": 0, "warning": 1}
MAX_ALERT_ID = 2**31 - 1  # the largest id an alert row can have (PostgreSQL integer)
AlertId = Annotated[int, Path(ge=1, le=MAX_ALERT_ID, description="The alert's id."), PLAIN_DIGITS]


class AlertSort(StrEnum):
    """Orderings of the alert list."""

    newest = "newest"
    severity = "severity"
    score = "score"


@router.get("", response_model=list[CustomerAlertOut])
def list_alerts(runtime: RuntimeDep, segment: SegmentFilter = None,
                status: Annotated[list[AlertStatus] | None, Query(description="Statuses to list (repeat for several; "
                                                                  "default: open and acknowledged).")] = None,
                assignee: Annotated[ActorName | None, Query(description="Only alerts assigned to this name.")] = None,
                sort: AlertSort = AlertSort.severity, limit: Annotated[int, Query(ge=1, le=5000), PLAIN_DIGITS] = 200,
                offset: Annotated[int, Query(ge=0, le=1_000_000), PLAIN_DIGITS] = 0, *,
                response: Response) -> list[CustomerAlertOut]:
    """Every customer's alerts in ``status`` (default: open and acknowledged); sortable and filterable by segment
    and assignee; paged with ``limit`` and ``offset``, the header ``X-Total-Count`` giving how many there are."""
    status = status or ["open", "acknowledged"]
    alerts = [CustomerAlertOut(**alert, customer_id=c.id, score=c.score, segment=c.segment)
              for c in runtime.store.customers.with_alerts(known_segment(segment, runtime.settings.scoring), status)
              for alert in c.alerts
              if alert.get("status", "open") in status and (assignee is None or alert.get("assignee") == assignee)]
    alerts.sort(key=lambda a: (a.customer_id, a.id or 0))  # ties keep one order: pages neither skip nor repeat
    alerts.sort(key=lambda a: a.at, reverse=True)
    if sort is AlertSort.severity:
        alerts.sort(key=lambda a: SEVERITY_RANK.get(a.severity, 9))
    elif sort is AlertSort.score:
        alerts.sort(key=lambda a: a.score)
    response.headers["X-Total-Count"] = str(len(alerts))
    return alerts[offset : offset + limit]


def _detail(runtime: RuntimeDep, alert_id: int) -> AlertDetailOut:
    if (detail := alert_detail(runtime.store, alert_id)) is None:
        raise EmotraceError("E905", f"Alert {alert_id} not found.")
    return detail


@router.get("/{alert_id}", response_model=AlertDetailOut)
def get_alert(alert_id: AlertId, runtime: RuntimeDep) -> AlertDetailOut:
    """One alert with its customer and history."""
    return _detail(runtime, alert_id)


@router.patch("/{alert_id}", response_model=AlertDetailOut)
def patch_alert(alert_id: AlertId, body: AlertChangeIn, runtime: RuntimeDep) -> AlertDetailOut:
    """Acknowledge, assign (``assignee: null`` unassigns), resolve or reopen an alert, with a note; each change is
    kept in its history and sent to the live feed. Resolving records the conversation as resolved (lifting an
    outreach hold as a recorded outcome does). 404 for an unknown id; 409 (E915) when a resolved alert is resolved
    again with a new note or assignee."""
    change = AlertChange(status=body.status, assignee=body.assignee,
                         unassign="assignee" in body.model_fields_set and body.assignee is None,
                         note=body.note, actor=body.actor)
    change_alert(runtime.store, alert_id, change)
    detail = _detail(runtime, alert_id)
    publish_alert(runtime.bus, detail)
    runtime.written()
    return detail
