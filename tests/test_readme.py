"""The README's client example runs as written against a real server."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
from pathlib import Path

from tests.harness import ROOT, running_server


def readme_python() -> str:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1, "the README has one client example"
    return str(blocks[0])


def run(code: str) -> str:
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)  # the example opens examples/… relative to the checkout
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    return out.getvalue()


async def test_the_readme_client_example_runs(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        code = readme_python().replace("127.0.0.1:50051", f"127.0.0.1:{server.port}")
        output = await asyncio.to_thread(run, code)
    lines = output.strip().splitlines()
    assert lines[0] == "1 pending - 0"  # sequence 1, status and stage as names
    assert lines[-1].endswith("weeks")
    assert int(lines[-1].split()[-2]) >= 4
