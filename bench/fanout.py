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

from bench.floor import FIRE
from bench.load import LoadProcess
from bench.processes import Server, profiled
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


class _Fanout:
    """The load process's side: the streams, what they saw, and the transitions."""

    def __init__(self, target: str, streams: int, own: int) -> None:
        from bench.load import channels
        from programgen.v1 import generation_service_pb2_grpc as pb_grpc

        self.streams, self.own = streams, own
        self.chans = channels(target, max(1, streams // 1000))
        self.stubs = [pb_grpc.ProgramGenerationServiceStub(c) for c in self.chans]
        self.errors: collections.Counter[str] = collections.Counter()
        self.opened = 0
        self.target_open = 0
        self.all_open = asyncio.Event()
        self.arrivals: dict[str, list[float]] = {"shared": [], "single": []}
        self.held = self.shared = ""
        self.singles: list[str] = []
        self.template = b""  # the shared transition as sent, for the floor to send

    async def park_and_start(self) -> None:
        """Park the only worker in the LLM stage, so every later generation stays pending."""
        from bench.load import start_request
        from programgen.v1 import generation_service_pb2 as pb

        stub, request = self.stubs[0], start_request()
        self.held = (await stub.StartGeneration(request, timeout=30)).generation.id
        async for response in stub.WatchGeneration(pb.WatchGenerationRequest(id=self.held)):
            if response.event.stage == pb.STAGE_LLM_REFINEMENT:
                break
        self.shared = (await stub.StartGeneration(request, timeout=30)).generation.id
        started = await asyncio.gather(
            *(stub.StartGeneration(request, timeout=30) for _ in range(self.own))
        )
        self.singles = [r.generation.id for r in started]

    async def watcher(self, n: int, generation_id: str, group: str) -> None:
        import grpc

        from programgen.v1 import generation_service_pb2 as pb

        stub = self.stubs[n % len(self.stubs)]
        call = stub.WatchGeneration(pb.WatchGenerationRequest(id=generation_id))
        first = True
        try:
            async for response in call:
                if response.WhichOneof("kind") != "event":
                    continue
                if first:
                    first = False
                    self.opened += 1
                    if self.opened == self.target_open:
                        self.all_open.set()
                if response.event.status == pb.GENERATION_STATUS_CANCELLED:
                    if not self.template:
                        self.template = response.SerializeToString()
                    committed = response.event.create_time.ToNanoseconds() / 1e9
                    self.arrivals[group].append(time.time() - committed)
        except grpc.RpcError as error:
            self.errors[error.code().name] += 1
        except asyncio.CancelledError:
            call.cancel()
            raise

    async def warm_up(self) -> None:
        """Open and close 200 streams (code paths, allocator pools) before the baseline."""
        self.target_open = 200
        warm = [asyncio.create_task(self.watcher(n, self.shared, "warm")) for n in range(200)]
        await asyncio.wait_for(self.all_open.wait(), 60)
        for task in warm:
            task.cancel()
        await asyncio.gather(*warm, return_exceptions=True)
        self.errors.clear()

    async def storm(self, bursts: int) -> tuple[list[asyncio.Task[None]], float]:
        """The reconnect storm: ``bursts`` waves, each opening its share at once; the
        watcher tasks and the seconds until every stream had its first event."""
        self.opened = 0
        self.all_open.clear()
        self.target_open = self.streams
        plan = [
            (self.singles[n], "single") if n < self.own else (self.shared, "shared")
            for n in range(self.streams)
        ]
        loop = asyncio.get_running_loop()
        tasks: list[asyncio.Task[None]] = []
        began = loop.time()
        per_burst = -(-self.streams // bursts)
        for b in range(bursts):
            for n in range(b * per_burst, min(self.streams, (b + 1) * per_burst)):
                tasks.append(asyncio.create_task(self.watcher(n, *plan[n])))
            await asyncio.sleep(0.2)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.all_open.wait(), 120)
        return tasks, loop.time() - began

    async def transitions(self, pid: int) -> tuple[float, float]:
        """One transition seen by every watcher of one generation, then one each for many
        generations with one watcher each, all at once; the server CPU seconds of the
        former and the wall time of the latter."""
        from bench.load import until
        from bench.processes import cpu_seconds
        from programgen.v1 import generation_service_pb2 as pb

        cancel = pb.CancelGenerationRequest
        cpu0 = cpu_seconds(pid)
        await self.stubs[0].CancelGeneration(cancel(id=self.shared), timeout=30)
        await until(lambda: len(self.arrivals["shared"]) >= self.streams - self.own, 60)
        shared_cpu = cpu_seconds(pid) - cpu0
        began = time.time()
        await asyncio.gather(
            *(
                self.stubs[n % len(self.stubs)].CancelGeneration(cancel(id=g), timeout=60)
                for n, g in enumerate(self.singles)
            )
        )
        await until(lambda: len(self.arrivals["single"]) >= self.own, 60)
        return shared_cpu, time.time() - began


async def floor_fanout(
    target: str, watchers: int, template: bytes, bursts: int
) -> tuple[list[float], float]:
    """The same fan-out against the floor server (bench/floor.py): ``watchers`` streams
    opened the same way, one trigger carrying the same bytes; the arrival latencies and
    the floor server's CPU seconds for them."""
    from bench.processes import cpu_seconds

    fan = _Fanout(target, watchers, 0)
    fan.shared = "floor"
    await fan.warm_up()
    tasks, _ = await fan.storm(bursts)
    check(fan.opened == watchers, f"floor: only {fan.opened} of {watchers} streams opened")
    await asyncio.sleep(2.0)  # as before the real transition: the storm has settled
    fire = fan.chans[0].unary_unary(FIRE)
    pid = int(await fire(b"", timeout=30))  # an empty trigger only names the process
    cpu0 = cpu_seconds(pid)
    await fire(template, timeout=30)
    from bench.load import until

    await until(lambda: len(fan.arrivals["shared"]) >= watchers, 60)
    cpu = cpu_seconds(pid) - cpu0
    await asyncio.wait(tasks, timeout=30)
    for c in fan.chans:
        await c.close()
    check(not fan.errors, f"floor streams failed: {dict(fan.errors)}")
    return fan.arrivals["shared"], cpu


async def fanout_load(
    target: str,
    pid: int,
    streams: int,
    own: int,
    bursts: int,
    go: Any,
    done: Any,
    floor_target: str,
) -> dict[str, Any]:
    from bench.processes import rss_kib

    fan = _Fanout(target, streams, own)
    await fan.park_and_start()
    await fan.warm_up()
    await asyncio.sleep(1.0)
    rss_before = rss_kib(pid)
    tasks, open_s = await fan.storm(bursts)
    burst_errors = dict(fan.errors)
    await asyncio.sleep(2.0)
    rss_after = rss_kib(pid)
    # StartGeneration latency while the streams are open (measured by another process).
    go.set()
    await asyncio.to_thread(done.wait)
    shared_cpu, single_wall = await fan.transitions(pid)
    await asyncio.wait(tasks, timeout=30)
    for c in fan.chans:
        await c.close()
    floor, floor_cpu = await floor_fanout(floor_target, streams - own, fan.template, bursts)
    return {
        "floor": floor,
        "floor_cpu_s": floor_cpu,
        "shared_cpu_s": shared_cpu,
        "opened": fan.opened,
        "open_s": open_s,
        "burst_errors": burst_errors,
        "errors": dict(fan.errors),
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "shared": fan.arrivals["shared"],
        "single": fan.arrivals["single"],
        "single_wall_s": single_wall,
        "held": fan.held,
    }


def run(results: Results, *, quick: bool, profile: bool) -> None:
    # The full run measures both event loops (docs: README, "Benchmarks"); the quick one
    # only the server's default.
    for loop in ("asyncio",) if quick else ("asyncio", "uvloop"):
        _run_with(results, loop, quick=quick, profile=profile)


def _run_with(results: Results, loop: str, *, quick: bool, profile: bool) -> None:
    streams, own, bursts, probe_s = (200, 20, 2, 1.0) if quick else (10_000, 1000, 4, 10.0)
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
        with profiled(server.pid, f"fanout_{loop}", profile):
            data = LoadProcess(
                "bench.fanout.fanout_load",
                target=server.target,
                pid=server.pid,
                streams=streams,
                own=own,
                bursts=bursts,
                go=go,
                done=done,
                floor_target=f"127.0.0.1:{floor_port}",
            ).result()
        probed = probe.result()
        hold.release()
        server.check_log()
    floor_stop.set()
    floor.result()
    _report(results, data, probed, streams, own, bursts, loop)


def _report(
    results: Results,
    data: dict[str, Any],
    probed: dict[str, Any],
    streams: int,
    own: int,
    bursts: int,
    loop: str,
) -> None:
    name = f"3 fan-out ({loop})"
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
    shared, floor = _report_floor(results, name, data, streams - own)
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
    results.target(
        f"fan-out p99 / floor p99 ({loop})",
        shared["p99_ms"] / floor["p99_ms"],
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


def _report_floor(
    results: Results, name: str, data: dict[str, Any], watchers: int
) -> tuple[dict[str, float], dict[str, float]]:
    """The shared transition's row and the floor's, with their ratios."""
    shared = summary(data["shared"])
    results.row(
        name,
        f"1 transition -> {watchers:,} watchers of one generation",
        shared,
        server_cpu_ms=round(1000 * data["shared_cpu_s"]),
    )
    floor = summary(data["floor"])
    results.row(
        name,
        f"floor: trivial grpc.aio server, same bytes -> {watchers:,} streams",
        floor,
        ratio=shared["p99_ms"] / floor["p99_ms"],
        server_cpu_ms=round(1000 * data["floor_cpu_s"]),
        cpu_ratio=round(data["shared_cpu_s"] / max(data["floor_cpu_s"], 1e-9), 2),
    )
    return shared, floor


def _note(results: Results) -> None:
    results.notes.append(
        "3: the floor is bench/floor.py, a trivial grpc.aio server on the same event loop "
        "whose streams wait for one trigger and write the bytes of the shared transition "
        "as the watchers received it, opened in the same bursts on the same number of "
        "connections, in the same run. PROGRAMGEN_WORKERS=1 and an OpenAI-compatible "
        "endpoint that holds its calls: "
        "the one worker waits on the 'LLM' so the watched generations stay pending; the "
        "transitions are CancelGeneration calls. RSS is the server process's VmRSS after "
        "a 200-stream warm-up vs with all streams open; the StartGeneration probe runs in "
        "its own process while the streams are open (its generations queue behind the "
        "held one, so the pool does no engine work then). The server runs with "
        "PROGRAMGEN_HEARTBEAT_S=600: with the default 20 s, the first heartbeat of every "
        "stream fell inside the measured transition in some runs and not in others (the "
        "floor sends none), which doubled its server CPU from run to run."
    )
