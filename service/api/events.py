"""In-process publish/subscribe for the live feed (server-sent events).

Every event gets an id, ``<epoch>-<n>``: ``epoch`` names this bus (one server process), ``n`` counts its events. The
last ``buffer`` events are kept, so a client that reconnects with the last id it saw (``Last-Event-ID``, which a
browser's EventSource sends by itself) gets the ones it missed. Events are kept while anyone listens and for
``REPLAY_SECONDS`` after the last listener left (a dropped connection); an id this bus did not give, one older than
what it keeps, or one given before events no one was there to want (none were made), is a gap the client is told of.
An erased customer's events are dropped with the erasure, and so are events of their erased messages published after
it (a write's events can reach the bus after the erasure that followed it): events of messages carry the message's
id, ``message_id``, which only the bus reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

REPLAY_SECONDS = 300.0
SUBSCRIBER_QUEUE = 4096  # events a subscriber may fall behind: several of the largest writes (2 events a message)
ERASURES_KEPT = 4096  # erased customers whose late events are still recognised (a late event comes within seconds)


@dataclass(frozen=True)
class FeedEvent:
    """One event of the feed and its id."""

    id: str
    event: dict[str, object]


@dataclass(eq=False)
class Subscription:
    """A subscriber's queue, already holding the events it missed; ``gap``: some may be lost (an unknown or
    too old Last-Event-ID); ``dropped``: events were dropped since the subscriber last read (it fell
    :data:`SUBSCRIBER_QUEUE` events behind)."""

    queue: asyncio.Queue[FeedEvent]
    gap: bool = False
    dropped: bool = False


class EventBus:
    """Fan-out of events to subscribers; a slow subscriber loses old events, never blocks writers."""

    def __init__(self, buffer: int = 256) -> None:
        self.buffer = buffer
        self.epoch = secrets.token_hex(4)
        self._numbers = itertools.count(1)
        self._recent: deque[tuple[int, FeedEvent]] = deque(maxlen=buffer)
        self._evicted = 0  # the newest event number let go of: for want of room, or counted for events none wanted
        self._subscribers: set[Subscription] = set()
        self._last_left = float("-inf")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._erased: OrderedDict[str, int] = OrderedDict()  # customer -> the highest message id erased

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Serve subscribers on ``loop``: what a worker thread (a synchronous route) publishes or forgets is then
        done on it, since the subscribers' queues and the replay buffer are the loop's alone."""
        self._loop = loop

    def _on_loop(self, call: Callable[..., None], *args: object) -> None:
        """``call(*args)`` now on the loop's own thread (or with no loop attached), else handed to the loop."""
        loop = self._loop
        if loop is not None and loop.is_running() and _loop_here() is not loop:
            loop.call_soon_threadsafe(call, *args)
        else:
            call(*args)

    def wants_events(self) -> bool:
        """Whether events are wanted: someone listens, or left less than ``REPLAY_SECONDS`` ago and may resume. When
        not, the caller makes none, and a client resuming from an id given before is told of a gap."""
        if self._subscribers or time.monotonic() - self._last_left < REPLAY_SECONDS:
            return True
        self._on_loop(self._skipped)
        return False

    def _skipped(self) -> None:
        """Mark events as lost after the newest one given (a count of their own, once per run of them)."""
        if not self._recent or self._evicted <= self._recent[-1][0]:
            self._evicted = next(self._numbers)

    def publish(self, event: dict[str, object]) -> None:
        """Send ``event`` to every subscriber and keep it for those who resume (on the loop, from any thread)."""
        self._on_loop(self._publish, event)

    def _publish(self, event: dict[str, object]) -> None:
        erased = self._erased.get(str(event.get("customer_id")))
        message_id = event.get("message_id")
        if erased is not None and isinstance(message_id, int) and message_id <= erased:
            return  # of a message erased before its event came
        number = next(self._numbers)
        item = FeedEvent(f"{self.epoch}-{number}", event)
        if len(self._recent) == self.buffer:
            self._evicted = max(self._evicted, self._recent[0][0])
        self._recent.append((number, item))
        for subscription in list(self._subscribers):
            _put(subscription, item)

    def forget(self, customer_id: str, through: int = 0) -> None:
        """Drop the events of an erased customer: from the replay buffer and from subscribers' queues not yet sent,
        and those of their messages up to id ``through`` published later (on the loop, from any thread)."""
        self._on_loop(self._forget, customer_id, through)

    def _forget(self, customer_id: str, through: int) -> None:
        self._erased[customer_id] = max(through, self._erased.pop(customer_id, 0))
        while len(self._erased) > ERASURES_KEPT:
            self._erased.popitem(last=False)

        def kept(item: FeedEvent) -> bool:
            return item.event.get("customer_id") != customer_id

        self._recent = deque(((n, item) for n, item in self._recent if kept(item)), maxlen=self.buffer)
        for subscription in self._subscribers:
            queue = subscription.queue
            waiting = [queue.get_nowait() for _ in range(queue.qsize())]
            for item in filter(kept, waiting):
                queue.put_nowait(item)

    @contextlib.asynccontextmanager
    async def subscribe(self, last_event_id: str | None = None) -> AsyncIterator[Subscription]:
        """A queue receiving events until the context exits, first those after ``last_event_id`` (if given)."""
        subscription = Subscription(asyncio.Queue(max(self.buffer, SUBSCRIBER_QUEUE)))
        if last_event_id is not None:
            after = self._number(last_event_id)
            subscription.gap = after is None or after < self._evicted
            for number, item in self._recent:
                if after is not None and number > after:
                    _put(subscription, item)
        self._subscribers.add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers.discard(subscription)
            self._last_left = time.monotonic()

    def _number(self, event_id: str) -> int | None:
        """The count in an id this bus gave, else None (another bus's, or one not given yet)."""
        epoch, _, number = event_id.strip().rpartition("-")
        counted = number.isascii() and number.isdigit()  # "²" is a digit to str.isdigit, not to int()
        given = bool(epoch == self.epoch and counted and self._recent) and int(number) <= self._recent[-1][0]
        return int(number) if given else None

    @property
    def subscribers(self) -> int:
        """How many subscribers are connected."""
        return len(self._subscribers)


def _loop_here() -> asyncio.AbstractEventLoop | None:
    """The event loop running on this thread, if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _put(subscription: Subscription, item: FeedEvent) -> None:
    """``item`` into the subscriber's queue, its oldest event dropped when full (and the drop marked)."""
    queue = subscription.queue
    if queue.full():
        subscription.dropped = True
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
    queue.put_nowait(item)
