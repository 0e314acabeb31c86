"""Load generators: functions run in fresh processes (``LoadProcess``) that drive the
server over separate gRPC connections and return what they measured."""

from __future__ import annotations

import asyncio
import importlib
import json
import multiprocessing
import time
from collections.abc import Callable
from typing import Any

import grpc

from bench.stats import ROOT, BenchError

PROFILE_JSON = json.loads((ROOT / "examples" / "beginner_full_gym.json").read_text())


def _child(function: str, kwargs: dict[str, Any], results: Any, loop: str) -> None:
    module, _, name = function.rpartition(".")
    fn = getattr(importlib.import_module(module), name)
    factory = None
    if loop == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop
    try:
        with asyncio.Runner(loop_factory=factory) as runner:
            results.put(("ok", runner.run(fn(**kwargs))))
    except BaseException as exc:  # report it to the parent, which fails the run
        import traceback

        results.put(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


class LoadProcess:
    """Runs ``async def fn(**kwargs) -> dict`` (given as 'module.name') in a fresh process,
    so the load generator never shares the server's or the coordinator's interpreter.
    ``loop`` is its event loop: "asyncio" (the default one) or "uvloop"."""

    _ctx = multiprocessing.get_context("spawn")

    def __init__(self, function: str, /, loop: str = "asyncio", **kwargs: Any) -> None:
        self._results = self._ctx.Queue()
        self._proc = self._ctx.Process(
            target=_child, args=(function, kwargs, self._results, loop), daemon=True
        )
        self._proc.start()

    @classmethod
    def event(cls) -> Any:
        return cls._ctx.Event()

    def result(self, timeout_s: float = 900.0) -> Any:
        try:
            status, value = self._results.get(timeout=timeout_s)
        except Exception:
            self._proc.kill()
            raise BenchError(f"load process gave no result within {timeout_s} s") from None
        self._proc.join(10)
        if status != "ok":
            raise BenchError(f"load process failed: {value}")
        return value


def channels(target: str, count: int) -> list[grpc.aio.Channel]:
    """Separate connections (not one shared subchannel), as separate clients would have."""
    return [
        grpc.aio.insecure_channel(
            target,
            options=[
                ("grpc.use_local_subchannel_pool", 1),
                ("grpc.max_receive_message_length", 16 << 20),
            ],
        )
        for _ in range(count)
    ]


def start_request() -> Any:
    from programgen.client.aio import profile_from_json
    from programgen.v1 import generation_service_pb2 as pb

    return pb.StartGenerationRequest(profile=profile_from_json(PROFILE_JSON))


async def closed_loop(
    callers: int, until: float, call: Callable[[], Any], latencies: list[float]
) -> int:
    """``callers`` concurrent callers, each issuing the next call as soon as the last one
    answered, until the monotonic deadline; returns the calls made."""
    loop = asyncio.get_running_loop()

    async def caller() -> int:
        made = 0
        while loop.time() < until:
            t0 = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - t0)
            made += 1
        return made

    return sum(await asyncio.gather(*(caller() for _ in range(callers))))


async def start_probe(
    target: str,
    callers: int,
    seconds: float,
    pace_s: float = 0.0,
    go: Any = None,
    done: Any = None,
) -> dict[str, Any]:
    """StartGeneration latency from ``callers`` callers for ``seconds``, each waiting
    ``pace_s`` between calls (0: closed loop). With ``go``/``done`` (multiprocessing
    events) it starts when told and says when it has finished."""
    from programgen.v1 import generation_service_pb2_grpc as pb_grpc

    if go is not None:
        await asyncio.to_thread(go.wait)
    (channel,) = channels(target, 1)
    stub = pb_grpc.ProgramGenerationServiceStub(channel)
    request = start_request()
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds

    async def call() -> None:
        t0 = time.perf_counter()
        await stub.StartGeneration(request, timeout=60)
        latencies.append(time.perf_counter() - t0)  # the RPC's, not the pause after it
        if pace_s:
            await asyncio.sleep(pace_s)

    await channel.channel_ready()
    began = loop.time()
    try:
        calls = await closed_loop(callers, until, call, [])
    finally:
        if done is not None:
            done.set()
        await channel.close()
    return {"latencies": latencies, "calls": calls, "seconds": loop.time() - began}


async def until(condition: Callable[[], bool], timeout_s: float, step_s: float = 0.005) -> bool:
    """Poll ``condition`` until true or the timeout; whether it became true."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step_s)
    return True
