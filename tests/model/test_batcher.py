"""The batching loop: batches are cut by size, and a full queue is refused at once."""

from __future__ import annotations

import asyncio
import time

from service.model.batcher import MicroBatcher, Overloaded


def test_concurrent_callers_share_batches(classifier) -> None:
    async def scenario() -> tuple[list, MicroBatcher]:
        batcher = MicroBatcher(classifier.predict, max_batch=8, max_wait_ms=20)
        await batcher.start()
        texts = [f"text number {i}, thanks!" for i in range(16)]
        results = await asyncio.gather(*(batcher.submit([t]) for t in texts))
        await batcher.stop()
        return results, batcher

    results, batcher = asyncio.run(scenario())
    assert [r[0].text for r in results] == [f"text number {i}, thanks!" for i in range(16)]
    assert batcher.batches <= 4 and batcher.texts == 16


def test_full_queue_is_refused_not_hung(classifier) -> None:
    def slow_predict(texts: list[str]):
        time.sleep(0.3)
        return classifier.predict(texts)

    async def scenario() -> int:
        batcher = MicroBatcher(slow_predict, max_batch=1, max_wait_ms=0, max_queue=2)
        await batcher.start()
        tasks = [asyncio.create_task(batcher.submit(["ok"])) for _ in range(6)]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        await batcher.stop()
        return sum(isinstance(r, Overloaded) for r in results)

    refused = asyncio.run(scenario())
    assert refused >= 3

