"""Tracing, tested against an in-memory exporter: a span per RPC, and per generation
attempt with one child per pipeline stage. Off without a provider or an OTLP endpoint."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from programgen.client import AsyncClient
from programgen.pipeline.engine import GenerateOptions
from programgen.server.app import start
from programgen.server.tracing import provider_from_env
from tests.harness import example, settings


async def test_rpc_generation_and_stage_spans(tmp_path: Path) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    running = await start(settings(tmp_path), options=GenerateOptions(), tracer_provider=provider)
    try:
        async with AsyncClient(f"127.0.0.1:{running.port}") as client:
            handle = await client.start(example())
            await handle.result()
    finally:
        await running.stop(grace_s=0)
    spans = exporter.get_finished_spans()
    names = [s.name for s in spans]
    assert "/programgen.v1.ProgramGenerationService/StartGeneration" in names
    # The stream the result was read from, traced like any other RPC.
    assert "/programgen.v1.ProgramGenerationService/WatchGeneration" in names
    (attempt,) = [s for s in spans if s.name == "generation"]
    assert attempt.attributes is not None
    assert attempt.attributes["programgen.generation_id"] == handle.id
    stages = [s for s in spans if s.name.startswith("stage ")]
    assert {s.name for s in stages} >= {"stage profile_analysis", "stage validation"}
    assert all(s.parent is not None and s.parent.span_id == attempt.context.span_id for s in stages)


def test_tracing_is_off_without_an_endpoint() -> None:
    assert provider_from_env({}) is None
    provider = provider_from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317"})
    assert provider is not None
    provider.shutdown()


async def test_a_health_watch_stream_works_with_tracing_on(tmp_path: Path) -> None:
    """Health's Watch writes with context.write too: OpenTelemetry's interceptor alone
    would iterate it with ``async for`` and fail the call."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    running = await start(settings(tmp_path), options=GenerateOptions(), tracer_provider=provider)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            call = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest())
            reply = await asyncio.wait_for(call.read(), 10)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
            call.cancel()
    finally:
        await running.stop(grace_s=0)
