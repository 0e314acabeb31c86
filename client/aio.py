"""The asyncio client library. Imports only the generated contract."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import grpc
from google.protobuf import json_format

from programgen.client.errors import GenerationCancelled, GenerationFailed, from_rpc_error
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc
from programgen.v1 import profile_pb2, program_pb2

Status = pb.GenerationStatus
TERMINAL = frozenset(
    {pb.GENERATION_STATUS_COMPLETED, pb.GENERATION_STATUS_FAILED, pb.GENERATION_STATUS_CANCELLED}
)


def profile_from_json(data: Mapping[str, Any]) -> profile_pb2.Profile:
    """A profile from its proto JSON form (the form grpcurl and examples/ use)."""
    return json_format.ParseDict(dict(data), profile_pb2.Profile())


def make_channel(
    target: str,
    *,
    tls: bool = False,
    root_certificates: bytes | None = None,
) -> grpc.aio.Channel:
    options = [("grpc.max_receive_message_length", 16 << 20)]
    if tls or root_certificates is not None:
        credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
        return grpc.aio.secure_channel(target, credentials, options=options)
    return grpc.aio.insecure_channel(target, options=options)


class AsyncClient:
    """Typed async access to ProgramGenerationService.

    Every RPC error is raised as a ``client.errors.ProgramgenError`` subclass carrying the
    service's reason, field violations and retry hint.
    """

    def __init__(
        self,
        target: str = "127.0.0.1:50051",
        *,
        api_key: str | None = None,
        tls: bool = False,
        root_certificates: bytes | None = None,
        timeout_s: float | None = 30.0,
        resume_for_s: float = 60.0,
    ) -> None:
        self._channel = make_channel(target, tls=tls, root_certificates=root_certificates)
        self._stub = pb_grpc.ProgramGenerationServiceStub(self._channel)
        self._metadata = (("authorization", f"Bearer {api_key}"),) if api_key else ()
        self._timeout_s = timeout_s
        self._resume_for_s = resume_for_s

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    async def _call(self, method: Any, request: Any) -> Any:
        try:
            return await method(request, metadata=self._metadata, timeout=self._timeout_s)
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None

    async def start(
        self, profile: profile_pb2.Profile | Mapping[str, Any], *, request_id: str = ""
    ) -> pb.Generation:
        """Start a generation; returns it (pending) as soon as it is committed."""
        if not isinstance(profile, profile_pb2.Profile):
            profile = profile_from_json(profile)
        request = pb.StartGenerationRequest(profile=profile, request_id=request_id)
        response = await self._call(self._stub.StartGeneration, request)
        return response.generation  # type: ignore[no-any-return]

    async def get(self, generation_id: str) -> pb.Generation:
        response = await self._call(
            self._stub.GetGeneration, pb.GetGenerationRequest(id=generation_id)
        )
        return response.generation  # type: ignore[no-any-return]

    async def list(
        self,
        *,
        status: pb.GenerationStatus.ValueType = pb.GENERATION_STATUS_UNSPECIFIED,
        page_size: int = 0,
        page_token: str = "",
    ) -> tuple[list[pb.Generation], str]:
        """One page, newest first: (generations, next page token or "")."""
        request = pb.ListGenerationsRequest(
            status=status, page_size=page_size, page_token=page_token
        )
        response = await self._call(self._stub.ListGenerations, request)
        return list(response.generations), response.next_page_token

    async def cancel(self, generation_id: str) -> pb.Generation:
        request = pb.CancelGenerationRequest(id=generation_id)
        response = await self._call(self._stub.CancelGeneration, request)
        return response.generation  # type: ignore[no-any-return]

    async def retry(self, generation_id: str) -> pb.Generation:
        request = pb.RetryGenerationRequest(id=generation_id)
        response = await self._call(self._stub.RetryGeneration, request)
        return response.generation  # type: ignore[no-any-return]

    async def watch(
        self, generation_id: str, *, after_sequence: int = 0
    ) -> AsyncGenerator[pb.GenerationEvent]:
        """Yield the generation's events until the terminal one. When the stream breaks
        with UNAVAILABLE (a restart, a dropped connection) it resumes from the last
        sequence it yielded, backing off, for up to ``resume_for_s`` seconds."""
        cursor = after_sequence
        delay, deadline = 0.05, None
        loop = asyncio.get_running_loop()
        while True:
            call = self._stub.WatchGeneration(
                pb.WatchGenerationRequest(id=generation_id, after_sequence=cursor),
                metadata=self._metadata,
            )
            try:
                async for response in call:
                    deadline, delay = None, 0.05
                    if response.WhichOneof("kind") != "event":
                        continue  # heartbeat
                    event = response.event
                    cursor = event.sequence
                    yield event
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

    async def wait(self, generation_id: str) -> program_pb2.Program:
        """Watch until the generation ends; return its program or raise
        GenerationFailed / GenerationCancelled."""
        last: pb.GenerationEvent | None = None
        async for event in self.watch(generation_id):
            last = event  # the stream ends right after the current terminal event
        if last is None or last.status not in TERMINAL:
            raise RuntimeError("watch ended without a terminal event")
        if last.status == pb.GENERATION_STATUS_COMPLETED:
            return last.program
        if last.status == pb.GENERATION_STATUS_FAILED:
            raise GenerationFailed(grpc.StatusCode.ABORTED, last.error.reason, last.error.message)
        raise GenerationCancelled(grpc.StatusCode.CANCELLED, "CANCELLED", last.message)
