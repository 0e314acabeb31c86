"""The floor of fan-out on this stack: a trivial grpc.aio server whose streams (on the
same method path as WatchGeneration, so the same client code reads them) each send one
small opening message, then wait for one shared trigger and write the same
pre-serialised bytes. No store, no broker, no auth, no interceptor: what is left is
grpc.aio itself and the event loop, the cost any WatchGeneration fan-out pays."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from typing import Any

import grpc

# Request: a serialised WatchGenerationResponse to send to every stream; an empty one
# answers the server's process id instead.
FIRE = "/bench.Floor/Fire"


async def serve(port: int, ready: Any, stop: Any) -> dict[str, Any]:
    """Run as a LoadProcess (its ``loop`` picks the event loop) until ``stop`` is set."""
    from programgen.v1 import generation_service_pb2 as pb

    fired = asyncio.Event()
    payload = [b""]
    opening = pb.WatchGenerationResponse(
        event=pb.GenerationEvent(sequence=1, status=pb.GENERATION_STATUS_PENDING)
    ).SerializeToString()

    async def watch(request: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
        yield opening
        await fired.wait()
        yield payload[0]

    async def fire(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        if not request:
            return str(os.getpid()).encode()  # the bench reads this process's CPU time
        # Stamped now, as the real event carries its commit time: the latency is the same.
        message = pb.WatchGenerationResponse.FromString(request)
        message.event.create_time.FromNanoseconds(time.time_ns())
        payload[0] = message.SerializeToString()
        fired.set()
        fired.clear()  # the waiting streams are already woken; later ones wait again
        return b""

    server = grpc.aio.server(
        options=[
            ("grpc.server.max_pending_requests", 30_000),
            ("grpc.server.max_pending_requests_hard_limit", 40_000),
        ]
    )
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                "programgen.v1.ProgramGenerationService",
                {"WatchGeneration": grpc.unary_stream_rpc_method_handler(watch)},
            ),
            grpc.method_handlers_generic_handler(
                "bench.Floor", {"Fire": grpc.unary_unary_rpc_method_handler(fire)}
            ),
        )
    )
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    ready.set()
    await asyncio.to_thread(stop.wait)
    await server.stop(0)
    return {"loop": type(asyncio.get_running_loop()).__module__}
