"""Open watch streams per caller, counted so the cap is exact (docs/architecture.md, "Caps").

One process (SQLite) counts in memory. Replicas on one PostgreSQL count in the
``watch_streams`` table: a stream takes its slot in one transaction that holds a
per-caller advisory lock (released at commit), counts the caller's live rows and
inserts its own, so two replicas admitting the same caller at once cannot both take the
last slot. A row carries its replica's id and a lease the replica renews for all its
rows in one statement each heartbeat; the rows of a replica that died stop counting
when their lease runs out, and a replica restarted under the same id deletes its old
rows at start. A stream that ends gives its slot back at once, and so does one whose RPC
was cancelled while its slot was being taken (released slots are deleted together, one
statement per loop turn).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, delete, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from programgen.server.store.schema import watch_streams

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Slot:
    caller: str
    stream_id: str


class StreamSlots(Protocol):
    async def take(self, caller: str, limit: int) -> tuple[Slot | None, int]:
        """A slot for one more stream of ``caller``, or None at ``limit``; with the
        number of the caller's streams open before this one."""
        ...

    def give_back(self, slot: Slot) -> None: ...


class LocalSlots:
    """One process: every stream of every caller is in this process."""

    def __init__(self) -> None:
        self._per_caller: dict[str, int] = {}

    async def take(self, caller: str, limit: int) -> tuple[Slot | None, int]:
        mine = self._per_caller.get(caller, 0)
        if mine >= limit:
            return None, mine
        self._per_caller[caller] = mine + 1
        return Slot(caller, ""), mine

    def give_back(self, slot: Slot) -> None:
        left = self._per_caller[slot.caller] - 1
        if left:
            self._per_caller[slot.caller] = left
        else:
            del self._per_caller[slot.caller]


# Seed 1 keeps these locks apart from the generation cap's (seed 0, store/writes.py).
_LOCK_CALLER = text("SELECT pg_advisory_xact_lock(hashtextextended(:caller, 1))")
# The caller's expired rows go in the same statement; all its parts see one snapshot,
# so the count is of live rows only and the insert happens only under the limit.
_TAKE = text(
    """
    WITH expired AS (
        DELETE FROM watch_streams WHERE caller = :caller AND lease_expires_at <= :now
    ), live AS (
        SELECT count(*) AS n FROM watch_streams
        WHERE caller = :caller AND lease_expires_at > :now
    ), taken AS (
        INSERT INTO watch_streams (stream_id, caller, replica_id, lease_expires_at)
        SELECT :stream_id, :caller, :replica, :lease FROM live WHERE live.n < :limit
    )
    SELECT n FROM live
    """
)


# One array parameter, whatever the number of streams (a bound parameter per id would
# meet the protocol's 32,767-parameter limit).
_DELETE = text("DELETE FROM watch_streams WHERE stream_id = ANY(:ids)")
_RENEW = text(
    "UPDATE watch_streams SET lease_expires_at = :lease WHERE stream_id = ANY(:ids) "
    "RETURNING stream_id"
)


class SharedSlots:
    """Replicas on one PostgreSQL: the ``watch_streams`` table counts every replica's."""

    def __init__(self, engine: AsyncEngine, replica_id: str, lease_s: float) -> None:
        self._engine = engine
        self._replica = replica_id
        self._lease_s = lease_s
        self._open: dict[str, str] = {}  # this replica's streams: stream id -> caller
        self._released: list[str] = []
        self._flushing: asyncio.Task[None] | None = None

    async def take(self, caller: str, limit: int) -> tuple[Slot | None, int]:
        slot = Slot(caller, uuid.uuid4().hex)
        now = time.time()
        params = {
            "caller": caller,
            "stream_id": slot.stream_id,
            "replica": self._replica,
            "now": now,
            "lease": now + self._lease_s,
            "limit": limit,
        }

        def run(conn: Connection) -> int:
            conn.execute(_LOCK_CALLER, {"caller": caller})
            return int(conn.execute(_TAKE, params).scalar_one())

        async def commit() -> int:
            async with self._engine.begin() as conn:
                return await conn.run_sync(run)

        taking = asyncio.ensure_future(commit())
        try:
            # Shielded: an RPC cancelled while its slot is being taken must not leave a
            # committed row behind for a lease (a burst of such cancels would lock the
            # caller out); the row is given back as soon as the take finishes.
            before = await asyncio.shield(taking)
        except asyncio.CancelledError:
            taking.add_done_callback(lambda done: self._abandoned(slot, limit, done))
            raise
        if before >= limit:
            return None, before
        self._open[slot.stream_id] = caller
        return slot, before

    def _abandoned(self, slot: Slot, limit: int, taking: asyncio.Future[int]) -> None:
        if not taking.cancelled() and taking.exception() is None and taking.result() < limit:
            self._released.append(slot.stream_id)
            self._flush_soon()

    def give_back(self, slot: Slot) -> None:
        self._open.pop(slot.stream_id, None)
        self._released.append(slot.stream_id)
        self._flush_soon()

    def _flush_soon(self) -> None:
        if self._flushing is None:
            self._flushing = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        """Delete every slot given back so far; those given back meanwhile next."""
        try:
            while self._released:
                ids, self._released = self._released, []
                try:
                    async with self._engine.begin() as conn:
                        await conn.execute(_DELETE, {"ids": ids})
                except Exception as exc:  # the rows expire by their lease anyway
                    log.warning("could not free %d watch slots (%s)", len(ids), exc)
        finally:
            self._flushing = None

    async def renew(self) -> None:
        """Extend the lease of this replica's open streams' rows; write back any that
        were expired and deleted meanwhile (this replica was paused past its lease).
        Only the streams it knows are renewed."""
        held = dict(self._open)
        if not held:
            return
        lease = time.time() + self._lease_s
        async with self._engine.begin() as conn:
            result = await conn.execute(_RENEW, {"ids": list(held), "lease": lease})
            kept = {r.stream_id for r in result}
            lost = [s for s in held if s not in kept and s in self._open]
            if lost:
                rows = [
                    {"stream_id": s, "caller": held[s], "replica_id": self._replica,
                     "lease_expires_at": lease}
                    for s in lost
                ]  # fmt: skip
                await conn.execute(insert(watch_streams), rows)

    async def clear(self) -> None:
        """Delete every row under this replica's id: at start-up, the rows a previous
        process with this id left; at shutdown, whatever is left after the drain."""
        if self._flushing is not None:
            with contextlib.suppress(Exception):
                await self._flushing
        async with self._engine.begin() as conn:
            stmt = delete(watch_streams).where(watch_streams.c.replica_id == self._replica)
            await conn.execute(stmt)
