"""``programgen serve`` as a real process: failing start-up unwinds and says why in one
line; Ctrl-C drains quietly."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from programgen.server.app import ConfigError, start
from programgen.testing import free_port
from tests.harness import settings


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROGRAMGEN_", "OPENAI_"))}
    env.update(
        PROGRAMGEN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        PROGRAMGEN_PROCESSES="2",
        PROGRAMGEN_SHUTDOWN_GRACE_S="0",
        **extra,
    )
    return env


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def _engine_processes_in(directory: Path) -> list[int]:
    """Engine worker processes (multiprocessing spawn children) running in ``directory``:
    they inherit the server's working directory."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # exited meanwhile, or not ours to read
        if cwd == str(directory) and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


async def _serve(tmp_path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "programgen",
        "serve",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C sees it
    )


def _error_lines(stderr: str) -> list[str]:
    """What the server printed that is not a log record (those start with a date)."""
    return [line for line in stderr.splitlines() if line and not line[:4].isdigit()]


async def test_a_taken_port_is_a_one_line_error_and_leaves_no_engine_process(
    tmp_path: Path, taken_port: int
) -> None:
    address = f"127.0.0.1:{taken_port}"
    proc = await _serve(tmp_path, _env(tmp_path, PROGRAMGEN_ADDRESS=address))
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    stderr = err.decode()
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert _error_lines(stderr) == [
        f"programgen: cannot listen on {address}: address already in use"
    ]
    assert _engine_processes_in(tmp_path) == []


async def test_ctrl_c_drains_quietly(tmp_path: Path) -> None:
    port = free_port()
    proc = await _serve(tmp_path, _env(tmp_path, PROGRAMGEN_ADDRESS=f"127.0.0.1:{port}"))
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            await asyncio.wait_for(channel.channel_ready(), 60)
        # Ctrl-C in a terminal signals the whole process group, engine processes included.
        os.killpg(proc.pid, signal.SIGINT)
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    stderr = err.decode()
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert "shutting down" in stderr
    assert _engine_processes_in(tmp_path) == []


async def test_a_taken_metrics_port_names_the_address(tmp_path: Path, taken_port: int) -> None:
    address = f"127.0.0.1:{taken_port}"
    with pytest.raises(ConfigError, match=f"cannot serve metrics on {address}"):
        await start(settings(tmp_path, metrics_address=address))


async def test_a_missing_tls_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    with pytest.raises(ConfigError, match=f"cannot read TLS file {missing}"):
        await start(settings(tmp_path, tls_cert=str(missing), tls_key=str(missing)))
