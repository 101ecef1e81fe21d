"""In-process publish/subscribe for the live feed (server-sent events)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class EventBus:
    """Fan-out of events to subscribers; a slow subscriber loses old events, never blocks writers."""

    def __init__(self, buffer: int = 256) -> None:
        self.buffer = buffer
        self._subscribers: set[asyncio.Queue[dict[str, object]]] = set()

    def publish(self, event: dict[str, object]) -> None:
        """Send ``event`` to every subscriber."""
        for queue in list(self._subscribers):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, object]]]:
        """A queue receiving events until the context exits."""
        queue: asyncio.Queue[dict[str, object]] = asyncio.Queue(self.buffer)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        """How many subscribers are connected."""
        return len(self._subscribers)
