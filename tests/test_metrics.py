"""The Prometheus endpoint, scraped over HTTP after real generations."""

from __future__ import annotations

import asyncio
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from programgen.client.errors import GenerationFailed
from programgen.pipeline.domain import ProgramInvalid, Violation
from programgen.server.records import FAILURE_REASONS
from tests.harness import Gate, example, served


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_counters_histograms_and_gauges_move(tmp_path: Path) -> None:
    gate = Gate()
    gate.release()
    async with served(tmp_path, generate_fn=gate, metrics_address="127.0.0.1:0") as (
        server,
        client,
    ):
        assert server.metrics_port
        before = await asyncio.to_thread(scrape, server.metrics_port)
        assert before[("programgen_generations_started_total", ())] == 0
        for reason in FAILURE_REASONS:  # alertable before the first failure
            assert before[("programgen_generations_failed_total", (("reason", reason),))] == 0
        for _ in range(3):
            await client.wait((await client.start(example())).id)
        gate.fail_with = ProgramInvalid([Violation(field="weeks", description="broken")])
        failing = await client.start(example())
        with pytest.raises(GenerationFailed):
            await client.wait(failing.id)
        gate.fail_with = None
        await client.retry(failing.id)
        await client.wait(failing.id)
        gate.hold()  # the watched generation stays open while the gauge is read
        while not gate.entered.empty():
            gate.entered.get_nowait()  # the earlier generations' entries
        watcher = client.watch((await client.start(example(), request_id="w")).id)
        await anext(watcher)
        await asyncio.wait_for(gate.entered.get(), 10)
        after = await asyncio.to_thread(scrape, server.metrics_port)
        await watcher.aclose()
        gate.release()

    assert after[("programgen_generations_started_total", ())] == 5
    assert after[("programgen_generations_completed_total", ())] >= 4
    assert after[("programgen_generations_failed_total", (("reason", "PROGRAM_INVALID"),))] == 1
    assert after[("programgen_generations_retried_total", ())] == 1
    assert after[("programgen_generation_duration_seconds_count", ())] >= 5
    assert after[("programgen_queue_wait_seconds_count", ())] >= 5
    stages = {
        dict(labels)["stage"]
        for (name, labels), value in after.items()
        if name == "programgen_stage_duration_seconds_count" and value > 0
    }
    assert {"profile_analysis", "construction", "validation"} <= stages
    assert after[("programgen_watch_streams_open", ())] == 1
    # Per-RPC metrics from the server interceptor: by method and status code.
    assert after[("programgen_rpcs_total", (("code", "OK"), ("method", "StartGeneration")))] == 5
    assert after[("programgen_rpcs_total", (("code", "OK"), ("method", "RetryGeneration")))] == 1
    assert after[("programgen_rpc_duration_seconds_count", (("method", "StartGeneration"),))] == 5
