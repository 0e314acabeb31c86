"""Warm-up sets prescribed before the heavy compounds of a day (docs/science.md, "Warm-ups").

The first strength compound of each day gets a ramp that climbs toward the working load
with falling reps, fewer sets when the working sets are lighter; a later loaded compound
with heavy sets (<= HEAVY_LATER_REPS reps, the strength range) gets one set. The ramps
follow the usual specific warm-up (NSCA Essentials of Strength Training and
Conditioning, 4th ed., ch. 17: progressively heavier sets of the lift itself before the
work sets), e.g. bar x 8,
~50 % x 5, ~70 % x 3, ~85 % x 1 before heavy triples; the exact percentages are an
engine choice. Bodyweight and band exercises get one set of half the reps over a
partial range or as an easier variant (an incline push-up before push-ups); the note
says so (`ramp_note`), since a warm-up set carries reps and a percentage only.
Every day's first strength compound gets at least one ramp-up set, however light.

Pure functions: the builder uses `warmup_reps` to time sessions before loads exist, and
`with_warmups` fills in loads once the working loads are final.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from programgen.pipeline.analysis import BAR_WEIGHT, round_to_increment
from programgen.pipeline.catalog import CATALOG, Category, Loading
from programgen.pipeline.domain import PrescribedExercise, Unit, WarmupSet

# Working sets of at most this many reps are "heavy" (strength range, ACSM 2009 position
# stand: <= 6 reps at >= 80-85 % 1RM) and get the full ramp; up to MODERATE_REPS a
# shorter one; lighter sets one or two sets.
HEAVY_REPS = 5
MODERATE_REPS = 10
HEAVY_LATER_REPS = 5
EMPTY = 0.0  # percent_of_working for the empty bar / the unloaded movement

# (reps, percent of the working load) per ramp.
_BARBELL = {
    "heavy": ((8, EMPTY), (5, 50.0), (3, 70.0), (1, 85.0)),
    "moderate": ((8, EMPTY), (5, 50.0), (3, 75.0)),
    "light": ((8, EMPTY), (5, 60.0)),
}
_LOADED = {
    "heavy": ((5, 50.0), (3, 70.0), (1, 85.0)),
    "moderate": ((6, 50.0), (3, 75.0)),
    "light": ((6, 50.0),),
}
_LATER = ((5, 60.0),)
_UNLOADED = (Loading.BODYWEIGHT, Loading.BAND)


def _band(reps_max: int) -> str:
    if reps_max <= HEAVY_REPS:
        return "heavy"
    return "moderate" if reps_max <= MODERATE_REPS else "light"


@lru_cache(maxsize=4096)
def warmup_scheme(exercise_id: str, reps_max: int, first: bool) -> tuple[tuple[int, float], ...]:
    """(reps, percent of working) warm-up sets for an exercise; () when none are due.

    `first`: the exercise is the day's first strength compound."""
    entry = CATALOG[exercise_id]
    if entry.category is not Category.STRENGTH or not entry.compound:
        return ()
    if entry.loading in _UNLOADED:
        return ((max(3, reps_max // 2), EMPTY),) if first else ()
    if not first:
        return _LATER if reps_max <= HEAVY_LATER_REPS else ()
    table = _BARBELL if entry.loading is Loading.BARBELL else _LOADED
    return table[_band(reps_max)]


@lru_cache(maxsize=4096)
def warmup_reps(exercise_id: str, reps_max: int, first: bool) -> tuple[int, ...]:
    return tuple(r for r, _ in warmup_scheme(exercise_id, reps_max, first))


def first_compound_index(exercise_ids: Sequence[str]) -> int | None:
    """Position of the day's first strength compound (the one that gets the full ramp)."""
    for i, exercise_id in enumerate(exercise_ids):
        entry = CATALOG[exercise_id]
        if entry.category is Category.STRENGTH and entry.compound:
            return i
    return None


def ramp_note(exercise_id: str, reps: int) -> str:
    """What the unloaded ramp-up set is. No variant is named: the catalog's easier one
    may be one the athlete's equipment or injuries exclude."""
    del exercise_id  # the same text for every unloaded movement
    return f"Ramp-up: 1 x {reps} over a partial range (or an easier variant) before the work sets."


def _load(
    exercise_id: str, percent: float, working: float | None, unit: Unit, step: float
) -> float | None:
    if working is None:
        return None
    barbell = CATALOG[exercise_id].loading is Loading.BARBELL
    if percent == EMPTY:
        return min(working, BAR_WEIGHT[unit]) if barbell else None
    load = round_to_increment(working * percent / 100, step)
    if barbell:
        load = max(load, BAR_WEIGHT[unit])
    return min(load, working)


def with_warmups(
    exercises: Sequence[PrescribedExercise], unit: Unit, step: float
) -> list[PrescribedExercise]:
    """The day's exercises with their warm-up sets, loads from the final working loads."""
    first = first_compound_index([ex.exercise_id for ex in exercises])
    out = []
    for i, ex in enumerate(exercises):
        scheme = warmup_scheme(ex.exercise_id, ex.reps_max, i == first)
        sets = [
            WarmupSet(
                reps=reps,
                percent_of_working=pct,
                load=_load(ex.exercise_id, pct, ex.load, unit, step),
            )
            for reps, pct in scheme
        ]
        if sets != ex.warmup_sets:  # most exercises have none: no copy
            ex = ex.model_copy(update={"warmup_sets": sets})
        if sets and CATALOG[ex.exercise_id].loading in _UNLOADED:
            text = ramp_note(ex.exercise_id, sets[0].reps)
            if text not in ex.notes:  # loads are final more than once (refinement)
                ex = ex.model_copy(update={"notes": " ".join(n for n in (ex.notes, text) if n)})
        out.append(ex)
    return out
