"""Real servers in the test process, on a loopback port (a server as a child process is
``programgen.testing.ServerProcess``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from programgen.client import AsyncClient
from programgen.pipeline.domain import Profile, Program
from programgen.pipeline.engine import GenerateOptions, Offload, ProgressCallback, generate
from programgen.server.app import Running, start
from programgen.server.config import Settings
from programgen.server.errors import TransientError
from programgen.server.runner import GenerateFn

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def example(name: str = "beginner_full_gym") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return data


def settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "address": "127.0.0.1:0",
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'programgen.db'}",
        "processes": 0,
        "sqlite_synchronous": "NORMAL",
        "shutdown_grace_s": 0.0,
    }
    values.update(overrides)
    return Settings.load(**values)


@asynccontextmanager
async def running_server(
    tmp_path: Path, *, generate_fn: GenerateFn = generate, **overrides: Any
) -> AsyncIterator[Running]:
    running = await start(
        settings(tmp_path, **overrides), generate_fn=generate_fn, options=GenerateOptions()
    )
    try:
        yield running
    finally:
        await running.stop(grace_s=0)


class Gate:
    """A generate function that blocks until released, then runs the real engine.

    ``entered`` counts the generations that reached the pipeline; ``release()`` lets all
    of them through; ``fail_with`` makes them raise instead of generating."""

    def __init__(self) -> None:
        self.entered: asyncio.Queue[Profile] = asyncio.Queue()
        self._open = asyncio.Event()
        self.fail_with: BaseException | None = None
        self.transient_failures = 0  # raise TransientError this many times first

    def release(self) -> None:
        self._open.set()

    def hold(self) -> None:
        """Block the generations that reach the pipeline from now on, until release()."""
        self._open.clear()

    async def __call__(
        self,
        profile: Profile,
        options: GenerateOptions,
        progress: ProgressCallback | None,
        offload: Offload | None,
    ) -> Program:
        self.entered.put_nowait(profile)
        await self._open.wait()
        if self.transient_failures > 0:
            self.transient_failures -= 1
            raise TransientError("an engine process died (test)")
        if self.fail_with is not None:
            raise self.fail_with
        return await generate(profile, options, progress, offload)


async def add_keys(tmp_path: Path, *callers: tuple[str, str]) -> dict[str, tuple[str, str]]:
    """Create API keys in the test database before the server starts (it then runs in
    API-key mode). Returns caller -> (key id, key)."""
    from programgen.server.auth import create_key
    from programgen.server.store.database import create_engine, migrate
    from programgen.server.store.repository import Repository

    engine = create_engine(settings(tmp_path).store.database_url)
    try:
        await migrate(engine)
        repository = Repository(engine)
        return {caller: await create_key(repository, caller, tier) for caller, tier in callers}
    finally:
        await engine.dispose()


@asynccontextmanager
async def served(tmp_path: Path, **kwargs: Any) -> AsyncIterator[tuple[Running, AsyncClient]]:
    """A running server (see ``running_server``) and an anonymous client connected to it."""
    async with (
        running_server(tmp_path, **kwargs) as server,
        AsyncClient(f"127.0.0.1:{server.port}") as client,
    ):
        yield server, client
