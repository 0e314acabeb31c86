"""OpenTelemetry tracing, off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set (the standard
variable; the OTLP exporter reads the other ``OTEL_*`` settings itself).

A span per RPC comes from the OpenTelemetry gRPC instrumentation's server interceptor; a
span per generation attempt, with one child per pipeline stage, from the task pool.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import grpc
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

SERVICE_NAME = "programgen"


def provider_from_env(environ: Mapping[str, str] = os.environ) -> TracerProvider | None:
    """An OTLP-exporting provider when an endpoint is configured; None (tracing off)."""
    if not environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return None
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def rpc_interceptor(provider: TracerProvider) -> grpc.aio.ServerInterceptor:
    from opentelemetry.instrumentation.grpc import aio_server_interceptor

    interceptor: grpc.aio.ServerInterceptor = aio_server_interceptor(  # type: ignore[no-untyped-call]
        tracer_provider=provider
    )
    return _WritingStreams(interceptor)


class _WritingStreams(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """OpenTelemetry's interceptor reads every server-streaming handler with ``async
    for``; a handler that writes with ``context.write`` instead (health's Watch) is a
    coroutine, which that loop fails, so it is shown to it as a unary handler (a span
    around the awaited call) and turned back into a stream after."""

    def __init__(self, inner: grpc.aio.ServerInterceptor) -> None:
        self._inner = inner

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        writing = False

        async def shown(call: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
            nonlocal writing
            handler = await continuation(call)
            stream = None if handler is None else handler.unary_stream
            if stream is None or inspect.isasyncgenfunction(stream):
                return handler
            writing = True
            return handler._replace(response_streaming=False, unary_unary=stream, unary_stream=None)

        handler = await self._inner.intercept_service(shown, details)
        if not writing or handler is None:
            return handler
        return handler._replace(
            response_streaming=True, unary_stream=handler.unary_unary, unary_unary=None
        )


class GenerationTracer:
    """Spans for one generation attempt and its stages; does nothing when tracing is off."""

    def __init__(self, provider: TracerProvider | None) -> None:
        self._tracer = provider.get_tracer(__name__) if provider is not None else None

    def attempt(self, generation_id: str, attempt: int) -> AbstractContextManager[Any]:
        if self._tracer is None:
            return nullcontext()
        return self._tracer.start_as_current_span(
            "generation",
            attributes={"programgen.generation_id": generation_id, "programgen.attempt": attempt},
        )

    def stage(self, name: str) -> trace.Span | None:
        """Start a stage's span (a child of the current attempt); the caller ends it."""
        if self._tracer is None:
            return None
        return self._tracer.start_span(f"stage {name}", attributes={"programgen.stage": name})
