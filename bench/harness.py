"""What every benchmark shares: the server subprocess, load-generator processes, statistics,
the server's metrics and memory, a holdable fake LLM endpoint, and profiling."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import grpc

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PROFILE_JSON = json.loads((ROOT / "examples" / "beginner_full_gym.json").read_text())
HUGE = str(10**9)  # a per-caller limit no benchmark reaches: one anonymous caller does it all


class BenchError(Exception):
    """The service misbehaved (a lost or duplicated generation, a rejected stream...):
    the run fails, unlike a missed latency target, which is only reported."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchError(message)


# --------------------------------------------------------------------------- statistics


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil without floats
    return sorted_values[int(rank) - 1]


def summary(latencies_s: Sequence[float]) -> dict[str, float]:
    """p50 / p99 / max in milliseconds and the sample count."""
    values = sorted(latencies_s)
    return {
        "n": len(values),
        "p50_ms": percentile(values, 50) * 1000,
        "p99_ms": percentile(values, 99) * 1000,
        "max_ms": (values[-1] if values else float("nan")) * 1000,
    }


# --------------------------------------------------------------------------- results


@dataclass
class Results:
    """Rows of measurements and target verdicts, collected by every benchmark."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(self, bench: str, case: str, stats: dict[str, Any] | None = None, **extra: Any) -> None:
        self.rows.append({"bench": bench, "case": case, **(stats or {}), **extra})

    def target(self, name: str, value: float, limit: float, *, higher_is_better: bool) -> None:
        met = value >= limit if higher_is_better else value < limit
        self.targets.append(
            {
                "target": name,
                "value": round(value, 3),
                "limit": limit,
                "comparison": ">=" if higher_is_better else "<",
                "met": met,
            }
        )


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "grpcio": grpc.__version__,
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in load],
    }


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (its threads, not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError(f"no VmRSS for pid {pid}")


class Server:
    """``python -m client.cli serve`` in a subprocess with its own temporary database,
    a metrics port, and a per-caller limit no benchmark reaches."""

    def __init__(self, name: str, **env: str) -> None:
        self.name = name
        self.dir = Path(tempfile.mkdtemp(prefix=f"programgen-bench-{name}-"))
        self.port = free_port()
        self.metrics_port = free_port()
        self.env = {
            "PROGRAMGEN_ADDRESS": self.target,
            "PROGRAMGEN_DATABASE_URL": f"sqlite+aiosqlite:///{self.db_path}",
            "PROGRAMGEN_METRICS_ADDRESS": f"127.0.0.1:{self.metrics_port}",
            "PROGRAMGEN_PER_CALLER_LIMIT": HUGE,
            "PROGRAMGEN_SHUTDOWN_GRACE_S": "1",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.dir / "programgen.db"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __enter__(self) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PROGRAMGEN_", "OPENAI_"))}
        env.update(self.env)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "protos")])
        with (self.dir / "server.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "programgen.client.cli", "serve"],
                cwd=self.dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_serving(30.0)
        return self

    def _wait_serving(self, timeout_s: float) -> None:
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        deadline = time.monotonic() + timeout_s
        with grpc.insecure_channel(self.target) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    raise BenchError(f"server exited at start:\n{self.log_tail()}")
                try:
                    reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1.0)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                time.sleep(0.1)
        raise BenchError(f"server not serving after {timeout_s} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        text = (self.dir / "server.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
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
        text = (self.dir / "server.log").read_text(errors="replace")
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


# --------------------------------------------------------------------------- load processes


def _child(function: str, kwargs: dict[str, Any], results: Any) -> None:
    module, _, name = function.rpartition(".")
    fn = getattr(importlib.import_module(module), name)
    try:
        results.put(("ok", asyncio.run(fn(**kwargs))))
    except BaseException as exc:  # report it to the parent, which fails the run
        import traceback

        results.put(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


class LoadProcess:
    """Runs ``async def fn(**kwargs) -> dict`` (given as 'module.name') in a fresh process,
    so the load generator never shares the server's or the coordinator's interpreter."""

    _ctx = multiprocessing.get_context("spawn")

    def __init__(self, function: str, /, **kwargs: Any) -> None:
        self._results = self._ctx.Queue()
        self._proc = self._ctx.Process(
            target=_child, args=(function, kwargs, self._results), daemon=True
        )
        self._proc.start()

    @classmethod
    def event(cls) -> Any:
        return cls._ctx.Event()

    def result(self, timeout_s: float = 900.0) -> Any:
        try:
            status, value = self._results.get(timeout=timeout_s)
        except Exception:
            self._proc.kill()
            raise BenchError(f"load process gave no result within {timeout_s} s") from None
        self._proc.join(10)
        if status != "ok":
            raise BenchError(f"load process failed: {value}")
        return value


# --------------------------------------------------------------------------- fake LLM


class HeldLLM:
    """An OpenAI-compatible endpoint whose calls wait until ``release()``, then fail with a
    non-retryable 400 so the engine's own program stands. Pointing the server at it parks a
    worker in the LLM stage — a real server waiting on a slow model — which keeps other
    generations pending while a benchmark sets up its watchers."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.entered = threading.Event()
        held = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                held.entered.set()
                held.released.wait()
                body = json.dumps({"error": {"message": "bench: no model", "type": "bench"}})
                self.send_response(400)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def env(self) -> dict[str, str]:
        return {
            "OPENAI_API_KEY": "bench",
            "OPENAI_BASE_URL": f"http://127.0.0.1:{self._http.server_port}/v1",
            "PROGRAMGEN_LLM_TIMEOUT_S": "600",
            "PROGRAMGEN_LLM_MAX_ATTEMPTS": "1",
        }

    def release(self) -> None:
        self.released.set()

    def close(self) -> None:
        self.released.set()
        self._http.shutdown()
        self._http.server_close()


# --------------------------------------------------------------------------- profiling


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


# --------------------------------------------------------------------------- client side


def channels(target: str, count: int) -> list[grpc.aio.Channel]:
    """Separate connections (not one shared subchannel), as separate clients would have."""
    return [
        grpc.aio.insecure_channel(
            target,
            options=[
                ("grpc.use_local_subchannel_pool", 1),
                ("grpc.max_receive_message_length", 16 << 20),
            ],
        )
        for _ in range(count)
    ]


def start_request() -> Any:
    from programgen.client.aio import profile_from_json
    from programgen.v1 import generation_service_pb2 as pb

    return pb.StartGenerationRequest(profile=profile_from_json(PROFILE_JSON))


async def closed_loop(
    callers: int, until: float, call: Callable[[], Any], latencies: list[float]
) -> int:
    """``callers`` concurrent callers, each issuing the next call as soon as the last one
    answered, until the monotonic deadline; returns the calls made."""
    loop = asyncio.get_running_loop()

    async def caller() -> int:
        made = 0
        while loop.time() < until:
            t0 = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - t0)
            made += 1
        return made

    return sum(await asyncio.gather(*(caller() for _ in range(callers))))


async def start_probe(
    target: str,
    callers: int,
    seconds: float,
    pace_s: float = 0.0,
    go: Any = None,
    done: Any = None,
) -> dict[str, Any]:
    """StartGeneration latency from ``callers`` callers for ``seconds``, each waiting
    ``pace_s`` between calls (0: closed loop). With ``go``/``done`` (multiprocessing
    events) it starts when told and says when it has finished."""
    from programgen.v1 import generation_service_pb2_grpc as pb_grpc

    if go is not None:
        await asyncio.to_thread(go.wait)
    (channel,) = channels(target, 1)
    stub = pb_grpc.ProgramGenerationServiceStub(channel)
    request = start_request()
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds

    async def call() -> None:
        t0 = time.perf_counter()
        await stub.StartGeneration(request, timeout=60)
        latencies.append(time.perf_counter() - t0)  # the RPC's, not the pause after it
        if pace_s:
            await asyncio.sleep(pace_s)

    await channel.channel_ready()
    began = loop.time()
    try:
        calls = await closed_loop(callers, until, call, [])
    finally:
        if done is not None:
            done.set()
        await channel.close()
    return {"latencies": latencies, "calls": calls, "seconds": loop.time() - began}


async def until(condition: Callable[[], bool], timeout_s: float, step_s: float = 0.005) -> bool:
    """Poll ``condition`` until true or the timeout; whether it became true."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step_s)
    return True
