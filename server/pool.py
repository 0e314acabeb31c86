"""The in-process task pool: bounded asyncio workers running generations.

Ordering: the highest caller tier first, and round-robin between callers within a tier,
so one caller's burst cannot starve the others. A worker claims a generation in the store
(pending -> processing, attempt + 1); every later write of that run is fenced by that
attempt, so a stale worker can never report progress or complete a job twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import OperationalError

from programgen.pipeline.domain import PipelineError, Profile, Program, ProgramInvalid, Stage
from programgen.pipeline.engine import GenerateOptions, Offload, ProgressCallback
from programgen.server.broker import Broker
from programgen.server.errors import TransientError
from programgen.server.metrics import Metrics
from programgen.server.store.repository import (
    COMPLETED,
    FAILED,
    PENDING,
    PROCESSING,
    EventRecord,
    GenerationRecord,
    Repository,
)

log = logging.getLogger(__name__)

GenerateFn = Callable[
    [Profile, GenerateOptions, ProgressCallback | None, Offload | None], Awaitable[Program]
]


@dataclass(frozen=True, slots=True)
class Job:
    generation_id: str
    owner: str
    tier: int
    queued_at: float = field(default_factory=time.monotonic, compare=False)


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


class _Fenced(Exception):
    """This run lost its claim (cancelled, or requeued): stop without writing."""


class TaskPool:
    def __init__(
        self,
        repository: Repository,
        broker: Broker,
        generate: GenerateFn,
        options: GenerateOptions,
        *,
        workers: int,
        offload: Offload | None,
        timeout_s: float,
        transient_retries: int,
        backoff_s: float,
        lease_s: float,
        metrics: Metrics,
    ) -> None:
        self._repo = repository
        self._metrics = metrics
        self._broker = broker
        self._generate = generate
        self._options = options
        self._offload = offload
        self._timeout_s = timeout_s
        self._retries = transient_retries
        self._backoff_s = backoff_s
        self._lease_s = lease_s
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

    def enqueue(self, record: GenerationRecord, event: EventRecord) -> None:
        """Publish a generation's committed pending event and queue it for a worker."""
        self._broker.publish(event)
        self.submit(Job(record.id, record.owner, record.tier))

    def cancel(self, generation_id: str) -> None:
        """Stop a running generation (its cancelled state is already committed)."""
        task = self._running.get(generation_id)
        if task is not None:
            task.cancel()

    async def shutdown(self, grace_s: float) -> None:
        """Take no new jobs, give running ones ``grace_s`` to finish, then requeue the rest
        in the store (pending again, no failed attempt counted) for the next start."""
        self._accepting = False
        running = dict(self._running)
        if running:
            _done, late = await asyncio.wait(running.values(), timeout=grace_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*running.values(), return_exceptions=True)
            for generation_id, task in running.items():
                if task in late:
                    await self._requeue(generation_id, "requeued at shutdown")
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)

    async def _requeue(self, generation_id: str, message: str) -> None:
        result = await self._repo.transition(
            generation_id, to=PENDING, expect=[PROCESSING], message=message
        )
        if result is not None:
            self._metrics.requeued.inc()
            self._broker.publish(result[1])

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

    async def _run(self, job: Job) -> None:
        claimed = await self._repo.transition(
            job.generation_id,
            to=PROCESSING,
            expect=[PENDING],
            claim=True,
            lease_until=time.time() + self._lease_s,
            message="processing",
        )
        if claimed is None:
            return  # cancelled while queued, or already taken
        record, event = claimed
        self._broker.publish(event)
        self._metrics.queue_wait.observe(time.monotonic() - job.queued_at)
        attempt = record.attempt
        profile = Profile.model_validate_json(record.profile)
        clock = _StageClock(self._metrics)

        async def progress(stage: Stage, percent: int, message: str) -> None:
            clock.enter(stage.value)
            result = await self._repo.transition(
                job.generation_id,
                to=PROCESSING,
                expect=[PROCESSING],
                attempt=attempt,
                stage=stage.value,
                percent=percent,
                message=message,
            )
            if result is None:
                raise _Fenced
            self._broker.publish(result[1])

        program: Program | None = None
        error: tuple[str, str] | None = None
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._timeout_s):
                program = await self._generate_with_retries(profile, progress, job)
        except _Fenced:
            return
        except TimeoutError:
            error = ("TIMEOUT", f"generation did not finish within {self._timeout_s:g} s")
        except ProgramInvalid as exc:
            error = ("PROGRAM_INVALID", str(exc))
        except PipelineError as exc:
            error = ("PIPELINE_ERROR", str(exc))
        except (TransientError, OperationalError) as exc:
            error = ("TRANSIENT_RETRIES_EXHAUSTED", str(exc))
        except Exception as exc:  # CancelledError is a BaseException: it propagates
            log.exception(
                "generation %s failed unexpectedly",
                job.generation_id,
                extra={"generation_id": job.generation_id},
            )
            error = ("INTERNAL", type(exc).__name__)
        finally:
            clock.enter(None)
        await self._finish(job, attempt, started, program=program, error=error)

    async def _generate_with_retries(
        self, profile: Profile, progress: ProgressCallback, job: Job
    ) -> Program:
        for failures in range(self._retries + 1):
            try:
                return await self._generate(profile, self._options, progress, self._offload)
            except (TransientError, OperationalError) as exc:
                # OperationalError: the store was unavailable for a moment (locked,
                # connection lost) while this run reported progress.
                if failures == self._retries:
                    raise
                delay = random.uniform(0, self._backoff_s * 2**failures)
                log.warning(
                    "generation %s: transient failure (%s), retry in %.2f s",
                    job.generation_id,
                    exc,
                    delay,
                    extra={"generation_id": job.generation_id},
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _finish(
        self,
        job: Job,
        attempt: int,
        started: float,
        *,
        program: Program | None,
        error: tuple[str, str] | None,
    ) -> None:
        """Commit COMPLETED (with the program) or FAILED (with the error), fenced."""
        result = await self._repo.transition(
            job.generation_id,
            to=FAILED if error else COMPLETED,
            expect=[PROCESSING],
            attempt=attempt,
            percent=100,
            message=f"failed: {error[1]}" if error else "completed",
            program=program.model_dump_json() if program is not None and not error else None,
            error=error,
        )
        if result is None:
            return
        self._broker.publish(result[1])
        self._metrics.duration.observe(time.monotonic() - started)
        if error:
            self._metrics.failed.labels(error[0]).inc()
            log.info(
                "generation %s failed: %s",
                job.generation_id,
                error[0],
                extra={"generation_id": job.generation_id, "reason": error[0]},
            )
        else:
            self._metrics.completed.inc()


class _StageClock:
    """Times pipeline stages: a stage ends when the next one (or the run) begins."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self._stage: str | None = None
        self._since = 0.0

    def enter(self, stage: str | None) -> None:
        now = time.monotonic()
        if self._stage is not None:
            self._metrics.stage_duration.labels(self._stage).observe(now - self._since)
        self._stage, self._since = stage, now
