"""Every enum the domain and the contract both have holds the same members.

Convention (server/mapping.py): proto ``PHASE_TAPER`` <-> domain ``"taper"``; the proto's
``<ENUM>_UNSPECIFIED`` zero has no domain counterpart. Generic over whatever enums exist
in both, so a member added on one side only fails here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from enum import Enum

from google.protobuf.descriptor import EnumDescriptor

import programgen.v1
from programgen.pipeline import domain


def proto_enums() -> dict[str, EnumDescriptor]:
    found: dict[str, EnumDescriptor] = {}
    for module in pkgutil.iter_modules(programgen.v1.__path__):
        if module.name.endswith("_pb2"):
            file = importlib.import_module(f"programgen.v1.{module.name}").DESCRIPTOR
            found.update(file.enum_types_by_name)
    return found


def domain_enums() -> dict[str, type[Enum]]:
    return {
        name: cls
        for name, cls in inspect.getmembers(domain, inspect.isclass)
        if issubclass(cls, Enum) and cls.__module__ == domain.__name__
    }


def proto_members(descriptor: EnumDescriptor) -> set[str]:
    prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", descriptor.name).upper() + "_"
    names = [v.name for v in descriptor.values]
    assert all(n.startswith(prefix) for n in names), f"{descriptor.name}: {names}"
    assert descriptor.values_by_number[0].name == prefix + "UNSPECIFIED"
    return {n.removeprefix(prefix).lower() for n in names if n != prefix + "UNSPECIFIED"}


def test_shared_enums_have_the_same_members() -> None:
    protos, domains = proto_enums(), domain_enums()
    shared = sorted(set(protos) & set(domains))
    assert {"Goal", "Muscle", "Phase", "Stage"} <= set(shared)  # the check sees them
    mismatched = {
        name: {
            "only in the proto": sorted(proto_members(protos[name]) - values),
            "only in the domain": sorted(values - proto_members(protos[name])),
        }
        for name in shared
        if proto_members(protos[name]) != (values := {str(m.value) for m in domains[name]})
    }
    assert mismatched == {}


def test_client_enums_have_the_proto_members() -> None:
    # The client may import neither the server nor the pipeline (tests/test_architecture.py),
    # so it spells these enums itself: a member added to the contract must reach it too.
    from programgen.client import types

    protos = proto_enums()
    client = {
        name: cls
        for name, cls in inspect.getmembers(types, inspect.isclass)
        if issubclass(cls, Enum) and cls.__module__ == types.__name__
    }
    assert {"GenerationStatus", "Stage", "Goal"} <= set(client)
    mismatched = {
        name: sorted(proto_members(protos[name]) ^ {str(m.value) for m in cls})
        for name, cls in client.items()
        if proto_members(protos[name]) != {str(m.value) for m in cls}
    }
    assert mismatched == {}
