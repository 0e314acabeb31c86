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

import grpc

from programgen.server.auth import Caller
from programgen.server.broker import Signal, Subscription
from programgen.server.config import WatchSettings
from programgen.server.errors import ServiceError, invalid_argument, not_found
from programgen.server.lifecycle import Lifecycle
from programgen.server.metrics import Metrics
from programgen.server.records import TERMINAL, EventRecord, GenerationRecord
from programgen.server.views import event_message, heartbeat_message
from programgen.v1 import generation_service_pb2 as pb

ResolveCaller = Callable[[grpc.aio.ServicerContext], Awaitable[Caller]]
CheckId = Callable[[str], None]


def _unavailable(message: str) -> ServiceError:
    return ServiceError(grpc.StatusCode.UNAVAILABLE, "SERVER_SHUTTING_DOWN", message)


class WatchStreams:
    """Every open WatchGeneration stream of this process."""

    def __init__(
        self, lifecycle: Lifecycle, metrics: Metrics, settings: WatchSettings, check_id: CheckId
    ) -> None:
        self._repo = lifecycle.repository  # reads only: every change goes through lifecycle
        self._broker = lifecycle.broker
        self._metrics = metrics
        self._settings = settings
        self._check_id = check_id
        # Live events as messages, built once for all the watchers of a generation (a
        # terminal one carries the whole program). Bounded: only recent events repeat.
        self._live: OrderedDict[tuple[str, int], pb.WatchGenerationResponse] = OrderedDict()

    def _live_response(
        self, event: EventRecord, record: GenerationRecord
    ) -> pb.WatchGenerationResponse:
        key = (event.generation_id, event.sequence)
        response = self._live.get(key)
        if response is None:
            response = pb.WatchGenerationResponse(event=event_message(event, record))
            self._live[key] = response
            if len(self._live) > 1024:
                self._live.popitem(last=False)
        return response

    async def _owned(self, generation_id: str, caller: Caller) -> GenerationRecord:
        record = await self._repo.get(generation_id, caller.id)
        if record is None:
            raise not_found(generation_id)
        return record

    async def _next(self, subscription: Subscription) -> EventRecord | Signal | None:
        """The next live item, or None after a heartbeat interval without one."""
        try:
            async with asyncio.timeout(self._settings.heartbeat_s):
                return await subscription.next()
        except TimeoutError:
            return None

    def _admit(self, request: pb.WatchGenerationRequest) -> None:
        self._check_id(request.id)
        if request.after_sequence < 0:
            raise invalid_argument([("after_sequence", "must not be negative")])
        if self._broker.subscriber_count >= self._settings.max_watchers:
            raise ServiceError(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                "TOO_MANY_WATCHERS",
                "the server holds its maximum of open watch streams",
                retry_after_s=5.0,
            )

    async def serve(
        self,
        request: pb.WatchGenerationRequest,
        context: grpc.aio.ServicerContext,
        resolve: ResolveCaller,
    ) -> AsyncIterator[pb.WatchGenerationResponse]:
        """The whole RPC; a ServiceError raised anywhere ends it with its status. One
        generator on purpose: every nested one costs each event a hop per stream."""
        subscription = None
        try:
            caller = await resolve(context)
            self._admit(request)
            subscription = self._broker.subscribe(request.id)
            record = await self._owned(request.id, caller)
            cursor, status = request.after_sequence, record.status
            while True:
                for event in await self._repo.events_after(record, cursor):
                    if event.terminal:
                        record = await self._owned(request.id, caller)
                    yield pb.WatchGenerationResponse(event=event_message(event, record))
                    cursor, status = event.sequence, event.status
                    if event.terminal and event.sequence == record.last_sequence:
                        return
                if cursor < record.last_sequence:
                    record = await self._owned(request.id, caller)
                    continue  # more than one page to replay
                if record.status in TERMINAL:
                    return  # finished, and the cursor is already past its last event
                # Live: forward in order; a gap or an overflow sends us back to the store.
                while True:
                    item = await self._next(subscription)
                    if item is None:
                        yield heartbeat_message(status, cursor, time.time())
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
                    yield self._live_response(item, record)
                    cursor, status = item.sequence, item.status
                    if item.terminal and item.sequence == record.last_sequence:
                        return
        except ServiceError as exc:
            await context.abort_with_status(exc.to_status())
        finally:
            if subscription is not None:
                self._broker.unsubscribe(subscription)
