"""Request validation: one validator per request message, each returning field violations.

Every bound here is the strictest of the two stores (docs/contract.md, "Validation"), so
a request that passes is stored the same way on SQLite and PostgreSQL and no store error
ever reaches a caller: integers fit PostgreSQL's ``integer`` (int32) columns, strings
fit their ``varchar`` lengths and hold no NUL (PostgreSQL text cannot store one) nor
other control characters. List fields are bounded by the number of distinct values they
may hold, so a violation list (and the error trailer carrying it) stays small.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from programgen.pipeline.domain import Profile, ProfileInvalid
from programgen.pipeline.validation import validate_profile
from programgen.server.errors import invalid_argument
from programgen.server.mapping import message_to_dict
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import profile_pb2

Violations = list[tuple[str, str]]

MAX_REQUEST_ID = 128  # generations.request_id is varchar(128)
# The canonical UUID text the server issues (str(uuid.uuid4())): generations.id is
# varchar(36); other spellings (braces, urn:, upper case) would never match a row.
_GENERATION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# C0 and C1 control characters and DEL; free text may keep tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _list_bounds() -> dict[str, tuple[int, str]]:
    """Each repeated Profile field: at most one entry per value of its enum."""
    fields = profile_pb2.Profile.DESCRIPTOR.fields_by_name
    lift_count = len(profile_pb2.Lift.DESCRIPTOR.values) - 1  # without LIFT_UNSPECIFIED
    bounds = {"lifts": (lift_count, "one per lift")}
    for name in ("equipment", "injuries", "priority_muscles"):
        enum = fields[name].enum_type
        assert enum is not None
        bounds[name] = (len(enum.values) - 1, "each value at most once")
    return bounds


LIST_BOUNDS = _list_bounds()


def id_violations(value: str, field: str = "id") -> Violations:
    if _GENERATION_ID.fullmatch(value):
        return []
    return [(field, "must be a generation id: a UUID in lower-case 8-4-4-4-12 form")]


def control_violations(value: str, field: str, *, free_text: bool = False) -> Violations:
    """NUL cannot be stored in PostgreSQL text at all; the other control characters are
    refused with it, so both stores hold the same strings."""
    if not (_CONTROL_IN_TEXT if free_text else _CONTROL).search(value):
        return []
    allowed = " (tab and line breaks are allowed)" if free_text else ""
    return [(field, f"must not contain control characters{allowed}")]


def text_violations(value: str, field: str, *, max_length: int) -> Violations:
    """A one-line string bounded in characters (PostgreSQL varchar counts characters)."""
    out: Violations = []
    if len(value) > max_length:
        out.append((field, f"at most {max_length} characters"))
    return out + control_violations(value, field)


def profile_violations(message: profile_pb2.Profile) -> tuple[Profile | None, Violations]:
    """The profile's input rules (programgen.pipeline.validation) after the list bounds;
    an over-long list is reported once and only its first entries are checked further."""
    out: Violations = []
    bounded = profile_pb2.Profile()
    bounded.CopyFrom(message)
    for name, (bound, rule) in LIST_BOUNDS.items():
        entries = getattr(bounded, name)
        if len(entries) > bound:
            out.append((f"profile.{name}", f"at most {bound} entries ({rule}); got {len(entries)}"))
            del entries[bound:]
    # Its length is one of the profile's input rules (MAX_INJURY_NOTE), checked below.
    out += control_violations(bounded.injury_note, "profile.injury_note", free_text=True)
    try:
        profile = validate_profile(message_to_dict(bounded))
    except ProfileInvalid as exc:
        out += [(f"profile.{v.field}", v.description) for v in exc.violations]
        return None, out
    return (profile if not out else None), out


def start_violations(request: pb.StartGenerationRequest) -> tuple[Profile | None, Violations]:
    out = text_violations(request.request_id, "request_id", max_length=MAX_REQUEST_ID)
    if not request.HasField("profile"):
        return None, [*out, ("profile", "required")]
    profile, problems = profile_violations(request.profile)
    return profile, out + problems


def watch_violations(request: pb.WatchGenerationRequest) -> Violations:
    # Any int64 cursor is well-formed: one past the generation's last sequence answers
    # OUT_OF_RANGE (server/watch.py) before the store sees it, so no column type matters.
    out = id_violations(request.id)
    if request.after_sequence < 0:
        out.append(("after_sequence", "must not be negative"))
    return out


def list_violations(request: pb.ListGenerationsRequest) -> Violations:
    out: Violations = []
    if request.page_size < 0:
        out.append(("page_size", "must not be negative"))
    if request.status not in pb.GenerationStatus.values():
        out.append(("status", f"unknown status {request.status}"))
    if len(request.page_token) > 256:
        out.append(("page_token", "not a token from a previous response"))
    return out


def require(violations: Sequence[tuple[str, str]]) -> None:
    """Raise INVALID_ARGUMENT with the violations, if any."""
    if violations:
        raise invalid_argument(violations)


def check_watch(request: pb.WatchGenerationRequest) -> None:
    """WatchGeneration's request rules: the one call its handler makes."""
    require(watch_violations(request))


def check_id(value: str, field: str = "id") -> None:
    require(id_violations(value, field))
