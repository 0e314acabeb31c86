"""Validator checks for volume and session time (registered in validator.CHECKS; each
function's name without "_check_" is the rule its violations carry).

Hard sets are recounted with pipeline.accounting (fractional) and minutes with
pipeline.session_time, never taken from the program's own summary fields.
"""

from __future__ import annotations

import itertools
import math
from typing import Protocol

from programgen.pipeline.accounting import (
    MAJOR_MUSCLES,
    coverage_floor,
    credits,
    hard_sets,
    round_sets,
    session_minutes,
)
from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import Muscle, Phase, Profile, Program, Week
from programgen.pipeline.volume import MAX_FACTOR, REFERENCE, compute_landmarks
from programgen.pipeline.volume_plan import WEEKLY_GROWTH

# docs/science.md: a deload runs at about MV with light loads; this project caps each
# muscle's own (primary) sets at 60 % of the last accumulation week, or at its MV where
# that is higher (a deload below MV would drop the muscle's maintenance; for a major
# muscle, its coverage floor).
DELOAD_MAX_FRACTION = 0.6
# One set of slack on the week-to-week growth cap (pipeline.volume_plan.WEEKLY_GROWTH):
# the planner always allows a one-set step, and secondary credit adds half sets.
STEP_SLACK = 1.0
_EPS = 1e-9


class Reporter(Protocol):
    def add(self, field: str, description: str) -> None: ...


def _counted(week: Week) -> dict[Muscle, float]:
    return hard_sets(
        (ex.exercise_id, ex.sets)
        for day in week.days
        for ex in day.exercises
        if ex.exercise_id in CATALOG
    )


def _direct(week: Week) -> dict[Muscle, int]:
    """Sets of each muscle's own exercises (primary muscle only)."""
    totals = dict.fromkeys(Muscle, 0)
    for day in week.days:
        for ex in day.exercises:
            entry = CATALOG.get(ex.exercise_id)
            if entry is not None and credits(ex.exercise_id):  # a strength exercise
                totals[entry.primary] += ex.sets
    return totals


def _check_landmarks(program: Program, profile: Profile, r: Reporter) -> None:
    if program.landmarks != compute_landmarks(profile):
        r.add("landmarks", "volume landmarks differ from the athlete's individual landmarks")
    if sorted(lm.muscle for lm in program.landmarks) != sorted(Muscle):
        r.add("landmarks", "needs exactly one entry per muscle group")
    for i, lm in enumerate(program.landmarks):
        ref = REFERENCE[lm.muscle]
        if lm.reference_mrv != ref.mrv:
            r.add(
                f"landmarks[{i}].reference_mrv",
                f"{lm.muscle.value}: {lm.reference_mrv}, the published MRV is {ref.mrv}",
            )
        if lm.mrv > MAX_FACTOR * ref.mrv:
            r.add(
                f"landmarks[{i}].mrv",
                f"{lm.muscle.value}: individual MRV {lm.mrv} exceeds "
                f"{MAX_FACTOR} x the published {ref.mrv}",
            )
        if not 0 <= lm.mv <= lm.mev <= lm.mav_low <= lm.mav_high <= lm.mrv:
            r.add(f"landmarks[{i}]", f"{lm.muscle.value}: needs MV <= MEV <= MAV <= MRV")


def _check_weekly_sets(program: Program, profile: Profile, r: Reporter) -> None:
    for i, week in enumerate(program.weeks):
        counted = _counted(week)
        stated = {ms.muscle: ms for ms in week.weekly_sets}
        same = len(week.weekly_sets) == len(stated) and set(stated) == set(counted)
        if same:
            same = all(
                math.isclose(stated[m].hard_sets, n, abs_tol=1e-6)
                and stated[m].sets == round_sets(n)
                for m, n in counted.items()
            )
        if not same:
            r.add(
                f"weeks[{i}].weekly_sets",
                "weekly sets per muscle do not match what the exercises add up to",
            )


def _check_volume(program: Program, profile: Profile, r: Reporter) -> None:
    """MRV in every training week, volume never falling in accumulation, the deload cut."""
    landmarks = {lm.muscle: lm for lm in program.landmarks}
    counts = [_counted(w) for w in program.weeks]
    for i, (week, counted) in enumerate(zip(program.weeks, counts, strict=True)):
        if week.phase is Phase.DELOAD:
            continue
        for muscle, sets in counted.items():
            lm = landmarks.get(muscle)
            if lm is not None and sets > lm.mrv + _EPS:
                r.add(
                    f"weeks[{i}].weekly_sets.{muscle.value}",
                    f"{sets:g} hard sets, above {muscle.value}'s MRV of {lm.mrv}",
                )
    accumulation = [
        (i, c) for i, c in enumerate(counts) if program.weeks[i].phase is Phase.ACCUMULATION
    ]
    for (_, before), (i, after) in itertools.pairwise(accumulation):
        for muscle in Muscle:
            if after[muscle] < before[muscle] - _EPS:
                r.add(
                    f"weeks[{i}].weekly_sets.{muscle.value}",
                    f"volume falls from {before[muscle]:g} to {after[muscle]:g} sets "
                    "during accumulation",
                )
    deloads = [i for i, w in enumerate(program.weeks) if w.phase is Phase.DELOAD]
    if accumulation and deloads:
        last = _direct(program.weeks[accumulation[-1][0]])
        i = deloads[-1]
        deload = _direct(program.weeks[i])
        for muscle in Muscle:
            lm = landmarks.get(muscle)
            floor = max(lm.mv, coverage_floor(lm, deload=True)) if lm is not None else 0.0
            allowed = max(DELOAD_MAX_FRACTION * last[muscle], floor)
            if deload[muscle] > allowed + _EPS:
                r.add(
                    f"weeks[{i}].weekly_sets.{muscle.value}",
                    f"deload has {deload[muscle]} sets of {muscle.value}'s own exercises, more "
                    f"than {DELOAD_MAX_FRACTION:.0%} of the last accumulation week's "
                    f"{last[muscle]} (or its MV)",
                )


def _check_coverage(program: Program, profile: Profile, r: Reporter) -> None:
    """Every major muscle at about MV or more in every training week, deload included,
    and at TAPER_COVERAGE_SETS in a taper week, unless the program states the shortfall
    (docs/science.md, "Coverage")."""
    landmarks = {lm.muscle: lm for lm in program.landmarks}
    for i, week in enumerate(program.weeks):
        counted = _counted(week)
        for muscle in MAJOR_MUSCLES:
            lm = landmarks.get(muscle)
            if lm is None:
                continue
            floor = coverage_floor(lm, week.phase is Phase.DELOAD, week.phase is Phase.TAPER)
            stated = any(s.startswith(muscle.value.replace("_", " ")) for s in program.shortfalls)
            if counted[muscle] < floor - _EPS and not stated:
                r.add(
                    f"weeks[{i}].weekly_sets.{muscle.value}",
                    f"{counted[muscle]:g} hard sets, below {muscle.value}'s maintenance "
                    f"volume of {floor:g}",
                )


def _check_volume_steps(program: Program, profile: Profile, r: Reporter) -> None:
    """No major muscle's weekly hard sets rise by more than WEEKLY_GROWTH (plus one set of
    slack for the one-set minimum step and half-set credits) from one week to the next
    (docs/science.md, "Volume progression"). Read from the weekly-sets report, which the
    weekly_sets rule holds to the recount."""
    counts = [{ms.muscle: ms.hard_sets for ms in w.weekly_sets} for w in program.weeks]
    for i in range(1, len(counts)):
        if program.weeks[i - 1].phase is Phase.DELOAD:
            continue
        for muscle in MAJOR_MUSCLES:
            before, after = counts[i - 1].get(muscle, 0.0), counts[i].get(muscle, 0.0)
            if after > before * (1 + WEEKLY_GROWTH) + STEP_SLACK + _EPS:
                r.add(
                    f"weeks[{i}].weekly_sets.{muscle.value}",
                    f"{muscle.value} jumps from {before:g} to {after:g} hard sets in a week: "
                    f"at most {WEEKLY_GROWTH:.0%} more (and {STEP_SLACK:g} set)",
                )


def _check_session_time(program: Program, profile: Profile, r: Reporter) -> None:
    """The time model recomputed (warm-ups, tempo, set-up, sides, rest, supersets)."""
    budget = profile.session_minutes
    for i, week in enumerate(program.weeks):
        for j, day in enumerate(week.days):
            if any(ex.exercise_id not in CATALOG for ex in day.exercises):
                continue  # the exercises check names the unknown id
            where = f"weeks[{i}].days[{j}].estimated_minutes"
            minutes = session_minutes(day.exercises)
            if day.estimated_minutes != minutes:
                r.add(
                    where,
                    f"states {day.estimated_minutes} min, the sets and rests add up to {minutes}",
                )
            if minutes > budget:
                r.add(where, f"session takes {minutes} min, over the {budget} min budget")
