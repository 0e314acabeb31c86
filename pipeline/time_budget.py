"""Fitting a program into the athlete's session minutes: trimming steps, in order, each
applied to the first day that is too long (docs/science.md, "Session time").

Supersets and circuits first (no work lost), then optional direct work (arms, calves,
abs; delts or glutes where the compounds already cover them), shorter rests, flatter
ramps, no weak-point extras, arms before majors, starts lowered toward MV, shorter
power/balance/conditioning work, the last-resort rests; only then is a muscle dropped,
and the program says so (a shortfall).
"""

from __future__ import annotations

from programgen.pipeline import goal_rules
from programgen.pipeline.accounting import MAJOR_MUSCLES, coverage_floor
from programgen.pipeline.builder_state import (
    BEGINNER_OPTIONAL,
    MAX_ROUNDS,
    BuilderState,
)
from programgen.pipeline.domain import Experience, Muscle
from programgen.pipeline.goal_rules import anchor_ok
from programgen.pipeline.periodization import COMPETITION_LIFTS
from programgen.pipeline.session_cache import Overrun
from programgen.pipeline.supersets import CIRCUIT_LEVELS
from programgen.pipeline.volume_plan import MusclePlan, lowest_start


class TimeBudget(BuilderState):
    def _optional(self, mp: MusclePlan) -> bool:
        if mp.extra > 0 or mp.muscle in self.profile.priority_muscles:
            return False
        if mp.muscle in MAJOR_MUSCLES:
            return mp.landmarks.mv == 0 and self._covered_without(mp)
        if mp.landmarks.mev == 0:
            return True
        beginner = self.profile.experience is Experience.BEGINNER
        return beginner and mp.muscle in BEGINNER_OPTIONAL

    def _pair(self, day: int, on_day: list[MusclePlan]) -> bool:
        if self.circuits[day] == 0:
            strength = self._strength_slots()[day]
            _, formed = self._layout(day, strength, self.pairs[day] + 1)
            if formed > self.pairs[day]:
                self.pairs[day] += 1
                self._note_once("non-competing exercises paired into supersets")
                return True
        return False

    def _circuit(self, day: int, on_day: list[MusclePlan]) -> bool:
        # Strength goals keep the anchor out of the circuit (full rest on the main lift).
        top = 1 if self.strength else CIRCUIT_LEVELS
        if self.circuits[day] >= top:
            return False
        self.circuits[day] += 1
        self._note_once("exercises grouped into a circuit")
        return True

    def _compound_muscles(self, day: int) -> set[Muscle]:
        """The muscles whose slots can open the day (their anchors)."""
        key = tuple([(m, mp.slot_key) for m, mp in self.muscles.items()])
        per_day = self._anchor_cache.get(key)
        if per_day is None:
            per_day = [set() for _ in self.split.days]
            for mp in self.muscles.values():
                for d, ex in mp.slots:
                    if anchor_ok(ex):
                        per_day[d].add(mp.muscle)
            self._anchor_cache = {key: per_day}
        return per_day[day]

    def _droppable(self, mp: MusclePlan) -> bool:
        """Dropping must leave every day it opens with another anchor."""
        if mp.muscle in self.keep:
            return False
        for day in {d for d, ex in mp.slots if anchor_ok(ex)}:
            if self._compound_muscles(day) == {mp.muscle}:
                return False
        return True

    def _covered_without(self, mp: MusclePlan) -> bool:
        """Would the other muscles' compounds alone keep this major muscle covered?"""
        key = (mp.muscle, self._state()[0])  # the counts' key: the plans alone
        if key not in self._covered_cache:
            self._covered_cache[key] = self._check_covered_without(mp)
        return self._covered_cache[key]

    def _check_covered_without(self, mp: MusclePlan) -> bool:
        del self.muscles[mp.muscle]
        try:
            counts = self._counts(self.low_weeks)
        finally:
            self.muscles[mp.muscle] = mp
        return all(
            c[mp.muscle] >= coverage_floor(mp.landmarks, self.deload[w], self.taper[w])
            for w, c in zip(self.low_weeks, counts, strict=True)
        )

    def _drop(self, mp: MusclePlan, why: str) -> None:
        del self.muscles[mp.muscle]
        self.dropped[mp.muscle] = mp
        self._note_once(f"{mp.muscle.value.replace('_', ' ')} not trained directly ({why})")

    def _drop_optional(self, day: int, on_day: list[MusclePlan]) -> bool:
        for mp in on_day:
            # Both pure; the cheaper, and more often false, first.
            if self._optional(mp) and self._droppable(mp):
                self._drop(mp, "trained by the compound lifts")
                return True
        return False

    def _shorten_rest(self, limit: int) -> bool:
        if self.rest_level >= limit:
            return False
        self.rest_level += 1
        self._note_once("rest periods shortened" if self.rest_level == 1 else "rests cut to 1 min")
        return True

    def _rest_outside_strength(self, day: int, on_day: list[MusclePlan]) -> bool:
        return not self.strength and self._shorten_rest(1)

    def _rest_floor(self, day: int, on_day: list[MusclePlan]) -> bool:
        return self._shorten_rest(1)

    def _rest_last_resort(self, day: int, on_day: list[MusclePlan]) -> bool:
        return self._shorten_rest(2)

    def _flatten(self, day: int, on_day: list[MusclePlan]) -> bool:
        """One set off the peak of the muscle whose ramp is least trimmed so far."""
        reducible = [mp for mp in on_day if mp.peak > max(mp.start, mp.min_peak)]
        if not reducible:
            return False
        mp = max(
            reducible,
            key=lambda mp: (
                mp.extra == 0 and mp.muscle not in self.profile.priority_muscles,
                (mp.peak - mp.floor) / mp.full_ramp,
                self.rank[mp.muscle],
            ),
        )
        # Far from the floor, bigger steps (refill hands back what was cut too much).
        mp.peak -= max(1, (mp.peak - max(mp.start, mp.min_peak)) // 3)
        self._replan(mp)
        return True

    def _drop_extras(self, day: int, on_day: list[MusclePlan]) -> bool:
        for mp in on_day:
            if mp.extra > 0:
                mp.peak = max(mp.min_peak, mp.peak - mp.extra)
                mp.extra = 0
                mp.floor = min(mp.landmarks.mrv, mp.base_start)
                mp.lowest = lowest_start(mp)
                mp.peak = max(mp.floor, mp.peak)
                self._replan(mp)
                self._note_once(f"no weak-point extra sets for {mp.muscle.value}")
                return True
        return False

    def _drop_minor(self, day: int, on_day: list[MusclePlan]) -> bool:
        """Arms, calves and abs go before a major muscle drops below MEV."""
        for mp in on_day:
            if mp.muscle not in MAJOR_MUSCLES and self._droppable(mp):
                self._drop(mp, "no time for its MEV; the compounds train it")
                return True
        return False

    def _lower_start(self, day: int, on_day: list[MusclePlan]) -> bool:
        """Week-1 volume of a major muscle one set closer to MV, least important first."""
        for mp in on_day:
            if mp.extra == 0 and mp.floor > mp.lowest:
                mp.floor -= 1
                mp.full_ramp = max(1, mp.peak - mp.floor)
                self._replan(mp)
                self._note_once("weekly sets start nearer maintenance volume")
                return True
        return False

    def _compact_extras(self, day: int, on_day: list[MusclePlan]) -> bool:
        if self.compact >= goal_rules.POWER_SETS - 1:
            return False
        self.compact += 1
        self._note_once("power, balance and conditioning work one set shorter")
        return True

    def _trim(self, day: int) -> bool:
        on_day = sorted(
            (mp for mp in self.muscles.values() if any(d == day for d, _ in mp.slots)),
            key=lambda mp: -self.rank[mp.muscle],
        )
        steps = (
            self._pair,
            self._drop_optional,
            self._circuit,
            self._rest_outside_strength,
            self._flatten,
            self._rest_floor,
            self._drop_extras,
            self._drop_minor,
            self._lower_start,
            self._compact_extras,
            self._rest_last_resort,
        )
        return any(step(day, on_day) for step in steps)

    def _give_up(self, day: int) -> None:
        """Nothing left to trim: drop a muscle's direct work. Muscles the other lifts still
        cover go first, a competition lift's muscle last; what ends up uncovered is stated
        as a shortfall when the program is assembled."""
        on_day = [mp for mp in self.muscles.values() if any(d == day for d, _ in mp.slots)]

        def lifts(mp: MusclePlan) -> bool:
            return self.strength and any(ex.lift in COMPETITION_LIFTS for _, ex in mp.slots)

        def cost(mp: MusclePlan) -> tuple[bool, bool, int]:
            covered = mp.muscle not in MAJOR_MUSCLES or (
                mp.landmarks.mv == 0 and self._covered_without(mp)
            )
            return lifts(mp), not covered, -self.rank[mp.muscle]

        ranked = sorted(on_day, key=cost)
        # Muscles whose work a coverage repair gave back go later, a competition lift's
        # muscle last of all: a strength program trains its lifts every week.
        others = [x for x in ranked if not lifts(x)]
        for mp in [*(x for x in others if x.muscle not in self.keep), *others, *ranked]:
            self.keep.discard(mp.muscle)
            if self._droppable(mp):
                self._drop(mp, "the sessions are too short")
                return
        raise RuntimeError(f"day {day + 1} cannot fit {self.profile.session_minutes} min")

    def fit_time_budget(self) -> None:
        steps = 0
        while steps < MAX_ROUNDS:
            day = self._over()
            if day is None:
                return
            steps += self._trim_while_over(day, MAX_ROUNDS - steps)
        raise RuntimeError("time budget: too many trimming steps")

    def _trim_while_over(self, day: int, allowed: int) -> int:
        """Trimming steps on `day`, the first day over the budget, one after another for
        as long as the time model proves the day still over and every earlier day still
        within it: the steps re-timing after each one would take, with the day timed
        again only once it may fit. Returns how many steps were taken."""
        days = self._days()
        over = self._timer.overrun(day, days[day], self._heavy(days)[day])
        assert over is not None  # _over() found the day over
        # A session's length is rounded up to the second: a second for that, one more
        # for the float sums; below this margin the day may fit.
        margin = over.seconds - 2.0
        for taken in range(1, allowed + 1):
            before = {m: self._slots_key(mp) for m, mp in self.muscles.items()}
            grouping = (tuple(self.pairs), tuple(self.circuits), self.compact, self.rest_level)
            if not self._trim(day):
                self._give_up(day)
                return taken
            if grouping != (tuple(self.pairs), tuple(self.circuits), self.compact, self.rest_level):
                return taken
            cut = self._seconds_cut(before, day, over)
            if cut is None:
                return taken
            margin -= cut
            if margin < 0:
                return taken
        return allowed

    def _seconds_cut(
        self, before: dict[Muscle, tuple[object, ...]], day: int, over: Overrun
    ) -> float | None:
        """The most seconds the last step can have taken off `day` in the week `over`
        names; None unless it only took sets, the same exercises staying in every week
        they had sets (then no session of any day got longer: the same exercises,
        warm-ups and groups, fewer sets)."""
        if before.keys() != self.muscles.keys():
            return None
        w = over.week
        cut = 0.0
        for m, mp in self.muscles.items():
            key = self._slots_key(mp)
            if key == before[m]:
                continue
            was = self._slot_cache.get(before[m])
            now = self._muscle_slots(mp)
            if was is None or len(now) != len(was):
                return None
            for (d, _, old), (d_now, _, new) in zip(was, now, strict=True):
                if d != d_now or old.exercise_id != new.exercise_id:
                    return None
                for a, b in zip(old.sets, new.sets, strict=True):
                    if b > a or (b == 0) != (a == 0):
                        return None
                if d == day and old.sets[w] > new.sets[w]:
                    cut += (old.sets[w] - new.sets[w]) * over.savings[old.exercise_id]
        return cut
