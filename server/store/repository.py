"""The only module that reads and writes the store.

Every state change of a generation goes through ``transition``: one transaction that
updates the row (fenced by the expected statuses and, for workers, the attempt number),
bumps its dense ``last_sequence`` and inserts the matching event. So an event exists iff
its state change was committed, and the caller publishes only what came back from here.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.store.database import is_sqlite
from server.store.schema import api_keys, generation_events, generations

PENDING = "pending"
PROCESSING = "processing"
COMPLETED = "completed"
FAILED = "failed"
CANCELLED = "cancelled"
ACTIVE = frozenset({PENDING, PROCESSING})
TERMINAL = frozenset({COMPLETED, FAILED, CANCELLED})

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class GenerationRecord:
    pk: int
    id: str
    owner: str
    request_id: str | None
    tier: int
    status: str
    attempt: int
    stage: str
    percent: int
    last_sequence: int
    lease_expires_at: float | None
    profile: str
    program: str | None
    error_reason: str
    error_message: str
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class EventRecord:
    generation_id: str
    sequence: int
    status: str
    stage: str
    percent: int
    message: str
    created_at: float

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    key_id: str
    caller_id: str
    tier: str
    created_at: float
    revoked_at: float | None


class CapExceeded(Exception):
    def __init__(self, active: int) -> None:
        super().__init__(f"{active} generations already queued or running")
        self.active = active


def _shielded(
    write: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Let a write run to its end even if the caller is cancelled (a cancelled generation,
    a shutdown): a transaction torn mid-way can leave its connection holding SQLite's
    write lock. The caller just stops waiting for it."""

    @wraps(write)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return await asyncio.shield(write(*args, **kwargs))

    return wrapper


def _record(row: Any) -> GenerationRecord:
    return GenerationRecord(**{name: getattr(row, name) for name in GenerationRecord.__slots__})


class Repository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # SQLite has one writer at a time; serialising writers here turns lock contention
        # (and its SQLITE_BUSY on read-then-write upgrades) into a cheap in-process queue.
        self._write_lock = asyncio.Lock() if is_sqlite(str(engine.url)) else None

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        if self._write_lock is None:
            async with self._engine.begin() as conn:
                yield conn
            return
        async with self._write_lock, self._engine.begin() as conn:
            yield conn

    # ------------------------------------------------------------------ generations

    @_shielded
    async def create(
        self, *, owner: str, tier: int, request_id: str | None, profile: str, cap: int
    ) -> tuple[GenerationRecord, EventRecord | None]:
        """Insert a pending generation and its event #1; with a known request id return the
        original instead (event None). Raises CapExceeded when the owner is at its cap."""
        try:
            async with self._writing() as conn:
                if request_id:
                    existing = await self._by_request(conn, owner, request_id)
                    if existing is not None:
                        return existing, None
                active = await conn.scalar(
                    select(func.count())
                    .select_from(generations)
                    .where(generations.c.owner == owner, generations.c.status.in_(ACTIVE))
                )
                if (active or 0) >= cap:
                    raise CapExceeded(active or 0)
                now = time.time()
                row = (
                    await conn.execute(
                        generations.insert()
                        .values(
                            id=str(uuid.uuid4()),
                            owner=owner,
                            request_id=request_id or None,
                            tier=tier,
                            status=PENDING,
                            attempt=0,
                            stage="",
                            percent=0,
                            last_sequence=1,
                            profile=profile,
                            error_reason="",
                            error_message="",
                            created_at=now,
                            updated_at=now,
                        )
                        .returning(*generations.c)
                    )
                ).one()
                record = _record(row)
                event = EventRecord(record.id, 1, PENDING, "", 0, "queued", now)
                await conn.execute(
                    generation_events.insert().values(
                        generation_pk=record.pk,
                        sequence=1,
                        status=PENDING,
                        stage="",
                        percent=0,
                        message=event.message,
                        created_at=now,
                    )
                )
                return record, event
        except IntegrityError:
            # A concurrent start with the same request id won the race (PostgreSQL).
            if not request_id:
                raise
            async with self._engine.connect() as conn:
                existing = await self._by_request(conn, owner, request_id)
            if existing is None:
                raise
            return existing, None

    async def _by_request(
        self, conn: AsyncConnection, owner: str, request_id: str
    ) -> GenerationRecord | None:
        row = (
            await conn.execute(
                select(generations).where(
                    generations.c.owner == owner, generations.c.request_id == request_id
                )
            )
        ).first()
        return _record(row) if row is not None else None

    @_shielded
    async def transition(
        self,
        generation_id: str,
        *,
        to: str,
        expect: Iterable[str],
        attempt: int | None = None,
        claim: bool = False,
        lease_until: float | None = None,
        stage: str = "",
        percent: int = 0,
        message: str = "",
        program: str | None = None,
        error: tuple[str, str] | None = None,
        clear_result: bool = False,
    ) -> tuple[GenerationRecord, EventRecord] | None:
        """Apply one fenced state change and append its event; None if the fence failed
        (the row is not in an expected status, or ``attempt`` is no longer current)."""
        now = time.time()
        values: dict[str, Any] = {
            "status": to,
            "stage": stage,
            "percent": percent,
            "last_sequence": generations.c.last_sequence + 1,
            "updated_at": now,
        }
        if claim:
            values["attempt"] = generations.c.attempt + 1
        if claim or to != PROCESSING:
            values["lease_expires_at"] = lease_until
        if program is not None:
            values["program"] = program
        if error is not None:
            values["error_reason"], values["error_message"] = error
        if clear_result:
            values.update(program=None, error_reason="", error_message="")
        stmt = update(generations).where(
            generations.c.id == generation_id, generations.c.status.in_(list(expect))
        )
        if attempt is not None:
            stmt = stmt.where(generations.c.attempt == attempt)
        async with self._writing() as conn:
            row = (await conn.execute(stmt.values(**values).returning(*generations.c))).first()
            if row is None:
                return None
            record = _record(row)
            await conn.execute(
                generation_events.insert().values(
                    generation_pk=record.pk,
                    sequence=record.last_sequence,
                    status=to,
                    stage=stage,
                    percent=percent,
                    message=message,
                    created_at=now,
                )
            )
        event = EventRecord(record.id, record.last_sequence, to, stage, percent, message, now)
        return record, event

    async def get(self, generation_id: str, owner: str | None = None) -> GenerationRecord | None:
        stmt = select(generations).where(generations.c.id == generation_id)
        if owner is not None:
            stmt = stmt.where(generations.c.owner == owner)
        async with self._engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        return _record(row) if row is not None else None

    async def list_generations(
        self, *, owner: str, status: str | None, before_pk: int | None, limit: int
    ) -> list[GenerationRecord]:
        """The owner's generations, newest first, with pk below ``before_pk``."""
        stmt = select(generations).where(generations.c.owner == owner)
        if status is not None:
            stmt = stmt.where(generations.c.status == status)
        if before_pk is not None:
            stmt = stmt.where(generations.c.pk < before_pk)
        stmt = stmt.order_by(generations.c.pk.desc()).limit(limit)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [_record(r) for r in rows]

    async def events_after(
        self, record: GenerationRecord, after_sequence: int, limit: int = 500
    ) -> list[EventRecord]:
        stmt = (
            select(generation_events)
            .where(
                generation_events.c.generation_pk == record.pk,
                generation_events.c.sequence > after_sequence,
            )
            .order_by(generation_events.c.sequence)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [
            EventRecord(
                record.id, r.sequence, r.status, r.stage, r.percent, r.message, r.created_at
            )
            for r in rows
        ]

    async def unfinished(self, *, lease_expired_before: float | None) -> list[GenerationRecord]:
        """Pending rows, and processing rows whose lease expired before the given time
        (all processing rows when None: a single-process store has no other worker)."""
        processing = generations.c.status == PROCESSING
        if lease_expired_before is not None:
            processing = processing & (generations.c.lease_expires_at < lease_expired_before)
        stmt = (
            select(generations)
            .where((generations.c.status == PENDING) | processing)
            .order_by(generations.c.pk)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [_record(r) for r in rows]

    # ------------------------------------------------------------------ API keys

    async def add_key(self, *, key_id: str, key_hash: str, caller_id: str, tier: str) -> None:
        async with self._writing() as conn:
            await conn.execute(
                api_keys.insert().values(
                    key_id=key_id,
                    key_hash=key_hash,
                    caller_id=caller_id,
                    tier=tier,
                    created_at=time.time(),
                    revoked_at=None,
                )
            )

    async def key_by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(api_keys).where(api_keys.c.key_hash == key_hash))
            ).first()
        if row is None:
            return None
        return ApiKeyRecord(row.key_id, row.caller_id, row.tier, row.created_at, row.revoked_at)

    async def keys(self) -> list[ApiKeyRecord]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(api_keys).order_by(api_keys.c.created_at))).all()
        return [
            ApiKeyRecord(r.key_id, r.caller_id, r.tier, r.created_at, r.revoked_at) for r in rows
        ]

    async def revoke_key(self, key_id: str) -> bool:
        async with self._writing() as conn:
            result = await conn.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=time.time())
            )
            return bool(result.rowcount)

    async def has_keys(self) -> bool:
        async with self._engine.connect() as conn:
            count = await conn.scalar(select(func.count()).select_from(api_keys))
        return bool(count)
