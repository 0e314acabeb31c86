"""The injury model: the joint review, the note's phrase model, restrictions, ladders."""

from __future__ import annotations

import itertools
import time

import pytest

from programgen.pipeline.catalog import (
    CATALOG,
    Category,
    Loading,
    available,
    is_available,
    substitutes,
)
from programgen.pipeline.domain import Equipment, Goal, InjuryArea, Muscle
from programgen.pipeline.engine import build_program
from programgen.pipeline.injuries import (
    Restrictions,
    Stress,
    allowed,
    restrictions,
    tier,
    tighten,
)
from programgen.pipeline.injuries.phrases import read_note
from programgen.pipeline.injuries.report import injury_adjustments
from programgen.pipeline.injuries.review import REVIEW, SUPPORTED, Verdict, judgements
from tests.pipeline_support import FULL_GYM, make_profile

A = InjuryArea


def areas(note: str) -> set[InjuryArea]:
    return {a for f in read_note(note) for a in f.areas}


def stresses(note: str) -> set[Stress]:
    return {s for f in read_note(note) for s in f.stresses}


def ids(**profile: object) -> set[str]:
    return {ex.id for ex in available(make_profile(**profile))}


# --------------------------------------------------------------------------- the review


def test_every_exercise_has_a_reasoned_verdict_for_every_area() -> None:
    # Every strength entry has a row of its own; later power, carry and conditioning
    # entries fall back to their catalog tags, their stresses and their category.
    strength = {ex.id for ex in CATALOG.values() if ex.category is Category.STRENGTH}
    assert strength <= set(REVIEW) <= set(CATALOG)
    assert set(CATALOG) >= SUPPORTED
    for ex in CATALOG.values():
        cells = dict(ex.joint_review)
        assert set(cells) == set(InjuryArea)
        for area, cell in cells.items():
            assert len(cell.reason) > 10, (ex.id, area)
            assert (cell.verdict is Verdict.AVOID) == (area in ex.contraindications)
            assert (cell.verdict is Verdict.CAUTION) == (area in ex.cautions)


@pytest.mark.parametrize(
    ("exercise_id", "area"),
    [
        # Each pair was seen kept in a program by the independent review.
        ("chair_dip", A.ELBOW),
        ("bench_dip", A.ELBOW),
        ("machine_dip", A.ELBOW),
        ("front_squat", A.LOWER_BACK),
        ("barbell_box_squat", A.KNEE),
        ("close_grip_bench_press", A.ELBOW),
        ("conventional_deadlift", A.HIP),
        ("barbell_back_squat", A.KNEE),
        ("overhead_press", A.SHOULDER),
        ("barbell_row", A.LOWER_BACK),
        ("push_up", A.WRIST),
    ],
)
def test_the_review_avoids_what_a_coach_would(exercise_id: str, area: InjuryArea) -> None:
    assert area in CATALOG[exercise_id].contraindications


def test_an_unreviewed_entry_falls_back_to_its_tags_stresses_and_category() -> None:
    jump = judgements("box_jump", "squat", frozenset({A.HIP}), "power")
    assert jump[A.KNEE].verdict is Verdict.AVOID  # landing impact
    assert jump[A.HIP].verdict is Verdict.AVOID  # the entry's own tag
    assert jump[A.LOWER_BACK].verdict is Verdict.CAUTION
    carry = judgements("farmers_carry", "core", frozenset(), "carry")
    assert carry[A.ELBOW].verdict is Verdict.CAUTION
    assert carry[A.SHOULDER].verdict is Verdict.OK


def test_push_ups_give_way_to_a_machine_press_for_a_shoulder() -> None:
    assert A.SHOULDER in CATALOG["push_up"].cautions
    gym = ids(injuries=[A.SHOULDER], equipment=[Equipment.MACHINES])
    assert "machine_chest_press" in gym and "push_up" not in gym
    # With nothing kinder for the chest, a push-up stays as the last resort (a caution,
    # not an avoid); the incline one (a smaller share of bodyweight) is preferred first.
    home = ids(injuries=[A.SHOULDER], equipment=[Equipment.BODYWEIGHT])
    assert "push_up" in home


# --------------------------------------------------------------------------- phrases


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("golfer's elbow on the right side, flares with close-grip pressing", {A.ELBOW}),
        ("Tennis elbow", {A.ELBOW}),
        ("rotator cuff tendinopathy", {A.SHOULDER}),
        ("shoulder impingement when pressing", {A.SHOULDER}),
        ("ACL reconstruction two years ago", {A.KNEE}),
        ("torn meniscus", {A.KNEE}),
        ("patellar tendinopathy", {A.KNEE}),
        ("sciatica down my left leg", {A.LOWER_BACK}),
        ("herniated disc", {A.LOWER_BACK}),
        ("SI joint pain", {A.LOWER_BACK}),
        ("carpal tunnel in both hands", {A.WRIST}),
        ("FAI in my left hip", {A.HIP}),
        ("sore knees and a stiff lower back", {A.KNEE, A.LOWER_BACK}),
    ],
)
def test_the_note_names_body_areas(note: str, expected: set[InjuryArea]) -> None:
    assert areas(note) == expected


@pytest.mark.parametrize(
    "note",
    [
        "no knee pain",
        "never had shoulder problems",
        "I don't have any wrist issues",
        "knees are fine",
        "back squats feel great",  # "back squat" is not the lower back
        "hip thrusts are my favourite",  # nor is "hip thrust" the hip
        "everything else is ok",
        "",
    ],
)
def test_negated_or_unrelated_notes_name_no_area(note: str) -> None:
    assert areas(note) == set()


def test_movements_are_read_and_attributed_to_the_area_before_them() -> None:
    findings = read_note("golfer's elbow on the right side, flares with close-grip pressing")
    grip = next(f for f in findings if Stress.CLOSE_GRIP in f.stresses)
    assert grip.areas == {A.ELBOW}
    assert stresses("dips hurt") == {Stress.DIPS}
    assert stresses("can't do lunges") == {Stress.LUNGE}  # a negator before a movement restricts
    assert stresses("lunges are fine") == set()
    assert stresses("knee pain when running") == {Stress.RUNNING}
    assert stresses("overhead pressing bothers it") == {Stress.OVERHEAD}
    assert Stress.SUPINATED not in stresses("leg curls are my thing")
    assert "knee" not in {f.phrase for f in read_note("kneeling hurts")}


def test_the_note_only_adds_to_the_structured_injuries() -> None:
    plain = restrictions(make_profile(injuries=[A.KNEE]))
    noted = restrictions(make_profile(injuries=[A.KNEE], injury_note="no shoulder pain"))
    assert plain.areas == noted.areas == {A.KNEE}
    both = restrictions(make_profile(injuries=[A.KNEE], injury_note="tennis elbow"))
    assert both.areas == {A.KNEE, A.ELBOW} and both.structured == {A.KNEE}


def test_tighten_never_loosens() -> None:
    r = restrictions(make_profile(injuries=[A.KNEE], injury_note="dips hurt"))
    tighter = tighten(r, areas=[A.WRIST], stresses=[Stress.OVERHEAD])
    assert tighter.areas >= r.areas and tighter.stresses >= r.stresses
    assert tighten(r) == r
    for ex in CATALOG.values():
        if not allowed(ex, r):
            assert not allowed(ex, tighter)


# --------------------------------------------------------------------------- restrictions


def test_the_note_filters_available_and_substitutes() -> None:
    note = "golfer's elbow, flares with close-grip pressing"
    profile = make_profile(injury_note=note)
    options = {ex.id for ex in available(profile)}
    assert not options & {"close_grip_bench_press", "machine_dip", "chin_up", "barbell_curl"}
    assert "barbell_bench_press" in options
    subs = {ex.id for ex in substitutes("barbell_bench_press", profile)}
    assert "close_grip_bench_press" not in subs
    assert not is_available(CATALOG["close_grip_bench_press"], profile)


def test_a_named_movement_is_never_kept_and_the_friendly_variant_stays() -> None:
    # Bodyweight only and "push-ups hurt": every flat-hand push-up is out (never kept as
    # a last resort); the fist push-up, which keeps the wrist neutral, trains the chest.
    profile = make_profile(equipment=[Equipment.BODYWEIGHT], injury_note="push-ups hurt")
    chest = {ex.id for ex in available(profile) if ex.primary is Muscle.CHEST}
    assert chest == {"fist_push_up"}
    r = restrictions(profile)
    assert all(tier(CATALOG[i], r) == 0 for i in chest)
    assert tier(CATALOG["incline_push_up"], r) is None


def test_a_muscle_the_note_empties_is_stated_not_kept() -> None:
    profile = make_profile(
        equipment=[Equipment.BODYWEIGHT], injury_note="golfer's elbow, curls and chin-ups hurt"
    )
    assert not [ex for ex in available(profile) if ex.primary is Muscle.BICEPS]
    program = build_program(profile)
    used = {ex.exercise_id for w in program.weeks for d in w.days for ex in d.exercises}
    assert "towel_door_curl" not in used
    elbow = next(a for a in program.injury_adjustments if a.area is A.ELBOW)
    assert "towel_door_curl" in elbow.excluded_exercise_ids
    assert "Nothing else your equipment allows trains the biceps" in elbow.change
    assert program.pain_rule


def test_supported_variants_come_first_for_an_older_or_injured_lifter() -> None:
    def first(muscle: Muscle, **kw: object) -> str:
        return next(ex.id for ex in available(make_profile(**kw)) if ex.primary is muscle)

    assert first(Muscle.QUADS) == "barbell_back_squat"
    assert first(Muscle.QUADS, age=70) == "leg_press"
    assert first(Muscle.QUADS, injuries=[A.KNEE]) == "leg_press"
    assert first(Muscle.BACK, injuries=[A.LOWER_BACK]) == "chest_supported_dumbbell_row"
    # Muscles the injury does not touch keep the usual order.
    assert first(Muscle.CHEST, injuries=[A.KNEE]) == "barbell_bench_press"
    # Strength goals keep their main lifts first.
    assert first(Muscle.QUADS, age=70, goal=Goal.POWERLIFTING_PEAK) == "barbell_back_squat"


def test_restricted_available_stays_fast() -> None:
    profiles = [
        make_profile(injury_note=f"knee pain number {i}, dips hurt", equipment=FULL_GYM)
        for i in range(200)
    ]
    start = time.perf_counter()
    for p in profiles:
        available(p)
    # 200 distinct notes, each read and filtered once: far below a program's budget.
    assert (time.perf_counter() - start) / len(profiles) < 0.005


# --------------------------------------------------------------------------- ladders


def test_ladders_link_existing_same_muscle_exercises_both_ways() -> None:
    linked = 0
    for ex in CATALOG.values():
        for step, back in ((ex.easier, "harder"), (ex.harder, "easier")):
            if step is None:
                continue
            linked += 1
            other = CATALOG[step]
            assert other.primary is ex.primary, (ex.id, step)
            assert getattr(other, back) == ex.id, (ex.id, step)
    assert linked >= 20


@pytest.mark.parametrize(
    "ladder",
    [
        ["incline_push_up", "push_up", "feet_elevated_push_up", "deficit_push_up"],
        ["band_assisted_pull_up", "pull_up", "weighted_pull_up"],
        [
            "bodyweight_split_squat",
            "rear_foot_elevated_split_squat",
            "skater_squat",
            "pistol_squat",
        ],
    ],
)
def test_the_published_ladders(ladder: list[str]) -> None:
    for easier, harder in itertools.pairwise(ladder):
        assert CATALOG[easier].harder == harder and CATALOG[harder].easier == easier


def test_unilateral_and_loading_flags() -> None:
    for exercise_id in (
        "bulgarian_split_squat",
        "dumbbell_walking_lunge",
        "one_arm_dumbbell_row",
        "rear_foot_elevated_split_squat",
        "single_leg_rdl",
        "pistol_squat",
    ):
        assert CATALOG[exercise_id].unilateral, exercise_id
    assert not CATALOG["barbell_back_squat"].unilateral
    assert CATALOG["weighted_pull_up"].loading is Loading.DUMBBELL
    assert CATALOG["band_assisted_pull_up"].loading is Loading.BODYWEIGHT
    assert CATALOG["inverted_row"].loading is Loading.BODYWEIGHT
    assert CATALOG["barbell_rollout"].loading is Loading.BODYWEIGHT
    assert CATALOG["barbell_bench_press"].loading is Loading.BARBELL


def test_demanding_variants_are_a_last_resort_past_65() -> None:
    young = ids(equipment=[Equipment.BODYWEIGHT])
    old = ids(equipment=[Equipment.BODYWEIGHT], age=70)
    assert {"pistol_squat", "nordic_curl", "deficit_push_up"} <= young
    assert not old & {"pistol_squat", "nordic_curl", "deficit_push_up", "skater_squat"}
    assert {"bodyweight_box_squat", "push_up", "sliding_leg_curl"} <= old


def test_more_restrictions_only_ever_remove_exercises() -> None:
    profile = make_profile(injuries=[A.KNEE])
    base = {ex.id for ex in available(profile)}
    # What an LLM stage might add after reading the note itself.
    also = tighten(Restrictions(), areas=[A.SHOULDER], stresses=[Stress.OVERHEAD])
    tighter = {ex.id for ex in available(profile, also)}
    assert tighter < base
    # Whatever is added, nothing the profile's own restrictions avoid comes back.
    r = restrictions(profile)
    for extra in ([A.LOWER_BACK], [A.HIP, A.ELBOW], list(InjuryArea)):
        more = {ex.id for ex in available(profile, tighten(r, areas=extra))}
        assert all(tier(CATALOG[i], r) is not None for i in more)
        assert all(tier(CATALOG[i], tighten(r, areas=extra)) is not None for i in more)
    assert not tighter & {"overhead_press", "pull_up", "barbell_back_squat"}
    # Even "restrictions" without the profile's own cannot loosen them.
    assert {ex.id for ex in available(profile, Restrictions())} == base
    assert {s.id for s in substitutes("leg_press", profile, also)} <= tighter


def test_body_parts_outside_the_six_areas_restrict_their_movements() -> None:
    assert areas("sprained ankle") == set()
    assert stresses("sprained ankle") == {Stress.JUMPING, Stress.RUNNING}
    assert stresses("no ankle problems") == set()
    assert stresses("feet-elevated push-ups hurt my shoulder") == {Stress.PUSH_UP}
    assert areas("lower-back pain") == areas("my back hurts") == {A.LOWER_BACK}
    program_note = make_profile(injury_note="achilles tendinopathy")
    [adjustment] = injury_adjustments(program_note, [])
    assert adjustment.area is None and "achilles tendinopathy" in adjustment.note_phrases
