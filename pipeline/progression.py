"""Executable progressions: each exercise's load, how it is meant, and its progression rule.

docs/science.md, "Progressions" and "Loads". An exercise progresses the way its loading
allows:

* loaded lifts (barbell, dumbbells, machines, weighted pull-ups) by load, through double
  progression: reps climb to the top of the range at the target RPE, then the load goes
  up one step and reps start again from the bottom;
* fixed-load exercises (bodyweight, bands, a kettlebell, unweighted pull-ups) by reps,
  then tempo or pauses, then the harder variant on the catalog's ladder. Their reps never
  fall from one week to the next unless the RPE falls too: without added load a lifter
  cannot do fewer reps at a higher effort;
* assisted exercises by less assistance, then the unassisted exercise.

Loads come from the RPE chart (pipeline.rpe_chart) and the lift's e1RM; never below an
empty bar; bodyweight work states added load or assistance, never a load of 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from programgen.pipeline.catalog import (
    CATALOG,
    Category,
    Exercise,
    Loading,
    Pattern,
    is_available,
)
from programgen.pipeline.domain import (
    Experience,
    FrozenModel,
    Goal,
    Lift,
    LoadKind,
    Profile,
    Progression,
    ProgressionKind,
)
from programgen.pipeline.periodization import BEGINNER_MIN_REPS

# Loadings whose resistance the lifter cannot raise in small steps.
FIXED_LOADINGS = frozenset({Loading.BODYWEIGHT, Loading.BAND, Loading.KETTLEBELL})
LOADABLE = frozenset({Loading.BARBELL, Loading.DUMBBELL, Loading.MACHINE})

# Rep range of fixed-load work in the first week, per goal. A fixed resistance is usually
# light relative to the lifter's strength, so sets run longer; taken close to failure,
# low-load sets grow muscle about as well as heavy ones (Schoenfeld, Grgic, Ogborn &
# Krieger 2017 meta-analysis, J Strength Cond Res 31:3508; push-ups vs bench press at
# matched effort: Kikuchi & Nakazato 2017, J Exerc Sci Fit 15:37). Ranges from the ACSM
# 2009 position stand (Med Sci Sports Exerc 41:687): 8-12 for strength and hypertrophy
# work, 10-15 and more for endurance and fitness. Engine choice within those ranges.
FIXED_BASE_REPS: Mapping[Goal, tuple[int, int]] = {
    Goal.HYPERTROPHY: (10, 15),
    Goal.GENERAL_STRENGTH: (8, 12),
    Goal.POWERLIFTING_PEAK: (8, 12),
    Goal.ATHLETIC_POWER: (8, 12),
    Goal.GENERAL_FITNESS: (12, 15),
    Goal.FAT_LOSS: (12, 15),
    Goal.ENDURANCE: (15, 20),
}
MAX_FIXED_REPS = 30  # the validator's MAX_REPS

# Deadlift variants (every loaded or bodyweight hinge: deadlifts, RDLs, good mornings,
# swings) stay at or below 8 reps: technique of a hinge degrades as a set lengthens and
# the lower back fatigues (coaching convention; NSCA Essentials, 4th ed., ch. 17,
# programs the deadlift as a core lift at <= 6-8 reps). Engine cap, not a trial result.
# Band hinges are exempt: a band unloads the bottom, where technique breaks down; so is
# conditioning work with a hinge in it (a light kettlebell complex, paced for time).
HINGE_MAX_REPS = 8

# Beginners do pull-ups once they manage this many bodyweight reps in a set with about
# 3 in reserve; until then a pulldown or an assisted variant (coaching convention: 5
# clean reps is the usual entry point for bodyweight pull-up sets).
PULL_UP_ENTRY_REPS = 5
PULL_UP_ENTRY_RIR = 3
# Assisted and pulldown substitutes in order of preference; ids missing from the catalog
# are skipped.
PULL_UP_SUBSTITUTES = ("assisted_pull_up", "lat_pulldown", "band_assisted_pull_up")


class Prescribed(FrozenModel):
    """One exercise's prescription for one week."""

    reps_min: int
    reps_max: int
    load: float | None
    load_percent_e1rm: float | None
    load_kind: LoadKind
    progression: Progression
    note: str = ""


@dataclass(frozen=True)
class LoadContext:
    """What every load needs: the athlete's e1RMs and how loads are stepped."""

    profile: Profile
    e1rms: Mapping[Lift, float]
    uncertain: frozenset[Lift]
    increment: float
    # Prescriptions repeat across days and weeks; they are pure in their arguments, so
    # one program computes each once (keeps the engine's p99 budget).
    memo: dict[tuple[object, ...], object] = field(default_factory=dict, compare=False)


def is_hinge_capped(entry: Exercise) -> bool:
    """A deadlift variant under HINGE_MAX_REPS: strength hinges only. A conditioning
    complex with a light bell is paced work, not a heavy hinge set (goal_rules)."""
    return (
        entry.category is Category.STRENGTH
        and entry.pattern is Pattern.HINGE
        and entry.loading is not Loading.BAND
    )


def capped_reps(entry: Exercise, low: int, high: int) -> tuple[int, int]:
    """The rep range with a deadlift variant's cap applied (HINGE_MAX_REPS)."""
    if not is_hinge_capped(entry) or high <= HINGE_MAX_REPS:
        return low, high
    return min(low, HINGE_MAX_REPS - 2), HINGE_MAX_REPS


def min_reps(profile: Profile) -> int:
    return BEGINNER_MIN_REPS if profile.experience is Experience.BEGINNER else 1


def fixed_reps(goal: Goal, rir: int, first_rir: int) -> tuple[int, int]:
    """Fixed-load reps: the goal's base range plus one rep per RIR step below week 1's, so
    reps only ever rise as effort rises (and fall back only when effort falls)."""
    low, high = FIXED_BASE_REPS[goal]
    extra = max(0, first_rir - rir)
    return min(low + extra, MAX_FIXED_REPS), min(high + extra, MAX_FIXED_REPS)


# Bodyweight pull-ups with no known capacity: 5-8 reps (3-6 for a beginner, with slow
# negatives for any rep out of reach). Bodyweight is a heavy load for most lifters' lats:
# many men and most women manage fewer than 10 (coaching convention; pull-up norms
# vary widely, e.g. the US Marine Corps fitness test scores 3-23 reps), so the general
# fixed-load range would be out of reach.
PULL_UP_BASE_REPS = (5, 8)
PULL_UP_BEGINNER_REPS = (3, 6)


def pull_up_reps(profile: Profile, rir: int, first_rir: int) -> tuple[int, int]:
    """Bodyweight pull-up reps when capacity is unknown; they rise with effort only."""
    beginner = profile.experience is Experience.BEGINNER
    low, high = PULL_UP_BEGINNER_REPS if beginner else PULL_UP_BASE_REPS
    extra = max(0, first_rir - rir)
    return low + extra, high + extra


def assisted_reps(rir: int, first_rir: int) -> tuple[int, int]:
    """Assisted pull-ups: the bodyweight pull-up range, rising with effort only."""
    low, high = PULL_UP_BASE_REPS
    extra = max(0, first_rir - rir)
    return low + extra, high + extra


def _harder(entry: Exercise, profile: Profile) -> Exercise | None:
    nxt = CATALOG.get(entry.harder) if entry.harder else None
    return nxt if nxt is not None and is_available(nxt, profile) else None


def _load_step(entry: Exercise, ctx: LoadContext, added: bool) -> str:
    unit = ctx.profile.unit.value
    if added or entry.loading is Loading.BARBELL:
        return f"{ctx.increment:g} {unit}"
    if entry.loading is Loading.DUMBBELL:
        return "the next dumbbell"
    return "the next plate on the stack"


def progression_rule(
    entry: Exercise, kind: LoadKind, high: int, rpe: float, ctx: LoadContext
) -> Progression:
    """How the lifter moves this exercise on, in words they can follow."""
    top = f"When every set reaches {high} reps at RPE {rpe:g} or less"
    if kind is LoadKind.ASSISTED or entry.id == "band_assisted_pull_up":
        nxt = CATALOG.get("pull_up")
        target = nxt.name if nxt is not None else "the unassisted exercise"
        return Progression(
            kind=ProgressionKind.ASSISTANCE,
            rule=f"{top}, use less assistance (a lighter band or less counterweight); "
            f"when the lightest works, move to {target}.",
            next_exercise_id=nxt.id if nxt is not None and is_available(nxt, ctx.profile) else "",
        )
    if entry.id in PULL_UP_SUBSTITUTES:
        return Progression(
            kind=ProgressionKind.LOAD,
            rule=f"Double progression: {top[0].lower()}{top[1:]}, add "
            f"{_load_step(entry, ctx, False)}. "
            f"Move on to pull-ups once you can do {PULL_UP_ENTRY_REPS + PULL_UP_ENTRY_RIR} "
            "bodyweight reps in a set (test every 4 weeks).",
            next_exercise_id="pull_up" if is_available(CATALOG["pull_up"], ctx.profile) else "",
        )
    if entry.loading in LOADABLE or kind is LoadKind.ADDED:
        planned = (
            "The plan sets each week's load from your e1RM; within the week, "
            if kind in (LoadKind.ABSOLUTE, LoadKind.ADDED)
            else ""
        )
        return Progression(
            kind=ProgressionKind.LOAD,
            rule=f"{planned}{(top[0].lower() if planned else top[0])}{top[1:]}, add "
            f"{_load_step(entry, ctx, kind is LoadKind.ADDED)} next session and build the "
            "reps up again from the bottom of the range (double progression).",
        )
    return _fixed_load_rule(entry, top, ctx)


def _fixed_load_rule(entry: Exercise, top: str, ctx: LoadContext) -> Progression:
    """Nothing to add in small steps: reps, then tempo and pauses, then a harder variant."""
    harder = _harder(entry, ctx.profile)
    if entry.lift is Lift.PULL_UP or (entry.load_basis or (None,))[0] is Lift.PULL_UP:
        return Progression(
            kind=ProgressionKind.REPS,
            rule=f"Add a rep to each set when you can. {top}, add {ctx.increment:g} "
            f"{ctx.profile.unit.value} on a belt or vest (then load goes up by that step). "
            "If you cannot reach the bottom of the range, do slow negatives (3-5 s down) "
            "for the missing reps.",
        )
    easier = CATALOG.get(entry.easier) if entry.easier else None
    fallback = ""
    if easier is not None and is_available(easier, ctx.profile):
        fallback = f" If you cannot reach the bottom of the range, use {easier.name} instead."
    if harder is not None:
        return Progression(
            kind=ProgressionKind.VARIANT,
            rule=f"Add reps week by week (the range rises with the RPE). {top}, slow the "
            f"lowering to 3 s for a week, then move to {harder.name}.{fallback}",
            next_exercise_id=harder.id,
        )
    what = "a heavier bell or band" if entry.loading is not Loading.BODYWEIGHT else "more load"
    return Progression(
        kind=ProgressionKind.REPS,
        rule=f"Add reps week by week (the range rises with the RPE). {top}, slow the "
        "lowering to 3-4 s, then add a 2-s pause at the hardest point; when that is easy, "
        f"use {what} if you have it.{fallback}",
    )


# How power, balance, carry and conditioning work moves on (docs/science.md, "Goal
# rules"): its reps stay where the goal rule put them and the task gets harder. Power:
# stop a set when speed drops, progress by height or distance, then a heavier implement
# (ACSM 2009 position stand: power work light to moderate, quality over fatigue).
# Balance: less hand support, then eyes closed, then a softer surface (the usual
# progression of static and dynamic balance work; Sherrington et al. 2017, Br J Sports
# Med 51:1750, on balance challenge in fall prevention). Conditioning: more rounds or
# shorter rests at the same pace (engine heuristic). Carries: farther, then heavier.
_TASK_RULES: Mapping[Category, str] = {
    Category.POWER: (
        "Every rep as fast as you can; end the set when speed drops. When all sets stay "
        "fast at {high} reps, jump higher or farther (a higher box, a longer line) or, "
        "for a thrown or lifted implement, use {heavier}."
    ),
    Category.BALANCE: (
        "When every rep is steady for the full 3 s, use less support (one fingertip on "
        "the wall, then none), then close your eyes, then stand on a cushion."
    ),
    Category.CARRY: (
        "When every carry stays tall and steady for {high} steps, walk 10 steps farther; "
        "at 40 steps, use {heavier} and start again from {high}."
    ),
    Category.CONDITIONING: (
        "Keep the pace brisk. When the rounds feel easy, add a round, then cut the rest "
        "between rounds by 10 s; when that is easy too, use {heavier} or a harder move."
    ),
}


def task_rule(entry: Exercise, high: int, ctx: LoadContext) -> Progression:
    """The progression of power, balance, carry and conditioning work: a harder task at
    the same reps. A loadable implement still moves on by load (its next step)."""
    loadable = entry.loading in LOADABLE
    heavier = _load_step(entry, ctx, False) if loadable else "a heavier bell or band"
    if entry.loading is Loading.BODYWEIGHT:
        heavier = "a harder variation"
    rule = _TASK_RULES[entry.category].format(high=high, heavier=heavier)
    kind = ProgressionKind.LOAD if loadable else ProgressionKind.CHALLENGE
    return Progression(kind=kind, rule=rule)
