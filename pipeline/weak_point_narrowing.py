"""Weak-point findings narrowed to what the built program really serves: a finding keeps
its muscles (and names the program's own exercises for them) only where the program
gives those muscles their extra sets; otherwise it says the sessions were too short.
"""

from __future__ import annotations

from programgen.pipeline.catalog import CATALOG, Category
from programgen.pipeline.domain import Muscle, WeakPoint, WeakPointAnalysis
from programgen.pipeline.slots import DayPlan
from programgen.pipeline.weak_points import MAX_EXERCISES_PER_FINDING


def _used_ids(days: list[DayPlan], muscles: list[Muscle]) -> list[str]:
    ids: list[str] = []
    for day in days:
        for slot in day.slots:
            strength = CATALOG[slot.exercise_id].category is Category.STRENGTH
            if strength and slot.muscle in muscles and slot.exercise_id not in ids:
                ids.append(slot.exercise_id)
    return ids[:MAX_EXERCISES_PER_FINDING]


def narrow_findings(
    weak: WeakPointAnalysis, served: set[Muscle], days: list[DayPlan]
) -> WeakPointAnalysis:
    findings: list[WeakPoint] = []
    for f in weak.findings:
        muscles = [m for m in f.muscles if m in served]
        if muscles == f.muscles and f.extra_weekly_sets > 0:
            ids = _used_ids(days, muscles) or f.exercise_ids
            findings.append(f.model_copy(update={"exercise_ids": ids}))
            continue
        if muscles:
            update = {"muscles": muscles, "exercise_ids": _used_ids(days, muscles)}
            findings.append(f.model_copy(update=update))
            continue
        note = f.finding
        if f.muscles:
            note += " Not given extra sets this block: the sessions are too short."
        findings.append(
            f.model_copy(
                update={"muscles": [], "exercise_ids": [], "extra_weekly_sets": 0, "finding": note}
            )
        )
    return weak.model_copy(update={"findings": findings})
