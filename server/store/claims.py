"""Claims and leases for replicas on one PostgreSQL (docs/architecture.md, "Replicas").

A replica with free workers claims a small batch of pending rows in one statement:
``FOR UPDATE SKIP LOCKED`` lets replicas claiming at the same time take disjoint rows
without waiting on each other (PostgreSQL manual, "The Locking Clause"). The order is
decided in SQL, so it holds across replicas: the highest tier first, then the caller
with the fewest generations running (counting the ones this batch hands out, by each
row's turn within its caller and tier), then the oldest. A claim writes the replica's id and a
lease; the replica renews the lease of the rows it runs, and a row whose lease ran out
is rescued by any replica (a fenced StateChange, see ``writes``).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, select, text, update

from programgen.server.records import EventRecord, GenerationRecord, GenerationStatus
from programgen.server.store.schema import generations
from programgen.server.store.writes import INSERT_EVENTS, event_row, record_from_row

PROCESSING = GenerationStatus.PROCESSING

# Each part keeps the claim's cost bounded by the number of (tier, caller) groups with
# pending rows, not by the backlog (docs/architecture.md, "Replicas"):
# - ``groups`` walks the (status, tier, owner, pk) index from one group to the next (a
#   "loose index scan": one index probe per group, never every pending row);
# - ``candidates`` reads only the oldest ``:window`` pending rows of each group: enough
#   for this batch while up to ``:window`` / ``:n`` - 1 other replicas claim at the same
#   moment (the rows they lock are skipped; ``claim_batch`` widens the window if not);
# - each candidate's turn is its caller's running generations plus its rank in its
#   group (numbered in index order within the group: no sort), so the batch goes to
#   the highest tier first, then to the callers with the fewest running, round-robin,
#   whichever replica claims;
# - ``best`` keeps the first ``:window`` of them in that order before any row is read
#   for locking, so the lock step touches a few rows by primary key;
# - the result always has a row, carrying ``seen`` (the candidates ranked), even when
#   nothing was claimed.
# The window function and the recursion stay out of the level that takes the row locks
# (FOR UPDATE refuses both); the UPDATE re-checks the status, as a row may have changed
# since the scan. With 100,000 pending rows of 100 callers a claim took 13-25 ms (p50),
# where ranking every pending row took 596-740 ms (bench/claim_latency.py; README,
# "Performance").
CLAIM = text(
    """
    WITH RECURSIVE groups AS (
        (SELECT tier, owner FROM generations WHERE status = 'pending'
         ORDER BY tier DESC, owner DESC LIMIT 1)
        UNION ALL
        SELECT following.tier, following.owner FROM groups CROSS JOIN LATERAL (
            SELECT tier, owner FROM generations
            WHERE status = 'pending' AND (tier, owner) < (groups.tier, groups.owner)
            ORDER BY tier DESC, owner DESC LIMIT 1
        ) AS following
    ), running AS (
        SELECT owner, count(*) AS n FROM generations
        WHERE status = 'processing' GROUP BY owner
    ), candidates AS (
        SELECT c.pk, groups.tier, coalesce(r.n, 0) + c.rank AS turn
        FROM groups
        CROSS JOIN LATERAL (
            SELECT pk, row_number() OVER (ORDER BY pk) AS rank FROM (
                SELECT pk FROM generations
                WHERE status = 'pending' AND tier = groups.tier AND owner = groups.owner
                ORDER BY pk LIMIT :window
            ) AS oldest
        ) AS c
        LEFT JOIN running AS r ON r.owner = groups.owner
    ), best AS (
        SELECT pk, tier, turn FROM candidates ORDER BY tier DESC, turn, pk LIMIT :window
    ), picked AS (
        SELECT g.pk
        FROM best JOIN generations AS g ON g.pk = best.pk
        WHERE g.status = 'pending'
        ORDER BY best.tier DESC, best.turn, g.pk
        LIMIT :n
        FOR UPDATE OF g SKIP LOCKED
    )
    , claimed AS (
        UPDATE generations
        SET status = 'processing', attempt = generations.attempt + 1,
            last_sequence = generations.last_sequence + 1, stage = '', percent = 0,
            lease_expires_at = :lease, replica_id = :replica, updated_at = :now
        FROM picked
        WHERE generations.pk = picked.pk AND generations.status = 'pending'
        RETURNING generations.*
    )
    SELECT claimed.*, seen.n AS seen
    FROM (SELECT count(*) AS n FROM best) AS seen LEFT JOIN claimed ON true
    """
)
# Candidates per group, as a multiple of the batch (see ``candidates`` above), and the
# wider window of a second pass when the first came back short (``claim_batch``).
WINDOW_BATCHES = 4
WIDE_WINDOW_BATCHES = 32


class _Claimed(list[Any]):
    seen = 0  # candidates the claim ranked (at most its window)


def _claim(conn: Connection, params: dict[str, Any]) -> _Claimed:
    """The rows one CLAIM statement claimed; ``seen``: how many candidates it ranked."""
    result = _Claimed()
    for row in conn.execute(CLAIM, params):
        result.seen = row.seen
        if row.pk is not None:  # the one row of an empty claim carries only ``seen``
            result.append(row)
    return result


def claim_batch(
    conn: Connection, *, replica_id: str, limit: int, lease_s: float
) -> list[tuple[GenerationRecord, EventRecord]]:
    """Claim up to ``limit`` pending rows for ``replica_id``, each with its event.

    A batch comes back short when the queue is, or when other replicas hold the rows of
    its window. Only in the second case (the window was full: there may be more rows
    past it) is the rest claimed once more, with a window ``WIDE_WINDOW_BATCHES``
    batches wide; the rows this transaction claimed are processing in its own view by
    then, so they count as running, as they would in the next claim."""
    now = time.time()
    params = {"lease": now + lease_s, "replica": replica_id, "now": now}
    rows = _claim(conn, {**params, "n": limit, "window": limit * WINDOW_BATCHES})
    if len(rows) < limit and rows.seen >= limit * WINDOW_BATCHES:
        wide = {**params, "n": limit - len(rows), "window": limit * WIDE_WINDOW_BATCHES}
        rows.extend(_claim(conn, wide))
    claimed: list[tuple[GenerationRecord, EventRecord]] = []
    events: list[dict[str, Any]] = []
    for row in rows:
        record = record_from_row(row)
        seq = record.last_sequence
        events.append(event_row(record, seq, PROCESSING, "", 0, "processing", now))
        event = EventRecord(
            record.id, seq, PROCESSING, "", 0, "processing", now, record.attempt, record
        )
        claimed.append((record, event))
    if events:
        conn.execute(INSERT_EVENTS, events)
    return claimed


def renew(conn: Connection, *, replica_id: str, held: dict[str, int], lease_s: float) -> set[str]:
    """Extend the leases of the rows ``replica_id`` still holds at the given attempts;
    the ids renewed. A row missing from the answer was lost (cancelled, rescued)."""
    if not held:
        return set()
    stmt = (
        update(generations)
        .where(
            generations.c.status == PROCESSING.value,
            generations.c.replica_id == replica_id,
            generations.c.id.in_(list(held)),
        )
        .values(lease_expires_at=time.time() + lease_s)
        .returning(generations.c.id, generations.c.attempt)
    )
    return {r.id for r in conn.execute(stmt) if held.get(r.id) == r.attempt}


def expired(conn: Connection, *, now: float, limit: int) -> list[GenerationRecord]:
    """Processing rows whose lease ran out before ``now``, oldest lease first."""
    stmt = (
        select(generations)
        .where(generations.c.status == PROCESSING.value, generations.c.lease_expires_at < now)
        .order_by(generations.c.lease_expires_at)
        .limit(limit)
    )
    return [record_from_row(r) for r in conn.execute(stmt)]


def mine(conn: Connection, *, replica_id: str) -> list[GenerationRecord]:
    """Processing rows claimed under ``replica_id`` (a restart with the same id)."""
    stmt = select(generations).where(
        generations.c.status == PROCESSING.value, generations.c.replica_id == replica_id
    )
    return [record_from_row(r) for r in conn.execute(stmt)]


def last_sequences(conn: Connection, ids: list[str]) -> dict[str, int]:
    if not ids:
        return {}
    stmt = select(generations.c.id, generations.c.last_sequence).where(generations.c.id.in_(ids))
    return {r.id: r.last_sequence for r in conn.execute(stmt)}
