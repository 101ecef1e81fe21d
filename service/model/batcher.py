"""Micro-batching: concurrent requests share one model call.

A bounded queue feeds one batching loop; a batch is cut when it holds ``max_batch`` texts or when
``max_wait_ms`` has passed since its first request. A full queue raises :class:`Overloaded` at once
(the API answers 503 with Retry-After) instead of letting callers hang.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from service.model.reading import Reading


class Overloaded(Exception):
    """The queue is full: the caller should retry later."""


class MicroBatcher:
    """Collects texts from concurrent callers into batches for one ``predict`` function."""

    def __init__(self, predict: Callable[[list[str]], list[Reading]], max_batch: int = 64,
                 max_wait_ms: float = 4.0, max_queue: int = 512) -> None:
        self.predict = predict
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000
        self.queue: asyncio.Queue[tuple[list[str], asyncio.Future[list[Reading]]]] = asyncio.Queue(max_queue)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model")
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.texts = 0

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
            _, future = self.queue.get_nowait()
            if not future.done():
                future.set_exception(Overloaded("service is shutting down"))
        self._executor.shutdown(wait=False)

    async def submit(self, texts: Sequence[str]) -> list[Reading]:
        """Readings for ``texts``, computed in a shared batch."""
        future: asyncio.Future[list[Reading]] = asyncio.get_running_loop().create_future()
        try:
            self.queue.put_nowait((list(texts), future))
        except asyncio.QueueFull:
            raise Overloaded("request queue is full") from None
        return await future

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            pending = [await self.queue.get()]
            size = len(pending[0][0])
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
            texts = [t for batch, _ in pending for t in batch]
            try:
                readings = await loop.run_in_executor(self._executor, self.predict, texts)
            except Exception as exc:  # the model failed: every caller of this batch hears why
                for _, future in pending:
                    if not future.done():
                        future.set_exception(exc)
                continue
            self.batches += 1
            self.texts += len(texts)
            start = 0
            for batch, future in pending:
                if not future.done():
                    future.set_result(readings[start : start + len(batch)])
                start += len(batch)
