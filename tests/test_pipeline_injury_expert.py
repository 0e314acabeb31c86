"""Expert cases for injuries: what a coach checks in the programs of injured athletes."""

from __future__ import annotations

import pytest
from google.protobuf import json_format

from programgen.pipeline.catalog import CATALOG, Category, is_available
from programgen.pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    InjuryArea,
    Muscle,
    Profile,
    Program,
)
from programgen.pipeline.engine import build_program
from programgen.pipeline.injuries import Stress
from programgen.pipeline.validation import validate_profile
from programgen.server.mapping import message_to_dict
from programgen.v1 import profile_pb2
from tests.harness import example
from tests.pipeline_support import FULL_GYM, make_profile


def used(program: Program) -> set[str]:
    return {ex.exercise_id for w in program.weeks for d in w.days for ex in d.exercises}


def adjustment_text(program: Program) -> str:
    return " ".join(a.change for a in program.injury_adjustments).lower()


def powerlifter() -> Profile:
    message = json_format.ParseDict(example("advanced_powerlifter_lb"), profile_pb2.Profile())
    return validate_profile(message_to_dict(message))


def test_powerlifter_with_golfers_elbow_gets_no_close_grip_pressing_and_is_told_why() -> None:
    profile = powerlifter()
    assert "close-grip pressing" in profile.injury_note
    program = build_program(profile)
    ids = used(program)
    for exercise_id in ids:
        entry = CATALOG[exercise_id]
        assert not entry.stresses & {Stress.CLOSE_GRIP, Stress.DIPS}, exercise_id
        assert InjuryArea.ELBOW not in entry.contraindications, exercise_id
    assert "close_grip_bench_press" not in ids
    # The competition lifts stay.
    assert {"barbell_bench_press", "barbell_back_squat", "conventional_deadlift"} <= ids
    for finding in program.weak_points.findings:
        assert "close_grip_bench_press" not in finding.exercise_ids
        assert "close-grip" not in finding.finding.lower()
        assert not any("dip" in i for i in finding.exercise_ids)
    elbow = [a for a in program.injury_adjustments if a.area is InjuryArea.ELBOW]
    assert elbow and "elbow" in adjustment_text(program)
    assert elbow[0].source == "injuries list and injury note"
    assert "close_grip_bench_press" in elbow[0].excluded_exercise_ids
    assert "machine_dip" in elbow[0].excluded_exercise_ids
    assert "3/10" in program.pain_rule


def test_seventy_year_old_on_machines_with_knee_and_shoulder_injuries() -> None:
    injured = {InjuryArea.KNEE, InjuryArea.SHOULDER}
    profile = make_profile(
        goal=Goal.GENERAL_FITNESS,
        experience=Experience.BEGINNER,
        age=70,
        equipment=[Equipment.MACHINES, Equipment.CABLES, Equipment.DUMBBELLS, Equipment.BENCH],
        injuries=sorted(injured),
        days_per_week=3,
        session_minutes=60,
    )
    program = build_program(profile)
    ids = used(program)
    for exercise_id in ids:
        entry = CATALOG[exercise_id]
        assert not entry.contraindications & injured, exercise_id
        assert is_available(entry, profile), exercise_id  # no caution beside a kinder option
    assert not ids & {"push_up", "dumbbell_bench_press", "dumbbell_goblet_squat", "hack_squat"}
    # Machine and supported variants lead the big muscles.
    for muscle, expected in (
        (Muscle.CHEST, {"machine_chest_press", "dumbbell_floor_press"}),
        (Muscle.QUADS, {"leg_press"}),
        (Muscle.BACK, {"machine_row", "seated_cable_row", "chest_supported_dumbbell_row"}),
    ):
        # Strength work: the older adult's fast chair stands (power, goal rules) train
        # the quads too.
        trained = {
            i
            for i in ids
            if CATALOG[i].primary is muscle and CATALOG[i].category is Category.STRENGTH
        }
        assert trained and trained <= expected | {"lat_pulldown"}, (muscle, trained)
    # Every strength compound is a supported variant where the muscle has one (hinges have
    # none); the conditioning circuit's carry (goal rules) is not strength work.
    for i in ids:
        entry = CATALOG[i]
        strength = entry.category is Category.STRENGTH
        if strength and entry.compound and entry.primary is not Muscle.HAMSTRINGS:
            assert entry.supported, i
    said = {a.area for a in program.injury_adjustments}
    assert injured <= said
    assert program.pain_rule


def test_dumbbells_only_fat_loss_with_a_wrist_injury() -> None:
    profile = make_profile(
        goal=Goal.FAT_LOSS,
        experience=Experience.INTERMEDIATE,
        equipment=[Equipment.DUMBBELLS],
        injuries=[InjuryArea.WRIST],
        days_per_week=3,
        session_minutes=45,
    )
    program = build_program(profile)
    ids = used(program)
    for exercise_id in ids:
        assert InjuryArea.WRIST not in CATALOG[exercise_id].contraindications, exercise_id
        assert is_available(CATALOG[exercise_id], profile), exercise_id
    assert not ids & {"push_up", "diamond_push_up", "pike_push_up", "feet_elevated_push_up"}
    trained = {ms.muscle for ms in program.weeks[0].weekly_sets if ms.sets > 0}
    assert {Muscle.CHEST, Muscle.BACK, Muscle.QUADS, Muscle.HAMSTRINGS} <= trained
    assert "wrist" in adjustment_text(program)
    assert "push_up" in program.injury_adjustments[0].excluded_exercise_ids
    assert program.pain_rule


def test_an_uninjured_athlete_gets_no_injury_text() -> None:
    program = build_program(make_profile(injury_note="no injuries, knees are fine"))
    assert program.injury_adjustments == [] and program.pain_rule == ""


def test_a_note_alone_changes_the_program_and_says_so() -> None:
    profile = make_profile(injury_note="herniated disc, sciatica when bending over")
    program = build_program(profile)
    ids = used(program)
    for exercise_id in ids:
        assert InjuryArea.LOWER_BACK not in CATALOG[exercise_id].contraindications, exercise_id
    assert not ids & {"barbell_back_squat", "conventional_deadlift", "barbell_row", "front_squat"}
    [adjustment] = program.injury_adjustments
    assert adjustment.area is InjuryArea.LOWER_BACK and adjustment.source == "injury note"
    assert "herniated disc" in adjustment.note_phrases


NOTES = [
    "golfer's elbow, flares with close-grip pressing",
    "tennis elbow and carpal tunnel",
    "rotator cuff tear, no overhead work, dips hurt",
    "ACL reconstruction, meniscus trimmed, kneeling hurts, no jumping or running",
    "herniated disc L5-S1 with sciatica, bending over and crunches aggravate it",
    "FAI in both hips, deep squats and lunges hurt",
    "push-ups and pull-ups hurt my wrists and shoulders",
    "sore knees, bad back, cranky shoulders, both elbows and wrists, and a bad hip",
]


@pytest.mark.parametrize("note", NOTES)
@pytest.mark.parametrize(
    "equipment",
    [[Equipment.BODYWEIGHT], [Equipment.DUMBBELLS], [Equipment.BANDS], FULL_GYM],
)
def test_a_note_never_makes_a_profile_unbuildable(note: str, equipment: list[Equipment]) -> None:
    for goal, days, minutes in ((Goal.GENERAL_FITNESS, 2, 30), (Goal.POWERLIFTING_PEAK, 4, 75)):
        profile = make_profile(
            injury_note=note,
            equipment=equipment,
            goal=goal,
            days_per_week=days,
            session_minutes=minutes,
        )
        program = build_program(profile)  # validated, the injury rule included
        assert program.injury_adjustments and program.pain_rule
