"""Engine creation and schema migration for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, make_url, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

_MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 0x70676D67  # any constant shared by every replica ("pgmg")


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, *, sqlite_synchronous: str = "FULL") -> AsyncEngine:
    if not is_sqlite(url):
        return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(url, connect_args={"timeout": 30})
    _sqlite_pragmas(engine.sync_engine, sqlite_synchronous)
    return engine


def create_sqlite_engine(url: str, *, sqlite_synchronous: str = "FULL") -> Engine:
    """A synchronous engine (the stdlib driver) on the SQLite file of an async ``url``,
    with the same settings. Connections may move between threads: the repository reads
    on the event loop's thread and writes on a writer thread, never both on one."""
    engine = create_sync_engine(
        make_url(url).set(drivername="sqlite"),
        connect_args={"timeout": 30, "check_same_thread": False},
    )
    _sqlite_pragmas(engine, sqlite_synchronous)
    return engine


def _sqlite_pragmas(engine: Engine, sqlite_synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # WAL lets readers (watchers, Get, List) run beside the single writer.
        # synchronous=FULL fsyncs every commit: a reply is never sent for a commit a
        # power cut could undo (NORMAL survives process crashes only).
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={sqlite_synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


@contextmanager
def sole_user(url: str) -> Iterator[None]:
    """Hold an exclusive lock on the SQLite file's companion ``.lock`` file while the
    server runs: a second server on the same file would recover (requeue) the first
    one's running generations and run them twice. The lock dies with the process, even
    on kill -9, so a crash never leaves it behind."""
    database = make_url(url).database
    if not database or database == ":memory:":
        yield
        return
    path = Path(database).resolve().with_name(Path(database).name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreInUse(
                f"another programgen server is using the SQLite database {database}; "
                "SQLite serves one process (run several replicas on PostgreSQL)"
            ) from None
        yield
    finally:
        handle.close()


class StoreInUse(Exception):
    """The SQLite file is in use by another server process."""


def _upgrade(connection: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision``, the newest by default (idempotent)."""
    async with engine.begin() as conn:
        if not is_sqlite(str(engine.url)):
            # Replicas starting together would each create the tables: one at a time,
            # the others then find the schema current (the lock ends with the commit).
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        await conn.run_sync(_upgrade, revision)
