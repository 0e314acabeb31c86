"""What the client hands back: generations and events as typed values, statuses and
stages as string enums (they print as names, not as protobuf numbers).

The programs themselves stay protobuf messages (``programgen.v1.program_pb2.Program``):
they are large, fully typed by the generated stubs, and serialise to JSON with
``google.protobuf.json_format`` as they are. Each value keeps its message in ``.proto``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from google.protobuf.timestamp_pb2 import Timestamp

from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import profile_pb2, program_pb2


class GenerationStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @classmethod
    def from_proto(cls, number: int) -> GenerationStatus:
        return cls(_member(pb.GenerationStatus.DESCRIPTOR.values_by_number[number].name))

    def to_proto(self) -> pb.GenerationStatus.ValueType:
        return pb.GenerationStatus.Value(f"GENERATION_STATUS_{self.name}")

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = frozenset(
    {GenerationStatus.COMPLETED, GenerationStatus.FAILED, GenerationStatus.CANCELLED}
)


class Stage(StrEnum):
    """The pipeline stage a processing generation is in."""

    PROFILE_ANALYSIS = "profile_analysis"
    VOLUME_LANDMARKS = "volume_landmarks"
    WEAK_POINTS = "weak_points"
    PERIODIZATION = "periodization"
    CONSTRUCTION = "construction"
    AUTOREGULATION = "autoregulation"
    LLM_REFINEMENT = "llm_refinement"
    VALIDATION = "validation"

    @classmethod
    def from_proto(cls, number: int) -> Stage | None:
        if number == pb.STAGE_UNSPECIFIED:
            return None
        return cls(_member(pb.Stage.DESCRIPTOR.values_by_number[number].name))


class Goal(StrEnum):
    """The athlete's training goal, as the profile states it."""

    HYPERTROPHY = "hypertrophy"
    GENERAL_STRENGTH = "general_strength"
    POWERLIFTING_PEAK = "powerlifting_peak"
    GENERAL_FITNESS = "general_fitness"
    FAT_LOSS = "fat_loss"
    ENDURANCE = "endurance"
    ATHLETIC_POWER = "athletic_power"

    @classmethod
    def from_proto(cls, number: int) -> Goal | None:
        if number == profile_pb2.GOAL_UNSPECIFIED:
            return None
        return cls(_member(profile_pb2.Goal.DESCRIPTOR.values_by_number[number].name))

    @property
    def words(self) -> str:
        """``general_strength`` -> ``general strength``."""
        return self.value.replace("_", " ")


def _member(proto_name: str) -> str:
    # GENERATION_STATUS_COMPLETED -> "completed", STAGE_WEAK_POINTS -> "weak_points"
    for prefix in ("GENERATION_STATUS_", "STAGE_", "GOAL_"):
        if proto_name.startswith(prefix):
            return proto_name.removeprefix(prefix).lower()
    raise ValueError(f"not a status, stage or goal: {proto_name}")


def _time(stamp: Timestamp) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class GenerationError:
    """Why a generation failed: an UPPER_SNAKE reason and a human message."""

    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class Generation:
    id: str
    request_id: str
    status: GenerationStatus
    attempt: int
    stage: Stage | None
    percent: int
    last_sequence: int
    created: datetime
    updated: datetime
    error: GenerationError | None
    profile: profile_pb2.Profile | None  # None in list results
    program: program_pb2.Program | None  # set once completed (not in list results)
    proto: pb.Generation
    goal: Goal | None  # the profile's goal, in list results too
    program_name: str  # once completed, in list results too; "" otherwise

    @classmethod
    def from_proto(cls, message: pb.Generation) -> Generation:
        return cls(
            id=message.id,
            request_id=message.request_id,
            status=GenerationStatus.from_proto(message.status),
            attempt=message.attempt,
            stage=Stage.from_proto(message.stage),
            percent=message.percent,
            last_sequence=message.last_sequence,
            created=_time(message.create_time),
            updated=_time(message.update_time),
            error=(
                GenerationError(message.error.reason, message.error.message)
                if message.HasField("error")
                else None
            ),
            profile=message.profile if message.HasField("profile") else None,
            program=message.program if message.HasField("program") else None,
            proto=message,
            goal=Goal.from_proto(message.goal),
            program_name=message.program_name,
        )


@dataclass(frozen=True, slots=True)
class Event:
    """One committed state change of a generation; ``sequence`` is dense from 1."""

    generation_id: str
    sequence: int
    status: GenerationStatus
    stage: Stage | None
    percent: int
    message: str
    time: datetime
    error: GenerationError | None  # on a FAILED event
    program: program_pb2.Program | None  # on the COMPLETED event
    proto: pb.GenerationEvent
    # The attempt this change belongs to: after a retry, the earlier terminal event has
    # a lower attempt than the generation's current one.
    attempt: int

    @classmethod
    def from_proto(cls, message: pb.GenerationEvent) -> Event:
        return cls(
            generation_id=message.generation_id,
            sequence=message.sequence,
            status=GenerationStatus.from_proto(message.status),
            stage=Stage.from_proto(message.stage),
            percent=message.percent,
            message=message.message,
            time=_time(message.create_time),
            error=(
                GenerationError(message.error.reason, message.error.message)
                if message.HasField("error")
                else None
            ),
            program=message.program if message.HasField("program") else None,
            proto=message,
            attempt=message.attempt,
        )
