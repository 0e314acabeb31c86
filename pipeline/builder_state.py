"""The construction builder's state and layout: per-muscle plans, the slots they make,
each day's order and length, and the caches that keep trimming fast
(docs/science.md, "Coverage" and "Session time"). Trimming steps live in
pipeline.time_budget, volume limits and the final assembly in pipeline.construction.
"""

from __future__ import annotations

from collections.abc import Iterable

from programgen.pipeline import goal_rules
from programgen.pipeline.accounting import FLOOR_PHASES, credit_by_week, summed_weeks
from programgen.pipeline.catalog import Category, Exercise, available
from programgen.pipeline.day_layout import SortKey, order_day
from programgen.pipeline.domain import (
    Experience,
    Goal,
    Muscle,
    Profile,
    ProfileAnalysis,
    Severity,
    VolumeLandmarks,
    WeakPointAnalysis,
)
from programgen.pipeline.goal_rules import anchor_ok
from programgen.pipeline.periodization import PeriodizationPlan
from programgen.pipeline.session_cache import WeekTimer
from programgen.pipeline.slots import Slot
from programgen.pipeline.splits import Split, choose_split
from programgen.pipeline.volume_plan import (
    ACCESSORY_PEAK_OFFSET,
    GENERAL_ORDER,
    MIN_SETS_PER_EXERCISE,
    PEAK_POSITION,
    PRIORITY_PEAK_BONUS,
    STRENGTH_ACCESSORIES,
    STRENGTH_GOALS,
    STRENGTH_ORDER,
    MusclePlan,
    goal_group,
    peak_sets,
    plan_slots,
    set_volume,
    slot_weeks,
)
from programgen.pipeline.week_reps import HeavyLifts, day_lifts, heavy_by_day, load_context

# Muscles best trained by single-joint work: lateral/rear raises are the standard direct
# work for the side and rear delts.
_ISOLATION_FIRST = frozenset({Muscle.SIDE_REAR_DELTS})
# Big muscles whose second exercise of a session is another compound of a different
# pattern (NSCA Essentials of Strength Training and Conditioning, 4th ed., ch. 17:
# compounds first, isolations to finish); small muscles get an isolation second.
_COMPOUND_SECOND = frozenset({Muscle.CHEST, Muscle.BACK, Muscle.QUADS, Muscle.HAMSTRINGS})
# Beginners grow arms, calves and delts from the compound lifts for a good while; their
# direct work is the first to go when time is short (Israetel et al. 2021).
BEGINNER_OPTIONAL = frozenset(
    {Muscle.BICEPS, Muscle.TRICEPS, Muscle.CALVES, Muscle.SIDE_REAR_DELTS}
)

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
# When a session is too long, rests shorten to a floor (ACSM 2009's lower ends), and as
# a last resort to 1 min / 45 s for any goal.
_REST_FLOOR = {"strength": (120, 60), "hypertrophy": (90, 60), "fitness": (60, 45)}
_REST_LAST_RESORT = (60, 45)
MAX_ROUNDS = 400  # trimming steps before the builder gives up (a bug guard)


def _priority(profile: Profile, weak: WeakPointAnalysis) -> list[Muscle]:
    severities = list(Severity)  # declared mildest first
    findings = sorted(weak.findings, key=lambda f: -severities.index(f.severity))
    order: list[Muscle] = []
    goal_order = STRENGTH_ORDER if profile.goal in STRENGTH_GOALS else GENERAL_ORDER
    for muscle in (
        *(m for f in findings for m in f.muscles),
        *profile.priority_muscles,
        *goal_order,
    ):
        if muscle not in order:
            order.append(muscle)
    return order


class BuilderState:
    def __init__(
        self,
        profile: Profile,
        landmarks: list[VolumeLandmarks],
        weak: WeakPointAnalysis,
        plan: PeriodizationPlan,
        analysis: ProfileAnalysis,
    ) -> None:
        self.profile = profile
        # Loads decide some reps (pipeline.week_reps): sessions are timed with them.
        self.ctx = load_context(profile, analysis)
        self.plan = plan
        self.weak = weak
        self.split: Split = choose_split(profile)
        self.priority = _priority(profile, weak)
        self.rank = {m: i for i, m in enumerate(self.priority)}
        self.rest_level = 0  # 0 = the goal's rests, 1 = its floor, 2 = the last resort
        self.trimmed: list[str] = []
        self.shortfalls: list[str] = []
        self.budget = profile.session_minutes * 60
        self.strength = profile.goal in STRENGTH_GOALS
        self.landmarks = {x.muscle: x for x in landmarks}
        self.deload, self.taper = ([w.phase is ph for w in plan.weeks] for ph in FLOOR_PHASES)
        # Volume only grows through the non-deload weeks (volume_plan.weekly_targets), so
        # the fewest sets sit in the lowest-progress week or a deload, the most in the
        # highest-progress week: the weeks worth counting while trimming.
        ramp = [i for i, d in enumerate(self.deload) if not d]
        progress = [plan.weeks[i].volume_progress for i in ramp]
        self.low_weeks = sorted(
            {ramp[progress.index(min(progress))], *(i for i, d in enumerate(self.deload) if d)}
        )
        self.training_weeks = tuple(ramp)
        self.peak_week = ramp[len(progress) - 1 - progress[::-1].index(max(progress))]
        self.pairs = [0] * len(self.split.days)
        self.circuits = [0] * len(self.split.days)  # supersets.circuit levels per day
        self.compact = 0  # sets taken off power, balance and conditioning work
        self.keep: set[Muscle] = set()  # never dropped again (their coverage needs them)
        self.dropped: dict[Muscle, MusclePlan] = {}
        self._timer = WeekTimer(plan, self.budget, self.peak_week, self.ctx)
        self._new_caches()
        pool = [ex for ex in available(profile) if ex.category is Category.STRENGTH]
        # Nothing but the anchor is kept out of supersets: a paired competition lift still
        # gets its full rest, spent on the partner (pipeline.supersets).
        self.protected: frozenset[str] = frozenset()
        self.muscles: dict[Muscle, MusclePlan] = {}
        for m in self.priority:
            mp = self._muscle_plan(m, [ex for ex in pool if ex.primary is m])
            if mp is not None:
                set_volume(mp, self.rank[m])
                self.muscles[m] = mp
        self._secure_anchors()

    def _new_caches(self) -> None:
        """The memos that keep trimming fast: each pure in its key."""
        self._extras: dict[tuple[int, int], tuple[list[Slot], list[Slot]]] = {}
        self._cache: dict[tuple[object, ...], list[list[Slot]]] = {}
        self._over_cache: dict[tuple[object, ...], int | None] = {}
        self._seconds_cache: dict[tuple[object, ...], bool] = {}
        self._layouts: dict[tuple[object, ...], tuple[list[Slot], int]] = {}
        self._anchor_cache: dict[tuple[object, ...], list[set[Muscle]]] = {}
        self._heavy_cache: dict[tuple[object, ...], list[tuple[HeavyLifts, ...]]] = {}
        self._slot_cache: dict[tuple[object, ...], list[tuple[int, SortKey, Slot]]] = {}
        self._covered_cache: dict[tuple[object, ...], bool] = {}
        self._counts_cache: dict[tuple[object, ...], list[dict[Muscle, float]]] = {}
        self._credit_cache: dict[tuple[object, ...], list[dict[Muscle, float]]] = {}

    def _secure_anchors(self) -> None:
        """A day only one of whose muscles has an exercise that can open it (the split
        guarantees one, pipeline.splits) gets that muscle's compound planned there for
        good: trimming may move a small muscle's few slots to other days otherwise."""
        for d, template in enumerate(self.split.days):
            able = [
                mp
                for m in template.muscles
                if (mp := self.muscles.get(m)) is not None
                and any(anchor_ok(ex) for ex in mp.first[0])
            ]
            if len(able) == 1:
                mp = able[0]
                mp.anchor_days = (*mp.anchor_days, d)
                set_volume(mp, self.rank[mp.muscle])

    def _muscle_plan(self, m: Muscle, options: list[Exercise]) -> MusclePlan | None:
        days = [i for i, d in enumerate(self.split.days) if m in d.muscles]
        if not days or not options:
            return None
        land = self.landmarks[m]
        if land.mev > 0:
            base_start = land.mev
        else:
            # MEV 0 (glutes, front delts, abs): a small direct dose, two sets per session.
            base_start = min(land.mav_low, MIN_SETS_PER_EXERCISE * len(days))
        base_start = min(land.mrv, max(MIN_SETS_PER_EXERCISE, base_start))
        pos = PEAK_POSITION[goal_group(self.profile.goal)][self.profile.experience]
        if self.strength and m in STRENGTH_ACCESSORIES:
            pos += ACCESSORY_PEAK_OFFSET
        if m in self.profile.priority_muscles:
            pos += PRIORITY_PEAK_BONUS
        compounds = [ex for ex in options if ex.compound]
        isolations = [ex for ex in options if not ex.compound]
        if m in _ISOLATION_FIRST and isolations:
            compounds, isolations = isolations, []
        second = (compounds, isolations) if m in _COMPOUND_SECOND else (isolations, compounds)
        extra = max((f.extra_weekly_sets for f in self.weak.findings if m in f.muscles), default=0)
        beginner = self.profile.experience is Experience.BEGINNER
        return MusclePlan(
            muscle=m,
            landmarks=land,
            days=days,
            first=(compounds, isolations),
            second=second,
            patterns=len({ex.pattern for ex in compounds + isolations}),
            base_start=base_start,
            base_peak=peak_sets(land, pos),
            extra=extra,
            fixed_first=self.strength or beginner,
            fixed_all=beginner,
        )

    # ------------------------------------------------------------------ layout

    def _rest(self, compound: bool) -> int:
        i = 0 if compound else 1
        rest = _REST[self.profile.goal][i]
        if self.rest_level == 1:
            rest = min(rest, _REST_FLOOR[goal_group(self.profile.goal)][i])
        elif self.rest_level == 2:
            rest = min(rest, _REST_LAST_RESORT[i])
        return rest

    def _note(self, mp: MusclePlan) -> str:
        if mp.extra > 0:
            names = [f.ratio_name for f in self.weak.findings if mp.muscle in f.muscles]
            return f"Weak point ({names[0]}): includes extra sets."
        return "Priority muscle." if mp.muscle in self.profile.priority_muscles else ""

    def _state(self) -> tuple[object, ...]:
        """Everything the layout depends on: the cache key of `_days`."""
        items = self.muscles.items()
        plans = tuple([(m, p.start, p.peak, p.extra, p.deload_bonus, p.slot_key) for m, p in items])
        return plans, tuple(self.pairs), tuple(self.circuits), self.compact, self.rest_level

    def _slots_key(self, mp: MusclePlan) -> tuple[object, ...]:
        """Everything a muscle's slots depend on: the key of `_muscle_slots`."""
        return (
            mp.muscle,
            mp.start,
            mp.peak,
            mp.extra,
            mp.deload_bonus,
            self.rest_level,
            mp.slot_key,
        )

    def _muscle_slots(self, mp: MusclePlan) -> list[tuple[int, SortKey, Slot]]:
        key = self._slots_key(mp)
        cached = self._slot_cache.get(key)
        if cached is not None:
            return cached
        m = mp.muscle
        leads = {d for d, day in enumerate(self.split.days) if day.lead is m}
        weekly = slot_weeks(mp, self.plan, leads)  # the taper cut per exercise
        note = self._note(mp)
        out = []
        for i, (d, ex) in enumerate(mp.slots):
            lead = self.split.days[d].lead
            order = (0 if ex.compound else 1, 0 if m is lead else 1, self.rank[m], i)
            slot = Slot(
                exercise_id=ex.id,
                muscle=m,
                compound=ex.compound,
                sets=[w[i] for w in weekly],
                rest_seconds=self._rest(ex.compound),
                note=note,
            )
            out.append((d, order, slot))
        self._slot_cache[key] = out
        return out

    def _strength_slots(self) -> dict[int, list[tuple[SortKey, Slot]]]:
        per_day: dict[int, list[tuple[SortKey, Slot]]] = {
            d: [] for d in range(len(self.split.days))
        }
        for mp in self.muscles.values():
            for d, order, slot in self._muscle_slots(mp):
                per_day[d].append((order, slot))
        return per_day

    def _layout(
        self, day: int, strength: list[tuple[SortKey, Slot]], pairs: int
    ) -> tuple[list[Slot], int]:
        # One trimming step changes one muscle: the other days keep their layout. Every
        # strength slot comes from _slot_cache, which keeps it alive as long as the
        # builder, so its id names it.
        key = (day, pairs, self.circuits[day], self.compact, *[id(s) for _, s in strength])
        laid = self._layouts.get(key)
        if laid is None:
            laid = self._layouts[key] = self._order_day(day, strength, pairs)
        return laid

    def _order_day(
        self, day: int, strength: list[tuple[SortKey, Slot]], pairs: int
    ) -> tuple[list[Slot], int]:
        extras = self._extras.get((day, self.compact))
        if extras is None:
            extras = goal_rules.extra_slots(self.profile, day, self.plan.weeks, self.compact)
            self._extras[(day, self.compact)] = extras
        before, after = extras
        return order_day(strength, before, after, pairs, self.circuits[day], self.protected)

    def _days(self) -> list[list[Slot]]:
        key = self._state()
        cached = self._cache.get(key)
        if cached is None:
            per_day = self._strength_slots()
            cached = [self._layout(d, per_day[d], self.pairs[d])[0] for d in range(len(per_day))]
            self._cache = {key: cached}
        return cached

    def _day_over(self, day: int, slots: list[Slot], heavy: tuple[HeavyLifts, ...]) -> bool:
        # One trimming step changes one muscle: most days keep their layout (the same list
        # from _layouts, alive as long as the builder), and their time.
        key = (day, id(slots), heavy)
        over = self._seconds_cache.get(key)
        if over is None:
            over = self._seconds_cache[key] = self._timer.day_over(day, slots, heavy)
        return over

    def _heavy(self, days: list[list[Slot]]) -> list[tuple[HeavyLifts, ...]]:
        """Per day, per week: the squat or deadlift that may run heavy (pipeline.peaking),
        which depends on the other days' lifts."""
        lifts = day_lifts(days)
        key = tuple(frozenset(x) for x in lifts)
        cached = self._heavy_cache.get(key)
        if cached is None:
            weeks = [heavy_by_day(lifts, w.week) for w in self.plan.weeks]
            cached = self._heavy_cache[key] = [
                tuple(week[d] for week in weeks) for d in range(len(days))
            ]
        return cached

    def _over(self) -> int | None:
        key = self._state()
        if key not in self._over_cache:
            days = self._days()
            heavy = self._heavy(days)
            self._over_cache[key] = next(
                (d for d, slots in enumerate(days) if self._day_over(d, slots, heavy[d])),
                None,
            )
        return self._over_cache[key]

    def _counts(self, weeks: Iterable[int] | None = None) -> list[dict[Muscle, float]]:
        chosen = tuple(range(len(self.plan.weeks)) if weeks is None else weeks)
        # Sets alone decide the counts, not the days' order or groups, and the power,
        # balance and conditioning work credits no muscle (accounting.credits): counted
        # per muscle plan from its slots, with no layout to build.
        key = (chosen, self._state()[0])
        counts = self._counts_cache.get(key)
        if counts is None:
            parts = [self._credits(mp) for mp in self.muscles.values()]
            counts = self._counts_cache[key] = summed_weeks(parts, chosen)
        return counts

    def _credits(self, mp: MusclePlan) -> list[dict[Muscle, float]]:
        key = self._slots_key(mp)
        part = self._credit_cache.get(key)
        if part is None:
            slots = self._muscle_slots(mp)
            part = self._credit_cache[key] = credit_by_week(
                [(s.exercise_id, s.sets) for *_, s in slots]
            )
        return part

    # ------------------------------------------------------------------ trimming steps

    def _shortfall(self, text: str) -> None:
        if text not in self.shortfalls:
            self.shortfalls.append(text)

    def _note_once(self, text: str) -> None:
        if text not in self.trimmed:
            self.trimmed.append(text)

    def _replan(self, mp: MusclePlan) -> None:
        plan_slots(mp, self.rank[mp.muscle])
