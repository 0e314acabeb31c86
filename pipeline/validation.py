"""Input validation: a profile in, every violation out at once.

Each field is type-checked on its own (pydantic), so one bad field never hides the
rules of another: range and cross-field rules run on every field that parsed, and a
caller fixing the reported list gets no new surprises on the next try.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from programgen.pipeline.domain import (
    KnownLift,
    Lift,
    Profile,
    ProfileInvalid,
    Unit,
    Violation,
)

# Plausible human ranges. Bodyweight: 30-300 kg covers adolescents to super-heavyweight
# lifters (IPF +120 kg class athletes stay well under 250 kg); in lb the same range.
BODYWEIGHT_RANGE = {Unit.KG: (30.0, 300.0), Unit.LB: (66.0, 660.0)}
# Lift loads: above the all-time records (deadlift 501 kg, 2020) is a typo, not a lift.
MAX_LIFT = {Unit.KG: 600.0, Unit.LB: 1320.0}
# Rep maxes past 12 estimate 1RM poorly: prediction error grows with the reps of the
# rep max (Reynolds, Gordon & Robergs 2006, J Strength Cond Res 20(3):584: a 5RM predicts
# far better than a 10RM or 20RM). 12 is the engine's cut-off.
REPS_RANGE = (1, 12)
# Training days: 2 is the fewest that still trains each muscle twice (Schoenfeld et al.
# 2016 frequency meta-analysis); 6 leaves one rest day.
DAYS_RANGE = (2, 6)
# Sessions: 30 min fits a warm-up and a few hard sets; past 120 min is a second session.
SESSION_MINUTES_RANGE = (30, 120)
# 13: youth resistance training is safe and supervised programs start around this age
# (Faigenbaum et al. 2009 NSCA position statement); 100 as an upper sanity bound.
AGE_RANGE = (13, 100)
SLEEP_RANGE = (3.0, 14.0)  # hours per night; outside this is a data-entry error
STRESS_RANGE = (1, 10)  # the profile's own 1..10 scale
TRAINING_AGE_RANGE = (0.0, 60.0)
PROGRAM_WEEKS_RANGE = (4, 8)  # a mesocycle of 4-8 weeks including its deload (docs/science.md)
MAX_INJURY_NOTE = 500  # characters; a note for a coach, not a medical history


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@cache
def _adapter(name: str) -> TypeAdapter[Any]:
    annotation = Profile.model_fields[name].annotation
    assert annotation is not None  # every Profile field is annotated
    return TypeAdapter(annotation)


def _in(value: float, bounds: tuple[float, float]) -> bool:
    # Written so NaN fails: every comparison with NaN is False.
    return bool(bounds[0] <= value <= bounds[1]) and math.isfinite(value)


Bad = Callable[[str, str], None]


def _rules(values: Mapping[str, Any], lifts: Mapping[int, KnownLift]) -> list[Violation]:
    """Range and cross-field rules over the fields that parsed (absent = not checkable)."""
    out: list[Violation] = []

    def bad(field: str, description: str) -> None:
        out.append(Violation(field=field, description=description))

    _range_rules(values, bad)
    _list_rules(values, bad)
    _lift_rules(values.get("unit"), lifts, bad)
    return out


def _range_rules(values: Mapping[str, Any], bad: Bad) -> None:
    def check_range(field: str, bounds: tuple[float, float], what: str) -> None:
        if field in values and values[field] is not None and not _in(values[field], bounds):
            bad(field, f"{what} must be between {bounds[0]:g} and {bounds[1]:g}")

    check_range("days_per_week", DAYS_RANGE, "training days per week")
    check_range("session_minutes", SESSION_MINUTES_RANGE, "session length in minutes")
    check_range("age", AGE_RANGE, "age")
    check_range("sleep_hours", SLEEP_RANGE, "sleep hours per night")
    check_range("stress", STRESS_RANGE, "stress level")
    check_range("training_age_years", TRAINING_AGE_RANGE, "training age in years")
    check_range("program_weeks", PROGRAM_WEEKS_RANGE, "program length in weeks")

    unit = values.get("unit")
    if "bodyweight" in values:
        bw = values["bodyweight"]
        if isinstance(unit, Unit):
            lo, hi = BODYWEIGHT_RANGE[unit]
            if not _in(bw, (lo, hi)):
                bad("bodyweight", f"bodyweight must be between {lo:g} and {hi:g} {unit.value}")
        elif not (math.isfinite(bw) and bw > 0):
            bad("bodyweight", "bodyweight must be a positive number")

    training_age, age = values.get("training_age_years"), values.get("age")
    if (
        isinstance(training_age, float | int)
        and isinstance(age, int)
        and _in(training_age, TRAINING_AGE_RANGE)
        and training_age > age
    ):
        bad("training_age_years", "training age cannot exceed the athlete's age")


def _list_rules(values: Mapping[str, Any], bad: Bad) -> None:
    if "equipment" in values:
        equipment = values["equipment"]
        if not equipment:
            bad("equipment", "list at least one piece of equipment (bodyweight counts)")
        elif len(set(equipment)) != len(equipment):
            bad("equipment", "each piece of equipment may be listed only once")
    if "injuries" in values and len(set(values["injuries"])) != len(values["injuries"]):
        bad("injuries", "each injury area may be listed only once")
    if "priority_muscles" in values:
        muscles = values["priority_muscles"]
        if len(set(muscles)) != len(muscles):
            bad("priority_muscles", "each priority muscle may be listed only once")
    if "injury_note" in values and len(values["injury_note"]) > MAX_INJURY_NOTE:
        bad("injury_note", f"at most {MAX_INJURY_NOTE} characters")


def _lift_rules(unit: object, lifts: Mapping[int, KnownLift], bad: Bad) -> None:
    seen: set[Lift] = set()
    for i in sorted(lifts):
        lift = lifts[i]
        at = f"lifts[{i}]"
        if lift.lift in seen:
            bad(f"{at}.lift", f"{lift.lift.value} is listed more than once")
        seen.add(lift.lift)
        if not _in(lift.reps, REPS_RANGE):
            bad(f"{at}.reps", f"reps must be between {REPS_RANGE[0]} and {REPS_RANGE[1]}")
        w = lift.weight
        top = MAX_LIFT[unit] if isinstance(unit, Unit) else MAX_LIFT[Unit.LB]
        if lift.lift is Lift.PULL_UP:
            if not _in(w, (0.0, top)):
                bad(f"{at}.weight", "added pull-up load must be 0 (bodyweight) or more")
        elif not (math.isfinite(w) and 0 < w <= top):
            bad(f"{at}.weight", "weight must be greater than 0 and a plausible load")


def check_profile(profile: Profile) -> list[Violation]:
    """Every range and cross-field rule, for a Profile that is already typed."""
    values = {name: getattr(profile, name) for name in Profile.model_fields}
    return _rules(values, dict(enumerate(profile.lifts)))


def validate_profile(data: Mapping[str, Any]) -> Profile:
    """Parse a profile, or raise ProfileInvalid listing EVERY violation found."""
    if isinstance(data, Mapping):
        # Most profiles are valid: one model validation and the rules on its typed values
        # are the same checks as the field-by-field pass below, at a third of the cost.
        # Anything they refuse takes that pass, which lists every violation.
        try:
            profile = Profile.model_validate(data)
        except ValidationError:
            pass
        else:
            typed = {name: getattr(profile, name) for name in Profile.model_fields}
            del typed["lifts"]  # the rules take the lifts by position, as below
            if not _rules(typed, dict(enumerate(profile.lifts))):
                return profile
    return _validate_field_by_field(data)


def _validate_field_by_field(data: Mapping[str, Any]) -> Profile:
    if not isinstance(data, Mapping):
        raise ProfileInvalid([Violation(field="profile", description="must be an object")])
    violations: list[Violation] = []
    values: dict[str, Any] = {}
    lifts: dict[int, KnownLift] = {}

    for key in data:
        if key not in Profile.model_fields:
            violations.append(Violation(field=str(key), description="unknown field"))
    for name, info in Profile.model_fields.items():
        if name not in data:
            if info.is_required():
                violations.append(Violation(field=name, description="field required"))
            else:
                values[name] = info.get_default(call_default_factory=True)
            continue
        raw = data[name]
        if name == "lifts" and isinstance(raw, list | tuple):
            # Element by element, so one malformed lift leaves the others checkable.
            for i, item in enumerate(raw):
                try:
                    lifts[i] = KnownLift.model_validate(item)
                except ValidationError as exc:
                    violations += _pydantic_violations(exc, ("lifts", i))
            continue
        try:
            values[name] = _adapter(name).validate_python(raw)
        except ValidationError as exc:
            violations += _pydantic_violations(exc, (name,))

    violations += _rules(values, lifts)
    if violations:
        raise ProfileInvalid(violations)
    return Profile.model_validate(data)


def _pydantic_violations(exc: ValidationError, prefix: tuple[int | str, ...]) -> list[Violation]:
    return [
        Violation(field=_path(prefix + tuple(err["loc"])), description=err["msg"])
        for err in exc.errors()
    ]
