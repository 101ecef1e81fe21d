"""The live feed: server-sent events of new readings, customer summaries and alerts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sse_starlette.sse import EventSourceResponse

from emotrace.api.deps import AccessDep, RuntimeDep
from emotrace.messages import Identifier
from emotrace.settings import pseudonym

router = APIRouter(prefix="/v1/stream", tags=["stream"], dependencies=[AccessDep])


@router.get("", response_class=EventSourceResponse)
async def stream(request: Request, runtime: RuntimeDep,
                 customer_id: Annotated[Identifier | None, Query(description="Only this customer's events (default: "
                                                                 "everyone's).")] = None
                 ) -> EventSourceResponse:
    """Events for one customer (``customer_id``) or for all: ``reading``, ``customer``, ``deleted``."""

    wanted = None if customer_id is None else pseudonym(customer_id, runtime.settings)

    async def events() -> AsyncIterator[dict[str, str]]:
        async with runtime.bus.subscribe() as queue:
            yield {"event": "ready", "data": "{}"}
            while not await request.is_disconnected():
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=1.0)
                except TimeoutError:
                    continue
                if wanted is None or event["customer_id"] == wanted:
                    yield {"event": str(event["type"]), "data": json.dumps(event["data"])}

    return EventSourceResponse(events(), ping=15)
