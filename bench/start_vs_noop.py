"""1. StartGeneration against the transport's limit: a no-op unary RPC on the same server
stack (grpc.health.v1.Health/Check), at 1, 16, 64 and 256 concurrent callers.

The two RPCs run in alternating slices at each level, so both see the same background:
the pool keeps completing the generations the Start slices create."""

from __future__ import annotations

import asyncio
from typing import Any

from bench.load import LoadProcess, channels, closed_loop
from bench.processes import Server, profiled
from bench.stats import Results, summary

LEVELS = (1, 16, 64, 256)
PACE_S = 0.020
WORKERS = "1"


async def load(
    target: str, pid: int, levels: list[int], slices: int, slice_s: float
) -> dict[str, Any]:
    import time

    from grpc_health.v1 import health_pb2, health_pb2_grpc

    from bench.load import start_request
    from bench.processes import cpu_seconds
    from programgen.v1 import generation_service_pb2_grpc as pb_grpc

    (channel,) = channels(target, 1)
    health = health_pb2_grpc.HealthStub(channel)
    service = pb_grpc.ProgramGenerationServiceStub(channel)
    check_request = health_pb2.HealthCheckRequest()
    start = start_request()
    calls = {
        "noop": lambda: health.Check(check_request, timeout=30),
        "start": lambda: service.StartGeneration(start, timeout=30),
    }
    loop = asyncio.get_running_loop()
    for kind in calls:  # warm both paths (connections, caches) outside the measurement
        await closed_loop(8, loop.time() + 0.3, calls[kind], [])
    out: dict[str, Any] = {}
    for level in levels:
        for kind in calls:
            out[f"{kind}/{level}"] = {
                "latencies": [],
                "calls": 0,
                "seconds": 0.0,
                "server_cpu": 0.0,
                "client_cpu": 0.0,
            }
        for _ in range(slices):
            for kind, call in calls.items():
                entry = out[f"{kind}/{level}"]
                began, server0, client0 = loop.time(), cpu_seconds(pid), time.process_time()
                until = began + slice_s
                entry["calls"] += await closed_loop(level, until, call, entry["latencies"])
                entry["seconds"] += loop.time() - began
                entry["server_cpu"] += cpu_seconds(pid) - server0
                entry["client_cpu"] += time.process_time() - client0
    # Below saturation: 16 callers, each pausing 20 ms after every answer (<= 800/s).
    for kind, call in calls.items():
        entry = out[f"{kind}/paced"] = {"latencies": [], "calls": 0, "seconds": 0.0}

        async def paced(call: Any = call, latencies: list[float] = entry["latencies"]) -> None:
            t0 = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - t0)
            await asyncio.sleep(PACE_S)

        began = loop.time()
        entry["calls"] = await closed_loop(16, began + slices * slice_s, paced, [])
        entry["seconds"] = loop.time() - began
    await channel.close()
    return out


def run(results: Results, *, quick: bool, profile: bool) -> None:
    # The full run measures both event loops; the quick one only the server's default.
    for loop in ("asyncio",) if quick else ("asyncio", "uvloop"):
        _run_with(results, loop, quick=quick, profile=profile)


def _run_with(results: Results, loop: str, *, quick: bool, profile: bool) -> None:
    levels = list(LEVELS)
    slices, slice_s = (1, 0.25) if quick else (6, 0.5)
    name = f"1 start vs no-op ({loop})"
    with Server("start", PROGRAMGEN_WORKERS=WORKERS, PROGRAMGEN_EVENT_LOOP=loop) as server:
        with profiled(server.pid, f"start_vs_noop_{loop}", profile):
            data = LoadProcess(
                "bench.start_vs_noop.load",
                target=server.target,
                pid=server.pid,
                levels=levels,
                slices=slices,
                slice_s=slice_s,
            ).result()
        server.check_log()
    _report(results, data, levels, name, loop)
    if loop == "asyncio":
        _note(results, slices, slice_s)


def _note(results: Results, slices: int, slice_s: float) -> None:
    results.notes.append(
        f"1: server with PROGRAMGEN_WORKERS={WORKERS} (one generation at a time, engine in "
        "a process pool): the pool keeps completing the started generations during the "
        "measurement, in both the Start and the no-op slices, which alternate "
        f"({slices} x {slice_s} s each per level). SQLite synchronous=FULL (the default)."
    )
    results.notes.append(
        "1: what the no-op shares with StartGeneration: the transport and the server's one "
        "interceptor (server/guard.py: parsing, error containment, per-RPC metrics; no "
        "tracing interceptor unless an OTLP endpoint is set, in both). What it does not: "
        "auth (Health is unauthenticated by design; while anonymous a Start re-reads the "
        "key mode at most once a second), validation, the durable commit (an fsync per "
        "group commit) and the reply's mapping. So the ratio is the cost of Start's own "
        "work. The closed loops saturate the 2 shared cores at 16 callers, where latency "
        "follows CPU per call: the 'server CPU Start / no-op' row is the same-run ratio "
        "that p99 ratio tracks."
    )


def _report(
    results: Results, data: dict[str, Any], levels: list[int], name: str, loop: str
) -> None:
    for level in levels:
        rates, p99, cpu = {}, {}, {}
        for kind in ("noop", "start"):
            entry = data[f"{kind}/{level}"]
            cpu[kind] = entry["server_cpu"] / entry["calls"]
            rates[kind] = entry["calls"] / entry["seconds"]
            stats = summary(entry["latencies"])
            rpc = "Health/Check (no-op)" if kind == "noop" else "StartGeneration"
            results.row(
                name,
                f"{rpc}, {level} callers",
                stats,
                rps=rates[kind],
                server_cpu_us_per_call=round(1e6 * entry["server_cpu"] / entry["calls"]),
                client_cpu_us_per_call=round(1e6 * entry["client_cpu"] / entry["calls"]),
            )
            p99[kind] = stats["p99_ms"]
        cpu_ratio = cpu["start"] / max(cpu["noop"], 1e-9)
        if level == 16:
            results.row(name, "Start p99 / no-op p99, 16 callers", ratio=p99["start"] / p99["noop"])
            results.row(name, "server CPU per call, Start / no-op, 16 callers", ratio=cpu_ratio)
            results.target(
                f"Start p99 / no-op p99 at 16 callers ({loop})",
                p99["start"] / p99["noop"],
                1.25,
                higher_is_better=False,
            )
            if loop == "asyncio":
                results.target(
                    "Start p99 at 16 callers (ms)", p99["start"], 10, higher_is_better=False
                )
        ratio = rates["start"] / rates["noop"]
        if level == 16:
            for kind in ("noop", "start"):
                entry = data[f"{kind}/paced"]
                rpc = "Health/Check (no-op)" if kind == "noop" else "StartGeneration"
                results.row(
                    name,
                    f"{rpc}, 16 callers pausing {PACE_S * 1000:g} ms between calls",
                    summary(entry["latencies"]),
                    rps=entry["calls"] / entry["seconds"],
                )
        results.row(name, f"Start / no-op throughput, {level} callers", ratio=ratio)
        if level == 64 and loop == "asyncio":
            results.target(
                "Start / no-op throughput at 64 callers", ratio, 0.60, higher_is_better=True
            )
