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
from programgen.pipeline.peaking import TAPER_FRACTION
from programgen.pipeline.periodization import PeriodizationPlan

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
    """Direct sets per week, in the plan's week order: the ramp, times the week's volume
    factor where a block intensifies or tapers (never below MV or a set per training day,
    whichever is more), and the deload at about MV."""
    out: list[int] = []
    pre_taper: int | None = None  # the last week's sets before a taper
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
        if w.phase is Phase.TAPER and pre_taper is not None:
            # Cut against the week just before the taper (pipeline.peaking.TAPER_FRACTION);
            # a major muscle keeps its MV (coverage), every muscle a set on each of its days.
            scaled = int(pre_taper * TAPER_FRACTION + 0.5)
            ramp = min(pre_taper, max(scaled, _coverage_sets(mp), days_used))
        elif w.volume_factor < 1.0:
            scaled = int(ramp * w.volume_factor + 0.5)
            ramp = min(ramp, max(scaled, _coverage_sets(mp), days_used))
        if w.phase is not Phase.TAPER:
            pre_taper = ramp
        out.append(ramp)
    return out


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
