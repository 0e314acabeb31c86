"""The blocking client: the async client driven on a private event-loop thread, so both
share one implementation of retries, resumption and error mapping."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar, Unpack

from programgen.client.aio import DEFAULT, AsyncClient, Metadata, ProfileInput, Timeout
from programgen.client.channel import ClientOptions
from programgen.client.types import Event, Generation, GenerationStatus
from programgen.v1 import program_pb2

T = TypeVar("T")


async def _next(stream: AsyncIterator[T]) -> T:
    return await anext(stream)


class Client:
    """Blocking twin of ``AsyncClient``: the same keywords, methods and errors."""

    def __init__(self, target: str = "127.0.0.1:50051", **options: Unpack[ClientOptions]) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="programgen-client"
        )
        self._thread.start()
        self._client: AsyncClient = self._run(self._make(target, options))

    @staticmethod
    async def _make(target: str, options: ClientOptions) -> AsyncClient:
        return AsyncClient(target, **options)  # on the loop thread: the channel lives there

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def _iterate(self, stream: AsyncIterator[T], close: Any) -> Iterator[T]:
        try:
            while True:
                try:
                    yield self._run(_next(stream))
                except StopAsyncIteration:
                    return
        finally:
            self._run(close())

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
        self,
        profile: ProfileInput,
        *,
        request_id: str = "",
        timeout_s: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> GenerationHandle:
        started = self._run(
            self._client.start(
                profile, request_id=request_id, timeout_s=timeout_s, metadata=metadata
            )
        )
        return GenerationHandle(self, started.generation, started.id)

    def handle(self, generation_id: str) -> GenerationHandle:
        """A handle on an existing generation (no call is made)."""
        return GenerationHandle(self, None, generation_id)

    def get(
        self, generation_id: str, *, timeout_s: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> Generation:
        return self._run(self._client.get(generation_id, timeout_s=timeout_s, metadata=metadata))

    def list_page(
        self,
        *,
        status: GenerationStatus | None = None,
        page_size: int = 0,
        page_token: str = "",
        timeout_s: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> tuple[list[Generation], str]:
        return self._run(
            self._client.list_page(
                status=status,
                page_size=page_size,
                page_token=page_token,
                timeout_s=timeout_s,
                metadata=metadata,
            )
        )

    def list_generations(
        self,
        *,
        status: GenerationStatus | None = None,
        page_size: int = 0,
        timeout_s: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> Iterator[Generation]:
        stream = self._client.list_generations(
            status=status, page_size=page_size, timeout_s=timeout_s, metadata=metadata
        )
        return self._iterate(stream, stream.aclose)

    def cancel(
        self, generation_id: str, *, timeout_s: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> Generation:
        return self._run(self._client.cancel(generation_id, timeout_s=timeout_s, metadata=metadata))

    def retry(
        self, generation_id: str, *, timeout_s: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> Generation:
        return self._run(self._client.retry(generation_id, timeout_s=timeout_s, metadata=metadata))

    def wait(self, generation_id: str, *, metadata: Metadata = ()) -> program_pb2.Program:
        return self._run(self._client.wait(generation_id, metadata=metadata))

    def watch(
        self, generation_id: str, *, after_sequence: int = 0, metadata: Metadata = ()
    ) -> Iterator[Event]:
        stream = self._client.watch(generation_id, after_sequence=after_sequence, metadata=metadata)
        return self._iterate(stream, stream.aclose)


class GenerationHandle:
    """One generation: ``handle.result()``, ``handle.watch()``, ``handle.cancel()``."""

    def __init__(self, client: Client, generation: Generation | None, generation_id: str) -> None:
        self._client = client
        self.generation = generation  # as last seen (None until fetched)
        self.id = generation_id

    def __repr__(self) -> str:
        status = self.generation.status if self.generation is not None else "?"
        return f"GenerationHandle({self.id!r}, {status})"

    def get(self) -> Generation:
        self.generation = self._client.get(self.id)
        return self.generation

    def watch(self, *, after_sequence: int = 0) -> Iterator[Event]:
        return self._client.watch(self.id, after_sequence=after_sequence)

    def result(self) -> program_pb2.Program:
        return self._client.wait(self.id)

    def cancel(self) -> Generation:
        self.generation = self._client.cancel(self.id)
        return self.generation

    def retry(self) -> Generation:
        self.generation = self._client.retry(self.id)
        return self.generation
