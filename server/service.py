"""The ProgramGenerationService servicer: validation and ownership; the watch stream is
server/watch.py.

Idempotent starts, page tokens and error details follow docs/contract.md; every state
change is one call on the lifecycle (docs/architecture.md, "The lifecycle"). A handler
raises ``ServiceError`` for a deliberate status; the guard interceptor (guard.py) sends it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from programgen.pipeline.domain import Profile
from programgen.server import page_tokens, requests
from programgen.server.auth import Authenticator, Caller
from programgen.server.config import WatchSettings
from programgen.server.errors import ServiceError, invalid_argument, not_found
from programgen.server.lifecycle import Lifecycle
from programgen.server.metrics import Metrics
from programgen.server.pool import Job, TaskPool
from programgen.server.records import (
    ACTIVE,
    CapExceeded,
    GenerationRecord,
    GenerationStatus,
)
from programgen.server.store.stream_slots import StreamSlots
from programgen.server.views import generation_message, status_name
from programgen.server.watch import WatchStreams
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def _unavailable(message: str) -> ServiceError:
    # RetryInfo and gRPC pushback: a retrying client waits for the restart or another
    # instance instead of spending its attempts within the drain.
    return ServiceError(
        grpc.StatusCode.UNAVAILABLE, "SERVER_SHUTTING_DOWN", message, retry_after_s=1.0
    )


def _request_id_reused(original_id: str) -> ServiceError:
    return ServiceError(
        grpc.StatusCode.ALREADY_EXISTS,
        "REQUEST_ID_REUSED",
        f"request_id was already used for generation {original_id} with a different "
        "profile; use a new request_id for a new profile",
        metadata={"generation_id": original_id},
    )


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
        stream_slots: StreamSlots | None = None,
    ) -> None:
        self._metrics = metrics
        self._lifecycle = lifecycle
        self._repo = lifecycle.repository  # reads only: every change goes through lifecycle
        self._pool = pool
        self._auth = auth
        self._limit = per_caller_limit
        self._watch = WatchStreams(lifecycle, metrics, watch, stream_slots)
        self.draining = False

    async def _caller(self, context: grpc.aio.ServicerContext) -> Caller:
        return await self._auth.caller(context.invocation_metadata())

    async def _owned(self, generation_id: str, caller: Caller) -> GenerationRecord:
        requests.check_id(generation_id)
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

    async def StartGeneration(
        self, request: pb.StartGenerationRequest, context: grpc.aio.ServicerContext
    ) -> pb.StartGenerationResponse:
        caller = await self._caller(context)
        profile, violations = requests.start_violations(request)
        requests.require(violations)
        assert profile is not None
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
        elif Profile.model_validate_json(record.profile) != profile:
            raise _request_id_reused(record.id)
        return pb.StartGenerationResponse(generation=generation_message(record))

    async def GetGeneration(
        self, request: pb.GetGenerationRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetGenerationResponse:
        caller = await self._caller(context)
        record = await self._owned(request.id, caller)
        return pb.GetGenerationResponse(generation=generation_message(record))

    async def ListGenerations(
        self, request: pb.ListGenerationsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListGenerationsResponse:
        caller = await self._caller(context)
        requests.require(requests.list_violations(request))
        status = status_name(request.status) if request.status else None
        size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        before = await self._page_start(request, caller) if request.page_token else None
        records = await self._repo.list_generations(
            owner=caller.id, status=status, before_pk=before, limit=size + 1
        )
        page, more = records[:size], len(records) > size
        return pb.ListGenerationsResponse(
            generations=[generation_message(r, full=False) for r in page],
            next_page_token=page_tokens.encode(page[-1].id, request.status) if more else "",
        )

    async def _page_start(self, request: pb.ListGenerationsRequest, caller: Caller) -> int:
        """The row a page token continues after: it must be one of the caller's own."""
        last_id = page_tokens.decode(request.page_token, request.status)
        record = await self._repo.get(last_id, caller.id)
        if record is None:
            raise invalid_argument([("page_token", "not a token from a previous response")])
        return record.pk

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

    async def WatchGeneration(  # type: ignore[override]  # bytes: see watch.register
        self, request: pb.WatchGenerationRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[bytes]:
        # Serialised responses: registered by server/watch.py's ``register``.
        async for response in self._watch.serve(request, context, self._caller):
            yield response
