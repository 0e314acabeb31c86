"""How long a session takes: the one time model the builder plans with and the validator
recomputes (docs/science.md, "Session time").

A session is a general warm-up plus, per exercise, its warm-up sets and its working sets.
A working set lasts set-up + reps x tempo (both sides for a unilateral exercise, with a
switch between them) and is followed by its rest. Exercises sharing a superset label
alternate: one set of each per round, and the time spent on the partner counts as rest,
so a round lasts as long as the slowest member's set + rest, or all the members' sets
back to back, whichever is longer. Reps are counted at the top of the prescribed range.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from programgen.pipeline.catalog import CATALOG, Category, Loading
from programgen.pipeline.domain import PrescribedExercise

# General warm-up of 5 min (McGowan et al. 2015, Sports Med 45:1523: 5-10 min of general
# warm-up before resistance work; the low end, since specific warm-up sets are counted).
GENERAL_WARMUP_SECONDS = 300
# Seconds per rep: a controlled ~1 s lift and ~2 s lowering (rep durations of 0.5-8 s
# give similar growth, Schoenfeld, Ogborn & Krieger 2015, Sports Med 45:577; 3 s is a
# common coached tempo; engine choice). Carries are counted per step, balance reps and
# conditioning reps are brisk (engine heuristics).
SECONDS_PER_REP: dict[Category, float] = {
    Category.STRENGTH: 3.0,
    Category.POWER: 3.0,  # one explosive rep plus the reset before the next
    Category.BALANCE: 3.0,
    Category.CARRY: 1.0,
    Category.CONDITIONING: 2.0,
}
# Set-up per set: unrack or pick up the weights, get into position, brace (engine
# heuristic, about 15 s).
SETUP_SECONDS = 15
# Switching sides in a unilateral set (engine heuristic).
SIDE_SWITCH_SECONDS = 10
# Between two members of a superset or circuit: walk over and set up is in SETUP_SECONDS;
# this is the extra move between stations (engine heuristic).
STATION_CHANGE_SECONDS = 15
# Rest after a warm-up set, plates changed meanwhile: 45 s (engine heuristic; NSCA
# Essentials of Strength Training and Conditioning, 4th ed., ch. 17 describes
# progressively heavier specific warm-up sets with short rests).
WARMUP_REST_SECONDS = 45
# Nothing to load between warm-up sets of a bodyweight or band exercise: 30 s (heuristic).
UNLOADED_WARMUP_REST_SECONDS = 30


# Done one side at a time: the catalog's `unilateral` flag, and these older entries
# until the catalog flags them itself (both sides take time either way).
_PER_SIDE = frozenset(
    {
        "bulgarian_split_squat",
        "dumbbell_walking_lunge",
        "step_up",
        "bodyweight_split_squat",
        "pistol_squat",
        "one_arm_dumbbell_row",
        "dumbbell_single_leg_rdl",
        "single_leg_rdl",
        "single_leg_glute_bridge",
        "single_leg_calf_raise",
    }
)


class TimedItem(NamedTuple):
    """What the time model needs to know about one exercise of a session (a named tuple:
    the builder makes tens of thousands, and a frozen dataclass is slow to build)."""

    exercise_id: str
    sets: int
    reps: int  # the top of the prescribed range
    rest_seconds: int
    superset: str = ""
    warmup_reps: tuple[int, ...] = ()


@lru_cache(maxsize=4096)
def set_seconds(exercise_id: str, reps: int) -> float:
    """One working set: set-up plus the reps (both sides when unilateral)."""
    entry = CATALOG[exercise_id]
    work = reps * SECONDS_PER_REP[entry.category]
    if entry.unilateral or entry.id in _PER_SIDE:
        work = 2 * work + SIDE_SWITCH_SECONDS
    return SETUP_SECONDS + work


@lru_cache(maxsize=4096)
def warmup_seconds(exercise_id: str, warmup_reps: tuple[int, ...]) -> float:
    unloaded = CATALOG[exercise_id].loading in (Loading.BODYWEIGHT, Loading.BAND)
    rest = UNLOADED_WARMUP_REST_SECONDS if unloaded else WARMUP_REST_SECONDS
    return sum(set_seconds(exercise_id, r) + rest for r in warmup_reps)


def _group_seconds(members: Sequence[TimedItem]) -> float:
    """Rounds of a superset or circuit, then any sets left over done straight."""
    work = [set_seconds(m.exercise_id, m.reps) for m in members]
    total = 0.0
    done = 0  # rounds counted so far
    # Rounds between two members' set counts have the same members: timed once each run.
    # Every duration here is a whole number of seconds, so the sum is exact in any order.
    for sets in sorted({m.sets for m in members}):
        active = [i for i, m in enumerate(members) if m.sets >= sets]
        if len(active) == 1:
            i = active[0]
            length = work[i] + members[i].rest_seconds
        else:
            back_to_back = sum([work[i] for i in active]) + STATION_CHANGE_SECONDS * len(active)
            slowest = max([work[i] + members[i].rest_seconds for i in active])
            length = max(back_to_back, slowest)
        total += (sets - done) * length
        done = sets
    return total


def set_saving_bound(item: TimedItem) -> float:
    """The most seconds one working set fewer of `item` can take off its session, no
    exercise dropping out: a straight set's work and rest. In a group the set leaves its
    last round, which shrinks by the set's work plus its rest, or plus the station
    changes of the back-to-back sum (two, when its one partner is left to finish
    straight: _group_seconds)."""
    work = set_seconds(item.exercise_id, item.reps)
    return work + max(item.rest_seconds, 2 * STATION_CHANGE_SECONDS)


def session_seconds(items: Sequence[TimedItem]) -> int:
    """Seconds for a session: general warm-up, warm-up sets, straight sets and groups."""
    return _session_seconds(tuple(items))


def fresh_session_seconds(items: Sequence[TimedItem]) -> int:
    """session_seconds without its memo: for a caller that keeps its own (the builder
    times thousands of sessions no one times again)."""
    return _session_seconds.__wrapped__(tuple(items))


@lru_cache(maxsize=8192)
def _session_seconds(items: tuple[TimedItem, ...]) -> int:
    # Autoregulation and the validator time the same sessions: computed once.
    total = float(GENERAL_WARMUP_SECONDS)
    groups: dict[str, list[TimedItem]] = {}
    for item in items:
        if item.sets <= 0:
            continue
        total += warmup_seconds(item.exercise_id, item.warmup_reps)
        if item.superset:
            groups.setdefault(item.superset, []).append(item)
        else:
            total += item.sets * (set_seconds(item.exercise_id, item.reps) + item.rest_seconds)
    for members in groups.values():
        total += _group_seconds(members)
    return math.ceil(total)


def timed(ex: PrescribedExercise) -> TimedItem:
    return TimedItem(
        exercise_id=ex.exercise_id,
        sets=ex.sets,
        reps=ex.reps_max,
        rest_seconds=ex.rest_seconds,
        superset=ex.superset,
        warmup_reps=tuple(w.reps for w in ex.warmup_sets),
    )


def session_minutes(exercises: Iterable[PrescribedExercise]) -> int:
    """Estimated session length in whole minutes (rounded up)."""
    return math.ceil(session_seconds([timed(ex) for ex in exercises]) / 60)
