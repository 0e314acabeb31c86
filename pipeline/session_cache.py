"""The builder's memo of which sessions fit the time budget, one entry per day and week.

One trimming step changes one muscle's sets, and often only in some weeks (a lower peak
leaves week 1 as it was): a week's session is timed again only when what the time model
sees of it changed (its exercises, that week's sets, rests, groups, rep ranges and heavy
lifts), and not even then when a session of the same shape (all of that but the set
counts) timed before decides it: with the exercises, reps, rests, groups and warm-ups
fixed, one set more or fewer of an exercise changes the time model's length by at most
session_time.set_saving_bound, and more sets never make it shorter. The answer is the
same as timing every week of the day afresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from programgen.pipeline.day_layout import week_items
from programgen.pipeline.periodization import PeriodizationPlan, RepRange
from programgen.pipeline.progression import LoadContext
from programgen.pipeline.session_time import TimedItem, fresh_session_seconds, set_saving_bound
from programgen.pipeline.slots import Slot
from programgen.pipeline.week_reps import HeavyLifts

# Seconds of slack on a bound before it decides: a session's length is rounded up to the
# second and summed in floating point.
_SLACK = 2.0


class _Timed:
    """A session timed: its sets per slot, its length, and (worked out when first asked)
    per slot the most one set more or fewer can change it (session_time.set_saving_bound;
    0 for a slot without sets)."""

    __slots__ = ("_bounds", "_items", "_savings", "_slots", "seconds", "sets")

    def __init__(
        self, slots: Sequence[Slot], sets: list[int], seconds: int, items: list[TimedItem]
    ) -> None:
        self.sets = sets
        self.seconds = seconds
        self._slots = slots
        self._items = items
        self._bounds: list[float] | None = None
        self._savings: dict[str, float] | None = None

    @property
    def bounds(self) -> list[float]:
        if self._bounds is None:
            self._bounds = [0.0] * len(self.sets)
            # week_items keeps the slots' order, leaving out those without sets.
            active = (i for i, n in enumerate(self.sets) if n > 0)
            for i, item in zip(active, self._items, strict=True):
                self._bounds[i] = set_saving_bound(item)
        return self._bounds

    @property
    def savings(self) -> dict[str, float]:
        """The bound per exercise id of the slots (the larger, were one there twice)."""
        if self._savings is None:
            self._savings = {}
            for s, bound in zip(self._slots, self.bounds, strict=True):
                self._savings[s.exercise_id] = max(bound, self._savings.get(s.exercise_id, 0.0))
        return self._savings


@dataclass(frozen=True, slots=True)
class Overrun:
    """A day's session over the budget: in which week, by at least how many seconds, and
    the session timed that shows it."""

    week: int
    seconds: float
    timed: _Timed

    @property
    def savings(self) -> dict[str, float]:
        """The most one set fewer of each of the day's exercises can save that week."""
        return self.timed.savings


class WeekTimer:
    def __init__(self, plan: PeriodizationPlan, budget: int, first: int, ctx: LoadContext) -> None:
        self._plan = plan
        self._budget = budget
        self._ctx = ctx
        # The week likeliest longest first: most over-budget days are found at once.
        self._order = [first, *(w for w in range(len(plan.weeks)) if w != first)]
        self._over: dict[tuple[object, ...], Overrun | None] = {}
        # Per shape of a session: the last such session timed that fitted, and the last
        # that ran over.
        self._fits: dict[tuple[object, ...], _Timed] = {}
        self._overs: dict[tuple[object, ...], _Timed] = {}

    def day_over(self, day: int, slots: Sequence[Slot], heavy: Sequence[HeavyLifts]) -> bool:
        """Is any week's session of the day longer than the budget?"""
        return self.overrun(day, slots, heavy) is not None

    def overrun(
        self, day: int, slots: Sequence[Slot], heavy: Sequence[HeavyLifts]
    ) -> Overrun | None:
        """The first week, in timing order, whose session of the day is longer than the
        budget; None when every week fits."""
        # Every slot is in the key, sets or not: the day's exercises decide swaps
        # (week_reps.executed) and which compound gets the full warm-up. A rep range as
        # its numbers: a model's hash runs in Python, and the key is hashed every week.
        made = tuple(
            [
                (s.exercise_id, s.rest_seconds, s.superset, s.compound, s.reps and _range(s.reps))
                for s in slots
            ]
        )
        for w in self._order:
            sets = [s.sets[w] for s in slots]
            key = (day, w, heavy[w], made, *sets)
            if key in self._over:
                over = self._over[key]
            else:
                over = self._over[key] = self._bounded(day, slots, w, heavy[w], made, sets)
            if over is not None:
                return over
        return None

    def _bounded(
        self,
        day: int,
        slots: Sequence[Slot],
        w: int,
        heavy: HeavyLifts,
        made: tuple[object, ...],
        sets: list[int],
    ) -> Overrun | None:
        """The week's session decided from one of its shape timed before, else timed."""
        shape = (day, w, heavy, made, *[n > 0 for n in sets])
        fit = self._fits.get(shape)
        if fit is not None:
            added = _added(fit, sets)
            if added == 0 or fit.seconds + added <= self._budget - _SLACK:
                return None
        over = self._overs.get(shape)
        if over is not None:
            cut = _added(over, sets, fewer=True)
            if cut == 0:
                return Overrun(w, over.seconds - self._budget, over)
            if over.seconds - cut - _SLACK > self._budget:
                return Overrun(w, over.seconds - cut - _SLACK - self._budget, over)
        items = week_items(slots, self._plan, day, w, heavy, self._ctx)
        timed = _Timed(slots, sets, fresh_session_seconds(items), items)
        if timed.seconds <= self._budget:
            self._fits[shape] = timed
            return None
        self._overs[shape] = timed
        return Overrun(w, timed.seconds - self._budget, timed)


def _range(reps: RepRange) -> tuple[int, int]:
    return reps.low, reps.high


def _added(timed: _Timed, sets: list[int], fewer: bool = False) -> float:
    """The most seconds `sets` can add to (fewer: take off) the session `timed` was of."""
    total = 0.0
    for now, then, bound in zip(sets, timed.sets, timed.bounds, strict=True):
        change = then - now if fewer else now - then
        if change > 0:
            total += change * bound
    return total
