"""The builder's memo of which sessions fit the time budget, one entry per day and week.

One trimming step changes one muscle's sets, and often only in some weeks (a lower peak
leaves week 1 as it was): a week's session is timed again only when what the time model
sees of it changed (its exercises, that week's sets, rests, groups, rep ranges and heavy
lifts). The answer is the same as timing every week of the day afresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from programgen.pipeline.day_layout import week_items
from programgen.pipeline.periodization import PeriodizationPlan
from programgen.pipeline.progression import LoadContext
from programgen.pipeline.session_time import fresh_session_seconds, set_saving_bound
from programgen.pipeline.slots import Slot
from programgen.pipeline.week_reps import HeavyLifts


@dataclass(frozen=True, slots=True)
class Overrun:
    """A day's session over the budget: in which week, by how many seconds, and the most
    one set fewer of each of its slots' exercises can save (session_time.set_saving_bound)."""

    week: int
    seconds: int
    savings: dict[str, float]


class WeekTimer:
    def __init__(self, plan: PeriodizationPlan, budget: int, first: int, ctx: LoadContext) -> None:
        self._plan = plan
        self._budget = budget
        self._ctx = ctx
        # The week likeliest longest first: most over-budget days are found at once.
        self._order = [first, *(w for w in range(len(plan.weeks)) if w != first)]
        self._over: dict[tuple[object, ...], Overrun | None] = {}
        # Per shape of a session (what it is made of, all but its set counts): the sets
        # of the last such session that fitted, and of the last that ran over.
        self._fits: dict[tuple[object, ...], list[int]] = {}
        self._overs: dict[tuple[object, ...], tuple[list[int], Overrun]] = {}

    def day_over(self, day: int, slots: Sequence[Slot], heavy: Sequence[HeavyLifts]) -> bool:
        """Is any week's session of the day longer than the budget?"""
        return self.overrun(day, slots, heavy) is not None

    def overrun(
        self, day: int, slots: Sequence[Slot], heavy: Sequence[HeavyLifts]
    ) -> Overrun | None:
        """The first week, in timing order, whose session of the day is longer than the
        budget (by at least `seconds`); None when every week fits."""
        for w in self._order:
            # Every slot is in the key, sets or not: the day's exercises decide swaps
            # (week_reps.executed) and which compound gets the full warm-up.
            key = (
                day,
                w,
                heavy[w],
                *[
                    (s.exercise_id, s.sets[w], s.rest_seconds, s.superset, s.compound, s.reps)
                    for s in slots
                ],
            )
            if key in self._over:
                over = self._over[key]
            else:
                over = self._over[key] = self._bounded(day, slots, w, heavy[w])
            if over is not None:
                return over
        return None

    def _bounded(
        self, day: int, slots: Sequence[Slot], w: int, heavy: HeavyLifts
    ) -> Overrun | None:
        """The week's session timed, unless a session of the same exercises known to fit
        had at least as many sets of each (then this one fits too), or one known to run
        over had at most as many (then this one runs over by at least as much): with the
        exercises, reps, rests, groups and warm-ups fixed, the time model never gets
        shorter with more sets (session_time)."""
        shape = (
            day,
            w,
            heavy,
            *[
                (s.exercise_id, s.sets[w] > 0, s.rest_seconds, s.superset, s.compound, s.reps)
                for s in slots
            ],
        )
        sets = [s.sets[w] for s in slots]
        fits = self._fits.get(shape)
        if fits is not None and all([a <= b for a, b in zip(sets, fits, strict=True)]):
            return None
        known = self._overs.get(shape)
        if known is not None and all([a >= b for a, b in zip(sets, known[0], strict=True)]):
            return known[1]
        over = self._time(day, slots, w, heavy)
        if over is None:
            self._fits[shape] = sets
        else:
            self._overs[shape] = (sets, over)
        return over

    def _time(self, day: int, slots: Sequence[Slot], w: int, heavy: HeavyLifts) -> Overrun | None:
        items = week_items(slots, self._plan, day, w, heavy, self._ctx)
        seconds = fresh_session_seconds(items)
        if seconds <= self._budget:
            return None
        # week_items keeps the slots' order, leaving out those without sets.
        active = [s for s in slots if s.sets[w] > 0]
        savings: dict[str, float] = {}
        for s, item in zip(active, items, strict=True):
            bound = set_saving_bound(item)
            savings[s.exercise_id] = max(bound, savings.get(s.exercise_id, bound))
        return Overrun(w, seconds - self._budget, savings)
