"""Record: store customers' messages with their readings; summaries are refreshed in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, status

from service.api.deps import AccessDep, RuntimeDep, check_request_size, customer_out, message_out
from service.api.recording import new_message
from service.api.schemas import MessagesIn, RecordedOut

router = APIRouter(prefix="/v1/messages", tags=["messages"], dependencies=[AccessDep])


@router.post("", response_model=RecordedOut, status_code=status.HTTP_201_CREATED)
async def record_messages(body: MessagesIn, runtime: RuntimeDep) -> RecordedOut:
    """Read and store messages (one transaction: all are stored or none).

    Requests arriving together share the transaction (group commit); a failed shared write is retried
    request by request, so each request still stores all of its messages or none."""
    texts = [m.text for m in body.messages]
    check_request_size("messages", texts, runtime.settings)
    readings = await runtime.batcher.submit(texts)
    now = datetime.now(UTC)
    items = [new_message(m, r, runtime.settings, now) for m, r in zip(body.messages, readings, strict=True)]
    recorded = await runtime.writer.submit(items)
    customers = [c for _, c in sorted({r.customer.id: r.customer for r in recorded}.items())]
    out = RecordedOut(messages=[message_out(r.message) for r in recorded],
                      customers=[customer_out(c) for c in customers])
    if runtime.bus.subscribers:  # the live feed's copies cost a serialization each; skip them when no one listens
        for message in out.messages:
            runtime.bus.publish({"type": "reading", "customer_id": message.customer_id,
                                 "data": message.model_dump(mode="json")})
        for customer, row in zip(out.customers, customers, strict=True):
            runtime.bus.publish({"type": "customer", "customer_id": customer.id,
                                 "data": {**customer.model_dump(mode="json"), "alerts": row.alerts}})
    return out
