"""Coverage, session time, warm-ups, supersets and goal rules (docs/science.md).

Validator rules: each test builds a valid program, breaks one thing by hand and asserts
the validator names that rule, so a validator that accepts everything fails here. Expert
cases and a bounded property test check what the engine builds.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings

from programgen.pipeline.accounting import (
    MAJOR_MUSCLES,
    coverage_floor,
    muscle_sets,
    session_minutes,
    week_hard_sets,
)
from programgen.pipeline.catalog import CATALOG, Category, Pattern
from programgen.pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    InjuryArea,
    Muscle,
    PrescribedExercise,
    Profile,
    Program,
    TrainingDay,
    Week,
)
from programgen.pipeline.engine import build_program
from programgen.pipeline.session_time import TimedItem, session_seconds
from programgen.pipeline.validator import program_violations
from programgen.pipeline.warmups import warmup_scheme
from tests.pipeline_support import FULL_GYM, lifts, make_profile, valid_profiles

# --------------------------------------------------------------------------- helpers


def recount(week: Week, days: list[TrainingDay]) -> Week:
    """The week with new days whose minutes and weekly sets are consistent again."""
    fixed = [d.model_copy(update={"estimated_minutes": session_minutes(d.exercises)}) for d in days]
    draft = week.model_copy(update={"days": fixed})
    return draft.model_copy(update={"weekly_sets": muscle_sets(week_hard_sets(draft))})


def edit_days(program: Program, week: int, edit: Any) -> Program:
    """Apply edit(day) -> list of exercises to every day of one week, derived fields kept."""
    w = program.weeks[week]
    days = [d.model_copy(update={"exercises": edit(d)}) for d in w.days]
    weeks = list(program.weeks)
    weeks[week] = recount(w, days)
    return program.model_copy(update={"weeks": weeks})


def rules(program: Program, profile: Profile) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for v in program_violations(program, profile):
        out.setdefault(v.rule, []).append(f"{v.field}: {v.description}")
    return out


def category(ex: PrescribedExercise) -> Category:
    return CATALOG[ex.exercise_id].category


def counted(program: Program, week: int) -> dict[Muscle, float]:
    return week_hard_sets(program.weeks[week])


# Sessions this short may not fit every goal and muscle at MV (then stated as a shortfall).
SHORTEST = 35

HYPERTROPHY = make_profile(session_minutes=60, days_per_week=3)
POWER = make_profile(
    goal=Goal.ATHLETIC_POWER,
    equipment=[Equipment.KETTLEBELLS, Equipment.BANDS],
    days_per_week=3,
    session_minutes=45,
)
OLDER = make_profile(
    goal=Goal.GENERAL_FITNESS,
    age=70,
    equipment=[Equipment.MACHINES],
    injuries=[InjuryArea.KNEE, InjuryArea.SHOULDER],
    days_per_week=3,
    session_minutes=45,
)
FAT_LOSS = make_profile(
    goal=Goal.FAT_LOSS,
    equipment=[Equipment.DUMBBELLS],
    injuries=[InjuryArea.WRIST],
    days_per_week=3,
    session_minutes=45,
)
PEAK = make_profile(
    goal=Goal.POWERLIFTING_PEAK,
    experience=Experience.ADVANCED,
    days_per_week=2,
    session_minutes=45,
    lifts=lifts(squat=200, bench_press=140, deadlift=240),
)
BODYWEIGHT = make_profile(days_per_week=2, session_minutes=30, equipment=[])
BEGINNER_GYM = make_profile(experience=Experience.BEGINNER, days_per_week=2, session_minutes=30)


@pytest.fixture(scope="module")
def built() -> dict[str, Program]:
    cases = {
        "hypertrophy": HYPERTROPHY,
        "power": POWER,
        "older": OLDER,
        "fat_loss": FAT_LOSS,
        "peak": PEAK,
        "bodyweight": BODYWEIGHT,
        "beginner_gym": BEGINNER_GYM,
    }
    return {name: build_program(p) for name, p in cases.items()}


# --------------------------------------------------------------------------- validator


def test_the_unbroken_programs_are_valid(built: dict[str, Program]) -> None:
    profiles = {"hypertrophy": HYPERTROPHY, "power": POWER, "older": OLDER}
    for name, profile in profiles.items():
        assert program_violations(built[name], profile) == []


def test_a_muscle_removed_from_a_week_breaks_coverage(built: dict[str, Program]) -> None:
    def no_hamstrings(day: TrainingDay) -> list[PrescribedExercise]:
        return [
            ex for ex in day.exercises if CATALOG[ex.exercise_id].primary is not Muscle.HAMSTRINGS
        ]

    broken = edit_days(built["hypertrophy"], 1, no_hamstrings)
    found = rules(broken, HYPERTROPHY)
    assert any("weeks[1].weekly_sets.hamstrings" in v for v in found["coverage"])


def test_a_stated_shortfall_is_not_silent(built: dict[str, Program]) -> None:
    def no_hamstrings(day: TrainingDay) -> list[PrescribedExercise]:
        return [
            ex for ex in day.exercises if CATALOG[ex.exercise_id].primary is not Muscle.HAMSTRINGS
        ]

    broken = edit_days(built["hypertrophy"], 1, no_hamstrings)
    stated = broken.model_copy(update={"shortfalls": ["hamstrings: sessions too short"]})
    assert "coverage" not in rules(stated, HYPERTROPHY)


def test_sets_past_the_minutes_break_session_time(built: dict[str, Program]) -> None:
    def inflate(day: TrainingDay) -> list[PrescribedExercise]:
        return [ex.model_copy(update={"sets": ex.sets + 4}) for ex in day.exercises]

    broken = edit_days(built["hypertrophy"], 0, inflate)
    found = rules(broken, HYPERTROPHY)
    assert any("over the 60 min budget" in v for v in found["session_time"])


def test_dropped_warmups_are_reported(built: dict[str, Program]) -> None:
    def strip(day: TrainingDay) -> list[PrescribedExercise]:
        return [ex.model_copy(update={"warmup_sets": []}) for ex in day.exercises]

    broken = edit_days(built["hypertrophy"], 0, strip)
    assert "warmups" in rules(broken, HYPERTROPHY)


def test_power_work_missing_or_after_strength_is_reported(built: dict[str, Program]) -> None:
    def without(day: TrainingDay) -> list[PrescribedExercise]:
        return [ex for ex in day.exercises if category(ex) is not Category.POWER]

    def last(day: TrainingDay) -> list[PrescribedExercise]:
        power = [ex for ex in day.exercises if category(ex) is Category.POWER]
        return [ex for ex in day.exercises if category(ex) is not Category.POWER] + power

    found = rules(edit_days(built["power"], 0, without), POWER)
    assert any("no power work" in v for v in found["goal_fit"])
    found = rules(edit_days(built["power"], 0, last), POWER)
    assert any("after strength" in v for v in found["goal_fit"])


def test_balance_and_conditioning_missing_are_reported(built: dict[str, Program]) -> None:
    def only_strength(day: TrainingDay) -> list[PrescribedExercise]:
        return [ex for ex in day.exercises if category(ex) in (Category.STRENGTH, Category.POWER)]

    found = rules(edit_days(built["older"], 0, only_strength), OLDER)
    assert any("balance" in v for v in found["goal_fit"])
    found = rules(edit_days(built["fat_loss"], 0, only_strength), FAT_LOSS)
    assert any("conditioning" in v for v in found["goal_fit"])


def test_a_day_opening_with_good_mornings_breaks_the_anchor_rule(built: dict[str, Program]) -> None:
    gm = CATALOG["good_morning"]

    def open_with_gm(day: TrainingDay) -> list[PrescribedExercise]:
        first = day.exercises[0].model_copy(update={"exercise_id": gm.id, "name": gm.name})
        return [first, *day.exercises[1:]]

    broken = edit_days(built["hypertrophy"], 0, open_with_gm)
    assert "anchor" in rules(broken, HYPERTROPHY)


def test_supersets_must_be_adjacent_and_spare_power_work(built: dict[str, Program]) -> None:
    def split_pair(day: TrainingDay) -> list[PrescribedExercise]:
        ex = list(day.exercises)
        ex[0] = ex[0].model_copy(update={"superset": "Z"})
        ex[-1] = ex[-1].model_copy(update={"superset": "Z"})
        return ex

    found = rules(edit_days(built["power"], 0, split_pair), POWER)
    assert any("not adjacent" in v for v in found["supersets"])
    assert any("fully rested" in v for v in found["supersets"])


def test_a_beginner_with_three_squat_variants_is_reported() -> None:
    profile = make_profile(experience=Experience.BEGINNER, days_per_week=3, session_minutes=60)
    program = build_program(profile)
    variants = ["front_squat", "hack_squat"]

    def more_squats(day: TrainingDay) -> list[PrescribedExercise]:
        ex = list(day.exercises)
        for k, e in enumerate(ex):
            if CATALOG[e.exercise_id].pattern is Pattern.SQUAT and variants:
                new = CATALOG[variants.pop()]
                ex[k] = e.model_copy(update={"exercise_id": new.id, "name": new.name})
        return ex

    assert "beginner_variety" in rules(edit_days(program, 0, more_squats), profile)


def test_a_peak_without_deadlifts_one_week_is_reported(built: dict[str, Program]) -> None:
    def no_deadlift(day: TrainingDay) -> list[PrescribedExercise]:
        return [ex for ex in day.exercises if ex.exercise_id != "conventional_deadlift"]

    found = rules(edit_days(built["peak"], 2, no_deadlift), PEAK)
    assert any("conventional_deadlift" in v for v in found["competition_lifts"])


def test_fractional_weekly_sets_must_match(built: dict[str, Program]) -> None:
    program = built["hypertrophy"]
    week = program.weeks[0]
    wrong = [ms.model_copy(update={"hard_sets": ms.hard_sets + 0.5}) for ms in week.weekly_sets]
    weeks = [week.model_copy(update={"weekly_sets": wrong}), *program.weeks[1:]]
    broken = program.model_copy(update={"weeks": weeks})
    assert "weekly_sets" in rules(broken, HYPERTROPHY)


# --------------------------------------------------------------------------- accounting


def test_secondary_muscles_count_half_a_set() -> None:
    counts = dict.fromkeys(Muscle, 0.0)
    counts.update({Muscle.CHEST: 3.0, Muscle.TRICEPS: 1.5, Muscle.FRONT_DELTS: 1.5})
    day = TrainingDay(day=1, focus="x", exercises=[], estimated_minutes=0)
    bench = PrescribedExercise(
        exercise_id="barbell_bench_press",
        name="Barbell Bench Press",
        sets=3,
        reps_min=5,
        reps_max=5,
        target_rpe=8,
        target_rir=2,
        rest_seconds=120,
    )
    week = Week(
        week=1,
        phase="accumulation",
        target_rpe=8,
        target_rir=2,
        days=[day.model_copy(update={"exercises": [bench]})],
        weekly_sets=[],
    )
    assert week_hard_sets(week) == counts


def test_supersets_save_rest_and_unilateral_work_counts_both_sides() -> None:
    straight = [
        TimedItem("barbell_bench_press", 3, 8, 120),
        TimedItem("barbell_row", 3, 8, 120),
    ]
    paired = [TimedItem(i.exercise_id, i.sets, i.reps, i.rest_seconds, "A") for i in straight]
    assert session_seconds(paired) < session_seconds(straight)
    one_side = session_seconds([TimedItem("tandem_walk", 3, 10, 60)])
    both = session_seconds([TimedItem("single_leg_balance_reach", 3, 10, 60)])
    assert both > one_side
    squat = session_seconds([TimedItem("dumbbell_goblet_squat", 3, 10, 60)])
    assert session_seconds([TimedItem("bulgarian_split_squat", 3, 10, 60)]) > squat


# --------------------------------------------------------------------------- expert cases


def majors_covered(program: Program, skip: set[str] | None = None) -> None:
    for i, week in enumerate(program.weeks):
        short = (week.phase == "deload", week.phase == "taper")  # their own floors
        floors = {lm.muscle: coverage_floor(lm, *short) for lm in program.landmarks}
        got = counted(program, i)
        for m in MAJOR_MUSCLES:
            if m.value in (skip or set()):
                continue
            assert got[m] >= floors[m], (i, m, got[m], floors[m])


def fits(program: Program, minutes: int) -> None:
    for week in program.weeks:
        for day in week.days:
            assert session_minutes(day.exercises) == day.estimated_minutes <= minutes


def test_two_short_bodyweight_sessions_cover_every_major_muscle(built: dict[str, Program]) -> None:
    program = built["bodyweight"]
    majors_covered(program)
    fits(program, 30)
    assert program.shortfalls == []


def test_two_short_full_gym_sessions_press_hinge_and_pull(built: dict[str, Program]) -> None:
    program = built["beginner_gym"]
    majors_covered(program)
    fits(program, 30)
    for week in program.weeks:
        patterns = {CATALOG[ex.exercise_id].pattern for d in week.days for ex in d.exercises}
        assert {Pattern.HORIZONTAL_PUSH, Pattern.HINGE, Pattern.SQUAT} <= patterns
        assert patterns & {Pattern.HORIZONTAL_PULL, Pattern.VERTICAL_PULL}


def test_short_peak_trains_the_competition_lifts_every_week(built: dict[str, Program]) -> None:
    program = built["peak"]
    for week in program.weeks:
        ids = {ex.exercise_id for d in week.days for ex in d.exercises}
        assert {"barbell_back_squat", "barbell_bench_press", "conventional_deadlift"} <= ids
    fits(program, 45)


def test_athletic_power_opens_every_day_with_power_work(built: dict[str, Program]) -> None:
    for week in built["power"].weeks:
        for day in week.days:
            first = day.exercises[0]
            assert category(first) is Category.POWER
            assert first.reps_max <= 6 and first.rest_seconds >= 120 and not first.superset


def test_a_seventy_year_old_gets_balance_and_gentle_power(built: dict[str, Program]) -> None:
    for week in built["older"].weeks:
        for day in week.days:
            kinds = [category(ex) for ex in day.exercises]
            assert Category.BALANCE in kinds
            assert kinds[0] is Category.POWER
            assert day.exercises[0].exercise_id == "fast_chair_stand"
    majors_covered(built["older"])


def test_fat_loss_gets_conditioning(built: dict[str, Program]) -> None:
    for week in built["fat_loss"].weeks:
        for day in week.days:
            kinds = {category(ex) for ex in day.exercises}
            assert kinds & {Category.CONDITIONING, Category.CARRY}
            ids = {ex.exercise_id for ex in day.exercises}
            assert not ids & {"burpee", "mountain_climber"}  # wrist injury


def test_warmups_are_prescribed_with_loads_for_the_first_heavy_lift() -> None:
    profile = make_profile(
        goal=Goal.GENERAL_STRENGTH, equipment=FULL_GYM, lifts=lifts(squat=140, bench_press=100)
    )
    program = build_program(profile)
    for week in program.weeks:
        for day in week.days:
            first = next(ex for ex in day.exercises if CATALOG[ex.exercise_id].compound)
            expected = warmup_scheme(first.exercise_id, first.reps_max, True)
            assert [(w.reps, w.percent_of_working) for w in first.warmup_sets] == list(expected)
            if first.load is not None:
                assert all(w.load is not None and w.load <= first.load for w in first.warmup_sets)


# --------------------------------------------------------------------------- property


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(valid_profiles())
# Found by this test: a 1 kg bench e1RM swapped the bench press for a kettlebell floor
# press, which credits no front delts, after the plan had counted the bench's.
@example(
    make_profile(
        experience=Experience.BEGINNER,
        days_per_week=2,
        session_minutes=30,
        equipment=[Equipment.BARBELL, Equipment.BENCH, Equipment.KETTLEBELLS],
        age=13,
        sex=None,
        bodyweight=30.0,
        sleep_hours=3.0,
        stress=1,
        lifts=lifts(bench_press=1),
    )
)
def test_every_major_muscle_is_covered_and_every_session_fits(profile: Profile) -> None:
    program = build_program(profile)
    # A shortfall is stated, never silent, and only where it cannot be helped: no exercise
    # the equipment and injuries leave trains the muscle, or the shortest sessions.
    for text in program.shortfalls:
        assert "no exercise" in text or profile.session_minutes <= SHORTEST, text
    stated = {s.split(":")[0].replace(" ", "_") for s in program.shortfalls}
    majors_covered(program, skip=stated)
    fits(program, profile.session_minutes)


def test_per_side_exercises_exist_in_the_catalog() -> None:
    from programgen.pipeline.session_time import _PER_SIDE

    assert set(CATALOG) >= _PER_SIDE
