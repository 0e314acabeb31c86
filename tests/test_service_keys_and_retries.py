"""Caller ids and key mode, reused request ids, and a start refused by a drain that the
client retries into exactly one generation."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from programgen.client import AsyncClient
from programgen.client.errors import AlreadyExists, Unauthenticated
from programgen.pipeline.engine import GenerateOptions
from programgen.server.app import Running, start
from programgen.server.auth import create_key
from programgen.testing import free_port
from tests.harness import Gate, example, running_server, settings
from tests.request_support import database_overrides, store
from tests.test_cli import run

__all__ = ["store"]  # the fixture


async def test_keys_create_refuses_the_reserved_anonymous_id(tmp_path: Path) -> None:
    url = ["--database-url", f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"]
    for caller in ("anonymous", "bell\x07id"):
        refused = await run("keys", "create", caller, *url)
        assert refused.code == 2 and refused.out == "", refused
        assert "caller id" in refused.err
    listed = await run("keys", "list", *url)
    assert len(listed.out.splitlines()) == 1  # the header only


async def test_the_first_key_takes_effect_without_a_restart(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        target = f"127.0.0.1:{server.port}"
        async with AsyncClient(target) as anonymous:
            await anonymous.list_page()  # no key yet: anonymous mode
            _key_id, key = await create_key(server.repository, "alice", "standard")
            with pytest.raises(Unauthenticated):
                await anonymous.list_page()
        async with AsyncClient(target, api_key=key) as alice:
            assert (await alice.list_page())[0] == []


async def test_a_reused_request_id_with_another_profile_is_already_exists(
    tmp_path: Path, store: str
) -> None:
    overrides = await database_overrides(store)
    async with (
        running_server(tmp_path, **overrides) as server,
        AsyncClient(f"127.0.0.1:{server.port}") as client,
    ):
        original = await client.start(example(), request_id="order-1")
        again = await client.start(example(), request_id="order-1")
        assert again.id == original.id  # the same profile: the original, not an error
        with pytest.raises(AlreadyExists) as error:
            await client.start({**example(), "daysPerWeek": 4}, request_id="order-1")
        assert error.value.reason == "REQUEST_ID_REUSED"
        assert error.value.metadata == {"generation_id": original.id}
        generations, _ = await client.list_page()
        assert [g.id for g in generations] == [original.id]


def _refusals(running: Running) -> float:
    labels = {"method": "StartGeneration", "code": "UNAVAILABLE"}
    return float(running.metrics.registry.get_sample_value("programgen_rpcs_total", labels) or 0)


class RefusalSeen:
    """Stands in for the server's per-RPC counter: an event once it counts a Start
    answered UNAVAILABLE (the per-RPC metrics interceptor counts every answer)."""

    def __init__(self, counter: Any) -> None:
        self._counter = counter
        self.event = asyncio.Event()

    def labels(self, method: str, code: str) -> Any:
        if (method, code) == ("StartGeneration", "UNAVAILABLE"):
            self.event.set()
        return self._counter.labels(method, code)


async def test_a_start_refused_by_a_drain_is_retried_into_exactly_one_generation(
    tmp_path: Path,
) -> None:
    gate = Gate()  # holds one generation running, so the drain lasts until released
    config = settings(tmp_path, address=f"127.0.0.1:{free_port()}", shutdown_grace_s=60.0)
    first = await start(config, generate_fn=gate, options=GenerateOptions())
    target = f"127.0.0.1:{first.port}"
    async with AsyncClient(target) as client:
        held = await client.start(example(), request_id="held")
        await gate.entered.get()
        refused = RefusalSeen(first.metrics.rpcs)
        first.metrics.rpcs = refused  # type: ignore[assignment]
        draining = asyncio.create_task(first.stop())
        await asyncio.sleep(0)  # stop() refuses new starts before its first await
        assert first.service.draining
        starting = asyncio.create_task(client.start({**example(), "daysPerWeek": 4}))
        await asyncio.wait_for(refused.event.wait(), 30)  # the drain refused the start
        gate.release()
        await draining
        second = await start(config, options=GenerateOptions())  # same port, same database
        try:
            started = await asyncio.wait_for(starting, 30)
            generations, _ = await client.list_page()
            assert sorted(g.id for g in generations) == sorted([held.id, started.id])
            assert _refusals(second) == 0
        finally:
            await second.stop(grace_s=0)
