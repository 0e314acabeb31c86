"""programgen client library: ``AsyncClient`` (asyncio) and ``Client`` (blocking).

Depends only on the generated contract (``programgen.v1``), never on the server.
"""

from programgen.client.aio import AsyncClient, AsyncGenerationHandle
from programgen.client.channel import ClientOptions
from programgen.client.errors import (
    AlreadyExists,
    DeadlineExceeded,
    FailedPrecondition,
    FieldViolation,
    GenerationCancelled,
    GenerationFailed,
    InvalidArgument,
    NotFound,
    OutOfRange,
    ProgramgenError,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from programgen.client.profiles import profile_from_json
from programgen.client.sync import Client, GenerationHandle
from programgen.client.types import (
    Event,
    Generation,
    GenerationError,
    GenerationStatus,
    Goal,
    Stage,
)

__all__ = [
    "AlreadyExists",
    "AsyncClient",
    "AsyncGenerationHandle",
    "Client",
    "ClientOptions",
    "DeadlineExceeded",
    "Event",
    "FailedPrecondition",
    "FieldViolation",
    "Generation",
    "GenerationCancelled",
    "GenerationError",
    "GenerationFailed",
    "GenerationHandle",
    "GenerationStatus",
    "Goal",
    "InvalidArgument",
    "NotFound",
    "OutOfRange",
    "ProgramgenError",
    "ResourceExhausted",
    "Stage",
    "Unauthenticated",
    "Unavailable",
    "profile_from_json",
]
