"""The blocking client: the async client driven on a private event-loop thread, so both
share one implementation of retries, resumption and error mapping."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Coroutine, Iterator, Mapping
from typing import Any, TypeVar

from programgen.client.aio import AsyncClient
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import profile_pb2, program_pb2

T = TypeVar("T")


async def _next(stream: AsyncGenerator[T]) -> T:
    return await anext(stream)


class Client:
    """Blocking twin of ``AsyncClient`` (same arguments, same methods, same errors)."""

    def __init__(self, target: str = "127.0.0.1:50051", **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="programgen-client"
        )
        self._thread.start()
        self._client: AsyncClient = self._run(self._make(target, options))

    @staticmethod
    async def _make(target: str, options: dict[str, Any]) -> AsyncClient:
        return AsyncClient(target, **options)

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._loop.is_running():
            self._run(self._client.close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    def start(
        self, profile: profile_pb2.Profile | Mapping[str, Any], *, request_id: str = ""
    ) -> pb.Generation:
        return self._run(self._client.start(profile, request_id=request_id))

    def get(self, generation_id: str) -> pb.Generation:
        return self._run(self._client.get(generation_id))

    def list(
        self,
        *,
        status: pb.GenerationStatus.ValueType = pb.GENERATION_STATUS_UNSPECIFIED,
        page_size: int = 0,
        page_token: str = "",
    ) -> tuple[list[pb.Generation], str]:
        return self._run(
            self._client.list(status=status, page_size=page_size, page_token=page_token)
        )

    def cancel(self, generation_id: str) -> pb.Generation:
        return self._run(self._client.cancel(generation_id))

    def retry(self, generation_id: str) -> pb.Generation:
        return self._run(self._client.retry(generation_id))

    def wait(self, generation_id: str) -> program_pb2.Program:
        return self._run(self._client.wait(generation_id))

    def watch(self, generation_id: str, *, after_sequence: int = 0) -> Iterator[pb.GenerationEvent]:
        stream = self._client.watch(generation_id, after_sequence=after_sequence)
        try:
            while True:
                try:
                    yield self._run(_next(stream))
                except StopAsyncIteration:
                    return
        finally:
            self._run(stream.aclose())
