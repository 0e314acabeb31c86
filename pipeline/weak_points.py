"""Stage 3, weak points: strength ratios between lifts against reference bands.

A ratio below its band means the numerator lift lags; above it, the denominator lift
lags. Each finding names the lagging lift's prime movers, catalog exercises that train
them, extra weekly sets, and when to test again. The exercises come from
`catalog.available`, which applies the injury model (the injuries list and the note,
pipeline.injuries), so a finding never recommends an exercise the injuries exclude.
"""

from __future__ import annotations

from dataclasses import dataclass

from programgen.pipeline.analysis import to_kg
from programgen.pipeline.catalog import available
from programgen.pipeline.domain import (
    Lift,
    Muscle,
    Profile,
    ProfileAnalysis,
    Severity,
    Sex,
    WeakPoint,
    WeakPointAnalysis,
)
from programgen.pipeline.periodization import total_weeks


@dataclass(frozen=True, slots=True)
class Band:
    numerator: Lift
    denominator: Lift
    low: float
    high: float


# Reference bands as quoted in docs/science.md (commonly cited strength-balance
# ratios; women's bench/squat band lower because upper-body strength is a smaller share
# of total strength in women).
_BANDS: tuple[Band, ...] = (
    Band(Lift.BENCH_PRESS, Lift.SQUAT, 0.60, 0.80),
    Band(Lift.DEADLIFT, Lift.SQUAT, 1.10, 1.40),
    Band(Lift.OVERHEAD_PRESS, Lift.BENCH_PRESS, 0.55, 0.75),
    Band(Lift.BARBELL_ROW, Lift.BENCH_PRESS, 0.80, 1.05),
)
_FEMALE_BENCH_SQUAT = (0.45, 0.65)
# Sex not given: the union of both bench/squat bands, so nothing is flagged that either
# band would accept.
_UNKNOWN_SEX_BENCH_SQUAT = (0.45, 0.80)

# Prime movers of each lift, the muscles to bring up when it lags.
_PRIME_MOVERS: dict[Lift, tuple[Muscle, ...]] = {
    Lift.SQUAT: (Muscle.QUADS, Muscle.GLUTES),
    Lift.BENCH_PRESS: (Muscle.CHEST, Muscle.TRICEPS),
    Lift.DEADLIFT: (Muscle.HAMSTRINGS, Muscle.GLUTES),
    Lift.OVERHEAD_PRESS: (Muscle.FRONT_DELTS, Muscle.TRICEPS),
    Lift.BARBELL_ROW: (Muscle.BACK, Muscle.BICEPS),
}

# Relative distance outside the band: < 10 % mild, < 20 % moderate, else severe; 2, 3 or
# 4 extra weekly sets for the lagging muscles. Engine heuristic in the spirit of RP's
# "add 2-4 sets to a lagging muscle" specialisation advice (Israetel et al. 2021).
_SEVERITY_STEPS = ((0.10, Severity.MILD), (0.20, Severity.MODERATE))
EXTRA_SETS = {Severity.MILD: 2, Severity.MODERATE: 3, Severity.SEVERE: 4}
# A short list to pick from, not the whole catalog (presentation choice).
MAX_EXERCISES_PER_FINDING = 3


def _band(band: Band, sex: Sex | None) -> tuple[float, float]:
    if band.numerator is Lift.BENCH_PRESS and band.denominator is Lift.SQUAT:
        if sex is Sex.FEMALE:
            return _FEMALE_BENCH_SQUAT
        if sex is None:
            return _UNKNOWN_SEX_BENCH_SQUAT
    return band.low, band.high


def _severity(distance: float) -> Severity:
    for below, severity in _SEVERITY_STEPS:
        if distance < below:
            return severity
    return Severity.SEVERE


def find_weak_points(profile: Profile, analysis: ProfileAnalysis) -> WeakPointAnalysis:
    e1rm_kg = {e.lift: to_kg(e.e1rm, profile.unit) for e in analysis.lifts}
    options = available(profile)
    reassess = total_weeks(profile)
    findings: list[WeakPoint] = []
    compared = 0
    for band in _BANDS:
        num, den = e1rm_kg.get(band.numerator), e1rm_kg.get(band.denominator)
        if num is None or den is None or den <= 0:
            continue
        compared += 1
        ratio = num / den
        low, high = _band(band, profile.sex)
        if low <= ratio <= high:
            continue
        lagging = band.numerator if ratio < low else band.denominator
        distance = (low - ratio) / low if ratio < low else (ratio - high) / high
        severity = _severity(distance)
        muscles = [m for m in _PRIME_MOVERS[lagging] if any(ex.primary is m for ex in options)]
        exercise_ids = [ex.id for ex in options if ex.primary in muscles][
            :MAX_EXERCISES_PER_FINDING
        ]
        name = f"{band.numerator.value}/{band.denominator.value}"
        direction = "below" if ratio < low else "above"
        finding = (
            f"{name} is {ratio:.2f}, {direction} the {low:.2f}-{high:.2f} band by "
            f"{distance:.0%}: the {lagging.value.replace('_', ' ')} lags."
        )
        extra = EXTRA_SETS[severity] if muscles else 0
        if not muscles:
            finding += " No exercise for its muscles is available with your equipment."
        findings.append(
            WeakPoint(
                ratio_name=name,
                ratio=round(ratio, 2),
                band_low=low,
                band_high=high,
                severity=severity,
                finding=finding,
                muscles=muscles,
                exercise_ids=exercise_ids,
                extra_weekly_sets=extra,
                reassess_week=reassess,
            )
        )
    if compared == 0:
        return WeakPointAnalysis(
            findings=[],
            skipped_reason=(
                "Too few lifts to compare: strength ratios need both lifts of a pair "
                "(bench/squat, deadlift/squat, overhead press/bench, row/bench)."
            ),
        )
    return WeakPointAnalysis(findings=findings)
