"""Open alerts across all customers."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Query

from emotrace.api.deps import AccessDep, RuntimeDep
from emotrace.api.schemas import SEGMENT_PATTERN, CustomerAlertOut

router = APIRouter(prefix="/v1/alerts", tags=["alerts"], dependencies=[AccessDep])
SEVERITY_RANK = {"critical": 0, "warning": 1}


class AlertSort(StrEnum):
    """Orderings of the alert list."""

    newest = "newest"
    severity = "severity"
    score = "score"


@router.get("", response_model=list[CustomerAlertOut])
def list_alerts(runtime: RuntimeDep, segment: str | None = Query(None, max_length=32, pattern=SEGMENT_PATTERN),
                sort: AlertSort = AlertSort.severity, limit: int = Query(200, ge=1, le=5000)) -> list[CustomerAlertOut]:
    """Every customer's open alerts; sortable and filterable by segment."""
    alerts = [CustomerAlertOut(**alert, customer_id=c.id, score=c.score, segment=c.segment)
              for c in runtime.store.customers.with_alerts(segment) for alert in c.alerts]
    alerts.sort(key=lambda a: a.at, reverse=True)
    if sort is AlertSort.severity:
        alerts.sort(key=lambda a: SEVERITY_RANK.get(a.severity, 9))
    elif sort is AlertSort.score:
        alerts.sort(key=lambda a: a.score)
    return alerts[:limit]
