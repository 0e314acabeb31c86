"""A throwaway PostgreSQL server for the tests: initdb into a temp dir, start on loopback."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from programgen.testing import free_port


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def have_postgres() -> bool:
    """Whether the PostgreSQL server binaries are on this machine."""
    return _bin_dir() is not None


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields an asyncpg SQLAlchemy URL for a fresh cluster; removes it afterwards."""
    bindir = _bin_dir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found (scripts/setup.sh installs them)")
    root = Path(tempfile.mkdtemp(prefix="programgen-pg-"))
    data = root / "data"
    # initdb refuses to run as root: run the server as the postgres system user then.
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"],
        check=True,
        **quiet,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "start"],
        check=True,
        **quiet,
    )
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            **quiet,
        )
        shutil.rmtree(root, ignore_errors=True)


async def fresh_database(server_url: str) -> str:
    """Create an empty database on the server; returns its URL."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f"CREATE DATABASE {name}"))
    finally:
        await admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"
