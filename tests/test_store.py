"""The store on both backends: fencing, dense sequences, idempotency, caps, recovery."""

from __future__ import annotations

import asyncio

import pytest

from programgen.server.records import CapExceeded, GenerationStatus
from programgen.server.store.repository import Repository
from programgen.server.store.writes import StateChange

PENDING = GenerationStatus.PENDING
PROCESSING = GenerationStatus.PROCESSING
COMPLETED = GenerationStatus.COMPLETED
CANCELLED = GenerationStatus.CANCELLED


async def create(repository: Repository, owner: str = "alice", request_id: str | None = None):
    return await repository.create(
        owner=owner, tier=1, request_id=request_id, profile="{}", cap=100
    )


async def test_a_stale_attempt_can_neither_progress_nor_complete(repository: Repository) -> None:
    record, _ = await create(repository)
    first = await repository.transition(StateChange(record.id, PROCESSING, (PENDING,), claim=True))
    assert first is not None and first[0].attempt == 1
    # Requeued (as after a restart) and claimed again by a new worker.
    await repository.transition(StateChange(record.id, PENDING, (PROCESSING,)))
    second = await repository.transition(StateChange(record.id, PROCESSING, (PENDING,), claim=True))
    assert second is not None and second[0].attempt == 2
    stale = await repository.transition(
        StateChange(record.id, COMPLETED, (PROCESSING,), attempt=1, program="{}")
    )
    assert stale is None
    done = await repository.transition(
        StateChange(record.id, COMPLETED, (PROCESSING,), attempt=2, program="{}")
    )
    assert done is not None
    twice = await repository.transition(
        StateChange(record.id, COMPLETED, (PROCESSING,), attempt=2, program="{}")
    )
    assert twice is None
    events = await repository.events_after(done[0], 0)
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert [e.status for e in events] == [PENDING, PROCESSING, PENDING, PROCESSING, COMPLETED]


async def test_concurrent_transitions_keep_sequences_dense(repository: Repository) -> None:
    record, _ = await create(repository)
    await repository.transition(StateChange(record.id, PROCESSING, (PENDING,), claim=True))
    results = await asyncio.gather(
        *(
            repository.transition(
                StateChange(record.id, PROCESSING, (PROCESSING,), attempt=1, percent=n)
            )
            for n in range(30)
        )
    )
    assert all(r is not None for r in results)
    latest = await repository.get(record.id)
    assert latest is not None and latest.last_sequence == 32
    events = await repository.events_after(latest, 0)
    assert [e.sequence for e in events] == list(range(1, 33))


async def test_request_ids_are_idempotent_per_owner(repository: Repository) -> None:
    results = await asyncio.gather(*(create(repository, request_id="r1") for _ in range(5)))
    assert len({r.id for r, _ in results}) == 1
    assert sum(1 for _, event in results if event is not None) == 1
    other, event = await create(repository, owner="bob", request_id="r1")
    assert event is not None and other.id != results[0][0].id


async def test_the_cap_counts_queued_and_running_only(repository: Repository) -> None:
    records = []
    for _ in range(3):
        record, _ = await repository.create(
            owner="carol", tier=0, request_id=None, profile="{}", cap=3
        )
        records.append(record)
    with pytest.raises(CapExceeded) as error:
        await repository.create(owner="carol", tier=0, request_id=None, profile="{}", cap=3)
    assert error.value.active == 3
    await repository.transition(StateChange(records[0].id, CANCELLED, (PENDING,)))
    await repository.create(owner="carol", tier=0, request_id=None, profile="{}", cap=3)


async def test_unfinished_lists_pending_and_expired_processing(repository: Repository) -> None:
    pending, _ = await create(repository)
    live, _ = await create(repository)
    expired, _ = await create(repository)
    finished, _ = await create(repository)
    await repository.transition(
        StateChange(live.id, PROCESSING, (PENDING,), claim=True, lease_until=2e9)
    )
    await repository.transition(
        StateChange(expired.id, PROCESSING, (PENDING,), claim=True, lease_until=1.0)
    )
    await repository.transition(StateChange(finished.id, CANCELLED, (PENDING,)))
    leased = await repository.unfinished(lease_expired_before=1e9)
    assert [r.id for r in leased] == [pending.id, expired.id]
    everything = await repository.unfinished(lease_expired_before=None)
    assert [r.id for r in everything] == [pending.id, live.id, expired.id]
