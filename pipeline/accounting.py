"""How the pipeline counts hard sets: ONE definition for the builder, the weekly-sets report
and the validator, so they can never disagree about what a program contains.

Counting rule (fractional): a working set of a STRENGTH exercise counts 1 hard set for its
primary muscle and 0.5 for each secondary muscle. Pelland et al. 2024 ("The resistance
training dose-response: meta-regressions exploring the effects of weekly volume and
frequency on muscle hypertrophy and strength gains", SportRxiv / Sports Med) found this
fractional count the best predictor of growth among the counting methods they compared.
Power, balance, carry and conditioning sets are not hard sets (they stop far from
failure or train something else), so they count 0.

The volume landmarks (pipeline.volume) are read in these fractional sets. Every major
muscle group (MAJOR_MUSCLES) gets at least its coverage floor every training week, the
deload included (docs/science.md, "Coverage").

Session time lives in pipeline.session_time; `session_minutes` is re-exported here so
callers count sets and minutes from one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from programgen.pipeline.catalog import CATALOG, Category
from programgen.pipeline.domain import Muscle, MuscleSets, Phase, VolumeLandmarks, Week
from programgen.pipeline.session_time import session_minutes

__all__ = [
    "MAJOR_MUSCLES",
    "coverage_floor",
    "credits",
    "hard_sets",
    "muscle_sets",
    "round_sets",
    "session_minutes",
    "week_hard_sets",
]

# Pelland et al. 2024: primary 1, secondary 0.5.
PRIMARY_CREDIT = 1.0
SECONDARY_CREDIT = 0.5

# The major muscle groups a coach expects in every week: chest, back, quads, hamstrings,
# glutes and the shoulders (front and side/rear delts). Arms, calves and abs get enough
# from the compounds when time is short (engine rule, after Israetel et al. 2021's low
# or zero MVs for them).
MAJOR_MUSCLES = (
    Muscle.CHEST,
    Muscle.BACK,
    Muscle.QUADS,
    Muscle.HAMSTRINGS,
    Muscle.GLUTES,
    Muscle.FRONT_DELTS,
    Muscle.SIDE_REAR_DELTS,
)
# Glutes and delts have an MV of 0 in the RP figures *because* squats, hinges, presses and
# rows train them; the floor still asks for that indirect work to be there: 2 fractional
# sets a week (e.g. 4 sets of rows for the rear delts). Engine heuristic.
MIN_COVERAGE_SETS = 2.0
# A 1-2 week taper may sit below MV: MV is the weekly volume that maintains muscle over a
# block, and far less keeps it for weeks (Bickel, Cross & Bamman 2011, Med Sci Sports
# Exerc 43:1177: a ninth of the training volume kept young adults' gains for 32 weeks;
# Mujika & Padilla 2000, Sports Med 30:79: short reductions of training lose little).
# Every major muscle still gets 2 fractional hard sets (at least one real set) in a taper
# week, so it stays trained.
TAPER_COVERAGE_SETS = 2.0
# The phases with their own floor in coverage_floor (deload, taper), in its argument order.
FLOOR_PHASES = (Phase.DELOAD, Phase.TAPER)
# The enum once as a tuple: iterating an Enum class is slow, and the builder counts sets
# thousands of times per program.
_MUSCLES = tuple(Muscle)


@lru_cache(maxsize=512)
def credits(exercise_id: str) -> tuple[tuple[Muscle, float], ...]:
    """Hard sets per working set of an exercise, per muscle it trains."""
    entry = CATALOG[exercise_id]
    if entry.category is not Category.STRENGTH:
        return ()
    return (
        *((m, PRIMARY_CREDIT) for m in entry.primary_muscles),
        *((m, SECONDARY_CREDIT) for m in entry.secondary_muscles),
    )


def hard_sets(items: Iterable[tuple[str, int]]) -> dict[Muscle, float]:
    """Fractional hard sets per muscle for (exercise_id, sets) pairs; every Muscle a key."""
    totals = dict.fromkeys(_MUSCLES, 0.0)
    for exercise_id, sets in items:
        for muscle, credit in credits(exercise_id):
            totals[muscle] += credit * sets
    return totals


def weekly_hard_sets(
    items: Iterable[tuple[str, Sequence[int]]], weeks: Iterable[int]
) -> list[dict[Muscle, float]]:
    """`hard_sets` for each of `weeks` from (exercise_id, sets per week) pairs: the same
    sums added in the same order, with each exercise's credits looked up once (the
    builder counts every week of every layout it tries)."""
    credited = [(c, sets) for exercise_id, sets in items if (c := credits(exercise_id))]
    out = []
    for w in weeks:
        totals = dict.fromkeys(_MUSCLES, 0.0)
        for muscle_credits, sets in credited:
            n = sets[w]
            for muscle, credit in muscle_credits:
                totals[muscle] += credit * n
        out.append(totals)
    return out


def credit_by_week(items: Iterable[tuple[str, Sequence[int]]]) -> list[dict[Muscle, float]]:
    """Per week of the sets lists, the hard sets (exercise_id, sets per week) pairs credit
    each muscle they train, and only those: the builder keeps one per muscle plan and
    adds them up (`summed_weeks`), most plans unchanged from one trimming step to the
    next."""
    credited = [(c, sets) for exercise_id, sets in items if (c := credits(exercise_id))]
    out: list[dict[Muscle, float]] = []
    for w in range(len(credited[0][1]) if credited else 0):
        part: dict[Muscle, float] = {}
        for muscle_credits, sets in credited:
            n = sets[w]
            for muscle, credit in muscle_credits:
                part[muscle] = part.get(muscle, 0.0) + credit * n
        out.append(part)
    return out


def summed_weeks(
    parts: Iterable[list[dict[Muscle, float]]], weeks: Iterable[int]
) -> list[dict[Muscle, float]]:
    """`weekly_hard_sets` from `credit_by_week` parts. Credits are whole and half sets, so
    the sums are exact in any order: the same counts."""
    present = [p for p in parts if p]
    out = []
    for w in weeks:
        totals = dict.fromkeys(_MUSCLES, 0.0)
        for part in present:
            for muscle, n in part[w].items():
                totals[muscle] += n
        out.append(totals)
    return out


def week_hard_sets(week: Week) -> dict[Muscle, float]:
    return hard_sets((ex.exercise_id, ex.sets) for day in week.days for ex in day.exercises)


def round_sets(value: float) -> int:
    """Whole sets for the report: half up (7.5 -> 8)."""
    return int(value + 0.5)


def muscle_sets(counted: Mapping[Muscle, float]) -> list[MuscleSets]:
    """The weekly-sets report: fractional hard sets and their rounded value."""
    return [MuscleSets(muscle=m, sets=round_sets(n), hard_sets=n) for m, n in counted.items()]


def coverage_floor(landmarks: VolumeLandmarks, deload: bool = False, taper: bool = False) -> float:
    """Weekly hard sets a major muscle needs in every training week: about MV. In a
    deload an MV-0 muscle's token floor halves, as the deload halves volume. A taper
    week needs TAPER_COVERAGE_SETS (below MV: docs/science.md, "Coverage")."""
    if landmarks.muscle not in MAJOR_MUSCLES:
        return 0.0
    if taper:
        return TAPER_COVERAGE_SETS
    token = MIN_COVERAGE_SETS / 2 if deload else MIN_COVERAGE_SETS
    return max(float(landmarks.mv), token)
