"""Protobuf <-> pipeline domain mapping, driven by the message descriptors.

The .proto messages mirror the pipeline's pydantic models field by field, so one walker
serves every type instead of a hand-written converter per message. Conventions:
- enum value ``<ENUM>_<VALUE>`` <-> domain string ``value``; ``<ENUM>_UNSPECIFIED`` <->
  absent (the domain default applies, or validation reports the field as required);
- ``optional`` scalars and singular messages <-> ``None`` when unset;
- plain proto3 scalars are always passed, so a zero reaches validation as a zero.
"""

from __future__ import annotations

import re
from typing import Any

from google.protobuf.descriptor import EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message
from pydantic import BaseModel

_ENUM_PREFIX_CACHE: dict[str, str] = {}


def _enum_prefix(enum: EnumDescriptor) -> str:
    prefix = _ENUM_PREFIX_CACHE.get(enum.full_name)
    if prefix is None:
        prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
        _ENUM_PREFIX_CACHE[enum.full_name] = prefix
    return prefix


def enum_to_domain(enum: EnumDescriptor, number: int) -> str | None:
    """Proto enum number -> domain string; None for UNSPECIFIED and unknown numbers."""
    value = enum.values_by_number.get(number)
    if value is None or number == 0:
        return None
    return value.name.removeprefix(_enum_prefix(enum)).lower()


def enum_from_domain(enum: EnumDescriptor, value: str | None) -> int:
    if value is None:
        return 0
    return enum.values_by_name[_enum_prefix(enum) + str(value).upper()].number


def _is_repeated(field: Any) -> bool:
    return bool(field.is_repeated)


def message_to_dict(msg: Message) -> dict[str, Any]:
    """A proto message as the plain dict its domain model validates from."""
    out: dict[str, Any] = {}
    fields: Any = msg.DESCRIPTOR.fields
    for field in fields:
        value = getattr(msg, field.name)
        if _is_repeated(field):
            out[field.name] = [_value_to_domain(field, v) for v in value]
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            if msg.HasField(field.name):
                out[field.name] = message_to_dict(value)
        elif field.type == FieldDescriptor.TYPE_ENUM:
            mapped = enum_to_domain(field.enum_type, value)
            if mapped is not None:
                out[field.name] = mapped
            elif value != 0:
                out[field.name] = f"unknown enum number {value}"  # surfaces as a violation
        elif field.has_presence:
            if msg.HasField(field.name):
                out[field.name] = value
        else:
            out[field.name] = value
    return out


def _value_to_domain(field: Any, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return message_to_dict(value)
    if field.type == FieldDescriptor.TYPE_ENUM:
        mapped = enum_to_domain(field.enum_type, value)
        return mapped if mapped is not None else f"unknown enum number {value}"
    return value


def fill_message(msg: Message, data: BaseModel | dict[str, Any]) -> Message:
    """Copy a domain model (or its dict) into ``msg``; returns ``msg``."""
    values = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    _fill(msg, msg.DESCRIPTOR, values)
    return msg


def _fill(msg: Message, descriptor: Any, values: dict[str, Any]) -> None:
    # descriptor: google.protobuf.descriptor.Descriptor (typed Any: its stubs mark
    # message_type/enum_type optional, which they never are for these fields)
    for name, value in values.items():
        field = descriptor.fields_by_name.get(name)
        if field is None or value is None:
            continue
        if _is_repeated(field):
            target = getattr(msg, name)
            for item in value:
                if field.type == FieldDescriptor.TYPE_MESSAGE:
                    _fill(target.add(), field.message_type, item)
                elif field.type == FieldDescriptor.TYPE_ENUM:
                    target.append(enum_from_domain(field.enum_type, item))
                else:
                    target.append(item)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            _fill(getattr(msg, name), field.message_type, value)
            getattr(msg, name).SetInParent()
        elif field.type == FieldDescriptor.TYPE_ENUM:
            setattr(msg, name, enum_from_domain(field.enum_type, value))
        else:
            setattr(msg, name, value)
