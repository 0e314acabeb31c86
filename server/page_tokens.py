"""ListGenerations page tokens: an opaque, validated keyset cursor (docs/contract.md,
"Paging").

A token is 18 bytes in unpadded URL-safe base64: a format version, the status filter it
was issued for, and the id (a UUID) of the last generation of its page. It never carries
an internal row number, and it is only accepted if it decodes exactly to that layout and
names one of the caller's own generations (the service checks that in the store), so a
token the server did not issue answers INVALID_ARGUMENT, never a store error. Needing no
secret, a token stays valid across restarts and on every server of one database.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid

from programgen.server.errors import ServiceError, invalid_argument

_VERSION = 1
_LENGTH = 24  # base64 characters of the 18 bytes
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


def _invalid(description: str) -> ServiceError:
    return invalid_argument([("page_token", description)])


def encode(last_generation_id: str, status: int) -> str:
    raw = bytes((_VERSION, status)) + uuid.UUID(last_generation_id).bytes
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, status: int) -> str:
    """The id of the generation the page ends at; INVALID_ARGUMENT unless ``token`` has
    the layout ``encode`` makes, for the same status filter."""
    if len(token) != _LENGTH or not _ALPHABET.fullmatch(token):
        raise _invalid("not a token from a previous response")
    try:
        raw = base64.urlsafe_b64decode(token)
    except (ValueError, binascii.Error):
        raise _invalid("not a token from a previous response") from None
    if raw[0] != _VERSION:
        raise _invalid("not a token from a previous response")
    if raw[1] != status:
        raise _invalid("was issued for a different status filter")
    return str(uuid.UUID(bytes=raw[2:]))
