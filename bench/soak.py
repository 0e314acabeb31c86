"""5. Soak: many generations started, watched to their end and completed (default pool),
checked on the client (every stream dense from sequence 1, exactly one COMPLETED, at the
end) and in the store (every row completed, dense event sequences); server RSS at the
end against after warm-up."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

from bench.load import LoadProcess
from bench.processes import Server, profiled
from bench.stats import Results, check, summary


async def soak_load(target: str, pid: int, total: int, concurrency: int) -> dict[str, Any]:
    from bench.load import channels, start_request
    from bench.processes import rss_kib
    from programgen.v1 import generation_service_pb2 as pb
    from programgen.v1 import generation_service_pb2_grpc as pb_grpc

    chans = channels(target, 4)
    stubs = [pb_grpc.ProgramGenerationServiceStub(c) for c in chans]
    request = start_request()
    left = [total]
    problems: list[str] = []
    ids: set[str] = set()
    start_latencies: list[float] = []
    durations: list[float] = []
    done = [0]
    warm = max(1, total // 20)
    rss: dict[str, int] = {}

    async def worker(n: int) -> None:
        stub = stubs[n % len(stubs)]
        while left[0] > 0:
            left[0] -= 1
            t0 = time.perf_counter()
            started = (await stub.StartGeneration(request, timeout=120)).generation
            start_latencies.append(time.perf_counter() - t0)
            if started.id in ids:
                problems.append(f"id {started.id} handed out twice")
            ids.add(started.id)
            sequences: list[int] = []
            statuses: list[int] = []
            async for response in stub.WatchGeneration(pb.WatchGenerationRequest(id=started.id)):
                if response.WhichOneof("kind") == "event":
                    sequences.append(response.event.sequence)
                    statuses.append(response.event.status)
            durations.append(time.perf_counter() - t0)
            problems.extend(history_problems(started.id, sequences, statuses))
            done[0] += 1
            if done[0] == warm:
                rss["warm"] = rss_kib(pid)

    began = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    seconds = time.perf_counter() - began
    await asyncio.sleep(2.0)
    rss["end"] = rss_kib(pid)
    for c in chans:
        await c.close()
    return {
        "done": done[0],
        "unique": len(ids),
        "problems": problems[:20],
        "problem_count": len(problems),
        "seconds": seconds,
        "start": start_latencies,
        "durations": durations,
        "rss": rss,
        "warm": warm,
    }


def history_problems(generation_id: str, sequences: list[int], statuses: list[int]) -> list[str]:
    """What is wrong with one watched history: a gap, or not exactly one COMPLETED, last."""
    from programgen.v1 import generation_service_pb2 as pb

    problems = []
    if sequences != list(range(1, len(sequences) + 1)):
        problems.append(f"{generation_id}: sequences {sequences}")
    completed = statuses.count(pb.GENERATION_STATUS_COMPLETED)
    if completed != 1 or statuses[-1] != pb.GENERATION_STATUS_COMPLETED:
        problems.append(f"{generation_id}: {completed} COMPLETED events, statuses {statuses}")
    return problems


def store_check(db: str) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "rows": one("SELECT count(*) FROM generations"),
            "completed_rows": one("SELECT count(*) FROM generations WHERE status='completed'"),
            "completed_events": one(
                "SELECT count(*) FROM generation_events WHERE status='completed'"
            ),
            "gappy": one(
                "SELECT count(*) FROM (SELECT count(*) AS n, min(sequence) AS lo,"
                " max(sequence) AS hi FROM generation_events GROUP BY generation_pk)"
                " WHERE n != hi OR lo != 1"
            ),
            "sequence_mismatch": one(
                "SELECT count(*) FROM generations g WHERE g.last_sequence !="
                " (SELECT max(sequence) FROM generation_events e WHERE e.generation_pk = g.pk)"
            ),
        }


def run(results: Results, *, quick: bool, profile: bool) -> None:
    total, concurrency = (100, 20) if quick else (20_000, 200)
    name = "5 soak"
    with Server("soak") as server:
        with profiled(server.pid, "soak", profile):
            data = LoadProcess(
                "bench.soak.soak_load",
                target=server.target,
                pid=server.pid,
                total=total,
                concurrency=concurrency,
            ).result(timeout_s=3600)
        store = store_check(str(server.db_path))
        server.check_log()
    check(data["problem_count"] == 0, f"{data['problem_count']} problems: {data['problems']}")
    check(data["done"] == total and data["unique"] == total, "generations lost or duplicated")
    expected = {"rows": total, "completed_rows": total, "completed_events": total}
    check(
        all(store[k] == v for k, v in expected.items()) and store["gappy"] == 0,
        f"store disagrees: {store}",
    )
    check(store["sequence_mismatch"] == 0, f"store disagrees: {store}")
    results.row(
        name,
        f"{total:,} generations, {concurrency} at a time: start -> watch -> completed",
        summary(data["durations"]),
        rps=total / data["seconds"],
        lost=0,
        duplicated=0,
    )
    results.row(name, "StartGeneration during the soak", summary(data["start"]))
    warm, end = data["rss"]["warm"], data["rss"]["end"]
    results.row(
        name,
        f"server RSS after {data['warm']:,} generations vs at the end",
        rss_warm_mib=round(warm / 1024, 1),
        rss_end_mib=round(end / 1024, 1),
        growth_pct=round(100 * (end - warm) / warm, 1),
    )
    results.notes.append(
        "5: every generation is watched from sequence 0 by its own stream; the client "
        "checks dense sequences from 1 and exactly one COMPLETED (the last event); the "
        "store check counts rows, completed events and gaps in every generation's events."
    )
