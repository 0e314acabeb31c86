"""Cross-replica hints over PostgreSQL LISTEN/NOTIFY (docs/architecture.md, "Replicas").

A notification is only a hint that the store changed: the receiver re-reads the store,
and each replica also polls, so a lost one costs latency, never an event. Hence:

- sent after the commit, never inside the transaction: a NOTIFY in a transaction takes
  a lock global to the database at commit (PostgreSQL manual, NOTIFY), which would
  serialise every writer of every replica;
- debounced: what one turn of the event loop committed goes out in one statement (one
  commit, one lock), each payload far below the 8,000-byte limit;
- small: the sender's replica id, then ``generation-id:sequence`` pairs;
- received on a connection of its own that reconnects by itself and, after each
  (re)connect, asks its owner to re-read what it may have missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

EVENTS = "programgen_events"  # payload: "<replica> <id>:<seq> <id>:<seq> ..."
WORK = "programgen_work"  # payload: "<replica>"; new pending generations
MAX_PAYLOAD = 7_900  # bytes; PostgreSQL refuses payloads of 8,000 and more

_NOTIFY = text(
    "SELECT pg_notify(c, p) FROM unnest(CAST(:c AS text[]), CAST(:p AS text[])) AS t(c, p)"
)


def payloads(replica_id: str, events: dict[str, int]) -> list[str]:
    """``events`` as few payloads as fit the size limit, each led by the sender."""
    chunks: list[str] = []
    current = replica_id
    for generation_id, sequence in events.items():
        pair = f" {generation_id}:{sequence}"
        if len(current) + len(pair) > MAX_PAYLOAD:
            chunks.append(current)
            current = replica_id
        current += pair
    if current != replica_id:
        chunks.append(current)
    return chunks


def parse(payload: str) -> tuple[str, list[tuple[str, int]]]:
    sender, *pairs = payload.split(" ")
    parsed = []
    for pair in pairs:
        generation_id, _, sequence = pair.partition(":")
        if sequence.isdigit():
            parsed.append((generation_id, int(sequence)))
    return sender, parsed


class Notifier:
    """Collects the events committed during one loop turn and sends them in one go."""

    def __init__(self, engine: AsyncEngine, replica_id: str) -> None:
        self._engine = engine
        self._replica_id = replica_id
        self._events: dict[str, int] = {}
        self._work = False
        self._flusher: asyncio.Task[None] | None = None
        self.sent = 0  # statements sent (bench/, tests)

    def event(self, generation_id: str, sequence: int) -> None:
        if sequence > self._events.get(generation_id, 0):
            self._events[generation_id] = sequence
        self._schedule()

    def work(self) -> None:
        self._work = True
        self._schedule()

    def _schedule(self) -> None:
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush(), name="notify-flush")

    async def _flush(self) -> None:
        try:
            await asyncio.sleep(0)  # let this turn's other commits join
            while self._events or self._work:
                channels, bodies = [], []
                for body in payloads(self._replica_id, self._events):
                    channels.append(EVENTS)
                    bodies.append(body)
                if self._work:
                    channels.append(WORK)
                    bodies.append(self._replica_id)
                self._events, self._work = {}, False
                await self._send(channels, bodies)
        finally:
            self._flusher = None

    async def _send(self, channels: list[str], bodies: list[str]) -> None:
        try:
            async with self._engine.connect() as conn:
                await conn.execute(_NOTIFY, {"c": channels, "p": bodies})
                await conn.commit()
            self.sent += 1
        except Exception as exc:  # a hint: the other replicas' polling covers it
            log.warning("could not notify the other replicas: %s", exc)

    async def close(self) -> None:
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)


def asyncpg_dsn(url: str) -> str:
    """The plain libpq URL of a SQLAlchemy ``postgresql+asyncpg://`` URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


EventsFn = Callable[[list[tuple[str, int]]], None]


class Listener:
    """One LISTEN connection that reconnects by itself (asyncpg); calls ``on_events``
    with another replica's (generation, sequence) pairs, ``on_work`` on new work and
    ``on_connect`` after every (re)connect, when notifications may have been missed."""

    def __init__(
        self,
        url: str,
        replica_id: str,
        *,
        on_events: EventsFn,
        on_work: Callable[[], None],
        on_connect: Callable[[], None],
        check_s: float,
    ) -> None:
        self._dsn = asyncpg_dsn(url)
        self._replica_id = replica_id
        self._on_events = on_events
        self._on_work = on_work
        self._on_connect = on_connect
        self._check_s = check_s
        self.connects = 0
        self.application_name = f"programgen-listen {replica_id}"[:63]

    async def run(self) -> None:
        backoff = 0.05
        while True:
            try:
                await self._listen()
                backoff = 0.05
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                log.warning("listener connection lost (%s); reconnecting", exc)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._check_s)

    async def _listen(self) -> None:
        conn: Any = await asyncpg.connect(
            self._dsn, server_settings={"application_name": self.application_name}, timeout=10
        )
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        try:
            await conn.add_listener(EVENTS, self._events)
            await conn.add_listener(WORK, self._work)
            self.connects += 1
            self._on_connect()
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), self._check_s)
                except TimeoutError:
                    # A half-open socket shows no termination: ask the server.
                    await conn.fetchval("SELECT 1", timeout=self._check_s)
        finally:
            conn.terminate()

    def _events(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        sender, pairs = parse(payload)
        if sender != self._replica_id and pairs:
            self._on_events(pairs)

    def _work(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload != self._replica_id:
            self._on_work()
