"""The engine's process pool survives a worker dying."""

from __future__ import annotations

import os

import pytest

from programgen.pipeline.engine import build_program
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
