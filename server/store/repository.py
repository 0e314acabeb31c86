"""The only module that reads and writes the store.

Every state change of a generation goes through ``transition``: one transaction that
updates the row (fenced by the expected statuses and, for workers, the attempt number),
bumps its dense ``last_sequence`` and inserts the matching event. So an event exists iff
its state change was committed, and the caller publishes only what came back from here.
"""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from programgen.server.store.database import create_sqlite_engine, is_sqlite
from programgen.server.store.schema import api_keys, generation_events, generations

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
    # The row as this event's commit left it (None when read back from the store): a
    # watcher needs it for the terminal event's program or error, without a read.
    generation: GenerationRecord | None = field(default=None, compare=False, repr=False)

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


def _key_record(row: Any) -> ApiKeyRecord:
    return ApiKeyRecord(row.key_id, row.caller_id, row.tier, row.created_at, row.revoked_at)


def _record(row: Any) -> GenerationRecord:
    return GenerationRecord(**{name: getattr(row, name) for name in GenerationRecord.__slots__})


@dataclass(frozen=True, slots=True)
class _Create:
    owner: str
    tier: int
    request_id: str | None
    profile: str
    cap: int


@dataclass(frozen=True, slots=True)
class _Transition:
    generation_id: str
    to: str
    expect: list[str]
    attempt: int | None
    claim: bool
    lease_until: float | None
    stage: str
    percent: int
    message: str
    program: str | None
    error: tuple[str, str] | None
    clear_result: bool


_Write = _Create | _Transition
_Outcome = tuple[GenerationRecord, EventRecord | None] | CapExceeded | None


def _apply(conn: Connection, writes: list[_Write]) -> list[_Outcome]:
    """Apply ``writes`` in order inside the caller's transaction; one outcome each.

    Domain refusals (a cap reached, a failed fence) are outcomes, decided before anything
    is written, so one refused write never undoes the others of its group. Every event
    row is inserted at the end in one statement."""
    outcomes: list[_Outcome] = [None] * len(writes)
    events: list[dict[str, Any]] = []
    creates = [i for i, w in enumerate(writes) if isinstance(w, _Create)]
    if creates:
        new = [w for w in writes if isinstance(w, _Create)]
        created = _create_many(conn, new, events)
        for i, outcome in zip(creates, created, strict=True):
            outcomes[i] = outcome
    for i, write in enumerate(writes):
        if isinstance(write, _Transition):
            outcomes[i] = _transition(conn, write, events)
    if events:
        conn.execute(_INSERT_EVENTS, events)
    return outcomes


# The group's statements, built once (see _transition_statement).
_ACTIVE_COUNTS = (
    select(generations.c.owner, func.count())
    .where(
        generations.c.owner.in_(bindparam("owners", expanding=True)),
        generations.c.status.in_(sorted(ACTIVE)),
    )
    .group_by(generations.c.owner)
)
_INSERT_GENERATIONS = generations.insert().returning(*generations.c, sort_by_parameter_order=True)
_INSERT_EVENTS = generation_events.insert()


def _create_many(
    conn: Connection, creates: list[_Create], events: list[dict[str, Any]]
) -> list[_Outcome]:
    """Pending generations for ``creates``: one count query, one request-id lookup and one
    multi-row insert for the whole group, whatever its size."""
    owners = list({c.owner for c in creates})
    counts = conn.execute(_ACTIVE_COUNTS, {"owners": owners})
    active: dict[str, int] = {owner: count for owner, count in counts}
    known: dict[tuple[str, str], GenerationRecord] = {}
    request_ids = {c.request_id for c in creates if c.request_id}
    if request_ids:
        rows = conn.execute(
            select(generations).where(
                generations.c.owner.in_(owners), generations.c.request_id.in_(request_ids)
            )
        )
        known = {(r.owner, r.request_id): _record(r) for r in rows}
    # None: a row to insert; a (owner, request id) key: the same request twice in one
    # group, answered with the row the first one inserts.
    outcomes: list[_Outcome | tuple[str, str]] = []
    new_rows: list[dict[str, Any]] = []
    claimed: set[tuple[str, str]] = set()  # request ids first used in this group
    now = time.time()
    for c in creates:
        key = (c.owner, c.request_id) if c.request_id else None
        if key is not None and key in known:
            outcomes.append((known[key], None))
        elif key is not None and key in claimed:
            outcomes.append(key)
        elif active.get(c.owner, 0) >= c.cap:
            outcomes.append(CapExceeded(active.get(c.owner, 0)))
        else:
            active[c.owner] = active.get(c.owner, 0) + 1
            if key is not None:
                claimed.add(key)
            outcomes.append(None)
            new_rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "owner": c.owner,
                    "request_id": c.request_id,
                    "tier": c.tier,
                    "status": PENDING,
                    "attempt": 0,
                    "stage": "",
                    "percent": 0,
                    "last_sequence": 1,
                    "profile": c.profile,
                    "error_reason": "",
                    "error_message": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
    created: list[GenerationRecord] = []
    if new_rows:
        rows = conn.execute(_INSERT_GENERATIONS, new_rows)
        created = [_record(r) for r in rows]
    fresh = iter(created)
    result: list[_Outcome] = []
    for outcome in outcomes:
        if outcome is None:
            record = next(fresh)
            if record.request_id:
                known[(record.owner, record.request_id)] = record
            events.append(
                {
                    "generation_pk": record.pk,
                    "sequence": 1,
                    "status": PENDING,
                    "stage": "",
                    "percent": 0,
                    "message": "queued",
                    "created_at": now,
                }
            )
            event = EventRecord(record.id, 1, PENDING, "", 0, "queued", now, record)
            result.append((record, event))
        elif isinstance(outcome, tuple) and isinstance(outcome[0], str):
            result.append((known[outcome], None))
        else:
            result.append(outcome)
    return result


@functools.cache
def _transition_statement(
    claim: bool, set_lease: bool, program: bool, error: bool, clear: bool, fenced: bool
) -> Any:
    """The UPDATE for one shape of transition, built once: building and hashing a fresh
    statement per transition was a third of the writer's time under load."""
    values: dict[str, Any] = {
        "status": bindparam("p_to"),
        "stage": bindparam("p_stage"),
        "percent": bindparam("p_percent"),
        "last_sequence": generations.c.last_sequence + 1,
        "updated_at": bindparam("p_now"),
    }
    if claim:
        values["attempt"] = generations.c.attempt + 1
    if set_lease:
        values["lease_expires_at"] = bindparam("p_lease")
    if program:
        values["program"] = bindparam("p_program")
    if error:
        values["error_reason"] = bindparam("p_error_reason")
        values["error_message"] = bindparam("p_error_message")
    if clear:
        values.update(program=None, error_reason="", error_message="")
    stmt = update(generations).where(
        generations.c.id == bindparam("p_id"),
        generations.c.status.in_(bindparam("p_expect", expanding=True)),
    )
    if fenced:
        stmt = stmt.where(generations.c.attempt == bindparam("p_attempt"))
    return stmt.values(**values).returning(*generations.c)


def _transition(conn: Connection, t: _Transition, events: list[dict[str, Any]]) -> _Outcome:
    now = time.time()
    set_lease = t.claim or t.to != PROCESSING
    stmt = _transition_statement(
        t.claim,
        set_lease,
        t.program is not None,
        t.error is not None,
        t.clear_result,
        t.attempt is not None,
    )
    params: dict[str, Any] = {
        "p_id": t.generation_id,
        "p_expect": t.expect,
        "p_to": t.to,
        "p_stage": t.stage,
        "p_percent": t.percent,
        "p_now": now,
        "p_lease": t.lease_until,
        "p_program": t.program,
        "p_attempt": t.attempt,
    }
    if t.error is not None:
        params["p_error_reason"], params["p_error_message"] = t.error
    row = conn.execute(stmt, params).first()
    if row is None:
        return None
    record = _record(row)
    events.append(
        {
            "generation_pk": record.pk,
            "sequence": record.last_sequence,
            "status": t.to,
            "stage": t.stage,
            "percent": t.percent,
            "message": t.message,
            "created_at": now,
        }
    )
    event = EventRecord(
        record.id, record.last_sequence, t.to, t.stage, t.percent, t.message, now, record
    )
    return record, event


def _by_request(conn: Connection, owner: str, request_id: str) -> GenerationRecord | None:
    row = conn.execute(
        select(generations).where(
            generations.c.owner == owner, generations.c.request_id == request_id
        )
    ).first()
    return _record(row) if row is not None else None


class _GroupCommit:
    """Group commit for SQLite's single writer: the writes that arrive while one
    transaction runs all go into the next one, which a writer thread runs in one go. A
    write then costs one BEGIN/COMMIT (and fsync) and one hand-off between threads per
    group instead of several round trips each, and the event loop keeps serving while
    the group runs (so the next group fills up). Callers wait on a future, so a cancelled
    caller never tears a transaction (it just stops waiting).

    Measured (bench/start_vs_noop.py, 16 callers): ~1,100 Starts/s this way; ~600/s
    running the groups on the loop itself (then groups hold ~1 write: nothing arrives
    while the loop is busy committing)."""

    MAX_GROUP = 512  # bounds one transaction's time, so the first caller's wait too

    def __init__(self, engine: Engine, lock: asyncio.Lock) -> None:
        self._engine = engine
        self._lock = lock
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._conn: Connection | None = None  # used on the writer thread only
        self._waiting: list[tuple[_Write, asyncio.Future[_Outcome]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, write: _Write) -> _Outcome:
        future: asyncio.Future[_Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((write, future))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush(), name="store-group-commit")
        return await asyncio.shield(future)

    def _run(self, writes: list[_Write]) -> list[_Outcome]:
        # The writer thread keeps one connection: a pool checkout and return per group
        # cost a tenth of its time.
        if self._conn is None:
            self._conn = self._engine.connect()
        try:
            with self._conn.begin():
                return _apply(self._conn, writes)
        except Exception:
            self._conn.close()  # rolled back; a fresh connection for the next group
            self._conn = None
            raise

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                group = self._waiting[: self.MAX_GROUP]
                del self._waiting[: self.MAX_GROUP]
                writes = [write for write, _ in group]
                try:
                    async with self._lock:  # API-key writes (async engine) take it too
                        outcomes = await loop.run_in_executor(self._thread, self._run, writes)
                except BaseException as exc:
                    # Rolled back as a whole: none of the group's writes happened.
                    for _, future in group:
                        if not future.done():
                            future.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                for (_, future), outcome in zip(group, outcomes, strict=True):
                    if not future.done():
                        future.set_result(outcome)
        finally:
            self._flusher = None
            for _, future in self._waiting:  # only left over when cancelled (shutdown)
                if not future.done():
                    future.set_exception(RuntimeError("the store is shutting down"))
            self._waiting.clear()

    def close(self) -> None:
        def close_connection() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        self._thread.submit(close_connection)
        self._thread.shutdown(wait=True)


class Repository:
    def __init__(self, engine: AsyncEngine, *, sqlite_synchronous: str = "FULL") -> None:
        self._engine = engine
        self._write_lock: asyncio.Lock | None = None
        self._group: _GroupCommit | None = None
        # SQLite: a synchronous engine on the same file. Reads run on the event loop
        # itself: a read by key takes ~100 us there, while each round trip to aiosqlite's
        # thread costs ~150 us (more while the loop holds the GIL) and a query makes
        # several. Writes go through group commit (see _GroupCommit); with WAL, readers
        # never wait for the writer.
        self._sqlite: Engine | None = None
        if is_sqlite(str(engine.url)):
            self._sqlite = create_sqlite_engine(
                str(engine.url), sqlite_synchronous=sqlite_synchronous
            )
            # One writer at a time; serialising writers here turns lock contention (and
            # its SQLITE_BUSY on read-then-write upgrades) into a cheap in-process queue.
            self._write_lock = asyncio.Lock()
            self._group = _GroupCommit(self._sqlite, self._write_lock)

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

    async def _commit(self, write: _Write) -> _Outcome:
        if self._group is not None:
            return await self._group.submit(write)
        return await self._commit_alone(write)

    @_shielded
    async def _commit_alone(self, write: _Write) -> _Outcome:
        # PostgreSQL takes concurrent writers: one transaction per request.
        async with self._engine.begin() as conn:
            (outcome,) = await conn.run_sync(_apply, [write])
        return outcome

    # ------------------------------------------------------------------ generations

    async def create(
        self, *, owner: str, tier: int, request_id: str | None, profile: str, cap: int
    ) -> tuple[GenerationRecord, EventRecord | None]:
        """Insert a pending generation and its event #1; with a known request id return the
        original instead (event None). Raises CapExceeded when the owner is at its cap."""
        try:
            outcome = await self._commit(_Create(owner, tier, request_id or None, profile, cap))
        except IntegrityError:
            # A concurrent start with the same request id won the race (PostgreSQL).
            if not request_id:
                raise
            existing = await self._read(lambda conn: _by_request(conn, owner, request_id))
            if existing is None:
                raise
            return existing, None
        if isinstance(outcome, CapExceeded):
            raise outcome
        assert outcome is not None
        return outcome

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
        write = _Transition(
            generation_id,
            to,
            list(expect),
            attempt,
            claim,
            lease_until,
            stage,
            percent,
            message,
            program,
            error,
            clear_result,
        )
        outcome = await self._commit(write)
        if outcome is None:
            return None
        record, event = outcome  # type: ignore[misc]
        assert event is not None
        return record, event

    async def get(self, generation_id: str, owner: str | None = None) -> GenerationRecord | None:
        stmt = select(generations).where(generations.c.id == generation_id)
        if owner is not None:
            stmt = stmt.where(generations.c.owner == owner)
        row = await self._read(lambda conn: conn.execute(stmt).first())
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
        rows = await self._read(lambda conn: conn.execute(stmt).all())
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
        rows = await self._read(lambda conn: conn.execute(stmt).all())
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
        rows = await self._read(lambda conn: conn.execute(stmt).all())
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
