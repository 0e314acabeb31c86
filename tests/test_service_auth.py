"""API keys, ownership, per-caller caps and tier priority against a real server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from programgen.client import AsyncClient, GenerationStatus
from programgen.client.errors import NotFound, ResourceExhausted, Unauthenticated
from programgen.server.app import ConfigError
from tests.harness import Gate, add_keys, example, running_server, served, settings


async def test_missing_wrong_and_revoked_keys_are_unauthenticated(tmp_path: Path) -> None:
    keys = await add_keys(tmp_path, ("alice", "standard"), ("mallory", "free"))
    async with running_server(tmp_path) as server:
        target = f"127.0.0.1:{server.port}"
        for api_key in (None, "pgk_nope_nope", keys["alice"][1] + "x"):
            async with AsyncClient(target, api_key=api_key) as client:
                with pytest.raises(Unauthenticated) as error:
                    await client.list_page()
                assert error.value.reason == "UNAUTHENTICATED"
        async with AsyncClient(target, api_key=keys["mallory"][1]) as client:
            await client.list_page()
            assert await server.repository.revoke_key(keys["mallory"][0])
            with pytest.raises(Unauthenticated):
                await client.list_page()
            with pytest.raises(Unauthenticated):
                await client.start(example())


async def test_a_caller_never_sees_another_callers_generation(tmp_path: Path) -> None:
    keys = await add_keys(tmp_path, ("alice", "standard"), ("bob", "standard"))
    async with running_server(tmp_path) as server:
        target = f"127.0.0.1:{server.port}"
        async with (
            AsyncClient(target, api_key=keys["alice"][1]) as alice,
            AsyncClient(target, api_key=keys["bob"][1]) as bob,
        ):
            generation = await alice.start(example(), request_id="same")
            await alice.wait(generation.id)
            for call in (bob.get, bob.cancel, bob.retry):
                with pytest.raises(NotFound) as error:
                    await call(generation.id)
                # The same answer as for an id that does not exist at all.
                assert error.value.reason == "GENERATION_NOT_FOUND"
            with pytest.raises(NotFound):
                await bob.wait(generation.id)
            assert (await bob.list_page())[0] == []
            # Request ids are per caller: bob's "same" is a new generation.
            own = await bob.start(example(), request_id="same")
            assert own.id != generation.id


async def test_the_per_caller_cap_answers_resource_exhausted_with_retry_info(
    tmp_path: Path,
) -> None:
    gate = Gate()
    async with served(tmp_path, generate_fn=gate, per_caller_limit=3) as (_server, client):
        started = [await client.start(example()) for _ in range(3)]
        with pytest.raises(ResourceExhausted) as error:
            await client.start(example())
        assert error.value.reason == "CALLER_LIMIT_REACHED"
        assert error.value.retry_after_s and error.value.retry_after_s > 0
        await client.cancel(started[0].id)
        fourth = await client.start(example())  # a slot was freed
        gate.release()
        await client.wait(fourth.id)


async def test_higher_tiers_run_first_and_callers_take_turns_within_a_tier(
    tmp_path: Path,
) -> None:
    keys = await add_keys(
        tmp_path, ("free1", "free"), ("std1", "standard"), ("std2", "standard"), ("vip", "priority")
    )
    gate = Gate()
    async with running_server(tmp_path, generate_fn=gate, workers=1) as server:
        target = f"127.0.0.1:{server.port}"
        clients = {name: AsyncClient(target, api_key=key) for name, (_, key) in keys.items()}
        try:
            blocker = await clients["free1"].start(example())
            await asyncio.wait_for(gate.entered.get(), 10)  # the only worker is busy now
            order: dict[str, str] = {}
            for name in ("free1", "free1", "std1", "std1", "std2", "vip"):
                generation = await clients[name].start(example())
                order[generation.id] = name
            gate.release()
            finished = []
            for generation_id, name in order.items():
                await clients[name].wait(generation_id)
                record = await server.repository.get(generation_id)
                assert record is not None
                finished.append((record.updated_at, name))
            await clients["free1"].wait(blocker.id)
        finally:
            for client in clients.values():
                await client.close()
    by_completion = [name for _, name in sorted(finished)]
    assert by_completion == ["vip", "std1", "std2", "std1", "free1", "free1"]


async def test_anonymous_mode_refuses_a_non_loopback_address(tmp_path: Path) -> None:
    from programgen.server.app import start

    with pytest.raises(ConfigError, match="anonymous"):
        await start(settings(tmp_path, address="0.0.0.0:0"))


async def test_list_filters_by_status(tmp_path: Path) -> None:
    async with served(tmp_path) as (_server, client):
        done = await client.start(example())
        await client.wait(done.id)
        completed, _ = await client.list_page(status=GenerationStatus.COMPLETED)
        assert [g.id for g in completed] == [done.id]
        assert (await client.list_page(status=GenerationStatus.FAILED))[0] == []


async def test_a_malformed_llm_setting_stops_the_server_from_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from programgen.server.app import start

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("PROGRAMGEN_LLM_TIMEOUT_S", "soon")
    with pytest.raises(ConfigError, match="PROGRAMGEN_LLM_TIMEOUT_S"):
        await start(settings(tmp_path))
