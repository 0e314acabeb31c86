"""In-process fan-out of committed generation events to watch streams.

Publishing never blocks: each subscription has a bounded buffer, and a subscriber that
falls behind is told to resynchronise (it re-reads the store from its last sequence)
instead of slowing the worker or the other watchers down. Only the lifecycle publishes
(docs/architecture.md, "The lifecycle").
"""

from __future__ import annotations

import asyncio
from enum import Enum

from programgen.server.records import EventRecord


class Signal(Enum):
    RESYNC = "resync"  # the buffer overflowed: re-read the store from your cursor
    CLOSE = "close"  # the server is shutting down


class Subscription:
    __slots__ = ("_queue", "generation_id")

    def __init__(self, generation_id: str, buffer: int) -> None:
        self.generation_id = generation_id
        self._queue: asyncio.Queue[EventRecord | Signal] = asyncio.Queue(maxsize=buffer)

    async def next(self) -> EventRecord | Signal:
        """The next published event (or signal) for this generation, in order."""
        return await self._queue.get()

    def _offer(self, item: EventRecord | Signal) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            # Everything buffered is in the store too: drop it and ask for a re-read.
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(item if isinstance(item, Signal) else Signal.RESYNC)


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
