"""The ProgramGenerationService servicer: validation, ownership, and the watch stream.

Idempotent starts, page tokens and error details follow docs/contract.md; every state
change is one call on the lifecycle (docs/architecture.md, "The lifecycle").
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar

import grpc

from programgen.pipeline.domain import ProfileInvalid
from programgen.pipeline.validation import validate_profile
from programgen.server.auth import Authenticator, Caller
from programgen.server.broker import Signal
from programgen.server.config import WatchSettings
from programgen.server.errors import ServiceError, invalid_argument, not_found
from programgen.server.lifecycle import Lifecycle
from programgen.server.mapping import message_to_dict
from programgen.server.metrics import Metrics
from programgen.server.pool import Job, TaskPool
from programgen.server.records import (
    ACTIVE,
    TERMINAL,
    CapExceeded,
    EventRecord,
    GenerationRecord,
    GenerationStatus,
)
from programgen.server.views import (
    event_message,
    generation_message,
    heartbeat_message,
    status_name,
)
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_REQUEST_ID = 128

R = TypeVar("R")


def _unary(
    handler: Callable[..., Awaitable[R]],
) -> Callable[..., Awaitable[R]]:
    @wraps(handler)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> R:
        try:
            return await handler(self, request, context)
        except ServiceError as exc:
            await context.abort_with_status(exc.to_status())
            raise  # unreachable: abort raises

    return wrapper


def _streaming(
    handler: Callable[..., AsyncIterator[R]],
) -> Callable[..., AsyncIterator[R]]:
    @wraps(handler)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            async for item in handler(self, request, context):
                yield item
        except ServiceError as exc:
            await context.abort_with_status(exc.to_status())

    return wrapper


def _unavailable(message: str) -> ServiceError:
    return ServiceError(grpc.StatusCode.UNAVAILABLE, "SERVER_SHUTTING_DOWN", message)


def _check_id(value: str, field: str = "id") -> None:
    try:
        uuid.UUID(value)
    except ValueError:
        raise invalid_argument([(field, "must be a generation id (a UUID)")]) from None


def _encode_token(before_pk: int, status: int) -> str:
    raw = json.dumps({"b": before_pk, "s": status}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, status: int) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        before_pk, token_status = int(data["b"]), int(data["s"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise invalid_argument([("page_token", "not a token from a previous response")]) from None
    if token_status != status:
        raise invalid_argument([("page_token", "was issued for a different status filter")])
    return before_pk


class GenerationService(pb_grpc.ProgramGenerationServiceServicer):
    def __init__(
        self,
        lifecycle: Lifecycle,
        pool: TaskPool,
        auth: Authenticator,
        *,
        metrics: Metrics,
        per_caller_limit: int,
        watch: WatchSettings,
    ) -> None:
        self._metrics = metrics
        self._lifecycle = lifecycle
        self._repo = lifecycle.repository  # reads only: every change goes through lifecycle
        self._broker = lifecycle.broker
        self._pool = pool
        self._auth = auth
        self._limit = per_caller_limit
        self._heartbeat_s = watch.heartbeat_s
        self._max_watchers = watch.max_watchers
        self.draining = False
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

    async def _caller(self, context: grpc.aio.ServicerContext) -> Caller:
        return await self._auth.caller(context.invocation_metadata())

    async def _owned(self, generation_id: str, caller: Caller) -> GenerationRecord:
        _check_id(generation_id)
        record = await self._repo.get(generation_id, caller.id)
        if record is None:
            raise not_found(generation_id)
        return record

    def _cap_exceeded(self, active: int) -> ServiceError:
        return ServiceError(
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            "CALLER_LIMIT_REACHED",
            f"{active} generations already queued or running (limit {self._limit}); "
            "retry when one finishes",
            retry_after_s=1.0,
        )

    @_unary
    async def StartGeneration(
        self, request: pb.StartGenerationRequest, context: grpc.aio.ServicerContext
    ) -> pb.StartGenerationResponse:
        caller = await self._caller(context)
        violations: list[tuple[str, str]] = []
        if len(request.request_id) > MAX_REQUEST_ID:
            violations.append(("request_id", f"at most {MAX_REQUEST_ID} characters"))
        if not request.HasField("profile"):
            violations.append(("profile", "required"))
        else:
            try:
                profile = validate_profile(message_to_dict(request.profile))
            except ProfileInvalid as exc:
                violations += [(f"profile.{v.field}", v.description) for v in exc.violations]
        if violations:
            raise invalid_argument(violations)
        if self.draining:
            raise _unavailable("the server is shutting down; retry on another instance")
        try:
            record, created = await self._lifecycle.create(
                owner=caller.id,
                tier=caller.tier,
                request_id=request.request_id or None,
                profile=profile.model_dump_json(),
                cap=self._limit,
            )
        except CapExceeded as exc:
            raise self._cap_exceeded(exc.active) from None
        if created:
            self._pool.submit(Job.of(record))
        return pb.StartGenerationResponse(generation=generation_message(record))

    @_unary
    async def GetGeneration(
        self, request: pb.GetGenerationRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetGenerationResponse:
        caller = await self._caller(context)
        record = await self._owned(request.id, caller)
        return pb.GetGenerationResponse(generation=generation_message(record))

    @_unary
    async def ListGenerations(
        self, request: pb.ListGenerationsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListGenerationsResponse:
        caller = await self._caller(context)
        violations = []
        if request.page_size < 0:
            violations.append(("page_size", "must not be negative"))
        status = status_name(request.status) if request.status else None
        if request.status and status is None:
            violations.append(("status", f"unknown status {request.status}"))
        if violations:
            raise invalid_argument(violations)
        size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        before = _decode_token(request.page_token, request.status) if request.page_token else None
        records = await self._repo.list_generations(
            owner=caller.id, status=status, before_pk=before, limit=size + 1
        )
        page, more = records[:size], len(records) > size
        return pb.ListGenerationsResponse(
            generations=[generation_message(r, full=False) for r in page],
            next_page_token=_encode_token(page[-1].pk, request.status) if more else "",
        )

    @_unary
    async def CancelGeneration(
        self, request: pb.CancelGenerationRequest, context: grpc.aio.ServicerContext
    ) -> pb.CancelGenerationResponse:
        caller = await self._caller(context)
        record = await self._owned(request.id, caller)
        if record.status in ACTIVE:
            cancelled = await self._lifecycle.cancel(record.id)
            if cancelled is not None:
                record = cancelled
                self._pool.cancel(record.id)
            else:
                record = await self._owned(request.id, caller)  # it finished meanwhile
        if record.status != GenerationStatus.CANCELLED:
            raise ServiceError(
                grpc.StatusCode.FAILED_PRECONDITION,
                "GENERATION_FINISHED",
                f"generation is {record.status} and can no longer be cancelled",
            )
        return pb.CancelGenerationResponse(generation=generation_message(record))

    @_unary
    async def RetryGeneration(
        self, request: pb.RetryGenerationRequest, context: grpc.aio.ServicerContext
    ) -> pb.RetryGenerationResponse:
        caller = await self._caller(context)
        record = await self._owned(request.id, caller)
        if self.draining:
            raise _unavailable("the server is shutting down; retry on another instance")
        try:
            retried = await self._lifecycle.retry(record.id, cap=self._limit)
        except CapExceeded as exc:
            raise self._cap_exceeded(exc.active) from None
        if retried is None:
            raise ServiceError(
                grpc.StatusCode.FAILED_PRECONDITION,
                "GENERATION_NOT_RETRYABLE",
                f"generation is {record.status}; only failed or cancelled ones can be retried",
            )
        self._pool.submit(Job.of(retried))
        return pb.RetryGenerationResponse(generation=generation_message(retried))

    @_streaming
    async def WatchGeneration(
        self, request: pb.WatchGenerationRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.WatchGenerationResponse]:
        caller = await self._caller(context)
        _check_id(request.id)
        if request.after_sequence < 0:
            raise invalid_argument([("after_sequence", "must not be negative")])
        if self._broker.subscriber_count >= self._max_watchers:
            raise ServiceError(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                "TOO_MANY_WATCHERS",
                "the server holds its maximum of open watch streams",
                retry_after_s=5.0,
            )
        # Subscribe before reading the store: an event committed in between is then
        # both in the replay and in the queue, and the sequence check drops the copy.
        subscription = self._broker.subscribe(request.id)
        try:
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
                    try:
                        async with asyncio.timeout(self._heartbeat_s):
                            item = await subscription.next()
                    except TimeoutError:
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
        finally:
            self._broker.unsubscribe(subscription)
