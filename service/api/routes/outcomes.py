"""Outcomes the business records, and the outreach guard for one customer or a campaign audience."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import APIRouter, status
from fastapi.responses import StreamingResponse

from emotrace.api.deps import GUARDS, RuntimeDep
from emotrace.api.schemas import AudienceIn, CustomerIdPath, OutcomesIn, OutcomesStoredOut, OutreachOut
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.errors import EmotraceError
from emotrace.outcomes.outreach import check_audience
from emotrace.outcomes.records import stored_outcome
from emotrace.settings import stored_id

router = APIRouter(route_class=StrictJSONRoute, tags=["outcomes"], dependencies=GUARDS)


@router.post("/v1/outcomes", response_model=OutcomesStoredOut, status_code=status.HTTP_201_CREATED)
def record_outcomes(body: OutcomesIn, runtime: RuntimeDep) -> OutcomesStoredOut:
    """Record outcomes (customer events, conversation ratings) in one transaction; recording one again keeps one.
    Outcomes of customers emotrace has no messages of are refused (422, E801, naming them)."""
    outcomes = [stored_outcome(o, runtime.settings) for o in body.outcomes]
    stored = runtime.store.outcomes.add(outcomes)
    return OutcomesStoredOut(stored=stored, already_stored=len(outcomes) - stored)


@router.get("/v1/customers/{customer_id}/outreach", response_model=OutreachOut)
def get_outreach(customer_id: CustomerIdPath, runtime: RuntimeDep) -> OutreachOut:
    """May this customer get a marketing contact now? ``hold`` says why and until when."""
    if runtime.store.customers.get(stored_id(customer_id, runtime.settings)) is None:
        raise EmotraceError("E905", f"Customer '{customer_id}' not found.")
    (given, decision), = check_audience(runtime.store, runtime.settings, [customer_id], datetime.now(UTC))
    return OutreachOut(customer_id=given, decision=decision.decision, reasons=decision.reasons,
                       hold_until=decision.hold_until)


@router.post("/v1/outreach/check", response_class=StreamingResponse,
             responses={200: {"content": {"application/x-ndjson": {}},
                              "description": "One JSON line per customer id, in the order given: customer_id, "
                                             "decision (ok/hold), reasons, hold_until."}})
def check_outreach(body: AudienceIn, runtime: RuntimeDep) -> StreamingResponse:
    """The outreach guard over a campaign audience, streamed as JSON lines in the audience's order (ids emotrace
    has never read are ok, with that said)."""
    now = datetime.now(UTC)

    def lines() -> Iterator[str]:
        for customer_id, decision in check_audience(runtime.store, runtime.settings, body.customer_ids, now):
            yield OutreachOut(customer_id=customer_id, decision=decision.decision, reasons=decision.reasons,
                              hold_until=decision.hold_until).model_dump_json() + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")
