"""The client library as a user meets it: typed values, handles, paging, per-call options,
the gRPC retry policy, profile typos, and a user's script under ``mypy --strict``."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import grpc
import pytest

from programgen.client import (
    AsyncClient,
    Client,
    DeadlineExceeded,
    GenerationCancelled,
    GenerationStatus,
    InvalidArgument,
    Stage,
    Unavailable,
    profile_from_json,
)
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc
from tests.harness import Gate, example, served


async def test_statuses_and_stages_are_string_enums(tmp_path: Path) -> None:
    async with served(tmp_path) as (_server, client):
        handle = await client.start(example())
        events = [event async for event in handle.watch()]
    assert handle.generation is not None
    assert handle.generation.status is GenerationStatus.PENDING
    assert f"{events[0].status}" == "pending" and events[-1].status is GenerationStatus.COMPLETED
    assert Stage.VALIDATION in {e.stage for e in events}
    assert events[-1].status.terminal and not events[0].status.terminal
    assert events[-1].program is not None and events[-1].proto.HasField("program")


async def test_start_sends_a_uuid4_request_id_when_the_caller_gives_none(tmp_path: Path) -> None:
    async with served(tmp_path) as (_server, client):
        handle = await client.start(example())
        assert handle.generation is not None
        assert uuid.UUID(handle.generation.request_id).version == 4
        chosen = await client.start(example(), request_id="mine-1")
        assert chosen.generation is not None and chosen.generation.request_id == "mine-1"


async def test_a_handle_follows_cancels_and_fetches_its_generation(tmp_path: Path) -> None:
    gate = Gate()
    async with served(tmp_path, generate_fn=gate) as (_server, client):
        handle = await client.start(example())
        await asyncio.wait_for(gate.entered.get(), 10)
        cancelled = await handle.cancel()
        assert cancelled.status is GenerationStatus.CANCELLED
        with pytest.raises(GenerationCancelled):
            await handle.result()
        again = client.handle(handle.id)
        assert (await again.get()).status is GenerationStatus.CANCELLED


async def test_list_generations_iterates_over_every_page(tmp_path: Path) -> None:
    async with served(tmp_path, per_caller_limit=200) as (_server, client):
        started = [(await client.start(example())).id for _ in range(23)]
        seen = [g.id async for g in client.list_generations(page_size=5)]
    assert seen == list(reversed(started))


def test_a_profile_typo_is_invalid_argument_with_the_field_path() -> None:
    profile = example()
    profile["lifts"] = [{"lift": "LIFT_SQUAT", "wieght": 100}]
    with pytest.raises(InvalidArgument) as error:
        profile_from_json(profile)
    assert [v.field for v in error.value.violations] == ["profile.lifts[0].wieght"]
    with pytest.raises(InvalidArgument) as wrong_type:
        profile_from_json({**example(), "daysPerWeek": "three"})
    assert wrong_type.value.violations[0].field == "profile.days_per_week"


class _Flaky(pb_grpc.ProgramGenerationServiceServicer):
    """GetGeneration fails with UNAVAILABLE ``failures`` times, then answers; it records
    each call's metadata. ``hang`` makes it never answer (for deadlines)."""

    def __init__(self, failures: int = 0, hang: bool = False) -> None:
        self.failures = failures
        self.hang = hang
        self.calls: list[dict[str, str]] = []
        self._never = asyncio.Event()

    async def GetGeneration(
        self, request: pb.GetGenerationRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetGenerationResponse:
        self.calls.append({k: v for k, v in context.invocation_metadata() or ()})
        if self.hang:
            await self._never.wait()
        if len(self.calls) <= self.failures:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "restarting")
        return pb.GetGenerationResponse(
            generation=pb.Generation(id=request.id, status=pb.GENERATION_STATUS_PENDING)
        )


@asynccontextmanager
async def _serving(servicer: _Flaky) -> AsyncIterator[str]:
    server = grpc.aio.server()
    pb_grpc.add_ProgramGenerationServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(0)


async def test_unavailable_unary_calls_are_retried_by_the_channel_policy() -> None:
    flaky = _Flaky(failures=2)
    async with _serving(flaky) as target, AsyncClient(target) as client:
        generation = await client.get(str(uuid.uuid4()))
    assert generation.status is GenerationStatus.PENDING
    assert len(flaky.calls) == 3  # two refused attempts, retried by gRPC itself

    once = _Flaky(failures=1)
    async with _serving(once) as target, AsyncClient(target, retry_unavailable=False) as client:
        with pytest.raises(Unavailable):
            await client.get(str(uuid.uuid4()))
    assert len(once.calls) == 1


async def test_per_call_timeout_and_metadata() -> None:
    hanging = _Flaky(hang=True)
    async with _serving(hanging) as target, AsyncClient(target, api_key="k") as client:
        with pytest.raises(DeadlineExceeded):
            await client.get(str(uuid.uuid4()), timeout_s=0.2, metadata=[("x-trace", "t-1")])
    assert hanging.calls[0]["x-trace"] == "t-1"
    assert hanging.calls[0]["authorization"] == "Bearer k"


async def test_the_sync_client_has_the_same_surface(tmp_path: Path) -> None:
    def use(port: int) -> None:
        with Client(f"127.0.0.1:{port}", timeout_s=10.0) as client:
            handle = client.start(example())
            statuses = [e.status for e in handle.watch()]
            assert statuses[-1] is GenerationStatus.COMPLETED
            assert handle.result().weeks
            assert [g.id for g in client.list_generations()] == [handle.id]

    async with served(tmp_path) as (server, _client):
        await asyncio.to_thread(use, server.port)


USER_SCRIPT = """
    import asyncio
    import json

    from programgen.client import (
        AsyncClient, Client, Event, Generation, GenerationStatus, InvalidArgument,
    )
    from programgen.v1.program_pb2 import Program


    def sync_use(profile: dict[str, object]) -> Program:
        with Client("127.0.0.1:50051", api_key=None, timeout_s=5.0) as client:
            handle = client.start(profile, request_id="r-1")
            for event in handle.watch():
                status: GenerationStatus = event.status
                print(event.sequence, status, event.stage)
            for generation in client.list_generations(status=GenerationStatus.COMPLETED):
                print(generation.id, generation.created.isoformat())
            return handle.result()


    async def async_use(profile: dict[str, object]) -> list[Event]:
        async with AsyncClient("127.0.0.1:50051", tls=False, resume_for_s=10.0) as client:
            handle = await client.start(profile, timeout_s=2.0, metadata=[("x-id", "1")])
            events = [event async for event in handle.watch()]
            latest: Generation = await handle.get()
            print(latest.status is GenerationStatus.COMPLETED)
            return events


    try:
        sync_use(json.load(open("profile.json")))
    except InvalidArgument as error:
        print(error.violations[0].field)
    asyncio.run(async_use({}))
"""

MISTAKES = """
    from programgen.client import Client

    Client("h:1", api_kye="x")
    Client("h:1", timeout_s="soon")
"""


def _mypy(tmp_path: Path, name: str, code: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / name
    script.write_text(textwrap.dedent(code))
    # Outside the repository (its mypy settings do not apply): the installed package alone.
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", script.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_users_script_passes_mypy_strict_and_typos_do_not(tmp_path: Path) -> None:
    good = _mypy(tmp_path, "user_script.py", USER_SCRIPT)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = _mypy(tmp_path, "mistakes.py", MISTAKES)
    assert bad.returncode == 1
    assert 'Unexpected keyword argument "api_kye"' in bad.stdout
    assert 'Argument "timeout_s" to "Client" has incompatible type "str"' in bad.stdout
