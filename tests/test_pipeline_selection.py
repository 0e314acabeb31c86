"""Exercise selection: what a coach would check in each session's exercise list.

Per muscle and session: at most two exercises, never two of the same movement pattern
(no barbell + dumbbell hip thrust, no two calf raises or two crunches), the second of a
different pattern where one exists (a row and a pulldown for back, a press and a fly for
chest), big muscles taking a compound second where a compound of a different pattern is
available; and no 1-set exercises in accumulation weeks where the volume allows two.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from programgen.pipeline.catalog import CATALOG, Category, Pattern, available
from programgen.pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    Muscle,
    Phase,
    Profile,
    Program,
    Sex,
)
from programgen.pipeline.engine import build_program
from tests.pipeline_support import FULL_GYM, make_profile

BIG = (Muscle.CHEST, Muscle.BACK, Muscle.QUADS, Muscle.HAMSTRINGS)

PROFILES = {
    "advanced 6 d x 120 min hypertrophy": make_profile(
        experience=Experience.ADVANCED, days_per_week=6, session_minutes=120
    ),
    "full gym 3 d x 90 min": make_profile(days_per_week=3, session_minutes=90, equipment=FULL_GYM),
    "dumbbells only 3 d x 90 min": make_profile(
        days_per_week=3, session_minutes=90, equipment=[Equipment.DUMBBELLS]
    ),
    "dumbbells only fat loss 3 d x 60 min": make_profile(
        goal=Goal.FAT_LOSS,
        sex=Sex.FEMALE,
        bodyweight=72,
        days_per_week=3,
        session_minutes=60,
        equipment=[Equipment.DUMBBELLS],
    ),
    "dumbbells and bench 4 d": make_profile(
        days_per_week=4, session_minutes=90, equipment=[Equipment.DUMBBELLS, Equipment.BENCH]
    ),
}


@pytest.fixture(scope="module", params=list(PROFILES))
def case(request: pytest.FixtureRequest) -> tuple[Profile, Program]:
    profile = PROFILES[request.param]
    return profile, build_program(profile)


def sessions(program: Program) -> list[tuple[Phase, dict[Muscle, list[str]]]]:
    """(phase, strength exercise ids per primary muscle in day order) for every session;
    power, balance and conditioning work is no muscle's volume (pipeline.accounting)."""
    out = []
    for week in program.weeks:
        for day in week.days:
            per: dict[Muscle, list[str]] = defaultdict(list)
            for ex in day.exercises:
                if CATALOG[ex.exercise_id].category is Category.STRENGTH:
                    per[CATALOG[ex.exercise_id].primary].append(ex.exercise_id)
            out.append((week.phase, per))
    return out


def test_at_most_two_exercises_per_muscle_and_session(case: tuple[Profile, Program]) -> None:
    _, program = case
    for _, per in sessions(program):
        for muscle, ids in per.items():
            assert len(ids) <= 2, (muscle, ids)


def test_never_two_exercises_of_one_pattern_for_a_muscle(case: tuple[Profile, Program]) -> None:
    _, program = case
    for _, per in sessions(program):
        for muscle, ids in per.items():
            patterns = [CATALOG[i].pattern for i in ids]
            assert len(set(patterns)) == len(patterns), (muscle, ids)


def test_big_muscles_take_a_compound_second_where_one_exists(
    case: tuple[Profile, Program],
) -> None:
    profile, program = case
    options = available(profile)
    seconds = 0
    for _, per in sessions(program):
        for muscle in BIG:
            ids = per.get(muscle, [])
            if len(ids) < 2:
                continue
            seconds += 1
            first = CATALOG[ids[0]]
            assert first.compound, ids
            other_compound = any(
                ex.primary is muscle and ex.compound and ex.pattern is not first.pattern
                for ex in options
            )
            assert CATALOG[ids[1]].compound is other_compound, (muscle, ids)
    if profile.days_per_week == 6:
        assert seconds  # the long sessions do use second exercises


def test_back_gets_a_row_and_a_vertical_pull_not_isolations() -> None:
    program = build_program(PROFILES["advanced 6 d x 120 min hypertrophy"])
    pulls = {Pattern.HORIZONTAL_PULL, Pattern.VERTICAL_PULL}
    for week in program.weeks:
        if week.phase is not Phase.ACCUMULATION:
            continue
        for day in week.days:
            back = [
                CATALOG[ex.exercise_id]
                for ex in day.exercises
                if CATALOG[ex.exercise_id].primary is Muscle.BACK
            ]
            if day.focus.startswith("Pull"):
                assert {ex.pattern for ex in back} == pulls, day.focus
                assert all(ex.compound for ex in back)
            assert not {ex.id for ex in back} & {"straight_arm_pulldown", "dumbbell_pullover"}


def test_no_one_set_exercises_in_accumulation_weeks(case: tuple[Profile, Program]) -> None:
    _, program = case
    for week in program.weeks:
        if week.phase is Phase.ACCUMULATION:
            for day in week.days:
                for ex in day.exercises:
                    assert ex.sets >= 2, (week.week, day.focus, ex.exercise_id, ex.sets)


def test_long_sessions_stay_a_sensible_length_list() -> None:
    program = build_program(PROFILES["advanced 6 d x 120 min hypertrophy"])
    for week in program.weeks:
        for day in week.days:
            assert len(day.exercises) <= 8, (day.focus, [e.exercise_id for e in day.exercises])
    # ... and the legs and pushes each still get two patterns of their big muscles.
    patterns = {
        day.focus.split(" (")[0]: {CATALOG[e.exercise_id].pattern for e in day.exercises}
        for day in program.weeks[0].days
    }
    assert {Pattern.SQUAT, Pattern.HINGE, Pattern.KNEE_FLEXION} <= patterns["Legs A"]
    assert {Pattern.HORIZONTAL_PUSH, Pattern.CHEST_FLY} <= patterns["Push A"]
