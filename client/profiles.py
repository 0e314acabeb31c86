"""Profiles from their proto-JSON form, with a typo reported as the client's own
``InvalidArgument`` naming the field path (not protobuf's ``ParseError``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import grpc
from google.protobuf import json_format

from programgen.client.errors import FieldViolation, InvalidArgument
from programgen.v1 import profile_pb2

# json_format's messages: 'Message type "…" has no field named "gaol" at "Profile".' and
# 'Failed to parse goal field: Invalid enum value NOPE … at Profile.goal.'
_UNKNOWN = re.compile(r'has no field named "([^"]+)" at "Profile((?:\.\w+(?:\[\d+\])?)*)"')
_AT = re.compile(r" at Profile((?:\.\w+(?:\[\d+\])?)+)\.+$")
_FIELD = re.compile(r"Failed to parse (\w+) field: ")


def _snake(path: str) -> str:
    # The server names fields as the .proto does (AIP-193 field paths): days_per_week.
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", path).lower()


def _violation(message: str) -> FieldViolation:
    first_line = message.splitlines()[0] if message else ""
    unknown = _UNKNOWN.search(first_line)
    if unknown:
        name, path = unknown.groups()
        return FieldViolation(f"profile{_snake(path)}.{name}", f'unknown field "{name}"')
    at = _AT.search(first_line)
    inner = _FIELD.split(first_line)[-1]
    if at:
        return FieldViolation(f"profile{_snake(at.group(1))}", _AT.sub("", inner))
    names = _FIELD.findall(first_line)
    path = _snake(".".join(["profile", *names]))
    return FieldViolation(path, inner.rstrip("."))


def profile_from_json(data: Mapping[str, Any]) -> profile_pb2.Profile:
    """A profile from its proto-JSON form (the form grpcurl and examples/ use).

    Raises InvalidArgument (reason PROFILE_NOT_PARSED) with the offending field's path."""
    try:
        return json_format.ParseDict(dict(data), profile_pb2.Profile())
    except json_format.ParseError as exc:
        violation = _violation(str(exc))
        raise InvalidArgument(
            grpc.StatusCode.INVALID_ARGUMENT,
            "PROFILE_NOT_PARSED",
            f"{violation.field}: {violation.description}",
            [violation],
        ) from None
