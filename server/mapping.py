"""Protobuf <-> pipeline domain mapping, driven by the message descriptors.

The .proto messages mirror the pipeline's pydantic models field by field, so one walker
serves every type instead of a hand-written converter per message. Conventions:
- enum value ``<ENUM>_<VALUE>`` <-> domain string ``value``; ``<ENUM>_UNSPECIFIED`` <->
  absent (the domain default applies, or validation reports the field as required);
- ``optional`` scalars and singular messages <-> ``None`` when unset;
- plain proto3 scalars are always passed, so a zero reaches validation as a zero.

Each message type's fields are read from its descriptor once, into a plan the walkers
follow: every StartGeneration maps a profile both ways and every completed generation
maps its program, so looking fields and enum names up per value showed in the profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message
from pydantic import BaseModel

# How a field is read and written (one branch per kind in the walkers).
SCALAR, PRESENT, ENUM, MESSAGE, REPEATED, REPEATED_ENUM, REPEATED_MESSAGE = range(7)


@dataclass(frozen=True, slots=True)
class _Enum:
    to_domain: dict[int, str]  # UNSPECIFIED (0) is absent: it maps to "no value"
    from_domain: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    kind: int
    enum: _Enum | None
    message: Descriptor | None


@cache
def _enum(enum: EnumDescriptor) -> _Enum:
    prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
    names = {v.number: v.name.removeprefix(prefix).lower() for v in enum.values if v.number}
    return _Enum(names, {name: number for number, name in names.items()})


def _kind(field: Any) -> int:
    repeated = bool(field.is_repeated)
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return REPEATED_MESSAGE if repeated else MESSAGE
    if field.type == FieldDescriptor.TYPE_ENUM:
        return REPEATED_ENUM if repeated else ENUM
    if repeated:
        return REPEATED
    return PRESENT if field.has_presence else SCALAR


@cache
def _plan(descriptor: Descriptor) -> dict[str, _Field]:
    fields: Any = descriptor.fields
    return {
        f.name: _Field(
            f.name, _kind(f), _enum(f.enum_type) if f.enum_type else None, f.message_type
        )
        for f in fields
    }


def enum_to_domain(enum: EnumDescriptor, number: int) -> str | None:
    """Proto enum number -> domain string; None for UNSPECIFIED and unknown numbers."""
    return _enum(enum).to_domain.get(number)


def enum_from_domain(enum: EnumDescriptor, value: str | None) -> int:
    """Domain string -> proto enum number (KeyError for a value the enum lacks)."""
    if value is None:
        return 0
    return _enum(enum).from_domain[str(value).lower()]


def _enum_in(enum: _Enum, number: int) -> str:
    # An unknown number surfaces as a violation naming it.
    name = enum.to_domain.get(number)
    return name if name is not None else f"unknown enum number {number}"


def message_to_dict(msg: Message) -> dict[str, Any]:
    """A proto message as the plain dict its domain model validates from."""
    out: dict[str, Any] = {}
    for name, f in _plan(msg.DESCRIPTOR).items():
        kind, value = f.kind, getattr(msg, name)
        if kind == SCALAR:
            out[name] = value
        elif kind == ENUM:
            if value:
                out[name] = _enum_in(f.enum, value)  # type: ignore[arg-type]
        elif kind == REPEATED_ENUM:
            out[name] = [_enum_in(f.enum, v) for v in value]  # type: ignore[arg-type]
        elif kind == REPEATED_MESSAGE:
            out[name] = [message_to_dict(v) for v in value]
        elif kind == REPEATED:
            out[name] = list(value)
        elif msg.HasField(name):  # PRESENT or MESSAGE: only when set
            out[name] = message_to_dict(value) if kind == MESSAGE else value
    return out


def fill_message(msg: Message, data: BaseModel | dict[str, Any]) -> Message:
    """Copy a domain model (or its dict) into ``msg``; returns ``msg``."""
    values = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    _fill(msg, msg.DESCRIPTOR, values)  # type: ignore[arg-type]  # upb descriptor
    return msg


def _fill(msg: Message, descriptor: Descriptor, values: dict[str, Any]) -> None:
    plan = _plan(descriptor)
    for name, value in values.items():
        f = plan.get(name)
        if f is None or value is None:
            continue
        kind = f.kind
        if kind in (SCALAR, PRESENT):
            setattr(msg, name, value)
        elif kind == ENUM:
            setattr(msg, name, f.enum.from_domain[str(value).lower()])  # type: ignore[union-attr]
        elif kind == MESSAGE:
            _fill(getattr(msg, name), f.message, value)  # type: ignore[arg-type]
            getattr(msg, name).SetInParent()
        elif kind == REPEATED_MESSAGE:
            target = getattr(msg, name)
            for item in value:
                _fill(target.add(), f.message, item)  # type: ignore[arg-type]
        elif kind == REPEATED_ENUM:
            table = f.enum.from_domain  # type: ignore[union-attr]
            getattr(msg, name).extend([table[str(item).lower()] for item in value])
        else:
            getattr(msg, name).extend(value)
