"""Injury notes read fully, power work for athletic power, loads within the RPE chart
(docs/injuries.md, docs/science.md): the builder on the cases a coach review found, and
each new validator rule on a hand-broken program, so a validator that accepts
everything fails these tests.
"""

from __future__ import annotations

import pytest

from programgen.pipeline import goal_rules
from programgen.pipeline.catalog import CATALOG, Category, available
from programgen.pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    InjuryArea,
    LoadKind,
    Program,
    Unit,
)
from programgen.pipeline.engine import build_program
from programgen.pipeline.injuries import restrictions
from programgen.pipeline.injuries.phrases import read_note
from programgen.pipeline.injuries.review import Stress
from programgen.pipeline.rpe_chart import CHART_TOLERANCE, chart_load, percent_1rm
from tests.pipeline_support import changed, lifts, make_profile, rules

E = Equipment
S = Stress


def used(program: Program) -> set[str]:
    return {ex.exercise_id for w in program.weeks for d in w.days for ex in d.exercises}


def first(program: Program, exercise_id: str) -> tuple[int, int, int]:
    for w, week in enumerate(program.weeks):
        for d, day in enumerate(week.days):
            for k, ex in enumerate(day.exercises):
                if ex.exercise_id == exercise_id:
                    return w, d, k
    raise AssertionError(f"{exercise_id} not in the program")


# --------------------------------------------------------------------------- the note


@pytest.mark.parametrize(
    ("note", "stresses"),
    [
        ("hamstring strain last month", {S.HINGE, S.HAMSTRING_LENGTHENING, S.JUMPING}),
        ("pulled my left hamstring sprinting", {S.HINGE, S.FLOOR_PULL, S.RUNNING}),
        ("tore my pec last year", {S.FLY, S.DIPS, S.END_RANGE}),
        ("calf is a bit sore", {S.JUMPING, S.RUNNING}),
        ("achilles tendinopathy", {S.JUMPING, S.RUNNING}),
        ("quad strain", {S.LUNGE, S.JUMPING, S.KNEELING}),
        ("lats hurt", {S.HANGING, S.OVERHEAD}),
        ("biceps tendinitis", {S.SUPINATED, S.HANGING}),
        ("hernia repair in May", {S.SPINAL_FLEXION, S.AXIAL_LOADING}),
        ("osteoporosis", {S.SPINAL_FLEXION, S.JUMPING}),
    ],
)
def test_the_note_reads_muscle_strains_and_tendinopathies(note: str, stresses: set[Stress]) -> None:
    read = {s for f in read_note(note) for s in f.stresses}
    assert stresses <= read


def test_a_muscle_named_without_an_injury_is_not_one() -> None:
    assert read_note("no injuries, just stiff hamstrings") == ()
    assert not restrictions(make_profile(injury_note="no pain anywhere, just stronger")).injured


def test_areas_the_note_names_are_read_where_they_are() -> None:
    groin = {a for f in read_note("groin strain") for a in f.areas}
    assert groin == {InjuryArea.HIP}
    assert {a for f in read_note("quad tendon surgery") for a in f.areas} == {InjuryArea.KNEE}
    hip = read_note("hip impingement when squatting deep")
    assert {a for f in hip for a in f.areas} == {InjuryArea.HIP}  # not the shoulder
    assert S.SQUATTING not in {s for f in hip for s in f.stresses}  # depth, not squats
    pinch = read_note("front of my hip pinches at the bottom of a squat")
    assert S.DEEP_HIP_FLEXION in {s for f in pinch for s in f.stresses}


def test_a_hamstring_strain_keeps_hinges_jumps_and_nordics_out() -> None:
    profile = make_profile(goal=Goal.ATHLETIC_POWER, injury_note="hamstring strain last month")
    program = build_program(profile)
    ids = used(program)
    for exercise_id in ids:
        assert not CATALOG[exercise_id].stresses & {S.HINGE, S.HAMSTRING_LENGTHENING}
    assert not ids & {"romanian_deadlift", "nordic_curl", "broad_jump", "kettlebell_swing"}
    assert any(CATALOG[i].primary.value == "hamstrings" for i in ids)  # leg curls stay
    assert program.pain_rule


def test_an_injury_the_table_does_not_know_still_gets_the_pain_rule() -> None:
    profile = make_profile(injury_note="sprained my thumb")
    program = build_program(profile)
    assert program.pain_rule
    broken = program.model_copy(update={"pain_rule": ""})
    assert "injuries" in rules(broken, profile)


def test_a_movement_the_note_names_is_flagged_when_put_back() -> None:
    profile = make_profile(
        equipment=[E.BODYWEIGHT], injury_note="achilles tendinopathy, running and jumping hurt"
    )
    program = build_program(profile)
    assert "jumping_jack" not in used(program)
    assert "injuries" not in rules(program, profile)
    w, d, k = first(program, program.weeks[0].days[0].exercises[0].exercise_id)
    broken = changed(program, w, d, k, exercise_id="jumping_jack")
    assert "injuries" in rules(broken, profile)


@pytest.mark.parametrize(
    ("injury", "equipment", "kept", "gone"),
    [
        (InjuryArea.WRIST, [E.BODYWEIGHT], "fist_push_up", "incline_push_up"),
        (InjuryArea.WRIST, [E.BODYWEIGHT], None, "bodyweight_triceps_extension"),
        (InjuryArea.LOWER_BACK, [E.BANDS], "band_leg_curl", "band_good_morning"),
        (InjuryArea.HIP, [E.BODYWEIGHT], None, "single_leg_balance_reach"),
        (InjuryArea.HIP, [E.BODYWEIGHT], "high_knee_march", "burpee"),
    ],
)
def test_the_joint_friendly_variant_is_the_one_offered(
    injury: InjuryArea, equipment: list[Equipment], kept: str | None, gone: str
) -> None:
    offered = {ex.id for ex in available(make_profile(injuries=[injury], equipment=equipment))}
    assert gone not in offered
    if kept is not None:
        assert kept in offered


# --------------------------------------------------------------------------- power


def test_the_swing_is_ballistic_power() -> None:
    assert CATALOG["kettlebell_swing"].category is Category.POWER


@pytest.mark.parametrize(
    "equipment",
    [[E.BODYWEIGHT], [E.BANDS], [E.KETTLEBELLS], [E.DUMBBELLS], [E.MACHINES, E.CABLES]],
)
@pytest.mark.parametrize(
    "injuries", [[], [InjuryArea.KNEE, InjuryArea.LOWER_BACK, InjuryArea.SHOULDER]]
)
def test_every_equipment_set_has_an_honest_power_option(
    equipment: list[Equipment], injuries: list[InjuryArea]
) -> None:
    profile = make_profile(
        goal=Goal.ATHLETIC_POWER,
        experience=Experience.BEGINNER,
        equipment=equipment,
        injuries=injuries,
    )
    assert goal_rules.power_options(profile)
    program = build_program(profile)
    for week in program.weeks:
        kinds = {CATALOG[ex.exercise_id].category for d in week.days for ex in d.exercises}
        assert Category.POWER in kinds


def test_a_program_without_power_work_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(goal_rules, "power_options", lambda profile: [])
    profile = make_profile(goal=Goal.ATHLETIC_POWER, equipment=[E.KETTLEBELLS])
    program = build_program(profile)
    missing = goal_rules.missing_power(profile)
    assert missing and missing in program.shortfalls
    silent = program.model_copy(
        update={"shortfalls": [s for s in program.shortfalls if s != missing]}
    )
    assert "goal_fit" in rules(silent, profile)


# --------------------------------------------------------------------------- loads


def test_rounding_never_leaves_the_chart_by_more_than_its_tolerance() -> None:
    for one_rm in (24.0, 31.3, 37.5, 52.0, 88.8):
        for reps, rpe in ((3, 8.0), (5, 7.0), (8, 9.0)):
            chart = percent_1rm(reps, rpe)
            load = chart_load(one_rm, chart, 2.5)
            assert 100 * load / one_rm <= chart + CHART_TOLERANCE
            assert 100 * (load + 2.5) / one_rm > chart + CHART_TOLERANCE or (
                abs(100 * (load + 2.5) / one_rm - chart) > abs(100 * load / one_rm - chart)
            )


LIGHT = make_profile(
    goal=Goal.GENERAL_STRENGTH,
    experience=Experience.BEGINNER,
    days_per_week=3,
    session_minutes=60,
    lifts=lifts(squat=35.4, bench_press=30.1, deadlift=47.4, barbell_row=26.0),
)


def test_a_light_lifter_s_loads_stay_on_the_chart_or_go_by_rpe() -> None:
    program = build_program(LIGHT)
    e1rms = {e.lift: e.e1rm for e in program.analysis.lifts}
    by_rpe = 0
    for week in program.weeks:
        for day in week.days:
            for ex in day.exercises:
                basis = CATALOG[ex.exercise_id].load_basis
                if basis is None or basis[0] not in e1rms:
                    continue
                if ex.load is not None and ex.load_kind is LoadKind.ABSOLUTE:
                    percent = 100 * ex.load / (e1rms[basis[0]] * basis[1])
                    assert percent <= percent_1rm(ex.reps_max, ex.target_rpe) + CHART_TOLERANCE
                elif ex.load_kind is LoadKind.BY_RPE and "plate step" in ex.notes:
                    by_rpe += 1
    assert by_rpe  # the 2.5 kg step is too coarse for some of these sets, and it says so
    assert "chart_loads" not in rules(program, LIGHT)


def test_a_load_above_the_chart_is_named() -> None:
    profile = make_profile(
        goal=Goal.GENERAL_STRENGTH, unit=Unit.KG, lifts=lifts(squat=150, bench_press=100)
    )
    program = build_program(profile)
    assert "chart_loads" not in rules(program, profile)
    w, d, k = first(program, "barbell_bench_press")
    ex = program.weeks[w].days[d].exercises[k]
    assert ex.load is not None
    heavy = changed(program, w, d, k, load=ex.load + 7.5)
    assert "chart_loads" in rules(heavy, profile)


def test_a_very_old_lifter_gets_supported_rows_and_the_chair_stand() -> None:
    profile = make_profile(age=90, equipment=[E.BODYWEIGHT], injuries=[InjuryArea.LOWER_BACK])
    program = build_program(profile)
    ids = used(program)
    assert not ids & {"table_inverted_row", "single_leg_rdl"}
    assert "towel_door_row" in ids
    assert all(day.exercises[0].exercise_id == "fast_chair_stand" for day in program.weeks[0].days)
