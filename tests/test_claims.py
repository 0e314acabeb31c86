"""Claims on PostgreSQL decide tier priority and per-caller fairness in SQL, for every
replica at once (docs/architecture.md, "Replicas")."""

from __future__ import annotations

import asyncio

from programgen.server.store.database import create_engine, migrate
from programgen.server.store.repository import Repository
from tests.postgres import fresh_database


async def _repository(postgres_url: str) -> Repository:
    engine = create_engine(await fresh_database(postgres_url))
    await migrate(engine)
    return Repository(engine)


async def _add(repository: Repository, owner: str, count: int, tier: int = 0) -> list[str]:
    ids = []
    for _ in range(count):
        record, _event = await repository.create(
            owner=owner, tier=tier, request_id=None, profile="{}", cap=1000
        )
        ids.append(record.id)
    return ids


async def _claim(repository: Repository, replica: str, limit: int) -> list[str]:
    claimed = await repository.claim_batch(replica_id=replica, limit=limit, lease_s=30)
    return [record.owner for record, _event in claimed]


async def test_one_callers_burst_does_not_starve_another_across_replicas(
    postgres_url: str,
) -> None:
    repository = await _repository(postgres_url)
    try:
        await _add(repository, "burst", 10)
        await _add(repository, "late", 2)
        # Replica a takes two: one per caller, though "burst" queued first.
        assert sorted(await _claim(repository, "a", 2)) == ["burst", "late"]
        # Replica b next: "late" has one running, "burst" one: each gets its turn again.
        assert sorted(await _claim(repository, "b", 2)) == ["burst", "late"]
        assert await _claim(repository, "a", 3) == ["burst"] * 3
    finally:
        repository.close()
        await repository.async_engine.dispose()


async def test_a_higher_tier_is_claimed_first(postgres_url: str) -> None:
    repository = await _repository(postgres_url)
    try:
        await _add(repository, "free", 3, tier=0)
        await _add(repository, "priority", 1, tier=2)
        assert await _claim(repository, "a", 1) == ["priority"]
    finally:
        repository.close()
        await repository.async_engine.dispose()


async def test_concurrent_claims_take_disjoint_rows(postgres_url: str) -> None:
    repository = await _repository(postgres_url)
    try:
        ids = await _add(repository, "c", 20)
        batches = await asyncio.gather(
            *(repository.claim_batch(replica_id=f"r{n}", limit=4, lease_s=30) for n in range(6))
        )
        claimed = [record.id for batch in batches for record, _event in batch]
        assert sorted(claimed) == sorted(ids)  # each row once: SKIP LOCKED, no double claim
        attempts = {record.attempt for batch in batches for record, _event in batch}
        assert attempts == {1}
    finally:
        repository.close()
        await repository.async_engine.dispose()


async def test_turns_count_running_work_past_the_candidate_window(postgres_url: str) -> None:
    repository = await _repository(postgres_url)
    try:
        await _add(repository, "busy", 3)
        assert await _claim(repository, "a", 3) == ["busy"] * 3  # busy: 3 running
        await _add(repository, "busy", 100)  # far more than the window a claim reads
        await _add(repository, "quiet", 100)
        await _add(repository, "once", 1)
        await _add(repository, "paid", 50, tier=1)
        paid = await _claim(repository, "b", 50)  # the higher tier first, all of it
        assert paid == ["paid"] * 50
        # The 7 lowest turns: quiet's 1-4, once's 1, busy's 4-5 (3 running; busy's rows
        # are older than quiet's at equal turns). Returned rows are not in claim order.
        owners = await _claim(repository, "c", 7)
        assert sorted(owners) == ["busy"] * 2 + ["once"] + ["quiet"] * 4, owners
    finally:
        repository.close()
        await repository.async_engine.dispose()
