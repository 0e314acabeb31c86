"""The generation lifecycle's vocabulary: statuses and the records the store returns.

The store, the broker, the lifecycle, the pool and the views all speak in these terms,
so none of them needs the SQL module (docs/architecture.md, "Layers").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class GenerationStatus(StrEnum):
    """The stored status of a generation; the proto enum has the same members."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE = frozenset({GenerationStatus.PENDING, GenerationStatus.PROCESSING})
TERMINAL = frozenset(
    {GenerationStatus.COMPLETED, GenerationStatus.FAILED, GenerationStatus.CANCELLED}
)


@dataclass(frozen=True, slots=True)
class GenerationRecord:
    pk: int
    id: str
    owner: str
    request_id: str | None
    tier: int
    status: GenerationStatus
    attempt: int
    stage: str
    percent: int
    last_sequence: int
    lease_expires_at: float | None
    profile: str
    program: str | None
    error_reason: str
    error_message: str
    created_at: float
    updated_at: float
    replica_id: str | None = None  # the replica holding a processing row's claim
    program_name: str | None = None  # the program's name, stored beside it


@dataclass(frozen=True, slots=True)
class EventRecord:
    generation_id: str
    sequence: int
    status: GenerationStatus
    stage: str
    percent: int
    message: str
    created_at: float
    attempt: int  # the row's attempt as this change left it
    # The row as this event's commit left it (None when read back from the store): a
    # watcher needs it for the terminal event's program or error, without a read.
    generation: GenerationRecord | None = field(default=None, compare=False, repr=False)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    key_id: str
    caller_id: str
    tier: str
    created_at: float
    revoked_at: float | None


class CapExceeded(Exception):
    """The caller already has its maximum of queued and running generations."""

    def __init__(self, active: int) -> None:
        super().__init__(f"{active} generations already queued or running")
        self.active = active


class TransientError(Exception):
    """A failure worth retrying the same generation for (an engine process died, the
    store was briefly unavailable)."""


# Every reason a generation can fail with (docs/contract.md, "GenerationError").
FAILURE_REASONS = (
    "TIMEOUT",
    "PROGRAM_INVALID",
    "PIPELINE_ERROR",
    "TRANSIENT_RETRIES_EXHAUSTED",
    "INTERNAL",
)
