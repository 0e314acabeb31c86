"""The validator's chart rule: a load rounded to the plate step stays on the RPE chart.

Recomputed from the program's own e1RM estimates (analysis.lifts, certain ones only):
a set of r reps @ RPE x with a stated load may weigh at most the chart's %1RM for r
+ (10 - x) reps to failure plus CHART_TOLERANCE (pipeline.rpe_chart; docs/science.md,
"Loads"). Added load on a pull-up counts the whole system mass (bodyweight + added).
"""

from __future__ import annotations

from typing import Protocol

from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import Lift, LoadKind, Profile, Program
from programgen.pipeline.rpe_chart import CHART_TOLERANCE, percent_1rm

# Loads are written to 0.01 and percents to 0.1: a margin for that rounding only.
_EPSILON = 0.05


class Reporter(Protocol):
    def add(self, field: str, description: str) -> None: ...


def chart_loads(program: Program, profile: Profile, r: Reporter) -> None:
    """No stated load heavier than the RPE chart allows for its reps and RPE."""
    e1rms = {e.lift: e.e1rm for e in program.analysis.lifts if not e.uncertain}
    bw = profile.bodyweight
    for i, week in enumerate(program.weeks):
        for j, day in enumerate(week.days):
            for k, ex in enumerate(day.exercises):
                entry = CATALOG.get(ex.exercise_id)
                basis = entry.load_basis if entry is not None else None
                if ex.load is None or basis is None or basis[0] not in e1rms:
                    continue
                lift, ratio = basis
                if lift is Lift.PULL_UP:
                    if ex.load_kind is not LoadKind.ADDED:
                        continue
                    percent = 100 * (bw + ex.load) / ((e1rms[lift] + bw) * ratio)
                elif ex.load_kind is LoadKind.ABSOLUTE:
                    percent = 100 * ex.load / (e1rms[lift] * ratio)
                else:
                    continue
                limit = percent_1rm(ex.reps_max, ex.target_rpe) + CHART_TOLERANCE
                if percent > limit + _EPSILON:
                    r.add(
                        f"weeks[{i}].days[{j}].exercises[{k}].load",
                        f"{ex.exercise_id}: {ex.load:g} {profile.unit.value} is "
                        f"{percent:.1f} % of e1RM, above the chart's {limit:.1f} % for "
                        f"{ex.reps_max} reps @ RPE {ex.target_rpe:g} (tolerance included)",
                    )
