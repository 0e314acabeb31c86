"""Every malformed request answers INVALID_ARGUMENT on its field, on SQLite and
PostgreSQL alike (docs/contract.md, "Validation"); page tokens are opaque and validated."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import grpc
import pytest
from google.protobuf import json_format

from programgen.client import AsyncClient
from programgen.client.errors import InvalidArgument
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import profile_pb2
from tests.harness import example
from tests.request_support import Answer, raw_server, refused, store, watch
from tests.request_support import call as rpc

__all__ = ["store"]  # the fixture
INVALID = grpc.StatusCode.INVALID_ARGUMENT


def profile_message(**changes: object) -> profile_pb2.Profile:
    base = json_format.ParseDict(example(), profile_pb2.Profile())
    fields = json_format.MessageToDict(base, preserving_proto_field_name=True)
    return json_format.ParseDict({**fields, **changes}, profile_pb2.Profile())


def legacy_token(payload: object) -> str:
    raw = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_page_tokens_not_issued_by_the_server_are_invalid_argument(
    tmp_path: Path, store: str
) -> None:
    async with raw_server(tmp_path, store) as (_server, stub, _channel):
        for n in range(3):
            start = pb.StartGenerationRequest(profile=profile_message(), request_id=f"r{n}")
            await stub.StartGeneration(start)
        first = await stub.ListGenerations(pb.ListGenerationsRequest(page_size=1))
        token = first.next_page_token
        # The binary layout, not the legacy JSON (a UUID's random bytes may hold a "{"):
        # version 1, the status filter 0, then the page's last generation id.
        raw = base64.urlsafe_b64decode(token + "==")
        assert raw[:2] == b"\x01\x00" and raw[2:] == uuid.UUID(first.generations[0].id).bytes
        second = await stub.ListGenerations(
            pb.ListGenerationsRequest(page_size=1, page_token=token)
        )
        assert second.generations[0].id != first.generations[0].id

        layout = base64.urlsafe_b64decode(token + "==")
        forged = [
            legacy_token(b'{"b": 1e999, "s": 0}'),
            legacy_token({"b": 2**63, "s": 0}),
            legacy_token({"b": 2**31, "s": 0}),
            legacy_token({"b": -1, "s": 0}),
            "garbage!",
            "A" * 24,
            "\x00" * 24,
            token + "A",
            token[:-1],
            # The right layout naming a generation that does not exist.
            base64.urlsafe_b64encode(layout[:2] + uuid.uuid4().bytes).decode().rstrip("="),
            # The right layout with an unknown format version.
            base64.urlsafe_b64encode(b"\x09" + layout[1:]).decode().rstrip("="),
        ]
        for bad in forged:
            answer = await rpc(stub.ListGenerations, pb.ListGenerationsRequest(page_token=bad))
            refused(answer, INVALID, "page_token")
        other_filter = pb.ListGenerationsRequest(
            page_token=token, status=pb.GENERATION_STATUS_FAILED
        )
        refused(await rpc(stub.ListGenerations, other_filter), INVALID, "page_token")


async def test_after_sequence_is_bounded_by_the_stores_integer_columns(
    tmp_path: Path, store: str
) -> None:
    async with raw_server(tmp_path, store) as (_server, stub, _channel):
        started = await stub.StartGeneration(pb.StartGenerationRequest(profile=profile_message()))
        generation_id = started.generation.id
        for bad in (-1, -(2**63)):
            answer = await watch(
                stub, pb.WatchGenerationRequest(id=generation_id, after_sequence=bad)
            )
            refused(answer, INVALID, "after_sequence")
        # Past any column type (int32 on PostgreSQL): ahead of the stream, never a store
        # error (the OUT_OF_RANGE answer itself: tests/test_watch_limits.py).
        for ahead in (2**31, 2**63 - 1):
            request = pb.WatchGenerationRequest(id=generation_id, after_sequence=ahead)
            refused(await watch(stub, request), grpc.StatusCode.OUT_OF_RANGE)


async def test_every_string_field_refuses_control_characters_and_overlength(
    tmp_path: Path, store: str
) -> None:
    async with raw_server(tmp_path, store) as (_server, stub, _channel):
        for request_id in ("a\x00b", "line\nbreak", "esc\x1b[0m", "x" * 129, "\x7f", "\x85"):
            start = pb.StartGenerationRequest(profile=profile_message(), request_id=request_id)
            refused(await rpc(stub.StartGeneration, start), INVALID, "request_id")
        start = pb.StartGenerationRequest(profile=profile_message(injury_note="knee\x00pain"))
        refused(await rpc(stub.StartGeneration, start), INVALID, "profile.injury_note")
        # Free text keeps its line breaks; a long note is the profile rule's to refuse.
        note = pb.StartGenerationRequest(profile=profile_message(injury_note="sore knee\n\tleft"))
        assert (await stub.StartGeneration(note)).generation.id
        real = str(uuid.uuid4())
        for bad_id in (
            "a\x00b",
            real.upper(),
            f"urn:uuid:{real}",
            "{" + real + "}",
            real.replace("-", ""),
            "x" * 10_000,
            "",
        ):
            for method, message in (
                (stub.GetGeneration, pb.GetGenerationRequest(id=bad_id)),
                (stub.CancelGeneration, pb.CancelGenerationRequest(id=bad_id)),
                (stub.RetryGeneration, pb.RetryGenerationRequest(id=bad_id)),
            ):
                refused(await rpc(method, message), INVALID, "id")
            refused(await watch(stub, pb.WatchGenerationRequest(id=bad_id)), INVALID, "id")


async def test_numeric_fields_of_list_are_checked(tmp_path: Path) -> None:
    async with raw_server(tmp_path, "sqlite") as (_server, stub, _channel):
        for request, field_name in (
            (pb.ListGenerationsRequest(page_size=-1), "page_size"),
            (pb.ListGenerationsRequest(page_size=-(2**31)), "page_size"),
            (pb.ListGenerationsRequest(status=99), "status"),  # type: ignore[arg-type]
            (pb.ListGenerationsRequest(status=-5), "status"),  # type: ignore[arg-type]
        ):
            refused(await rpc(stub.ListGenerations, request), INVALID, field_name)
        huge = await stub.ListGenerations(pb.ListGenerationsRequest(page_size=2**31 - 1))
        assert huge.next_page_token == ""


async def test_a_hundred_invalid_lifts_answer_invalid_argument_to_the_real_client(
    tmp_path: Path,
) -> None:
    lifts = [{"lift": "LIFT_SQUAT", "weight": -1.0, "reps": 99} for _ in range(100)]
    async with raw_server(tmp_path, "sqlite") as (server, stub, _channel):
        async with AsyncClient(f"127.0.0.1:{server.port}") as client:
            with pytest.raises(InvalidArgument) as error:
                await client.start({**example(), "lifts": lifts})
        fields = [v.field for v in error.value.violations]
        assert "profile.lifts" in fields
        assert len(fields) <= 10
        # Every lift past the first still gets checked up to the bound, and no further.
        raw = await rpc(
            stub.StartGeneration, pb.StartGenerationRequest(profile=profile_message(lifts=lifts))
        )
        assert isinstance(raw, Answer) and raw.trailer_bytes < 4096, raw.trailer_bytes


async def test_a_long_violation_list_is_cut_and_the_message_says_so(tmp_path: Path) -> None:
    broken = profile_message(
        days_per_week=99,
        session_minutes=1,
        age=1,
        sleep_hours=99.0,
        stress=99,
        bodyweight=-1.0,
        training_age_years=-5.0,
        program_weeks=99,
        lifts=[
            {"lift": name, "weight": -1.0, "reps": 99}
            for name in ("LIFT_SQUAT", "LIFT_DEADLIFT", "LIFT_BENCH_PRESS")
        ],
    )
    async with raw_server(tmp_path, "sqlite") as (_server, stub, _channel):
        answer = await rpc(stub.StartGeneration, pb.StartGenerationRequest(profile=broken))
        answer = refused(answer, INVALID)
        assert len(answer.violations) == 10
        assert answer.message.startswith("14 violations, the first 10 reported")
        assert answer.trailer_bytes < 4096
