"""The README's Node.js (grpc-js) client, built from the committed protos alone, against a
real server: it starts a generation and sees every event up to the program."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from pathlib import Path

from tests.harness import ROOT, running_server


async def test_the_node_client_example_runs_against_a_real_server(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed (it also runs buf)"
    async with running_server(tmp_path) as server:
        proc = await asyncio.create_subprocess_exec(
            node,
            str(ROOT / "examples" / "node" / "client.js"),
            f"127.0.0.1:{server.port}",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert lines[0].startswith("started ") and uuid.UUID(lines[0].split()[1])
    events = [line.split() for line in lines[1:-1]]
    assert events[0] == ["1", "pending", "-", "0"]
    assert [int(e[0]) for e in events] == list(range(1, len(events) + 1))
    assert events[-1][1:] == ["completed", "-", "100"]
    assert "profile_analysis" in {e[2] for e in events}
    assert lines[-1].endswith("weeks") and int(lines[-1].split()[-2]) >= 4
