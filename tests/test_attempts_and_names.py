"""Each event names its attempt; every generation names its goal and, once completed,
its program (list results included), on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from programgen.client import AsyncClient, Event, GenerationFailed, GenerationStatus, Goal
from programgen.pipeline.domain import ProgramInvalid, Violation
from programgen.server.store.database import create_engine, migrate
from tests.harness import Gate, example, running_server
from tests.postgres import fresh_database
from tests.request_support import database_overrides, store

__all__ = ["store"]  # the fixture


async def history(client: AsyncClient, generation_id: str) -> list[Event]:
    return [e async for e in client.watch(generation_id, after_sequence=0)]


async def test_after_a_retry_each_event_names_its_attempt(tmp_path: Path, store: str) -> None:
    gate = Gate()
    gate.fail_with = ProgramInvalid([Violation(field="weeks", description="broken on purpose")])
    gate.release()
    overrides = await database_overrides(store)
    async with (
        running_server(tmp_path, generate_fn=gate, **overrides) as server,
        AsyncClient(f"127.0.0.1:{server.port}") as client,
    ):
        started = await client.start(example("advanced_powerlifter_lb"))
        with pytest.raises(GenerationFailed):
            await client.wait(started.id)
        failed = await client.get(started.id)
        assert failed.goal is Goal.POWERLIFTING_PEAK and failed.program_name == ""

        gate.fail_with = None
        retried = await client.retry(started.id)
        assert retried.program_name == ""
        program = await client.wait(started.id)
        events = await history(client, started.id)
        listed, _ = await client.list_page()

    terminal = [(e.status, e.attempt) for e in events if e.status.terminal]
    assert terminal == [(GenerationStatus.FAILED, 1), (GenerationStatus.COMPLETED, 2)]
    assert events[0].status is GenerationStatus.PENDING and events[0].attempt == 0
    # The retry's pending event still belongs to the attempt that failed.
    pending_again = [e for e in events if e.status is GenerationStatus.PENDING][1]
    assert pending_again.attempt == 1
    claims = [e.attempt for e in events if e.message == "processing"]
    assert claims == [1, 2]
    # Attempts never go down along the sequence.
    attempts = [e.attempt for e in events]
    assert attempts == sorted(attempts)

    (row,) = listed
    assert row.profile is None and row.program is None  # the list stays light
    assert row.goal is Goal.POWERLIFTING_PEAK
    assert program.name and row.program_name == program.name


async def test_migration_names_the_programs_already_completed(tmp_path: Path, store: str) -> None:
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        if store == "sqlite"
        else await fresh_database(store)
    )
    engine = create_engine(url)
    try:
        await migrate(engine, "0003")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO generations (id, owner, tier, status, attempt, stage, percent,"
                    " last_sequence, profile, program, error_reason, error_message,"
                    " created_at, updated_at) VALUES (:id, 'alice', 1, :status, 1, '', 100, 3,"
                    " '{}', :program, '', '', 0, 0)"
                ),
                [
                    {"id": "done", "status": "completed", "program": json.dumps({"name": "Block"})},
                    {"id": "todo", "status": "pending", "program": None},
                ],
            )
            await conn.execute(
                text(
                    "INSERT INTO generation_events (generation_pk, sequence, status, stage,"
                    " percent, message, created_at) SELECT pk, 1, 'pending', '', 0, 'queued', 0"
                    " FROM generations"
                )
            )
        await migrate(engine)
        async with engine.connect() as conn:
            names = dict(
                (await conn.execute(text("SELECT id, program_name FROM generations"))).all()
            )
            attempts = (await conn.execute(text("SELECT attempt FROM generation_events"))).all()
    finally:
        await engine.dispose()
    assert names == {"done": "Block", "todo": None}
    assert [a for (a,) in attempts] == [0, 0]
