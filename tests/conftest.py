"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from programgen.server.store.repository import Repository
from programgen.testing import FakeOpenAI


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A started local OpenAI-compatible server (see programgen.testing.fake_openai).

    Use ``fake_openai.base_url`` as OPENAI_BASE_URL / ``LlmSettings.base_url``, script
    answers with ``fake_openai.enqueue(...)`` (``good()``, ``hang()``, ``rate_limited()``,
    ``server_error()``, ``content()``, ``Hold()`` ...); when the queue is empty
    ``fake_openai.default`` answers (a valid refinement). ``fake_openai.chat_requests``
    records what arrived. Stopping releases every hanging or held request at once.
    """
    server = FakeOpenAI().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server started for this test session (tests/postgres.py)."""
    from tests.postgres import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def repository(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Repository]:
    """A migrated store on each backend: SQLite in a file, and a fresh PostgreSQL database."""
    from programgen.server.store.database import create_engine, migrate
    from tests.postgres import fresh_database

    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    else:
        url = await fresh_database(request.getfixturevalue("postgres_url"))
    engine = create_engine(url)
    await migrate(engine)
    await migrate(engine)  # applying twice is a no-op
    try:
        yield Repository(engine)
    finally:
        await engine.dispose()
