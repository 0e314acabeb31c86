"""The ``programgen`` CLI as a user runs it: a subprocess against a real loopback server."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from programgen.pipeline.domain import ProgramInvalid, Violation
from programgen.testing import free_port
from tests.harness import EXAMPLES, ROOT, Gate, example, running_server

BEGINNER = str(EXAMPLES / "beginner_full_gym.json")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def _env() -> dict[str, str]:
    path = os.pathsep.join([str(ROOT), str(ROOT / "protos"), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path.rstrip(os.pathsep), "COLUMNS": "200"}
    for name in ("PROGRAMGEN_TARGET", "PROGRAMGEN_API_KEY", "PROGRAMGEN_DATABASE_URL"):
        env.pop(name, None)
    return env


async def run(
    *args: str, port: int | None = None, limit_s: float = 60, columns: int = 200
) -> Result:
    """Run ``python -m client.cli`` without blocking the server's event loop."""
    target = ["--target", f"127.0.0.1:{port}"] if port is not None else []
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "programgen.client.cli",
        *target,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**_env(), "COLUMNS": str(columns)},
        cwd=ROOT,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), limit_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())


async def test_generate_get_list_watch(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        port = server.port

        done = await run("generate", BEGINNER, "--json", "--request-id", "cli-1", port=port)
        assert done.code == 0, done.err
        generation = done.json()
        assert generation["status"] == "GENERATION_STATUS_COMPLETED"
        assert generation["requestId"] == "cli-1"
        weeks = generation["program"]["weeks"]
        assert weeks and weeks[0]["days"][0]["exercises"]
        exercise = weeks[0]["days"][0]["exercises"][0]["name"]
        gid = generation["id"]

        shown = await run("generate", BEGINNER, port=port)
        assert shown.code == 0, shown.err
        assert "Week 1" in shown.out
        assert f"Week {len(weeks)}" in shown.out
        assert exercise in shown.out
        assert "Weekly hard sets per muscle" in shown.out
        assert "Adjust to the day's readiness" in shown.out

        listed = await run("list", port=port)
        assert listed.code == 0, listed.err
        header, *rows = listed.out.splitlines()
        assert header.split() == ["ID", "CREATED", "(UTC)", "STATUS", "GOAL", "PROGRAM"]
        row = next(r for r in rows if gid in r)
        assert "completed" in row and "hypertrophy" in row
        assert generation["program"]["name"] in row
        narrow = await run("list", port=port, columns=80)
        assert narrow.code == 0, narrow.err
        assert max(len(line) for line in narrow.out.splitlines()) <= 80
        assert gid not in narrow.out and "--json shows them whole" in narrow.err
        row = next(r for r in narrow.out.splitlines() if r.startswith(gid[:8]))
        assert "completed" in row and "hypertrophy" in row
        assert generation["program"]["name"].split()[0] in row
        completed = await run("list", "--status", "completed", "--json", port=port)
        listed_json = [json.loads(line) for line in completed.out.splitlines()]
        assert [g["status"] for g in listed_json] == ["GENERATION_STATUS_COMPLETED"] * 2
        assert {g["goal"] for g in listed_json} == {"GOAL_HYPERTROPHY"}
        assert {g["programName"] for g in listed_json} == {generation["program"]["name"]}
        assert gid in {g["id"] for g in listed_json}
        assert not any("program" in g or "profile" in g for g in listed_json)
        assert (await run("list", "--status", "failed", port=port)).out == ""
        paged = await run("list", "--page-size", "1", "--all", "--json", port=port)
        assert paged.code == 0 and len(paged.out.splitlines()) == 2
        first_page = await run("list", "--page-size", "1", port=port)
        assert "--all" in first_page.err

        got = await run("get", gid, port=port)
        assert got.code == 0, got.err
        assert gid in got.out and "Week 1" in got.out and exercise in got.out
        got_json = await run("get", gid, "--json", port=port)
        assert got_json.json()["program"]["weeks"] == weeks

        watched = await run("watch", gid, port=port)
        assert watched.code == 0, watched.err
        lines = watched.out.splitlines()
        assert lines[0].split()[:2] == ["1", "pending"]
        assert "completed" in lines[-1]
        events = [
            json.loads(line)
            for line in (await run("watch", gid, "--json", port=port)).out.splitlines()
        ]
        assert [e["sequence"] for e in events] == [str(n) for n in range(1, len(events) + 1)]
        assert events[-1]["status"] == "GENERATION_STATUS_COMPLETED"
        assert events[-1]["program"]["weeks"] == weeks
        after = await run("watch", gid, "--after", str(len(events)), port=port)
        assert (after.code, after.out) == (0, "")

        cancelled = await run("cancel", gid, port=port)
        assert cancelled.code == 1
        assert "error: FAILED_PRECONDITION GENERATION_FINISHED" in cancelled.err
        retried = await run("retry", gid, port=port)
        assert retried.code == 1 and "GENERATION_NOT_RETRYABLE" in retried.err
        missing = await run("get", str(uuid.uuid4()), port=port)
        assert missing.code == 1 and "NOT_FOUND" in missing.err


async def test_cancel_retry_and_failure(tmp_path: Path) -> None:
    gate = Gate()
    async with running_server(tmp_path, generate_fn=gate) as server:
        port = server.port
        started = await run("generate", BEGINNER, "--no-wait", port=port)
        assert started.code == 0, started.err
        gid = started.out.strip()
        await asyncio.wait_for(gate.entered.get(), 10)

        # A waiting `generate` ends with exit 1 when its generation is cancelled.
        waiting = asyncio.create_task(run("generate", BEGINNER, port=port))
        await asyncio.wait_for(gate.entered.get(), 30)
        listed = (await run("list", "--status", "processing", "--json", port=port)).out
        other = next(json.loads(line)["id"] for line in listed.splitlines() if gid not in line)
        assert (await run("cancel", other, port=port)).code == 0
        waited = await waiting
        assert waited.code == 1 and "cancelled" in waited.err and waited.out == ""

        cancelled = await run("cancel", gid, port=port)
        assert cancelled.code == 0, cancelled.err
        assert "cancelled" in cancelled.out
        assert (await run("cancel", gid, port=port)).code == 0  # a no-op
        watched = await run("watch", gid, port=port)
        assert watched.code == 1 and "cancelled" in watched.out.splitlines()[-1]

        retried = await run("retry", gid, port=port)
        assert retried.code == 0, retried.err
        assert "pending" in retried.out
        gate.fail_with = ProgramInvalid([Violation(field="weeks", description="broken on purpose")])
        gate.release()
        failed = await run("watch", gid, port=port)
        assert failed.code == 1
        assert "PROGRAM_INVALID" in failed.out.splitlines()[-1]
        assert "failed: PROGRAM_INVALID" in failed.err
        failed_again = await run("generate", BEGINNER, "--json", port=port)
        assert failed_again.code == 1 and "PROGRAM_INVALID" in failed_again.err
        assert failed_again.json()["status"] == "GENERATION_STATUS_FAILED"

        gate.fail_with = None
        assert (await run("retry", gid, port=port)).code == 0
        assert (await run("watch", gid, port=port)).code == 0


async def test_invalid_profile_is_rejected_with_field_paths(tmp_path: Path) -> None:
    profile = {**example(), "daysPerWeek": 9, "sessionMinutes": 5}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(profile))
    async with running_server(tmp_path) as server:
        result = await run("generate", str(path), port=server.port)
    assert result.code == 2
    assert "error: INVALID_ARGUMENT" in result.err
    assert "profile.days_per_week" in result.err
    assert "profile.session_minutes" in result.err


async def test_unusable_profile_files_are_usage_errors(tmp_path: Path) -> None:
    not_json = tmp_path / "not.json"
    not_json.write_text("{ nope")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"daysPerWeek": "three", "colour": "blue"}))
    array = tmp_path / "array.json"
    array.write_text("[]")
    missing = tmp_path / "missing.json"
    # No server: these fail before any connection is made.
    for path, words in [
        (missing, "cannot read"),
        (not_json, "not valid JSON"),
        (wrong, "profile.days_per_week: invalid literal"),
        (array, "JSON object"),
    ]:
        result = await run("generate", str(path), port=1)
        assert result.code == 2, (path, result.err)
        assert words in result.err and "Traceback" not in result.err


async def test_unreachable_server_is_an_error_not_a_hang(tmp_path: Path) -> None:
    for args in (["list"], ["watch", "some-id"], ["generate", BEGINNER]):
        result = await run(*args, "--timeout", "5", port=1, limit_s=30)
        assert result.code == 1
        assert result.err.startswith("error: UNAVAILABLE"), result.err


async def test_keys_and_db_upgrade(tmp_path: Path) -> None:
    url = ["--database-url", f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"]
    upgraded = await run("db", "upgrade", *url)
    assert upgraded.code == 0, upgraded.err

    created = await run("keys", "create", "alice", "--tier", "priority", *url)
    assert created.code == 0, created.err
    key = created.out.strip()
    assert key and len(created.out.splitlines()) == 1
    key_id = created.err.split("key id:")[1].split()[0]

    listed = await run("keys", "list", *url)
    assert listed.code == 0
    row = next(line for line in listed.out.splitlines() if "alice" in line)
    assert key_id in row and "priority" in row and row.rstrip().endswith("-")
    assert key not in listed.out

    assert (await run("keys", "revoke", key_id, *url)).code == 0
    row = next(
        line for line in (await run("keys", "list", *url)).out.splitlines() if "alice" in line
    )
    assert not row.rstrip().endswith("-")
    again = await run("keys", "revoke", key_id, *url)
    assert again.code == 1 and key_id in again.err

    bad_tier = await run("keys", "create", "bob", "--tier", "gold", *url)
    assert bad_tier.code == 2 and "invalid choice" in bad_tier.err


async def test_api_key_is_sent(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'programgen.db'}"  # the harness's database
    created = await run("keys", "create", "carol", "--database-url", url)
    assert created.code == 0, created.err
    async with running_server(tmp_path) as server:
        anonymous = await run("list", port=server.port)
        assert anonymous.code == 1 and "UNAUTHENTICATED" in anonymous.err
        # The connection options are accepted after the subcommand too.
        keyed = await run("list", "--api-key", created.out.strip(), port=server.port)
        assert keyed.code == 0, keyed.err


async def test_serve_with_flags(tmp_path: Path) -> None:
    port = free_port()
    database = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "programgen.client.cli",
        "serve",
        "--address",
        f"127.0.0.1:{port}",
        "--database-url",
        database,
        "--workers",
        "2",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={**_env(), "PROGRAMGEN_PROCESSES": "0", "PROGRAMGEN_SHUTDOWN_GRACE_S": "0"},
        cwd=tmp_path,
    )
    try:
        for _ in range(100):  # until it listens
            listed = await run("list", "--timeout", "2", port=port)
            if listed.code == 0:
                break
            await asyncio.sleep(0.1)
        assert listed.code == 0, listed.err
        assert (tmp_path / "serve.db").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()[-2000:]


async def test_client_runs_without_the_server_package() -> None:
    script = (
        "import sys\n"
        "sys.modules['programgen.server'] = None; sys.modules['programgen.pipeline'] = None\n"
        "from programgen.client.cli import main\n"
        "sys.exit(main(sys.argv[1:]))"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        "--target",
        "127.0.0.1:1",
        "keys",
        "list",
        stderr=asyncio.subprocess.PIPE,
        env=_env(),
        cwd=ROOT,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert "needs the programgen server" in err.decode() and "Traceback" not in err.decode()
