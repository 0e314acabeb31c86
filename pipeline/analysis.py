"""Stage 1, profile analysis: units, estimated 1RMs, relative strength, a strength level."""

from __future__ import annotations

import math

from programgen.pipeline.domain import (
    E1rmFormula,
    KnownLift,
    Lift,
    LiftEstimate,
    Profile,
    ProfileAnalysis,
    Sex,
    StrengthLevel,
    Unit,
)

# The international avoirdupois pound, exactly (International Yard and Pound Agreement, 1959).
KG_PER_LB = 0.45359237

# Smallest load jump with the smallest common plate pair: 2 x 1.25 kg or 2 x 2.5 lb.
PLATE_INCREMENT = {Unit.KG: 2.5, Unit.LB: 5.0}
# The empty Olympic bar, the one bar weight of the engine (loads, warm-ups, test day and
# the validator): 20 kg (IWF/IPF men's bar) or the 45 lb US standard.
BAR_WEIGHT = {Unit.KG: 20.0, Unit.LB: 45.0}

# Which formula for which reps is an ENGINE CONVENTION, not a finding: Brzycki for 2-10
# reps, Epley for 11-12. docs/science.md asks for one of the two, named. Brzycki published his
# equation for sets of up to 10 reps (Brzycki 1993, J Phys Educ Recreat Dance 64(1):88);
# Epley's (Boyd Epley's 1985 poundage chart) grows linearly with reps where Brzycki's
# 36 / (37 - r) grows ever faster past 10; the two agree exactly at 10 reps, so the
# switch is seamless. No study picks this split: LeSuer, McCormick, Mayhew, Wasserstein &
# Arnold 1997 (J Strength Cond Res 11(4):211) compared seven equations and found the
# Mayhew and Wathen equations the most accurate for bench press and squat, with every
# equation underestimating the deadlift 1RM. Treat any e1RM as an estimate the RPE
# targets correct.
BRZYCKI_MAX_REPS = 10
# Prediction error of every rep-max equation grows with the reps; from sets of more than
# 10 reps the e1RM is flagged uncertain and its loads go by RPE instead (Reynolds, Gordon
# & Robergs 2006, J Strength Cond Res 20:584: estimates from 5- and 10-RM sets tracked
# the 1RM closely, from 20-RM sets poorly). docs/science.md, "Loads".
RELIABLE_MAX_REPS = 10

# Bodyweight multiples (e1RM / bodyweight) at which a lifter reaches intermediate,
# advanced and elite: the flat summary multiples Strength Level (strengthlevel.com)
# publishes for each lift (e.g. men's bench 1.25 / 1.75 / 2.0 x bodyweight, squat
# 1.5 / 2.25 / 2.75). APPROXIMATE: Strength Level's tables come from lifts its users
# submit, not from a peer-reviewed norm; its full tables vary with bodyweight (lighter
# lifters need higher multiples) and the engine uses one multiple per lift (engine
# simplification). Other commonly quoted tables (e.g. Rippetoe & Kilgore's, ExRx) put
# the levels lower; these only grade a strength level, they never set a load.
# Below "intermediate" is novice. Pull-ups are left out: their standards count reps.
_STANDARDS: dict[Sex, dict[Lift, tuple[float, float, float]]] = {
    Sex.MALE: {
        Lift.SQUAT: (1.5, 2.25, 2.75),
        Lift.BENCH_PRESS: (1.25, 1.75, 2.0),
        Lift.DEADLIFT: (2.0, 2.5, 3.0),
        Lift.OVERHEAD_PRESS: (0.8, 1.05, 1.35),
        Lift.BARBELL_ROW: (1.0, 1.5, 1.75),
    },
    Sex.FEMALE: {
        Lift.SQUAT: (1.25, 1.5, 2.0),
        Lift.BENCH_PRESS: (0.75, 1.0, 1.5),
        Lift.DEADLIFT: (1.25, 1.75, 2.5),
        Lift.OVERHEAD_PRESS: (0.5, 0.75, 1.0),
        Lift.BARBELL_ROW: (0.65, 0.9, 1.2),
    },
}

_LEVELS = (
    StrengthLevel.NOVICE,
    StrengthLevel.INTERMEDIATE,
    StrengthLevel.ADVANCED,
    StrengthLevel.ELITE,
)


def to_kg(value: float, unit: Unit) -> float:
    return value * KG_PER_LB if unit is Unit.LB else value


def e1rm(weight: float, reps: int) -> tuple[float, E1rmFormula]:
    """Estimated 1RM of `weight` lifted for `reps` reps, and the formula used."""
    if reps <= 1:
        return weight, E1rmFormula.TESTED
    if reps <= BRZYCKI_MAX_REPS:
        return weight * 36 / (37 - reps), E1rmFormula.BRZYCKI
    return weight * (1 + reps / 30), E1rmFormula.EPLEY


def estimate(lift: KnownLift, bodyweight: float) -> LiftEstimate:
    """One lift's e1RM (in the profile's unit) and its multiple of bodyweight.

    A pull-up's weight is the load added to bodyweight, so the formula runs on the whole
    system mass (bodyweight + added load); the e1RM reported is again the ADDED load, and
    relative strength is system-mass e1RM over bodyweight.
    """
    if lift.lift is Lift.PULL_UP:
        system, formula = e1rm(bodyweight + lift.weight, lift.reps)
        return LiftEstimate(
            lift=lift.lift,
            e1rm=round(system - bodyweight, 1),
            formula=formula,
            relative_strength=round(system / bodyweight, 2),
            uncertain=lift.reps > RELIABLE_MAX_REPS,
        )
    value, formula = e1rm(lift.weight, lift.reps)
    return LiftEstimate(
        lift=lift.lift,
        e1rm=round(value, 1),
        formula=formula,
        relative_strength=round(value / bodyweight, 2),
        uncertain=lift.reps > RELIABLE_MAX_REPS,
    )


def _thresholds(lift: Lift, sex: Sex | None) -> tuple[float, float, float] | None:
    if lift not in _STANDARDS[Sex.MALE]:
        return None
    if sex is not None:
        return _STANDARDS[sex][lift]
    # Sex not given: the mean of both tables, so nobody is systematically over- or
    # under-rated by an assumption (engine convention).
    male, female = _STANDARDS[Sex.MALE][lift], _STANDARDS[Sex.FEMALE][lift]
    return (
        (male[0] + female[0]) / 2,
        (male[1] + female[1]) / 2,
        (male[2] + female[2]) / 2,
    )


def lift_level(estimate: LiftEstimate, sex: Sex | None) -> StrengthLevel | None:
    thresholds = _thresholds(estimate.lift, sex)
    if thresholds is None:
        return None
    level = 0
    for i, threshold in enumerate(thresholds, start=1):
        if estimate.relative_strength >= threshold:
            level = i
    return _LEVELS[level]


def strength_level(estimates: list[LiftEstimate], sex: Sex | None) -> StrengthLevel:
    """The lower median of the per-lift levels: one outlier lift does not set the level."""
    levels = sorted(
        _LEVELS.index(level)
        for level in (lift_level(e, sex) for e in estimates)
        if level is not None
    )
    if not levels:
        return StrengthLevel.UNKNOWN
    return _LEVELS[levels[(len(levels) - 1) // 2]]


def analyze_profile(profile: Profile) -> ProfileAnalysis:
    estimates = [estimate(lift, profile.bodyweight) for lift in profile.lifts]
    estimates.sort(key=lambda e: list(Lift).index(e.lift))
    return ProfileAnalysis(
        bodyweight_kg=round(to_kg(profile.bodyweight, profile.unit), 2),
        lifts=estimates,
        strength_level=strength_level(estimates, profile.sex),
        plate_increment=PLATE_INCREMENT[profile.unit],
    )


def round_to_increment(value: float, increment: float) -> float:
    """Nearest multiple of the plate increment (halves round up, never banker's)."""
    return round(math.floor(value / increment + 0.5) * increment, 2)
