"""In-process fan-out of committed generation events to watch streams.

Publishing never blocks: each subscription has a bounded buffer, and a subscriber that
falls behind is told to resynchronise (it re-reads the store from its last sequence)
instead of slowing the worker or the other watchers down. Only the lifecycle publishes
(docs/architecture.md, "The lifecycle").
"""

from __future__ import annotations

import asyncio
from collections import deque
from enum import Enum

from programgen.server.records import EventRecord


class Signal(Enum):
    RESYNC = "resync"  # the buffer overflowed: re-read the store from your cursor
    CLOSE = "close"  # the server is shutting down


class _Deadline(Enum):
    PASSED = "passed"  # Subscription.next_before's timer fired


Item = EventRecord | Signal | _Deadline


class Subscription:
    """One stream's buffer: a deque and at most one waiting future. asyncio.Queue does
    more per item (a future per get, task counting, the putters' side), which 9,000
    watchers of one generation pay at once (bench/fanout.py)."""

    __slots__ = ("_buffer", "_deadline", "_items", "_timer", "_waiter", "generation_id")

    def __init__(self, generation_id: str, buffer: int) -> None:
        self.generation_id = generation_id
        self._buffer = buffer
        self._items: deque[Item] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None

    async def next_before(self, deadline: float) -> EventRecord | Signal | None:
        """The next published event or signal for this generation, in order; None once
        ``deadline`` (loop time) passed first.

        One timer per subscription, moved lazily: a wait that ends in an event leaves it
        armed, and it re-arms itself for the later deadline when it fires early. A timeout
        scope per wait would schedule and cancel a timer per stream per event."""
        loop = asyncio.get_running_loop()
        self._deadline = deadline
        if self._timer is None or self._timer.when() > deadline:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = loop.call_at(deadline, self._expire)
        items = self._items
        while True:
            while not items:
                self._waiter = loop.create_future()
                try:
                    await self._waiter
                finally:
                    self._waiter = None
            item = items.popleft()
            if not isinstance(item, _Deadline):
                return item
            if self._timer is None and not items:
                return None  # this wait's own deadline (a stale one re-armed the timer)

    def _put(self, item: Item) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _expire(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        if loop.time() < self._deadline:  # a later wait moved the deadline on
            self._timer = loop.call_at(self._deadline, self._expire)
            return
        if not self._items:  # a waiting stream; one that is busy finds events first
            self._put(_Deadline.PASSED)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _offer(self, item: EventRecord | Signal) -> None:
        if len(self._items) >= self._buffer:
            # Everything buffered is in the store too: drop it and ask for a re-read.
            self._items.clear()
            item = item if isinstance(item, Signal) else Signal.RESYNC
        self._put(item)


class Broker:
    def __init__(self, buffer: int = 32) -> None:
        self._buffer = buffer
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._count = 0
        self._empty = asyncio.Event()
        self._empty.set()

    def subscribe(self, generation_id: str) -> Subscription:
        subscription = Subscription(generation_id, self._buffer)
        self._subscriptions.setdefault(generation_id, set()).add(subscription)
        self._count += 1
        self._empty.clear()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscriptions.get(subscription.generation_id)
        if subscribers is None or subscription not in subscribers:
            return
        subscribers.discard(subscription)
        subscription.close()
        if not subscribers:
            del self._subscriptions[subscription.generation_id]
        self._count -= 1
        if self._count == 0:
            self._empty.set()

    def publish(self, event: EventRecord) -> None:
        for subscription in self._subscriptions.get(event.generation_id, ()):
            subscription._offer(event)

    def watching(self, generation_id: str) -> bool:
        return generation_id in self._subscriptions

    def watched(self) -> list[str]:
        """The generations with at least one subscriber (replicas relay their events)."""
        return list(self._subscriptions)

    def close_all(self) -> None:
        for subscribers in self._subscriptions.values():
            for subscription in subscribers:
                subscription._offer(Signal.CLOSE)

    async def wait_empty(self) -> None:
        """Return once no stream is subscribed (after ``close_all``, at shutdown)."""
        await self._empty.wait()

    @property
    def subscriber_count(self) -> int:
        return self._count
