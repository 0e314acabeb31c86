"""The one decision of what a slot becomes in a week: which exercise the lifter can do,
and its final rep range. The builder times sessions with it and autoregulation
prescribes with it, so the session a lifter gets is the session that was timed
(docs/science.md, "Session time" and "Loads").

A slot's planned range (pipeline.slots.slot_reps) can still move: on a day with heavy
squat and deadlift work one of them runs lighter (pipeline.peaking), a pull-up slot may
become an assisted variant or a pulldown and a light barbell lift a lighter implement
(pipeline.variants), and the load rules set the reps of fixed-load, assisted and
bodyweight work, of the empty bar and of a capped hinge (pipeline.loads).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import cast

from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import Lift, Profile, ProfileAnalysis
from programgen.pipeline.loads import prescribe
from programgen.pipeline.peaking import HEAVY_PHASES, HEAVY_REPS, HEAVY_SHIFT, heavy_pairs
from programgen.pipeline.periodization import RepRange, WeekPlan
from programgen.pipeline.progression import LoadContext, Prescribed
from programgen.pipeline.slots import Slot, slot_reps
from programgen.pipeline.variants import executable_exercise

HeavyLifts = frozenset[Lift]  # the squat / deadlift a day may run heavy in a week


def load_context(profile: Profile, analysis: ProfileAnalysis) -> LoadContext:
    return LoadContext(
        profile=profile,
        e1rms={e.lift: e.e1rm for e in analysis.lifts},
        uncertain=frozenset(e.lift for e in analysis.lifts if e.uncertain),
        increment=analysis.plate_increment,
    )


def day_lifts(days: Sequence[Sequence[Slot]]) -> list[set[Lift]]:
    """The competition-style lifts each day trains (input to peaking.heavy_pairs)."""
    return [
        {lift for s in slots if (lift := CATALOG[s.exercise_id].lift) is not None} for slots in days
    ]


def heavy_by_day(lifts: Sequence[set[Lift]], week: int) -> list[HeavyLifts]:
    """Per day, the lifts that may run heavy in week `week` (1-based)."""
    pairs = heavy_pairs(lifts, week)
    return [frozenset(lift for d, lift in pairs if d == i) for i in range(len(lifts))]


def planned_range(slot: Slot, week: WeekPlan, day: int, heavy: HeavyLifts) -> RepRange:
    """The slot's range before the load rules: the other of squat and deadlift runs
    HEAVY_SHIFT reps lighter on a day both are heavy (pipeline.peaking)."""
    rng = slot_reps(slot, week.days[day])
    lift = CATALOG[slot.exercise_id].lift
    if (
        week.phase in HEAVY_PHASES
        and lift in (Lift.SQUAT, Lift.DEADLIFT)
        and lift not in heavy
        and rng.high <= HEAVY_REPS
    ):
        return RepRange(low=rng.low + HEAVY_SHIFT, high=rng.high + HEAVY_SHIFT)
    return rng


def executed(slot: Slot, taken: Collection[str], ctx: LoadContext) -> tuple[str, str]:
    """(the exercise done in the slot, why it changed); never one the day already has."""
    exercise_id, note = executable_exercise(slot.exercise_id, ctx)
    if exercise_id != slot.exercise_id and exercise_id in taken:
        return slot.exercise_id, ""
    return exercise_id, note


def decide(
    slot: Slot,
    week: WeekPlan,
    day: int,
    heavy: HeavyLifts,
    first_rir: int,
    ctx: LoadContext,
    taken: frozenset[str],
) -> tuple[str, str, Prescribed]:
    """(exercise id, swap note, prescription) of a slot in a week (0-based day)."""
    # The swap depends on the day's other exercises too: with them in the key, the whole
    # decision is one lookup per program (the builder re-times sessions while it trims).
    whole = ("decide", slot.exercise_id, slot.reps, slot.compound, week.week, day, heavy, taken)
    hit = ctx.memo.get(whole)
    if hit is not None:
        return cast(tuple[str, str, Prescribed], hit)
    exercise_id, note = executed(slot, taken, ctx)
    # The builder asks for the same slot-week thousands of times while it trims: pure in
    # these arguments, so computed once per program (the engine's p99 budget).
    key = ("reps", exercise_id, slot.exercise_id, slot.reps, slot.compound, week.week, day, heavy)
    cached = ctx.memo.get(key)
    if not isinstance(cached, Prescribed):
        rng = planned_range(slot, week, day, heavy)
        cached = prescribe(exercise_id, rng.low, rng.high, week.rir, first_rir, ctx)
        ctx.memo[key] = cached
    decided = ctx.memo[whole] = (exercise_id, note, cached)
    return decided
