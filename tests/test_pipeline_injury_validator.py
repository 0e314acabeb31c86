"""The validator's injury rule, each part shown on a hand-broken program."""

from __future__ import annotations

import pytest

from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import (
    Equipment,
    InjuryArea,
    Profile,
    Program,
    ProgramInvalid,
    Severity,
    Violation,
    WeakPoint,
    WeakPointAnalysis,
)
from programgen.pipeline.engine import build_program
from programgen.pipeline.validator import program_violations, validate_program
from tests.pipeline_support import make_profile

GOLFERS = make_profile(injury_note="golfer's elbow on the right, flares with close-grip pressing")
ELBOW = make_profile(injuries=[InjuryArea.ELBOW])
SHOULDER = make_profile(injuries=[InjuryArea.SHOULDER], equipment=[Equipment.MACHINES])


def swapped(program: Program, exercise_id: str, week: int = 0, day: int = 0) -> Program:
    """The program with the last exercise of one day replaced by another catalog entry."""
    entry = CATALOG[exercise_id]
    w = program.weeks[week]
    days = list(w.days)
    exercises = list(days[day].exercises)
    exercises[-1] = exercises[-1].model_copy(update={"exercise_id": entry.id, "name": entry.name})
    days[day] = days[day].model_copy(update={"exercises": exercises})
    weeks = list(program.weeks)
    weeks[week] = w.model_copy(update={"days": days})
    return program.model_copy(update={"weeks": weeks})


def injury_violations(program: Program, profile: Profile) -> list[Violation]:
    found = program_violations(program, profile)
    with pytest.raises(ProgramInvalid):
        validate_program(program, profile)
    return [v for v in found if v.rule == "injuries"]


def has(found: list[Violation], field: str, text: str) -> bool:
    return any(v.field.startswith(field) and text in v.description for v in found)


@pytest.mark.parametrize("profile", [GOLFERS, ELBOW, SHOULDER])
def test_the_engine_programs_pass(profile: Profile) -> None:
    program = build_program(profile)
    assert [v for v in program_violations(program, profile) if v.rule == "injuries"] == []


def test_close_grip_bench_for_a_golfers_elbow_note_is_reported() -> None:
    broken = swapped(build_program(GOLFERS), "close_grip_bench_press")
    found = injury_violations(broken, GOLFERS)
    assert has(found, "weeks[0].days[0].exercises", "close_grip_bench_press is contraindicated")
    assert has(found, "weeks[0].days[0].exercises", "elbow")


@pytest.mark.parametrize("dip", ["machine_dip", "bench_dip", "chair_dip"])
def test_dips_for_an_elbow_injury_are_reported(dip: str) -> None:
    broken = swapped(build_program(ELBOW), dip)
    found = injury_violations(broken, ELBOW)
    assert has(found, "weeks[0].days[0].exercises", f"{dip} is contraindicated for an elbow")


def test_a_push_up_beside_an_available_machine_press_is_reported() -> None:
    broken = swapped(build_program(SHOULDER), "push_up")
    found = injury_violations(broken, SHOULDER)
    assert has(found, "weeks[0].days[0].exercises", "machine_chest_press")
    assert has(found, "weeks[0].days[0].exercises", "caution for the injured shoulder")


def test_a_weak_point_or_note_naming_an_excluded_exercise_is_reported() -> None:
    profile = GOLFERS.model_copy(update={"lifts": []})
    program = build_program(profile)
    finding = WeakPoint(
        ratio_name="bench_press/squat",
        ratio=0.5,
        band_low=0.6,
        band_high=0.8,
        severity=Severity.MODERATE,
        finding="the bench press lags: add Close-Grip Bench Press",
        muscles=[],
        exercise_ids=[],
        extra_weekly_sets=0,
        reassess_week=1,
    )
    weak = WeakPointAnalysis(findings=[finding])
    broken = program.model_copy(update={"weak_points": weak})
    found = injury_violations(broken, profile)
    assert has(found, "weak_points.findings[0].finding", "close_grip_bench_press")

    w = program.weeks[0]
    day = w.days[0]
    first = day.exercises[0].model_copy(update={"notes": "Later: Machine Dip for triceps."})
    days = [day.model_copy(update={"exercises": [first, *day.exercises[1:]]}), *w.days[1:]]
    noted = program.model_copy(
        update={"weeks": [w.model_copy(update={"days": days}), *program.weeks[1:]]}
    )
    assert has(
        injury_violations(noted, profile), "weeks[0].days[0].exercises[0].notes", "machine_dip"
    )


def test_an_unexplained_injury_or_a_missing_pain_rule_is_reported() -> None:
    program = build_program(ELBOW)
    assert program.pain_rule and program.injury_adjustments
    silent = program.model_copy(update={"injury_adjustments": [], "pain_rule": ""})
    found = injury_violations(silent, ELBOW)
    assert has(found, "injury_adjustments", "elbow")
    assert has(found, "pain_rule", "pain-monitoring rule")
