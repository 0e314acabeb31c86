"""Crash (SIGKILL) and graceful shutdown (SIGTERM) of a real server process.

Generations are held in `processing` by the LLM stage: the server talks to a local
OpenAI-compatible server whose answers wait until the test releases them.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from programgen.client import AsyncClient, Event, GenerationStatus, Stage
from programgen.testing import FakeOpenAI, Hold, ServerProcess, free_port
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc
from tests.harness import example
from tests.postgres import fresh_database

COMPLETED = GenerationStatus.COMPLETED


@pytest.fixture
def held_llm() -> Iterator[tuple[FakeOpenAI, Hold]]:
    hold = Hold()
    fake = FakeOpenAI(default=hold).start()
    try:
        yield fake, hold
    finally:
        hold.release()
        fake.stop()


def server_process(tmp_path: Path, fake: FakeOpenAI, **env: str) -> ServerProcess:
    return ServerProcess(
        tmp_path,
        {
            **fake.env(),
            "PROGRAMGEN_LLM_TIMEOUT_S": "120",
            "PROGRAMGEN_LLM_DEADLINE_S": "120",
            "PROGRAMGEN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pg.db'}",
            "PROGRAMGEN_PROCESSES": "1",
            **env,
        },
        free_port(),
    )


class Watcher:
    """Collects a generation's events through the resuming client watch."""

    def __init__(self, client: AsyncClient, generation_id: str) -> None:
        self.events: list[Event] = []
        self.in_llm = asyncio.Event()
        self.task = asyncio.create_task(self._run(client, generation_id))

    async def _run(self, client: AsyncClient, generation_id: str) -> None:
        async for event in client.watch(generation_id):
            self.events.append(event)
            if event.stage is Stage.LLM_REFINEMENT:
                self.in_llm.set()


async def start_held(client: AsyncClient, count: int) -> list[Watcher]:
    watchers = []
    for _ in range(count):
        generation = await client.start(example())
        watchers.append(Watcher(client, generation.id))
    await asyncio.wait_for(asyncio.gather(*(w.in_llm.wait() for w in watchers)), 60)
    return watchers


def assert_gapless_and_completed_once(watcher: Watcher) -> None:
    sequences = [e.sequence for e in watcher.events]
    assert sequences == list(range(1, len(sequences) + 1))
    statuses = [e.status for e in watcher.events]
    assert statuses.count(COMPLETED) == 1 and statuses[-1] == COMPLETED


async def restart_and_finish(
    process: ServerProcess, hold: Hold, watchers: list[Watcher], expected_message: str
) -> None:
    """Start the server again, let the held LLM calls answer, and check every watcher saw
    its generation complete once, gaplessly, with ``expected_message`` on the way."""
    process.start()  # same database, same port: the watchers reconnect
    await process.serving()
    hold.release()
    await asyncio.wait_for(asyncio.gather(*(w.task for w in watchers)), 120)
    for watcher in watchers:
        assert_gapless_and_completed_once(watcher)
        assert expected_message in [e.message for e in watcher.events]


async def test_sigkill_while_processing_loses_nothing_and_completes_nothing_twice(
    tmp_path: Path, held_llm: tuple[FakeOpenAI, Hold]
) -> None:
    fake, hold = held_llm
    process = server_process(tmp_path, fake)
    process.start()
    try:
        await process.serving()
        async with AsyncClient(process.target, resume_for_s=120) as client:
            watchers = await start_held(client, 3)
            process.signal(signal.SIGKILL)
            process.wait(30)
            await restart_and_finish(process, hold, watchers, "requeued after restart")
            for watcher in watchers:
                generation = await client.get(watcher.events[0].generation_id)
                assert generation.status is GenerationStatus.COMPLETED
                assert generation.attempt == 2
                assert generation.program is not None
                assert generation.program.provenance.llm_refined
                # A fresh watch from the start sees the same history.
                history = [e async for e in client.watch(generation.id)]
                assert [e.sequence for e in history] == [e.sequence for e in watcher.events]
    finally:
        process.kill()


async def test_sigterm_drains_within_the_grace_and_watchers_resume_after_restart(
    tmp_path: Path, held_llm: tuple[FakeOpenAI, Hold]
) -> None:
    fake, hold = held_llm
    grace = 1.0
    process = server_process(tmp_path, fake, PROGRAMGEN_SHUTDOWN_GRACE_S=str(grace))
    process.start()
    try:
        await process.serving()
        async with AsyncClient(process.target, resume_for_s=120) as client:
            watchers = await start_held(client, 2)
            # A raw stream (no transparent resume) shows what the server answers.
            channel = grpc.aio.insecure_channel(process.target)
            stub = pb_grpc.ProgramGenerationServiceStub(channel)
            raw = stub.WatchGeneration(
                pb.WatchGenerationRequest(id=watchers[0].events[0].generation_id)
            )
            await raw.read()
            began = time.monotonic()
            process.signal(signal.SIGTERM)
            with pytest.raises(grpc.aio.AioRpcError) as closed:
                while await raw.read() is not grpc.aio.EOF:
                    pass
            assert closed.value.code() == grpc.StatusCode.UNAVAILABLE
            assert await asyncio.to_thread(process.wait, 30) == 0
            elapsed = time.monotonic() - began
            assert elapsed < grace + 5.0, f"shutdown took {elapsed:.1f} s"
            await channel.close()
            await restart_and_finish(process, hold, watchers, "requeued at shutdown")
    finally:
        process.kill()


def test_engine_workers_exit_when_the_server_is_killed(tmp_path: Path) -> None:
    process = ServerProcess(
        tmp_path,
        {
            "PROGRAMGEN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pg.db'}",
            "PROGRAMGEN_PROCESSES": "2",
        },
        free_port(),
    )
    process.start()
    try:
        process.wait_serving()
        assert process.proc is not None
        children = [os.pidfd_open(pid) for pid in children_of(process.proc.pid)]
        assert len(children) >= 2  # the engine workers (and the resource tracker)
        process.signal(signal.SIGKILL)
        process.wait(30)
        for pidfd in children:  # a pidfd becomes readable when its process exits
            readable, _, _ = select.select([pidfd], [], [], 15)
            assert readable, "an engine worker outlived the killed server"
            os.close(pidfd)
    finally:
        process.kill()


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in out.stdout.split()]


async def test_sigkill_on_postgres_requeues_the_processing_generations(
    tmp_path: Path, held_llm: tuple[FakeOpenAI, Hold], postgres_url: str
) -> None:
    fake, hold = held_llm
    database = await fresh_database(postgres_url)
    process = server_process(
        tmp_path, fake, PROGRAMGEN_DATABASE_URL=database, PROGRAMGEN_REPLICA_ID="replica-a"
    )
    process.start()
    try:
        await process.serving()
        async with AsyncClient(process.target, resume_for_s=120) as client:
            watchers = await start_held(client, 2)
            process.signal(signal.SIGKILL)
            process.wait(30)
            # Restarted within the lease under the same replica id: its own rows are
            # requeued at once (another replica's would wait for their lease).
            await restart_and_finish(process, hold, watchers, "requeued after restart")
    finally:
        process.kill()
