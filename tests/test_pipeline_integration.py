"""Where the volume, loads and catalog rules meet: the session the builder timed is the
session prescribed, non-strength work keeps its own reps and progression, every day has
an anchor, and a short strength taper cuts its sets with no floor to excuse it."""

from __future__ import annotations

import pytest

from programgen.pipeline import splits
from programgen.pipeline.analysis import analyze_profile
from programgen.pipeline.autoregulation import autoregulate
from programgen.pipeline.catalog import CATALOG, Category
from programgen.pipeline.construction import construct_program
from programgen.pipeline.day_layout import week_items
from programgen.pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    InjuryArea,
    PipelineError,
    Profile,
    Program,
    ProgressionKind,
)
from programgen.pipeline.engine import build_program
from programgen.pipeline.goal_rules import POWER_REPS, anchor_ok
from programgen.pipeline.periodization import plan_periodization
from programgen.pipeline.session_time import session_seconds, timed
from programgen.pipeline.validator import program_violations
from programgen.pipeline.volume import compute_landmarks
from programgen.pipeline.weak_points import find_weak_points
from programgen.pipeline.week_reps import day_lifts, heavy_by_day, load_context
from tests.pipeline_support import changed, lifts, make_profile, rules

# Profiles whose final reps differ from the slot's planned range: beginner pull-ups
# (assisted / pulldown), fixed-load work whose reps rise per RIR step, capped hinges,
# heavy squat and deadlift on one day (one runs 3 reps higher), a sub-bar lb lifter.
MOVED_REPS = (
    make_profile(experience=Experience.BEGINNER, equipment=[Equipment.PULL_UP_BAR]),
    make_profile(goal=Goal.HYPERTROPHY, equipment=[Equipment.BODYWEIGHT], session_minutes=35),
    make_profile(
        goal=Goal.POWERLIFTING_PEAK,
        experience=Experience.ADVANCED,
        days_per_week=2,
        session_minutes=45,
        lifts=lifts(squat=180, bench_press=120, deadlift=220),
    ),
    make_profile(goal=Goal.ATHLETIC_POWER, equipment=[Equipment.BODYWEIGHT], age=70),
)
ATHLETIC = make_profile(
    goal=Goal.ATHLETIC_POWER,
    experience=Experience.INTERMEDIATE,
    equipment=[Equipment.BODYWEIGHT, Equipment.PULL_UP_BAR],
    days_per_week=3,
    session_minutes=45,
)
# Bodyweight and cables with a hip injury: no squat or hinge is kind enough to open a
# leg day, so push/pull/legs must give way to full-body days that open with a press or row.
NO_LEG_ANCHOR = make_profile(
    goal=Goal.GENERAL_FITNESS,
    experience=Experience.ADVANCED,
    days_per_week=6,
    session_minutes=37,
    equipment=[Equipment.CABLES, Equipment.BODYWEIGHT],
    injuries=[InjuryArea.ELBOW, InjuryArea.HIP, InjuryArea.WRIST],
    injury_note="rotator cuff tendinopathy, overhead work hurts",
)


@pytest.mark.parametrize("profile", MOVED_REPS)
def test_the_builder_times_the_session_that_is_prescribed(profile: Profile) -> None:
    analysis = analyze_profile(profile)
    plan = plan_periodization(profile)
    weak = find_weak_points(profile, analysis)
    construction = construct_program(profile, compute_landmarks(profile), weak, plan, analysis)
    final = autoregulate(profile, analysis, plan, construction)
    ctx = load_context(profile, analysis)
    lifts_by_day = day_lifts([d.slots for d in construction.days])
    for w, week in enumerate(final.weeks):
        heavy = heavy_by_day(lifts_by_day, w + 1)
        for d, day in enumerate(week.days):
            slots = construction.days[d].slots
            planned = week_items(slots, plan, d, w, heavy[d], ctx)
            assert planned == [timed(ex) for ex in day.exercises], (w, d)
            assert session_seconds(planned) <= profile.session_minutes * 60


def power_work(program: Program) -> list[tuple[int, int, int]]:
    return [
        (w, d, k)
        for w, week in enumerate(program.weeks)
        for d, day in enumerate(week.days)
        for k, ex in enumerate(day.exercises)
        if CATALOG[ex.exercise_id].category is Category.POWER
    ]


def test_power_work_keeps_its_low_reps_and_progresses_by_a_harder_task() -> None:
    program = build_program(ATHLETIC)
    assert program_violations(program, ATHLETIC) == []
    found = power_work(program)
    assert found
    for w, d, k in found:
        ex = program.weeks[w].days[d].exercises[k]
        assert (ex.reps_min, ex.reps_max) == (POWER_REPS.low, POWER_REPS.high)
        assert ex.progression is not None
        assert ex.progression.kind is ProgressionKind.CHALLENGE
        assert "speed drops" in ex.progression.rule
    w, d, k = found[0]
    ex = program.weeks[w].days[d].exercises[k]
    assert ex.progression is not None
    as_reps = ex.progression.model_copy(update={"kind": ProgressionKind.REPS})
    assert "progression_rules" in rules(changed(program, w, d, k, progression=as_reps), ATHLETIC)
    assert "goal_fit" in rules(changed(program, w, d, k, reps_min=8, reps_max=12), ATHLETIC)


def test_strength_work_never_states_a_task_progression() -> None:
    program = build_program(ATHLETIC)
    for d, day in enumerate(program.weeks[0].days):
        for k, ex in enumerate(day.exercises):
            if CATALOG[ex.exercise_id].category is Category.STRENGTH and ex.progression:
                task = ex.progression.model_copy(update={"kind": ProgressionKind.CHALLENGE})
                broken = changed(program, 0, d, k, progression=task)
                assert "progression_rules" in rules(broken, ATHLETIC)
                return
    raise AssertionError("no strength exercise")


def test_a_day_no_leg_exercise_can_open_becomes_full_body_with_an_anchor() -> None:
    assert splits.choose_split(NO_LEG_ANCHOR).name == "full_body"
    program = build_program(NO_LEG_ANCHOR)
    for week in program.weeks:
        for day in week.days:
            strength = [
                ex for ex in day.exercises if CATALOG[ex.exercise_id].category is Category.STRENGTH
            ]
            assert strength and anchor_ok(CATALOG[strength[0].exercise_id]), day.focus


def test_no_anchor_at_all_is_a_pipeline_error_that_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(splits, "available", lambda profile: [])
    with pytest.raises(PipelineError, match="open a session"):
        splits.choose_split(make_profile())


def test_a_short_strength_taper_cuts_its_sets_and_a_fat_one_is_reported() -> None:
    profile = make_profile(
        goal=Goal.GENERAL_STRENGTH,
        experience=Experience.ADVANCED,
        days_per_week=2,
        session_minutes=30,
        equipment=[Equipment.BARBELL],
    )
    program = build_program(profile)  # raises if the validator refuses it
    last = len(program.weeks) - 1
    # Two 30-minute days sit near MV, and the taper still cuts (no coverage excuse).
    totals = [sum(ex.sets for d in w.days for ex in d.exercises) for w in program.weeks]
    assert totals[last] <= 0.75 * totals[last - 1], totals
    # Doubling one exercise's sets lifts that muscle above its floor: a real violation.
    ex = program.weeks[last].days[0].exercises[0]
    broken = changed(program, last, 0, 0, sets=ex.sets * 3)
    assert "taper" in rules(broken, profile)
