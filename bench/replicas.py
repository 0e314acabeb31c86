"""Replicas on one PostgreSQL: add -> start latency with 1 and 3 replicas, and the
latency of an event committed on one replica reaching a watcher on another.

    python -m bench.replicas                      # a throwaway PostgreSQL (tests/postgres.py)
    python -m bench.replicas --database-url postgresql+asyncpg://…/empty_db_prefix

add -> start is measured in the store itself: the commit time of a generation's event #1
(queued) to that of its event #2 (claimed), the interval graphile-worker reports as
"average latency from add to start" (4.2-4.5 ms on a local database, its README). The
engine runs in one engine process per replica, without LLM. Keep ``--concurrency``
below the workers (4 per replica): otherwise add -> start measures waiting for a free
worker, not the queue.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from bench import replica_throughput as throughput
from bench.stats import Results, summary
from programgen.client import AsyncClient
from programgen.testing import ServerProcess, free_port
from tests.cluster import sql
from tests.harness import example
from tests.postgres import fresh_database, have_postgres, postgres_server


def _replicas(root: Path, database: str, count: int) -> list[ServerProcess]:
    return [
        ServerProcess(
            root / f"r{n}",
            {
                "PROGRAMGEN_DATABASE_URL": database,
                "PROGRAMGEN_REPLICA_ID": f"bench-{n}",
                "PROGRAMGEN_PROCESSES": "1",  # the engine off the loop: events are not delayed
                "PROGRAMGEN_PER_CALLER_LIMIT": "100000",
            },
            free_port(),
        )
        for n in range(count)
    ]


async def _kill_listeners(database: str) -> None:
    """Terminate every replica's LISTEN connection as soon as it reconnects, so events
    reach other replicas only by the poll fallback (PROGRAMGEN_POLL_S)."""
    while True:
        await sql(
            database,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name LIKE 'programgen-listen%'",
        )
        await asyncio.sleep(0.01)


async def _run(
    server_url: str, count: int, generations: int, concurrency: int, listener: bool = True
) -> dict[str, Any]:
    database = await fresh_database(server_url)
    with tempfile.TemporaryDirectory() as root:
        replicas = _replicas(Path(root), database, count)
        for process in replicas:
            process.start()
        try:
            await asyncio.gather(*(p.serving() for p in replicas))
            async with AsyncExitStack() as stack:
                clients = [await stack.enter_async_context(AsyncClient(p.target)) for p in replicas]
                killer = None if listener else asyncio.create_task(_kill_listeners(database))
                lags = await _generate(clients, generations, concurrency)
                if killer is not None:
                    killer.cancel()
        finally:
            for process in replicas:
                process.stop()
    rows = await sql(
        database,
        "SELECT e2.created_at - e1.created_at FROM generation_events e1 "
        "JOIN generation_events e2 ON e2.generation_pk = e1.generation_pk AND e2.sequence = 2 "
        "WHERE e1.sequence = 1",
    )
    return {
        "replicas": count,
        "listener": listener,
        "add_to_start_ms": summary([float(r[0]) for r in rows]),  # type: ignore[arg-type]
        "cross_replica_event_ms": summary(lags) if count > 1 else None,
    }


async def _generate(clients: list[AsyncClient], total: int, concurrency: int) -> list[float]:
    """Start ``total`` generations spread over the replicas and watch each on the next
    replica; the lags (commit -> receipt) of the events seen there."""
    lags: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int) -> None:
        async with gate:
            handle = await clients[n % len(clients)].start(example())
            watcher = clients[(n + 1) % len(clients)]
            async for event in watcher.watch(handle.id):
                if event.sequence > 2:  # #1 and #2 are usually replayed, not live
                    lags.append(time.time() - event.time.timestamp())

    await asyncio.gather(*(one(n) for n in range(total)))
    return lags


def run(results: Results, *, quick: bool, profile: bool) -> None:
    """``python -m bench``'s replica benchmarks: throughput with the engine memoised
    (bench/replica_throughput.py), then add -> start and cross-replica events."""
    if not have_postgres():
        print("replicas: SKIPPED, no PostgreSQL server binaries (initdb) on this machine")
        results.notes.append("replicas: skipped, no PostgreSQL server binaries")
        return
    generations, users = (16, 8) if quick else (1000, 16)
    with postgres_server() as url:
        cases = asyncio.run(throughput.compare(url, generations, users))
        throughput.record(results, cases, users)
        if quick:
            return  # the latencies need a few hundred samples and engine processes
        for count in (1, 3):
            measured = asyncio.run(_run(url, count, 200, 2))
            results.row(
                "replicas", f"add -> start, {count} replica(s)", measured["add_to_start_ms"]
            )
            if count > 1:
                lag = measured["cross_replica_event_ms"]
                results.row("replicas", "event commit on one replica -> watcher on another", lag)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: throwaway)")
    parser.add_argument("--generations", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    async def both(url: str) -> None:
        for count in (1, 3):
            print(await _run(url, count, args.generations, args.concurrency), flush=True)
        print(await _run(url, 3, args.generations, args.concurrency, False), flush=True)

    if args.database_url:
        asyncio.run(both(args.database_url))
        return
    with postgres_server() as url:
        asyncio.run(both(url))


if __name__ == "__main__":
    main()
