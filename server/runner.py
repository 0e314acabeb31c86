"""One run of a generation: claim it, run the pipeline with progress, finish it.

A run claims its generation (pending -> processing, attempt + 1); every later write of
the run is fenced by that attempt, so a stale run can never report progress or complete
a job twice (docs/architecture.md, "One generation end to end").
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable

from opentelemetry.trace import Span
from sqlalchemy.exc import OperationalError

from programgen.pipeline.domain import PipelineError, Profile, Program, ProgramInvalid, Stage
from programgen.pipeline.engine import GenerateOptions, Offload, ProgressCallback
from programgen.server import llm_outcomes, logs
from programgen.server.config import PoolSettings
from programgen.server.lifecycle import Lifecycle
from programgen.server.metrics import Metrics
from programgen.server.pool import Job
from programgen.server.records import TransientError
from programgen.server.tracing import GenerationTracer

log = logging.getLogger(__name__)

GenerateFn = Callable[
    [Profile, GenerateOptions, ProgressCallback | None, Offload | None], Awaitable[Program]
]


class _Fenced(Exception):
    """This run lost its claim (cancelled, or requeued): stop without writing."""


class GenerationRunner:
    """The pool's ``run``: what a worker does with one job."""

    def __init__(
        self,
        lifecycle: Lifecycle,
        generate: GenerateFn,
        options: GenerateOptions,
        *,
        settings: PoolSettings,
        offload: Offload | None,
        metrics: Metrics,
        tracer: GenerationTracer | None = None,
    ) -> None:
        self._tracer = tracer or GenerationTracer(None)
        self._lifecycle = lifecycle
        self._generate = generate
        self._options = options
        self._settings = settings
        self._offload = offload
        self._metrics = metrics

    async def __call__(self, job: Job) -> None:
        record = job.claimed  # claimed from the store already (replicas)
        if record is None:
            waited = time.monotonic() - job.queued_at
            record = await self._lifecycle.claim(job.generation_id, waited_s=waited)
        if record is None:
            return  # cancelled while queued, or already taken
        profile = Profile.model_validate_json(record.profile)
        with (
            logs.for_generation(job.generation_id),
            self._tracer.attempt(job.generation_id, record.attempt),
        ):
            await self._run(job, record.attempt, profile)

    async def _run(self, job: Job, attempt: int, profile: Profile) -> None:
        clock = _StageClock(self._metrics, self._tracer)

        async def progress(stage: Stage, percent: int, message: str) -> None:
            clock.enter(stage.value)
            reported = await self._lifecycle.progress(
                job.generation_id,
                attempt=attempt,
                stage=stage.value,
                percent=percent,
                message=message,
            )
            if not reported:
                raise _Fenced

        started = time.monotonic()
        try:
            outcome = await self._outcome(profile, progress, job)
        except _Fenced:
            _log_fenced(job, attempt)
            return
        finally:
            clock.enter(None)
        await self._finish(job, attempt, time.monotonic() - started, outcome)

    async def _outcome(
        self, profile: Profile, progress: ProgressCallback, job: Job
    ) -> Program | tuple[str, str]:
        """The program, or the (reason, message) the run failed with."""
        timeout_s = self._settings.generation_timeout_s
        try:
            async with asyncio.timeout(timeout_s):
                return await self._generate_with_retries(profile, progress, job)
        except TimeoutError:
            return ("TIMEOUT", f"generation did not finish within {timeout_s:g} s")
        except ProgramInvalid as exc:
            return ("PROGRAM_INVALID", str(exc))
        except PipelineError as exc:
            return ("PIPELINE_ERROR", str(exc))
        except (TransientError, OperationalError) as exc:
            return ("TRANSIENT_RETRIES_EXHAUSTED", str(exc))
        except _Fenced:
            raise
        except Exception as exc:  # CancelledError is a BaseException: it propagates
            log.exception(
                "generation %s failed unexpectedly",
                job.generation_id,
                extra={"generation_id": job.generation_id},
            )
            return ("INTERNAL", type(exc).__name__)

    async def _generate_with_retries(
        self, profile: Profile, progress: ProgressCallback, job: Job
    ) -> Program:
        retries, backoff_s = self._settings.transient_retries, self._settings.retry_backoff_s
        for failures in range(retries + 1):
            try:
                return await self._generate(profile, self._options, progress, self._offload)
            except (TransientError, OperationalError) as exc:
                # OperationalError: the store was unavailable for a moment (locked,
                # connection lost) while this run reported progress.
                if failures == retries:
                    raise
                delay = random.uniform(0, backoff_s * 2**failures)
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
        self, job: Job, attempt: int, ran_s: float, outcome: Program | tuple[str, str]
    ) -> None:
        """Commit COMPLETED (with the program) or FAILED (with the error), fenced."""
        if isinstance(outcome, Program):
            done = await self._lifecycle.complete(
                job.generation_id,
                attempt=attempt,
                program=outcome.model_dump_json(),
                program_name=outcome.name,
                ran_s=ran_s,
            )
            if done is None:
                _log_fenced(job, attempt)
                return
            if self._options.llm is not None:
                self._metrics.llm_refinements.labels(llm_outcomes.outcome(outcome)).inc()
            log.info("generation completed in %.2f s (attempt %d)", ran_s, attempt)
            return
        reason, message = outcome
        failed = await self._lifecycle.fail(
            job.generation_id, attempt=attempt, reason=reason, message=message, ran_s=ran_s
        )
        if failed is not None:
            log.info(
                "generation %s failed: %s",
                job.generation_id,
                reason,
                extra={"generation_id": job.generation_id, "reason": reason},
            )


def _log_fenced(job: Job, attempt: int) -> None:
    log.info(
        "generation %s: attempt %d lost its claim (cancelled or rescued); nothing written",
        job.generation_id,
        attempt,
        extra={"generation_id": job.generation_id},
    )


class _StageClock:
    """Times pipeline stages (a metric, and a span when tracing): a stage ends when the
    next one (or the run) begins."""

    def __init__(self, metrics: Metrics, tracer: GenerationTracer) -> None:
        self._metrics = metrics
        self._tracer = tracer
        self._stage: str | None = None
        self._span: Span | None = None
        self._since = 0.0

    def enter(self, stage: str | None) -> None:
        now = time.monotonic()
        if self._stage is not None:
            self._metrics.stage_duration.labels(self._stage).observe(now - self._since)
        if self._span is not None:
            self._span.end()
        self._span = self._tracer.stage(stage) if stage is not None else None
        self._stage, self._since = stage, now
