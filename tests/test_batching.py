"""The batching loop: batches are cut by size, a full queue is refused at once, a failing request fails alone."""

from __future__ import annotations

import asyncio
import time

from emotrace.batching import MicroBatcher, Overloaded


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
    assert batcher.batches <= 4 and batcher.items == 16


def test_no_batch_is_larger_than_max_batch() -> None:
    sizes: list[int] = []

    def record(items: list[int]) -> list[int]:
        sizes.append(len(items))
        return items

    async def scenario() -> list[list[int]]:
        batcher = MicroBatcher(record, max_batch=4, max_wait_ms=50)
        await batcher.start()
        results = await asyncio.gather(*(batcher.submit([i]) for i in range(10)))
        await batcher.stop()
        return results

    assert asyncio.run(scenario()) == [[i] for i in range(10)]
    assert sum(sizes) == 10
    assert max(sizes) == 4  # full batches, none over the limit


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


def test_requests_are_shed_once_the_queue_wait_passes_the_limit() -> None:
    def slow(items: list[int]) -> list[int]:
        time.sleep(0.1)
        return items

    async def scenario() -> tuple[list, list]:
        batcher = MicroBatcher(slow, max_batch=1, max_wait_ms=0, max_queue=1000, max_queue_wait_ms=250)
        await batcher.start()
        tasks = []
        for i in range(12):  # one request every 50 ms, served one per 100 ms: the wait grows by 50 ms each
            tasks.append(asyncio.create_task(batcher.submit([i])))
            await asyncio.sleep(0.05)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(1.0)  # the backlog drains: requests are accepted again
        after = await batcher.submit([99])
        await batcher.stop()
        return results, after

    results, after = asyncio.run(scenario())
    served = [r for r in results if not isinstance(r, Exception)]
    shed = [r for r in results if isinstance(r, Overloaded)]
    assert results[:3] == [[0], [1], [2]] and shed and len(served) + len(shed) == 12
    assert "ms" in str(shed[0]) and "batch" in str(shed[0])
    assert after == [99]



def test_a_slow_batch_leaves_no_refusals_behind_at_light_load() -> None:
    """Issue 29: a 503 came at light load. One slow batch (the model's first, cold call) left a long queue wait and a
    tiny rate behind; of the next requests sent together, all but the first were refused, though one batch takes
    them all. A queue shorter than one batch is no backlog."""
    calls: list[int] = []

    def cold_then_fast(items: list[int]) -> list[int]:
        calls.append(len(items))
        time.sleep(0.6 if len(calls) == 1 else 0.005)
        return items

    async def scenario() -> list:
        batcher = MicroBatcher(cold_then_fast, max_batch=8, max_wait_ms=0, max_queue_wait_ms=250)
        await batcher.start()
        first = asyncio.create_task(batcher.submit([0]))
        await asyncio.sleep(0.01)
        second = asyncio.create_task(batcher.submit([1]))  # waits 0.6 s behind the cold call
        await first
        burst = await asyncio.gather(*(batcher.submit([i]) for i in (2, 3, 4)), return_exceptions=True)
        await second
        await batcher.stop()
        return burst

    assert asyncio.run(scenario()) == [[2], [3], [4]]


def test_a_failing_request_fails_alone() -> None:
    def double(items: list[int]) -> list[int]:
        if any(i < 0 for i in items):
            raise ValueError("negative item")
        return [2 * i for i in items]

    async def scenario() -> tuple[list, MicroBatcher]:
        batcher = MicroBatcher(double, max_batch=64, max_wait_ms=50)
        await batcher.start()
        results = await asyncio.gather(batcher.submit([1, 2]), batcher.submit([-1]), batcher.submit([3]),
                                       return_exceptions=True)
        await batcher.stop()
        return results, batcher

    results, batcher = asyncio.run(scenario())
    assert results[0] == [2, 4] and results[2] == [6]
    assert isinstance(results[1], ValueError) and "negative" in str(results[1])
    assert batcher.batches == 2  # the shared batch failed; the two good requests then ran alone
