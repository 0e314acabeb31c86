"""Per-muscle volume plans for construction: which exercises on which days, and weekly
direct sets from a start (week 1) to a peak (the last accumulation week), then a deload.

Direct sets (the exercise's primary muscle) are what is planned; the fractional count
(pipeline.accounting) adds secondary credit on top, which the builder checks against
the coverage floor and MRV. Every major muscle plans at least MV direct sets in every
week, deload included, so its coverage never rests on other muscles' work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from programgen.pipeline.accounting import MAJOR_MUSCLES, MIN_COVERAGE_SETS
from programgen.pipeline.anchors import anchor_ok
from programgen.pipeline.catalog import Exercise
from programgen.pipeline.domain import Experience, Goal, Muscle, Phase, VolumeLandmarks
from programgen.pipeline.peaking import (
    TAPER_FRACTION,
    TAPER_LIFT_MAX,
    TAPER_MIN_DIRECT,
)
from programgen.pipeline.periodization import COMPETITION_LIFTS, PeriodizationPlan

# Which muscles matter most when time is short, by goal: the big compound movers first,
# the lifts' prime movers first for strength goals (engine heuristic).
STRENGTH_ORDER = (
    Muscle.QUADS, Muscle.CHEST, Muscle.HAMSTRINGS, Muscle.BACK, Muscle.FRONT_DELTS,
    Muscle.TRICEPS, Muscle.GLUTES, Muscle.SIDE_REAR_DELTS, Muscle.BICEPS, Muscle.ABS,
    Muscle.CALVES,
)  # fmt: skip
GENERAL_ORDER = (
    Muscle.QUADS, Muscle.BACK, Muscle.CHEST, Muscle.HAMSTRINGS, Muscle.SIDE_REAR_DELTS,
    Muscle.GLUTES, Muscle.TRICEPS, Muscle.BICEPS, Muscle.CALVES, Muscle.FRONT_DELTS,
    Muscle.ABS,
)  # fmt: skip
STRENGTH_GOALS = frozenset({Goal.GENERAL_STRENGTH, Goal.POWERLIFTING_PEAK, Goal.ATHLETIC_POWER})

# Where the peak volume sits: 0 = MAV_low, +1 = MRV, -1 = MEV (linear in between).
# Beginners grow on little volume; hypertrophy work climbs furthest; strength blocks
# spend their effort on intensity; fitness goals stay low. Engine heuristic following
# RP's "start at MEV, end near MRV, beginners need less" (Israetel, Hoffmann & Smith 2021).
_B, _INT, _ADV = Experience.BEGINNER, Experience.INTERMEDIATE, Experience.ADVANCED
PEAK_POSITION: dict[str, dict[Experience, float]] = {
    "hypertrophy": {_B: 0.0, _INT: 0.5, _ADV: 0.75},
    "strength": {_B: -0.25, _INT: 0.0, _ADV: 0.25},
    "fitness": {_B: -0.5, _INT: -0.25, _ADV: 0.0},
}
# Under a strength goal, muscles that move none of the big lifts peak this much lower.
STRENGTH_ACCESSORIES = frozenset({Muscle.SIDE_REAR_DELTS, Muscle.BICEPS, Muscle.CALVES, Muscle.ABS})
ACCESSORY_PEAK_OFFSET = -0.75
# A priority muscle's peak moves a quarter of the way further toward MRV (heuristic).
PRIORITY_PEAK_BONUS = 0.25

# Sets per exercise per session: up to ~5 before adding a second exercise, at most 8
# (engine heuristic; beyond ~8-10 sets per muscle per session extra sets stop adding
# stimulus, Schoenfeld/Krieger volume data as read by Israetel et al. 2021).
SOFT_SETS_PER_EXERCISE = 5
HARD_SETS_PER_EXERCISE = 8
# Up to 2 exercises per muscle per session, of different movement patterns (engine
# heuristic: a third variation mostly adds setup time).
MAX_EXERCISES_PER_MUSCLE_PER_DAY = 2
# Every exercise gets at least 2 sets per accumulation week where the volume allows
# (engine heuristic: a lone set is mostly warm-up and setup).
MIN_SETS_PER_EXERCISE = 2
# Week-to-week growth of a muscle's planned direct sets in accumulation: at most 25 %
# (and always one set). PRACTICE-BASED, not a trial result: RP-style mesocycles add
# about 1-2 sets per muscle per week from MEV toward MRV (Israetel, Hoffmann & Smith
# 2021, "Scientific Principles of Hypertrophy Training"), i.e. roughly 10-25 % of a
# 8-15-set week; a larger jump is the ramp compressed into too few weeks.
WEEKLY_GROWTH = 0.25


def goal_group(goal: Goal) -> str:
    if goal is Goal.HYPERTROPHY:
        return "hypertrophy"
    if goal in STRENGTH_GOALS:
        return "strength"
    return "fitness"


def peak_sets(landmarks: VolumeLandmarks, position: float) -> int:
    """Weekly sets at a peak position (see PEAK_POSITION), MEV..MRV."""
    position = max(-1.0, min(1.0, position))
    low = landmarks.mav_low
    span = (landmarks.mrv - low) if position >= 0 else (low - landmarks.mev)
    return math.floor(low + position * span)


def distribute(total: int, slots: int) -> list[int]:
    """Split `total` sets over `slots` as evenly as possible, earlier slots first.

    Monotone: raising `total` never lowers any slot's share."""
    base, extra = divmod(total, slots)
    return [base + (1 if i < extra else 0) for i in range(slots)]


@dataclass
class MusclePlan:
    muscle: Muscle
    landmarks: VolumeLandmarks
    days: list[int]  # indices of the split's days that may train it
    # Candidate groups in order of preference (catalog order within each group): for a
    # day's first exercise of this muscle, and for its second.
    first: tuple[list[Exercise], list[Exercise]]
    second: tuple[list[Exercise], list[Exercise]]
    patterns: int  # distinct movement patterns among the candidates
    base_start: int
    base_peak: int
    extra: int
    fixed_first: bool  # the same first exercise every day (strength goals' lifts)
    fixed_all: bool  # the same exercises every day (beginners learn few lifts)
    lowest: int = 0  # the least week-1 volume time pressure may cut to (MV for majors)
    min_peak: int = 0  # the least peak time pressure may cut to
    floor: int = 0
    start: int = 0
    peak: int = 0
    full_ramp: int = 1
    target_peak: int = 0
    deload_bonus: int = 0  # deload sets added where the compounds no longer cover it
    slots: list[tuple[int, Exercise]] = field(default_factory=list)
    slot_key: tuple[tuple[int, str], ...] = ()  # (day, exercise id) per slot: a cache key
    # Sets per exercise at the least (MIN_SETS_PER_EXERCISE; 1 where maintenance is all
    # a session fits: pipeline.coverage_rescue).
    min_sets: int = MIN_SETS_PER_EXERCISE
    # Days this muscle's compound must open: no other muscle of the day has an anchor
    # (pipeline.anchors), so its first slot there is an anchor whatever the volume.
    anchor_days: tuple[int, ...] = ()

    @property
    def major(self) -> bool:
        return self.muscle in MAJOR_MUSCLES and self.landmarks.mv > 0


def set_volume(mp: MusclePlan, rank: int) -> None:
    mrv = mp.landmarks.mrv
    mp.floor = min(mrv, mp.base_start + mp.extra)
    mp.lowest = lowest_start(mp)
    mp.peak = min(mrv, max(mp.floor, mp.min_peak, mp.base_peak + mp.extra))
    mp.full_ramp = max(1, mp.peak - mp.floor)
    mp.target_peak = mp.peak
    plan_slots(mp, rank)


def lowest_start(mp: MusclePlan) -> int:
    """The least week-1 volume time pressure may cut to: about MV for a major muscle
    without weak-point extras; otherwise its floor."""
    anchors = min(mp.landmarks.mrv, MIN_SETS_PER_EXERCISE * len(mp.anchor_days))
    if mp.muscle in MAJOR_MUSCLES and mp.extra == 0:
        return max(anchors, min(mp.floor, max(MIN_SETS_PER_EXERCISE, mp.landmarks.mv)))
    return max(anchors, mp.floor)


def plan_slots(mp: MusclePlan, rank: int) -> None:
    """Choose the muscle's exercises per day and its week-1 volume (mp.start)."""
    k = len(mp.days)
    per_day = math.ceil(mp.peak / k)
    per_day_slots = min(
        MAX_EXERCISES_PER_MUSCLE_PER_DAY,
        mp.patterns,  # never two exercises of one pattern for a muscle on a day
        max(1, math.ceil(per_day / SOFT_SETS_PER_EXERCISE)),
    )
    wanted = k * per_day_slots
    # Every exercise has MIN_SETS_PER_EXERCISE sets from week 1 (so none appears
    # mid-block): fewer exercises rather than thinner ones. The start may rise from its
    # floor at most halfway to MAV_low and never past the peak.
    cap = min(mp.peak, max(mp.floor, (mp.floor + mp.landmarks.mav_low + 1) // 2))
    least = mp.min_sets
    mp.start = max(mp.floor, least * min(wanted, cap // least))
    mp.start = max(mp.start, min(mp.landmarks.mrv, least * len(mp.anchor_days)))
    count = min(wanted, max(1, len(mp.anchor_days), mp.start // least))
    first_days = _first_days(mp, min(count, k), rank)
    second_days = _spread(mp.days, count - k, rank) if count > k else []
    chosen: dict[int, list[Exercise]] = {d: [] for d in first_days}
    slots: list[tuple[int, Exercise]] = []
    for j, days in enumerate((first_days, second_days)):
        for q in range(len(days)):
            d = days[(q + rank) % len(days)]
            p = 0 if mp.fixed_all else first_days.index(d)
            preferred, other = mp.first if j == 0 else mp.second
            shift = (0 if mp.fixed_first else p) if j == 0 else p + j - 1
            pool = _rotate(preferred, shift) + _rotate(other, p + j)
            if j == 0 and d in mp.anchor_days:
                pool.sort(key=lambda ex: not anchor_ok(ex))  # stable: rotation kept
            taken = {ex.pattern for ex in chosen[d]}
            pick = next(ex for ex in pool if ex.pattern not in taken)
            chosen[d].append(pick)
            slots.append((d, pick))
    mp.slots = slots
    mp.slot_key = tuple((d, ex.id) for d, ex in slots)
    mp.peak = max(mp.start, min(mp.peak, len(slots) * HARD_SETS_PER_EXERCISE))


def weekly_targets(mp: MusclePlan, plan: PeriodizationPlan) -> list[int]:
    """Direct sets per week, in the plan's week order: the ramp (never more than
    WEEKLY_GROWTH above the week before), times the week's volume factor where a block
    intensifies (never below MV or a set per training day, whichever is more), and the
    deload at about MV. A taper week's total is what `slot_weeks` cuts per exercise."""
    out: list[int] = []
    pre_taper: int | None = None  # the last week's sets before a taper
    grown: int | None = None  # the last ramp value: the growth cap starts from it
    days_used = len({d for d, _ in mp.slots})
    for w in plan.weeks:
        if w.phase is Phase.DELOAD:
            # About MV, at most half the heaviest week, and a set for each day's first slot
            # so every day keeps its anchor; a major muscle never below its MV.
            top = max(out, default=mp.start)
            deload = min(top // 2, max(mp.landmarks.mv, days_used))
            if mp.major:
                deload = max(deload, mp.landmarks.mv)
            out.append(min(top, deload + mp.deload_bonus))
            continue
        ramp = mp.start + int((mp.peak - mp.start) * w.volume_progress + 0.5)
        if grown is not None:
            # Accumulation grows at most WEEKLY_GROWTH a week; later phases hold the
            # ramp where accumulation left it (their factors step it down).
            ramp = min(ramp, growth_cap(grown) if w.phase is Phase.ACCUMULATION else grown)
        grown = ramp
        if w.phase is Phase.TAPER and pre_taper is not None:
            ramp = pre_taper  # cut per exercise in slot_weeks
        elif w.volume_factor < 1.0:
            scaled = int(ramp * w.volume_factor + 0.5)
            ramp = min(ramp, max(scaled, _coverage_sets(mp), days_used))
        if w.phase is not Phase.TAPER:
            pre_taper = ramp
        out.append(ramp)
    return out


def growth_cap(previous: int) -> int:
    """The most direct sets a week may plan after `previous`: WEEKLY_GROWTH more, and
    always one more set."""
    return max(previous + 1, math.floor(previous * (1 + WEEKLY_GROWTH)))


def slot_weeks(mp: MusclePlan, plan: PeriodizationPlan, lead_days: set[int]) -> list[list[int]]:
    """Sets per slot (mp.slots order) for every week: the week's target spread evenly,
    and a taper week cut per exercise from the week before the taper (`taper_slots`)."""
    weeks = [distribute(t, len(mp.slots)) for t in weekly_targets(mp, plan)]
    pre: list[int] | None = None
    for i, w in enumerate(plan.weeks):
        if w.phase is Phase.TAPER and pre is not None:
            weeks[i] = taper_slots(mp, pre, lead_days)
        elif w.phase is not Phase.DELOAD:
            pre = weeks[i]
    return weeks


def taper_slots(mp: MusclePlan, pre: list[int], lead_days: set[int]) -> list[int]:
    """A taper week's sets per slot from the pre-taper week's. Each competition lift keeps
    at most TAPER_LIFT_MAX of its sets (fewer sets, same loads); then the muscle is cut to
    TAPER_FRACTION of its sets, accessories first, and its accessories to at most
    TAPER_LIFT_MAX as well. Every exercise keeps a set, every day the muscle opens its
    first slot, and a major muscle TAPER_MIN_DIRECT direct sets."""
    out = list(pre)
    days = [d for d, _ in mp.slots]
    opens = {i for i, d in enumerate(days) if d in lead_days and d not in days[:i]}
    live = [i for i, n in enumerate(pre) if n > 0]
    lifts = [i for i in live if mp.slots[i][1].lift in COMPETITION_LIFTS]
    others = [i for i in live if i not in lifts]
    least = min(sum(pre), TAPER_MIN_DIRECT) if mp.major else 1
    for ex_id in dict.fromkeys(mp.slots[i][1].id for i in lifts):
        idx = [i for i in lifts if mp.slots[i][1].id == ex_id]
        _cut(mp, out, idx, max(1, int(sum(pre[i] for i in idx) * TAPER_LIFT_MAX)), opens)
    target = max(least, int(sum(pre) * TAPER_FRACTION + 0.5))
    for idx in (others, lifts):
        _cut(mp, out, idx, sum(out[i] for i in idx) - (sum(out) - target), opens)
    _cut(mp, out, others, int(sum(pre[i] for i in others) * TAPER_LIFT_MAX), opens)
    if sum(out) < least:
        out[0] += least - sum(out)
    return out


def _cut(mp: MusclePlan, out: list[int], idx: list[int], target: int, opens: set[int]) -> None:
    """Take sets from the slots `idx` until they hold `target`: from the fullest slot
    (later slots on ties) while one has 2 or more, then whole one-set slots of an
    exercise with another slot left, never a slot that opens its day."""
    while idx and sum(out[i] for i in idx) > target:
        fullest = max(reversed(idx), key=lambda i: out[i])
        if out[fullest] > 1:
            out[fullest] -= 1
            continue
        spare = [
            i
            for i in reversed(idx)
            if out[i] == 1
            and i not in opens
            and any(out[j] > 0 and mp.slots[j][1].id == mp.slots[i][1].id for j in idx if j != i)
        ]
        if not spare:
            return
        out[spare[0]] = 0


def _coverage_sets(mp: MusclePlan) -> int:
    """The direct sets a muscle keeps when a phase scales volume down: MV for a major
    muscle (its token coverage floor where its MV is 0: pipeline.accounting), a set for
    the others."""
    if mp.muscle not in MAJOR_MUSCLES:
        return 1
    return max(mp.landmarks.mv, int(MIN_COVERAGE_SETS))


def _first_days(mp: MusclePlan, count: int, rank: int) -> list[int]:
    """The days of the muscle's first exercises: its anchor days, then evenly spread."""
    if not mp.anchor_days:
        return _spread(mp.days, count, rank)
    rest = [d for d in mp.days if d not in mp.anchor_days]
    more = _spread(rest, count - len(mp.anchor_days), rank) if count > len(mp.anchor_days) else []
    return sorted({*mp.anchor_days, *more})


def _spread(days: list[int], count: int, offset: int) -> list[int]:
    """`count` of `days` (all of them when count >= len), evenly spaced from `offset`."""
    k = len(days)
    if count >= k:
        return list(days)
    return sorted(days[((i * k) // count + offset) % k] for i in range(count))


def _rotate(items: list[Exercise], shift: int) -> list[Exercise]:
    if not items:
        return []
    shift %= len(items)
    return items[shift:] + items[:shift]
