"""The in-process task pool: bounded asyncio workers running queued jobs.

Ordering: the highest caller tier first, and round-robin between callers within a tier,
so one caller's burst cannot starve the others. What a job does is the runner's business
(``run``); the pool only schedules, tracks and cancels (docs/architecture.md, "Layers").

With a ``claim`` function (replicas on one PostgreSQL) the queue is the store: ``submit``
only wakes the pool, which claims as many jobs as it has free workers, in the order the
store decides across replicas, and polls as a fallback (docs/architecture.md, "Replicas").
"""

from __future__ import annotations

import asyncio
import contextlib
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
    # The row as its claim left it, when the pool claimed it from the store already.
    claimed: GenerationRecord | None = field(default=None, compare=False)

    @classmethod
    def of(cls, record: GenerationRecord) -> Job:
        return cls(record.id, record.owner, record.tier)


RunFn = Callable[[Job], Coroutine[Any, Any, None]]
ClaimFn = Callable[[int], Coroutine[Any, Any, list[GenerationRecord]]]


class FairQueue:
    """Highest tier first; within a tier, one job per caller in turn."""

    def __init__(self) -> None:
        self._tiers: dict[int, OrderedDict[str, deque[tuple[str, float]]]] = {}
        self._available = asyncio.Semaphore(0)
        self._claimed: dict[str, GenerationRecord] = {}

    def put(self, job: Job) -> None:
        if job.claimed is not None:
            self._claimed[job.generation_id] = job.claimed
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
        return Job(generation_id, owner, tier, queued_at, self._claimed.pop(generation_id, None))

    def drain_claimed(self) -> list[tuple[str, int | None]]:
        """The claimed jobs never started, with their attempts (at shutdown, to hand
        back)."""
        held: list[tuple[str, int | None]] = [(g, r.attempt) for g, r in self._claimed.items()]
        self._claimed.clear()
        return held

    def __len__(self) -> int:
        return sum(len(jobs) for callers in self._tiers.values() for jobs in callers.values())


class TaskPool:
    def __init__(
        self,
        run: RunFn,
        *,
        workers: int,
        claim: ClaimFn | None = None,
        batch: int = 8,
        poll_s: float = 1.0,
    ) -> None:
        self._run = run
        self._queue = FairQueue()
        self._worker_count = workers
        self._workers: list[asyncio.Task[None]] = []
        self._running: dict[str, asyncio.Task[None]] = {}
        self._attempts: dict[str, int] = {}  # claimed runs: their attempt (lease renewal)
        self._accepting = True
        self._claim = claim
        self._batch = batch
        self._poll_s = poll_s
        self._wake = asyncio.Event()
        self._feeder: asyncio.Task[None] | None = None

    @property
    def queued(self) -> int:
        return len(self._queue)

    @property
    def running(self) -> int:
        return len(self._running)

    @property
    def held(self) -> dict[str, int]:
        """Running claimed jobs: generation id -> attempt."""
        return dict(self._attempts)

    def start(self) -> None:
        self._workers = [
            asyncio.create_task(self._work(), name=f"generation-worker-{n}")
            for n in range(self._worker_count)
        ]
        if self._claim is not None:
            self._feeder = asyncio.create_task(self._feed(), name="generation-claims")

    def submit(self, job: Job) -> None:
        if self._claim is not None:
            self.wake()  # the row is in the store: claimed from there in its turn
            return
        self._queue.put(job)

    def wake(self) -> None:
        """New work may be waiting in the store (a hint)."""
        self._wake.set()

    async def _feed(self) -> None:
        """Claim from the store while workers are free; wait for a hint or the poll."""
        claim = self._claim
        assert claim is not None
        while self._accepting:
            free = self._worker_count - len(self._running) - len(self._queue)
            got = 0
            if free > 0:
                try:
                    records = await claim(min(free, self._batch))
                except Exception:
                    log.exception("claiming from the store failed; retrying after the poll")
                    records = []
                for record in records:
                    self._queue.put(Job(record.id, record.owner, record.tier, claimed=record))
                got = len(records)
            if free > 0 and got == min(free, self._batch):
                continue  # a full batch: more may be waiting
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_s):
                    await self._wake.wait()

    def cancel(self, generation_id: str) -> None:
        """Stop a running generation (its cancelled state is already committed)."""
        task = self._running.get(generation_id)
        if task is not None:
            task.cancel()

    async def shutdown(self, grace_s: float) -> list[tuple[str, int | None]]:
        """Take no new jobs, give running ones ``grace_s`` to finish, cancel the rest; the
        ids of those cancelled and of claimed jobs never started, each with its attempt
        when the pool claimed it (None: claimed by the run itself), for the caller to
        requeue. Calling it again is harmless."""
        self._accepting = False
        if self._feeder is not None:
            # Let a claim in flight land in the queue (it committed): handed back below.
            self._wake.set()
            await asyncio.gather(self._feeder, return_exceptions=True)
        running = dict(self._running)
        attempts = dict(self._attempts)
        late: set[asyncio.Task[None]] = set()
        if running:
            _done, late = await asyncio.wait(running.values(), timeout=grace_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*running.values(), return_exceptions=True)
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        cancelled = [(gid, attempts.get(gid)) for gid, task in running.items() if task in late]
        return cancelled + self._queue.drain_claimed()

    async def _work(self) -> None:
        while self._accepting:
            job = await self._queue.get()
            if not self._accepting:
                self._queue.put(job)  # a claimed job is then handed back at shutdown
                return
            task = asyncio.create_task(self._run(job), name=f"generation-{job.generation_id}")
            self._running[job.generation_id] = task
            if job.claimed is not None:
                self._attempts[job.generation_id] = job.claimed.attempt
            try:
                await asyncio.wait([task])
            finally:
                self._running.pop(job.generation_id, None)
                self._attempts.pop(job.generation_id, None)
                self._wake.set()  # a worker is free: claim again
            if not task.cancelled() and task.exception() is not None:
                log.error(
                    "generation %s crashed the worker",
                    job.generation_id,
                    exc_info=task.exception(),
                    extra={"generation_id": job.generation_id},
                )
