"""programgen client library: ``AsyncClient`` (asyncio) and ``Client`` (blocking).

Depends only on the generated contract (``programgen.v1``), never on the server.
"""

from programgen.client.aio import AsyncClient, profile_from_json
from programgen.client.errors import (
    FieldViolation,
    GenerationCancelled,
    GenerationFailed,
    ProgramgenError,
)
from programgen.client.sync import Client

__all__ = [
    "AsyncClient",
    "Client",
    "FieldViolation",
    "GenerationCancelled",
    "GenerationFailed",
    "ProgramgenError",
    "profile_from_json",
]
