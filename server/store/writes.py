"""The store's write statements: creating generations and changing their state.

Every state change is one fenced UPDATE (the expected statuses and, for a worker, its
attempt number) that bumps the row's dense ``last_sequence``, plus the INSERT of the
matching event, in the caller's transaction: an event exists iff its state change was
committed (docs/architecture.md, "The lifecycle").
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, text, update

from programgen.server.records import (
    CapExceeded,
    EventRecord,
    GenerationRecord,
    GenerationStatus,
)
from programgen.server.store.active_counts import Counted, delta
from programgen.server.store.schema import generation_events, generations

PENDING = GenerationStatus.PENDING
COUNTED = Counted()  # the default: every count read from the store


@dataclass(frozen=True, slots=True)
class NewGeneration:
    """Insert a pending generation and its event #1, unless the owner is at ``cap``."""

    owner: str
    tier: int
    request_id: str | None
    profile: str
    cap: int


@dataclass(frozen=True, slots=True)
class StateChange:
    """One fenced state change of a generation and the event it appends.

    It applies only while the row's status is in ``expect`` and, when ``attempt`` is
    given, while that attempt is current. ``claim`` starts a new attempt; ``clear_result``
    forgets a previous program or error (a retry). ``lease_before`` applies it only to a
    lease that expired before that time (a rescue: a lease renewed meanwhile wins);
    ``cap`` refuses it when the owner already has that many active generations (a retry
    takes a slot like a start)."""

    generation_id: str
    to: GenerationStatus
    expect: tuple[GenerationStatus, ...]
    message: str = ""
    attempt: int | None = None
    claim: bool = False
    lease_until: float | None = None
    stage: str = ""
    percent: int = 0
    program: str | None = None
    program_name: str = ""
    error: tuple[str, str] | None = None
    clear_result: bool = False
    replica_id: str | None = None
    lease_before: float | None = None
    cap: int | None = None


Write = NewGeneration | StateChange
Outcome = tuple[GenerationRecord, EventRecord | None] | CapExceeded | None


def record_from_row(row: Any) -> GenerationRecord:
    # By key from the row's mapping: an attribute per column cost twice as much.
    columns = row._mapping
    values = {name: columns[name] for name in GenerationRecord.__slots__}
    values["status"] = GenerationStatus(values["status"])
    return GenerationRecord(**values)


def apply(conn: Connection, writes: list[Write], counts: Counted = COUNTED) -> list[Outcome]:
    """Apply ``writes`` in order inside the caller's transaction; one outcome each.

    Domain refusals (a cap reached, a failed fence) are outcomes, decided before anything
    is written, so one refused write never undoes the others of its group. Every event
    row is inserted at the end in one statement. ``counts`` knows each owner's active
    generations for the caps and hears of every change (store/active_counts.py)."""
    outcomes: list[Outcome] = [None] * len(writes)
    events: list[dict[str, Any]] = []
    creates = [i for i, w in enumerate(writes) if isinstance(w, NewGeneration)]
    if creates:
        new = [w for w in writes if isinstance(w, NewGeneration)]
        created = _create_many(conn, new, events, counts)
        for i, outcome in zip(creates, created, strict=True):
            outcomes[i] = outcome
    for i, write in enumerate(writes):
        if isinstance(write, StateChange):
            outcomes[i] = _change(conn, write, events, counts)
    if events:
        conn.execute(INSERT_EVENTS, events)
    return outcomes


# The group's statements, built once (see _change_statement). The insert's rows come back
# in any order and are matched by id: asking SQLAlchemy to sort them by parameter order
# makes it insert row by row on SQLite, which has no way to number a batch's new rows.
_INSERT_GENERATIONS = generations.insert().returning(*generations.c)
INSERT_EVENTS = generation_events.insert()

# What _plan decides for one NewGeneration: insert a row (None), answer with a known row,
# answer with the row an earlier write of the same group inserts (its key), or refuse.
_Plan = None | GenerationRecord | tuple[str, str] | CapExceeded


def _create_many(
    conn: Connection,
    creates: list[NewGeneration],
    events: list[dict[str, Any]],
    counts: Counted,
) -> list[Outcome]:
    """Pending generations for ``creates``: at most one count query, one request-id
    lookup and one multi-row insert for the whole group, whatever its size."""
    owners = sorted({c.owner for c in creates})
    lock_owners(conn, owners)
    active = counts.active(conn, owners)
    known = _known_requests(conn, owners, {c.request_id for c in creates if c.request_id})
    now = time.time()
    plans = _plan(creates, active, known)
    new_rows = [_new_row(c, now) for c, plan in zip(creates, plans, strict=True) if plan is None]
    inserted = {}
    if new_rows:
        inserted = {r.id: record_from_row(r) for r in conn.execute(_INSERT_GENERATIONS, new_rows)}
    fresh = iter([inserted[row["id"]] for row in new_rows])
    for row in new_rows:
        counts.changed(row["owner"], 1)
    result: list[Outcome] = []
    for plan in plans:
        if plan is None:
            record = next(fresh)
            if record.request_id:
                known[(record.owner, record.request_id)] = record
            events.append(event_row(record, 1, PENDING, "", 0, "queued", now))
            event = EventRecord(record.id, 1, PENDING, "", 0, "queued", now, record.attempt, record)
            result.append((record, event))
        elif isinstance(plan, tuple):
            result.append((known[plan], None))
        elif isinstance(plan, GenerationRecord):
            result.append((plan, None))
        else:
            result.append(plan)
    return result


def lock_owners(conn: Connection, owners: list[str]) -> None:
    """Serialise the cap's count-then-insert per owner (docs/architecture.md, "Caps").

    PostgreSQL runs concurrent transactions: without a lock, two starts both count 2 of 3
    and both insert. A transaction-scoped advisory lock per owner (released at commit)
    makes the count and the insert one step for that owner, on every replica, without
    locking any row. ``owners`` come sorted, so two groups never wait on each other.
    SQLite needs none: its single writer already serialises every write."""
    if conn.dialect.name != "postgresql":
        return
    for owner in owners:
        conn.execute(_LOCK_OWNER, {"owner": owner})


_LOCK_OWNER = text("SELECT pg_advisory_xact_lock(hashtextextended(:owner, 0))")


def _known_requests(
    conn: Connection, owners: list[str], request_ids: set[str]
) -> dict[tuple[str, str], GenerationRecord]:
    if not request_ids:
        return {}
    rows = conn.execute(
        select(generations).where(
            generations.c.owner.in_(owners), generations.c.request_id.in_(request_ids)
        )
    )
    return {(r.owner, r.request_id): record_from_row(r) for r in rows}


def _plan(
    creates: list[NewGeneration],
    active: dict[str, int],
    known: dict[tuple[str, str], GenerationRecord],
) -> list[_Plan]:
    plans: list[_Plan] = []
    claimed: set[tuple[str, str]] = set()  # request ids first used in this group
    for c in creates:
        key = (c.owner, c.request_id) if c.request_id else None
        if key is not None and key in known:
            plans.append(known[key])
        elif key is not None and key in claimed:
            plans.append(key)
        elif active.get(c.owner, 0) >= c.cap:
            plans.append(CapExceeded(active.get(c.owner, 0)))
        else:
            active[c.owner] = active.get(c.owner, 0) + 1
            if key is not None:
                claimed.add(key)
            plans.append(None)
    return plans


def _new_row(c: NewGeneration, now: float) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "owner": c.owner,
        "request_id": c.request_id,
        "tier": c.tier,
        "status": PENDING.value,
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


def event_row(
    record: GenerationRecord,
    sequence: int,
    status: str,
    stage: str,
    percent: int,
    message: str,
    now: float,
) -> dict[str, Any]:
    """The event row of a change that left the generation as ``record``."""
    return {
        "generation_pk": record.pk,
        "attempt": record.attempt,
        "sequence": sequence,
        "status": str(status),
        "stage": stage,
        "percent": percent,
        "message": message,
        "created_at": now,
    }


@functools.cache
def _change_statement(
    claim: bool,
    set_lease: bool,
    program: bool,
    error: bool,
    clear: bool,
    fenced: bool,
    lease_fenced: bool,
) -> Any:
    """The UPDATE for one shape of state change, built once: building and hashing a fresh
    statement per change was a third of the writer's time under load."""
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
    if claim or (set_lease and not (program or error)):
        # Claimed, or handed back; a finished row keeps the replica that finished it.
        values["replica_id"] = bindparam("p_replica")
    if program:
        values["program"] = bindparam("p_program")
        values["program_name"] = bindparam("p_program_name")
    if error:
        values["error_reason"] = bindparam("p_error_reason")
        values["error_message"] = bindparam("p_error_message")
    if clear:
        values.update(program=None, program_name=None, error_reason="", error_message="")
    stmt = update(generations).where(
        generations.c.id == bindparam("p_id"),
        generations.c.status.in_(bindparam("p_expect", expanding=True)),
    )
    if fenced:
        stmt = stmt.where(generations.c.attempt == bindparam("p_attempt"))
    if lease_fenced:
        stmt = stmt.where(generations.c.lease_expires_at < bindparam("p_lease_before"))
    return stmt.values(**values).returning(*generations.c)


def _change(
    conn: Connection, t: StateChange, events: list[dict[str, Any]], counts: Counted
) -> Outcome:
    if t.cap is not None:
        refused = _over_cap(conn, t.generation_id, t.cap, counts)
        if refused is not None:
            return refused
    now = time.time()
    set_lease = t.claim or t.to != GenerationStatus.PROCESSING
    stmt = _change_statement(
        t.claim,
        set_lease,
        t.program is not None,
        t.error is not None,
        t.clear_result,
        t.attempt is not None,
        t.lease_before is not None,
    )
    params: dict[str, Any] = {
        "p_id": t.generation_id,
        "p_expect": _values(t.expect),
        "p_to": t.to.value,
        "p_stage": t.stage,
        "p_percent": t.percent,
        "p_now": now,
        "p_lease": t.lease_until,
        "p_program": t.program,
        "p_program_name": t.program_name,
        "p_attempt": t.attempt,
        "p_replica": t.replica_id,
        "p_lease_before": t.lease_before,
    }
    if t.error is not None:
        params["p_error_reason"], params["p_error_message"] = t.error
    row = conn.execute(stmt, params).first()
    if row is None:
        return None
    record = record_from_row(row)
    counts.changed(record.owner, delta(t.to, t.expect))
    sequence = record.last_sequence
    events.append(event_row(record, sequence, t.to, t.stage, t.percent, t.message, now))
    event = EventRecord(
        record.id, sequence, t.to, t.stage, t.percent, t.message, now, record.attempt, record
    )
    return record, event


def _over_cap(
    conn: Connection, generation_id: str, cap: int, counts: Counted
) -> CapExceeded | None:
    """CapExceeded when the generation's owner already has ``cap`` active ones."""
    owner = conn.scalar(select(generations.c.owner).where(generations.c.id == generation_id))
    if owner is None:
        return None  # no such row: the fenced UPDATE finds nothing either
    lock_owners(conn, [owner])
    active = counts.active(conn, [owner])[owner]
    return CapExceeded(active) if active >= cap else None


def _values(statuses: Iterable[GenerationStatus]) -> list[str]:
    return [s.value for s in statuses]
