"""2. Notification latency: from a transition's commit (the event's create_time, stamped
in the committing transaction) to its arrival at a watcher, with ``users`` open streams;
side by side with the ADR's design, where the same users poll GetGeneration.

Both designs run the same closed-loop workload: each user starts a generation, follows it
to its end (watching, or polling), then starts the next. The pool is saturated, so every
generation waits in the queue, and the watchers are subscribed long before it runs."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from bench.load import LoadProcess, channels
from bench.processes import Server, profiled
from bench.stats import Results, check, summary

READS = 'programgen_store_statements_total{verb="select"}'


async def watch_load(target: str, users: int, seconds: float) -> dict[str, Any]:
    from bench.load import start_request
    from programgen.v1 import generation_service_pb2 as pb
    from programgen.v1 import generation_service_pb2_grpc as pb_grpc

    chans = channels(target, max(1, users // 100))
    stubs = [pb_grpc.ProgramGenerationServiceStub(c) for c in chans]
    request = start_request()
    latencies: list[float] = []
    notice: list[float] = []  # the terminal event only
    counts = {"start_rpcs": 0, "watch_rpcs": 0, "messages": 0, "completed": 0, "errors": 0}
    open_streams = [0]
    peak = [0]
    steady = [float("inf")]  # measure from 1 s after every user has its stream open
    loop = asyncio.get_running_loop()
    stop_at = loop.time() + seconds

    async def user(n: int) -> None:
        stub = stubs[n % len(stubs)]
        while loop.time() < stop_at:
            started = await stub.StartGeneration(request, timeout=60)
            counts["start_rpcs"] += 1
            call = stub.WatchGeneration(pb.WatchGenerationRequest(id=started.generation.id))
            counts["watch_rpcs"] += 1
            open_streams[0] += 1
            peak[0] = max(peak[0], open_streams[0])
            if open_streams[0] == users and steady[0] == float("inf"):
                steady[0] = time.time() + 1.0
            subscribed_by = None
            try:
                async for response in call:
                    arrived = time.time()
                    counts["messages"] += 1
                    if response.WhichOneof("kind") != "event":
                        continue
                    event = response.event
                    if subscribed_by is None:
                        subscribed_by = arrived  # the replay of event #1: live from here
                        continue
                    committed = event.create_time.ToNanoseconds() / 1e9
                    if committed > max(subscribed_by, steady[0]):  # surely live, not replayed
                        latencies.append(arrived - committed)
                        if event.status == pb.GENERATION_STATUS_COMPLETED:
                            notice.append(arrived - committed)
                    if event.status == pb.GENERATION_STATUS_COMPLETED:
                        counts["completed"] += 1
            except Exception:
                counts["errors"] += 1
                raise
            finally:
                open_streams[0] -= 1

    await asyncio.gather(*(user(n) for n in range(users)))
    for c in chans:
        await c.close()
    return {"latencies": latencies, "notice": notice, "peak_streams": peak[0], **counts}


async def poll_load(target: str, users: int, seconds: float, interval_s: float) -> dict[str, Any]:
    from bench.load import start_request
    from programgen.v1 import generation_service_pb2 as pb
    from programgen.v1 import generation_service_pb2_grpc as pb_grpc

    chans = channels(target, max(1, users // 100))
    stubs = [pb_grpc.ProgramGenerationServiceStub(c) for c in chans]
    request = start_request()
    notice: list[float] = []
    counts = {"start_rpcs": 0, "get_rpcs": 0, "completed": 0}
    loop = asyncio.get_running_loop()
    stop_at = loop.time() + seconds

    async def user(n: int) -> None:
        stub = stubs[n % len(stubs)]
        await asyncio.sleep(random.uniform(0, interval_s))  # users do not start in step
        while loop.time() < stop_at:
            started = await stub.StartGeneration(request, timeout=60)
            counts["start_rpcs"] += 1
            get = pb.GetGenerationRequest(id=started.generation.id)
            while True:
                await asyncio.sleep(interval_s)
                reply = await stub.GetGeneration(get, timeout=60)
                counts["get_rpcs"] += 1
                generation = reply.generation
                if generation.status == pb.GENERATION_STATUS_COMPLETED:
                    committed = generation.update_time.ToNanoseconds() / 1e9
                    notice.append(time.time() - committed)
                    counts["completed"] += 1
                    break

    await asyncio.gather(*(user(n) for n in range(users)))
    for c in chans:
        await c.close()
    return {"notice": notice, **counts}


def run(results: Results, *, quick: bool, profile: bool) -> None:
    users, seconds = (20, 2.0) if quick else (1000, 30.0)
    interval = 0.5 if quick else 5.0
    _watch_design(results, users, seconds, profile)
    _poll_design(results, users, seconds, interval)
    results.notes.append(
        f"2: {users} users in a closed loop (start a generation, follow it to its end, "
        f"start the next) for {seconds:g} s per design; default pool (4 workers). Watch "
        "latency counts only events committed after the stream's first reply (surely "
        "live, not replayed) and from 1 s after all users had their first stream open "
        "(the opening burst is bench 3's subject). Poll time-to-notice is from the "
        "completion commit (update_time) to the poll that saw it; polling never sees the progress "
        "transitions in between. Store reads are the server's SELECT statements "
        "(programgen_store_statements_total) during the run."
        + (" Quick: poll interval scaled to 0.5 s." if quick else "")
    )


def _watch_design(results: Results, users: int, seconds: float, profile: bool) -> None:
    name = "2 notification"
    with Server("notify-watch") as server:
        before = server.metrics()
        with profiled(server.pid, "notify_watch", profile):
            watch = LoadProcess(
                "bench.notify.watch_load", target=server.target, users=users, seconds=seconds
            ).result()
        after = server.metrics()
        server.check_log()
    check(watch["errors"] == 0, f"{watch['errors']} watch streams failed")
    check(len(watch["latencies"]) > 0, "no live event was measured")
    stats = summary(watch["latencies"])
    reads = after.get(READS, 0) - before.get(READS, 0)
    rpcs = watch["start_rpcs"] + watch["watch_rpcs"]
    done = max(1, watch["completed"])
    results.row(
        name,
        f"watch: every transition, commit -> watcher ({users} users, "
        f"peak {watch['peak_streams']} open streams)",
        stats,
    )
    results.row(
        name,
        "watch: completion noticed (commit -> watcher)",
        summary(watch["notice"]),
        generations=watch["completed"],
        rpcs_per_generation=round(rpcs / done, 2),
        messages_per_generation=round(watch["messages"] / done, 2),
        store_reads_per_generation=round(reads / done, 2),
    )
    results.target(
        f"notification p99 at {users} open streams (ms)",
        stats["p99_ms"],
        10,
        higher_is_better=False,
    )


def _poll_design(results: Results, users: int, seconds: float, interval: float) -> None:
    with Server("notify-poll") as server:
        before = server.metrics()
        poll = LoadProcess(
            "bench.notify.poll_load",
            target=server.target,
            users=users,
            seconds=seconds,
            interval_s=interval,
        ).result()
        after = server.metrics()
        server.check_log()
    reads = after.get(READS, 0) - before.get(READS, 0)
    done = max(1, poll["completed"])
    results.row(
        "2 notification",
        f"poll GetGeneration every {interval:g} s: completion noticed",
        summary(poll["notice"]),
        generations=poll["completed"],
        rpcs_per_generation=round((poll["start_rpcs"] + poll["get_rpcs"]) / done, 2),
        store_reads_per_generation=round(reads / done, 2),
    )
