"""3. Fan-out: many open WatchGeneration streams in one server process, connecting in
bursts as clients do after a restart.

The server runs one worker whose generation waits on a (held) LLM endpoint, so the
watched generations stay pending while the streams open; the transitions are then
CancelGeneration calls: one generation with many watchers, and many generations with
one watcher each."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from typing import Any

from bench.load import LoadProcess
from bench.processes import Server, profiled
from bench.stats import Results, check, summary
from programgen.testing import FakeOpenAI, Hold, fake_openai

# One attempt that may wait as long as a benchmark runs: the parked call ends when released.
HELD_LLM_ENV = {
    "PROGRAMGEN_LLM_TIMEOUT_S": "600",
    "PROGRAMGEN_LLM_MAX_ATTEMPTS": "1",
    "PROGRAMGEN_LLM_DEADLINE_S": "600",
}


async def fanout_load(
    target: str,
    pid: int,
    streams: int,
    own: int,
    bursts: int,
    go: Any,
    done: Any,
) -> dict[str, Any]:
    import grpc

    from bench.load import channels, start_request, until
    from bench.processes import rss_kib
    from programgen.v1 import generation_service_pb2 as pb
    from programgen.v1 import generation_service_pb2_grpc as pb_grpc

    chans = channels(target, max(1, streams // 1000))
    stubs = [pb_grpc.ProgramGenerationServiceStub(c) for c in chans]
    stub = stubs[0]
    request = start_request()
    loop = asyncio.get_running_loop()

    # Park the only worker in the LLM stage, so every later generation stays pending.
    held = (await stub.StartGeneration(request, timeout=30)).generation.id
    async for response in stub.WatchGeneration(pb.WatchGenerationRequest(id=held)):
        if response.event.stage == pb.STAGE_LLM_REFINEMENT:
            break
    shared = (await stub.StartGeneration(request, timeout=30)).generation.id
    singles = [
        r.generation.id
        for r in await asyncio.gather(
            *(stub.StartGeneration(request, timeout=30) for _ in range(own))
        )
    ]

    errors: collections.Counter[str] = collections.Counter()
    opened = [0]
    all_open = asyncio.Event()
    arrivals: dict[str, list[float]] = {"shared": [], "single": []}
    target_open = [0]

    async def watcher(n: int, generation_id: str, group: str) -> None:
        call = stubs[n % len(stubs)].WatchGeneration(pb.WatchGenerationRequest(id=generation_id))
        first = True
        try:
            async for response in call:
                if response.WhichOneof("kind") != "event":
                    continue
                if first:
                    first = False
                    opened[0] += 1
                    if opened[0] == target_open[0]:
                        all_open.set()
                if response.event.status == pb.GENERATION_STATUS_CANCELLED:
                    committed = response.event.create_time.ToNanoseconds() / 1e9
                    arrivals[group].append(time.time() - committed)
        except grpc.RpcError as error:
            errors[error.code().name] += 1
        except asyncio.CancelledError:
            call.cancel()
            raise

    # Warm up (code paths, allocator pools), close, then take the baseline.
    target_open[0] = 200
    warm = [asyncio.create_task(watcher(n, shared, "warm")) for n in range(200)]
    await asyncio.wait_for(all_open.wait(), 60)
    for task in warm:
        task.cancel()
    await asyncio.gather(*warm, return_exceptions=True)
    errors.clear()
    await asyncio.sleep(1.0)
    rss_before = rss_kib(pid)

    # The reconnect storm: ``bursts`` waves, each opening its share at once.
    opened[0] = 0
    all_open.clear()
    target_open[0] = streams
    plan = [(singles[n], "single") if n < own else (shared, "shared") for n in range(streams)]
    tasks: list[asyncio.Task[None]] = []
    began = loop.time()
    per_burst = -(-streams // bursts)
    for b in range(bursts):
        for n in range(b * per_burst, min(streams, (b + 1) * per_burst)):
            tasks.append(asyncio.create_task(watcher(n, *plan[n])))
        await asyncio.sleep(0.2)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_open.wait(), 120)
    open_s = loop.time() - began
    burst_errors = dict(errors)
    await asyncio.sleep(2.0)
    rss_after = rss_kib(pid)

    # StartGeneration latency while the streams are open (measured by another process).
    go.set()
    await asyncio.to_thread(done.wait)

    # One transition, every watcher of one generation.
    await stub.CancelGeneration(pb.CancelGenerationRequest(id=shared), timeout=30)
    await until(lambda: len(arrivals["shared"]) >= streams - own, 60)

    # One transition each, for many generations with one watcher each, all at once.
    cancel_began = time.time()
    await asyncio.gather(
        *(
            stubs[n % len(stubs)].CancelGeneration(pb.CancelGenerationRequest(id=g), timeout=60)
            for n, g in enumerate(singles)
        )
    )
    await until(lambda: len(arrivals["single"]) >= own, 60)
    single_wall = time.time() - cancel_began

    await asyncio.wait(tasks, timeout=30)
    for c in chans:
        await c.close()
    return {
        "opened": opened[0],
        "open_s": open_s,
        "burst_errors": burst_errors,
        "errors": dict(errors),
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "shared": arrivals["shared"],
        "single": arrivals["single"],
        "single_wall_s": single_wall,
        "held": held,
    }


def run(results: Results, *, quick: bool, profile: bool) -> None:
    streams, own, bursts, probe_s = (200, 20, 2, 1.0) if quick else (10_000, 1000, 4, 10.0)
    name = "3 fan-out"
    # The held call ends in a non-retryable 400 once released, so the engine's program stands.
    hold = Hold(then=fake_openai.status(400, "bench: no model"))
    with (
        FakeOpenAI(default=hold) as llm,
        Server("fanout", PROGRAMGEN_WORKERS="1", **llm.env(), **HELD_LLM_ENV) as server,
    ):
        go, done = LoadProcess.event(), LoadProcess.event()
        probe = LoadProcess(
            "bench.load.start_probe",
            target=server.target,
            callers=16,
            seconds=probe_s,
            go=go,
            done=done,
        )
        with profiled(server.pid, "fanout", profile):
            data = LoadProcess(
                "bench.fanout.fanout_load",
                target=server.target,
                pid=server.pid,
                streams=streams,
                own=own,
                bursts=bursts,
                go=go,
                done=done,
            ).result()
        probed = probe.result()
        hold.release()
        server.check_log()
    check(data["opened"] == streams, f"only {data['opened']} of {streams} streams opened")
    check(not data["burst_errors"], f"streams failed during the burst: {data['burst_errors']}")
    check(not data["errors"], f"streams failed: {data['errors']}")
    check(len(data["shared"]) == streams - own, "a watcher of the shared generation missed it")
    check(len(data["single"]) == own, "a watcher of its own generation missed its transition")
    per_stream = (data["rss_after_kib"] - data["rss_before_kib"]) / streams
    results.row(
        name,
        f"{streams:,} streams opened in {bursts} bursts",
        seconds=round(data["open_s"], 2),
        rejected=sum(data["burst_errors"].values()),
        rss_before_mib=round(data["rss_before_kib"] / 1024, 1),
        rss_after_mib=round(data["rss_after_kib"] / 1024, 1),
        kib_per_stream=round(per_stream, 2),
    )
    shared = summary(data["shared"])
    results.row(name, f"1 transition -> {streams - own:,} watchers of one generation", shared)
    single = summary(data["single"])
    results.row(
        name,
        f"{own:,} transitions at once -> 1 watcher each (commit -> watcher)",
        single,
        wall_s=round(data["single_wall_s"], 3),
    )
    start = summary(probed["latencies"])
    results.row(
        name,
        f"StartGeneration, 16 callers, {streams:,} streams open",
        start,
        rps=probed["calls"] / probed["seconds"],
    )
    results.target("server KiB per open stream", per_stream, 32, higher_is_better=False)
    results.target(
        "streams rejected/cancelled in the burst",
        sum(data["burst_errors"].values()),
        1,
        higher_is_better=False,
    )
    results.target(
        f"Start p99 with {streams:,} streams open (ms)", start["p99_ms"], 50, higher_is_better=False
    )
    results.notes.append(
        "3: PROGRAMGEN_WORKERS=1 and an OpenAI-compatible endpoint that holds its calls: "
        "the one worker waits on the 'LLM' so the watched generations stay pending; the "
        "transitions are CancelGeneration calls. RSS is the server process's VmRSS after "
        "a 200-stream warm-up vs with all streams open; the StartGeneration probe runs in "
        "its own process while the streams are open (its generations queue behind the "
        "held one, so the pool does no engine work then)."
    )
