"""API keys: creation, hashing, and resolving a request's caller from its metadata.

A key is ``pgk_<key id>_<secret>``; only its SHA-256 is stored. The secret carries 256
random bits, so a fast hash is enough (a slow password hash guards low-entropy input).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import grpc

from programgen.server.errors import ServiceError
from programgen.server.store.repository import Repository

log = logging.getLogger(__name__)

TIERS = {"free": 0, "standard": 1, "priority": 2}
ANONYMOUS = "anonymous"
# While anonymous, how often a call re-reads whether a key exists. Every call did: that
# read (~0.3 ms of the event loop's CPU through SQLAlchemy, and a GIL hand-off to the
# SQLite driver) was the largest single cost of a StartGeneration in py-spy
# (bench/start_vs_noop.py); a key created by another process takes effect within this
# bound (docs/contract.md, "Authentication and ownership").
KEY_MODE_RECHECK_S = 1.0


@dataclass(frozen=True, slots=True)
class Caller:
    id: str
    tier: int


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(repository: Repository, caller_id: str, tier: str) -> tuple[str, str]:
    """Store a new key for ``caller_id``; returns (key id, the full key, shown once)."""
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {', '.join(TIERS)}")
    if not caller_id or len(caller_id) > 128:
        raise ValueError("caller id must be 1..128 characters")
    if not caller_id.isprintable() or caller_id != caller_id.strip():
        raise ValueError("caller id must be printable, without surrounding spaces")
    if caller_id == ANONYMOUS:
        # The generations made while the server ran without keys belong to this id: a
        # key for it would read all of them.
        raise ValueError(f"caller id {ANONYMOUS!r} is reserved for the server's anonymous mode")
    key_id = secrets.token_hex(6)
    key = f"pgk_{key_id}_{secrets.token_urlsafe(32)}"
    await repository.add_key(key_id=key_id, key_hash=hash_key(key), caller_id=caller_id, tier=tier)
    return key_id, key


def _unauthenticated(message: str) -> ServiceError:
    return ServiceError(grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED", message)


class Authenticator:
    """Resolves the caller of a request. In anonymous mode (no API key exists) every
    request is the one anonymous caller.

    Keys are created by another process (``programgen keys create``), so while anonymous
    a call re-reads whether a key exists when the last read is ``recheck_s`` old: the
    first key takes effect within that bound, and at once when it was added through this
    server's own repository. Keys are never deleted, so API-key mode, once seen, stays."""

    def __init__(
        self,
        repository: Repository,
        *,
        anonymous: bool,
        recheck_s: float = KEY_MODE_RECHECK_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repo = repository
        self.anonymous = anonymous
        self._recheck_s = recheck_s
        self._clock = clock
        self._next_check = clock() + recheck_s  # the caller read the mode just now

    async def _still_anonymous(self) -> bool:
        now = self._clock()
        if not self._repo.key_added and now < self._next_check:
            return True
        self._next_check = now + self._recheck_s
        if self._repo.key_added or await self._repo.has_keys():
            self.anonymous = False
            log.info("an API key exists now: every call needs one from here on")
        return self.anonymous

    async def caller(self, metadata: tuple[tuple[str, str | bytes], ...] | None) -> Caller:
        if self.anonymous and await self._still_anonymous():
            return Caller(ANONYMOUS, TIERS["standard"])
        header = next((v for k, v in metadata or () if k == "authorization"), None)
        if header is None:
            raise _unauthenticated("missing 'authorization: Bearer <api key>' metadata")
        text = header.decode() if isinstance(header, bytes) else header
        scheme, _, key = text.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise _unauthenticated("authorization metadata must be 'Bearer <api key>'")
        record = await self._repo.key_by_hash(hash_key(key.strip()))
        if record is None or record.revoked_at is not None:
            # One answer for unknown and revoked keys: no oracle for key ids.
            raise _unauthenticated("invalid or revoked API key")
        return Caller(record.caller_id, TIERS.get(record.tier, 0))
