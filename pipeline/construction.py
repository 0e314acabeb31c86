"""Stage 5, program construction: split, exercises, and sets per exercise per week.

How volume is planned (and why the validator's invariants always hold):

* Hard sets are counted per pipeline.accounting (one per set for the exercise's single
  primary muscle), so each muscle can be planned on its own.
* Every trained muscle gets a START volume (>= MEV, plus weak-point extra sets) and a
  PEAK volume (<= MRV). Week i of accumulation gets start + (peak - start) x progress_i,
  with progress from the periodization plan (non-decreasing, 0 -> 1).
* The muscle's weekly sets are spread over a fixed list of exercise slots with
  `distribute`, which is monotone per slot: no exercise ever loses a set from one
  accumulation week to the next, so per-muscle volume never falls and the peak week is
  the longest session of every day.
* Exercise choice per muscle and day: at most 2 exercises, never two of the same
  movement pattern (catalog `Pattern`), so a second exercise adds a different stimulus
  (a row and a pulldown for back, a press and a fly for chest); the big muscles take a
  compound for that second slot where one of a different pattern exists, small muscles
  an isolation.
* Every slot has >= 2 sets from week 1 wherever the muscle's start volume allows it
  (fewer exercises or days rather than 1-set exercises), so none appears mid-block and
  every training day of a muscle has >= 2 sets: the deload (about MV, at most half the
  last week) still gives each day's first slot - the compound anchor - a set, and
  stays <= 60 % of the last accumulation week.
* If the peak week of a day exceeds session_minutes, that day is trimmed step by step
  (`fit_time_budget`): optional direct work goes first (MEV-0 muscles, a beginner's
  arms/calves/delts), then rests shorten (strength goals keep long rests longer), then
  ramps flatten toward the start volume, then weak-point extras go and whole muscles
  are dropped (0 sets: not trained directly), least important first; very short rests
  are the last resort. A muscle is never kept below MEV, and the last compound of a
  day is never dropped. `refill` then hands back ramp sets where time was freed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from programgen.pipeline.accounting import (
    RAMP_SECONDS_PER_COMPOUND,
    WARMUP_BASE_SECONDS,
    WORK_SECONDS_PER_SET,
)
from programgen.pipeline.catalog import Exercise, available
from programgen.pipeline.domain import (
    Experience,
    FrozenModel,
    Goal,
    Muscle,
    Phase,
    Profile,
    Severity,
    VolumeLandmarks,
    WeakPoint,
    WeakPointAnalysis,
)
from programgen.pipeline.periodization import PeriodizationPlan
from programgen.pipeline.splits import Split, choose_split
from programgen.pipeline.weak_points import MAX_EXERCISES_PER_FINDING


class Slot(FrozenModel):
    exercise_id: str
    muscle: Muscle
    compound: bool
    sets: list[int]  # per week of the periodization plan
    rest_seconds: int
    note: str = ""


class DayPlan(FrozenModel):
    day: int  # 1-based
    focus: str
    slots: list[Slot]


class Construction(FrozenModel):
    split: str
    days: list[DayPlan]
    weak_points: WeakPointAnalysis  # findings narrowed to what the program really serves
    trimmed: list[str]  # what the time budget forced, for the summary


# Which muscles matter most when time is short, by goal: the big compound movers first,
# the lifts' prime movers first for strength goals (engine heuristic).
_STRENGTH_ORDER = (
    Muscle.QUADS, Muscle.CHEST, Muscle.HAMSTRINGS, Muscle.BACK, Muscle.FRONT_DELTS,
    Muscle.TRICEPS, Muscle.GLUTES, Muscle.SIDE_REAR_DELTS, Muscle.BICEPS, Muscle.ABS,
    Muscle.CALVES,
)  # fmt: skip
_GENERAL_ORDER = (
    Muscle.QUADS, Muscle.BACK, Muscle.CHEST, Muscle.HAMSTRINGS, Muscle.SIDE_REAR_DELTS,
    Muscle.GLUTES, Muscle.TRICEPS, Muscle.BICEPS, Muscle.CALVES, Muscle.FRONT_DELTS,
    Muscle.ABS,
)  # fmt: skip
_STRENGTH_GOALS = frozenset({Goal.GENERAL_STRENGTH, Goal.POWERLIFTING_PEAK, Goal.ATHLETIC_POWER})

# Muscles best trained by single-joint work: upright rows and high pulls are compound
# but lateral/rear raises are the standard direct work for the side and rear delts.
_ISOLATION_FIRST = frozenset({Muscle.SIDE_REAR_DELTS})
# Big muscles whose second exercise of a session is another compound (of a different
# pattern) where one exists - a row after a pulldown, a lunge after a squat - because
# multi-joint lifts load them more per set; small muscles get an isolation second
# (engine heuristic, the usual "compounds first, isolations to finish" ordering, e.g.
# NSCA Essentials of Strength Training and Conditioning, 4th ed., ch. 17).
_COMPOUND_SECOND = frozenset({Muscle.CHEST, Muscle.BACK, Muscle.QUADS, Muscle.HAMSTRINGS})

# Beginners grow arms, calves and delts from the compound lifts for a good while; their
# direct work is the first to go when time is short (engine heuristic after RP's lower
# beginner MEVs, Israetel et al. 2021).
_BEGINNER_OPTIONAL = frozenset(
    {Muscle.BICEPS, Muscle.TRICEPS, Muscle.CALVES, Muscle.SIDE_REAR_DELTS}
)

# Where the peak volume sits: 0 = MAV_low, +1 = MRV, -1 = MEV (linear in between).
# Beginners grow on little volume; hypertrophy work climbs furthest; strength blocks
# spend their effort on intensity, most of all on muscles that are not prime movers of
# the lifts; fitness goals stay low. Engine heuristic following RP's "start at MEV,
# end near MRV, beginners need less" (Israetel, Hoffmann & Smith 2021).
_B, _INT, _ADV = Experience.BEGINNER, Experience.INTERMEDIATE, Experience.ADVANCED
_PEAK_POSITION: dict[str, dict[Experience, float]] = {
    "hypertrophy": {_B: 0.0, _INT: 0.5, _ADV: 0.75},
    "strength": {_B: -0.25, _INT: 0.0, _ADV: 0.25},
    "fitness": {_B: -0.5, _INT: -0.25, _ADV: 0.0},
}
# Under a strength goal, muscles that move none of the big lifts peak this much lower.
_STRENGTH_ACCESSORIES = frozenset(
    {Muscle.SIDE_REAR_DELTS, Muscle.BICEPS, Muscle.CALVES, Muscle.ABS}
)
ACCESSORY_PEAK_OFFSET = -0.75
# A priority muscle's peak moves a quarter of the way further toward MRV (heuristic).
PRIORITY_PEAK_BONUS = 0.25


def peak_sets(landmarks: VolumeLandmarks, position: float) -> int:
    """Weekly sets at a peak position (see _PEAK_POSITION), MEV..MRV."""
    position = max(-1.0, min(1.0, position))
    low = landmarks.mav_low
    span = (landmarks.mrv - low) if position >= 0 else (low - landmarks.mev)
    return math.floor(low + position * span)


# Rest between sets (compound, isolation) in seconds. ACSM position stand 2009 (Med Sci
# Sports Exerc 41:687): 2-3 min for core strength/power lifts, 1-2 min for hypertrophy
# and assistance work, 1-2 min or less for endurance; Schoenfeld et al. 2016 (J Strength
# Cond Res 30:1805): longer rests favour hypertrophy on multi-joint lifts.
_REST: dict[Goal, tuple[int, int]] = {
    Goal.HYPERTROPHY: (120, 75),
    Goal.GENERAL_STRENGTH: (180, 90),
    Goal.POWERLIFTING_PEAK: (180, 90),
    Goal.ATHLETIC_POWER: (180, 90),
    Goal.GENERAL_FITNESS: (90, 60),
    Goal.FAT_LOSS: (75, 60),
    Goal.ENDURANCE: (60, 45),
}
# When a session is too long, rests shorten to a floor: still >= 2 / 1 min for strength
# work (ACSM 2009's lower end for core lifts), 1.5 / 1 min for hypertrophy (ACSM
# 2009), 1 min / 45 s for fitness goals (ACSM 2009: 1-2 min or less for endurance).
_REST_FLOOR: dict[str, tuple[int, int]] = {
    "strength": (120, 60),
    "hypertrophy": (90, 60),
    "fitness": (60, 45),
}
# Last resort when a day is still too long with nothing left to drop but the muscles that
# open the split's days: 1 min / 45 s, the ACSM 2009 lower end, for any goal.
_REST_LAST_RESORT = (60, 45)

# Sets per exercise per session: up to ~5 before adding a second exercise, at most 8
# (engine heuristic; beyond ~8-10 sets per muscle per session extra sets stop adding
# stimulus, Schoenfeld/Krieger volume data as read by Israetel et al. 2021).
SOFT_SETS_PER_EXERCISE = 5
HARD_SETS_PER_EXERCISE = 8
# Up to 2 exercises per muscle per session, of different movement patterns (engine
# heuristic: a third variation mostly adds setup time, and a second of the same pattern
# - two hip thrusts, two calf raises - adds nothing the first did not).
MAX_EXERCISES_PER_MUSCLE_PER_DAY = 2
# Every exercise gets at least 2 sets per accumulation week where the muscle's volume
# allows (engine heuristic: a lone set is mostly warm-up and setup), which also lets
# the deload halve the volume and still keep one set of each day's first exercise.
MIN_SETS_PER_EXERCISE = 2


def distribute(total: int, slots: int) -> list[int]:
    """Split `total` sets over `slots` as evenly as possible, earlier slots first.

    Monotone: raising `total` never lowers any slot's share.
    """
    base, extra = divmod(total, slots)
    return [base + (1 if i < extra else 0) for i in range(slots)]


def _priority(profile: Profile, weak: WeakPointAnalysis) -> list[Muscle]:
    # Most severe first (Severity is declared mildest first).
    severities = list(Severity)
    findings = sorted(weak.findings, key=lambda f: -severities.index(f.severity))
    order: list[Muscle] = []
    for muscle in (
        *(m for f in findings for m in f.muscles),
        *profile.priority_muscles,
        *(_STRENGTH_ORDER if profile.goal in _STRENGTH_GOALS else _GENERAL_ORDER),
    ):
        if muscle not in order:
            order.append(muscle)
    return order


def _goal_group(goal: Goal) -> str:
    if goal is Goal.HYPERTROPHY:
        return "hypertrophy"
    if goal in _STRENGTH_GOALS:
        return "strength"
    return "fitness"


@dataclass
class _MusclePlan:
    muscle: Muscle
    landmarks: VolumeLandmarks
    days: list[int]  # indices of the split's days that may train it
    # Candidate groups in order of preference (catalog order within each group): for a
    # day's first exercise of this muscle (compounds, then isolations), and for its
    # second (compounds first for the big muscles, isolations first otherwise).
    first: tuple[list[Exercise], list[Exercise]]
    second: tuple[list[Exercise], list[Exercise]]
    patterns: int  # distinct movement patterns among the candidates
    base_start: int
    base_peak: int
    extra: int
    floor: int = 0  # the lowest start: MEV (or the MEV-0 dose) plus weak-point extras
    start: int = 0  # week 1's sets: the floor, lifted a little to fit whole exercises
    peak: int = 0
    full_ramp: int = 1  # peak - floor before any trimming
    target_peak: int = 0  # the peak before any trimming
    # (day index, exercise) per slot, in distribution order
    slots: list[tuple[int, Exercise]] = field(default_factory=list)


class _Builder:
    def __init__(
        self,
        profile: Profile,
        landmarks: list[VolumeLandmarks],
        weak: WeakPointAnalysis,
        plan: PeriodizationPlan,
    ) -> None:
        self.profile = profile
        self.plan = plan
        self.weak = weak
        self.split: Split = choose_split(profile)
        self.priority = _priority(profile, weak)
        self.rank = {m: i for i, m in enumerate(self.priority)}
        self.rest_level = 0  # 0 = the goal's rests, 1 = its floor, 2 = the last resort
        self.trimmed: list[str] = []
        self.budget = profile.session_minutes * 60
        self.strength = profile.goal in _STRENGTH_GOALS
        lm = {x.muscle: x for x in landmarks}

        by_muscle: dict[Muscle, list[Exercise]] = {m: [] for m in Muscle}
        for ex in available(profile):
            by_muscle[ex.primary].append(ex)
        extra: dict[Muscle, int] = {}
        for finding in weak.findings:
            for m in finding.muscles:
                extra[m] = max(extra.get(m, 0), finding.extra_weekly_sets)

        position = _PEAK_POSITION[_goal_group(profile.goal)][profile.experience]
        self.muscles: dict[Muscle, _MusclePlan] = {}
        for m in self.priority:
            days = [i for i, d in enumerate(self.split.days) if m in d.muscles]
            options = by_muscle[m]
            if not days or not options:
                continue
            land = lm[m]
            if land.mev > 0:
                base_start = land.mev
            else:
                # MEV 0 (glutes, front delts, abs): trained directly only as a small dose,
                # two sets per session it appears in, capped by MAV_low.
                base_start = min(land.mav_low, MIN_SETS_PER_EXERCISE * len(days))
            base_start = min(land.mrv, max(MIN_SETS_PER_EXERCISE, base_start))
            pos = position
            if self.strength and m in _STRENGTH_ACCESSORIES:
                pos += ACCESSORY_PEAK_OFFSET
            if m in profile.priority_muscles:
                pos += PRIORITY_PEAK_BONUS
            base_peak = peak_sets(land, pos)
            compounds = [ex for ex in options if ex.compound]
            isolations = [ex for ex in options if not ex.compound]
            if m in _ISOLATION_FIRST and isolations:
                compounds, isolations = isolations, []
            second = (compounds, isolations) if m in _COMPOUND_SECOND else (isolations, compounds)
            mp = _MusclePlan(
                muscle=m,
                landmarks=land,
                days=days,
                first=(compounds, isolations),
                second=second,
                patterns=len({ex.pattern for ex in compounds + isolations}),
                base_start=base_start,
                base_peak=base_peak,
                extra=extra.get(m, 0),
            )
            self._set_volume(mp)
            self.muscles[m] = mp

    # ------------------------------------------------------------------ planning

    def _set_volume(self, mp: _MusclePlan) -> None:
        mrv = mp.landmarks.mrv
        mp.floor = min(mrv, mp.base_start + mp.extra)
        mp.peak = min(mrv, max(mp.floor, mp.base_peak + mp.extra))
        mp.full_ramp = max(1, mp.peak - mp.floor)
        mp.target_peak = mp.peak
        self._plan_slots(mp)

    def _plan_slots(self, mp: _MusclePlan) -> None:
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
        # mid-block): fewer exercises rather than thinner ones. To make room for them
        # the start may rise from its floor (about MEV) at most halfway to MAV_low -
        # still the low end of the productive range - and never past the peak.
        cap = min(mp.peak, max(mp.floor, (mp.floor + mp.landmarks.mav_low + 1) // 2))
        mp.start = max(mp.floor, MIN_SETS_PER_EXERCISE * min(wanted, cap // MIN_SETS_PER_EXERCISE))
        count = min(wanted, max(1, mp.start // MIN_SETS_PER_EXERCISE))
        # Muscles take turns at which day gets the odd extra sets (and, when a muscle
        # is not on all its days or has a second exercise on only some, which days), so
        # no single day ends up the longest.
        offset = self.rank[mp.muscle]
        first_days = _spread(mp.days, min(count, k), offset)
        second_days = _spread(mp.days, count - k, offset) if count > k else []
        chosen: dict[int, list[Exercise]] = {d: [] for d in first_days}
        slots: list[tuple[int, Exercise]] = []
        for j, days in enumerate((first_days, second_days)):
            for q in range(len(days)):
                d = days[(q + offset) % len(days)]
                p = first_days.index(d)
                # Days rotate through the candidates for variety; strength goals keep
                # the main lift (catalog first) as every day's first exercise.
                if j == 0:
                    preferred, other = mp.first
                    pool = _rotate(preferred, 0 if self.strength else p) + _rotate(other, p)
                else:
                    preferred, other = mp.second
                    pool = _rotate(preferred, p + j - 1) + _rotate(other, p + j)
                taken = {ex.pattern for ex in chosen[d]}
                pick = next(ex for ex in pool if ex.pattern not in taken)
                chosen[d].append(pick)
                slots.append((d, pick))
        mp.slots = slots
        mp.peak = max(mp.start, min(mp.peak, len(slots) * HARD_SETS_PER_EXERCISE))

    def _rest(self, compound: bool) -> int:
        rest = _REST[self.profile.goal][0 if compound else 1]
        if self.rest_level == 1:
            rest = min(rest, _REST_FLOOR[_goal_group(self.profile.goal)][0 if compound else 1])
        elif self.rest_level == 2:
            rest = min(rest, _REST_LAST_RESORT[0 if compound else 1])
        return rest

    def _day_seconds(self) -> list[int]:
        seconds = [WARMUP_BASE_SECONDS] * len(self.split.days)
        for mp in self.muscles.values():
            for (d, ex), sets in zip(mp.slots, distribute(mp.peak, len(mp.slots)), strict=True):
                if ex.compound:
                    seconds[d] += RAMP_SECONDS_PER_COMPOUND
                seconds[d] += sets * (WORK_SECONDS_PER_SET + self._rest(ex.compound))
        return seconds

    def _compound_muscles(self, day: int) -> set[Muscle]:
        return {
            mp.muscle
            for mp in self.muscles.values()
            if any(d == day and ex.compound for d, ex in mp.slots)
        }

    def _droppable(self, mp: _MusclePlan) -> bool:
        """Dropping must leave every day it opens with another compound."""
        for day in {d for d, ex in mp.slots if ex.compound}:
            if self._compound_muscles(day) == {mp.muscle}:
                return False
        return True

    def _shorten_rest(self) -> None:
        self.rest_level += 1
        if self.rest_level == 1:
            self.trimmed.append("rest periods shortened")
        else:
            self.trimmed.append("rest periods cut to 1 min on compounds")

    def _favoured(self, mp: _MusclePlan) -> bool:
        return mp.extra > 0 or mp.muscle in self.profile.priority_muscles

    def _optional(self, mp: _MusclePlan) -> bool:
        if self._favoured(mp):
            return False
        if mp.landmarks.mev == 0:
            return True
        return self.profile.experience is Experience.BEGINNER and mp.muscle in _BEGINNER_OPTIONAL

    def _drop(self, mp: _MusclePlan, why: str) -> None:
        del self.muscles[mp.muscle]
        self.trimmed.append(f"{mp.muscle.value.replace('_', ' ')} not trained directly ({why})")

    def fit_time_budget(self) -> None:
        while True:
            seconds = self._day_seconds()
            over = [d for d, s in enumerate(seconds) if s > self.budget]
            if not over:
                return
            day = over[0]
            on_day = sorted(
                (mp for mp in self.muscles.values() if any(d == day for d, _ in mp.slots)),
                key=lambda mp: -self.rank[mp.muscle],
            )
            # 1. drop optional muscles, least important first: MEV 0 (or small muscles
            #    of a beginner) and neither weak nor a priority - pressing, pulling and
            #    squatting train them indirectly
            optional = next(
                (mp for mp in on_day if self._optional(mp) and self._droppable(mp)), None
            )
            if optional is not None:
                self._drop(optional, "trained indirectly only")
                continue
            # 2. outside strength goals, shorter rests cost less than lost progression
            if self.rest_level == 0 and not self.strength:
                self._shorten_rest()
                continue
            # 3. flatten ramps: one set off the peak of the muscle whose ramp is the least
            #    trimmed so far (ordinary muscles before weak or priority ones), so every
            #    muscle keeps some progression for as long as possible
            reducible = [mp for mp in on_day if mp.peak > mp.floor]
            if reducible:
                mp = max(
                    reducible,
                    key=lambda mp: (
                        not self._favoured(mp),
                        (mp.peak - mp.floor) / mp.full_ramp,
                        self.rank[mp.muscle],
                    ),
                )
                mp.peak -= 1
                self._plan_slots(mp)
                continue
            # 4. shorter rests (strength goals: only once the ramps are flat)
            if self.rest_level == 0:
                self._shorten_rest()
                continue
            # 5. give up weak-point extras or whole muscles, least important first
            for mp in on_day:
                if mp.extra > 0:
                    mp.peak -= mp.extra
                    mp.extra = 0
                    mp.floor = min(mp.landmarks.mrv, mp.base_start)
                    mp.peak = max(mp.floor, mp.peak)
                    self._plan_slots(mp)
                    self.trimmed.append(
                        f"no weak-point extra sets for {mp.muscle.value} (session too short)"
                    )
                    break
                if self._droppable(mp):
                    self._drop(mp, "no time for its MEV")
                    break
            else:
                # 6. every muscle left opens some day: the last resort is short rests
                if self.rest_level < 2:
                    self._shorten_rest()
                    continue
                raise RuntimeError(f"day {day + 1} cannot fit {self.profile.session_minutes} min")

    # ------------------------------------------------------------------ output

    def weekly_targets(self, mp: _MusclePlan) -> list[int]:
        """Sets per week of the plan: the ramp times the week's volume factor (below 1 as
        a block intensifies and tapers), and the deload at about MV."""
        days_used = len({d for d, _ in mp.slots})
        targets: list[int] = []
        for w in self.plan.weeks:
            if w.phase is Phase.DELOAD:
                # Deload at about MV, never more than half the peak week, and at least one
                # set for each day's first slot so every day keeps its compound anchor.
                peak = max(targets)
                targets.append(min(peak // 2, max(mp.landmarks.mv, days_used)))
                continue
            ramp = mp.start + int((mp.peak - mp.start) * w.volume_progress + 0.5)
            if w.volume_factor < 1.0:
                scaled = int(ramp * w.volume_factor + 0.5)
                ramp = min(ramp, max(scaled, mp.landmarks.mv, days_used))
            targets.append(ramp)
        return targets

    def refill(self) -> None:
        """Hand back peak sets that trimming took but the final plan has room for.

        Trimming is greedy (a shorter rest or a dropped muscle can free more time than
        the step needed), so ramps grow again one set per muscle per round, weak and
        priority muscles first, while every day still fits.
        """
        order = sorted(
            self.muscles.values(), key=lambda mp: (not self._favoured(mp), self.rank[mp.muscle])
        )
        grown = True
        while grown:
            grown = False
            for mp in order:
                if mp.muscle not in self.muscles or mp.peak >= mp.target_peak:
                    continue
                before = mp.peak
                mp.peak += 1
                self._plan_slots(mp)
                if mp.peak > before and max(self._day_seconds()) <= self.budget:
                    grown = True
                    continue
                mp.peak = before
                self._plan_slots(mp)
                mp.target_peak = before  # no room: stop trying this muscle

    def build(self) -> Construction:
        self.fit_time_budget()
        self.refill()
        per_day: dict[int, list[tuple[tuple[int, ...], Slot]]] = {
            d: [] for d in range(len(self.split.days))
        }
        served = {m for m, mp in self.muscles.items() if mp.extra > 0}
        weak_names: dict[Muscle, str] = {}
        for f in self.weak.findings:
            for m in f.muscles:
                weak_names.setdefault(m, f.ratio_name)
        for m, mp in self.muscles.items():
            weekly = [distribute(t, len(mp.slots)) for t in self.weekly_targets(mp)]
            for i, (d, ex) in enumerate(mp.slots):
                note = ""
                if m in served:
                    note = f"Weak point ({weak_names[m]}): includes extra sets."
                elif m in self.profile.priority_muscles:
                    note = "Priority muscle."
                lead = self.split.days[d].lead
                # Order within the day: compounds first, the day's lead muscle opening;
                # then by muscle priority; then slot order.
                key = (0 if ex.compound else 1, 0 if m is lead else 1, self.rank[m], i)
                per_day[d].append(
                    (
                        key,
                        Slot(
                            exercise_id=ex.id,
                            muscle=m,
                            compound=ex.compound,
                            sets=[w[i] for w in weekly],
                            rest_seconds=self._rest(ex.compound),
                            note=note,
                        ),
                    )
                )
        days = []
        for d, template in enumerate(self.split.days):
            slots = [slot for _, slot in sorted(per_day[d], key=lambda t: t[0])]
            if not slots or not slots[0].compound:
                raise RuntimeError(f"day {d + 1} has no compound anchor")
            days.append(DayPlan(day=d + 1, focus=template.focus, slots=slots))
        return Construction(
            split=self.split.name,
            days=days,
            weak_points=self._narrow_findings(served, days),
            trimmed=self.trimmed,
        )

    def _narrow_findings(self, served: set[Muscle], days: list[DayPlan]) -> WeakPointAnalysis:
        findings: list[WeakPoint] = []
        for f in self.weak.findings:
            muscles = [m for m in f.muscles if m in served]
            if muscles == f.muscles and f.extra_weekly_sets > 0:
                ids = _used_ids(days, muscles) or f.exercise_ids
                findings.append(f.model_copy(update={"exercise_ids": ids}))
                continue
            if muscles:
                findings.append(
                    f.model_copy(
                        update={"muscles": muscles, "exercise_ids": _used_ids(days, muscles)}
                    )
                )
                continue
            note = f.finding
            if f.muscles:
                note += " Not given extra sets this block: the sessions are too short."
            findings.append(
                f.model_copy(
                    update={
                        "muscles": [],
                        "exercise_ids": [],
                        "extra_weekly_sets": 0,
                        "finding": note,
                    }
                )
            )
        return self.weak.model_copy(update={"findings": findings})


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


def _used_ids(days: list[DayPlan], muscles: list[Muscle]) -> list[str]:
    ids: list[str] = []
    for day in days:
        for slot in day.slots:
            if slot.muscle in muscles and slot.exercise_id not in ids:
                ids.append(slot.exercise_id)
    return ids[:MAX_EXERCISES_PER_FINDING]


def construct_program(
    profile: Profile,
    landmarks: list[VolumeLandmarks],
    weak: WeakPointAnalysis,
    plan: PeriodizationPlan,
) -> Construction:
    return _Builder(profile, landmarks, weak, plan).build()
