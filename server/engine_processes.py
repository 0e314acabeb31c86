"""The process pool the CPU-bound engine runs in, kept off the event loop.

A worker process that dies (OOM killer, a segfault in a native library) breaks a
``ProcessPoolExecutor`` for good; this wrapper replaces it and reports the failure as
transient, so the task pool retries the generation on the fresh pool.

A generation's engine stages run in one call (``run_stages``): the worker announces each
stage on a pipe as it begins, and the event loop reads the pipe and reports the stage,
so watchers still see every stage when it starts. One call per stage had cost each
generation seven round trips and the pickling of every stage's inputs and result in the
server, about as much server CPU as the generation's own commits.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any

from programgen.pipeline.domain import Profile, Program, Stage
from programgen.pipeline.engine import run_stages
from programgen.pipeline.stages import ENGINE_STAGES
from programgen.server.records import TransientError

_announcements: Connection | None = None  # in a worker: where it announces stages


def _exit_with_parent(parent: int) -> None:
    # A worker blocked on its task queue does not notice a SIGKILLed server; without
    # this it would live on as an orphan holding its memory.
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _init_worker(announcements: Connection) -> None:
    global _announcements
    _announcements = announcements
    # Ctrl-C reaches the whole process group: the server drains and then stops these
    # processes itself, so a worker must not die of the SIGINT with a traceback
    # (docs/architecture.md, "Start-up and drain").
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    # Import, warm and tune the collector once per process, not on its first
    # generation (pipeline.engine.prepare_process says why).
    from programgen.pipeline.engine import prepare_process

    prepare_process()


def _staged(token: int, profile: Profile, validate: bool) -> Program:
    """In a worker: the engine's stages, each announced with ``token`` as it begins. An
    announcement of a few dozen bytes is one write() to the pipe, and a write of at most
    PIPE_BUF (4,096 bytes on Linux) is atomic, so the workers' announcements never
    interleave."""
    pipe = _announcements
    assert pipe is not None
    return run_stages(profile, validate, lambda stage: pipe.send((token, stage.value)))


class EngineProcesses:
    def __init__(self, processes: int) -> None:
        self._processes = processes
        self._tokens = itertools.count(1)
        self._listening: dict[int, asyncio.Queue[Stage]] = {}  # run token -> its stages
        self._reader: Connection | None = None
        self._executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        # A pipe per pool: the new pool's workers get its writing end as they start, and
        # whatever the old pool's workers still write is never read.
        reader, writer = multiprocessing.Pipe(duplex=False)
        self._read()  # what the old pool's workers announced before it broke
        self._close_reader()
        self._reader = reader
        with_loop = _running_loop()
        if with_loop is not None:
            with_loop.add_reader(reader.fileno(), self._read)
        # spawn, not fork: forking a process that runs gRPC's threads is unsafe.
        return ProcessPoolExecutor(
            self._processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(writer,),
        )

    def _read(self) -> None:
        """The pipe is readable: hand every announcement to its run (or drop it: the run
        stopped waiting, fenced or cancelled)."""
        reader = self._reader
        try:
            while reader is not None and reader.poll():
                token, stage = reader.recv()
                listening = self._listening.get(token)
                if listening is not None:
                    listening.put_nowait(Stage(stage))
        except (EOFError, OSError):
            self._close_reader()

    def _close_reader(self) -> None:
        if self._reader is not None:
            loop = _running_loop()
            if loop is not None:
                loop.remove_reader(self._reader.fileno())
            self._reader.close()
            self._reader = None

    async def start(self) -> None:
        """Start every process now, so the first generations do not pay for it."""
        loop = asyncio.get_running_loop()
        if self._reader is not None:  # made before the loop ran
            loop.add_reader(self._reader.fileno(), self._read)
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

    async def run_stages(
        self, profile: Profile, validate: bool, progress: Callable[[Stage], Awaitable[None]]
    ) -> Program:
        """The engine's stages (and validation when ``validate``) in one call, each
        reported to ``progress`` as it begins in the worker; whatever ``progress`` raises
        ends the wait (the worker finishes on its own, its result unread)."""
        token = next(self._tokens)
        stages: asyncio.Queue[Stage] = asyncio.Queue()
        self._listening[token] = stages
        result = asyncio.ensure_future(self(_staged, token, profile, validate))
        result.add_done_callback(_retrieve)
        try:
            for _ in range(len(ENGINE_STAGES) + int(validate)):
                stage = await self._next(stages, result)
                if stage is None:
                    break  # the run ended before its next stage: its error follows
                await progress(stage)
            program: Program = await result
            return program
        finally:
            del self._listening[token]
            if not result.done():  # stopped waiting: a call still queued is dropped
                result.cancel()

    async def _next(
        self, stages: asyncio.Queue[Stage], result: asyncio.Future[Any]
    ) -> Stage | None:
        """The run's next announced stage, or None once the run has ended without it."""
        if stages.empty() and not result.done():
            waiting = asyncio.ensure_future(stages.get())
            try:
                await asyncio.wait({waiting, result}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if not waiting.done():
                    waiting.cancel()
            if waiting.done() and not waiting.cancelled():
                return waiting.result()
        if stages.empty():
            # The result can come in before the announcements written ahead of it have
            # been read: they are in the pipe already.
            self._read()
        return None if stages.empty() else stages.get_nowait()

    def shutdown(self) -> None:
        self._close_reader()
        self._executor.shutdown(wait=False, cancel_futures=True)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _retrieve(future: asyncio.Future[Any]) -> None:
    # A run that stopped waiting (fenced, cancelled) never reads its result: read its
    # error here, so that asyncio does not log it as never retrieved.
    if not future.cancelled():
        future.exception()
