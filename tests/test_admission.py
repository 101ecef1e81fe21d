"""Admission: a bounded number of places, a bounded wait, first come first served, nothing lost in a handover."""

from __future__ import annotations

import asyncio
import contextlib

from emotrace.admission import Admission


def test_places_are_handed_on_first_come_first_served() -> None:
    async def scenario() -> list[str]:
        admission = Admission(places=2, wait_ms=1_000)
        order: list[str] = []
        assert await admission.enter() and await admission.enter()

        async def wait_for_place(name: str) -> None:
            assert await admission.enter()
            order.append(name)

        waiters = [asyncio.create_task(wait_for_place(name)) for name in ("first", "second")]
        await asyncio.sleep(0.01)
        assert order == [] and admission.inside == 2  # full: both wait
        admission.leave()
        await asyncio.sleep(0.01)
        assert order == ["first"] and admission.inside == 2
        admission.leave()
        await asyncio.gather(*waiters)
        return order

    assert asyncio.run(scenario()) == ["first", "second"]


def test_a_request_that_finds_no_place_in_time_is_refused_and_holds_none() -> None:
    async def scenario() -> tuple[bool, float, int]:
        admission = Admission(places=1, wait_ms=50)
        assert await admission.enter()
        started = asyncio.get_running_loop().time()
        refused = await admission.enter()
        waited = asyncio.get_running_loop().time() - started
        admission.leave()  # the place is free again: nobody who gave up takes it
        return refused, waited, admission.inside

    entered, waited, inside = asyncio.run(scenario())
    assert not entered and 0.04 <= waited < 0.5 and inside == 0


def test_no_one_enters_while_the_queues_behind_are_backlogged() -> None:
    async def scenario() -> list[bool]:
        backlog: list[str] = ["the model is 300 ms behind"]
        admission = Admission(places=8, wait_ms=1_000, busy=lambda: backlog[0] if backlog else None)
        waiter = asyncio.create_task(admission.enter())
        await asyncio.sleep(0.02)
        seen = [waiter.done()]  # places are free, yet it waits
        backlog.clear()
        admission.admit()  # the queue drained
        seen.append(await waiter)
        return seen

    assert asyncio.run(scenario()) == [False, True]


def test_a_place_handed_to_a_request_cancelled_in_the_same_turn_is_given_back() -> None:
    async def scenario() -> int:
        admission = Admission(places=1, wait_ms=1_000)
        assert await admission.enter()
        waiter = asyncio.create_task(admission.enter())
        await asyncio.sleep(0.01)
        admission.leave()  # the place goes to the waiter...
        waiter.cancel()  # ...which is cancelled before it runs again (a timeout ends a wait the same way)
        with contextlib.suppress(asyncio.CancelledError):
            await waiter
        return admission.inside

    assert asyncio.run(scenario()) == 0
