"""How the pipeline counts: hard sets per muscle and minutes per session.

ONE definition, used by the builder (construction) and by the validator, so the two can
never disagree about what a program contains.

Counting rule for hard sets: every working set counts as ONE hard set for each PRIMARY
muscle of its exercise (one per exercise in this catalog) and ZERO for its secondary
muscles. This is the "direct sets" convention the Renaissance Periodization landmarks
are quoted in (Israetel: front delts get MEV 0 *because* chest pressing trains them;
arm MEVs assume rows and presses are being done), so counting indirect work on top
would double count against those figures.

Time model: a session lasts warm-up + sum over exercises of sets x (work + rest).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import Muscle, PrescribedExercise, Week

# ~8-12 reps at 2-4 s per rep (Schoenfeld, Ogborn & Krieger 2015, Sports Med 45:577,
# rep durations 0.5-8 s) plus unracking/setup: 40 s of work per set.
WORK_SECONDS_PER_SET = 40
# General warm-up of 5 min (McGowan et al. 2015, Sports Med 45:1523: 5-10 min general
# warm-up before resistance work; the low end, since ramp sets are counted separately).
WARMUP_BASE_SECONDS = 300
# Specific warm-up: ~2 lighter ramp-up sets before each compound lift (NSCA Essentials of
# Strength Training and Conditioning, 4th ed., ch. 17), about 1 min in total.
RAMP_SECONDS_PER_COMPOUND = 60


def hard_sets(items: Iterable[tuple[str, int]]) -> dict[Muscle, int]:
    """Hard sets per muscle for (exercise_id, sets) pairs; every Muscle is a key."""
    totals = dict.fromkeys(Muscle, 0)
    for exercise_id, sets in items:
        for muscle in CATALOG[exercise_id].primary_muscles:
            totals[muscle] += sets
    return totals


def week_hard_sets(week: Week) -> dict[Muscle, int]:
    return hard_sets((ex.exercise_id, ex.sets) for day in week.days for ex in day.exercises)


def session_seconds(items: Iterable[tuple[bool, int, int]]) -> int:
    """Seconds for (compound, sets, rest_seconds) triples, warm-up included."""
    total = WARMUP_BASE_SECONDS
    for compound, sets, rest in items:
        if sets <= 0:
            continue
        if compound:
            total += RAMP_SECONDS_PER_COMPOUND
        total += sets * (WORK_SECONDS_PER_SET + rest)
    return total


def session_minutes(exercises: Iterable[PrescribedExercise]) -> int:
    """Estimated session length in whole minutes (rounded up)."""
    seconds = session_seconds(
        (CATALOG[ex.exercise_id].compound, ex.sets, ex.rest_seconds) for ex in exercises
    )
    return math.ceil(seconds / 60)
