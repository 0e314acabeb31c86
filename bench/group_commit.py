"""A start's group commit on SQLite, by backlog: the per-caller cap counted in the store
against the count the sole writer keeps (server/store/active_counts.py).

    python -m bench.group_commit                 # groups of 7 starts, backlogs up to 16,000
    python -m bench.group_commit --group 16 --rounds 400

One SQLite file, migrated to the newest schema and synchronous=FULL as the server runs
it. At each backlog (one caller's pending rows) both ways apply the same groups of
starts in alternating rounds, each group in its own transaction, on one thread. The
figure is that thread's CPU time per group (SQLAlchemy, SQLite and the fsync's kernel
time), median of the rounds; the new rows are deleted again after each round, so every
round sees the same backlog.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import Connection, delete

from programgen.server.store.active_counts import Counted, KeptCounts
from programgen.server.store.database import create_engine, create_sqlite_engine, migrate
from programgen.server.store.schema import generation_events, generations
from programgen.server.store.writes import NewGeneration, apply

BACKLOGS = (0, 2_000, 8_000, 16_000)
PROFILE = '{"goal": "strength"}'


def _group_cpu_s(conn: Connection, counts: Counted, size: int) -> float:
    writes = [NewGeneration("caller", 1, None, PROFILE, 10**9) for _ in range(size)]
    began = time.thread_time()
    with conn.begin():  # as store/group_commit.py runs a group
        outcomes = apply(conn, writes, counts)
    counts.committed()
    spent = time.thread_time() - began
    new = [outcome[0].pk for outcome in outcomes]  # type: ignore[index]
    with conn.begin():  # back to the same backlog
        conn.execute(delete(generation_events).where(generation_events.c.generation_pk.in_(new)))
        conn.execute(delete(generations).where(generations.c.pk.in_(new)))
        # The deletes bypass the counts: the writer's are read again, outside the timing.
        counts.rolled_back()
        counts.active(conn, ["caller"])
    return spent


def _fill(conn: Connection, rows: int) -> None:
    while rows > 0:
        batch = min(rows, 500)
        with conn.begin():
            apply(conn, [NewGeneration("caller", 1, None, PROFILE, 10**9)] * batch)
        rows -= batch


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", type=int, default=7, help="starts per group commit")
    parser.add_argument("--rounds", type=int, default=200, help="groups per way and backlog")
    args = parser.parse_args(argv)
    url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'programgen.db'}"
    asyncio.run(migrate(create_engine(url)))
    engine = create_sqlite_engine(url)
    print(
        f"| pending rows | counted in the store, µs per group of {args.group} "
        "| kept by the writer, µs per group | ratio |"
    )
    print("|---|---|---|---|")
    with engine.connect() as conn:
        kept, counted, backlog = KeptCounts(), Counted(), 0
        for target in BACKLOGS:
            _fill(conn, target - backlog)
            backlog = target
            times: dict[str, list[float]] = {"counted": [], "kept": []}
            for _ in range(args.rounds):
                times["counted"].append(_group_cpu_s(conn, counted, args.group))
                times["kept"].append(_group_cpu_s(conn, kept, args.group))
            a, b = (1e6 * statistics.median(times[k]) for k in ("counted", "kept"))
            print(f"| {backlog:,} | {a:,.0f} | {b:,.0f} | {b / a:.2f} |")
    engine.dispose()


if __name__ == "__main__":
    main()
