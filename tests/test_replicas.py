"""Several replicas (real server processes) on one PostgreSQL: crashes, a paused replica,
a lost listener, cancel across replicas, and the SQLite guard (docs/architecture.md,
"Replicas")."""

from __future__ import annotations

import asyncio
import random
import signal
import time
import urllib.request
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from programgen.client import AsyncClient
from programgen.testing import FakeOpenAI, Hold, ServerError, ServerProcess, free_port
from programgen.testing.fake_openai import good
from tests.cluster import (
    HEARTBEAT_S,
    POLL_S,
    Delay,
    Watcher,
    assert_dense_and_completed_once,
    eventually,
    replica,
    sql,
)
from tests.harness import example
from tests.postgres import fresh_database


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(default=good()).start()
    try:
        yield server
    finally:
        server.stop()


async def test_three_replicas_survive_kill_9_again_and_again(
    tmp_path: Path, postgres_url: str
) -> None:
    database = await fresh_database(postgres_url)
    slow = FakeOpenAI(default=Delay(0.3)).start()
    replicas = [replica(tmp_path, n, database, slow) for n in range(3)]
    try:
        for process in replicas:
            process.start()
        await asyncio.gather(*(p.serving() for p in replicas))
        async with AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(AsyncClient(p.target, resume_for_s=90))
                for p in replicas
            ]
            watchers = await _kill_cycles(replicas, clients, cycles=10)
            _done, stuck = await asyncio.wait([w.task for w in watchers], timeout=90)
            if stuck:
                rows = await sql(
                    database,
                    "SELECT id, status, attempt, replica_id, last_sequence FROM generations "
                    "WHERE status <> 'completed'",
                )
                late = [
                    (w.generation_id, [e.sequence for e in w.events])
                    for w in watchers
                    if w.task in stuck
                ]
                raise AssertionError(f"unfinished: {rows}; stuck watchers: {late[:5]}")
        for watcher in watchers:
            assert_dense_and_completed_once(watcher.events)
        statuses = await sql(database, "SELECT status, count(*) FROM generations GROUP BY status")
        assert statuses == [("completed", len(watchers))]
        twice = await sql(
            database,
            "SELECT generation_pk FROM generation_events WHERE status = 'completed' "
            "GROUP BY generation_pk HAVING count(*) <> 1",
        )
        assert twice == []
    finally:
        for process in replicas:
            process.kill()
        slow.stop()


async def _kill_cycles(
    replicas: list[ServerProcess], clients: list[AsyncClient], cycles: int
) -> list[Watcher]:
    """Each cycle: six starts spread over the replicas, each watched on the next one;
    once a run is in its LLM stage, kill -9 a random replica and restart it."""
    rng = random.Random(20261201)
    watchers: list[Watcher] = []
    for cycle in range(cycles):
        starts = await asyncio.gather(
            *(clients[n % 3].start(example(), request_id=f"c{cycle}-{n}") for n in range(6)),
            return_exceptions=True,
        )
        for n, handle in enumerate(starts):
            if not isinstance(handle, BaseException):  # acknowledged: it must complete
                watchers.append(Watcher(clients[(n + 1) % 3], handle.id))
        await eventually(
            lambda: any(w.in_llm.is_set() and not w.task.done() for w in watchers),
            30,
            "a run in its LLM stage",
        )
        victim = replicas[rng.randrange(3)]
        victim.signal(signal.SIGKILL)
        await asyncio.to_thread(victim.wait, 30)
        victim.start()
        await victim.serving()
    return watchers


async def test_a_paused_replica_past_its_lease_cannot_write_after_the_rescue(
    tmp_path: Path, postgres_url: str, fake: FakeOpenAI
) -> None:
    database = await fresh_database(postgres_url)
    first = Hold(then=good())
    fake.enqueue(first)  # replica 0's LLM call waits; the rescuer's answers at once
    zombie, rescuer = (replica(tmp_path, n, database, fake) for n in range(2))
    try:
        zombie.start()
        await zombie.serving()
        async with AsyncClient(zombie.target) as client:
            generation = await client.start(example())
        await asyncio.to_thread(first.entered.wait, 30)
        rescuer.start()
        await rescuer.serving()
        zombie.signal(signal.SIGSTOP)
        try:
            async with AsyncClient(rescuer.target, resume_for_s=60) as client:
                watcher = Watcher(client, generation.id)
                await asyncio.wait_for(watcher.task, 60)
                assert_dense_and_completed_once(watcher.events)
                messages = [e.message for e in watcher.events]
                assert "requeued: the lease of replica replica-0 expired" in messages
                assert (await client.get(generation.id)).attempt == 2
            row = "SELECT status, attempt, last_sequence, program, replica_id FROM generations"
            before = await sql(database, row)
        finally:
            zombie.signal(signal.SIGCONT)
        first.release()  # the zombie's LLM call answers: its run tries to go on
        await eventually(
            lambda: (
                "lost its claim" in zombie.log.read_text()
                or "stopping its run" in zombie.log.read_text()
            ),
            30,
            "the zombie noticing it lost its claim",
        )
        assert await sql(database, row) == before
        assert before[0][4] == "replica-1"  # the program is the rescuer's
    finally:
        zombie.kill()
        rescuer.kill()


async def test_watchers_get_every_event_within_the_poll_bound_when_the_listener_dies(
    tmp_path: Path, postgres_url: str, fake: FakeOpenAI
) -> None:
    database = await fresh_database(postgres_url)
    held = Hold(then=good())
    fake.enqueue(held)
    runner, watching = (replica(tmp_path, n, database, fake) for n in range(2))
    try:
        runner.start()
        await runner.serving()
        async with AsyncClient(runner.target) as client:
            generation = await client.start(example())
        await asyncio.to_thread(held.entered.wait, 30)
        watching.start()
        await watching.serving()
        async with AsyncClient(watching.target, resume_for_s=60) as client:
            watcher = Watcher(client, generation.id)
            await asyncio.wait_for(watcher.in_llm.wait(), 30)
            listener = "application_name = 'programgen-listen replica-1'"
            killed = await sql(
                database,
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {listener}",
            )
            assert killed == [(True,)]
            seen = len(watcher.events)
            held.release()
            await asyncio.wait_for(watcher.task, 30)
        assert_dense_and_completed_once(watcher.events)
        assert len(watcher.events) > seen + 1
        for event, received in list(zip(watcher.events, watcher.received, strict=True))[seen:]:
            assert received - event.time.timestamp() <= POLL_S + 1.0, event
        rows: list[tuple[object, ...]] = []
        deadline = time.monotonic() + 10
        while not rows and time.monotonic() < deadline:  # the listener reconnected
            rows = await sql(database, f"SELECT pid FROM pg_stat_activity WHERE {listener}")
        assert rows
    finally:
        held.release()
        runner.kill()
        watching.kill()


async def test_a_cancel_on_one_replica_stops_the_run_on_another(
    tmp_path: Path, postgres_url: str, fake: FakeOpenAI
) -> None:
    database = await fresh_database(postgres_url)
    held = Hold(then=good())
    fake.enqueue(held)
    metrics_port = free_port()
    metrics = f"127.0.0.1:{metrics_port}"
    runner = replica(tmp_path, 0, database, fake, PROGRAMGEN_METRICS_ADDRESS=metrics)
    other = replica(tmp_path, 1, database, fake)
    try:
        runner.start()
        await runner.serving()
        async with AsyncClient(runner.target) as client:
            generation = await client.start(example())
        await asyncio.to_thread(held.entered.wait, 30)
        other.start()
        await other.serving()
        assert await asyncio.to_thread(_running, metrics_port) == 1
        async with AsyncClient(other.target) as client:
            cancelled = await client.cancel(generation.id)
        assert cancelled.status.name == "CANCELLED"
        began = time.monotonic()
        while await asyncio.to_thread(_running, metrics_port) != 0:
            assert time.monotonic() - began < HEARTBEAT_S + 1.0, "the run was not stopped"
        assert "stopping its run" in runner.log.read_text()
    finally:
        held.release()
        runner.kill()
        other.kill()


def _running(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        for line in reply.read().decode().splitlines():
            if line.startswith("programgen_generations_running "):
                return int(float(line.split()[1]))
    raise AssertionError("no running gauge")


def test_a_second_server_on_one_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'one.db'}"
    env = {"PROGRAMGEN_DATABASE_URL": url, "PROGRAMGEN_PROCESSES": "0"}
    with ServerProcess(tmp_path / "first", env):
        second = ServerProcess(tmp_path / "second", env)
        second.start()
        with pytest.raises(ServerError):
            second.wait_serving(30)
        assert second.wait(30) == 2
        assert "another programgen server is using the SQLite database" in second.log.read_text()


async def test_sigterm_hands_running_generations_to_another_replica_at_once(
    tmp_path: Path, postgres_url: str, fake: FakeOpenAI
) -> None:
    database = await fresh_database(postgres_url)
    held = Hold(then=good())
    fake.enqueue(held)  # only the first replica's call waits
    lease = {"PROGRAMGEN_LEASE_S": "60", "PROGRAMGEN_LEASE_HEARTBEAT_S": "20"}
    leaving, staying = (replica(tmp_path, n, database, fake, **lease) for n in range(2))
    try:
        leaving.start()
        await leaving.serving()
        async with AsyncClient(leaving.target) as client:
            generation = await client.start(example())
        await asyncio.to_thread(held.entered.wait, 30)
        staying.start()
        await staying.serving()
        began = time.monotonic()
        leaving.signal(signal.SIGTERM)
        assert await asyncio.to_thread(leaving.wait, 30) == 0
        async with AsyncClient(staying.target) as client:
            watcher = Watcher(client, generation.id)
            await asyncio.wait_for(watcher.task, 30)
        assert time.monotonic() - began < 30, "waited for the lease instead of a hand-back"
        assert_dense_and_completed_once(watcher.events)
        assert "requeued at shutdown" in [e.message for e in watcher.events]
    finally:
        held.release()
        leaving.kill()
        staying.kill()
