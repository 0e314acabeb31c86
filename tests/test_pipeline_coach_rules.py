"""Superset pairing, the taper's reference week, ramp-up sets and maintenance in short
sessions (docs/science.md): each validator rule catches a hand-broken program, and the
builder is held to the same rules on expert cases and a sweep of short profiles.
"""

from __future__ import annotations

import itertools

import pytest

from programgen.pipeline.accounting import MAJOR_MUSCLES, coverage_floor, week_hard_sets
from programgen.pipeline.catalog import CATALOG, Category, Loading, available
from programgen.pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    PrescribedExercise,
    Profile,
    Program,
    TrainingDay,
)
from programgen.pipeline.engine import build_program
from programgen.pipeline.peaking import TAPER_FRACTION
from programgen.pipeline.supersets import CIRCUIT, heavy_axial, pair_fault
from programgen.pipeline.warmups import first_compound_index
from tests.pipeline_support import FULL_GYM, lifts, make_profile
from tests.test_pipeline_coverage import edit_days, rules

SHORT_HYPERTROPHY = make_profile(days_per_week=3, session_minutes=40)
BIG_PEAK = make_profile(
    goal=Goal.POWERLIFTING_PEAK,
    experience=Experience.ADVANCED,
    days_per_week=4,
    session_minutes=90,
    program_weeks=8,
    lifts=lifts(squat=200, bench_press=140, deadlift=240),
)
LIGHT_BEGINNER = make_profile(
    experience=Experience.BEGINNER,
    days_per_week=3,
    session_minutes=60,
    lifts=lifts(squat=(40, 12), bench_press=(30, 12), deadlift=(50, 12)),
)
BODYWEIGHT = make_profile(days_per_week=3, session_minutes=45, equipment=[Equipment.BODYWEIGHT])


@pytest.fixture(scope="module")
def built() -> dict[str, Program]:
    cases = {
        "short": SHORT_HYPERTROPHY,
        "peak": BIG_PEAK,
        "light": LIGHT_BEGINNER,
        "bodyweight": BODYWEIGHT,
    }
    return {name: build_program(p) for name, p in cases.items()}


def _renamed(ex: PrescribedExercise, exercise_id: str, label: str) -> PrescribedExercise:
    name = CATALOG[exercise_id].name
    return ex.model_copy(update={"exercise_id": exercise_id, "name": name, "superset": label})


# --------------------------------------------------------------------------- supersets


def test_the_pairing_rule() -> None:
    assert pair_fault("barbell_bench_press", "barbell_row") is None  # push with pull
    assert pair_fault("dumbbell_lateral_raise", "lying_leg_curl") is None  # upper with lower
    assert "heavy axial" in (pair_fault("conventional_deadlift", "overhead_press") or "")
    assert "heavy axial" in (pair_fault("barbell_back_squat", "lat_pulldown") or "")
    assert "lower-body" in (pair_fault("leg_press", "lying_leg_curl") or "")
    assert "grip" in (pair_fault("dumbbell_romanian_deadlift", "lat_pulldown") or "")
    assert "same muscle" in (pair_fault("barbell_bench_press", "cable_triceps_pushdown") or "")
    assert heavy_axial(CATALOG["good_morning"]) and not heavy_axial(CATALOG["leg_press"])


def test_a_deadlift_paired_with_a_press_is_reported(built: dict[str, Program]) -> None:
    program = built["short"]
    assert "superset_pairs" not in rules(program, SHORT_HYPERTROPHY)

    def deadlift_and_press(day: TrainingDay) -> list[PrescribedExercise]:
        ex = [e.model_copy(update={"superset": ""}) for e in day.exercises]
        k = next(
            i for i, e in enumerate(ex) if CATALOG[e.exercise_id].category is Category.STRENGTH
        )
        ex[k] = _renamed(ex[k], "conventional_deadlift", "Q")
        ex[k + 1] = _renamed(ex[k + 1], "overhead_press", "Q")
        return ex

    found = rules(edit_days(program, 0, deadlift_and_press), SHORT_HYPERTROPHY)
    assert any("heavy axial" in v for v in found["superset_pairs"])


def test_two_lower_body_lifts_or_a_squat_in_a_circuit_are_reported(
    built: dict[str, Program],
) -> None:
    program = built["short"]

    def two_lower(day: TrainingDay) -> list[PrescribedExercise]:
        ex = [e.model_copy(update={"superset": ""}) for e in day.exercises]
        ex[-2] = _renamed(ex[-2], "leg_press", "Q")
        ex[-1] = _renamed(ex[-1], "lying_leg_curl", "Q")
        return ex

    def squat_in_circuit(day: TrainingDay) -> list[PrescribedExercise]:
        ex = [e.model_copy(update={"superset": CIRCUIT}) for e in day.exercises]
        ex[0] = _renamed(ex[0], "barbell_back_squat", CIRCUIT)
        return ex

    found = rules(edit_days(program, 0, two_lower), SHORT_HYPERTROPHY)
    assert any("lower-body" in v for v in found["superset_pairs"])
    found = rules(edit_days(program, 0, squat_in_circuit), SHORT_HYPERTROPHY)
    assert any("circuit" in v for v in found["superset_pairs"])


def test_the_builder_never_groups_a_heavy_axial_lift() -> None:
    # Short sessions with a barbell: the builder pairs and circuits everything it can.
    for goal, minutes in itertools.product((Goal.HYPERTROPHY, Goal.FAT_LOSS), (30, 40)):
        profile = make_profile(goal=goal, days_per_week=3, session_minutes=minutes)
        program = build_program(profile)
        grouped = [ex for w in program.weeks for d in w.days for ex in d.exercises if ex.superset]
        assert grouped, (goal, minutes)
        assert not any(heavy_axial(CATALOG[ex.exercise_id]) for ex in grouped)
        assert "superset_pairs" not in rules(program, profile)


# --------------------------------------------------------------------------- taper


def _sets(program: Program, week: int) -> int:
    return sum(ex.sets for d in program.weeks[week].days for ex in d.exercises)


def test_the_taper_cuts_against_the_week_before_it(built: dict[str, Program]) -> None:
    program = built["peak"]
    phases = [w.phase.value for w in program.weeks]
    first = phases.index("taper")
    before = _sets(program, first - 1)
    for w in range(first, len(phases)):
        # 30-50 % fewer sets than the last pre-taper week (TAPER_FRACTION 0.6 plus rounding).
        assert 0.5 * before <= _sets(program, w) <= 0.7 * before, (w, _sets(program, w), before)
    assert abs(_sets(program, first) / before - TAPER_FRACTION) < 0.1


def test_a_taper_equal_to_the_week_before_it_is_reported(built: dict[str, Program]) -> None:
    program = built["peak"]
    phases = [w.phase.value for w in program.weeks]
    first = phases.index("taper")
    # The week before the taper loses the sets the taper cut: measured against the
    # heaviest week the taper still looks like a 40 % cut; against the week before, none.
    weeks = list(program.weeks)
    weeks[first - 1] = weeks[first - 1].model_copy(update={"days": weeks[first].days})
    broken = program.model_copy(update={"weeks": weeks})
    heaviest = max(_sets(broken, w) for w in range(first))
    assert _sets(broken, first) <= 0.75 * heaviest
    found = rules(broken, BIG_PEAK)
    assert any("last before the taper" in v for v in found["taper"])


# --------------------------------------------------------------------------- warm-ups


def test_a_light_first_compound_gets_a_ramp_up_set(built: dict[str, Program]) -> None:
    program = built["light"]
    for w in program.weeks:
        for d in w.days:
            first = first_compound_index([ex.exercise_id for ex in d.exercises])
            assert first is not None
            lead = d.exercises[first]
            assert lead.warmup_sets, (w.week, d.day, lead.exercise_id)
            if lead.load is not None:
                assert all(s.load is None or s.load <= lead.load for s in lead.warmup_sets)


def test_a_first_compound_without_its_ramp_is_reported(built: dict[str, Program]) -> None:
    program = built["light"]

    def no_ramp(day: TrainingDay) -> list[PrescribedExercise]:
        ex = list(day.exercises)
        k = first_compound_index([e.exercise_id for e in ex])
        assert k is not None
        ex[k] = ex[k].model_copy(update={"warmup_sets": []})
        return ex

    found = rules(edit_days(program, 0, no_ramp), LIGHT_BEGINNER)
    assert any("without a ramp-up set" in v for v in found["warmups"])


def test_an_unloaded_first_compound_ramps_with_a_partial_range(
    built: dict[str, Program],
) -> None:
    program = built["bodyweight"]
    day = program.weeks[0].days[0]
    k = first_compound_index([ex.exercise_id for ex in day.exercises])
    assert k is not None
    lead = day.exercises[k]
    assert CATALOG[lead.exercise_id].loading in (Loading.BODYWEIGHT, Loading.BAND)
    assert lead.warmup_sets and "Ramp-up" in lead.notes

    def no_note(d: TrainingDay) -> list[PrescribedExercise]:
        ex = list(d.exercises)
        ex[k] = ex[k].model_copy(update={"notes": ""})
        return ex

    assert "warmups" in rules(edit_days(program, 0, no_note), BODYWEIGHT)


# --------------------------------------------------------------------------- short sessions

# Two days of 36-40 min, one piece of equipment (bodyweight always allowed), beginners
# and older lifters. Known remainder, stated as a shortfall by the program: kettlebells
# only for an endurance beginner of 65 or more at 36-38 min (the high-rep circuit has no room
# for the delts' token sets; see docs/science.md, "Coverage"), and the same lifter's
# powerlifting peak at 36 min: without competition lifts every compound stays at 6-10
# reps through the peak (assistance reps), and the side delts' sets no longer fit.
_KNOWN_SHORT = {
    (Equipment.KETTLEBELLS, Goal.ENDURANCE, Experience.BEGINNER),
    (Equipment.KETTLEBELLS, Goal.POWERLIFTING_PEAK, Experience.BEGINNER),
}


def _short_profiles() -> list[Profile]:
    goals = list(Goal)
    lifters = [(Experience.BEGINNER, 65), (Experience.BEGINNER, 75), (Experience.ADVANCED, 30)]
    out = []
    for n, (equipment, (experience, age), minutes) in enumerate(
        itertools.product(list(Equipment), lifters, (36, 40))
    ):
        for goal in (goals[n % len(goals)], goals[(n + 3) % len(goals)]):
            out.append(
                make_profile(
                    goal=goal,
                    experience=experience,
                    age=age,
                    days_per_week=2,
                    session_minutes=minutes,
                    equipment=[equipment],
                )
            )
    # The case that started this: 2 x 36 min, kettlebells, a 65-year-old beginner.
    out += [
        make_profile(
            goal=goal,
            experience=Experience.BEGINNER,
            age=65,
            days_per_week=2,
            session_minutes=36,
            equipment=[Equipment.KETTLEBELLS],
        )
        for goal in Goal
    ]
    return out


def test_short_sessions_keep_every_major_muscle_at_maintenance() -> None:
    for profile in _short_profiles():
        known = (profile.equipment[0], profile.goal, profile.experience) in _KNOWN_SHORT
        if known and profile.age >= 65:
            continue
        program = build_program(profile)
        trains = {
            m
            for ex in available(profile)
            if ex.category is Category.STRENGTH
            for m in (*ex.primary_muscles, *ex.secondary_muscles)
        }
        landmarks = {lm.muscle: lm for lm in program.landmarks}
        for i, week in enumerate(program.weeks):
            counted = week_hard_sets(week)
            for m in MAJOR_MUSCLES:
                if m not in trains:
                    continue  # no exercise the equipment and injuries allow trains it
                phase = week.phase.value
                floor = coverage_floor(landmarks[m], phase == "deload", phase == "taper")
                assert counted[m] >= floor - 1e-9, (profile, i, m, counted[m], floor)
        for day in program.weeks[0].days:
            assert day.estimated_minutes <= profile.session_minutes


def test_full_gym_two_short_days_need_no_shortfall() -> None:
    profile = make_profile(
        experience=Experience.BEGINNER, age=65, days_per_week=2, session_minutes=36
    )
    assert profile.equipment == FULL_GYM
    assert build_program(profile).shortfalls == []
