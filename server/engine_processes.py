"""The process pool the CPU-bound engine runs in, kept off the event loop.

A worker process that dies (OOM killer, a segfault in a native library) breaks a
``ProcessPoolExecutor`` for good; this wrapper replaces it and reports the failure as
transient, so the task pool retries the generation on the fresh pool.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from programgen.server.records import TransientError


def _exit_with_parent(parent: int) -> None:
    # A worker blocked on its task queue does not notice a SIGKILLed server; without
    # this it would live on as an orphan holding its memory.
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _init_worker() -> None:
    # Ctrl-C reaches the whole process group: the server drains and then stops these
    # processes itself, so a worker must not die of the SIGINT with a traceback
    # (docs/architecture.md, "Start-up and drain").
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    # Import, warm and tune the collector once per process, not on its first
    # generation (pipeline.engine.prepare_process says why).
    from programgen.pipeline.engine import prepare_process

    prepare_process()


class EngineProcesses:
    def __init__(self, processes: int) -> None:
        self._processes = processes
        self._executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        # spawn, not fork: forking a process that runs gRPC's threads is unsafe.
        return ProcessPoolExecutor(
            self._processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
        )

    async def start(self) -> None:
        """Start every process now, so the first generations do not pay for it."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(self._executor, int) for _ in range(self._processes))
        )

    async def __call__(self, fn: Callable[..., Any], *args: Any) -> Any:
        executor = self._executor
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, fn, *args)
        except BrokenProcessPool as exc:
            if self._executor is executor:  # the first caller to notice replaces it
                executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._new()
            raise TransientError("an engine process died") from exc

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
