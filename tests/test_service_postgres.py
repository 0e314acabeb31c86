"""The whole service on a real PostgreSQL server instead of SQLite."""

from __future__ import annotations

from pathlib import Path

from programgen.client import GenerationStatus
from tests.harness import example, served
from tests.postgres import fresh_database


async def test_generations_complete_and_page_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    url = await fresh_database(postgres_url)
    async with served(tmp_path, database_url=url) as (_server, client):
        ids = [(await client.start(example(), request_id=f"r{n}")).id for n in range(5)]
        again = await client.start(example(), request_id="r0")
        assert again.id == ids[0]
        for generation_id in ids:
            program = await client.wait(generation_id)
            assert program.weeks
        events = [e async for e in client.watch(ids[0])]
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        first, token = await client.list_page(page_size=3)
        second, end = await client.list_page(page_size=3, page_token=token)
        assert [g.id for g in first + second] == list(reversed(ids))
        assert end == ""
        assert all(g.status is GenerationStatus.COMPLETED for g in first + second)
