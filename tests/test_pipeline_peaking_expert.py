"""Expert cases for phases, peaking, loads and progressions: what a coach would check."""

from __future__ import annotations

import itertools
from typing import Any

from programgen.pipeline.analysis import BAR_WEIGHT
from programgen.pipeline.autoregulation import load_context
from programgen.pipeline.catalog import CATALOG, Category, Loading, Pattern
from programgen.pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    Lift,
    LoadKind,
    Muscle,
    Phase,
    Program,
    ProgressionKind,
    Week,
)
from programgen.pipeline.engine import build_program
from programgen.pipeline.peaking import HEAVY_REPS
from programgen.pipeline.progression import FIXED_LOADINGS, HINGE_MAX_REPS
from programgen.pipeline.validator import program_violations
from programgen.pipeline.variants import executable_exercise
from tests.pipeline_support import FULL_GYM, make_profile
from tests.test_pipeline_progression import BODYWEIGHT, PEAK, SMALL_LB


def own_sets(week: Week) -> list[tuple[Muscle, int]]:
    """Each muscle's own (primary) strength sets in a week, muscles in a fixed order."""
    sets = dict.fromkeys(Muscle, 0)
    for day in week.days:
        for ex in day.exercises:
            entry = CATALOG[ex.exercise_id]
            if entry.category is Category.STRENGTH:
                sets[entry.primary] += ex.sets
    return list(sets.items())


def every(program: Program) -> list[tuple[int, int, str, Any]]:
    return [
        (w.week, d.day, ex.exercise_id, ex)
        for w in program.weeks
        for d in w.days
        for ex in d.exercises
    ]


def test_lb_lifter_whose_e1rm_implies_a_sub_bar_load_gets_the_empty_bar() -> None:
    program = build_program(SMALL_LB)
    assert program_violations(program, SMALL_LB) == []
    bar = BAR_WEIGHT[SMALL_LB.unit]
    barbell = [
        ex
        for w in program.weeks
        for d in w.days
        for ex in d.exercises
        if CATALOG[ex.exercise_id].loading is Loading.BARBELL and ex.load is not None
    ]
    assert barbell and all(ex.load >= bar for ex in barbell)
    empty = [ex for ex in barbell if "Empty bar" in ex.notes]
    assert empty and all(ex.load == bar for ex in empty)
    # At the bar the reps are what the bar allows, a real range, not a lone number.
    assert all(ex.reps_min < ex.reps_max for ex in empty if ex.reps_max > 2)
    # An overhead-press e1RM of about 51 lb: the bar is most of it, so where the slot
    # holds an overhead press it moves to a lighter implement.
    ctx = load_context(SMALL_LB, program.analysis)
    swapped, note = executable_exercise("overhead_press", ctx)
    assert CATALOG[swapped].loading in (Loading.DUMBBELL, Loading.MACHINE)
    assert "empty bar" in note
    # Bench (e1RM about 68 lb) keeps the bar: the bar still allows 10+ reps.
    assert executable_exercise("barbell_bench_press", ctx) == ("barbell_bench_press", "")


def test_advanced_powerlifting_peak_two_days_of_45_minutes() -> None:
    program = build_program(PEAK)
    assert program_violations(program, PEAK) == []
    phases = [w.phase for w in program.weeks]
    assert phases[0] is Phase.ACCUMULATION
    assert Phase.INTENSIFICATION in phases and Phase.REALIZATION in phases
    assert phases[-1] is Phase.TAPER and Phase.DELOAD not in phases
    assert program.periodization.deload_week == 0
    # Taper: measured against the week before it (pipeline.peaking.TAPER_FRACTION), with
    # no MV floor to hold it up (a 1-2 week taper may sit below MV); intensity kept.
    totals = [sum(ex.sets for d in w.days for ex in d.exercises) for w in program.weeks]
    assert totals[-1] < totals[-2]
    for before, after in zip(own_sets(program.weeks[-2]), own_sets(program.weeks[-1]), strict=True):
        assert before[0] == after[0]
        assert after[1] <= max(0.75 * before[1], 2), (before, after)
    assert program.weeks[-1].target_rpe >= 7
    # Past accumulation no muscle climbs above its accumulation peak.
    acc = [w for w in program.weeks if w.phase is Phase.ACCUMULATION]
    for w in program.weeks[len(acc) :]:
        for ms in w.weekly_sets:
            assert ms.sets <= max(
                next(m.sets for m in a.weekly_sets if m.muscle is ms.muscle) for a in acc
            )
    # Heaviest squat and deadlift sets on different days in every heavy week.
    for w in program.weeks[len(acc) :]:
        for d in w.days:
            heavy = {
                CATALOG[ex.exercise_id].lift for ex in d.exercises if ex.reps_max <= HEAVY_REPS
            }
            assert not {Lift.SQUAT, Lift.DEADLIFT} <= heavy, (w.week, d.day)
    # The test day: squat, bench, deadlift, three rising attempts from the e1RM.
    test = program.test_day
    assert test is not None and test.week == len(program.weeks)
    assert [CATALOG[a.exercise_id].lift for a in test.attempts[::3]] == [
        Lift.SQUAT,
        Lift.BENCH_PRESS,
        Lift.DEADLIFT,
    ]
    e1rm = {e.lift: e.e1rm for e in program.analysis.lifts}
    for k in range(0, len(test.attempts), 3):
        opener, second, third = test.attempts[k : k + 3]
        assert opener.percent_e1rm == 92.0 and third.percent_e1rm == 101.0
        assert opener.load is not None and second.load is not None and third.load is not None
        assert opener.load < second.load < third.load
        lift = CATALOG[opener.exercise_id].lift
        assert lift is not None
        assert abs(third.load - 1.01 * e1rm[lift]) <= 2.5
    assert "coaching convention" in test.note


def test_bodyweight_only_beginner_progresses_by_reps_never_fewer_at_more_effort() -> None:
    program = build_program(BODYWEIGHT)
    assert program_violations(program, BODYWEIGHT) == []
    by_slot: dict[tuple[int, str], list[tuple[float, int, int]]] = {}
    for w in program.weeks:
        for d in w.days:
            for ex in d.exercises:
                assert ex.load is None and ex.load_kind is LoadKind.BODYWEIGHT
                assert ex.progression is not None
                assert ex.progression.kind in (ProgressionKind.REPS, ProgressionKind.VARIANT)
                by_slot.setdefault((d.day, ex.exercise_id), []).append(
                    (ex.target_rpe, ex.reps_min, ex.reps_max)
                )
    for history in by_slot.values():
        for (rpe_a, lo_a, hi_a), (rpe_b, lo_b, hi_b) in itertools.pairwise(history):
            if rpe_b >= rpe_a:
                assert lo_b >= lo_a and hi_b >= hi_a


def test_beginner_pull_ups_become_a_pulldown_or_an_assisted_variant() -> None:
    # A gym whose back work is a pull-up (a full gym's beginner program rows instead).
    gym = build_program(
        make_profile(
            experience=Experience.BEGINNER,
            days_per_week=3,
            equipment=[Equipment.PULL_UP_BAR, Equipment.CABLES],
        )
    )
    ids = {i for _, _, i, _ in every(gym)}
    assert "pull_up" not in ids and "chin_up" not in ids
    pulldowns = [ex for _, _, i, ex in every(gym) if i == "lat_pulldown"]
    assert pulldowns
    for ex in pulldowns:
        assert ex.progression.next_exercise_id == "pull_up"
        assert "pull-ups" in ex.progression.rule

    banded = make_profile(
        experience=Experience.BEGINNER,
        days_per_week=3,
        equipment=[Equipment.PULL_UP_BAR, Equipment.BANDS],
    )
    program = build_program(banded)
    assisted = [ex for _, _, i, ex in every(program) if i == "band_assisted_pull_up"]
    assert assisted
    for ex in assisted:
        assert ex.load_kind is LoadKind.ASSISTED
        assert ex.progression.kind is ProgressionKind.ASSISTANCE
        assert ex.reps_max <= 10

    # A bar and nothing else: pull-ups stay, at reachable reps, with negatives as the way in.
    bar_only = make_profile(
        experience=Experience.BEGINNER, days_per_week=3, equipment=[Equipment.PULL_UP_BAR]
    )
    pulls = [ex for _, _, i, ex in every(build_program(bar_only)) if i == "pull_up"]
    assert pulls
    for ex in pulls:
        assert ex.reps_max <= 8
        assert "negatives" in ex.progression.rule


def test_beginners_deadlift_variants_stay_at_or_below_eight_reps() -> None:
    profile = make_profile(
        experience=Experience.BEGINNER, goal=Goal.GENERAL_FITNESS, equipment=FULL_GYM
    )
    program = build_program(profile)
    hinges = [
        ex
        for w in program.weeks
        for d in w.days
        for ex in d.exercises
        if CATALOG[ex.exercise_id].pattern is Pattern.HINGE
        and CATALOG[ex.exercise_id].loading in (Loading.BARBELL, Loading.DUMBBELL)
    ]
    assert hinges and all(ex.reps_max <= HINGE_MAX_REPS for ex in hinges)


def test_every_fixed_load_exercise_states_how_it_progresses() -> None:
    profile = make_profile(equipment=[Equipment.KETTLEBELLS, Equipment.BANDS], days_per_week=3)
    program = build_program(profile)
    assert program_violations(program, profile) == []
    for _, _, i, ex in every(program):
        if CATALOG[i].loading in FIXED_LOADINGS:
            assert ex.progression.kind is not ProgressionKind.LOAD
