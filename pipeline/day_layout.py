"""A training day's final order, supersets and length, from its slots.

Order: power work first (fresh, fully rested), then the strength work with compounds
first and the day's lead muscle opening (never with an accessory hinge:
goal_rules.anchor_ok), then balance and the conditioning circuit; and what the time
model (pipeline.session_time) sees of a day in one week.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace

from programgen.pipeline.accounting import weekly_hard_sets
from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import Muscle
from programgen.pipeline.goal_rules import anchor_ok
from programgen.pipeline.periodization import PeriodizationPlan
from programgen.pipeline.progression import LoadContext
from programgen.pipeline.session_time import TimedItem
from programgen.pipeline.slots import Slot
from programgen.pipeline.supersets import CIRCUIT, circuit, pair_up
from programgen.pipeline.warmups import first_compound_index, warmup_reps
from programgen.pipeline.week_reps import HeavyLifts, decide

SortKey = tuple[int, int, int, int]


def order_day(
    strength: list[tuple[SortKey, Slot]],
    before: list[Slot],
    after: list[Slot],
    pairs: int,
    circuit_level: int,
    protected: Collection[str],
) -> tuple[list[Slot], int]:
    """(the day's slots in order, supersets formed): `pairs` asked for at most, or one
    circuit (supersets.circuit) when `circuit_level` > 0."""
    ordered = [slot for _, slot in sorted(strength, key=lambda t: t[0])]
    anchor = next((i for i, s in enumerate(ordered) if anchor_ok(CATALOG[s.exercise_id])), 0)
    if anchor:
        ordered.insert(0, ordered.pop(anchor))
    if circuit_level > 0:
        return [*before, *circuit(ordered, circuit_level, protected), *after], 0
    paired, formed = pair_up(ordered, pairs, protected)
    return [*before, *paired, *after], formed


def explained(slots: list[Slot]) -> list[Slot]:
    """Each grouped slot tells the lifter what it alternates with."""
    out = []
    for slot in slots:
        if not slot.superset:
            out.append(slot)
            continue
        others = [CATALOG[s.exercise_id].name for s in slots if s.superset == slot.superset]
        others.remove(CATALOG[slot.exercise_id].name)
        kind = "Circuit" if slot.superset == CIRCUIT else f"Superset {slot.superset}"
        text = (
            f"{kind}: alternate one set each with {', '.join(others)}; "
            "your rest runs while you do the others."
        )
        out.append(replace(slot, note=" ".join(n for n in (slot.note, text) if n)))
    return out


def week_items(
    slots: Sequence[Slot],
    plan: PeriodizationPlan,
    day: int,
    week: int,
    heavy: HeavyLifts,
    ctx: LoadContext,
) -> list[TimedItem]:
    """What the time model sees of a day in one week (0-based day and week): the final
    exercises and reps, from the decision autoregulation prescribes with
    (pipeline.week_reps), so the timed session is the prescribed one."""
    wp = plan.weeks[week]
    taken = frozenset([s.exercise_id for s in slots])
    first_rir = plan.weeks[0].rir
    active = [s for s in slots if s.sets[week] > 0]
    decided = [decide(s, wp, day, heavy, first_rir, ctx, taken) for s in active]
    first = first_compound_index([exercise_id for exercise_id, _, _ in decided])
    return [
        TimedItem(
            exercise_id=exercise_id,
            sets=s.sets[week],
            reps=p.reps_max,
            rest_seconds=s.rest_seconds,
            superset=s.superset,
            warmup_reps=warmup_reps(exercise_id, p.reps_max, i == first),
        )
        for i, (s, (exercise_id, _, p)) in enumerate(zip(active, decided, strict=True))
    ]


def weekly_counts(
    days: Sequence[Sequence[Slot]], weeks: Iterable[int]
) -> list[dict[Muscle, float]]:
    """Fractional hard sets per muscle for each of `weeks` (pipeline.accounting)."""
    return weekly_hard_sets([(s.exercise_id, s.sets) for slots in days for s in slots], weeks)
