"""Generations per second with the engine memoised, 1 vs 3 replicas on one PostgreSQL,
and what each generation costs the service: server CPU, SQL statements and commits.

    python -m bench.replica_throughput                 # a throwaway PostgreSQL
    python -m bench.replica_throughput --generations 2000 --users 32

The replicas run ``programgen.testing.memo_serve``: each distinct profile runs the real
engine once, repeats return its program after the same progress reports, so every
generation writes the same rows, events and commits as with the engine, and what is
measured is the service around it. ``users`` clients in a closed loop start a generation
on the next replica, watch it to its end on that replica, and start the next. On two
cores the replicas, PostgreSQL and the clients share the CPU: 3 replicas cannot be
faster than 1 here, so the result is the cost per generation and the 1-vs-3 ratio, not
a scaling curve.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import grpc

from bench.load import start_request
from bench.processes import HUGE, cpu_seconds, scrape
from bench.stats import Results, check
from programgen.testing import ServerProcess, free_port
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc
from tests.postgres import fresh_database

STATEMENTS = "programgen_store_statements_total"
COMMITS = "programgen_store_commits_total"


def _replicas(root: Path, database: str, count: int) -> list[tuple[ServerProcess, int]]:
    out = []
    for n in range(count):
        metrics_port = free_port()
        env = {
            "PROGRAMGEN_DATABASE_URL": database,
            "PROGRAMGEN_REPLICA_ID": f"throughput-{n}",
            "PROGRAMGEN_PROCESSES": "0",  # the memoised engine costs nothing to offload
            "PROGRAMGEN_PER_CALLER_LIMIT": HUGE,
            "PROGRAMGEN_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}",
            "PROGRAMGEN_SHUTDOWN_GRACE_S": "1",
        }
        out.append((ServerProcess(root / f"r{n}", env, memoised_engine=True), metrics_port))
    return out


def _counters(ports: list[int]) -> dict[str, float]:
    """Statements (every verb) and commits summed over the replicas."""
    total = {"statements": 0.0, "commits": 0.0}
    for port in ports:
        for name, value in scrape(port).items():
            if name.startswith(STATEMENTS + "{"):
                total["statements"] += value
            elif name == COMMITS:
                total["commits"] += value
    return total


async def _load(targets: list[str], generations: int, users: int) -> int:
    """Closed loop: each user starts on the next replica and watches to the end there;
    the number of generations seen COMPLETED."""
    channels = [grpc.aio.insecure_channel(t) for t in targets]
    stubs = [pb_grpc.ProgramGenerationServiceStub(c) for c in channels]
    request = start_request()
    issued = [0]
    completed = [0]

    async def user() -> None:
        while issued[0] < generations:
            stub = stubs[issued[0] % len(stubs)]
            issued[0] += 1
            started = await stub.StartGeneration(request, timeout=60)
            watch = pb.WatchGenerationRequest(id=started.generation.id)
            async for response in stub.WatchGeneration(watch, timeout=120):
                if response.WhichOneof("kind") == "event" and response.event.status == (
                    pb.GENERATION_STATUS_COMPLETED
                ):
                    completed[0] += 1
                    break

    try:
        await asyncio.gather(*(user() for _ in range(users)))
    finally:
        for channel in channels:
            await channel.close()
    return completed[0]


async def measure(server_url: str, count: int, generations: int, users: int) -> dict[str, Any]:
    """One case: ``count`` replicas on a fresh database; a warm-up generation per replica
    (the engine's one real run, connection pools) is outside the measurement."""
    database = await fresh_database(server_url)
    with tempfile.TemporaryDirectory() as root:
        replicas = _replicas(Path(root), database, count)
        async with AsyncExitStack() as stack:
            for process, _ in replicas:
                process.start()
                stack.callback(process.stop)
            await asyncio.gather(*(p.serving() for p, _ in replicas))
            targets = [p.target for p, _ in replicas]
            ports = [port for _, port in replicas]
            await _load(targets, count, count)
            before, cpu0 = _counters(ports), [cpu_seconds(p.pid) for p, _ in replicas]
            began = time.perf_counter()
            done = await _load(targets, generations, users)
            seconds = time.perf_counter() - began
            after, cpu1 = _counters(ports), [cpu_seconds(p.pid) for p, _ in replicas]
    check(done == generations, f"{count} replicas: {done} of {generations} completed")
    cpu = sum(cpu1) - sum(cpu0)
    return {
        "replicas": count,
        "generations": done,
        "seconds": round(seconds, 2),
        "generations_per_s": round(done / seconds, 1),
        "server_cpu_ms_per_generation": round(1000 * cpu / done, 2),
        "statements_per_generation": round((after["statements"] - before["statements"]) / done, 2),
        "commits_per_generation": round((after["commits"] - before["commits"]) / done, 2),
    }


async def compare(server_url: str, generations: int, users: int) -> list[dict[str, Any]]:
    return [await measure(server_url, count, generations, users) for count in (1, 3)]


def record(results: Results, cases: list[dict[str, Any]], users: int) -> None:
    """The two cases as rows of ``python -m bench``, and the 1-vs-3 ratio."""
    for case in cases:
        results.row(
            "replicas throughput",
            f"{case['replicas']} replica(s), memoised engine, {users} users",
            {"n": case["generations"], "rps": case["generations_per_s"]},
            server_cpu_ms_per_generation=case["server_cpu_ms_per_generation"],
            statements_per_generation=case["statements_per_generation"],
            commits_per_generation=case["commits_per_generation"],
        )
    one, three = cases
    results.row(
        "replicas throughput",
        "3 replicas / 1 replica, generations per second",
        ratio=round(three["generations_per_s"] / one["generations_per_s"], 2),
    )
    results.notes.append(
        "replicas throughput: 1 and 3 `programgen.testing.memo_serve` replicas on one "
        "throwaway PostgreSQL (fsync off); each user starts a generation on the next "
        "replica and watches it to the end there. Replicas, PostgreSQL and the clients "
        "share the 2 cores, so the ratio is overhead, not scaling; server CPU is the "
        "replicas' own (PostgreSQL's not included)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: throwaway)")
    parser.add_argument("--generations", type=int, default=1000)
    parser.add_argument("--users", type=int, default=16)
    args = parser.parse_args()

    def show(url: str) -> None:
        cases = asyncio.run(compare(url, args.generations, args.users))
        for case in cases:
            print(case, flush=True)
        print(
            {
                "ratio_3_vs_1": round(
                    cases[1]["generations_per_s"] / cases[0]["generations_per_s"], 2
                )
            }
        )

    if args.database_url:
        show(args.database_url)
        return
    from tests.postgres import postgres_server

    with postgres_server() as url:
        show(url)


if __name__ == "__main__":
    main()
