"""Micro-batching: concurrent requests share one call of a batch function (the model, the store writer).

A bounded queue feeds one batching loop; a batch is cut when it holds ``max_batch`` items or when
``max_wait_ms`` has passed since its first request (0: take only what is already waiting, so requests
that arrive while a batch runs form the next one). The batch function runs on the batcher's own thread.
A full queue raises :class:`Overloaded` at once (the API answers 503 with Retry-After) instead of letting
callers hang, and so does a queue of at least one batch that would keep a new request longer than
``max_queue_wait_ms``: the items already queued, at the rate recent batches were served, or the wait the latest
batch's first request saw (load is shed early, while the requests already accepted are still answered in time).
When a batch of several requests fails, each request is retried alone, so a bad request fails by itself and the
others still get their results.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Overloaded(Exception):
    """The queue is full: the caller should retry later."""


Pending = tuple[list[Item], "asyncio.Future[list[Result]]", float]  # items, their future, when they were queued


class MicroBatcher(Generic[Item, Result]):
    """Collects items from concurrent callers into batches for one function that maps items to results."""

    def __init__(self, run: Callable[[list[Item]], list[Result]], max_batch: int = 64,
                 max_wait_ms: float = 4.0, max_queue: int = 512, name: str = "batch",
                 max_queue_wait_ms: float | None = None) -> None:
        self.run = run
        self.name = name
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000
        self.max_queue_wait = None if max_queue_wait_ms is None else max_queue_wait_ms / 1000
        self.queue_wait = 0.0  # how long the latest batch's first request waited in the queue (seconds)
        self.queued_items = 0
        self.rate = 0.0  # items served per second, a moving average over recent batches
        self.queue: asyncio.Queue[Pending[Item, Result]] = asyncio.Queue(max_queue)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.items = 0

    async def start(self) -> None:
        """Start the batching loop."""
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Stop the loop; callers still waiting get an error."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        while not self.queue.empty():
            _, future, _ = self.queue.get_nowait()
            if not future.done():
                future.set_exception(Overloaded("service is shutting down"))
        self._executor.shutdown(wait=False)

    def backlog(self) -> str | None:
        """Why a new request would be refused now (a queue wait over the limit), or None. A queue shorter than one
        batch is no backlog: the next batch takes it all (after one slow batch, a cold start or a pause, the wait
        and rate it left behind refused light load)."""
        if self.max_queue_wait is None or self.queued_items < self.max_batch:
            return None
        if self.queue_wait > self.max_queue_wait:
            return f"requests are waiting {self.queue_wait * 1000:.0f} ms for the {self.name}"
        if self.rate and self.queued_items / self.rate > self.max_queue_wait:
            return f"{self.queued_items} items queued for the {self.name} (~{self.queued_items / self.rate * 1000:.0f} ms)"
        return None

    async def submit(self, items: Sequence[Item]) -> list[Result]:
        """Results for ``items``, computed in a shared batch."""
        loop = asyncio.get_running_loop()
        if (reason := self.backlog()) is not None:
            raise Overloaded(reason)
        future: asyncio.Future[list[Result]] = loop.create_future()
        try:
            self.queue.put_nowait((list(items), future, loop.time()))
        except asyncio.QueueFull:
            raise Overloaded("request queue is full") from None
        self.queued_items += len(items)
        return await future

    async def _loop(self) -> None:
        while True:
            pending = await self._collect()
            if not await self._run_together(pending):
                for request in pending:  # the shared batch failed: each request on its own
                    await self._run_together([request])

    async def _collect(self) -> list[Pending[Item, Result]]:
        loop = asyncio.get_running_loop()
        pending = [await self.queue.get()]
        self.queue_wait = loop.time() - pending[0][2]
        size = len(pending[0][0])
        self.queued_items -= size
        deadline = loop.time() + self.max_wait
        while size < self.max_batch:
            try:  # take what is already waiting without a timer task per item
                item = self.queue.get_nowait()
            except asyncio.QueueEmpty:
                timeout = deadline - loop.time()
                if timeout <= 0:
                    break
                try:
                    item = await asyncio.wait_for(self.queue.get(), timeout)
                except TimeoutError:
                    break
            pending.append(item)
            size += len(item[0])
            self.queued_items -= len(item[0])
        return pending

    async def _run_together(self, pending: list[Pending[Item, Result]]) -> bool:
        """Run ``pending`` as one batch and hand out the results; False when it failed with several requests
        (nothing handed out: the caller retries them alone); a lone request hears its own error."""
        items = [item for batch, _, _ in pending for item in batch]
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            results = await loop.run_in_executor(self._executor, self.run, items)
        except Exception as exc:
            if len(pending) > 1:
                return False
            if not pending[0][1].done():
                pending[0][1].set_exception(exc)
            return True
        self.batches += 1
        self.items += len(items)
        served = len(items) / max(loop.time() - started, 1e-6)
        self.rate = served if not self.rate else 0.8 * self.rate + 0.2 * served
        start = 0
        for batch, future, _ in pending:
            if not future.done():
                future.set_result(results[start : start + len(batch)])
            start += len(batch)
        return True
