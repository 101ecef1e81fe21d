"""CSV exports for a lead's own spreadsheets: every customer's summary, every alert with its status."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from emotrace.api.deps import GUARDS, RuntimeDep
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.store import Store
from emotrace.times import iso_utc

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/export", tags=["export"], dependencies=GUARDS)
CHUNK = 1_000
CUSTOMER_COLUMNS = ["id", "score", "segment", "trend", "trend_delta", "open_alerts", "updated_at"]
ALERT_COLUMNS = ["customer_id", "id", "kind", "severity", "status", "assignee", "at", "reason", "message_ids"]
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "A CSV file with a header row."}}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell starting so as a formula


def spreadsheet_safe(cell: object) -> object:
    """``cell`` as a spreadsheet shows it without running it: text that would start a formula gets a leading
    apostrophe (OWASP's advice for CSV meant for spreadsheets); numbers and other text are kept."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def _csv(header: list[str], rows: Iterable[list[object]], filename: str) -> StreamingResponse:
    """A streamed CSV download: the header row, then ``rows`` as they come (cells :func:`spreadsheet_safe`)."""
    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        all_rows: Iterator[Sequence[object]] = itertools.chain([header], rows)
        for row in all_rows:
            writer.writerow([spreadsheet_safe(cell) for cell in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _customers(store: Store) -> Iterator[list[object]]:
    """Every customer once, in the ranking as the export began (paging the live ranking by offset moved a customer
    whose score changed meanwhile between pages), each summary read as its chunk is written."""
    ranked = store.customers.ranked_ids()
    for start in range(0, len(ranked), CHUNK):
        for c in store.customers.of_ids(ranked[start : start + CHUNK]):  # an erased customer is left out
            yield [c.id, round(c.score, 2), c.segment, c.trend, round(c.trend_delta, 2), c.open_alerts,
                   iso_utc(c.updated_at)]


@router.get("/customers", response_class=StreamingResponse, responses=CSV_RESPONSE)
def export_customers(runtime: RuntimeDep) -> StreamingResponse:
    """Every customer's summary, riskiest first, as CSV."""
    return _csv(CUSTOMER_COLUMNS, _customers(runtime.store), "customers.csv")


@router.get("/alerts", response_class=StreamingResponse, responses=CSV_RESPONSE)
def export_alerts(runtime: RuntimeDep) -> StreamingResponse:
    """Every alert (open, acknowledged and resolved) with its customer and status, as CSV."""
    rows = ([c.id, a.get("id"), a["kind"], a["severity"], a.get("status", "open"), a.get("assignee") or "",
             iso_utc(datetime.fromisoformat(str(a["at"]))),
             a["reason"], " ".join(map(str, cast(list[int], a["message_ids"])))]
            for c in runtime.store.customers.with_alerts(statuses=("open", "acknowledged", "resolved"))
            for a in c.alerts)
    return _csv(ALERT_COLUMNS, rows, "alerts.csv")
