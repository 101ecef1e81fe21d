"""Admission: a bounded number of requests inside the service at once; the rest wait a bounded time for a place.

Under overload, refusing costs too: each refused request is accepted, parsed and answered, and a client that
ignores Retry-After reconnects and asks again at once. With 1,024 such clients the refusals took the event loop
from the requests being served (accepted requests fell to 43-57 % of the rate 16 clients get). A request that finds
the service full therefore waits, once its body has arrived and before it is parsed (a timer, no CPU; a client that
stalls mid-body holds no place), for a place that a finished request frees; only one that waited ``wait_ms`` in vain
is refused. A place is handed on only while the work queues behind
it are not backlogged (``busy``), so requests inside never queue longer than the service's queue-wait limit,
whatever the machine's speed. Places go first come, first served.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable


class Admission:
    """``places`` requests inside at once; ``enter`` waits up to ``wait_ms`` for a place."""

    def __init__(self, places: int, wait_ms: float, busy: Callable[[], object] = lambda: None) -> None:
        self.places = places
        self.wait = wait_ms / 1000
        self.busy = busy  # a reason not to let anyone in now (a backlogged queue), or None
        self.inside = 0  # requests holding a place now
        self._waiting: deque[asyncio.Future[None]] = deque()

    def _open(self) -> bool:
        return self.inside < self.places and not self.busy()

    async def enter(self) -> bool:
        """Take a place (True), or False when none came free within the wait."""
        if not self._waiting and self._open():
            self.inside += 1
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            async with asyncio.timeout(self.wait):
                await waiter
        except TimeoutError:
            # a place handed over just as the wait ran out is taken, not lost
            return waiter.done() and not waiter.cancelled()
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.leave()  # handed a place it will never use
            raise
        return True

    def leave(self) -> None:
        """Give back a place taken by ``enter``; hand it on to the longest-waiting request if the service has room."""
        self.inside -= 1
        self.admit()

    def admit(self) -> None:
        """Let waiting requests in while there are places and the queues behind them are not backlogged."""
        while self._waiting and self._open():
            waiter = self._waiting.popleft()
            if not waiter.done():  # one that gave up was cancelled
                waiter.set_result(None)
                self.inside += 1
