"""Fuzzing the running server: hypothesis over every request message and raw malformed
bytes on a generic channel. Whatever arrives, the answer is a deliberate status (never
UNKNOWN or INTERNAL), an INVALID_ARGUMENT names its fields, every trailer fits a default
client's metadata limit, the log stays quiet, and the server keeps serving.

Deterministic (``derandomize``) and bounded: a few hundred calls, seconds in all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programgen.testing import ServerProcess
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc
from programgen.v1 import profile_pb2
from tests.harness import example
from tests.request_support import CLIENT_METADATA_LIMIT, SERVICE, answer_of_sync

FUZZ = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NEVER = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL}
INT32 = st.integers(-(2**31), 2**31 - 1)
INT64 = st.integers(-(2**63), 2**63 - 1)
TEXT = st.text(max_size=300)
IDS = st.one_of(TEXT, st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()))
ENUM = st.integers(-3, 20)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Any]]:
    workdir: Path = tmp_path_factory.mktemp("fuzz")
    with ServerProcess(workdir, {"PROGRAMGEN_PROCESSES": "0"}) as process:
        channel = grpc.insecure_channel(process.target)
        try:
            yield process, channel
        finally:
            channel.close()


def lifts() -> st.SearchStrategy[list[profile_pb2.KnownLift]]:
    lift = st.builds(
        lambda kind, weight, reps: profile_pb2.KnownLift(lift=kind, weight=weight, reps=reps),
        ENUM,
        st.floats(allow_nan=True, allow_infinity=True),
        INT32,
    )
    return st.lists(lift, max_size=80)


def profiles() -> st.SearchStrategy[profile_pb2.Profile]:
    def build(base: bool, values: dict[str, Any], lists: dict[str, list[Any]]) -> Any:
        profile = profile_pb2.Profile()
        if base:
            json_format.ParseDict(example(), profile)
        for name, value in values.items():
            setattr(profile, name, value)
        for name, items in lists.items():
            getattr(profile, name).extend(items)
        return profile

    numbers = st.fixed_dictionaries(
        {},
        optional={
            "goal": ENUM,
            "days_per_week": INT32,
            "session_minutes": INT32,
            "age": INT32,
            "stress": INT32,
            "bodyweight": st.floats(allow_nan=True, allow_infinity=True),
            "sleep_hours": st.floats(allow_nan=True, allow_infinity=True),
            "injury_note": st.text(max_size=700),
            "program_weeks": INT32,
        },
    )
    repeated = st.fixed_dictionaries(
        {},
        optional={
            "equipment": st.lists(ENUM, max_size=40),
            "injuries": st.lists(ENUM, max_size=40),
            "priority_muscles": st.lists(ENUM, max_size=40),
            "lifts": lifts(),
        },
    )
    return st.builds(build, st.booleans(), numbers, repeated)


def requests() -> st.SearchStrategy[tuple[str, Message]]:
    return st.one_of(
        st.builds(
            lambda p, r: ("StartGeneration", pb.StartGenerationRequest(profile=p, request_id=r)),
            profiles(),
            TEXT,
        ),
        st.builds(lambda i: ("GetGeneration", pb.GetGenerationRequest(id=i)), IDS),
        st.builds(lambda i: ("CancelGeneration", pb.CancelGenerationRequest(id=i)), IDS),
        st.builds(lambda i: ("RetryGeneration", pb.RetryGenerationRequest(id=i)), IDS),
        st.builds(
            lambda i, a: ("WatchGeneration", pb.WatchGenerationRequest(id=i, after_sequence=a)),
            IDS,
            INT64,
        ),
        st.builds(
            lambda size, token, status: (
                "ListGenerations",
                pb.ListGenerationsRequest(page_size=size, page_token=token, status=status),
            ),
            INT32,
            st.one_of(TEXT, st.binary(max_size=40).map(lambda b: b.hex())),
            INT32,
        ),
    )


def check(code: grpc.StatusCode, error: grpc.RpcError | None) -> None:
    assert code not in NEVER, error
    if error is None:
        return
    answer = answer_of_sync(error)
    assert answer.trailer_bytes < CLIENT_METADATA_LIMIT // 2, answer.trailer_bytes
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        assert answer.violations, answer
        assert answer.reason == "INVALID_ARGUMENT"
    assert answer.reason, answer  # every error carries an ErrorInfo


def send(channel: Any, method: str, payload: bytes) -> None:
    streaming = method == "WatchGeneration"
    rpc = (channel.unary_stream if streaming else channel.unary_unary)(SERVICE + method)
    try:
        if streaming:
            list(rpc(payload, timeout=10))
        else:
            rpc(payload, timeout=10)
    except grpc.RpcError as error:
        check(error.code(), error)  # type: ignore[attr-defined]


@FUZZ
@given(requests())
def test_fuzzed_request_messages(
    server: tuple[ServerProcess, Any], case: tuple[str, Message]
) -> None:
    method, request = case
    send(server[1], method, request.SerializeToString())


METHODS = st.sampled_from(
    [
        "StartGeneration",
        "GetGeneration",
        "ListGenerations",
        "CancelGeneration",
        "RetryGeneration",
        "WatchGeneration",
    ]
)


@FUZZ
@given(METHODS, st.binary(max_size=200))
def test_raw_malformed_bytes(
    server: tuple[ServerProcess, Any], method: str, payload: bytes
) -> None:
    send(server[1], method, payload)


def test_the_server_still_serves_and_its_log_stays_quiet(
    server: tuple[ServerProcess, Any],
) -> None:
    process, channel = server
    for method in ("StartGeneration", "GetGeneration", "WatchGeneration"):
        send(channel, method, b"\xff\xff")  # at least some garbage, even if run alone
    stub = pb_grpc.ProgramGenerationServiceStub(channel)
    profile = json_format.ParseDict(example(), profile_pb2.Profile())
    started = stub.StartGeneration(pb.StartGenerationRequest(profile=profile), timeout=10)
    got = stub.GetGeneration(pb.GetGenerationRequest(id=started.generation.id), timeout=10)
    assert got.generation.id == started.generation.id
    log = process.log.read_text()
    assert "Traceback" not in log
    assert log.count("WARNING") <= 2, log[-3000:]
    assert len(log.splitlines()) < 40, log[-3000:]
