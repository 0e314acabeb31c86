"""The engine's process pool survives a worker dying."""

from __future__ import annotations

import os
from collections.abc import Callable
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


async def test_a_dead_worker_is_transient_and_the_pool_is_replaced() -> None:
    processes = EngineProcesses(1)
    try:
        await processes.start()
        with pytest.raises(TransientError):
            await processes(die)
        program = await processes(build_program, profile_from_example("beginner_full_gym"))
        assert program.weeks
    finally:
        processes.shutdown()


async def test_the_stages_run_in_one_call_each_reported_in_order() -> None:
    profile = profile_from_example("beginner_full_gym")
    every_stage = [spec.stage for spec, _ in ENGINE_STAGES] + [Stage.VALIDATION]
    seen: list[Stage] = []
    calls: list[str] = []

    async def progress(stage: Stage, percent: int, message: str) -> None:
        seen.append(stage)

    processes = EngineProcesses(1)
    try:
        await processes.start()
        executor = processes._executor
        real_submit = executor.submit

        def counted(fn: Callable[..., Any], /, *args: Any) -> Any:
            calls.append(fn.__name__)
            return real_submit(fn, *args)

        executor.submit = counted  # type: ignore[method-assign]
        program = await generate(profile, progress=progress, offload=processes)
    finally:
        processes.shutdown()
    assert seen == every_stage
    assert calls == ["_staged"]  # one hand-off for every stage and the validation
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
        await generate(profile, progress=record, offload=processes)
    finally:
        processes.shutdown()
    assert seen == every_stage
