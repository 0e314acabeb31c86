"""Stage 2, volume landmarks: weekly hard sets per muscle, MV <= MEV <= MAV <= MRV.

Reference values: Renaissance Periodization (Mike Israetel, "Training Volume Landmarks
for Muscle Growth", rpstrength.com, 2017-2020), the commonly quoted figures. Where the
published figure is a range, the midpoint rounded down is used (e.g. chest MV 4-8 -> 6).

Individualisation multiplies the growth-side landmarks (MAV, MRV) by a bounded factor:
a personal MRV far above the published one is a bug, not personalisation. MV and MEV
are not raised (doing more to *maintain* is never individualisation); they are only
pulled down where a lowered MAV/MRV would otherwise cross them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from programgen.pipeline.domain import Experience, Muscle, Profile, VolumeLandmarks


class Reference(NamedTuple):
    mv: int
    mev: int
    mav_low: int
    mav_high: int
    mrv: int


# Israetel / RP (see module doc); ranges collapsed to their midpoint rounded down.
REFERENCE: dict[Muscle, Reference] = {
    Muscle.CHEST: Reference(6, 8, 12, 20, 22),  # MV 4-8, MEV 6-10
    Muscle.BACK: Reference(7, 10, 14, 22, 25),  # MV 6-8
    Muscle.QUADS: Reference(6, 8, 12, 18, 20),
    Muscle.HAMSTRINGS: Reference(3, 5, 10, 16, 20),  # MV 3-4, MEV 4-6
    Muscle.GLUTES: Reference(0, 0, 4, 12, 16),
    Muscle.FRONT_DELTS: Reference(0, 0, 6, 8, 12),
    Muscle.SIDE_REAR_DELTS: Reference(0, 7, 16, 22, 26),  # MEV 6-8
    Muscle.BICEPS: Reference(4, 8, 14, 20, 23),  # MV 4-5, MRV 20-26
    Muscle.TRICEPS: Reference(4, 6, 10, 14, 18),
    Muscle.CALVES: Reference(6, 8, 12, 16, 20),
    Muscle.ABS: Reference(0, 0, 16, 20, 25),
}

# Hard ceiling on personalisation: an individual MRV never exceeds 1.2 x the published
# MRV (project rule, docs/science.md), and never drops below 0.6 x (below that
# the published MEVs stop fitting under MRV for several muscles).
MAX_FACTOR = 1.2
MIN_FACTOR = 0.6

# Training age stands in for "work capacity built so far": RP's guidance that MRV rises
# slowly with years of training (Israetel, Hoffmann & Smith, "Scientific Principles of
# Hypertrophy Training", 2021, ch. 3). +/-10 % at the extremes (engine heuristic).
_TRAINING_AGE_STEPS = ((1.0, 0.9), (3.0, 1.0), (6.0, 1.05))  # (below years, factor)
_TRAINING_AGE_TOP = 1.1
# Years assumed when the athlete gives only an experience label (engine heuristic,
# matching the usual novice < 1 y, intermediate 1-3 y, advanced 3+ y descriptions).
DEFAULT_TRAINING_AGE = {
    Experience.BEGINNER: 0.5,
    Experience.INTERMEDIATE: 2.0,
    Experience.ADVANCED: 5.0,
}

# Sleep: < 7 h impairs recovery and strength gains (Dattilo et al. 2011, Med Hypotheses
# 77:220; Knowles et al. 2018, J Sci Med Sport 21:959). Never a bonus for long sleep.
_SLEEP_STEPS = ((6.0, 0.85), (7.0, 0.92), (8.0, 0.97))  # (below hours, factor)

# Perceived stress slows recovery from resistance training (Stults-Kolehmainen & Bartholomew
# 2012, J Strength Cond Res 26:3004; Bartholomew et al. 2008, JSCR 22:1215). 1-10 scale.
_STRESS_STEPS = ((4, 1.0), (7, 0.95), (9, 0.88))  # (below level, factor)
_STRESS_TOP = 0.8

# Older lifters recover more slowly (Fell & Williams 2008, J Aging Phys Act 16:97);
# adolescents are kept conservative (Faigenbaum et al. 2009, NSCA youth position stand).
_AGE_STEPS = ((18, 0.9), (40, 1.0), (50, 0.95), (60, 0.9), (70, 0.85))  # (below age, factor)
_AGE_TOP = 0.8


def _step(value: float, steps: tuple[tuple[float, float], ...], top: float) -> float:
    for below, factor in steps:
        if value < below:
            return factor
    return top


def recovery_factor(profile: Profile) -> float:
    """Product of the individual factors, clamped to [MIN_FACTOR, MAX_FACTOR]."""
    years = profile.training_age_years
    if years is None:
        years = DEFAULT_TRAINING_AGE[profile.experience]
    factor = (
        _step(years, _TRAINING_AGE_STEPS, _TRAINING_AGE_TOP)
        * _step(profile.sleep_hours, _SLEEP_STEPS, 1.0)
        * _step(profile.stress, _STRESS_STEPS, _STRESS_TOP)
        * _step(profile.age, _AGE_STEPS, _AGE_TOP)
    )
    return min(MAX_FACTOR, max(MIN_FACTOR, factor))


def individual_landmarks(muscle: Muscle, factor: float) -> VolumeLandmarks:
    ref = REFERENCE[muscle]
    ceiling = math.floor(ref.mrv * MAX_FACTOR)
    mrv = min(ceiling, math.floor(ref.mrv * factor))
    mev = min(ref.mev, mrv)
    mv = min(ref.mv, mev)
    mav_low = min(mrv, max(mev, round(ref.mav_low * factor)))
    mav_high = min(mrv, max(mav_low, round(ref.mav_high * factor)))
    return VolumeLandmarks(
        muscle=muscle,
        mv=mv,
        mev=mev,
        mav_low=mav_low,
        mav_high=mav_high,
        mrv=mrv,
        reference_mrv=ref.mrv,
    )


def compute_landmarks(profile: Profile) -> list[VolumeLandmarks]:
    """Individual landmarks for every muscle, in Muscle order."""
    factor = recovery_factor(profile)
    return [individual_landmarks(muscle, factor) for muscle in Muscle]
