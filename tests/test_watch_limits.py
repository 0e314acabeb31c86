"""WatchGeneration's bounds against a real server and the real client: a cursor ahead of
the stream, the per-caller and total stream caps, and the idle limit
(docs/contract.md, "Watching: cursors, caps and idle streams")."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncGenerator
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from programgen.client import AsyncClient, Event
from programgen.client.errors import DeadlineExceeded, OutOfRange, ResourceExhausted
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc
from tests.harness import Gate, add_keys, example, running_server, served
from tests.postgres import fresh_database


def error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            for detail in status_pb2.Status.FromString(value).details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return info
    raise AssertionError("no ErrorInfo in the status details")


async def watch_raw(port: int, generation_id: str, after: int) -> grpc.RpcError:
    """Watch with the generated stub and return the error that ends the stream."""
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = pb_grpc.ProgramGenerationServiceStub(channel)
        call = stub.WatchGeneration(
            pb.WatchGenerationRequest(id=generation_id, after_sequence=after), timeout=10
        )
        with pytest.raises(grpc.RpcError) as raised:
            async for _ in call:
                pass
        return raised.value


async def test_a_cursor_ahead_of_the_stream_is_out_of_range_running_or_finished(
    tmp_path: Path,
) -> None:
    gate = Gate()
    async with served(tmp_path, generate_fn=gate) as (server, client):
        generation = await client.start(example())
        await asyncio.wait_for(gate.entered.get(), 10)
        running = await client.get(generation.id)
        assert running.last_sequence == 2  # pending, processing: the run is held
        error = await watch_raw(server.port, generation.id, 100)
        assert error.code() == grpc.StatusCode.OUT_OF_RANGE
        info = error_info(error)
        assert info.reason == "CURSOR_OUT_OF_RANGE"
        assert info.metadata["last_sequence"] == "2"
        assert "last sequence 2" in (error.details() or "")

        gate.release()
        await client.wait(generation.id)
        last = (await client.get(generation.id)).last_sequence
        error = await watch_raw(server.port, generation.id, last + 1)
        assert error.code() == grpc.StatusCode.OUT_OF_RANGE
        assert error_info(error).metadata["last_sequence"] == str(last)
        with pytest.raises(OutOfRange) as typed:  # the client raises it, never resumes it
            await anext(client.watch(generation.id, after_sequence=last + 1))
        assert typed.value.reason == "CURSOR_OUT_OF_RANGE"
        # The cursor at the very end of a finished generation is not ahead: OK, no event.
        assert [e async for e in client.watch(generation.id, after_sequence=last)] == []
        assert server.broker.subscriber_count == 0


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
async def test_a_cursor_beyond_any_column_type_is_out_of_range_on_every_store(
    tmp_path: Path, request: pytest.FixtureRequest, store: str
) -> None:
    # 2^31 overflowed PostgreSQL's int4 comparison (UNKNOWN); 2^63 - 1 is int64's top.
    overrides = {}
    if store == "postgres":
        url = await fresh_database(request.getfixturevalue("postgres_url"))
        overrides["database_url"] = url
    async with served(tmp_path, **overrides) as (server, client):
        generation = await client.start(example())
        await client.wait(generation.id)
        for cursor in (2**31, 2**63 - 1):
            error = await watch_raw(server.port, generation.id, cursor)
            assert error.code() == grpc.StatusCode.OUT_OF_RANGE, error
            assert error_info(error).reason == "CURSOR_OUT_OF_RANGE"


async def _open(client: AsyncClient, generation_id: str) -> AsyncGenerator[Event]:
    stream = client.watch(generation_id)
    await anext(stream)  # the stream is open once its first event arrived
    return stream


async def test_one_caller_cannot_take_every_watch_slot(tmp_path: Path) -> None:
    keys = await add_keys(tmp_path, ("alice", "standard"), ("bob", "standard"))
    gate = Gate()
    async with running_server(
        tmp_path, generate_fn=gate, max_watchers=5, max_watchers_per_caller=2
    ) as server:
        target = f"127.0.0.1:{server.port}"
        async with (
            AsyncClient(target, api_key=keys["alice"][1]) as alice,
            AsyncClient(target, api_key=keys["bob"][1]) as bob,
        ):
            mine = (await alice.start(example())).id
            theirs = (await bob.start(example())).id
            open_streams = [await _open(alice, mine), await _open(alice, mine)]
            with pytest.raises(ResourceExhausted) as refused:
                await _open(alice, mine)
            assert refused.value.reason == "TOO_MANY_WATCHERS_FOR_CALLER"
            assert refused.value.retry_after_s is not None
            open_streams += [await _open(bob, theirs), await _open(bob, theirs)]
            # Bob still opens his, though Alice is at her cap; four open of five.
            assert server.broker.subscriber_count == 4
            with pytest.raises(ResourceExhausted):
                await _open(bob, theirs)  # his own cap, not the total
            for stream in open_streams:
                await stream.aclose()
            await asyncio.wait_for(server.broker.wait_empty(), 10)
            # Closed streams give their slots back.
            again = await _open(alice, mine)
            await again.aclose()
        gate.release()


async def test_the_total_cap_holds_across_callers(tmp_path: Path) -> None:
    keys = await add_keys(tmp_path, ("alice", "standard"), ("bob", "standard"))
    gate = Gate()
    async with running_server(
        tmp_path, generate_fn=gate, max_watchers=3, max_watchers_per_caller=2
    ) as server:
        target = f"127.0.0.1:{server.port}"
        async with (
            AsyncClient(target, api_key=keys["alice"][1]) as alice,
            AsyncClient(target, api_key=keys["bob"][1]) as bob,
        ):
            mine, theirs = (await alice.start(example())).id, (await bob.start(example())).id
            streams = [await _open(alice, mine), await _open(alice, mine), await _open(bob, theirs)]
            with pytest.raises(ResourceExhausted) as refused:
                await _open(bob, theirs)
            assert refused.value.reason == "TOO_MANY_WATCHERS"
            for stream in streams:
                await stream.aclose()
        gate.release()


async def test_a_stream_with_only_heartbeats_ends_watch_idle_and_is_not_resumed(
    tmp_path: Path,
) -> None:
    gate = Gate()  # the generation stays processing: nothing but heartbeats
    async with served(tmp_path, generate_fn=gate, heartbeat_s=0.05, watch_idle_limit_s=0.3) as (
        server,
        client,
    ):
        generation = await client.start(example())
        await asyncio.wait_for(gate.entered.get(), 10)
        seen = []
        with pytest.raises(DeadlineExceeded) as ended:
            async for event in client.watch(generation.id):
                seen.append(event.sequence)
        assert ended.value.reason == "WATCH_IDLE"
        assert seen == [1, 2]  # once, not again after a resume
        error = await watch_raw(server.port, generation.id, 2)
        assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert error_info(error).metadata["last_sequence"] == "2"
        assert server.broker.subscriber_count == 0
        gate.release()
        assert (await client.wait(generation.id)).weeks


async def test_a_stream_whose_client_stops_reading_is_ended_after_the_idle_limit(
    tmp_path: Path,
) -> None:
    gate = Gate()
    async with served(tmp_path, generate_fn=gate, watch_idle_limit_s=0.5) as (server, client):
        generation = await client.start(example())
        await asyncio.wait_for(gate.entered.get(), 10)
        options = [("grpc.http2.bdp_probe", 0)]  # the default 64 KiB window, not grown
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}", options=options) as ch:
            call = pb_grpc.ProgramGenerationServiceStub(ch).WatchGeneration(
                pb.WatchGenerationRequest(id=generation.id)
            )
            assert [(await call.read()).event.sequence for _ in range(2)] == [1, 2]
            # An event far larger than the window: the write cannot complete while the
            # client reads nothing more, so the stream is stuck at its yield.
            record = await server.repository.get(generation.id)
            assert record is not None
            (first,) = await server.repository.events_after(record, 1)
            big = dataclasses.replace(first, sequence=3, message="x" * (1 << 20))
            server.broker.publish(big)
            await asyncio.wait_for(server.broker.wait_empty(), 10)
            assert server.broker.subscriber_count == 0
            call.cancel()
        gate.release()
        assert (await client.wait(generation.id)).weeks
