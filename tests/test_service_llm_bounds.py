"""A slow model cannot hold a generation: a real server process, configured through its
environment, refining through a fake endpoint that trickles its answer."""

from __future__ import annotations

import time
from pathlib import Path

from programgen.client import AsyncClient
from programgen.testing import FakeOpenAI, ServerProcess
from programgen.testing import fake_openai as fo
from tests.harness import example


async def test_a_trickling_model_is_cut_off_and_the_engines_program_completes(
    tmp_path: Path,
) -> None:
    # One byte every 100 ms: each read is quick, the whole answer would take over a minute.
    with FakeOpenAI(default=fo.trickle(0.1)) as fake:
        env = {
            **fake.env(),
            "PROGRAMGEN_LLM_TIMEOUT_S": "1",
            "PROGRAMGEN_LLM_MAX_ATTEMPTS": "1",
            "PROGRAMGEN_PROCESSES": "0",
        }
        process = ServerProcess(tmp_path, env)
        process.start()
        try:
            await process.serving()
            async with AsyncClient(process.target) as client:
                began = time.monotonic()
                generation = await client.start(example())
                program = await client.wait(generation.id)
                elapsed = time.monotonic() - began
        finally:
            process.stop()

    assert not program.provenance.llm_refined
    assert program.provenance.llm_fallback_reason == "timeout after 1 attempt: request timed out"
    assert elapsed < 5.0, f"the generation took {elapsed:.1f} s"
    assert len(fake.chat_requests) == 1
