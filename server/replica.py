"""What a replica on a shared PostgreSQL does besides serving (docs/architecture.md,
"Replicas"): renew the leases of its runs and of its watch streams' slots, rescue runs
whose lease ran out, stop a run another replica cancelled, relay other replicas' events
to its own watchers, and requeue at start-up only what is certainly not a live
replica's work.

Everything here acts on the store through the lifecycle; notifications (``Listener``)
only make it happen sooner, the poll every ``poll_s`` makes it happen anyway.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

from programgen.server.config import ReplicaSettings
from programgen.server.lifecycle import Lifecycle
from programgen.server.pool import TaskPool
from programgen.server.records import GenerationStatus
from programgen.server.store.notify import Listener, Notifier
from programgen.server.store.stream_slots import SharedSlots

log = logging.getLogger(__name__)


class Replica:
    def __init__(
        self,
        lifecycle: Lifecycle,
        pool: TaskPool,
        settings: ReplicaSettings,
        notifier: Notifier,
        slots: SharedSlots,
    ) -> None:
        self._lifecycle = lifecycle
        self._slots = slots
        self._pool = pool
        self._settings = settings
        self._notifier = notifier
        self._tasks: set[asyncio.Task[Any]] = set()
        self.listener = Listener(
            lifecycle.repository.url,
            settings.replica_id,
            on_events=self._on_events,
            on_work=pool.wake,
            on_connect=self._on_connect,
            check_s=settings.poll_s * 5,
        )

    async def recover(self) -> None:
        """At start-up: requeue this replica's own rows (a restart under the same id) and
        expired leases; never a row another live replica holds. Pending rows need
        nothing: they are claimed in their turn. Watch slots left under this id are
        a dead process's: freed."""
        await self._slots.clear()
        for record in await self._lifecycle.repository.claimed_by(self._settings.replica_id):
            await self._lifecycle.recover(record.id)
        await self._rescue()

    def start(self) -> None:
        self._spawn(self._heartbeat(), "lease-heartbeat")
        self._spawn(self._maintain(), "replica-poll")
        self._spawn(self.listener.run(), "replica-listener")

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            await self._slots.clear()
        except Exception as exc:  # they run out with their lease
            log.warning("could not free this replica's watch slots (%s)", exc)
        await self._notifier.close()

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("replica task %s failed", task.get_name(), exc_info=task.exception())

    async def _heartbeat(self) -> None:
        """Renew every held lease each ``lease_heartbeat_s``; a run whose row is no
        longer held (cancelled or rescued elsewhere) is stopped: its writes are fenced
        anyway, this only frees the worker."""
        while True:
            await asyncio.sleep(self._settings.lease_heartbeat_s)
            held = self._pool.held
            try:
                await self._slots.renew()
            except Exception as exc:
                log.warning("watch slot renewal failed (%s); retrying", exc)
            try:
                kept = await self._lifecycle.renew(held, lease_s=self._settings.lease_s)
            except Exception as exc:
                log.warning("lease renewal failed (%s); retrying", exc)
                continue
            for generation_id in set(held) - kept:
                log.info("generation %s: lease lost, stopping its run", generation_id)
                self._pool.cancel(generation_id)

    async def _maintain(self) -> None:
        """The poll fallback: rescues, and other replicas' events for local watchers."""
        while True:
            await asyncio.sleep(self._settings.poll_s)
            try:
                await self._rescue()
                await self._lifecycle.relay_watched()
            except Exception as exc:
                log.warning("replica poll failed (%s); retrying", exc)

    async def _rescue(self) -> None:
        now = time.time()
        for record in await self._lifecycle.repository.expired(now=now):
            rescued = await self._lifecycle.rescue(record, now=now)
            if rescued is not None:
                log.warning(
                    "generation %s: lease of replica %s expired; requeued",
                    record.id,
                    record.replica_id,
                    extra={"generation_id": record.id},
                )

    def _on_events(self, pairs: list[tuple[str, int]]) -> None:
        for generation_id, sequence in pairs:
            if generation_id in self._pool.held:
                self._spawn(self._check_held(generation_id), "replica-check")
            if self._lifecycle.broker.watching(generation_id):
                self._spawn(self._lifecycle.relay(generation_id, sequence), "replica-relay")

    def _on_connect(self) -> None:
        # Notifications sent while no connection listened are lost: read the store.
        self._pool.wake()
        self._spawn(self._lifecycle.relay_watched(), "replica-relay")

    async def _check_held(self, generation_id: str) -> None:
        """Another replica changed a row this one runs (a cancel): stop the run if the
        row is no longer this run's."""
        attempt = self._pool.held.get(generation_id)
        record = await self._lifecycle.repository.get(generation_id)
        if attempt is None or record is None:
            return
        if record.status is not GenerationStatus.PROCESSING or record.attempt != attempt:
            log.info(
                "generation %s: now %s elsewhere, stopping its run", generation_id, record.status
            )
            self._pool.cancel(generation_id)
