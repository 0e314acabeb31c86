"""The WatchGeneration stream: replay from the caller's cursor, then live events.

The stream subscribes to the broker *before* it reads the store, so an event committed
in between is both replayed and buffered, and the sequence check drops the copy; a gap
or a buffer overflow sends it back to the store from its cursor (docs/architecture.md,
"One generation end to end"; the wire rules are in docs/contract.md).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from programgen.server import requests
from programgen.server.auth import Caller
from programgen.server.broker import Signal, Subscription
from programgen.server.config import WatchSettings
from programgen.server.errors import ServiceError, not_found
from programgen.server.lifecycle import Lifecycle
from programgen.server.metrics import Metrics
from programgen.server.records import TERMINAL, EventRecord, GenerationRecord, GenerationStatus
from programgen.server.store.stream_slots import LocalSlots, Slot, StreamSlots
from programgen.server.views import event_message, heartbeat_message
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc

ResolveCaller = Callable[[grpc.aio.ServicerContext], Awaitable[Caller]]


def _unavailable(message: str) -> ServiceError:
    return ServiceError(grpc.StatusCode.UNAVAILABLE, "SERVER_SHUTTING_DOWN", message)


class WatchStreams:
    """Every open WatchGeneration stream of this process. ``serve`` is one generator on
    purpose: each nested one would cost every live event a hop per stream."""

    def __init__(
        self,
        lifecycle: Lifecycle,
        metrics: Metrics,
        settings: WatchSettings,
        slots: StreamSlots | None = None,
    ) -> None:
        self._repo = lifecycle.repository  # reads only: every change goes through lifecycle
        self._broker = lifecycle.broker
        self._metrics = metrics
        self._settings = settings
        # Open streams per caller: in memory for one process, in the store for replicas.
        self._slots: StreamSlots = slots or LocalSlots()
        self._writes = _Writes(settings.watch_idle_limit_s)
        # Live events serialised once for all the watchers of a generation (a terminal
        # one carries the whole program); the stream writes these bytes as they are
        # (see ``register``). Bounded: only recent events repeat.
        self._live: OrderedDict[tuple[str, int], bytes] = OrderedDict()

    def _live_response(self, event: EventRecord, record: GenerationRecord) -> bytes:
        key = (event.generation_id, event.sequence)
        response = self._live.get(key)
        if response is None:
            response = _encode(pb.WatchGenerationResponse(event=event_message(event, record)))
            self._live[key] = response
            if len(self._live) > 1024:
                self._live.popitem(last=False)
        return response

    async def _owned(self, generation_id: str, caller: Caller) -> GenerationRecord:
        record = await self._repo.get(generation_id, caller.id)
        if record is None:
            raise not_found(generation_id)
        return record

    async def _next(
        self, subscription: Subscription, until: float, cursor: int, task: asyncio.Task[Any]
    ) -> EventRecord | Signal | None:
        """The next live item; None after a heartbeat interval without one. At ``until``
        (loop time) the stream has been idle for the limit: WATCH_IDLE."""
        self._writes.done(task)  # resumed: gRPC took what the stream yielded
        loop = asyncio.get_running_loop()
        left = min(self._settings.heartbeat_s, until - loop.time())
        try:
            async with asyncio.timeout(max(0.0, left)):
                return await subscription.next()
        except TimeoutError:
            if loop.time() >= until:
                raise self._idle(cursor) from None
            return None

    async def _admit(self, request: pb.WatchGenerationRequest, caller: Caller) -> Slot:
        """Check the request and the caps, and take the stream's slot (given back by
        ``serve`` when the stream ends)."""
        requests.check_watch(request)
        if self._broker.subscriber_count >= self._settings.max_watchers:
            raise ServiceError(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                "TOO_MANY_WATCHERS",
                "the server holds its maximum of open watch streams",
                retry_after_s=5.0,
            )
        limit = self._settings.max_watchers_per_caller
        slot, mine = await self._slots.take(caller.id, limit)
        if slot is None:
            raise ServiceError(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                "TOO_MANY_WATCHERS_FOR_CALLER",
                f"this caller already has {mine} open watch streams (limit {limit})",
                retry_after_s=5.0,
            )
        return slot

    def _idle(self, cursor: int) -> ServiceError:
        limit = self._settings.watch_idle_limit_s
        return ServiceError(
            grpc.StatusCode.DEADLINE_EXCEEDED,
            "WATCH_IDLE",
            f"no event for {limit:g} s (the server's idle limit for a watch stream); "
            f"watch again after sequence {cursor} to go on",
            metadata={"last_sequence": str(cursor)},
        )

    async def _replay(
        self, caller: Caller, record: GenerationRecord, cursor: int
    ) -> tuple[list[bytes], GenerationRecord, int, GenerationStatus, bool]:
        """One page of stored events after ``cursor``, serialised; the row as it stands
        after them, the new cursor and status, and whether the stream is over."""
        page, status = [], record.status
        for event in await self._repo.events_after(record, cursor):
            if event.terminal:
                record = await self._owned(record.id, caller)
            page.append(_encode(pb.WatchGenerationResponse(event=event_message(event, record))))
            cursor, status = event.sequence, event.status
            if event.terminal and event.sequence == record.last_sequence:
                return page, record, cursor, status, True
        return page, record, cursor, status, False

    async def serve(
        self,
        request: pb.WatchGenerationRequest,
        context: grpc.aio.ServicerContext,
        resolve: ResolveCaller,
    ) -> AsyncIterator[bytes]:
        """The whole RPC as serialised responses; a ServiceError ends it with its status."""
        subscription = slot = None
        loop, task = asyncio.get_running_loop(), _this_task()
        try:
            caller = await resolve(context)
            slot = await self._admit(request, caller)
            subscription = self._broker.subscribe(request.id)
            record = await self._owned(request.id, caller)
            _check_cursor(request.after_sequence, record)
            cursor, status = request.after_sequence, record.status
            while True:
                page, record, cursor, status, over = await self._replay(caller, record, cursor)
                for response in page:
                    self._writes.writing(task)
                    yield response
                if over:
                    return
                if cursor < record.last_sequence:
                    record = await self._owned(request.id, caller)
                    continue  # more than one page to replay
                if record.status in TERMINAL:
                    return  # finished, and the cursor is already past its last event
                # Live: forward in order; a gap or an overflow sends us back to the store.
                idle_at = loop.time() + self._settings.watch_idle_limit_s
                while True:
                    item = await self._next(subscription, idle_at, cursor, task)
                    if item is None:
                        self._writes.writing(task)
                        yield _encode(heartbeat_message(status, cursor, time.time()))
                        continue
                    if item is Signal.CLOSE:
                        raise _unavailable("the server is shutting down; resume from your cursor")
                    if item is Signal.RESYNC or item.sequence > cursor + 1:
                        self._metrics.watch_resyncs.inc()
                        record = await self._owned(request.id, caller)
                        break
                    if item.sequence <= cursor:
                        continue
                    if item.terminal:
                        # The committed row travels with its event: no read per watcher.
                        record = item.generation or await self._owned(request.id, caller)
                    self._writes.writing(task)
                    yield self._live_response(item, record)
                    cursor, status = item.sequence, item.status
                    idle_at = loop.time() + self._settings.watch_idle_limit_s
                    if item.terminal and item.sequence == record.last_sequence:
                        return
        except ServiceError as exc:
            await context.abort_with_status(exc.to_status())
        finally:
            self._end(slot, subscription, task)

    def _end(self, slot: Slot | None, subscription: Subscription | None, task: Any) -> None:
        """Give back what the stream held (the ``finally`` of ``serve``)."""
        if slot is not None:
            self._slots.give_back(slot)
        if subscription is not None:
            self._broker.unsubscribe(subscription)
            self._writes.done(task)


class _Writes:
    """Streams whose last message gRPC has not taken yet, and since when (loop time).

    gRPC resumes a stream's generator only once the transport took what it yielded, so a
    client that stops reading stops the stream at its flow-control window: the server
    holds that much, no more. One timer for all streams cancels those whose client took
    nothing for the idle limit (no status can pass a full window: the client sees
    CANCELLED when it reads again; docs/contract.md)."""

    def __init__(self, limit_s: float) -> None:
        self._limit_s = limit_s
        self._since: dict[asyncio.Task[Any], float] = {}
        self._timer: asyncio.TimerHandle | None = None

    def writing(self, task: asyncio.Task[Any]) -> None:
        loop = task.get_loop()
        self._since[task] = loop.time()
        if self._timer is None:
            self._timer = loop.call_later(self._limit_s / 2, self._sweep, loop)

    def done(self, task: asyncio.Task[Any]) -> None:
        self._since.pop(task, None)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        stalled_since = loop.time() - self._limit_s
        for task, since in list(self._since.items()):
            if since <= stalled_since:
                del self._since[task]
                task.cancel()
        if self._since:
            self._timer = loop.call_later(self._limit_s / 2, self._sweep, loop)


def _this_task() -> asyncio.Task[Any]:
    task = asyncio.current_task()
    assert task is not None  # gRPC runs each call in a task of its own
    return task


def _encode(response: pb.WatchGenerationResponse) -> bytes:
    return response.SerializeToString()


def register(server: grpc.aio.Server, servicer: pb_grpc.ProgramGenerationServiceServicer) -> None:
    """Add the service as the generated code would, except that WatchGeneration's
    responses are written as the bytes the stream yields: one serialisation per live
    event for all its watchers, not one per stream. The wire, the typed stubs and
    reflection (which reads the descriptors, not the handlers) see no difference."""
    capture = _Capture()
    pb_grpc.add_ProgramGenerationServiceServicer_to_server(servicer, capture)
    handlers = dict(capture.handlers)
    # grpc.aio writes a response as it is when the serializer is None.
    handlers["WatchGeneration"] = handlers["WatchGeneration"]._replace(response_serializer=None)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(capture.name, handlers),))
    server.add_registered_method_handlers(capture.name, handlers)


class _Capture:
    """Stands in for a server to take the generated method handlers."""

    def __init__(self) -> None:
        self.name = ""
        self.handlers: dict[str, Any] = {}

    def add_generic_rpc_handlers(self, handlers: object) -> None:
        pass

    def add_registered_method_handlers(self, name: str, handlers: dict[str, Any]) -> None:
        self.name, self.handlers = name, handlers


def _check_cursor(after_sequence: int, record: GenerationRecord) -> None:
    """A cursor ahead of the stream names no event that exists: OUT_OF_RANGE now, whether
    the generation is running or finished, rather than a stream waiting for a sequence
    that may never come (docs/contract.md, "Watching")."""
    if after_sequence > record.last_sequence:
        raise ServiceError(
            grpc.StatusCode.OUT_OF_RANGE,
            "CURSOR_OUT_OF_RANGE",
            f"after_sequence {after_sequence} is past the generation's last sequence "
            f"{record.last_sequence}; watch from at most {record.last_sequence}",
            metadata={"last_sequence": str(record.last_sequence)},
        )
