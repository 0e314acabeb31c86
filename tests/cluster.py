"""Replicas as real server processes on one PostgreSQL, for tests/test_replicas*.py."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from programgen.client import AsyncClient, Event, GenerationStatus, Stage
from programgen.testing import FakeOpenAI, ServerProcess, free_port
from programgen.testing.fake_openai import Behaviour, RecordedRequest, Reply, good

COMPLETED = GenerationStatus.COMPLETED

# Short leases so a rescue happens within a test's time; the poll bounds every fallback.
LEASE_S, HEARTBEAT_S, POLL_S = 2.0, 0.5, 0.2


class Delay(Behaviour):
    """Answer well after ``seconds`` (returns at once when the fake server stops)."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def respond(self, request: RecordedRequest, server: FakeOpenAI) -> Reply | None:
        if server.stopping.wait(self._seconds):
            return None
        return good().respond(request, server)


def replica(root: Path, n: int, database: str, fake: FakeOpenAI, **env: str) -> ServerProcess:
    return ServerProcess(
        root / f"replica-{n}",
        {
            **fake.env(),
            "PROGRAMGEN_LLM_TIMEOUT_S": "120",
            "PROGRAMGEN_LLM_DEADLINE_S": "120",
            "PROGRAMGEN_DATABASE_URL": database,
            "PROGRAMGEN_REPLICA_ID": f"replica-{n}",
            "PROGRAMGEN_PROCESSES": "0",
            "PROGRAMGEN_SHUTDOWN_GRACE_S": "0",
            "PROGRAMGEN_LEASE_S": str(LEASE_S),
            "PROGRAMGEN_LEASE_HEARTBEAT_S": str(HEARTBEAT_S),
            "PROGRAMGEN_POLL_S": str(POLL_S),
            "PROGRAMGEN_PER_CALLER_LIMIT": "1000",
            **env,
        },
        free_port(),
    )


class Watcher:
    """A generation's events through the resuming client watch, with receipt times."""

    def __init__(self, client: AsyncClient, generation_id: str) -> None:
        self.generation_id = generation_id
        self.events: list[Event] = []
        self.received: list[float] = []
        self.in_llm = asyncio.Event()
        self.task = asyncio.create_task(self._run(client))

    async def _run(self, client: AsyncClient) -> None:
        async for event in client.watch(self.generation_id):
            self.events.append(event)
            self.received.append(time.time())
            if event.stage is Stage.LLM_REFINEMENT:
                self.in_llm.set()


def assert_dense_and_completed_once(events: list[Event]) -> None:
    sequences = [e.sequence for e in events]
    assert sequences == list(range(1, len(sequences) + 1)), sequences
    statuses = [e.status for e in events]
    assert statuses.count(COMPLETED) == 1 and statuses[-1] == COMPLETED, statuses


async def sql(database: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(database, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(statement))
            return [tuple(r) for r in result.all()] if result.returns_rows else []
    finally:
        await engine.dispose()


async def eventually(check: Callable[[], bool], timeout_s: float, what: str) -> float:
    """Wait until ``check()`` holds (a condition, checked each 20 ms); seconds taken."""
    began = time.monotonic()
    while not check():
        if time.monotonic() - began > timeout_s:
            raise AssertionError(f"not within {timeout_s:g} s: {what}")
        await asyncio.sleep(0.02)
    return time.monotonic() - began
