"""3. Fan-out: many open WatchGeneration streams in one server process, connecting in
bursts as clients do after a restart, and one transition to 9,000 of them against the
floor of the stack (bench/floor.py), round after round.

The server runs one worker whose generation waits on a (held) LLM endpoint, so the
watched generations stay pending while the streams open; the transitions are then
CancelGeneration calls: one generation with many watchers per round, and many
generations with one watcher each."""

from __future__ import annotations

import asyncio
import functools
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.fanout_watchers import Watchers
from bench.floor import FIRE
from bench.load import LoadProcess
from bench.processes import Sampler, Server, cpu_seconds, rss_kib
from bench.stats import Results, check, summary
from programgen.testing import FakeOpenAI, Hold, fake_openai, free_port

# One attempt that may wait as long as a benchmark runs: the parked call ends when released.
HELD_LLM_ENV = {
    "PROGRAMGEN_LLM_TIMEOUT_S": "600",
    "PROGRAMGEN_LLM_MAX_ATTEMPTS": "1",
    "PROGRAMGEN_LLM_DEADLINE_S": "600",
}
# The storm and the probe take about as long as the default heartbeat interval (20 s), so
# every stream's first heartbeat fell inside the measured transition or not, depending on
# the machine's load: the server CPU of "one event" doubled or tripled from run to run,
# and the floor sends none. Heartbeats are a cost per interval, not per event: past the run.
HEARTBEAT_ENV = {"PROGRAMGEN_HEARTBEAT_S": "600"}
# Each round measures one transition on each side, alternating which goes first; the
# target is on the median of the rounds' ratios (one transition per side swung the ratio
# from 0.8 to 1.4 between runs on a quiet machine: README, "Fan-out against the floor").
ROUNDS = 5
SETTLE_S = 2.0  # after a storm, before its transition: the opening replays are done


async def _open(fan: Watchers, generation: str, watchers: int, bursts: int) -> list[Any]:
    """``watchers`` streams of one generation, opened in bursts, settled."""
    tasks, _ = await fan.storm([(generation, "shared")] * watchers, bursts)
    check(fan.opened == watchers, f"only {fan.opened} of {watchers} streams opened")
    await asyncio.sleep(SETTLE_S)
    return tasks


async def _transition(
    fan: Watchers, watchers: int, pid: int, sampler: Sampler, trigger: Callable[[], Awaitable[Any]]
) -> tuple[list[float], float]:
    """One transition to every open stream of ``fan``: the arrival latencies and the
    CPU seconds the serving process spent until the last arrival."""
    from bench.load import until

    fan.arrivals["shared"] = []
    async with sampler.window():
        cpu0 = cpu_seconds(pid)
        await trigger()
        arrived = await until(lambda: len(fan.arrivals["shared"]) >= watchers, 60)
        cpu = cpu_seconds(pid) - cpu0
    check(arrived, f"only {len(fan.arrivals['shared'])} of {watchers} streams saw the transition")
    return fan.arrivals["shared"], cpu


async def _singles(fan: Watchers, singles: list[str]) -> float:
    """One transition each for many generations with one watcher each, all at once; the
    wall time until every watcher saw its own."""
    from bench.load import until
    from programgen.v1 import generation_service_pb2 as pb

    began = time.time()
    await asyncio.gather(
        *(
            fan.stubs[n % len(fan.stubs)].CancelGeneration(
                pb.CancelGenerationRequest(id=g), timeout=60
            )
            for n, g in enumerate(singles)
        )
    )
    await until(lambda: len(fan.arrivals["single"]) >= len(singles), 60)
    return time.time() - began


async def _rounds(
    fan: Watchers,
    floor: Watchers,
    shared: list[str],
    open_tasks: list[Any],
    shape: tuple[int, int, int],
    profile: str,
) -> list[dict[str, Any]]:
    """The rounds: in each, one transition to the watchers of a generation of its own on
    the server and the same bytes to as many floor streams, in alternating order."""
    from programgen.v1 import generation_service_pb2 as pb

    pid, watchers, bursts = shape
    fire = floor.chans[0].unary_unary(FIRE)
    floor_pid = int(await fire(b"", timeout=30))  # an empty trigger only names the process
    samplers = {
        "server": Sampler(pid, f"fanout_{profile}_server", bool(profile)),
        "floor": Sampler(floor_pid, f"fanout_{profile}_floor", bool(profile)),
    }
    out: list[dict[str, Any]] = []
    for r, generation in enumerate(shared):
        measured: dict[str, Any] = {"first": "server" if r % 2 == 0 else "floor"}
        for side in ("server", "floor") if r % 2 == 0 else ("floor", "server"):
            if side == "server":
                tasks = open_tasks if r == 0 else await _open(fan, generation, watchers, bursts)
                cancel = pb.CancelGenerationRequest(id=generation)
                trigger = functools.partial(fan.stubs[0].CancelGeneration, cancel, timeout=30)
                got = await _transition(fan, watchers, pid, samplers[side], trigger)
            else:
                tasks = await _open(floor, "floor", watchers, bursts)
                trigger = functools.partial(fire, fan.template, timeout=30)
                got = await _transition(floor, watchers, floor_pid, samplers[side], trigger)
            measured[side], measured[f"{side}_cpu_s"] = got
            await asyncio.wait(tasks, timeout=30)
        out.append(measured)
    for sampler in samplers.values():
        sampler.write()
    check(not floor.errors, f"floor streams failed: {dict(floor.errors)}")
    return out


async def fanout_load(
    target: str,
    pid: int,
    streams: int,
    own: int,
    bursts: int,
    rounds: int,
    go: Any,
    done: Any,
    floor_target: str,
    profile: str,
) -> dict[str, Any]:
    """The load process: the storm of ``streams`` (``own`` of them on generations of
    their own), the StartGeneration probe meanwhile, the single transitions, then the
    rounds against the floor. ``profile``: the name of py-spy summaries, "" for none."""
    connections = max(1, streams // 1000)
    fan, floor = Watchers(target, connections), Watchers(floor_target, connections)
    held = await fan.park()
    shared, singles = await fan.start(rounds), await fan.start(own)
    await fan.warm_up(shared[0])
    await floor.warm_up("floor")
    await asyncio.sleep(1.0)
    rss_before = rss_kib(pid)
    plan = [(g, "single") for g in singles] + [(shared[0], "shared")] * (streams - own)
    tasks, open_s = await fan.storm(plan, bursts)
    burst_errors, opened = dict(fan.errors), fan.opened
    await asyncio.sleep(SETTLE_S)
    rss_after = rss_kib(pid)
    # StartGeneration latency while the streams are open (measured by another process).
    go.set()
    await asyncio.to_thread(done.wait)
    # Before the rounds, so that every round's server side has the same streams open.
    single_wall = await _singles(fan, singles)
    shape = (pid, streams - own, bursts)
    measured = await _rounds(fan, floor, shared, tasks, shape, profile)
    await fan.close()
    await floor.close()
    return {
        "rounds": measured,
        "opened": opened,
        "open_s": open_s,
        "burst_errors": burst_errors,
        "errors": dict(fan.errors),
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "single": fan.arrivals["single"],
        "single_wall_s": single_wall,
        "held": held,
    }


def run(results: Results, *, quick: bool, profile: bool) -> None:
    # The full run measures both event loops (docs: README, "Benchmarks"); the quick one
    # only the server's default. BENCH_FANOUT_LOOPS=uvloop (comma-separated) picks them.
    default = "asyncio" if quick else "asyncio,uvloop"
    for loop in os.environ.get("BENCH_FANOUT_LOOPS", default).split(","):
        _run_with(results, loop, quick=quick, profile=profile)


def _run_with(results: Results, loop: str, *, quick: bool, profile: bool) -> None:
    streams, own, bursts, probe_s = (200, 20, 2, 1.0) if quick else (10_000, 1000, 4, 10.0)
    rounds = 2 if quick else ROUNDS
    # The held call ends in a non-retryable 400 once released, so the engine's program stands.
    hold = Hold(then=fake_openai.status(400, "bench: no model"))
    floor_port = free_port()
    floor_ready, floor_stop = LoadProcess.event(), LoadProcess.event()
    floor = LoadProcess(
        "bench.floor.serve", loop=loop, port=floor_port, ready=floor_ready, stop=floor_stop
    )
    check(floor_ready.wait(60), "the floor server did not start")
    with (
        FakeOpenAI(default=hold) as llm,
        Server(
            "fanout",
            PROGRAMGEN_WORKERS="1",
            PROGRAMGEN_EVENT_LOOP=loop,
            **llm.env(),
            **HELD_LLM_ENV,
            **HEARTBEAT_ENV,
        ) as server,
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
        data = LoadProcess(
            "bench.fanout.fanout_load",
            target=server.target,
            pid=server.pid,
            streams=streams,
            own=own,
            bursts=bursts,
            rounds=rounds,
            go=go,
            done=done,
            floor_target=f"127.0.0.1:{floor_port}",
            profile=loop if profile else "",
        ).result()
        probed = probe.result()
        hold.release()
        server.check_log()
    floor_stop.set()
    floor.result()
    _report(results, data, probed, (streams, own, bursts), loop)


def _report(
    results: Results,
    data: dict[str, Any],
    probed: dict[str, Any],
    shape: tuple[int, int, int],
    loop: str,
) -> None:
    streams, own, bursts = shape
    name = f"3 fan-out ({loop})"
    check(data["opened"] == streams, f"only {data['opened']} of {streams} streams opened")
    check(not data["burst_errors"], f"streams failed during the burst: {data['burst_errors']}")
    check(not data["errors"], f"streams failed: {data['errors']}")
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
    results.row(
        name,
        f"{own:,} transitions at once -> 1 watcher each (commit -> watcher)",
        summary(data["single"]),
        wall_s=round(data["single_wall_s"], 3),
    )
    start = summary(probed["latencies"])
    results.row(
        name,
        f"StartGeneration, 16 callers, {streams:,} streams open",
        start,
        rps=probed["calls"] / probed["seconds"],
    )
    ratio = _report_rounds(results, name, data["rounds"], streams - own)
    results.target(
        f"fan-out p99 / floor p99, median of {len(data['rounds'])} rounds ({loop})",
        ratio,
        1.3,
        higher_is_better=False,
    )
    if loop != "asyncio":
        return  # the other targets once, for the default loop
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
    _note(results)


def _report_rounds(
    results: Results, name: str, rounds: list[dict[str, Any]], watchers: int
) -> float:
    """A row per round (the server's transition, the floor's p99 and their ratio) and one
    with the medians; the median of the rounds' p99 ratios."""
    ratios = []
    for r, measured in enumerate(rounds, 1):
        check(len(measured["server"]) == watchers, "a watcher of the shared generation missed it")
        server, floor = summary(measured["server"]), summary(measured["floor"])
        ratios.append(server["p99_ms"] / floor["p99_ms"])
        results.row(
            name,
            f"round {r} ({measured['first']} first): 1 transition -> {watchers:,} watchers",
            server,
            ratio=ratios[-1],
            floor_p50_ms=round(floor["p50_ms"], 1),
            floor_p99_ms=round(floor["p99_ms"], 1),
            server_cpu_ms=round(1000 * measured["server_cpu_s"]),
            floor_cpu_ms=round(1000 * measured["floor_cpu_s"]),
        )
    median = statistics.median(ratios)
    results.row(
        name,
        f"median of {len(rounds)} rounds: p99 server / floor",
        p99_ms=statistics.median(summary(m["server"])["p99_ms"] for m in rounds),
        ratio=median,
        floor_p99_ms=round(statistics.median(summary(m["floor"])["p99_ms"] for m in rounds), 1),
        ratio_min=round(min(ratios), 2),
        ratio_max=round(max(ratios), 2),
        server_cpu_ms_median=round(1000 * statistics.median(m["server_cpu_s"] for m in rounds)),
        floor_cpu_ms_median=round(1000 * statistics.median(m["floor_cpu_s"] for m in rounds)),
    )
    return median


def _note(results: Results) -> None:
    results.notes.append(
        "3: the floor is bench/floor.py, a trivial grpc.aio server on the same event loop "
        "whose streams wait for one trigger and write the bytes of the shared transition "
        "as the watchers received it, opened in the same bursts on the same number of "
        "connections by the same client process. Each round opens 9,000 streams on one "
        "side, lets them settle 2 s and sends one transition, then does the same on the "
        "other side; the side that goes first alternates from round to round. The "
        "fan-out target is on the median of the rounds' p99 ratios (one transition per "
        "side swung the ratio between 0.8 and 1.4 from run to run); ratio_min/ratio_max "
        "are the spread. CPU is the serving process's, from the trigger to the last "
        "arrival, in clock ticks of 10 ms. Round 1's server streams are the storm's, "
        "opened with 1,000 single watchers whose transitions are measured before the "
        "rounds. "
        "PROGRAMGEN_WORKERS=1 and an OpenAI-compatible endpoint that holds its calls: "
        "the one worker waits on the 'LLM' so the watched generations stay pending; the "
        "transitions are CancelGeneration calls. RSS is the server process's VmRSS after "
        "a 200-stream warm-up vs with all streams open; the StartGeneration probe runs in "
        "its own process while the streams are open (its generations queue behind the "
        "held one, so the pool does no engine work then). The server runs with "
        "PROGRAMGEN_HEARTBEAT_S=600: with the default 20 s, the first heartbeat of every "
        "stream fell inside the measured transition in some runs and not in others (the "
        "floor sends none), which doubled its server CPU from run to run. With --profile, "
        "py-spy samples the server and the floor during the transitions only "
        "(bench/results/profile_fanout_<loop>_server.txt and _floor.txt); it slows both, "
        "so a profiled run's numbers are not the benchmark's."
    )
