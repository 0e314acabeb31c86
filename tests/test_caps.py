"""The per-caller cap holds on every store, under concurrency, across replicas and for
retries, and the open watch streams per caller across replica processes (issue 9, items
1 and 2; issue 10; docs/architecture.md, "Caps")."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import grpc
import pytest

from programgen.client import AsyncClient
from programgen.client.errors import ProgramgenError, ResourceExhausted, from_rpc_error
from programgen.testing import FakeOpenAI
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc
from tests.cluster import Delay, replica
from tests.harness import Gate, example, running_server
from tests.postgres import fresh_database


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'programgen.db'}"
    return await fresh_database(request.getfixturevalue("postgres_url"))


async def _clients(
    stack: AsyncExitStack, tmp_path: Path, url: str, gate: Gate, replicas: int, limit: int
) -> list[AsyncClient]:
    clients = []
    for n in range(replicas):
        server = await stack.enter_async_context(
            running_server(
                tmp_path / f"r{n}",
                generate_fn=gate,
                database_url=url,
                per_caller_limit=limit,
                replica_id=f"replica-{n}",
            )
        )
        clients.append(await stack.enter_async_context(AsyncClient(f"127.0.0.1:{server.port}")))
    return clients


@pytest.fixture
async def gate() -> AsyncIterator[Gate]:
    held = Gate()
    yield held
    held.release()


async def test_retry_takes_a_slot_like_a_start(
    tmp_path: Path, database_url: str, gate: Gate
) -> None:
    async with AsyncExitStack() as stack:
        (client,) = await _clients(stack, tmp_path, database_url, gate, 1, limit=1)
        a = await client.start(example())
        await client.cancel(a.id)
        b = await client.start(example())
        with pytest.raises(ResourceExhausted) as refused:
            await client.retry(a.id)
        assert refused.value.reason == "CALLER_LIMIT_REACHED"
        assert (await client.get(a.id)).status.name == "CANCELLED"
        await client.cancel(b.id)
        assert (await client.retry(a.id)).status.name == "PENDING"


async def test_concurrent_starts_at_the_limit_accept_exactly_the_limit(
    tmp_path: Path, database_url: str, gate: Gate
) -> None:
    replicas = 1 if database_url.startswith("sqlite") else 2
    async with AsyncExitStack() as stack:
        clients = await _clients(stack, tmp_path, database_url, gate, replicas, limit=3)
        for attempt in range(3):  # a race shows only sometimes: try it more than once
            results = await asyncio.gather(
                *(
                    clients[n % replicas].start(example(), request_id=f"t{attempt}-{n}")
                    for n in range(10)
                ),
                return_exceptions=True,
            )
            accepted = [r for r in results if not isinstance(r, BaseException)]
            refused = [r for r in results if isinstance(r, ResourceExhausted)]
            assert len(accepted) == 3 and len(refused) == 7, results
            for handle in accepted:
                await clients[0].cancel(handle.id)


class _Stream:
    """One raw WatchGeneration stream, held open once its first reply arrived."""

    def __init__(self, target: str, generation_id: str) -> None:
        self.channel = grpc.aio.insecure_channel(target)
        stub = pb_grpc.ProgramGenerationServiceStub(self.channel)
        self.call = stub.WatchGeneration(pb.WatchGenerationRequest(id=generation_id))

    async def opened(self) -> ProgramgenError | None:
        """None once admitted (the replay's first event came); the refusal otherwise."""
        try:
            await self.call.read()
        except grpc.RpcError as error:
            await self.close()
            return from_rpc_error(error)
        return None

    async def close(self) -> None:
        self.call.cancel()
        await self.channel.close()


async def _admitted(target: str, generation_id: str, timeout_s: float) -> tuple[_Stream, float]:
    """A stream admitted on ``target``, retried until a slot is free; seconds it took."""
    began = time.monotonic()
    while True:
        stream = _Stream(target, generation_id)
        refused = await stream.opened()
        if refused is None:
            return stream, time.monotonic() - began
        assert refused.reason == "TOO_MANY_WATCHERS_FOR_CALLER", refused
        if time.monotonic() - began > timeout_s:
            raise AssertionError(f"no slot on {target} within {timeout_s:g} s")
        await asyncio.sleep(0.05)  # a retry interval, not synchronisation


async def test_watch_streams_per_caller_are_capped_across_replica_processes(
    tmp_path: Path, postgres_url: str
) -> None:
    limit = 4
    # A longer lease than the cluster tests' 2 s: a live replica's renewals (every
    # second) must never miss it, even on a loaded machine, or its streams' slots would
    # be freed while they are open.
    lease_s = 6.0
    database = await fresh_database(postgres_url)
    slow = FakeOpenAI(default=Delay(120)).start()  # the generation stays running
    env = {
        "PROGRAMGEN_MAX_WATCHERS_PER_CALLER": str(limit),
        "PROGRAMGEN_LEASE_S": str(lease_s),
        "PROGRAMGEN_LEASE_HEARTBEAT_S": "1.0",
    }
    replicas = [replica(tmp_path, n, database, slow, **env) for n in range(3)]
    streams: list[_Stream] = []
    try:
        for process in replicas:
            process.start()
        await asyncio.gather(*(p.serving() for p in replicas))
        async with AsyncClient(replicas[0].target) as client:
            generation = await client.start(example())
        targets = [p.target for p in replicas]
        for n in range(limit):  # 2 on replica 0, 1 on each other
            stream = _Stream(targets[n % 3], generation.id)
            assert await stream.opened() is None
            streams.append(stream)
        for target in targets:  # the next one on any replica is refused, with details
            refused = await _Stream(target, generation.id).opened()
            assert isinstance(refused, ResourceExhausted), refused
            assert refused.reason == "TOO_MANY_WATCHERS_FOR_CALLER"
            assert refused.retry_after_s == 5.0 and f"limit {limit}" in refused.message
        await streams.pop(0).close()  # closing one on replica 0 frees a slot for replica 2
        stream, _ = await _admitted(targets[2], generation.id, 5.0)
        streams.append(stream)
        replicas[1].kill()  # kill -9: its one stream's slot is freed by its lease running out
        stream, waited = await _admitted(targets[0], generation.id, lease_s + 3.0)
        streams.append(stream)
        assert waited <= lease_s + 1.0, waited
        refused = await _Stream(targets[2], generation.id).opened()
        assert isinstance(refused, ResourceExhausted), "the freed slot was given twice"
    finally:
        for stream in streams:
            await stream.close()
        for process in replicas:
            process.stop()
        slow.stop()


async def test_a_watch_cancelled_while_taking_its_slot_gives_the_slot_back(
    postgres_url: str,
) -> None:
    # The take is held at its per-caller lock, cancelled there, then let through: its row
    # is committed after the RPC is gone, and must be deleted at once rather than count
    # against the caller until its lease (an hour here) runs out.
    from sqlalchemy import text

    from programgen.server.store.database import create_engine, migrate
    from programgen.server.store.stream_slots import SharedSlots

    engine = create_engine(await fresh_database(postgres_url))
    try:
        await migrate(engine)
        slots = SharedSlots(engine, "replica-a", lease_s=3600.0)
        async with engine.connect() as holder:
            lock = "SELECT pg_advisory_lock(hashtextextended('alice', 1))"
            await holder.execute(text(lock))
            taking = asyncio.ensure_future(slots.take("alice", 1))
            await _until(lambda: _lock_waiters(engine), "the take to wait on the lock")
            taking.cancel()
            with pytest.raises(asyncio.CancelledError):
                await taking
            unlock = "SELECT pg_advisory_unlock(hashtextextended('alice', 1))"
            await holder.execute(text(unlock))
        slot = None
        began = time.monotonic()
        while slot is None:
            slot, _ = await slots.take("alice", 1)
            if time.monotonic() - began > 10.0:
                raise AssertionError("the cancelled take still holds the only slot")
            await asyncio.sleep(0.05)  # a retry interval, not synchronisation
        refused, open_before = await slots.take("alice", 1)
        assert refused is None and open_before == 1  # exactly one row: the new stream's
    finally:
        await engine.dispose()


async def _lock_waiters(engine: object) -> bool:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import AsyncEngine

    assert isinstance(engine, AsyncEngine)
    query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    async with engine.connect() as conn:
        return bool((await conn.execute(text(query))).scalar_one())


async def _until(check: object, what: str, timeout_s: float = 10.0) -> None:
    began = time.monotonic()
    while not await check():  # type: ignore[operator]
        if time.monotonic() - began > timeout_s:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)  # a poll interval, not synchronisation
