"""The engine's process pool survives a worker dying."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest

from programgen.pipeline.domain import Stage
from programgen.pipeline.engine import build_program, generate
from programgen.pipeline.stages import ENGINE_STAGES
from programgen.server.engine_processes import EngineProcesses
from programgen.server.errors import TransientError
from tests.test_mapping import profile_from_example


def die() -> None:
    os._exit(1)  # what the OOM killer does to a worker, as seen by the pool


def _tracked(
    processes: EngineProcesses, handed: asyncio.Event | None = None, count: int = 0
) -> list[tuple[str, Future[Any]]]:
    """Every call handed to the pool's current executor from now on: (function, future);
    ``handed`` is set once ``count`` calls are in."""
    calls: list[tuple[str, Future[Any]]] = []
    executor = processes._executor
    submit = executor.submit

    def tracking(fn: Callable[..., Any], /, *args: Any) -> Any:
        calls.append((fn.__name__, submit(fn, *args)))
        if handed is not None and len(calls) == count:
            handed.set()
        return calls[-1][1]

    executor.submit = tracking  # type: ignore[method-assign]
    return calls


async def test_a_dead_worker_is_transient_and_the_pool_is_replaced() -> None:
    profile = profile_from_example("beginner_full_gym")
    processes = EngineProcesses(1)
    live: list[bool] = []
    try:
        await processes.start()
        with pytest.raises(TransientError):
            await processes(die)
        program = await processes(build_program, profile)
        assert program.weeks
        # The new pool's pipe is read as its stages begin, as the first one's was.
        calls = _tracked(processes)

        async def progress(stage: Stage, percent: int, message: str) -> None:
            live.append(not calls[0][1].done())

        await generate(profile, progress=progress, offload=processes)
    finally:
        processes.shutdown()
    assert len(live) == len(ENGINE_STAGES) + 1 and live[0]


async def test_the_stages_run_in_one_call_each_reported_in_order() -> None:
    profile = profile_from_example("beginner_full_gym")
    every_stage = [spec.stage for spec, _ in ENGINE_STAGES] + [Stage.VALIDATION]
    seen: list[Stage] = []
    reported_while_running: list[bool] = []
    processes = EngineProcesses(1)
    try:
        await processes.start()
        calls = _tracked(processes)

        async def progress(stage: Stage, percent: int, message: str) -> None:
            seen.append(stage)
            reported_while_running.append(not calls[0][1].done())

        program = await generate(profile, progress=progress, offload=processes)
    finally:
        processes.shutdown()
    assert seen == every_stage
    assert [name for name, _ in calls] == ["_staged"]  # one hand-off for the whole engine
    # Reported as it begins in the worker, not all at the end: the first stage reaches
    # the loop within a millisecond, while the whole engine takes tens of them.
    assert reported_while_running[0]
    # The same program as the engine in this process, byte for byte.
    assert program.model_dump_json() == build_program(profile).model_dump_json()


async def test_a_run_that_stops_waiting_leaves_no_stage_to_the_next() -> None:
    profile = profile_from_example("beginner_full_gym")
    every_stage = [spec.stage for spec, _ in ENGINE_STAGES] + [Stage.VALIDATION]

    class Fenced(Exception):
        pass

    async def stop_at_the_third(stage: Stage, percent: int, message: str) -> None:
        if stage == every_stage[2]:
            raise Fenced

    seen: list[Stage] = []

    async def record(stage: Stage, percent: int, message: str) -> None:
        seen.append(stage)

    processes = EngineProcesses(1)
    try:
        await processes.start()
        with pytest.raises(Fenced):
            await generate(profile, progress=stop_at_the_third, offload=processes)
        # The first run's worker goes on announcing its stages: they reach no one.
        assert processes._listening == {}
        await generate(profile, progress=record, offload=processes)
    finally:
        processes.shutdown()
    assert seen == every_stage


async def test_a_run_cancelled_while_queued_never_takes_a_process() -> None:
    # One process; the executor hands at most three calls on (one running, two in its
    # call queue), so the fifth is still queued when its generation is cancelled.
    profile = profile_from_example("beginner_full_gym")
    processes = EngineProcesses(1)
    try:
        await processes.start()
        all_handed = asyncio.Event()
        calls = _tracked(processes, all_handed, 5)
        runs = [asyncio.create_task(generate(profile, offload=processes)) for _ in range(5)]
        await all_handed.wait()
        runs[-1].cancel()
        done = await asyncio.gather(*runs, return_exceptions=True)
    finally:
        processes.shutdown()
    assert all(not isinstance(p, BaseException) and p.weeks for p in done[:4]), done
    assert isinstance(done[4], asyncio.CancelledError)
    assert calls[4][1].cancelled()  # dropped from the queue, never run
