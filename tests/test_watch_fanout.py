"""Fan-out: each live event is serialised once for all its watchers, and the typed
client reads the pass-through bytes as ordinary messages (real server, real client)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from programgen.client import Event, GenerationStatus
from programgen.server import watch
from programgen.v1 import generation_service_pb2 as pb
from tests.harness import Gate, example, served


async def test_one_serialisation_per_live_event_whatever_the_watchers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[pb.WatchGenerationResponse] = []
    original = watch._encode

    def counting(response: pb.WatchGenerationResponse) -> bytes:
        encoded.append(response)
        return original(response)

    monkeypatch.setattr(watch, "_encode", counting)
    gate = Gate()
    async with served(tmp_path, generate_fn=gate) as (server, client):
        generation = await client.start(example())
        await asyncio.wait_for(gate.entered.get(), 10)
        streams = [client.watch(generation.id) for _ in range(5)]
        for stream in streams:
            assert [(await anext(stream)).sequence, (await anext(stream)).sequence] == [1, 2]
        replayed = len(encoded)
        assert replayed == 10  # the replays are each stream's own
        await client.cancel(generation.id)
        seen: list[Event] = [await anext(stream) for stream in streams]
        assert {e.status for e in seen} == {GenerationStatus.CANCELLED}
        assert {e.sequence for e in seen} == {3}
        assert len(encoded) == replayed + 1  # one live event, five streams, one encoding
        for stream in streams:
            assert [e async for e in stream] == []
        assert server.broker.subscriber_count == 0
