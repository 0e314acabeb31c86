"""``programgen serve`` as a child process on a loopback port, for tests that need a real
server: crash and signal tests, benchmarks, and a user's own integration tests.

The child gets a clean configuration: ``PROGRAMGEN_*`` and ``OPENAI_*`` variables of the
calling environment are dropped (a developer's shell must not change what a test sees),
then the given ``env`` applies, with the address set and, unless given, a SQLite database
in the working directory. It imports the same ``programgen`` as the caller.
"""

from __future__ import annotations

import asyncio
import os
import signal
import site
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

import programgen

_CONFIG_PREFIXES = ("PROGRAMGEN_", "OPENAI_")


class ServerError(Exception):
    """The server process exited or did not become ready; the message ends with its log."""


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A loopback port nothing listens on now (the OS's choice), never one this process
    handed out before: two ports picked before either is bound could otherwise be the
    same, and the second server would find its port taken."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


class ServerProcess:
    """One ``programgen serve`` child. ``with ServerProcess(dir) as server:`` starts it and
    waits until it serves (gRPC health SERVING); leaving the block stops it (SIGTERM, then
    SIGKILL after ``stop_timeout_s``). ``start``/``signal``/``wait``/``kill`` drive it by
    hand, e.g. to crash and restart it on the same port and database."""

    def __init__(
        self,
        workdir: Path,
        env: Mapping[str, str] | None = None,
        port: int | None = None,
        *,
        stop_timeout_s: float = 15.0,
        memoised_engine: bool = False,
        module: str | None = None,
    ) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.env = dict(env or {})
        self.stop_timeout_s = stop_timeout_s
        # ``programgen.testing.memo_serve`` (or another ``module``) instead of
        # ``programgen serve``: benchmarks of the service around the engine.
        if memoised_engine:
            module = "programgen.testing.memo_serve"
        self.command = [module] if module else ["programgen", "serve"]
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / "server.log"

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise ServerError("the server was not started")
        return self.proc.pid

    def child_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_CONFIG_PREFIXES)}
        env["PROGRAMGEN_DATABASE_URL"] = f"sqlite+aiosqlite:///{self.workdir / 'programgen.db'}"
        env.update(self.env)
        env["PROGRAMGEN_ADDRESS"] = self.target
        # The folder that holds the caller's programgen package first on the path, so the
        # child runs the same code (e.g. a checkout); an installed package is found anyway,
        # and site-packages ahead of the standard library could shadow it.
        home = Path(next(iter(programgen.__path__))).resolve().parent
        sites = [*site.getsitepackages(), site.USER_SITE]
        installed = {Path(p).resolve() for p in sites if p}
        if home not in installed:
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(home), env.get("PYTHONPATH")) if p)
        return env

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", *self.command],
                cwd=self.workdir,
                env=self.child_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_serving(self, timeout_s: float = 60.0) -> None:
        """Block until the server reports SERVING; ServerError if it exits or times out."""
        deadline = time.monotonic() + timeout_s
        with grpc.insecure_channel(self.target) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while (left := deadline - time.monotonic()) > 0:
                self._raise_if_exited()
                try:
                    # Watch answers at once with the current status, then on each change;
                    # wait_for_ready rides out the time before the port is bound. The
                    # one-second slices only let an exited process be noticed.
                    for reply in stub.Watch(
                        health_pb2.HealthCheckRequest(), timeout=min(1.0, left), wait_for_ready=True
                    ):
                        if reply.status == health_pb2.HealthCheckResponse.SERVING:
                            return
                except grpc.RpcError as exc:
                    if exc.code() not in (
                        grpc.StatusCode.DEADLINE_EXCEEDED,
                        grpc.StatusCode.UNAVAILABLE,
                    ):
                        raise
        raise ServerError(f"server not serving after {timeout_s:g} s:\n{self.log_tail()}")

    async def serving(self, timeout_s: float = 60.0) -> None:
        """``wait_serving`` without blocking the event loop."""
        await asyncio.to_thread(self.wait_serving, timeout_s)

    def _raise_if_exited(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise ServerError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")

    def signal(self, sig: signal.Signals) -> None:
        if self.proc is None:
            raise ServerError("the server was not started")
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        if self.proc is None:
            raise ServerError("the server was not started")
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        """SIGTERM (the server drains), then SIGKILL if it has not exited in time."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> ServerProcess:
        self.start()
        try:
            self.wait_serving()
        except BaseException:
            self.kill()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
