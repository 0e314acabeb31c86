"""The per-caller cap stays exact when the sole writer keeps the counts itself
(server/store/active_counts.py): after any mix of starts, claims, completions,
cancellations, retries and rolled-back groups, a start is accepted exactly when the
caller's active rows in the store are below the cap."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from programgen.server.records import ACTIVE, CapExceeded, GenerationRecord, GenerationStatus
from programgen.server.store.active_counts import delta
from programgen.server.store.repository import Repository
from programgen.server.store.schema import generations
from programgen.server.store.writes import StateChange

PENDING = GenerationStatus.PENDING
PROCESSING = GenerationStatus.PROCESSING
COMPLETED = GenerationStatus.COMPLETED
FAILED = GenerationStatus.FAILED
CANCELLED = GenerationStatus.CANCELLED
CAP = 4
OWNERS = ("ann", "ben")


async def _active_in_store(repository: Repository, owner: str) -> int:
    async with repository.async_engine.connect() as conn:
        query = select(func.count()).where(
            generations.c.owner == owner, generations.c.status.in_(sorted(ACTIVE))
        )
        return int((await conn.execute(query)).scalar_one())


async def _start(repository: Repository, owner: str) -> GenerationRecord | CapExceeded:
    try:
        record, _ = await repository.create(
            owner=owner, tier=0, request_id=None, profile="{}", cap=CAP
        )
    except CapExceeded as refused:
        return refused
    return record


def _step(record: GenerationRecord, rng: random.Random) -> StateChange:
    """A random legal next change of ``record`` (the lifecycle's edges)."""
    if record.status == PENDING:
        if rng.random() < 0.3:
            return StateChange(record.id, CANCELLED, (PENDING, PROCESSING))
        return StateChange(record.id, PROCESSING, (PENDING,), claim=True)
    if record.status == PROCESSING:
        to = rng.choice([COMPLETED, FAILED, PENDING, PROCESSING])
        error = ("X", "y") if to == FAILED else None
        program = "{}" if to == COMPLETED else None
        return StateChange(
            record.id, to, (PROCESSING,), attempt=record.attempt, error=error, program=program
        )
    return StateChange(record.id, PENDING, (FAILED, CANCELLED), clear_result=True, cap=CAP)


async def test_starts_are_accepted_exactly_below_the_cap(repository: Repository) -> None:
    rng = random.Random(20261201)
    rows: dict[str, GenerationRecord] = {}
    for _ in range(60):
        # A round of concurrent writes, so that several share one group commit.
        owners = [rng.choice(OWNERS) for _ in range(rng.randint(1, 5))]
        changes = [_step(r, rng) for r in rng.sample(list(rows.values()), min(3, len(rows)))]
        results = await asyncio.gather(
            *(_start(repository, o) for o in owners),
            *(repository.transition(c) for c in changes),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                assert isinstance(result, CapExceeded), result  # a retry with no room
                continue
            if isinstance(result, GenerationRecord):
                rows[result.id] = result
            elif isinstance(result, tuple):
                rows[result[0].id] = result[0]
        # Then one start alone: accepted exactly when the store has room for it.
        owner = rng.choice(OWNERS)
        active = await _active_in_store(repository, owner)
        assert active <= CAP
        probe = await _start(repository, owner)
        assert isinstance(probe, GenerationRecord) == (active < CAP), (owner, active)
        if isinstance(probe, GenerationRecord):
            rows[probe.id] = probe
        else:
            assert probe.active == CAP


async def test_a_rolled_back_group_counts_nothing(repository: Repository) -> None:
    taken = [await _start(repository, "ann") for _ in range(CAP - 2)]
    first = taken[0]
    assert isinstance(first, GenerationRecord) and isinstance(taken[-1], GenerationRecord)
    # A change that breaks a constraint fails its whole transaction: on SQLite that is
    # the group commit, which then holds the start submitted beside it.
    broken = StateChange(first.id, PROCESSING, (PENDING,), claim=True, stage=None)  # type: ignore[arg-type]
    results = await asyncio.gather(
        _start(repository, "ann"), repository.transition(broken), return_exceptions=True
    )
    assert isinstance(results[1], IntegrityError)
    if not repository.shared:  # SQLite: one group, rolled back as a whole
        assert isinstance(results[0], IntegrityError), results[0]
    for _ in range(3):
        active = await _active_in_store(repository, "ann")
        probe = await _start(repository, "ann")
        assert isinstance(probe, GenerationRecord) == (active < CAP), active
    assert await _active_in_store(repository, "ann") == CAP


def test_every_edge_says_which_way_it_moves_the_count() -> None:
    from programgen.server.lifecycle import STATE_TABLE

    for name, edge in STATE_TABLE.items():
        if edge.source:
            assert delta(edge.target, tuple(edge.source)) is not None, name
    assert delta(COMPLETED, (PROCESSING,)) == -1
    assert delta(PENDING, (FAILED, CANCELLED)) == 1
    assert delta(PROCESSING, (PENDING,)) == 0
    assert delta(PENDING, (PENDING, COMPLETED)) is None
