"""Claim latency with a large backlog: the bounded claim (server/store/claims.py) against
the full ranking of every pending row it replaced, on the same database.

    python -m bench.claim_latency                      # 100,000 pending rows, 100 callers
    python -m bench.claim_latency --pending 5000 --callers 50

A throwaway PostgreSQL (tests/postgres.py), migrated to the newest schema, holds
``--pending`` rows of ``--callers`` callers over three tiers and a few processing ones;
each claim of a batch of 8 runs in a transaction that is rolled back, so every sample
sees the same backlog.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.stats import summary
from programgen.server.store import claims
from programgen.server.store.database import create_engine, migrate
from tests.postgres import fresh_database, postgres_server

# The claim before migration 0005: a rank for every pending row on each claim.
FULL_RANKING = text(
    """
    WITH running AS (
        SELECT owner, count(*) AS n FROM generations
        WHERE status = 'processing' GROUP BY owner
    ), picked AS (
        SELECT g.pk
        FROM generations AS g
        JOIN (
            SELECT p.pk,
                   coalesce(r.n, 0)
                     + row_number() OVER (PARTITION BY p.owner COLLATE "C" ORDER BY p.pk) AS turn
            FROM generations AS p LEFT JOIN running AS r ON r.owner = p.owner
            WHERE p.status = 'pending'
        ) AS ranked ON ranked.pk = g.pk
        WHERE g.status = 'pending'
        ORDER BY g.tier DESC, ranked.turn, g.pk
        LIMIT :n
        FOR UPDATE OF g SKIP LOCKED
    )
    UPDATE generations
    SET status = 'processing', attempt = generations.attempt + 1,
        last_sequence = generations.last_sequence + 1, stage = '', percent = 0,
        lease_expires_at = :lease, replica_id = :replica, updated_at = :now
    FROM picked
    WHERE generations.pk = picked.pk AND generations.status = 'pending'
    RETURNING generations.*
    """
)

_FILL = text(
    """
    INSERT INTO generations (id, owner, tier, status, attempt, stage, percent,
        last_sequence, profile, error_reason, error_message, created_at, updated_at)
    SELECT md5(i::text), 'caller-' || (i % :callers), (i % :callers) % 3,
           CASE WHEN i <= :processing THEN 'processing' ELSE 'pending' END,
           0, '', 0, 1, '{}', '', '', 0, 0
    FROM generate_series(1, :rows) AS i
    """
)


async def _fill(engine: AsyncEngine, pending: int, callers: int) -> None:
    processing = 2 * callers  # some callers already running: their turns come later
    async with engine.begin() as conn:
        params = {"callers": callers, "processing": processing, "rows": pending + processing}
        await conn.execute(_FILL, params)
    async with engine.connect() as conn:
        await conn.execute(text("COMMIT"))
        await conn.execute(text("VACUUM ANALYZE generations"))  # as autovacuum leaves it


async def _time(engine: AsyncEngine, statement: TextClause, samples: int) -> dict[str, Any]:
    params = {"n": 8, "window": 8 * claims.WINDOW_BATCHES, "lease": 1e10, "replica": "bench"}
    latencies, claimed = [], 0
    for _ in range(samples):
        async with engine.connect() as conn:
            transaction = await conn.begin()
            began = time.perf_counter()
            rows = (await conn.execute(statement, {**params, "now": time.time()})).all()
            latencies.append(time.perf_counter() - began)
            claimed = len(rows)
            await transaction.rollback()
    return {**summary(latencies), "claimed_per_batch": claimed}


async def compare(server_url: str, pending: int, callers: int, samples: int) -> dict[str, Any]:
    engine = create_engine(await fresh_database(server_url))
    try:
        await migrate(engine)
        await _fill(engine, pending, callers)
        await _time(engine, claims.CLAIM, 3)  # warm the caches and the plans
        await _time(engine, FULL_RANKING, 3)
        return {
            "pending": pending,
            "callers": callers,
            "bounded_claim_ms": await _time(engine, claims.CLAIM, samples),
            "full_ranking_ms": await _time(engine, FULL_RANKING, samples),
        }
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--callers", type=int, default=100)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    with postgres_server() as url:
        print(asyncio.run(compare(url, args.pending, args.callers, args.samples)))


if __name__ == "__main__":
    main()
