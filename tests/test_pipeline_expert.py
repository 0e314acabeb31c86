"""Expert cases: what a coach would check in the programs for typical athletes."""

from __future__ import annotations

import math

from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    InjuryArea,
    Muscle,
    PeriodizationModel,
    Phase,
    Program,
    Severity,
    Sex,
    StrengthLevel,
    Unit,
)
from programgen.pipeline.engine import build_program
from tests.pipeline_support import FULL_GYM, lifts, make_profile


def exercises(program: Program) -> list[str]:
    return [ex.exercise_id for w in program.weeks for d in w.days for ex in d.exercises]


def sets(program: Program, week: int, muscle: Muscle) -> int:
    return next(ms.sets for ms in program.weeks[week].weekly_sets if ms.muscle is muscle)


def accumulation(program: Program) -> list[int]:
    return [i for i, w in enumerate(program.weeks) if w.phase is Phase.ACCUMULATION]


def test_beginner_three_days_full_gym_gets_linear_full_body() -> None:
    program = build_program(
        make_profile(experience=Experience.BEGINNER, days_per_week=3, session_minutes=60)
    )
    assert program.periodization.model is PeriodizationModel.LINEAR
    assert program.split == "full_body"
    for week in program.weeks:
        assert len(week.days) == 3
        assert all(day.focus.startswith("Full body") for day in week.days)
        for day in week.days:
            assert CATALOG[day.exercises[0].exercise_id].compound
    acc = accumulation(program)
    # Linear: reps on the main lifts fall week by week while RIR falls.
    first, last = program.weeks[acc[0]], program.weeks[acc[-1]]
    assert last.days[0].exercises[0].reps_max < first.days[0].exercises[0].reps_max
    # Beginners stop two reps short of failure (RPE 8), never at RPE 9-10.
    assert first.target_rir == 3 and last.target_rir == 2
    # The big muscles get more work at the end of accumulation than at its start.
    for muscle in (Muscle.CHEST, Muscle.BACK, Muscle.QUADS):
        assert sets(program, acc[-1], muscle) > sets(program, acc[0], muscle)


def test_advanced_six_day_powerlifting_peak_gets_a_block() -> None:
    profile = make_profile(
        goal=Goal.POWERLIFTING_PEAK,
        experience=Experience.ADVANCED,
        days_per_week=6,
        session_minutes=90,
        lifts=lifts(squat=220, bench_press=150, deadlift=260),
    )
    program = build_program(profile)
    p = program.periodization
    assert p.model is PeriodizationModel.BLOCK
    assert program.split == "push_pull_legs"
    # A peak ends in a taper and a test day, not a deload (docs/science.md).
    assert p.deload_week == 0 and p.total_weeks == len(program.weeks)
    phases = [w.phase for w in program.weeks]
    assert phases[0] is Phase.ACCUMULATION and Phase.INTENSIFICATION in phases
    assert phases[-2:] == [Phase.REALIZATION, Phase.TAPER]
    # The peak is at RPE 9, never RPE 10: no grinding maximal singles every session.
    peak_week = program.weeks[phases.index(Phase.REALIZATION)]
    assert peak_week.target_rir == 1
    e1rm = {e.lift: e.e1rm for e in program.analysis.lifts}
    main = [
        ex for day in peak_week.days for ex in day.exercises if CATALOG[ex.exercise_id].lift in e1rm
    ]
    # Realization: singles to triples on the competition lifts (the one of squat and
    # deadlift sharing a day with the other's heavy work runs 3 reps higher), assistance
    # stays higher.
    assert main and all(ex.reps_max <= 6 for ex in main)
    assert any(ex.reps_max <= 3 for ex in main)
    others = [ex for day in peak_week.days for ex in day.exercises if ex not in main]
    assert all(ex.reps_max > 3 for ex in others)
    for ex in main:
        lift = CATALOG[ex.exercise_id].lift
        assert lift is not None and ex.load is not None
        assert 0.75 * e1rm[lift] <= ex.load <= e1rm[lift]
    taper = program.weeks[-1]
    assert taper.phase is Phase.TAPER and taper.target_rpe >= 7
    assert program.test_day is not None and program.test_day.week == len(program.weeks)
    assert "Issurin" in p.rationale


def test_bodyweight_only_two_short_days() -> None:
    profile = make_profile(
        goal=Goal.GENERAL_FITNESS,
        experience=Experience.BEGINNER,
        days_per_week=2,
        session_minutes=30,
        equipment=[Equipment.BODYWEIGHT],
    )
    program = build_program(profile)
    for week in program.weeks:
        assert len(week.days) == 2
        for day in week.days:
            assert day.estimated_minutes <= 30
    for exercise_id in exercises(program):
        assert CATALOG[exercise_id].equipment == {Equipment.BODYWEIGHT}
    trained = {ms.muscle for ms in program.weeks[0].weekly_sets if ms.sets > 0}
    assert {Muscle.CHEST, Muscle.BACK, Muscle.QUADS} <= trained


def test_dumbbells_only_fat_loss() -> None:
    profile = make_profile(
        goal=Goal.FAT_LOSS,
        sex=Sex.FEMALE,
        days_per_week=3,
        session_minutes=45,
        equipment=[Equipment.DUMBBELLS],
        bodyweight=72,
    )
    program = build_program(profile)
    used = {eq for exercise_id in exercises(program) for eq in CATALOG[exercise_id].equipment}
    assert used <= {Equipment.DUMBBELLS, Equipment.BODYWEIGHT}
    assert Equipment.DUMBBELLS in used
    trained = {ms.muscle for ms in program.weeks[0].weekly_sets if ms.sets > 0}
    assert {Muscle.CHEST, Muscle.BACK, Muscle.QUADS, Muscle.HAMSTRINGS} <= trained
    rests = {ex.rest_seconds for w in program.weeks for d in w.days for ex in d.exercises}
    assert max(rests) <= 90  # fat loss keeps rests short


def test_shoulder_and_knee_injuries_get_nothing_contraindicated() -> None:
    profile = make_profile(injuries=[InjuryArea.SHOULDER, InjuryArea.KNEE], days_per_week=5)
    program = build_program(profile)
    used = set(exercises(program))
    for exercise_id in used:
        assert not CATALOG[exercise_id].contraindications & {InjuryArea.SHOULDER, InjuryArea.KNEE}
    assert not used & {"overhead_press", "barbell_back_squat", "pull_up", "leg_extension"}
    trained = {ms.muscle for ms in program.weeks[0].weekly_sets if ms.sets > 0}
    assert {Muscle.CHEST, Muscle.BACK, Muscle.QUADS} <= trained  # safe variants exist


def test_older_poor_sleeper_gets_lower_mrv_than_a_rested_25_year_old() -> None:
    older = build_program(make_profile(age=68, sleep_hours=5.0, stress=6))
    younger = build_program(make_profile(age=25, sleep_hours=8.0, stress=3))
    old = {lm.muscle: lm for lm in older.landmarks}
    young = {lm.muscle: lm for lm in younger.landmarks}
    for muscle in Muscle:
        assert old[muscle].mrv < young[muscle].mrv
        assert old[muscle].reference_mrv == young[muscle].reference_mrv
    # ... and that lower ceiling is respected week by week.
    for week in older.weeks:
        for ms in week.weekly_sets:
            assert ms.sets <= old[ms.muscle].mrv


def test_pound_units_give_loads_in_five_pound_steps() -> None:
    profile = make_profile(
        unit=Unit.LB,
        bodyweight=180,
        goal=Goal.GENERAL_STRENGTH,
        lifts=lifts(squat=(315, 5), bench_press=(225, 3), deadlift=405, overhead_press=(135, 5)),
    )
    program = build_program(profile)
    assert program.unit is Unit.LB and program.analysis.plate_increment == 5.0
    assert program.analysis.bodyweight_kg == round(180 * 0.45359237, 2)
    loads = [ex.load for w in program.weeks for d in w.days for ex in d.exercises if ex.load]
    assert loads
    assert all(math.isclose(load % 5, 0) for load in loads)


def test_no_lifts_known_means_unknown_level_no_weak_points_and_no_loads() -> None:
    program = build_program(make_profile(lifts=[]))
    assert program.analysis.strength_level is StrengthLevel.UNKNOWN
    assert program.analysis.lifts == []
    assert program.weak_points.findings == []
    assert program.weak_points.skipped_reason
    loads = [ex.load for w in program.weeks for d in w.days for ex in d.exercises]
    assert all(load is None for load in loads)


def test_six_lifts_with_a_lagging_bench() -> None:
    # bench/squat = 100/180 = 0.56, 7 % under the men's 0.60 floor; every other ratio is
    # inside its band (deadlift/squat 1.22, OHP/bench 0.65, row/bench 0.90).
    profile = make_profile(
        lifts=lifts(
            squat=180,
            bench_press=100,
            deadlift=220,
            overhead_press=65,
            barbell_row=90,
            pull_up=(20, 5),
        )
    )
    program = build_program(profile)
    assert len(program.analysis.lifts) == 6
    (finding,) = program.weak_points.findings
    assert finding.ratio_name == "bench_press/squat"
    assert finding.severity is Severity.MILD
    assert finding.muscles == [Muscle.CHEST, Muscle.TRICEPS]
    assert finding.extra_weekly_sets == 2
    assert finding.exercise_ids
    assert all(CATALOG[i].primary in finding.muscles for i in finding.exercise_ids)
    landmarks = {lm.muscle: lm for lm in program.landmarks}
    for i in accumulation(program):
        for muscle in finding.muscles:
            floor = min(landmarks[muscle].mrv, landmarks[muscle].mev + 2)
            assert sets(program, i, muscle) >= floor
    noted = [
        ex.notes for d in program.weeks[0].days for ex in d.exercises if "Weak point" in ex.notes
    ]
    assert noted


def test_a_severe_weak_point_in_a_woman_uses_the_womens_band() -> None:
    # bench/squat 0.50 is fine for a woman (0.45-0.65) but flags for a man (0.60-0.80).
    profile = make_profile(sex=Sex.FEMALE, bodyweight=62, lifts=lifts(squat=100, bench_press=50))
    assert build_program(profile).weak_points.findings == []
    man = build_program(profile.model_copy(update={"sex": Sex.MALE}))
    (finding,) = man.weak_points.findings
    assert finding.severity is Severity.MODERATE  # 0.50 is 17 % below 0.60


def test_full_gym_gets_barbell_anchors_for_strength() -> None:
    profile = make_profile(goal=Goal.GENERAL_STRENGTH, equipment=FULL_GYM)
    program = build_program(profile)
    firsts = {day.exercises[0].exercise_id for day in program.weeks[0].days}
    assert firsts & {"barbell_bench_press", "barbell_back_squat", "conventional_deadlift"}
