"""In-process fan-out of committed generation events to watch streams.

Publishing never blocks: the events of a watched generation go into one bounded log that
all its streams read, each from its own place, and a stream that fell further behind
than the log holds is told to resynchronise (it re-reads the store from its last
sequence) instead of slowing the worker or the other watchers down. Only the lifecycle
publishes (docs/architecture.md, "The lifecycle").

One log per generation, not one queue per stream: a publish appends once and wakes the
waiting streams, as an ``asyncio.Event`` would, so an event to 9,000 watchers costs one
append and 9,000 wake-ups, not 9,000 queue puts (bench/fanout.py).
"""

from __future__ import annotations

import asyncio
from collections import deque
from enum import Enum

from programgen.server.records import EventRecord


class Signal(Enum):
    RESYNC = "resync"  # the log dropped events this stream had not read: re-read the store
    CLOSE = "close"  # the server is shutting down


class _Log:
    """The recent events of one watched generation, shared by all its subscriptions."""

    __slots__ = ("closed", "first", "items", "subscribers", "waiters")

    def __init__(self, closed: bool) -> None:
        self.items: deque[EventRecord] = deque()
        self.first = 0  # the position of items[0] among every event ever appended
        self.waiters: dict[asyncio.Future[bool], None] = {}
        self.subscribers = 0
        self.closed = closed

    @property
    def end(self) -> int:
        return self.first + len(self.items)

    def wake(self) -> None:
        waiters, self.waiters = self.waiters, {}
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(True)


class Subscription:
    """One stream's place in its generation's log."""

    __slots__ = ("_log", "_position", "_subscribed", "generation_id")

    def __init__(self, generation_id: str, log: _Log) -> None:
        self.generation_id = generation_id
        self._log = log
        self._position = log.end  # only what is published from now on
        self._subscribed = True

    def take(self) -> EventRecord | Signal | None:
        """The next published event (or signal) for this generation, in order; None
        when there is none yet (then ``wait``)."""
        log = self._log
        index = self._position - log.first
        if index < len(log.items):
            if index < 0:
                if log.closed:
                    return Signal.CLOSE
                # Everything dropped is in the store too: go on from the log's end.
                self._position = log.end
                return Signal.RESYNC
            self._position += 1
            return log.items[index]
        return Signal.CLOSE if log.closed else None

    def wait(self) -> asyncio.Future[bool]:
        """A future set to True at the next publish (or close) for this generation; the
        caller may set it to False itself (a timeout) and must then ``forget`` it."""
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._log.waiters[waiter] = None
        return waiter

    def forget(self, waiter: asyncio.Future[bool]) -> None:
        self._log.waiters.pop(waiter, None)


class Broker:
    def __init__(self, buffer: int = 32) -> None:
        self._buffer = buffer
        self._logs: dict[str, _Log] = {}
        self._count = 0
        self._closed = False
        self._empty = asyncio.Event()
        self._empty.set()

    def subscribe(self, generation_id: str) -> Subscription:
        log = self._logs.get(generation_id)
        if log is None:
            log = self._logs[generation_id] = _Log(self._closed)
        log.subscribers += 1
        self._count += 1
        self._empty.clear()
        return Subscription(generation_id, log)

    def unsubscribe(self, subscription: Subscription) -> None:
        if not subscription._subscribed:
            return
        subscription._subscribed = False
        log = subscription._log
        log.subscribers -= 1
        if not log.subscribers:
            del self._logs[subscription.generation_id]
        self._count -= 1
        if self._count == 0:
            self._empty.set()

    def publish(self, event: EventRecord) -> None:
        log = self._logs.get(event.generation_id)
        if log is None:
            return
        log.items.append(event)
        if len(log.items) > self._buffer:
            log.items.popleft()
            log.first += 1
        log.wake()

    def watching(self, generation_id: str) -> bool:
        return generation_id in self._logs

    def watched(self) -> list[str]:
        """The generations with at least one subscriber (replicas relay their events)."""
        return list(self._logs)

    def close_all(self) -> None:
        """Every stream, open or opened later, reads CLOSE once it has read what was
        published before."""
        self._closed = True
        for log in self._logs.values():
            log.closed = True
            log.wake()

    async def wait_empty(self) -> None:
        """Return once no stream is subscribed (after ``close_all``, at shutdown)."""
        await self._empty.wait()

    @property
    def subscriber_count(self) -> int:
        return self._count
