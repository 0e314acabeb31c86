"""Which exercise a lifter can actually do in a slot.

docs/science.md, "Progressions" and "Loads": a beginner who cannot yet do the planned
pull-ups gets an assisted pull-up or a pulldown; a barbell lift whose e1RM is so light
that the empty bar is most of it moves to a lighter implement (dumbbells, a machine),
so no load falls below the bar and the planned reps stay reachable.
"""

from __future__ import annotations

import math

from programgen.pipeline.analysis import BAR_WEIGHT
from programgen.pipeline.anchors import anchor_ok
from programgen.pipeline.catalog import CATALOG, Exercise, Loading, available, is_available
from programgen.pipeline.domain import Experience, Goal, Lift
from programgen.pipeline.peaking import TEST_ORDER
from programgen.pipeline.progression import (
    PULL_UP_ENTRY_REPS,
    PULL_UP_ENTRY_RIR,
    PULL_UP_SUBSTITUTES,
    LoadContext,
)
from programgen.pipeline.rpe_chart import reps_to_failure

# A barbell lift moves to a lighter implement when the empty bar allows fewer than this
# many reps to failure: then even 8 reps at RPE 8 would need less than the bar (the
# RPE chart's 10 reps to failure is about 74 % of 1RM). Engine threshold.
LIGHTER_IMPLEMENT_RTF = 10.0
LIGHTER_IMPLEMENT_MULTIPLE = 1.35  # 1 / 0.739: the bar at 10 reps to failure
# Lighter implements in order of preference: those that still load in small steps first.
_LIGHTER = (Loading.DUMBBELL, Loading.MACHINE, Loading.KETTLEBELL, Loading.BAND, Loading.BODYWEIGHT)
# Strength and peaking programs keep their competition lifts (they train them every
# week and test them): there the empty bar with fewer reps is the answer.
_KEEP_COMPETITION = frozenset({Goal.GENERAL_STRENGTH, Goal.POWERLIFTING_PEAK})


def _pull_up_capacity(ctx: LoadContext) -> float | None:
    """Reps to failure at bodyweight, from a certain pull-up e1RM; None if unknown."""
    if Lift.PULL_UP not in ctx.e1rms or Lift.PULL_UP in ctx.uncertain:
        return None
    bw = ctx.profile.bodyweight
    system = ctx.e1rms[Lift.PULL_UP] + bw
    return reps_to_failure(100 * bw / system)


def executable_exercise(exercise_id: str, ctx: LoadContext) -> tuple[str, str]:
    """The exercise a lifter can do in the slot, and why it changed ("" = unchanged).

    A beginner (or anyone whose pull-up e1RM says so) who cannot yet do PULL_UP_ENTRY_REPS
    bodyweight pull-ups gets an assisted variant or a pulldown where equipment allows.
    """
    key = ("swap", exercise_id)
    cached = ctx.memo.get(key)
    if cached is None:
        cached = ctx.memo[key] = _executable(exercise_id, ctx)
    assert isinstance(cached, tuple)
    return cached


def _executable(exercise_id: str, ctx: LoadContext) -> tuple[str, str]:
    entry = CATALOG[exercise_id]
    lighter = _lighter_implement(entry, ctx)
    if lighter is not None:
        return lighter
    basis = entry.load_basis
    if basis is None or basis[0] is not Lift.PULL_UP:
        return exercise_id, ""
    capacity = _pull_up_capacity(ctx)
    if capacity is None:
        able = ctx.profile.experience is not Experience.BEGINNER
    else:
        able = math.floor(capacity) - PULL_UP_ENTRY_RIR >= PULL_UP_ENTRY_REPS
    if able:
        return exercise_id, ""
    for sub in PULL_UP_SUBSTITUTES:
        candidate = CATALOG.get(sub)
        if candidate is not None and is_available(candidate, ctx.profile):
            return sub, (
                f"In place of {entry.name} until you can do "
                f"{PULL_UP_ENTRY_REPS + PULL_UP_ENTRY_RIR} bodyweight reps in one set."
            )
    return exercise_id, ""


def _lighter_implement(entry: Exercise, ctx: LoadContext) -> tuple[str, str] | None:
    basis = entry.load_basis
    if entry.loading is not Loading.BARBELL or basis is None:
        return None
    lift, ratio = basis
    if lift not in ctx.e1rms or lift in ctx.uncertain:
        return None
    if entry.lift in TEST_ORDER and ctx.profile.goal in _KEEP_COMPETITION:
        return None
    one_rm = ctx.e1rms[lift] * ratio
    bar = BAR_WEIGHT[ctx.profile.unit]
    if one_rm > bar and reps_to_failure(100 * bar / one_rm) >= LIGHTER_IMPLEMENT_RTF:
        return None
    candidates = [
        ex
        for ex in available(ctx.profile)
        if ex.primary == entry.primary
        and ex.pattern is entry.pattern
        and ex.compound == entry.compound
        and ex.loading in _LIGHTER
        and not ex.unilateral
        # The builder counted the planned lift's secondary credit (pipeline.accounting):
        # a swap that credits other muscles (a kettlebell floor press spares the front
        # delts) would move weekly volume off the plan it was built and capped on.
        and set(ex.secondary_muscles) == set(entry.secondary_muscles)
        # A lift that may open a day swaps only to one that may too: a kettlebell
        # swing does not anchor a day (pipeline.anchors).
        and (anchor_ok(ex) or not anchor_ok(entry))
    ]
    if candidates:
        ex = min(candidates, key=lambda c: _LIGHTER.index(c.loading))
        return ex.id, (
            f"In place of {entry.name}: your e1RM puts its loads at or below the empty "
            f"bar ({bar:g} {ctx.profile.unit.value}); move to the bar once your e1RM "
            f"on it reaches about {LIGHTER_IMPLEMENT_MULTIPLE:g} x the bar."
        )
    return None
