"""The exercise catalog: coverage, the counting-rule assumption, available/substitutes."""

from __future__ import annotations

import pytest

from programgen.pipeline.catalog import CATALOG, Pattern, available, substitutes
from programgen.pipeline.domain import Equipment, InjuryArea, Lift, Muscle
from tests.pipeline_support import make_profile


def test_catalog_is_large_and_covers_every_muscle_and_equipment() -> None:
    assert len(CATALOG) >= 80
    assert {m for ex in CATALOG.values() for m in ex.primary_muscles} == set(Muscle)
    assert {e for ex in CATALOG.values() for e in ex.equipment} == set(Equipment)
    for exercise_id, ex in CATALOG.items():
        assert ex.id == exercise_id and ex.name
        # The hard-set counting rule (pipeline.accounting) relies on one primary muscle.
        assert len(ex.primary_muscles) == 1
        assert ex.primary not in ex.secondary_muscles
        assert ex.equipment


@pytest.mark.parametrize(
    "equipment", [[Equipment.BODYWEIGHT], [Equipment.DUMBBELLS], [Equipment.BANDS]]
)
def test_minimal_equipment_still_trains_every_muscle(equipment: list[Equipment]) -> None:
    options = available(make_profile(equipment=equipment))
    assert {ex.primary for ex in options} == set(Muscle)
    assert {e for ex in options for e in ex.equipment} <= {*equipment, Equipment.BODYWEIGHT}


def test_bodyweight_is_always_available() -> None:
    options = available(make_profile(equipment=[Equipment.DUMBBELLS]))
    assert any(ex.equipment == {Equipment.BODYWEIGHT} for ex in options)


def test_injuries_filter_contraindicated_exercises() -> None:
    injuries = [InjuryArea.SHOULDER, InjuryArea.KNEE]
    options = available(make_profile(injuries=injuries))
    assert options
    assert not any(ex.contraindications & set(injuries) for ex in options)
    ids = {ex.id for ex in options}
    assert "overhead_press" not in ids and "barbell_back_squat" not in ids
    assert "leg_press" in ids and "machine_chest_press" in ids
    # A caution for the shoulder: not offered while a kinder press is available.
    assert "dumbbell_bench_press" not in ids and "push_up" not in ids


def test_every_injury_at_once_still_leaves_a_compound_with_bodyweight_only() -> None:
    profile = make_profile(equipment=[Equipment.BODYWEIGHT], injuries=list(InjuryArea))
    assert any(ex.compound for ex in available(profile))


def test_substitutes_keep_the_primary_muscle_and_compoundness() -> None:
    profile = make_profile(equipment=[Equipment.DUMBBELLS, Equipment.BENCH])
    subs = substitutes("dumbbell_bench_press", profile)
    assert subs
    assert all(s.primary is Muscle.CHEST and s.compound for s in subs)
    assert all(s.id != "dumbbell_bench_press" for s in subs)
    allowed = {ex.id for ex in available(profile)}
    assert {s.id for s in subs} <= allowed
    assert subs == substitutes("dumbbell_bench_press", profile)  # deterministic
    # Also answers for an exercise the athlete cannot do (no barbell here).
    assert "dumbbell_bench_press" in {s.id for s in substitutes("barbell_bench_press", profile)}
    assert not any(s.compound for s in substitutes("cable_fly", profile))
    with pytest.raises(KeyError):
        substitutes("no_such_exercise", profile)


def test_close_variants_name_a_parent_lift_with_a_conservative_ratio() -> None:
    variants = [ex for ex in CATALOG.values() if ex.parent_lift is not None]
    assert {ex.id for ex in variants} >= {"front_squat", "romanian_deadlift", "chin_up"}
    for ex in variants:
        assert ex.lift is None  # a variant is never the lift itself
        assert 0.5 <= ex.parent_ratio <= 1.0
        assert ex.load_basis == (ex.parent_lift, ex.parent_ratio)
    assert CATALOG["barbell_back_squat"].load_basis == (Lift.SQUAT, 1.0)
    assert CATALOG["good_morning"].load_basis is None


def test_patterns_tell_lateral_raises_from_rear_delt_work() -> None:
    # Side and rear delt work are different patterns, so a session can hold both.
    assert CATALOG["dumbbell_lateral_raise"].pattern is Pattern.SHOULDER_RAISE
    assert CATALOG["face_pull"].pattern is Pattern.REAR_DELT_FLY
    assert CATALOG["reverse_pec_deck"].pattern is Pattern.REAR_DELT_FLY
    assert CATALOG["machine_hip_abduction"].pattern is Pattern.HIP_ABDUCTION
    assert CATALOG["barbell_hip_thrust"].pattern is Pattern.HIP_EXTENSION
