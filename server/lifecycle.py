"""The generation lifecycle: every state change, as one named transition.

Each transition commits its state change and event in the store, then publishes the
committed event to the watchers, then counts its metric, in that order: a watcher never
sees an event that is not in the store, and a metric never counts a change that did not
happen (docs/architecture.md, "The lifecycle"). ``STATE_TABLE`` is the only place that
says which statuses a transition may start from.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from programgen.server.broker import Broker
from programgen.server.metrics import Metrics
from programgen.server.records import (
    ACTIVE,
    EventRecord,
    GenerationRecord,
    GenerationStatus,
)
from programgen.server.store.notify import Notifier
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
        "rescue": Edge(frozenset({PROCESSING}), PENDING),  # a lease ran out (replicas)
    }
)


# (target, expected statuses) per transition, for the store's fenced UPDATE.
_EDGES = {name: (e.target, tuple(sorted(e.source))) for name, e in STATE_TABLE.items()}


class Lifecycle:
    """Owns the repository and the broker; the only code that changes a generation."""

    def __init__(
        self,
        repository: Repository,
        broker: Broker,
        metrics: Metrics,
        *,
        notifier: Notifier | None = None,
        replica_id: str | None = None,
    ) -> None:
        self.repository = repository
        self.broker = broker
        self._metrics = metrics
        self.notifier = notifier
        self.replica_id = replica_id
        # The newest sequence published here per generation, so a relay publishes only
        # what is new (see relay).
        self._published: dict[str, int] = {}

    def _publish(self, event: EventRecord, *, notify: bool = True) -> None:
        """To the local watchers, then (after the commit, replicas only) a hint to the
        other replicas: its generation and sequence, and new work when it is pending."""
        # Only replicas relay, and only what is watched here (pruned each poll).
        generation_id = event.generation_id
        if self.notifier is not None and self.broker.watching(generation_id):
            self._published[generation_id] = max(
                event.sequence, self._published.get(generation_id, 0)
            )
        self.broker.publish(event)
        if notify and self.notifier is not None:
            self.notifier.event(event.generation_id, event.sequence)
            if event.status is PENDING:
                self.notifier.work()

    async def _commit(self, change: StateChange) -> GenerationRecord | None:
        """Commit ``change``, then publish its event; None when its fence failed."""
        result = await self.repository.transition(change)
        if result is None:
            return None
        record, event = result
        self._publish(event)
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
        self._publish(event)
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
        self, generation_id: str, *, attempt: int, program: str, program_name: str, ran_s: float
    ) -> GenerationRecord | None:
        record = await self._commit(
            StateChange(
                generation_id,
                *_EDGES["complete"],
                attempt=attempt,
                percent=100,
                message="completed",
                program=program,
                program_name=program_name,
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

    async def retry(self, generation_id: str, *, cap: int) -> GenerationRecord | None:
        """Pending again; raises CapExceeded when the owner already has ``cap`` active
        generations (a retry takes a slot like a start, counted in the same transaction)."""
        record = await self._commit(
            StateChange(
                generation_id,
                *_EDGES["retry"],
                clear_result=True,
                message="retry requested",
                cap=cap,
            )
        )
        if record is not None:
            self._metrics.retried.inc()
        return record

    async def requeue(
        self, generation_id: str, *, attempt: int | None = None
    ) -> GenerationRecord | None:
        """Back to pending at shutdown, with no failed attempt counted; fenced by
        ``attempt`` when given (replicas: the row may have been rescued and claimed by
        another replica during the grace, and that run must go on)."""
        record = await self._commit(
            StateChange(
                generation_id, *_EDGES["requeue"], attempt=attempt, message="requeued at shutdown"
            )
        )
        if record is not None:
            self._metrics.requeued.inc()
        return record

    async def recover(self, generation_id: str) -> GenerationRecord | None:
        """Back to pending at start: what a previous process left unfinished."""
        return await self._commit(
            StateChange(generation_id, *_EDGES["recover"], message="requeued after restart")
        )

    # ------------------------------------------------------------------ replicas

    async def claim_batch(self, limit: int, *, lease_s: float) -> list[GenerationRecord]:
        """Claim up to ``limit`` pending generations for this replica (``claim`` of the
        state table, decided in SQL across replicas: docs/architecture.md, "Replicas")."""
        assert self.replica_id is not None
        claimed = await self.repository.claim_batch(
            replica_id=self.replica_id, limit=limit, lease_s=lease_s
        )
        now = time.time()
        for record, event in claimed:
            self._publish(event)
            self._metrics.queue_wait.observe(max(0.0, now - record.created_at))
        return [record for record, _ in claimed]

    async def renew(self, held: dict[str, int], *, lease_s: float) -> set[str]:
        """Extend the leases of the runs this replica holds (no state change, no event);
        the ids still held. The others lost their claim and must stop."""
        assert self.replica_id is not None
        return await self.repository.renew(replica_id=self.replica_id, held=held, lease_s=lease_s)

    async def rescue(self, record: GenerationRecord, *, now: float) -> GenerationRecord | None:
        """Requeue a generation whose lease ran out before ``now``, fenced by its attempt
        and by the lease itself: a run that completed, or renewed its lease, since the
        row was read keeps its state (the rescue then finds nothing to change)."""
        rescued = await self._commit(
            StateChange(
                record.id,
                *_EDGES["rescue"],
                attempt=record.attempt,
                lease_before=now,
                message=f"requeued: the lease of replica {record.replica_id} expired",
            )
        )
        if rescued is not None:
            self._metrics.requeued.inc()
        return rescued

    async def relay(self, generation_id: str, sequence: int | None = None) -> None:
        """Publish to the local watchers what another replica committed for
        ``generation_id``, read from the store (a notification is only a hint)."""
        if not self.broker.watching(generation_id):
            self._published.pop(generation_id, None)
            return
        known = self._published.get(generation_id, 0)
        if sequence is not None and sequence <= known:
            return
        record = await self.repository.get(generation_id)
        if record is None or record.last_sequence <= known:
            return
        # Never published here: the watchers replayed the store themselves, so the
        # newest event is enough; one that is behind sees a gap and re-reads the store.
        after = known or record.last_sequence - 1
        events = await self.repository.events_after(record, after)
        if events and events[-1].sequence > record.last_sequence:
            record = await self.repository.get(generation_id) or record  # committed since
        for event in events:
            # A terminal event carries its row only when the row is as that event left
            # it; otherwise the watcher reads the row itself.
            as_left = event.terminal and event.sequence == record.last_sequence
            relayed = replace(event, generation=record) if as_left else event
            self._publish(relayed, notify=False)  # its own commit sent the hint already

    async def relay_watched(self) -> None:
        """The poll fallback of ``relay``: every watched generation behind the store."""
        watched = self.broker.watched()
        for stale in set(self._published) - set(watched):
            del self._published[stale]
        latest = await self.repository.last_sequences(watched)
        for generation_id, sequence in latest.items():
            if sequence > self._published.get(generation_id, 0):
                await self.relay(generation_id, sequence)
