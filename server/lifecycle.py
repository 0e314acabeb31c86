"""The generation lifecycle: every state change, as one named transition.

Each transition commits its state change and event in the store, then publishes the
committed event to the watchers, then counts its metric, in that order: a watcher never
sees an event that is not in the store, and a metric never counts a change that did not
happen (docs/architecture.md, "The lifecycle"). ``STATE_TABLE`` is the only place that
says which statuses a transition may start from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from programgen.server.broker import Broker
from programgen.server.metrics import Metrics
from programgen.server.records import (
    ACTIVE,
    GenerationRecord,
    GenerationStatus,
)
from programgen.server.store.repository import Repository
from programgen.server.store.writes import StateChange

PENDING = GenerationStatus.PENDING
PROCESSING = GenerationStatus.PROCESSING
COMPLETED = GenerationStatus.COMPLETED
FAILED = GenerationStatus.FAILED
CANCELLED = GenerationStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class Edge:
    """A transition: the statuses it may start from and the status it leads to."""

    source: frozenset[GenerationStatus]
    target: GenerationStatus


STATE_TABLE: Mapping[str, Edge] = MappingProxyType(
    {
        "create": Edge(frozenset(), PENDING),  # a new row: no status before
        "claim": Edge(frozenset({PENDING}), PROCESSING),  # a worker starts an attempt
        "progress": Edge(frozenset({PROCESSING}), PROCESSING),  # fenced by the attempt
        "complete": Edge(frozenset({PROCESSING}), COMPLETED),  # fenced by the attempt
        "fail": Edge(frozenset({PROCESSING}), FAILED),  # fenced by the attempt
        "cancel": Edge(ACTIVE, CANCELLED),
        "retry": Edge(frozenset({FAILED, CANCELLED}), PENDING),
        "requeue": Edge(frozenset({PROCESSING}), PENDING),  # at shutdown, after the grace
        "recover": Edge(frozenset({PENDING, PROCESSING}), PENDING),  # at start
    }
)


# (target, expected statuses) per transition, for the store's fenced UPDATE.
_EDGES = {name: (e.target, tuple(sorted(e.source))) for name, e in STATE_TABLE.items()}


class Lifecycle:
    """Owns the repository and the broker; the only code that changes a generation."""

    def __init__(self, repository: Repository, broker: Broker, metrics: Metrics) -> None:
        self.repository = repository
        self.broker = broker
        self._metrics = metrics

    async def _commit(self, change: StateChange) -> GenerationRecord | None:
        """Commit ``change``, then publish its event; None when its fence failed."""
        result = await self.repository.transition(change)
        if result is None:
            return None
        record, event = result
        self.broker.publish(event)
        return record

    async def create(
        self, *, owner: str, tier: int, request_id: str | None, profile: str, cap: int
    ) -> tuple[GenerationRecord, bool]:
        """A pending generation (True), or the one an earlier start with the same request id
        created (False). Raises CapExceeded when the owner is at its cap."""
        record, event = await self.repository.create(
            owner=owner, tier=tier, request_id=request_id, profile=profile, cap=cap
        )
        if event is None:
            return record, False
        self.broker.publish(event)
        self._metrics.started.inc()
        return record, True

    async def claim(self, generation_id: str, *, waited_s: float) -> GenerationRecord | None:
        """Start a new attempt; None when it was cancelled while queued, or already taken."""
        record = await self._commit(
            StateChange(generation_id, *_EDGES["claim"], claim=True, message="processing")
        )
        if record is not None:
            self._metrics.queue_wait.observe(waited_s)
        return record

    async def progress(
        self, generation_id: str, *, attempt: int, stage: str, percent: int, message: str
    ) -> bool:
        """Report a stage; False when ``attempt`` lost its claim (cancelled, requeued)."""
        record = await self._commit(
            StateChange(
                generation_id,
                *_EDGES["progress"],
                attempt=attempt,
                stage=stage,
                percent=percent,
                message=message,
            )
        )
        return record is not None

    async def complete(
        self, generation_id: str, *, attempt: int, program: str, ran_s: float
    ) -> GenerationRecord | None:
        record = await self._commit(
            StateChange(
                generation_id,
                *_EDGES["complete"],
                attempt=attempt,
                percent=100,
                message="completed",
                program=program,
            )
        )
        if record is not None:
            self._metrics.duration.observe(ran_s)
            self._metrics.completed.inc()
        return record

    async def fail(
        self, generation_id: str, *, attempt: int, reason: str, message: str, ran_s: float
    ) -> GenerationRecord | None:
        record = await self._commit(
            StateChange(
                generation_id,
                *_EDGES["fail"],
                attempt=attempt,
                percent=100,
                message=f"failed: {message}",
                error=(reason, message),
            )
        )
        if record is not None:
            self._metrics.duration.observe(ran_s)
            self._metrics.failed.labels(reason).inc()
        return record

    async def cancel(self, generation_id: str) -> GenerationRecord | None:
        record = await self._commit(
            StateChange(generation_id, *_EDGES["cancel"], message="cancelled by the caller")
        )
        if record is not None:
            self._metrics.cancelled.inc()
        return record

    async def retry(self, generation_id: str) -> GenerationRecord | None:
        record = await self._commit(
            StateChange(
                generation_id, *_EDGES["retry"], clear_result=True, message="retry requested"
            )
        )
        if record is not None:
            self._metrics.retried.inc()
        return record

    async def requeue(self, generation_id: str) -> GenerationRecord | None:
        """Back to pending at shutdown, with no failed attempt counted."""
        record = await self._commit(
            StateChange(generation_id, *_EDGES["requeue"], message="requeued at shutdown")
        )
        if record is not None:
            self._metrics.requeued.inc()
        return record

    async def recover(self, generation_id: str) -> GenerationRecord | None:
        """Back to pending at start: what a previous process left unfinished."""
        return await self._commit(
            StateChange(generation_id, *_EDGES["recover"], message="requeued after restart")
        )
