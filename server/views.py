"""Store records -> protobuf messages."""

from __future__ import annotations

import json
from typing import cast

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel

from programgen.server.mapping import enum_from_domain, enum_to_domain, fill_message
from programgen.server.records import EventRecord, GenerationRecord, GenerationStatus
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import profile_pb2

_STATUS = pb.GenerationStatus.DESCRIPTOR
_STAGE = pb.Stage.DESCRIPTOR
_GOAL = profile_pb2.Goal.DESCRIPTOR


class _GoalOnly(BaseModel):
    """The one profile field every response carries: validating only it skips building
    the rest of the profile, so a list page stays cheap."""

    goal: str | None = None


def status_number(status: str) -> pb.GenerationStatus.ValueType:
    return cast("pb.GenerationStatus.ValueType", enum_from_domain(_STATUS, status))


def stage_number(stage: str) -> pb.Stage.ValueType:
    return cast("pb.Stage.ValueType", enum_from_domain(_STAGE, stage or None))


def status_name(number: int) -> str | None:
    return enum_to_domain(_STATUS, number)


def _timestamp(seconds: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


def generation_message(record: GenerationRecord, *, full: bool = True) -> pb.Generation:
    """The generation as the API shows it; ``full`` adds the profile and the program."""
    # A full message parses the stored profile anyway; a list page reads only its goal.
    profile = json.loads(record.profile) if full else None
    goal = profile.get("goal") if profile else _GoalOnly.model_validate_json(record.profile).goal
    message = pb.Generation(
        id=record.id,
        request_id=record.request_id or "",
        status=status_number(record.status),
        attempt=record.attempt,
        stage=stage_number(record.stage),
        percent=record.percent,
        last_sequence=record.last_sequence,
        create_time=_timestamp(record.created_at),
        update_time=_timestamp(record.updated_at),
        goal=cast("profile_pb2.Goal.ValueType", enum_from_domain(_GOAL, goal)),
        program_name=record.program_name or "",
    )
    if record.status == GenerationStatus.FAILED:
        message.error.reason = record.error_reason
        message.error.message = record.error_message
    if profile is not None:
        fill_message(message.profile, profile)
        if record.program is not None and record.status == GenerationStatus.COMPLETED:
            fill_message(message.program, json.loads(record.program))
    return message


def event_message(event: EventRecord, record: GenerationRecord | None) -> pb.GenerationEvent:
    """An event; the terminal one carries the program or the error from ``record``."""
    message = pb.GenerationEvent(
        generation_id=event.generation_id,
        sequence=event.sequence,
        status=status_number(event.status),
        stage=stage_number(event.stage),
        percent=event.percent,
        message=event.message,
        create_time=_timestamp(event.created_at),
        attempt=event.attempt,
    )
    if record is not None and event.sequence == record.last_sequence:
        if event.status == GenerationStatus.COMPLETED and record.program is not None:
            fill_message(message.program, json.loads(record.program))
        elif event.status == GenerationStatus.FAILED:
            message.error.reason = record.error_reason
            message.error.message = record.error_message
    return message


def heartbeat_message(status: str, last_sequence: int, now: float) -> pb.WatchGenerationResponse:
    return pb.WatchGenerationResponse(
        heartbeat=pb.Heartbeat(
            status=status_number(status), last_sequence=last_sequence, time=_timestamp(now)
        )
    )
