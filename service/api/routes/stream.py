"""The live feed: server-sent events of new readings, customer summaries and alerts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from sse_starlette.sse import EventSourceResponse

from emotrace.api.deps import GUARDS, RuntimeDep
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.messages import Identifier
from emotrace.settings import stored_id

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/stream", tags=["stream"], dependencies=GUARDS)


@router.get("", response_class=EventSourceResponse)
async def stream(request: Request, runtime: RuntimeDep,
                 customer_id: Annotated[Identifier | None, Query(description="Only this customer's events (default: "
                                                                 "everyone's).")] = None,
                 last_event_id: Annotated[str | None, Header(
                     max_length=64, description="The id of the last event received (a browser's EventSource sends "
                                                "it when it reconnects): the events after it come first.")] = None,
                 ) -> EventSourceResponse:
    """Events for one customer (``customer_id``) or for all: ``reading``, ``customer``, ``alert``, ``correction``,
    ``deleted``, each with an id; after ``ready``, a reconnecting client gets the events it missed, or ``gap``."""

    wanted = None if customer_id is None else stored_id(customer_id, runtime.settings)

    async def events() -> AsyncIterator[dict[str, str]]:
        async with runtime.bus.subscribe(last_event_id) as subscription:
            yield {"event": "ready", "data": "{}"}
            if subscription.gap:
                yield {"event": "gap", "data": json.dumps({
                    "problem": f"Events after {last_event_id} are no longer kept here (another server, a restart, "
                               "or a long disconnection): some may be missing.",
                    "fix": "Read the current state again (GET /v1/customers, GET /v1/alerts), then follow the feed."})}
            while not await request.is_disconnected():
                try:
                    item = await asyncio.wait_for(subscription.queue.get(), timeout=1.0)
                except TimeoutError:
                    continue
                if subscription.dropped:  # the client fell too far behind: it is told, as after a reconnection
                    subscription.dropped = False
                    yield {"event": "gap", "data": json.dumps({
                        "problem": "Events came faster than this client read them; some were dropped.",
                        "fix": "Read the current state again (GET /v1/customers, GET /v1/alerts), then follow the "
                               "feed."})}
                if wanted is None or item.event["customer_id"] == wanted:
                    yield {"id": item.id, "event": str(item.event["type"]), "data": json.dumps(item.event["data"])}

    return EventSourceResponse(events(), ping=15)
