"""The server under test as a child process (``programgen.testing.ServerProcess`` with a
temporary database, a metrics port and no per-caller limit in reach), what the benchmarks
read from it (CPU time, memory, metrics), and py-spy profiles of it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from bench.stats import RESULTS, BenchError, check
from programgen.testing import ServerError, ServerProcess, free_port

HUGE = str(10**9)  # a per-caller limit no benchmark reaches: one anonymous caller does it all


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (its threads, not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError(f"no VmRSS for pid {pid}")


class Server(ServerProcess):
    """``programgen serve`` with its own temporary database, a metrics port, and a
    per-caller limit no benchmark reaches; its files are kept when the block fails."""

    def __init__(self, name: str, module: str | None = None, **env: str) -> None:
        self.name = name
        self.dir = Path(tempfile.mkdtemp(prefix=f"programgen-bench-{name}-"))
        self.metrics_port = free_port()
        super().__init__(
            self.dir,
            {
                "PROGRAMGEN_METRICS_ADDRESS": f"127.0.0.1:{self.metrics_port}",
                "PROGRAMGEN_PER_CALLER_LIMIT": HUGE,
                "PROGRAMGEN_MAX_WATCHERS_PER_CALLER": "1000000",  # its upper bound
                "PROGRAMGEN_SHUTDOWN_GRACE_S": "1",
                **env,
            },
            module=module,
        )

    @property
    def db_path(self) -> Path:
        return self.dir / "programgen.db"

    def __enter__(self) -> Server:
        self.start()
        try:
            self.wait_serving(30.0)
        except ServerError as exc:
            self.kill()
            raise BenchError(str(exc)) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if exc[0] is None:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print(f"[{self.name}] server files kept in {self.dir}", file=sys.stderr)

    def rss_kib(self) -> int:
        return rss_kib(self.pid)

    def metrics(self) -> dict[str, float]:
        return scrape(self.metrics_port)

    def check_log(self) -> None:
        """A traceback in the server log means something broke, whatever the numbers say."""
        text = self.log.read_text(errors="replace")
        check("Traceback" not in text, f"[{self.name}] server logged a traceback:\n{text[-3000:]}")


def scrape(port: int) -> dict[str, float]:
    """Prometheus text -> {'name{labels}': value}."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        text = reply.read().decode()
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


@contextlib.contextmanager
def profiled(pid: int, name: str, enabled: bool) -> Iterator[None]:
    """py-spy samples the server while the block runs; a summary lands in bench/results."""
    if not enabled:
        yield
        return
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    raw = RESULTS / f"profile_{name}.collapsed.tmp"
    proc = subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "250",
            "--gil",
            "-o",
            str(raw),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        if raw.exists():
            (RESULTS / f"profile_{name}.txt").write_text(summarize_collapsed(raw.read_text()))
            raw.unlink()
        else:
            print(f"py-spy failed: {err.decode(errors='replace')}", file=sys.stderr)


class Sampler:
    """py-spy on one process during chosen windows only (``async with sampler.window()``),
    every window summarised together in ``bench/results/profile_<name>.txt`` at ``write``:
    the transitions of a benchmark, not the set-up around them."""

    def __init__(self, pid: int, name: str, enabled: bool, rate: int = 1000) -> None:
        self.pid, self.name, self.enabled, self.rate = pid, name, enabled, rate
        self._collapsed: list[str] = []

    @contextlib.asynccontextmanager
    async def window(self) -> AsyncIterator[None]:
        if not self.enabled:
            yield
            return
        import asyncio

        py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        raw = RESULTS / f"profile_{self.name}.{len(self._collapsed)}.tmp"
        command = ["record", "--pid", str(self.pid), "--format", "raw"]
        command += ["--rate", str(self.rate), "--gil", "-o", str(raw)]
        proc = await asyncio.create_subprocess_exec(
            py_spy, *command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        await asyncio.sleep(0.5)  # py-spy attaches before the window's work begins
        try:
            yield
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = await asyncio.wait_for(proc.communicate(), 60)
            if raw.exists():
                self._collapsed.append(raw.read_text())
                raw.unlink()
            else:
                print(f"py-spy failed: {err.decode(errors='replace')}", file=sys.stderr)

    def write(self) -> None:
        if self._collapsed:
            text = summarize_collapsed("\n".join(self._collapsed))
            (RESULTS / f"profile_{self.name}.txt").write_text(text)


def summarize_collapsed(text: str, top: int = 40) -> str:
    """Self and inclusive sample shares per function from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
        own[frames[-1]] = own.get(frames[-1], 0) + count
    out = [f"py-spy samples (all threads): {total}", "", "self %  function"]
    for frame, count in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        out.append(f"{100 * count / total:6.1f}  {frame}")
    out += ["", "incl %  function"]
    for frame, count in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        out.append(f"{100 * count / total:6.1f}  {frame}")
    return "\n".join(out) + "\n"
