"""The validator catches each broken invariant: one hand-broken program per invariant.

Each test takes a valid program, breaks exactly one thing with model_copy(update=...)
(keeping derived fields consistent where that is not the point), and asserts the
matching violation is reported, so a validator that accepts everything fails here.
"""

from __future__ import annotations

from typing import Any

import pytest

from programgen.pipeline.accounting import muscle_sets, session_minutes, week_hard_sets
from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import (
    Equipment,
    InjuryArea,
    Muscle,
    Phase,
    Profile,
    Program,
    ProgramInvalid,
    Readiness,
    TrainingDay,
    Violation,
    Week,
)
from programgen.pipeline.engine import build_program
from programgen.pipeline.validator import program_violations, validate_program
from tests.pipeline_support import lifts, make_profile

PROFILE = make_profile(session_minutes=90, program_weeks=5)


@pytest.fixture(scope="module")
def program() -> Program:
    return build_program(PROFILE)


def recount(week: Week, days: list[TrainingDay] | None = None, **update: Any) -> Week:
    """A week with new days whose derived fields (minutes, weekly sets) are consistent."""
    days = [
        d.model_copy(update={"estimated_minutes": session_minutes(d.exercises)})
        for d in (week.days if days is None else days)
    ]
    draft = week.model_copy(update={"days": days, **update})
    return draft.model_copy(update={"weekly_sets": muscle_sets(week_hard_sets(draft))})


def with_week(program: Program, index: int, week: Week) -> Program:
    weeks = list(program.weeks)
    weeks[index] = week
    return program.model_copy(update={"weeks": weeks})


def with_exercise(
    program: Program, week: int, day: int, index: int, *, derived: bool = True, **update: Any
) -> Program:
    """One exercise changed; with `derived`, minutes and weekly sets follow the change."""
    w = program.weeks[week]
    days = list(w.days)
    exercises = list(days[day].exercises)
    exercises[index] = exercises[index].model_copy(update=update)
    days[day] = days[day].model_copy(update={"exercises": exercises})
    changed = recount(w, days) if derived else w.model_copy(update={"days": days})
    return with_week(program, week, changed)


def violations(program: Program, profile: Profile = PROFILE) -> list[Violation]:
    found = program_violations(program, profile)
    with pytest.raises(ProgramInvalid) as caught:
        validate_program(program, profile)
    assert caught.value.violations == found
    return found


def reported(found: list[Violation], field: str, text: str) -> bool:
    return any(v.field == field and text in v.description for v in found)


def find(program: Program, week: int, muscle: Muscle) -> tuple[int, int]:
    """(day, exercise index) of the first exercise in `week` whose primary is `muscle`."""
    for d, day in enumerate(program.weeks[week].days):
        for i, ex in enumerate(day.exercises):
            if CATALOG[ex.exercise_id].primary is muscle:
                return d, i
    raise AssertionError(f"{muscle} not trained in week {week}")


# --------------------------------------------------------------------------- baseline


def test_the_unbroken_program_is_valid(program: Program) -> None:
    assert program_violations(program, PROFILE) == []
    validate_program(program, PROFILE)


# --------------------------------------------------------------------------- structure


def test_weeks_as_requested(program: Program) -> None:
    broken = program.model_copy(update={"weeks": program.weeks[:-1]})
    found = violations(broken)
    assert reported(found, "weeks", "asked for 5")
    assert reported(found, "periodization.total_weeks", "program has 4")


def test_training_days_as_requested(program: Program) -> None:
    week = program.weeks[1]
    broken = with_week(program, 1, recount(week, week.days[:-1]))
    assert reported(violations(broken), "weeks[1].days", "asked for 4")


def test_deload_is_the_last_week(program: Program) -> None:
    broken = with_week(
        program, 4, program.weeks[4].model_copy(update={"phase": Phase.ACCUMULATION})
    )
    assert reported(violations(broken), "weeks[4].phase", "ends with a deload or a taper")
    assert reported(violations(broken), "periodization.deload_week", "expected 0")


# --------------------------------------------------------------------------- exercises


def test_only_available_equipment(program: Program) -> None:
    profile = make_profile(
        session_minutes=90, program_weeks=5, equipment=[Equipment.DUMBBELLS, Equipment.BENCH]
    )
    valid = build_program(profile)
    assert program_violations(valid, profile) == []
    broken = with_exercise(
        valid, 0, 0, 0, exercise_id="barbell_bench_press", name="Barbell Bench Press"
    )
    found = violations(broken, profile)
    assert reported(found, "weeks[0].days[0].exercises[0].exercise_id", "needs equipment barbell")


def test_nothing_contraindicated() -> None:
    profile = make_profile(session_minutes=90, program_weeks=5, injuries=[InjuryArea.KNEE])
    valid = build_program(profile)
    assert program_violations(valid, profile) == []
    broken = with_exercise(
        valid, 0, 0, 0, exercise_id="barbell_back_squat", name="Barbell Back Squat"
    )
    found = violations(broken, profile)
    assert reported(found, "weeks[0].days[0].exercises[0].exercise_id", "contraindicated")


def test_catalog_ids_exist(program: Program) -> None:
    broken = with_exercise(
        program, 0, 0, 1, derived=False, exercise_id="made_up_press", name="Made Up"
    )
    found = violations(broken)
    assert reported(found, "weeks[0].days[0].exercises[1].exercise_id", "unknown exercise")


def test_names_match_the_catalog(program: Program) -> None:
    broken = with_exercise(program, 2, 1, 0, name="Something Else Entirely")
    assert reported(violations(broken), "weeks[2].days[1].exercises[0].name", "catalog name")


def test_first_exercise_each_day_is_compound(program: Program) -> None:
    week = program.weeks[0]
    day = week.days[0]
    exercises = [day.exercises[-1], *day.exercises[:-1]]  # an isolation now opens the day
    days = [day.model_copy(update={"exercises": exercises}), *week.days[1:]]
    broken = with_week(program, 0, recount(week, days))
    assert reported(violations(broken), "weeks[0].days[0].exercises[0].exercise_id", "compound")


def test_session_fits_its_time_budget(program: Program) -> None:
    broken = with_exercise(program, 0, 0, 0, rest_seconds=3600)
    found = violations(broken)
    assert reported(found, "weeks[0].days[0].estimated_minutes", "over the 90 min budget")


def test_estimated_minutes_match_the_sets_and_rests(program: Program) -> None:
    week = program.weeks[0]
    days = [week.days[0].model_copy(update={"estimated_minutes": 1}), *week.days[1:]]
    broken = with_week(program, 0, week.model_copy(update={"days": days}))
    assert reported(violations(broken), "weeks[0].days[0].estimated_minutes", "add up to")


# --------------------------------------------------------------------------- volume


def test_weekly_sets_match_the_exercises(program: Program) -> None:
    week = program.weeks[0]
    weekly = [ms.model_copy(update={"sets": ms.sets + 1}) for ms in week.weekly_sets]
    broken = with_week(program, 0, week.model_copy(update={"weekly_sets": weekly}))
    assert reported(violations(broken), "weeks[0].weekly_sets", "do not match")


def test_major_muscles_reach_mv(program: Program) -> None:
    # One set per back exercise in every accumulation week: trained, but under MV (the old
    # rule was MEV for trained muscles; coverage is now >= MV for every major muscle).
    weeks = list(program.weeks)
    for w in range(4):
        days = [
            d.model_copy(
                update={
                    "exercises": [
                        ex.model_copy(update={"sets": 1})
                        if CATALOG[ex.exercise_id].primary is Muscle.BACK
                        else ex
                        for ex in d.exercises
                    ]
                }
            )
            for d in weeks[w].days
        ]
        weeks[w] = recount(weeks[w], days)
    broken = program.model_copy(update={"weeks": weeks})
    assert reported(
        violations(broken), "weeks[0].weekly_sets.back", "below back's maintenance volume of 7"
    )


def test_no_muscle_above_mrv(program: Program) -> None:
    d, i = find(program, 3, Muscle.CHEST)
    broken = with_exercise(program, 3, d, i, sets=40, rest_seconds=1)
    assert reported(violations(broken), "weeks[3].weekly_sets.chest", "above chest's MRV")


def test_volume_never_falls_during_accumulation(program: Program) -> None:
    # Week 1 gets the peak week's days, so week 2 has less volume than week 1.
    peak = program.weeks[3]
    broken = with_week(program, 0, recount(program.weeks[0], peak.days))
    found = violations(broken)
    assert any(
        v.field.startswith("weeks[1].weekly_sets.") and "falls" in v.description for v in found
    )


def test_deload_volume_at_most_60_percent(program: Program) -> None:
    deload = program.weeks[4]
    broken = with_week(program, 4, recount(deload, program.weeks[3].days))
    assert any(
        v.field.startswith("weeks[4].weekly_sets.") and "deload has" in v.description
        for v in violations(broken)
    )


def test_individual_mrv_at_most_1_2_times_reference(program: Program) -> None:
    landmarks = list(program.landmarks)
    landmarks[0] = landmarks[0].model_copy(update={"mrv": 100})
    broken = program.model_copy(update={"landmarks": landmarks})
    assert reported(violations(broken), "landmarks[0].mrv", "exceeds 1.2 x")


def test_landmarks_stay_ordered(program: Program) -> None:
    landmarks = list(program.landmarks)
    landmarks[1] = landmarks[1].model_copy(update={"mev": landmarks[1].mrv + 1})
    broken = program.model_copy(update={"landmarks": landmarks})
    assert reported(violations(broken), "landmarks[1]", "MV <= MEV <= MAV <= MRV")


# --------------------------------------------------------------------------- intensity


def test_rpe_within_5_to_10(program: Program) -> None:
    broken = with_week(
        program, 0, program.weeks[0].model_copy(update={"target_rpe": 11.0, "target_rir": -1})
    )
    assert reported(violations(broken), "weeks[0].target_rpe", "outside 5.0-10.0")


def test_rpe_never_falls_during_accumulation(program: Program) -> None:
    broken = with_week(
        program, 2, program.weeks[2].model_copy(update={"target_rpe": 5.0, "target_rir": 5})
    )
    assert reported(violations(broken), "weeks[2].target_rpe", "RPE falls")


def test_rpe_matches_rir(program: Program) -> None:
    broken = with_week(program, 1, program.weeks[1].model_copy(update={"target_rir": 0}))
    assert reported(violations(broken), "weeks[1].target_rpe", "RPE = 10 - RIR")


def test_deload_rpe_at_most_6(program: Program) -> None:
    broken = with_week(
        program, 4, program.weeks[4].model_copy(update={"target_rpe": 8.0, "target_rir": 2})
    )
    assert reported(violations(broken), "weeks[4].target_rpe", "deload RPE 8.0")


def test_every_exercise_runs_at_its_weeks_rpe(program: Program) -> None:
    week = program.weeks[1]
    broken = with_exercise(program, 1, 0, 0, target_rpe=10.0, target_rir=0)
    found = violations(broken)
    assert reported(found, "weeks[1].days[0].exercises[0].target_rpe", "differs from the week")
    assert any(f"RPE {week.target_rpe}" in v.description for v in found if v.rule == "intensity")


def test_every_exercise_runs_at_its_weeks_rir(program: Program) -> None:
    # RPE kept, RIR changed: the two must both match the week.
    broken = with_exercise(program, 0, 1, 2, target_rir=0)
    assert reported(
        violations(broken), "weeks[0].days[1].exercises[2].target_rpe", "differs from the week"
    )


def test_an_exercise_rpe_may_not_fall_below_its_week(program: Program) -> None:
    broken = with_exercise(program, 3, 0, 0, target_rpe=5.0, target_rir=5)
    assert reported(
        violations(broken), "weeks[3].days[0].exercises[0].target_rpe", "differs from the week"
    )


def test_high_readiness_may_not_push_past_rpe_10(program: Program) -> None:
    high = program.autoregulation[0]
    assert high.readiness is Readiness.HIGH
    top = max(w.target_rpe for w in program.weeks)
    assert top + high.rpe_delta <= 10  # the engine's own table fits
    table = list(program.autoregulation)
    table[0] = high.model_copy(update={"rpe_delta": 10.5 - top})
    broken = program.model_copy(update={"autoregulation": table})
    assert reported(violations(broken), "autoregulation[0].rpe_delta", "past 10")


def test_deload_exercise_rpe_at_most_6(program: Program) -> None:
    broken = with_exercise(program, 4, 0, 0, target_rpe=9.0)
    assert reported(violations(broken), "weeks[4].days[0].exercises[0].target_rpe", "deload RPE")


def test_loads_are_plate_multiples() -> None:
    profile = make_profile(session_minutes=90, program_weeks=5, lifts=lifts(bench_press=100))
    valid = build_program(profile)
    d, i = next(
        (d, i)
        for d, day in enumerate(valid.weeks[0].days)
        for i, ex in enumerate(day.exercises)
        if ex.load is not None
    )
    broken = with_exercise(valid, 0, d, i, load=61.3)
    assert reported(violations(broken, profile), f"weeks[0].days[{d}].exercises[{i}].load", "2.5")


# --------------------------------------------------------------------------- weak points


def _weak_profile() -> Profile:
    return make_profile(session_minutes=90, program_weeks=5, lifts=lifts(squat=180, bench_press=90))


def test_flagged_weak_points_get_their_extra_sets() -> None:
    profile = _weak_profile()
    valid = build_program(profile)
    assert program_violations(valid, profile) == []
    finding = valid.weak_points.findings[0]
    assert finding.extra_weekly_sets > 0
    bigger = finding.model_copy(update={"extra_weekly_sets": finding.extra_weekly_sets + 8})
    broken = valid.model_copy(
        update={"weak_points": valid.weak_points.model_copy(update={"findings": [bigger]})}
    )
    found = violations(broken, profile)
    assert any("weak point bench_press/squat" in v.description for v in found)


def test_weak_point_with_muscles_needs_extra_sets() -> None:
    profile = _weak_profile()
    valid = build_program(profile)
    finding = valid.weak_points.findings[0].model_copy(update={"extra_weekly_sets": 0})
    broken = valid.model_copy(
        update={"weak_points": valid.weak_points.model_copy(update={"findings": [finding]})}
    )
    assert reported(
        violations(broken, profile), "weak_points.findings[0].extra_weekly_sets", "extra weekly"
    )


def test_weak_point_exercises_must_be_available() -> None:
    profile = make_profile(
        session_minutes=90,
        program_weeks=5,
        equipment=[Equipment.DUMBBELLS, Equipment.BENCH],
        lifts=lifts(squat=180, bench_press=90),
    )
    valid = build_program(profile)
    finding = valid.weak_points.findings[0].model_copy(
        update={"exercise_ids": ["barbell_bench_press"]}
    )
    broken = valid.model_copy(
        update={"weak_points": valid.weak_points.model_copy(update={"findings": [finding]})}
    )
    assert reported(
        violations(broken, profile), "weak_points.findings[0].exercise_ids", "not available"
    )


def test_every_exercise_prescribes_at_least_one_set(program: Program) -> None:
    broken = with_exercise(program, 1, 1, 1, sets=0)
    assert reported(violations(broken), "weeks[1].days[1].exercises[1].sets", "at least 1")


def test_a_day_needs_exercises(program: Program) -> None:
    week = program.weeks[0]
    days = [week.days[0].model_copy(update={"exercises": [], "estimated_minutes": 5})]
    broken = with_week(program, 0, week.model_copy(update={"days": days + list(week.days[1:])}))
    assert reported(violations(broken), "weeks[0].days[0].exercises", "without exercises")
