"""The asyncio client library. Imports only the generated contract."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Unpack

import grpc

from programgen.client.channel import ClientOptions, make_channel
from programgen.client.errors import GenerationCancelled, GenerationFailed, from_rpc_error
from programgen.client.profiles import profile_from_json
from programgen.client.types import Event, Generation, GenerationStatus
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc
from programgen.v1 import profile_pb2, program_pb2

Metadata = Sequence[tuple[str, str]]
ProfileInput = profile_pb2.Profile | Mapping[str, Any]


class _Default:
    """The client's default timeout (distinct from None, which means no deadline)."""


DEFAULT = _Default()
Timeout = float | None | _Default


class AsyncClient:
    """Typed async access to ProgramGenerationService.

    Every RPC error is raised as a ``ProgramgenError`` subclass (``InvalidArgument``,
    ``NotFound``, …) carrying the service's reason, field violations and retry hint. Each
    method takes ``timeout_s`` (overrides the client's) and extra ``metadata``.
    """

    def __init__(self, target: str = "127.0.0.1:50051", **options: Unpack[ClientOptions]) -> None:
        self._channel = make_channel(
            target,
            tls=options.get("tls", False),
            root_certificates=options.get("root_certificates"),
            retry_unavailable=options.get("retry_unavailable", True),
        )
        self._stub = pb_grpc.ProgramGenerationServiceStub(self._channel)
        api_key = options.get("api_key")
        self._metadata: Metadata = (("authorization", f"Bearer {api_key}"),) if api_key else ()
        self._timeout_s = options.get("timeout_s", 30.0)
        self._resume_for_s = options.get("resume_for_s", 60.0)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    async def _call(self, method: Any, request: Any, timeout_s: Timeout, metadata: Metadata) -> Any:
        timeout = self._timeout_s if isinstance(timeout_s, _Default) else timeout_s
        try:
            return await method(request, metadata=(*self._metadata, *metadata), timeout=timeout)
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None

    async def start(
        self,
        profile: ProfileInput,
        *,
        request_id: str = "",
        timeout_s: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> AsyncGenerationHandle:
        """Start a generation; returns a handle as soon as it is committed (pending).

        Without a ``request_id`` the client makes one (a UUID4, as AIP-155 recommends),
        so its automatic retry after UNAVAILABLE never starts the generation twice."""
        if not isinstance(profile, profile_pb2.Profile):
            profile = profile_from_json(profile)
        request = pb.StartGenerationRequest(
            profile=profile, request_id=request_id or str(uuid.uuid4())
        )
        response = await self._call(self._stub.StartGeneration, request, timeout_s, metadata)
        return AsyncGenerationHandle(self, Generation.from_proto(response.generation))

    def handle(self, generation_id: str) -> AsyncGenerationHandle:
        """A handle on an existing generation (no call is made)."""
        return AsyncGenerationHandle(self, None, generation_id)

    async def get(
        self, generation_id: str, *, timeout_s: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> Generation:
        request = pb.GetGenerationRequest(id=generation_id)
        response = await self._call(self._stub.GetGeneration, request, timeout_s, metadata)
        return Generation.from_proto(response.generation)

    async def list_page(
        self,
        *,
        status: GenerationStatus | None = None,
        page_size: int = 0,
        page_token: str = "",
        timeout_s: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> tuple[list[Generation], str]:
        """One page, newest first: (generations, next page token or "")."""
        request = pb.ListGenerationsRequest(
            status=status.to_proto() if status else pb.GENERATION_STATUS_UNSPECIFIED,
            page_size=page_size,
            page_token=page_token,
        )
        response = await self._call(self._stub.ListGenerations, request, timeout_s, metadata)
        return [Generation.from_proto(g) for g in response.generations], response.next_page_token

    async def list_generations(
        self,
        *,
        status: GenerationStatus | None = None,
        page_size: int = 0,
        timeout_s: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> AsyncGenerator[Generation]:
        """Every generation of the caller, newest first, page after page."""
        token = ""
        while True:
            page, token = await self.list_page(
                status=status,
                page_size=page_size,
                page_token=token,
                timeout_s=timeout_s,
                metadata=metadata,
            )
            for generation in page:
                yield generation
            if not token:
                return

    async def cancel(
        self, generation_id: str, *, timeout_s: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> Generation:
        request = pb.CancelGenerationRequest(id=generation_id)
        response = await self._call(self._stub.CancelGeneration, request, timeout_s, metadata)
        return Generation.from_proto(response.generation)

    async def retry(
        self, generation_id: str, *, timeout_s: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> Generation:
        request = pb.RetryGenerationRequest(id=generation_id)
        response = await self._call(self._stub.RetryGeneration, request, timeout_s, metadata)
        return Generation.from_proto(response.generation)

    async def watch(
        self, generation_id: str, *, after_sequence: int = 0, metadata: Metadata = ()
    ) -> AsyncGenerator[Event]:
        """Yield the generation's events until the terminal one. When the stream breaks
        with UNAVAILABLE (a restart, a dropped connection) it resumes from the last
        sequence it yielded, backing off, for up to ``resume_for_s`` seconds. Any other
        end is raised: ``DeadlineExceeded`` (WATCH_IDLE) when the server ended an idle
        stream, ``OutOfRange`` for a cursor past the generation's last sequence."""
        cursor = after_sequence
        delay, deadline = 0.05, None
        loop = asyncio.get_running_loop()
        while True:
            call = self._stub.WatchGeneration(
                pb.WatchGenerationRequest(id=generation_id, after_sequence=cursor),
                metadata=(*self._metadata, *metadata),
            )
            try:
                async for response in call:
                    deadline, delay = None, 0.05
                    if response.WhichOneof("kind") != "event":
                        continue  # heartbeat
                    cursor = response.event.sequence
                    yield Event.from_proto(response.event)
                return
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE:
                    raise from_rpc_error(error) from None
                deadline = deadline or loop.time() + self._resume_for_s
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # backoff, not sync
                delay = min(delay * 2, 2.0)
                try:
                    # Wait for the server to be back, but never past the resume deadline.
                    await asyncio.wait_for(
                        self._channel.channel_ready(), max(0.0, deadline - loop.time())
                    )
                except TimeoutError:
                    raise from_rpc_error(error) from None
            finally:
                call.cancel()

    async def wait(self, generation_id: str, *, metadata: Metadata = ()) -> program_pb2.Program:
        """Watch until the generation ends; return its program or raise
        GenerationFailed / GenerationCancelled."""
        last: Event | None = None
        async for event in self.watch(generation_id, metadata=metadata):
            last = event  # the stream ends right after the current terminal event
        if last is None or not last.status.terminal:
            raise RuntimeError("watch ended without a terminal event")
        return program_or_raise(last)


def program_or_raise(event: Event) -> program_pb2.Program:
    """The program of a terminal event, or the error that says why there is none."""
    if event.status is GenerationStatus.COMPLETED and event.program is not None:
        return event.program
    if event.status is GenerationStatus.FAILED:
        reason, message = (event.error.reason, event.error.message) if event.error else ("", "")
        raise GenerationFailed(grpc.StatusCode.ABORTED, reason, message)
    raise GenerationCancelled(grpc.StatusCode.CANCELLED, "CANCELLED", event.message)


class AsyncGenerationHandle:
    """One generation: ``await handle.result()``, ``handle.watch()``, ``handle.cancel()``."""

    def __init__(
        self, client: AsyncClient, generation: Generation | None, generation_id: str = ""
    ) -> None:
        self._client = client
        self.generation = generation  # as last seen (None until fetched)
        self.id = generation.id if generation is not None else generation_id

    def __repr__(self) -> str:
        status = self.generation.status if self.generation is not None else "?"
        return f"AsyncGenerationHandle({self.id!r}, {status})"

    async def get(self) -> Generation:
        self.generation = await self._client.get(self.id)
        return self.generation

    def watch(self, *, after_sequence: int = 0) -> AsyncGenerator[Event]:
        return self._client.watch(self.id, after_sequence=after_sequence)

    async def result(self) -> program_pb2.Program:
        return await self._client.wait(self.id)

    async def cancel(self) -> Generation:
        self.generation = await self._client.cancel(self.id)
        return self.generation

    async def retry(self) -> Generation:
        self.generation = await self._client.retry(self.id)
        return self.generation
