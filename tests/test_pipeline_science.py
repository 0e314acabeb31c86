"""Stages 1-4 on their own: analysis, volume landmarks, weak points, periodization."""

from __future__ import annotations

import itertools
import math

import pytest

from programgen.pipeline.analysis import (
    KG_PER_LB,
    analyze_profile,
    e1rm,
    estimate,
    round_to_increment,
)
from programgen.pipeline.autoregulation import readiness_table
from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import (
    E1rmFormula,
    Equipment,
    Experience,
    Goal,
    KnownLift,
    Lift,
    Muscle,
    PeriodizationModel,
    Phase,
    Readiness,
    Sex,
    StrengthLevel,
    Unit,
)
from programgen.pipeline.engine import build_program
from programgen.pipeline.loads import prescribe
from programgen.pipeline.periodization import (
    BEGINNER_MIN_REPS,
    POOR_RECOVERY_FACTOR,
    end_rir,
    plan_periodization,
)
from programgen.pipeline.progression import LoadContext
from programgen.pipeline.rpe_chart import CHART_TOLERANCE, COARSE_GAP, chart_load, percent_1rm
from programgen.pipeline.volume import (
    MAX_FACTOR,
    MIN_FACTOR,
    REFERENCE,
    compute_landmarks,
    recovery_factor,
)
from programgen.pipeline.weak_points import find_weak_points
from tests.pipeline_support import lifts, make_profile

# --------------------------------------------------------------------------- analysis


def test_e1rm_formulas_by_rep_range() -> None:
    assert e1rm(100, 1) == (100, E1rmFormula.TESTED)
    value, formula = e1rm(100, 5)
    assert formula is E1rmFormula.BRZYCKI and math.isclose(value, 100 * 36 / 32)
    value, formula = e1rm(100, 12)
    assert formula is E1rmFormula.EPLEY and math.isclose(value, 140)
    # Both formulas give the same answer at 10 reps, so the switch is seamless.
    assert math.isclose(e1rm(100, 10)[0], 100 * (1 + 10 / 30), rel_tol=1e-3)


def test_pull_up_e1rm_is_added_load_on_top_of_bodyweight() -> None:
    est = estimate(KnownLift(lift=Lift.PULL_UP, weight=20, reps=5), bodyweight=80)
    system = 100 * 36 / 32
    assert est.e1rm == round(system - 80, 1)
    assert est.relative_strength == round(system / 80, 2)


def test_units_and_relative_strength() -> None:
    profile = make_profile(unit=Unit.LB, bodyweight=200, lifts=lifts(squat=300))
    analysis = analyze_profile(profile)
    assert analysis.bodyweight_kg == round(200 * KG_PER_LB, 2)
    assert analysis.plate_increment == 5.0
    (squat,) = analysis.lifts
    assert squat.e1rm == 300 and squat.relative_strength == 1.5


@pytest.mark.parametrize(
    ("squat", "sex", "level"),
    [
        (100, Sex.MALE, StrengthLevel.NOVICE),  # 1.25 x bodyweight
        (130, Sex.MALE, StrengthLevel.INTERMEDIATE),  # 1.63 x
        (190, Sex.MALE, StrengthLevel.ADVANCED),  # 2.38 x
        (230, Sex.MALE, StrengthLevel.ELITE),  # 2.88 x
        (130, Sex.FEMALE, StrengthLevel.ADVANCED),  # 1.63 x: advanced for a woman
    ],
)
def test_strength_level_from_bodyweight_multiples(
    squat: float, sex: Sex, level: StrengthLevel
) -> None:
    profile = make_profile(sex=sex, bodyweight=80, lifts=lifts(squat=squat))
    assert analyze_profile(profile).strength_level is level


def test_plate_rounding_rounds_half_up() -> None:
    assert round_to_increment(101.25, 2.5) == 102.5
    assert round_to_increment(101.2, 2.5) == 100.0
    assert round_to_increment(232.4, 5.0) == 230.0


# --------------------------------------------------------------------------- volume


def test_reference_table_is_the_published_one() -> None:
    mrv = {m: ref.mrv for m, ref in REFERENCE.items()}
    assert mrv[Muscle.CHEST] == 22 and mrv[Muscle.BACK] == 25 and mrv[Muscle.QUADS] == 20
    assert mrv[Muscle.GLUTES] == 16 and mrv[Muscle.ABS] == 25
    assert set(REFERENCE) == set(Muscle)


@pytest.mark.parametrize(
    "overrides",
    [
        {"age": 25, "sleep_hours": 9.0, "stress": 1, "training_age_years": 40.0},
        {"age": 90, "sleep_hours": 3.0, "stress": 10, "training_age_years": 0.0},
        {"age": 13, "sleep_hours": 6.5, "stress": 7},
    ],
)
def test_landmarks_are_bounded_and_ordered(overrides: dict[str, object]) -> None:
    profile = make_profile(**overrides)
    for lm in compute_landmarks(profile):
        assert 0 <= lm.mv <= lm.mev <= lm.mav_low <= lm.mav_high <= lm.mrv
        assert lm.mrv <= MAX_FACTOR * lm.reference_mrv
        assert lm.reference_mrv == REFERENCE[lm.muscle].mrv
        assert lm.mrv <= 30  # never the 46-70 sets of the origin app


def test_recovery_lowers_mrv() -> None:
    rested = recovery_factor(make_profile(age=25, sleep_hours=8, stress=2))
    tired = recovery_factor(make_profile(age=25, sleep_hours=5, stress=2))
    stressed = recovery_factor(make_profile(age=25, sleep_hours=8, stress=9))
    older = recovery_factor(make_profile(age=65, sleep_hours=8, stress=2))
    assert tired < rested and stressed < rested and older < rested


# --------------------------------------------------------------------------- weak points


def test_too_few_lifts_skips_instead_of_crashing() -> None:
    profile = make_profile(lifts=lifts(squat=140, overhead_press=60))
    result = find_weak_points(profile, analyze_profile(profile))
    assert result.findings == [] and "Too few lifts" in result.skipped_reason


def test_ratio_above_the_band_flags_the_denominator_lift() -> None:
    # deadlift/squat = 2.0: far above 1.40, so the squat lags.
    profile = make_profile(lifts=lifts(squat=100, deadlift=200))
    (finding,) = find_weak_points(profile, analyze_profile(profile)).findings
    assert finding.ratio_name == "deadlift/squat"
    assert finding.muscles == [Muscle.QUADS, Muscle.GLUTES]
    assert finding.severity.value == "severe" and finding.extra_weekly_sets == 4
    assert finding.reassess_week == plan_periodization(profile).periodization.total_weeks


def test_weak_point_exercises_are_available_to_the_athlete() -> None:
    profile = make_profile(equipment=["bands"], lifts=lifts(squat=200, bench_press=80))
    (finding,) = find_weak_points(profile, analyze_profile(profile)).findings
    assert finding.exercise_ids
    for exercise_id in finding.exercise_ids:
        assert CATALOG[exercise_id].equipment <= {Equipment.BANDS, Equipment.BODYWEIGHT}
        assert CATALOG[exercise_id].primary in finding.muscles


# --------------------------------------------------------------------------- periodization


@pytest.mark.parametrize(
    ("goal", "experience", "days", "model"),
    [
        (Goal.HYPERTROPHY, Experience.BEGINNER, 3, PeriodizationModel.LINEAR),
        (Goal.HYPERTROPHY, Experience.INTERMEDIATE, 4, PeriodizationModel.DAILY_UNDULATING),
        (Goal.FAT_LOSS, Experience.INTERMEDIATE, 2, PeriodizationModel.WEEKLY_UNDULATING),
        (Goal.GENERAL_FITNESS, Experience.ADVANCED, 4, PeriodizationModel.BLOCK),
        (Goal.POWERLIFTING_PEAK, Experience.BEGINNER, 3, PeriodizationModel.BLOCK),
    ],
)
def test_model_choice(
    goal: Goal, experience: Experience, days: int, model: PeriodizationModel
) -> None:
    profile = make_profile(goal=goal, experience=experience, days_per_week=days)
    assert plan_periodization(profile).periodization.model is model


@pytest.mark.parametrize("weeks", [4, 5, 6, 7, 8])
def test_week_plan_shape(weeks: int) -> None:
    plan = plan_periodization(make_profile(program_weeks=weeks))
    assert plan.periodization.total_weeks == len(plan.weeks) == weeks
    assert plan.periodization.deload_week == weeks
    acc = [w for w in plan.weeks if w.phase is Phase.ACCUMULATION]
    assert len(acc) == weeks - 1 == plan.periodization.accumulation_weeks
    assert acc[0].rir == 3 and acc[-1].rir in (0, 1)
    assert all(a.rir >= b.rir for a, b in itertools.pairwise(acc))
    assert all(a.volume_progress <= b.volume_progress for a, b in itertools.pairwise(acc))
    assert acc[0].volume_progress == 0 and acc[-1].volume_progress == 1
    deload = plan.weeks[-1]
    assert deload.phase is Phase.DELOAD and deload.rpe <= 6
    assert plan.periodization.rationale


# --------------------------------------------------------------------------- effort (RIR)


@pytest.mark.parametrize(
    ("overrides", "poor", "last_rir"),
    [
        ({"experience": Experience.INTERMEDIATE}, False, 1),
        ({"experience": Experience.ADVANCED}, False, 1),
        ({"experience": Experience.ADVANCED, "goal": Goal.POWERLIFTING_PEAK}, False, 1),
        ({"experience": Experience.BEGINNER}, False, 2),
        ({"experience": Experience.BEGINNER, "goal": Goal.POWERLIFTING_PEAK}, False, 2),
        # poor recovery: recovery factor <= 0.85
        ({"experience": Experience.INTERMEDIATE, "sleep_hours": 5.5}, True, 2),
        ({"experience": Experience.INTERMEDIATE, "age": 65}, True, 2),
        ({"experience": Experience.ADVANCED, "sleep_hours": 6.5, "stress": 9}, True, 2),
        ({"experience": Experience.ADVANCED, "sleep_hours": 3.0, "age": 90}, True, 2),
        # one milder penalty is not poor recovery
        ({"experience": Experience.INTERMEDIATE, "sleep_hours": 6.5}, False, 1),
        ({"experience": Experience.ADVANCED, "stress": 8}, False, 1),
    ],
)
def test_accumulation_ends_at_rir_1_or_2_never_at_failure(
    overrides: dict[str, object], poor: bool, last_rir: int
) -> None:
    profile = make_profile(**overrides)
    assert (recovery_factor(profile) <= POOR_RECOVERY_FACTOR) is poor
    plan = plan_periodization(profile)
    # The weeks that build: accumulation, and in a block intensification and realization.
    building = (Phase.ACCUMULATION, Phase.INTENSIFICATION, Phase.REALIZATION)
    acc = [w for w in plan.weeks if w.phase in building]
    assert end_rir(profile) == last_rir
    assert acc[0].rir == 3 and acc[-1].rir == last_rir
    assert all(w.rpe <= 10 - last_rir for w in plan.weeks)
    assert f"fall from 3 to {last_rir}" in plan.periodization.rationale


def test_recovery_floor_profile_gets_the_conservative_ramp() -> None:
    profile = make_profile(
        experience=Experience.ADVANCED, age=90, sleep_hours=3.0, stress=10, training_age_years=0
    )
    assert recovery_factor(profile) == MIN_FACTOR
    assert end_rir(profile) == 2
    assert "slower recovery" in plan_periodization(profile).periodization.rationale


def test_beginners_never_go_below_triples_even_in_a_peak() -> None:
    profile = make_profile(
        experience=Experience.BEGINNER,
        goal=Goal.POWERLIFTING_PEAK,
        lifts=lifts(squat=100, bench_press=70, deadlift=120),
    )
    plan = plan_periodization(profile)
    assert plan.periodization.model is PeriodizationModel.BLOCK
    for week in plan.weeks:
        for day in week.days:
            for rng in (day.compound, day.assistance, day.isolation):
                assert rng.low >= BEGINNER_MIN_REPS
    realization = plan.weeks[-2]
    assert realization.days[0].label == "realization"
    assert realization.days[0].compound.high == 3 and realization.rpe == 8.0


# --------------------------------------------------------------------------- readiness


@pytest.mark.parametrize(
    ("top_rpe", "delta"), [(6.0, 0.5), (9.0, 0.5), (9.5, 0.5), (9.75, 0.25), (10.0, 0.0)]
)
def test_high_readiness_never_pushes_past_rpe_10(top_rpe: float, delta: float) -> None:
    table = readiness_table(top_rpe)
    assert [a.readiness for a in table] == list(Readiness)
    high = table[0]
    assert high.rpe_delta == delta
    assert top_rpe + high.rpe_delta <= 10
    assert "10" in high.adjustment
    # The other levels only ever lower the RPE.
    assert all(a.rpe_delta < 0 for a in table[2:]) and table[1].rpe_delta == 0


# --------------------------------------------------------------------------- loads


def _load(
    exercise_id: str, reps: int, rir: int, e1rms: dict[Lift, float]
) -> tuple[float | None, float | None, str]:
    ctx = LoadContext(
        profile=make_profile(bodyweight=80.0),
        e1rms=e1rms,
        uncertain=frozenset(),
        increment=2.5,
    )
    p = prescribe(exercise_id, reps, reps, rir, rir, ctx)
    return p.load, p.load_percent_e1rm, p.note


def test_close_variants_are_loaded_from_their_parent_lift() -> None:
    e1rms = {Lift.SQUAT: 200.0, Lift.BENCH_PRESS: 120.0, Lift.DEADLIFT: 240.0, Lift.PULL_UP: 20.0}
    for exercise_id, lift, ratio in [
        ("front_squat", Lift.SQUAT, 0.80),
        ("barbell_box_squat", Lift.SQUAT, 0.85),
        ("close_grip_bench_press", Lift.BENCH_PRESS, 0.85),
        ("incline_barbell_bench_press", Lift.BENCH_PRESS, 0.80),
        ("romanian_deadlift", Lift.DEADLIFT, 0.70),
    ]:
        load, percent, note = _load(exercise_id, 5, 2, e1rms)
        chart = percent_1rm(5, 8)
        assert load == chart_load(e1rms[lift] * ratio, chart, 2.5)
        assert load is not None and percent == round(100 * load / (e1rms[lift] * ratio), 1)
        assert chart - COARSE_GAP <= percent <= chart + CHART_TOLERANCE
        assert load < round_to_increment(e1rms[lift] * chart / 100, 2.5)  # conservative
        assert lift.value.replace("_", " ") in note and "rule of thumb" in note
        assert CATALOG[exercise_id].lift is None  # never treated as the lift itself
    # Chin-ups: the pull-up e1RM on the whole system mass, load added to bodyweight.
    load, percent, note = _load("chin_up", 3, 2, e1rms)
    assert percent is not None and load is not None
    assert percent == round(100 * (80 + load) / (20 + 80), 1)
    assert abs(load - ((20 + 80) * percent_1rm(3, 8) / 100 - 80)) <= 2.5
    assert "added to bodyweight" in note
    # Too variable to guess, or no known parent: RPE only.
    assert _load("good_morning", 5, 2, e1rms) == (None, None, "")
    assert _load("front_squat", 5, 2, {Lift.BENCH_PRESS: 100.0})[0] is None


def test_variants_in_a_program_get_loads_but_no_peaking_singles() -> None:
    profile = make_profile(
        goal=Goal.POWERLIFTING_PEAK,
        experience=Experience.ADVANCED,
        days_per_week=6,
        session_minutes=90,
        lifts=lifts(squat=220, bench_press=150, deadlift=260),
    )
    program = build_program(profile)
    variants = [
        (week, ex)
        for week in program.weeks
        for day in week.days
        for ex in day.exercises
        if CATALOG[ex.exercise_id].parent_lift is not None
    ]
    assert variants
    for week, ex in variants:
        assert ex.load is not None and ex.load > 0, ex.exercise_id
        assert "rule of thumb" in ex.notes
        if week.phase is Phase.ACCUMULATION:
            assert ex.reps_max > 3  # singles to triples are for the competition lifts


# --------------------------------------------------------------------------- standards


@pytest.mark.parametrize(
    ("bench", "level"),
    [
        (90, StrengthLevel.NOVICE),  # 1.13 x bodyweight: under the 1.25 x intermediate mark
        (100, StrengthLevel.INTERMEDIATE),  # 1.25 x
        (130, StrengthLevel.INTERMEDIATE),  # 1.63 x: under the 1.75 x advanced mark
        (140, StrengthLevel.ADVANCED),  # 1.75 x
        (160, StrengthLevel.ELITE),  # 2.0 x
    ],
)
def test_mens_bench_standards(bench: float, level: StrengthLevel) -> None:
    profile = make_profile(sex=Sex.MALE, bodyweight=80, lifts=lifts(bench_press=bench))
    assert analyze_profile(profile).strength_level is level
