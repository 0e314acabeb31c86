"""The protobuf contract carries every field of the pipeline's types, both ways."""

from __future__ import annotations

from programgen.pipeline.domain import Profile, Program
from programgen.pipeline.engine import build_program
from programgen.pipeline.validation import validate_profile
from programgen.server.mapping import fill_message, message_to_dict
from programgen.v1 import profile_pb2, program_pb2
from tests.harness import example


def profile_from_example(name: str) -> Profile:
    from google.protobuf import json_format

    message = json_format.ParseDict(example(name), profile_pb2.Profile())
    return validate_profile(message_to_dict(message))


def test_profiles_round_trip_through_protobuf() -> None:
    for name in ("beginner_full_gym", "advanced_powerlifter_lb", "bodyweight_home"):
        profile = profile_from_example(name)
        message = fill_message(profile_pb2.Profile(), profile)
        assert Profile.model_validate(message_to_dict(message)) == profile


def test_programs_round_trip_through_protobuf_without_losing_a_field() -> None:
    for name in ("beginner_full_gym", "advanced_powerlifter_lb", "bodyweight_home"):
        program = build_program(profile_from_example(name))
        message = fill_message(program_pb2.Program(), program)
        back = Program.model_validate(message_to_dict(message))
        assert back.model_dump_json() == program.model_dump_json()


def test_every_domain_field_has_a_proto_field_of_the_same_name() -> None:
    def check(model: type, descriptor: object, path: str) -> None:
        fields = descriptor.fields_by_name  # type: ignore[attr-defined]
        for name, info in model.model_fields.items():  # type: ignore[attr-defined]
            assert name in fields, f"{path}.{name} is missing from the .proto"
            nested = fields[name].message_type
            annotation = info.annotation
            inner = getattr(annotation, "__args__", (annotation,))[0]
            if nested is not None and isinstance(inner, type) and hasattr(inner, "model_fields"):
                check(inner, nested, f"{path}.{name}")

    check(Profile, profile_pb2.Profile.DESCRIPTOR, "Profile")
    check(Program, program_pb2.Program.DESCRIPTOR, "Program")
