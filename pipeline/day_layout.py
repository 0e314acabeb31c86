"""A training day's final order, supersets and length, from its slots.

Order: power work first (fresh, fully rested), then the strength work with compounds
first and the day's lead muscle opening (never with an accessory hinge:
goal_rules.anchor_ok), then balance and the conditioning circuit. The length is the
longest of the day's weeks under the time model of pipeline.session_time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace

from programgen.pipeline.accounting import hard_sets
from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import Muscle
from programgen.pipeline.goal_rules import anchor_ok
from programgen.pipeline.periodization import PeriodizationPlan
from programgen.pipeline.session_time import TimedItem, session_seconds
from programgen.pipeline.slots import Slot, slot_reps
from programgen.pipeline.supersets import CIRCUIT, circuit, pair_up
from programgen.pipeline.warmups import first_compound_index, warmup_reps

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
    slots: Sequence[Slot], plan: PeriodizationPlan, day: int, week: int
) -> list[TimedItem]:
    """What the time model sees of a day in one week (0-based day and week)."""
    reps = plan.weeks[week].days[day]
    active = [s for s in slots if s.sets[week] > 0]
    tops = [slot_reps(s, reps).high for s in active]
    first = first_compound_index([s.exercise_id for s in active])
    return [
        TimedItem(
            exercise_id=s.exercise_id,
            sets=s.sets[week],
            reps=top,
            rest_seconds=s.rest_seconds,
            superset=s.superset,
            warmup_reps=warmup_reps(s.exercise_id, top, i == first),
        )
        for i, (s, top) in enumerate(zip(active, tops, strict=True))
    ]


def day_seconds(slots: Sequence[Slot], plan: PeriodizationPlan, day: int) -> int:
    """The day's longest session over the block."""
    return max(session_seconds(week_items(slots, plan, day, w)) for w in range(len(plan.weeks)))


def day_over(
    slots: Sequence[Slot], plan: PeriodizationPlan, day: int, budget: int, first: int
) -> bool:
    """Is any week's session of the day longer than `budget` seconds? Week `first` (the
    likeliest longest) is timed first; identical weeks are timed once."""
    order = [first, *(w for w in range(len(plan.weeks)) if w != first)]
    return any(session_seconds(week_items(slots, plan, day, w)) > budget for w in order)


def weekly_counts(
    days: Sequence[Sequence[Slot]], weeks: Iterable[int]
) -> list[dict[Muscle, float]]:
    """Fractional hard sets per muscle for each of `weeks` (pipeline.accounting)."""
    return [hard_sets((s.exercise_id, s.sets[w]) for slots in days for s in slots) for w in weeks]
