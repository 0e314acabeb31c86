"""Pairing exercises of a day into supersets when a session is short of time.

The pairing rule (docs/science.md, "Supersets and circuits"): a pair is non-competing,
so each exercise's rest is spent on the other and neither pre-fatigues the other:
- antagonists of the upper body (a push with a pull: a press with a row, a curl with a
  pushdown; Robbins, Young, Behm & Payne 2010, J Strength Cond Res 24:2632: paired
  bench-press/bench-pull sets keep the volume load of straight sets in less time), or
- an upper-body exercise with a lower-body or core one (the upper/lower supersets of
  Weakley et al. 2017, Eur J Appl Physiol 117:1877: similar work in less time);
- never a heavy axial lift (a barbell squat or hinge: back, front and box squat,
  deadlift, Romanian deadlift, good morning; any squat or hinge loading the spine): it keeps
  its full rest, and nothing taxes its grip and trunk between sets (NSCA Essentials of
  Strength Training and Conditioning, 4th ed., ch. 17: the heaviest multi-joint lifts
  first and fully rested);
- never two lower-body exercises, two grip-taxing ones (hinges, pulls), or a lower-body
  compound with core work (both brace the trunk).
Circuits (a short day's whole strength work, time-efficient for general fitness, ACSM
2009) leave the heavy axial lifts out too; they are done straight before the circuit
(an accessory hinge such as the good morning after it: it never opens a day).
The day's anchor and power work are never paired: they keep full rest. A paired lift
keeps its full rest too: the partner's set is done inside it.
Pairs are formed from the end of the day (isolations first), nearest partner first.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from programgen.pipeline.anchors import anchor_ok
from programgen.pipeline.catalog import CATALOG, Category, Exercise, Loading, Pattern
from programgen.pipeline.domain import Muscle
from programgen.pipeline.injuries.verdicts import Stress
from programgen.pipeline.slots import Slot

_LOWER = frozenset({Muscle.QUADS, Muscle.HAMSTRINGS, Muscle.GLUTES, Muscle.CALVES})
_PUSH = frozenset(
    {
        Pattern.HORIZONTAL_PUSH,
        Pattern.VERTICAL_PUSH,
        Pattern.CHEST_FLY,
        Pattern.SHOULDER_RAISE,
        Pattern.ELBOW_EXTENSION,
    }
)
_PULL = frozenset(
    {Pattern.HORIZONTAL_PULL, Pattern.VERTICAL_PULL, Pattern.REAR_DELT_FLY, Pattern.ELBOW_FLEXION}
)
_GRIP = frozenset({Pattern.HINGE, Pattern.HORIZONTAL_PULL, Pattern.VERTICAL_PULL})
_AXIAL = frozenset({Stress.AXIAL_LOADING, Stress.FLOOR_PULL})


def heavy_axial(entry: Exercise) -> bool:
    """A barbell squat or hinge (or any squat or hinge loading the spine): never grouped."""
    if not entry.compound or entry.pattern not in (Pattern.SQUAT, Pattern.HINGE):
        return False
    return entry.loading is Loading.BARBELL or bool(_AXIAL & entry.stresses)


# The catalog is fixed: its heavy axial lifts once (slots are grouped many times a build).
_HEAVY_AXIAL_IDS = frozenset(ex.id for ex in CATALOG.values() if heavy_axial(ex))


def _region(entry: Exercise) -> str:
    if entry.primary is Muscle.ABS or entry.pattern is Pattern.CORE:
        return "core"
    return "lower" if entry.primary in _LOWER else "upper"


@lru_cache(maxsize=8192)
def pair_fault(a: str, b: str) -> str | None:
    """Why two exercises may not share a superset (the module's rule); None when they may."""
    x, y = CATALOG[a], CATALOG[b]
    if heavy_axial(x) or heavy_axial(y):
        return "a heavy axial lift keeps its full rest"
    if x.primary == y.primary or x.primary in y.secondary_muscles:
        return "they train the same muscle"
    if y.primary in x.secondary_muscles:
        return "they train the same muscle"
    rx, ry = _region(x), _region(y)
    if rx == ry and not (
        rx == "upper" and {x.pattern, y.pattern} & _PUSH and {x.pattern, y.pattern} & _PULL
    ):
        return f"two {rx}-body exercises that are not a push and a pull"
    if x.pattern in _GRIP and y.pattern in _GRIP:
        return "both tax the grip"
    if {rx, ry} == {"lower", "core"} and (x.compound if rx == "lower" else y.compound):
        return "a lower-body compound and core work both brace the trunk"
    return None


def pairable(a: str, b: str) -> bool:
    return pair_fault(a, b) is None


def _eligible(slot: Slot, protected: Collection[str]) -> bool:
    entry = CATALOG[slot.exercise_id]
    return (
        entry.category is Category.STRENGTH
        and not slot.superset
        and slot.exercise_id not in protected
        and entry.id not in _HEAVY_AXIAL_IDS
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
    # A heavy axial lift left out of the circuit after its start comes before it, fresh,
    # if it may open a day (a squat, a deadlift); an accessory hinge (good morning) and
    # the rest (power, balance, conditioning) stay after.
    first = members[0]

    def leads(i: int, s: Slot) -> bool:
        if i < first:
            return True
        return s.exercise_id in _HEAVY_AXIAL_IDS and anchor_ok(CATALOG[s.exercise_id])

    before = [s for i, s in enumerate(ordered) if i not in chosen and leads(i, s)]
    after = [s for i, s in enumerate(ordered) if i not in chosen and not leads(i, s)]
    return before + grouped + after


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
