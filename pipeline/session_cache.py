"""The builder's memo of which sessions fit the time budget, one entry per day and week.

One trimming step changes one muscle's sets, and often only in some weeks (a lower peak
leaves week 1 as it was): a week's session is timed again only when what the time model
sees of it changed (its exercises, that week's sets, rests, groups, rep ranges and heavy
lifts). The answer is the same as timing every week of the day afresh.
"""

from __future__ import annotations

from collections.abc import Sequence

from programgen.pipeline.day_layout import week_items
from programgen.pipeline.periodization import PeriodizationPlan
from programgen.pipeline.progression import LoadContext
from programgen.pipeline.session_time import fresh_session_seconds
from programgen.pipeline.slots import Slot
from programgen.pipeline.week_reps import HeavyLifts


class WeekTimer:
    def __init__(self, plan: PeriodizationPlan, budget: int, first: int, ctx: LoadContext) -> None:
        self._plan = plan
        self._budget = budget
        self._ctx = ctx
        # The week likeliest longest first: most over-budget days are found at once.
        self._order = [first, *(w for w in range(len(plan.weeks)) if w != first)]
        self._over: dict[tuple[object, ...], bool] = {}

    def day_over(self, day: int, slots: Sequence[Slot], heavy: Sequence[HeavyLifts]) -> bool:
        """Is any week's session of the day longer than the budget?"""
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
            over = self._over.get(key)
            if over is None:
                items = week_items(slots, self._plan, day, w, heavy[w], self._ctx)
                over = self._over[key] = fresh_session_seconds(items) > self._budget
            if over:
                return True
        return False
