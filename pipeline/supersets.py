"""Pairing exercises of a day into supersets when a session is short of time.

Two exercises are paired only when neither trains the other's primary muscle (an
antagonist or upper/lower pair: a press with a row, a squat with a pull-up, a curl with
a pushdown), so each exercise's rest is spent on the other one. Paired antagonist sets
keep the volume load of straight sets in less time (Robbins et al. 2010, J Strength Cond
Res 24:2632; Weakley et al. 2017, J Strength Cond Res 31:1926). The day's anchor and
power work are never paired: they keep full rest. A paired lift keeps its full rest too:
the partner's set is done inside it.
Pairs are formed from the end of the day (isolations first), nearest partner first.
"""

from __future__ import annotations

from collections.abc import Collection

from programgen.pipeline.catalog import CATALOG, Category
from programgen.pipeline.slots import Slot


def pairable(a: str, b: str) -> bool:
    x, y = CATALOG[a], CATALOG[b]
    if x.primary == y.primary:
        return False
    return x.primary not in y.secondary_muscles and y.primary not in x.secondary_muscles


def _eligible(slot: Slot, protected: Collection[str]) -> bool:
    entry = CATALOG[slot.exercise_id]
    return (
        entry.category is Category.STRENGTH
        and not slot.superset
        and slot.exercise_id not in protected
    )


CIRCUIT = "circuit"  # the label of a day's strength circuit
# Grouping levels past the pairs: 1 = every eligible exercise but the anchor in one
# circuit, 2 = the anchor too (only outside strength goals, whose anchor keeps full rest).
CIRCUIT_LEVELS = 2


def circuit(ordered: list[Slot], level: int, protected: Collection[str]) -> list[Slot]:
    """The day's strength work as one circuit (level 1 without, 2 with the anchor):
    circuit training alternates body regions, so every set's rest is spent on others
    (a time-efficient format, e.g. ACSM 2009 for general fitness)."""
    anchor = _anchor(ordered)
    members = [
        i for i, s in enumerate(ordered) if _eligible(s, protected) and (level >= 2 or i != anchor)
    ]
    if len(members) < 2:
        return ordered
    chosen = set(members)
    grouped = [_labelled(ordered[i], CIRCUIT) for i in members]
    out = [s for i, s in enumerate(ordered) if i not in chosen and i < members[0]]
    return out + grouped + [s for i, s in enumerate(ordered) if i not in chosen and i > members[0]]


def _labelled(slot: Slot, label: str) -> Slot:
    # dataclasses.replace, spelled out: the builder groups thousands of slots per program.
    return Slot(
        exercise_id=slot.exercise_id,
        muscle=slot.muscle,
        compound=slot.compound,
        sets=slot.sets,
        rest_seconds=slot.rest_seconds,
        note=slot.note,
        superset=label,
        reps=slot.reps,
    )


def _anchor(ordered: list[Slot]) -> int | None:
    return next(
        (i for i, s in enumerate(ordered) if CATALOG[s.exercise_id].category is Category.STRENGTH),
        None,
    )


def pair_up(ordered: list[Slot], pairs: int, protected: Collection[str]) -> tuple[list[Slot], int]:
    """The day's slots with up to `pairs` supersets (labels "A", "B", ...), partners
    adjacent; and how many pairs were possible. The first strength slot is the anchor."""
    anchor = _anchor(ordered)
    candidates = [i for i, s in enumerate(ordered) if i != anchor and _eligible(s, protected)]
    used: set[int] = set()
    found: list[tuple[int, int]] = []
    for i in reversed(candidates):
        if len(found) >= pairs or i in used:
            continue
        partner = next(
            (
                j
                for j in reversed(candidates)
                if j < i
                and j not in used
                and pairable(ordered[i].exercise_id, ordered[j].exercise_id)
            ),
            None,
        )
        if partner is not None:
            used.update((i, partner))
            found.append((partner, i))
    found.sort()
    partner_of = {b: a for a, b in found}
    label_of = {a: chr(ord("A") + n) for n, (a, _) in enumerate(found)}
    out: list[Slot] = []
    for i, slot in enumerate(ordered):
        if i in partner_of:
            continue  # placed right after its first member
        if i in label_of:
            out.append(_labelled(slot, label_of[i]))
            b = next(b for a, b in found if a == i)
            out.append(_labelled(ordered[b], label_of[i]))
        else:
            out.append(slot)
    return out, len(found)
