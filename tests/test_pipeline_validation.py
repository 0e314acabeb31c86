"""Input validation: every violation of a profile is reported, each with its field path."""

from __future__ import annotations

from typing import Any

import pytest

from programgen.pipeline.domain import (
    PipelineError,
    Profile,
    ProfileInvalid,
    ProgramInvalid,
    Unit,
    Violation,
    ViolationsError,
)
from programgen.pipeline.validation import check_profile, validate_profile
from tests.pipeline_support import make_profile


def valid_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "goal": "hypertrophy",
        "experience": "intermediate",
        "days_per_week": 4,
        "session_minutes": 60,
        "equipment": ["barbell", "bench"],
        "age": 30,
        "bodyweight": 80,
        "sleep_hours": 7.5,
        "stress": 4,
        "lifts": [{"lift": "squat", "weight": 140, "reps": 5}],
    }
    data.update(overrides)
    return data


def fields_of(data: Any) -> set[str]:
    with pytest.raises(ProfileInvalid) as caught:
        validate_profile(data)
    violations = caught.value.violations
    assert all(v.description for v in violations)
    return {v.field for v in violations}


def test_a_valid_profile_parses() -> None:
    profile = validate_profile(valid_data())
    assert isinstance(profile, Profile)
    assert check_profile(profile) == []


def test_every_range_violation_is_reported_together() -> None:
    data = valid_data(
        days_per_week=7,
        session_minutes=20,
        age=12,
        sleep_hours=2,
        stress=11,
        training_age_years=61,
        program_weeks=9,
        bodyweight=10,
        injury_note="x" * 501,
        equipment=[],
        lifts=[
            {"lift": "squat", "weight": 0, "reps": 13},
            {"lift": "squat", "weight": 100, "reps": 5},
            {"lift": "pull_up", "weight": -5, "reps": 5},
        ],
    )
    assert fields_of(data) == {
        "days_per_week",
        "session_minutes",
        "age",
        "sleep_hours",
        "stress",
        "training_age_years",
        "program_weeks",
        "bodyweight",
        "injury_note",
        "equipment",
        "lifts[0].weight",
        "lifts[0].reps",
        "lifts[1].lift",
        "lifts[2].weight",
    }


def test_type_errors_and_rule_violations_are_reported_together() -> None:
    # A field with the wrong type must not hide the other fields' rule violations.
    data = valid_data(
        goal="bulking",
        days_per_week="many",
        stress=0,
        equipment=["barbell", "barbell"],
        priority_muscles=["chest", "chest"],
        injuries=["knee", "knee"],
        lifts=[
            {"lift": "squat", "weight": "heavy"},
            {"lift": "bench_press", "weight": 80, "reps": 0},
        ],
        colour="blue",
    )
    assert fields_of(data) == {
        "goal",
        "days_per_week",
        "stress",
        "equipment",
        "priority_muscles",
        "injuries",
        "lifts[0].weight",
        "lifts[1].reps",
        "colour",
    }


def test_missing_required_fields_are_each_named() -> None:
    assert fields_of({"goal": "hypertrophy"}) == {
        "experience",
        "days_per_week",
        "session_minutes",
        "equipment",
        "age",
        "bodyweight",
        "sleep_hours",
        "stress",
    }


def test_bodyweight_range_depends_on_the_unit() -> None:
    # 200 is a plausible bodyweight in lb, not in kg... and 400 kg is not plausible at all.
    validate_profile(valid_data(bodyweight=200, unit="lb"))
    assert fields_of(valid_data(bodyweight=400, unit="kg")) == {"bodyweight"}
    assert fields_of(valid_data(bodyweight=50, unit="lb")) == {"bodyweight"}
    # An invalid unit is reported, and the bodyweight still gets a unit-free check.
    assert fields_of(valid_data(bodyweight=-1, unit="stone")) == {"unit", "bodyweight"}


def test_pull_up_may_be_bodyweight_only_other_lifts_may_not() -> None:
    validate_profile(valid_data(lifts=[{"lift": "pull_up", "weight": 0, "reps": 8}]))
    assert fields_of(valid_data(lifts=[{"lift": "bench_press", "weight": 0}])) == {
        "lifts[0].weight"
    }


def test_not_a_number_is_rejected() -> None:
    nan = float("nan")
    data = valid_data(bodyweight=nan, sleep_hours=nan, lifts=[{"lift": "squat", "weight": nan}])
    assert fields_of(data) == {"bodyweight", "sleep_hours", "lifts[0].weight"}


def test_training_age_cannot_exceed_age() -> None:
    assert fields_of(valid_data(age=20, training_age_years=25)) == {"training_age_years"}


def test_not_an_object() -> None:
    assert fields_of(["not", "a", "profile"]) == {"profile"}


def test_check_profile_runs_the_rules_on_a_built_profile() -> None:
    # Profile itself only checks types, so an out-of-range profile can be built in code.
    profile = make_profile(days_per_week=9, bodyweight=500, unit=Unit.KG, equipment=[])
    assert {v.field for v in check_profile(profile)} == {"days_per_week", "bodyweight", "equipment"}


def test_violation_messages_are_readable() -> None:
    with pytest.raises(ProfileInvalid) as caught:
        validate_profile(valid_data(days_per_week=9))
    (violation,) = caught.value.violations
    assert violation.description == "training days per week must be between 2 and 6"
    assert "days_per_week" in str(caught.value)


def test_both_violation_errors_share_one_base() -> None:
    found = [Violation(field="age", description="too old"), Violation(field="x", description="y")]
    for error in (ProfileInvalid(found), ProgramInvalid(found)):
        assert isinstance(error, ViolationsError) and isinstance(error, PipelineError)
        assert error.violations == found
        assert str(error) == "age: too old; x: y"
    assert not issubclass(ProfileInvalid, ProgramInvalid)
    assert not issubclass(ProgramInvalid, ProfileInvalid)


def test_the_one_pass_check_of_a_valid_profile_agrees_with_the_field_by_field_one() -> None:
    # validate_profile tries one model validation first; whatever it accepts, the
    # field-by-field pass must accept as the same profile, and whatever breaks a rule
    # must still be refused with every violation listed.
    import random

    from bench.pipeline_bench import random_profile
    from programgen.pipeline.validation import _validate_field_by_field

    rng = random.Random(11)
    for _ in range(300):
        data = random_profile(rng)
        assert validate_profile(data) == _validate_field_by_field(data)
    broken = valid_data(age=7, days_per_week=9, lifts=[{"lift": "squat", "weight": 0}])
    with pytest.raises(ProfileInvalid) as one:
        validate_profile(broken)
    with pytest.raises(ProfileInvalid) as other:
        _validate_field_by_field(broken)
    assert one.value.violations == other.value.violations
    assert {v.field for v in one.value.violations} == {"age", "days_per_week", "lifts[0].weight"}
