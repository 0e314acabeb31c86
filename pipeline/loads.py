"""Loads a lifter can load: one prescription per exercise and week.

docs/science.md, "Loads". A load is r reps @ RPE x read from the RPE chart at r + (10 - x)
reps to failure, times the exercise's e1RM (pipeline.rpe_chart), rounded to the plate
step that stays within the chart's tolerance (the step below when the nearest one would be
heavier; by RPE when even that misses the chart by more than a coarse-step gap), and never
below the empty bar. An e1RM estimated from more than 10 reps is too
uncertain to load from (Reynolds, Gordon & Robergs 2006, J Strength Cond Res 20:584):
those exercises go by RPE. Pull-ups load the whole system mass (bodyweight + belt), so
they state added load or, when bodyweight alone is enough, no load at all.
"""

from __future__ import annotations

import math

from programgen.pipeline.analysis import BAR_WEIGHT, round_to_increment
from programgen.pipeline.catalog import CATALOG, Category, Exercise, Loading
from programgen.pipeline.domain import Lift, LoadKind
from programgen.pipeline.progression import (
    FIXED_LOADINGS,
    LoadContext,
    Prescribed,
    assisted_reps,
    capped_reps,
    fixed_reps,
    min_reps,
    progression_rule,
    pull_up_reps,
    task_rule,
)
from programgen.pipeline.rpe_chart import (
    CHART_TOLERANCE,
    COARSE_GAP,
    chart_load,
    percent_1rm,
    reps_to_failure,
)

# Sets of 3 reps or fewer near failure are peaking work, not accumulation (Issurin 2010,
# Sports Med 40:189: accumulation is the high-volume, moderate-load block; docs/science.md,
# "Periodization"). The same bound as the validator's phase rule
# (pipeline.validate_intensity.PEAK_REPS).
PEAK_REPS = 3


def _label(lift: Lift) -> str:
    return lift.value.replace("_", " ")


def _fixed_kind(entry: Exercise) -> LoadKind:
    if entry.id == "band_assisted_pull_up":
        return LoadKind.ASSISTED
    return LoadKind.BODYWEIGHT if entry.loading is Loading.BODYWEIGHT else LoadKind.BY_RPE


def _pull_up(
    entry: Exercise,
    low: int,
    high: int,
    rir: int,
    first_rir: int,
    ctx: LoadContext,
    ratio: float,
) -> Prescribed:
    bw = ctx.profile.bodyweight
    system = (ctx.e1rms[Lift.PULL_UP] + bw) * ratio
    rpe = 10.0 - rir
    percent = percent_1rm(high, rpe)
    added = round_to_increment(system * percent / 100 - bw, ctx.increment)
    if 100 * (bw + added) / system > percent + CHART_TOLERANCE:
        added = round(added - ctx.increment, 2)  # never heavier than the chart allows
    if added > 0:
        return Prescribed(
            reps_min=low,
            reps_max=high,
            load=added,
            load_percent_e1rm=round(100 * (bw + added) / system, 1),
            load_kind=LoadKind.ADDED,
            progression=progression_rule(entry, LoadKind.ADDED, high, rpe, ctx),
            note="Load is added to bodyweight (belt or vest).",
        )
    # Bodyweight alone is enough: reps from what bodyweight allows at this RIR, which
    # rise as RIR falls (fixed load). Capacity is read at the week-1 RIR so the range
    # moves only with effort.
    capacity = math.floor(reps_to_failure(100 * bw / system))
    top = capacity - rir
    # The reachable range rises with effort only: the pull-up range (pipeline.progression)
    # or what capacity allows at this RIR, whichever is higher; reps out of reach are
    # done as slow negatives.
    low, high = pull_up_reps(ctx.profile, rir, first_rir)
    low, high = max(low, top - 2), max(high, top)
    note = "Bodyweight only: your e1RM says no added load is needed for these reps."
    if top < high:
        note = (
            "Bodyweight only. Pull what you can, then jump to the top and lower slowly "
            "(3-5 s) for the remaining reps."
        )
    return _unloaded(entry, low, high, LoadKind.BODYWEIGHT, rpe, ctx, note)


def _barbell_floor(
    entry: Exercise, one_rm: float, low: int, high: int, rir: int, ctx: LoadContext
) -> Prescribed:
    """The planned load is below the empty bar: the bar, for the reps it allows.

    The bar may shorten the range, but never turn a planned higher-rep range into
    peaking work (PEAK_REPS or fewer): an accumulation week of singles near failure is
    intensification (docs/science.md, "Periodization"). Then a lighter implement keeps
    the planned reps instead.
    """
    bar = BAR_WEIGHT[ctx.profile.unit]
    rpe = 10.0 - rir
    top = min(high, math.floor(reps_to_failure(100 * bar / one_rm)) - rir)
    unit = ctx.profile.unit.value
    if top < min_reps(ctx.profile) or (top < low and top <= PEAK_REPS):
        note = (
            f"Even the empty bar ({bar:g} {unit}) is more than these sets call for: "
            "use dumbbells or a machine for this movement until the bar allows the reps."
        )
        return _unloaded(entry, low, high, LoadKind.BY_RPE, rpe, ctx, note)
    return Prescribed(
        reps_min=max(1, min(low, top - 2)),
        reps_max=top,
        load=bar,
        load_percent_e1rm=round(min(100.0, 100 * bar / one_rm), 1),
        load_kind=LoadKind.ABSOLUTE,
        progression=progression_rule(entry, LoadKind.ABSOLUTE, top, rpe, ctx),
        note=f"Empty bar ({bar:g} {unit}): your e1RM puts the planned load below it, so "
        "add reps with the bar until every set reaches the top of the range, then add "
        "plates.",
    )


def prescribe(
    exercise_id: str, low: int, high: int, rir: int, first_rir: int, ctx: LoadContext
) -> Prescribed:
    """The prescription of `exercise_id` for planned reps low..high at `rir` reps in
    reserve (`first_rir`: week 1's RIR, from which fixed-load reps rise)."""
    key = (exercise_id, low, high, rir, first_rir)
    cached = ctx.memo.get(key)
    if not isinstance(cached, Prescribed):
        cached = ctx.memo[key] = _prescribe(exercise_id, low, high, rir, first_rir, ctx)
    return cached


def _prescribe(
    exercise_id: str, low: int, high: int, rir: int, first_rir: int, ctx: LoadContext
) -> Prescribed:
    entry = CATALOG[exercise_id]
    if entry.category is not Category.STRENGTH:
        return _task(entry, low, high, ctx)
    low, high = capped_reps(entry, low, high)
    basis = entry.load_basis
    if entry.loading in FIXED_LOADINGS and (basis is None or basis[0] is not Lift.PULL_UP):
        return _fixed_load(entry, rir, first_rir, ctx)
    if basis is None or basis[0] not in ctx.e1rms or basis[0] in ctx.uncertain:
        return _by_effort(entry, low, high, rir, first_rir, ctx)
    return _from_e1rm(entry, low, high, rir, first_rir, ctx)


def _task(entry: Exercise, low: int, high: int, ctx: LoadContext) -> Prescribed:
    """Power, balance, carry and conditioning work keeps the reps its goal rule gave it
    (pipeline.goal_rules: power 3-5, fully rested) and no chart load: it is done for
    speed, steadiness or pace, not near failure; it moves on by a harder task."""
    kind = LoadKind.BODYWEIGHT if entry.loading is Loading.BODYWEIGHT else LoadKind.BY_RPE
    return Prescribed(
        reps_min=low,
        reps_max=high,
        load=None,
        load_percent_e1rm=None,
        load_kind=kind,
        progression=task_rule(entry, high, ctx),
    )


def _fixed_load(entry: Exercise, rir: int, first_rir: int, ctx: LoadContext) -> Prescribed:
    """A bodyweight, band or fixed-bell exercise: reps rise as reps in reserve fall."""
    kind = _fixed_kind(entry)
    if kind is LoadKind.ASSISTED:
        low, high = assisted_reps(rir, first_rir)
    else:
        low, high = capped_reps(entry, *fixed_reps(ctx.profile.goal, rir, first_rir))
    return _unloaded(entry, low, high, kind, 10.0 - rir, ctx)


def _by_effort(
    entry: Exercise, low: int, high: int, rir: int, first_rir: int, ctx: LoadContext
) -> Prescribed:
    """No usable e1RM (none known, or one from a set of more than 10 reps): by RPE."""
    rpe = 10.0 - rir
    basis = entry.load_basis
    note = ""
    if basis is not None and basis[0] in ctx.uncertain:
        note = (
            f"Your {_label(basis[0])} e1RM comes from a set of more than 10 reps, too "
            f"uncertain to load from: pick the load that lands on RPE {rpe:g}."
        )
    pull = basis is not None and basis[0] is Lift.PULL_UP
    if pull:
        low, high = pull_up_reps(ctx.profile, rir, first_rir)
    kind = LoadKind.BODYWEIGHT if pull else LoadKind.BY_RPE
    return _unloaded(entry, low, high, kind, rpe, ctx, note)


def coarse_note(step_percent: float, rpe: float) -> str:
    """Why a set with a known e1RM goes by RPE: the plate step is too coarse for it."""
    return (
        f"Your plate step is about {step_percent:.0f} % of this lift's e1RM, too coarse to "
        f"land on the planned load: choose the load for RPE {rpe:g} (the nearest lighter "
        "load a step allows), and add plates when the top of the range feels easier."
    )


def _coarse(
    entry: Exercise, low: int, high: int, rpe: float, ctx: LoadContext, step_percent: float
) -> Prescribed:
    """The step below the chart's load is more than COARSE_GAP lighter: by RPE, said why."""
    return _unloaded(entry, low, high, LoadKind.BY_RPE, rpe, ctx, coarse_note(step_percent, rpe))


def _unloaded(
    entry: Exercise,
    low: int,
    high: int,
    kind: LoadKind,
    rpe: float,
    ctx: LoadContext,
    note: str = "",
) -> Prescribed:
    """Reps with no chart load (by RPE, bodyweight, band or a fixed bell), moving on by
    the progression rule of its kind."""
    return Prescribed(
        reps_min=low,
        reps_max=high,
        load=None,
        load_percent_e1rm=None,
        load_kind=kind,
        progression=progression_rule(entry, kind, high, rpe, ctx),
        note=note,
    )


def _from_e1rm(
    entry: Exercise, low: int, high: int, rir: int, first_rir: int, ctx: LoadContext
) -> Prescribed:
    rpe = 10.0 - rir
    basis = entry.load_basis
    assert basis is not None
    lift, ratio = basis
    if lift is Lift.PULL_UP:
        return _pull_up(entry, low, high, rir, first_rir, ctx, ratio)
    one_rm = ctx.e1rms[lift] * ratio
    percent = percent_1rm(high, rpe)
    load = chart_load(one_rm, percent, ctx.increment)
    note = ""
    if entry.lift is None:
        note = (
            f"Load assumes a 1RM of about {ratio:.0%} of your {_label(lift)} e1RM (rule of "
            "thumb); adjust it to the RPE."
        )
    if entry.loading is Loading.BARBELL and load < BAR_WEIGHT[ctx.profile.unit]:
        floor = _barbell_floor(entry, one_rm, low, high, rir, ctx)
        return floor.model_copy(update={"note": " ".join(n for n in (note, floor.note) if n)})
    if 100 * load / one_rm < percent - COARSE_GAP:
        return _coarse(entry, low, high, rpe, ctx, 100 * ctx.increment / one_rm)
    return Prescribed(
        reps_min=low,
        reps_max=high,
        load=load,
        load_percent_e1rm=round(100 * load / one_rm, 1),
        load_kind=LoadKind.ABSOLUTE,
        progression=progression_rule(entry, LoadKind.ABSOLUTE, high, rpe, ctx),
        note=note,
    )
