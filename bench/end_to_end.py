"""4. End to end: generations per second completed by the built-in engine (default pool:
4 workers, the engine in a process pool), and StartGeneration latency while the pool is
saturated with them."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.load import LoadProcess
from bench.processes import Server, profiled
from bench.stats import Results, check, summary

COMPLETED = "programgen_generations_completed_total"
QUEUED = "programgen_generations_queued"
BACKLOG = 3000


async def fill(target: str, backlog: int, callers: int) -> dict[str, Any]:
    """Start ``backlog`` generations as fast as ``callers`` callers can."""
    from bench.load import channels, start_request
    from programgen.v1 import generation_service_pb2_grpc as pb_grpc

    (channel,) = channels(target, 1)
    stub = pb_grpc.ProgramGenerationServiceStub(channel)
    request = start_request()
    latencies: list[float] = []
    left = [backlog]

    async def caller() -> None:
        while left[0] > 0:
            left[0] -= 1
            t0 = time.perf_counter()
            await stub.StartGeneration(request, timeout=60)
            latencies.append(time.perf_counter() - t0)

    began = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(callers)))
    seconds = time.perf_counter() - began
    await channel.close()
    return {"latencies": latencies, "seconds": seconds}


def wait_completed(server: Server, total: int, timeout_s: float) -> float:
    """Poll the completed counter (this is a measurement: the server has no completion
    feed for a whole backlog) until ``total`` or the timeout; the count reached."""
    deadline = time.monotonic() + timeout_s
    while server.metrics().get(COMPLETED, 0) < total and time.monotonic() < deadline:
        time.sleep(0.1)
    return server.metrics().get(COMPLETED, 0)


def run(results: Results, *, quick: bool, profile: bool) -> None:
    backlog, probe_s = (200, 1.0) if quick else (BACKLOG, 10.0)
    name = "4 end to end"
    with Server("e2e") as server:
        began = time.monotonic()
        filled = LoadProcess(
            "bench.end_to_end.fill", target=server.target, backlog=backlog, callers=64
        ).result()
        # The pool is saturated now: probe Start while it works the backlog off.
        at_probe = server.metrics()
        probe_began = time.monotonic()
        with profiled(server.pid, "end_to_end", profile):
            probe = LoadProcess(
                "bench.load.start_probe",
                target=server.target,
                callers=4,
                seconds=probe_s,
                pace_s=0.05,
            ).result()
        after_probe = server.metrics()
        probe_window = time.monotonic() - probe_began
        total = backlog + probe["calls"]
        done = wait_completed(server, total, 60 if quick else 600)
        seconds = time.monotonic() - began
        server.check_log()
    check(done == total, f"{done:.0f} of {total} generations completed")
    saturated = after_probe.get(QUEUED, 0) > 0
    in_window = after_probe.get(COMPLETED, 0) - at_probe.get(COMPLETED, 0)
    results.row(
        name,
        f"fill: {backlog:,} StartGeneration from 64 callers",
        summary(filled["latencies"]),
        rps=backlog / filled["seconds"],
    )
    results.row(
        name,
        "generations completed (built-in engine, 4 workers)",
        rps=total / seconds,
        completed=int(done),
        seconds=round(seconds, 1),
        during_probe_per_s=round(in_window / probe_window, 1),
    )
    stats = summary(probe["latencies"])
    results.row(
        name,
        "StartGeneration while the pool is saturated (4 callers, 20/s each)",
        stats,
        still_queued_after=int(after_probe.get(QUEUED, 0)),
    )
    if not saturated:  # a flaw of the measurement, not of the service: say so, do not fail
        results.notes.append("4: WARNING: the pool ran dry during the probe (backlog too small)")
    results.target(
        "Start p99 while the pool is saturated (ms)", stats["p99_ms"], 25, higher_is_better=False
    )
    results.notes.append(
        f"4: {backlog:,} generations started up front, then a paced StartGeneration probe "
        f"(4 callers, one call each per 50 ms) for {probe_s:g} s while the queue is still "
        "non-empty; throughput = all generations / time from the first start to the last "
        "completion (metrics counter)."
    )
