"""The only module that reads and writes the store (docs/architecture.md, "The store").

Every state change of a generation goes through ``transition``: one transaction that
applies a fenced ``StateChange`` and inserts its event (see ``writes``), so an event
exists iff its state change was committed, and the caller publishes only what came back
from here. On SQLite, writes go through group commit (see ``group_commit``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from programgen.server.records import (
    ApiKeyRecord,
    CapExceeded,
    EventRecord,
    GenerationRecord,
    GenerationStatus,
)
from programgen.server.store import claims
from programgen.server.store.database import create_sqlite_engine, is_sqlite
from programgen.server.store.group_commit import GroupCommit
from programgen.server.store.schema import api_keys, generation_events, generations
from programgen.server.store.writes import (
    NewGeneration,
    Outcome,
    StateChange,
    Write,
    apply,
    record_from_row,
)

P = ParamSpec("P")
R = TypeVar("R")


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


def _key_record(row: Any) -> ApiKeyRecord:
    return ApiKeyRecord(row.key_id, row.caller_id, row.tier, row.created_at, row.revoked_at)


def _event_record(generation_id: str, row: Any) -> EventRecord:
    status = GenerationStatus(row.status)
    return EventRecord(
        generation_id,
        row.sequence,
        status,
        row.stage,
        row.percent,
        row.message,
        row.created_at,
        row.attempt,
    )


class Repository:
    def __init__(self, engine: AsyncEngine, *, sqlite_synchronous: str = "FULL") -> None:
        self._engine = engine
        self._write_lock: asyncio.Lock | None = None
        self._group: GroupCommit | None = None
        # SQLite: a synchronous engine on the same file. Reads run on the event loop
        # itself: a read by key takes ~100 us there, while each round trip to aiosqlite's
        # thread costs ~150 us (more while the loop holds the GIL) and a query makes
        # several. Writes go through group commit; with WAL, readers never wait for the
        # writer.
        self._sqlite: Engine | None = None
        if is_sqlite(str(engine.url)):
            self._sqlite = create_sqlite_engine(
                str(engine.url), sqlite_synchronous=sqlite_synchronous
            )
            # One writer at a time; serialising writers here turns lock contention (and
            # its SQLITE_BUSY on read-then-write upgrades) into a cheap in-process queue.
            self._write_lock = asyncio.Lock()
            self._group = GroupCommit(self._sqlite, self._write_lock)
        # A key added through this repository (auth.Authenticator ends anonymous mode at
        # once for it, without waiting for its next read of the store).
        self.key_added = False

    @property
    def engines(self) -> list[Engine]:
        """Every synchronous engine this repository sends statements through."""
        return [self._engine.sync_engine] + ([self._sqlite] if self._sqlite else [])

    def close(self) -> None:
        if self._group is not None:
            self._group.close()
        if self._sqlite is not None:
            self._sqlite.dispose()

    async def _read(self, query: Callable[[Connection], R]) -> R:
        if self._sqlite is not None:
            with self._sqlite.connect() as conn:
                return query(conn)
        async with self._engine.connect() as conn:
            return await conn.run_sync(query)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        if self._write_lock is None:
            async with self._engine.begin() as conn:
                yield conn
            return
        async with self._write_lock, self._engine.begin() as conn:
            yield conn

    async def _commit(self, write: Write) -> Outcome:
        if self._group is not None:
            return await self._group.submit(write)
        return await self._commit_alone(write)

    @_shielded
    async def _commit_alone(self, write: Write) -> Outcome:
        # PostgreSQL takes concurrent writers: one transaction per request.
        async with self._engine.begin() as conn:
            (outcome,) = await conn.run_sync(apply, [write])
        return outcome

    # ------------------------------------------------------------------ generations

    async def create(
        self, *, owner: str, tier: int, request_id: str | None, profile: str, cap: int
    ) -> tuple[GenerationRecord, EventRecord | None]:
        """Insert a pending generation and its event #1; with a known request id return the
        original instead (event None). Raises CapExceeded when the owner is at its cap."""
        try:
            write = NewGeneration(owner, tier, request_id or None, profile, cap)
            outcome = await self._commit(write)
        except IntegrityError:
            # A concurrent start with the same request id won the race (PostgreSQL).
            if not request_id:
                raise
            existing = await self._by_request(owner, request_id)
            if existing is None:
                raise
            return existing, None
        if isinstance(outcome, CapExceeded):
            raise outcome
        assert outcome is not None
        return outcome

    async def transition(self, change: StateChange) -> tuple[GenerationRecord, EventRecord] | None:
        """Apply one fenced state change and append its event; None if the fence failed
        (the row is not in an expected status, or ``attempt`` is no longer current).
        Raises CapExceeded when the change has a cap its owner is at."""
        outcome = await self._commit(change)
        if outcome is None:
            return None
        if isinstance(outcome, CapExceeded):
            raise outcome
        record, event = outcome  # type: ignore[misc]
        assert event is not None
        return record, event

    async def _by_request(self, owner: str, request_id: str) -> GenerationRecord | None:
        stmt = select(generations).where(
            generations.c.owner == owner, generations.c.request_id == request_id
        )
        row = await self._read(lambda conn: conn.execute(stmt).first())
        return record_from_row(row) if row is not None else None

    async def get(self, generation_id: str, owner: str | None = None) -> GenerationRecord | None:
        stmt = select(generations).where(generations.c.id == generation_id)
        if owner is not None:
            stmt = stmt.where(generations.c.owner == owner)
        row = await self._read(lambda conn: conn.execute(stmt).first())
        return record_from_row(row) if row is not None else None

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
        rows = await self._read(lambda conn: conn.execute(stmt).all())
        return [record_from_row(r) for r in rows]

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
        rows = await self._read(lambda conn: conn.execute(stmt).all())
        return [_event_record(record.id, r) for r in rows]

    async def unfinished(self, *, lease_expired_before: float | None) -> list[GenerationRecord]:
        """Pending rows, and processing rows whose lease expired before the given time
        (all processing rows when None: a single-process store has no other worker)."""
        processing = generations.c.status == GenerationStatus.PROCESSING.value
        if lease_expired_before is not None:
            processing = processing & (generations.c.lease_expires_at < lease_expired_before)
        stmt = (
            select(generations)
            .where((generations.c.status == GenerationStatus.PENDING.value) | processing)
            .order_by(generations.c.pk)
        )
        rows = await self._read(lambda conn: conn.execute(stmt).all())
        return [record_from_row(r) for r in rows]

    # ------------------------------------------------------------------ replicas

    @property
    def shared(self) -> bool:
        """True on PostgreSQL: several replicas may claim from this store."""
        return self._sqlite is None

    @property
    def async_engine(self) -> AsyncEngine:
        return self._engine

    @property
    def url(self) -> str:
        return self._engine.url.render_as_string(hide_password=False)

    @_shielded
    async def claim_batch(
        self, *, replica_id: str, limit: int, lease_s: float
    ) -> list[tuple[GenerationRecord, EventRecord]]:
        async with self._engine.begin() as conn:
            return await conn.run_sync(
                lambda c: claims.claim_batch(c, replica_id=replica_id, limit=limit, lease_s=lease_s)
            )

    @_shielded
    async def renew(self, *, replica_id: str, held: dict[str, int], lease_s: float) -> set[str]:
        async with self._engine.begin() as conn:
            return await conn.run_sync(
                lambda c: claims.renew(c, replica_id=replica_id, held=held, lease_s=lease_s)
            )

    async def expired(self, *, now: float, limit: int = 100) -> list[GenerationRecord]:
        return await self._read(lambda conn: claims.expired(conn, now=now, limit=limit))

    async def claimed_by(self, replica_id: str) -> list[GenerationRecord]:
        return await self._read(lambda conn: claims.mine(conn, replica_id=replica_id))

    async def last_sequences(self, ids: list[str]) -> dict[str, int]:
        return await self._read(lambda conn: claims.last_sequences(conn, ids))

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
        self.key_added = True

    async def key_by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        stmt = select(api_keys).where(api_keys.c.key_hash == key_hash)
        row = await self._read(lambda conn: conn.execute(stmt).first())
        return _key_record(row) if row is not None else None

    async def keys(self) -> list[ApiKeyRecord]:
        stmt = select(api_keys).order_by(api_keys.c.created_at)
        rows = await self._read(lambda conn: conn.execute(stmt).all())
        return [_key_record(r) for r in rows]

    async def revoke_key(self, key_id: str) -> bool:
        async with self._writing() as conn:
            result = await conn.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=time.time())
            )
            return bool(result.rowcount)

    async def has_keys(self) -> bool:
        stmt = select(func.count()).select_from(api_keys)
        return bool(await self._read(lambda conn: conn.scalar(stmt)))
