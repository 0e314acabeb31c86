"""Profiles for the pipeline tests: a plain builder and a hypothesis strategy."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from programgen.pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    InjuryArea,
    KnownLift,
    Lift,
    Muscle,
    Profile,
    Program,
    Sex,
    Unit,
)
from programgen.pipeline.validation import BODYWEIGHT_RANGE, MAX_LIFT
from programgen.pipeline.validator import program_violations

FULL_GYM = [e for e in Equipment if e is not Equipment.BODYWEIGHT]


def make_profile(**overrides: Any) -> Profile:
    """A healthy intermediate with a full gym; override any field."""
    data: dict[str, Any] = {
        "goal": Goal.HYPERTROPHY,
        "experience": Experience.INTERMEDIATE,
        "days_per_week": 4,
        "session_minutes": 75,
        "equipment": FULL_GYM,
        "age": 30,
        "sex": Sex.MALE,
        "bodyweight": 80.0,
        "sleep_hours": 8.0,
        "stress": 3,
    }
    data.update(overrides)
    return Profile(**data)


def lifts(**weights: float | tuple[float, int]) -> list[KnownLift]:
    """lifts(squat=140, bench_press=(80, 5)) -> KnownLifts (a bare number = a 1RM)."""
    out = []
    for name, value in weights.items():
        weight, reps = value if isinstance(value, tuple) else (value, 1)
        out.append(KnownLift(lift=Lift(name), weight=weight, reps=reps))
    return out


def _known_lift(unit: Unit) -> st.SearchStrategy[KnownLift]:
    top = MAX_LIFT[unit]
    return st.one_of(
        st.builds(
            KnownLift,
            lift=st.sampled_from([lift for lift in Lift if lift is not Lift.PULL_UP]),
            weight=st.floats(min_value=1.0, max_value=top, allow_nan=False),
            reps=st.integers(1, 12),
        ),
        st.builds(
            KnownLift,
            lift=st.just(Lift.PULL_UP),
            weight=st.floats(min_value=0.0, max_value=top / 4, allow_nan=False),
            reps=st.integers(1, 12),
        ),
    )


@st.composite
def valid_profiles(draw: st.DrawFn) -> Profile:
    """Any profile the input rules accept, across the whole input space."""
    unit = draw(st.sampled_from(Unit))
    age = draw(st.integers(13, 100))
    low, high = BODYWEIGHT_RANGE[unit]
    return Profile(
        goal=draw(st.sampled_from(Goal)),
        experience=draw(st.sampled_from(Experience)),
        training_age_years=draw(
            st.none() | st.floats(min_value=0.0, max_value=float(min(60, age)))
        ),
        days_per_week=draw(st.integers(2, 6)),
        session_minutes=draw(st.integers(30, 120)),
        equipment=draw(st.lists(st.sampled_from(Equipment), min_size=1, unique=True)),
        injuries=draw(st.lists(st.sampled_from(InjuryArea), unique=True)),
        injury_note=draw(st.text(max_size=40)),
        age=age,
        sex=draw(st.none() | st.sampled_from(Sex)),
        bodyweight=draw(st.floats(min_value=low, max_value=high)),
        sleep_hours=draw(st.floats(min_value=3.0, max_value=14.0)),
        stress=draw(st.integers(1, 10)),
        unit=unit,
        priority_muscles=draw(st.lists(st.sampled_from(Muscle), unique=True, max_size=4)),
        program_weeks=draw(st.none() | st.integers(4, 8)),
        lifts=draw(st.lists(_known_lift(unit), unique_by=lambda lift: lift.lift, max_size=6)),
    )


def rules(program: Program, profile: Profile) -> set[str]:
    """The validator rules a program breaks (each violation names its rule)."""
    return {v.rule for v in program_violations(program, profile)}


def changed(program: Program, week: int, day: int, index: int, **update: Any) -> Program:
    """A copy of `program` with one exercise's fields replaced (0-based positions): the
    hand-broken programs the validator tests feed it."""
    weeks = list(program.weeks)
    days = list(weeks[week].days)
    exercises = list(days[day].exercises)
    exercises[index] = exercises[index].model_copy(update=update)
    days[day] = days[day].model_copy(update={"exercises": exercises})
    weeks[week] = weeks[week].model_copy(update={"days": days})
    return program.model_copy(update={"weeks": weeks})
