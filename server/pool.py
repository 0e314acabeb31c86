"""The in-process task pool: bounded asyncio workers running queued jobs.

Ordering: the highest caller tier first, and round-robin between callers within a tier,
so one caller's burst cannot starve the others. What a job does is the runner's business
(``run``); the pool only schedules, tracks and cancels (docs/architecture.md, "Layers").
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from programgen.server.records import GenerationRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    generation_id: str
    owner: str
    tier: int
    queued_at: float = field(default_factory=time.monotonic, compare=False)

    @classmethod
    def of(cls, record: GenerationRecord) -> Job:
        return cls(record.id, record.owner, record.tier)


RunFn = Callable[[Job], Coroutine[Any, Any, None]]


class FairQueue:
    """Highest tier first; within a tier, one job per caller in turn."""

    def __init__(self) -> None:
        self._tiers: dict[int, OrderedDict[str, deque[tuple[str, float]]]] = {}
        self._available = asyncio.Semaphore(0)

    def put(self, job: Job) -> None:
        callers = self._tiers.setdefault(job.tier, OrderedDict())
        callers.setdefault(job.owner, deque()).append((job.generation_id, job.queued_at))
        self._available.release()

    async def get(self) -> Job:
        await self._available.acquire()
        tier = max(t for t, callers in self._tiers.items() if callers)
        callers = self._tiers[tier]
        owner, jobs = next(iter(callers.items()))
        generation_id, queued_at = jobs.popleft()
        if jobs:
            callers.move_to_end(owner)
        else:
            del callers[owner]
        return Job(generation_id, owner, tier, queued_at)

    def __len__(self) -> int:
        return sum(len(jobs) for callers in self._tiers.values() for jobs in callers.values())


class TaskPool:
    def __init__(self, run: RunFn, *, workers: int) -> None:
        self._run = run
        self._queue = FairQueue()
        self._worker_count = workers
        self._workers: list[asyncio.Task[None]] = []
        self._running: dict[str, asyncio.Task[None]] = {}
        self._accepting = True

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def running(self) -> int:
        return len(self._running)

    def start(self) -> None:
        self._workers = [
            asyncio.create_task(self._work(), name=f"generation-worker-{n}")
            for n in range(self._worker_count)
        ]

    def submit(self, job: Job) -> None:
        self._queue.put(job)

    def cancel(self, generation_id: str) -> None:
        """Stop a running generation (its cancelled state is already committed)."""
        task = self._running.get(generation_id)
        if task is not None:
            task.cancel()

    async def shutdown(self, grace_s: float) -> list[str]:
        """Take no new jobs, give running ones ``grace_s`` to finish, cancel the rest; the
        ids of those cancelled, for the caller to requeue. Calling it again is harmless."""
        self._accepting = False
        running = dict(self._running)
        late: set[asyncio.Task[None]] = set()
        if running:
            _done, late = await asyncio.wait(running.values(), timeout=grace_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*running.values(), return_exceptions=True)
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        return [generation_id for generation_id, task in running.items() if task in late]

    async def _work(self) -> None:
        while self._accepting:
            job = await self._queue.get()
            if not self._accepting:
                return
            task = asyncio.create_task(self._run(job), name=f"generation-{job.generation_id}")
            self._running[job.generation_id] = task
            try:
                await asyncio.wait([task])
            finally:
                self._running.pop(job.generation_id, None)
            if not task.cancelled() and task.exception() is not None:
                log.error(
                    "generation %s crashed the worker",
                    job.generation_id,
                    exc_info=task.exception(),
                    extra={"generation_id": job.generation_id},
                )
