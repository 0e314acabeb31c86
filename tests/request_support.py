"""Raw calls for the request-validation tests: the generated stubs and a generic channel,
so a test sees exactly the status, details and trailers the server sends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from programgen.server.app import Running
from programgen.v1 import generation_service_pb2_grpc as pb_grpc
from tests.harness import running_server
from tests.postgres import fresh_database

# gRPC's default limit on received metadata (GRPC_ARG_MAX_METADATA_SIZE), in bytes.
CLIENT_METADATA_LIMIT = 8 * 1024
SERVICE = "/programgen.v1.ProgramGenerationService/"


@dataclass
class Answer:
    code: grpc.StatusCode
    message: str
    reason: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    violations: list[tuple[str, str]] = field(default_factory=list)
    trailer_bytes: int = 0


def answer_of_sync(error: grpc.RpcError) -> Answer:
    """The Answer of a synchronous call's error (a grpc.Call as well)."""
    return answer_of(error)  # type: ignore[arg-type]


def answer_of(error: grpc.aio.AioRpcError) -> Answer:
    trailers = error.trailing_metadata() or ()
    out = Answer(error.code(), error.details() or "")
    # What the client's limit counts: every key and value (-bin values go out in base64).
    out.trailer_bytes = sum(len(k) + len(v) * 4 // 3 + 32 for k, v in trailers) + len(
        out.message.encode()
    )
    for key, value in trailers:
        if key != "grpc-status-details-bin":
            continue
        for detail in status_pb2.Status.FromString(value).details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                out.reason, out.metadata = info.reason, dict(info.metadata)
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                out.violations = [(v.field, v.description) for v in bad.field_violations]
    return out


async def call(method: Callable[..., Any], request: Any) -> Answer | Any:
    """The response of a unary call, or the Answer of its error."""
    try:
        return await method(request)
    except grpc.aio.AioRpcError as error:
        return answer_of(error)


async def watch(stub: pb_grpc.ProgramGenerationServiceStub, request: Any) -> Answer | list[Any]:
    try:
        return [item async for item in stub.WatchGeneration(request, timeout=10)]
    except grpc.aio.AioRpcError as error:
        return answer_of(error)


def refused(answer: Any, code: grpc.StatusCode, field_name: str | None = None) -> Answer:
    assert isinstance(answer, Answer), f"expected {code.name}, got a response: {answer}"
    assert answer.code == code, answer
    if field_name is not None:
        assert field_name in [f for f, _ in answer.violations], answer
    return answer


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> str:
    """The PostgreSQL server's URL, or "sqlite": a store-touching test runs on both."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return "sqlite"


async def database_overrides(store: str) -> dict[str, Any]:
    """Settings for a fresh database on ``store`` (SQLite: the harness's own file)."""
    if store == "sqlite":
        return {}
    return {"database_url": await fresh_database(store)}


@asynccontextmanager
async def raw_server(
    tmp_path: Path, store: str, **overrides: Any
) -> AsyncIterator[tuple[Running, pb_grpc.ProgramGenerationServiceStub, grpc.aio.Channel]]:
    overrides.update(await database_overrides(store))
    async with running_server(tmp_path, **overrides) as server:
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
        try:
            yield server, pb_grpc.ProgramGenerationServiceStub(channel), channel
        finally:
            await channel.close()
