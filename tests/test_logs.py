"""The server's log as an operator reads it: one JSON object per line, ISO-8601 times with
a zone, the generation id on every line of a generation (the model's warnings included),
completions logged, the HTTP client's per-request lines quiet, the metrics address."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from datetime import datetime
from pathlib import Path

from programgen.client import AsyncClient
from programgen.testing import FakeOpenAI, ServerProcess, free_port
from programgen.testing.fake_openai import server_error
from tests.harness import example


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        return str(response.read().decode())


async def test_json_log_lines_carry_the_generation_and_a_zoned_time(tmp_path: Path) -> None:
    metrics_port = free_port()
    with FakeOpenAI() as llm:
        llm.enqueue(server_error(503), server_error(503))
        env = {
            **llm.env(),
            "PROGRAMGEN_LLM_MAX_ATTEMPTS": "2",
            "PROGRAMGEN_RETRY_BACKOFF_S": "0",
            "PROGRAMGEN_LOG_FORMAT": "json",
            "PROGRAMGEN_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}",
        }
        with ServerProcess(tmp_path, env) as server:
            async with AsyncClient(server.target) as client:
                handle = await client.start(example())
                program = await handle.result()
            metrics = await asyncio.to_thread(_scrape, metrics_port)
    assert not program.provenance.llm_refined  # the engine's program stood
    records = [json.loads(line) for line in server.log.read_text().splitlines() if line]
    for record in records:
        stamp = datetime.fromisoformat(record["asctime"])
        assert stamp.utcoffset() is not None, record
    ours = [r for r in records if r.get("generation_id") == handle.id]
    assert any("completed" in r["message"] for r in ours)
    warnings = [r for r in records if r["levelname"] == "WARNING"]
    assert warnings and all(r.get("generation_id") == handle.id for r in warnings)
    assert not [r for r in records if r["name"].startswith(("httpx", "httpcore"))]
    assert any(f"127.0.0.1:{metrics_port}/metrics" in r["message"] for r in records)
    assert 'programgen_llm_refinements_total{outcome="server_error"} 1.0' in metrics
    assert 'programgen_llm_refinements_total{outcome="timeout"} 0.0' in metrics
