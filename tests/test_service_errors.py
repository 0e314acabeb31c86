"""Unexpected errors and unparseable requests: answered without internals, logged once or
rate-limited, never a traceback per request (docs/contract.md, "Errors")."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import grpc
import pytest
from sqlalchemy.exc import DBAPIError

from programgen.v1 import generation_service_pb2 as pb
from tests.request_support import SERVICE, Answer, answer_of, raw_server, refused, watch
from tests.request_support import call as rpc

SECRET_SQL = "SELECT generations.profile FROM generations WHERE generations.id = $1"


def failing_read(*_args: Any, **_kwargs: Any) -> Any:
    raise DBAPIError(SECRET_SQL, ("bound-parameter-value",), Exception("value out of int32 range"))


def assert_generic_internal(answer: Any) -> None:
    answer = refused(answer, grpc.StatusCode.INTERNAL)
    assert answer.reason == "INTERNAL"
    assert answer.message == "internal error"
    for leaked in ("SELECT", "generations", "bound-parameter-value", "int32"):
        assert leaked not in answer.message


async def test_an_unexpected_error_answers_internal_and_logs_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with raw_server(tmp_path, "sqlite") as (server, stub, _channel):
        server.repository.get = failing_read  # type: ignore[method-assign]
        generation_id = str(uuid.uuid4())
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert_generic_internal(
                await rpc(stub.GetGeneration, pb.GetGenerationRequest(id=generation_id))
            )
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1, [r.getMessage() for r in caplog.records]
        assert generation_id in errors[0].getMessage()
        assert getattr(errors[0], "generation_id", None) == generation_id
        # A stream is covered the same way.
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert_generic_internal(await watch(stub, pb.WatchGenerationRequest(id=generation_id)))
        assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1


async def test_garbage_bytes_answer_invalid_argument_with_a_bounded_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    payloads = [b"\xff\xff", b"\x0a\xff", b"\x12\x03\xc3\x28\x00", b"\x08" + b"\xff" * 11, b"\x0f"]
    async with raw_server(tmp_path, "sqlite") as (_server, stub, channel):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            for round_ in range(40):
                for method in (
                    "StartGeneration",
                    "GetGeneration",
                    "ListGenerations",
                    "RetryGeneration",
                ):
                    call = channel.unary_unary(SERVICE + method)  # bytes in, bytes out
                    try:
                        await call(payloads[round_ % len(payloads)])
                        raise AssertionError(f"{method} accepted garbage")
                    except grpc.aio.AioRpcError as error:
                        answer = refused(answer_of(error), grpc.StatusCode.INVALID_ARGUMENT)
                        assert answer.violations and answer.reason == "INVALID_ARGUMENT"
                stream = channel.unary_stream(SERVICE + "WatchGeneration")
                try:
                    [item async for item in stream(payloads[round_ % len(payloads)])]
                    raise AssertionError("WatchGeneration accepted garbage")
                except grpc.aio.AioRpcError as error:
                    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        # 200 garbage calls: one warning at most (rate-limited), no traceback.
        noisy = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(noisy) <= 1, [r.getMessage() for r in noisy]
        assert not any(r.exc_info for r in caplog.records)
        # And the server still serves.
        assert isinstance(
            await stub.ListGenerations(pb.ListGenerationsRequest()), pb.ListGenerationsResponse
        )
        assert not isinstance(await rpc(stub.ListGenerations, pb.ListGenerationsRequest()), Answer)
