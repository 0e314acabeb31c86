"""What construction hands to autoregulation: per day, the ordered exercise slots with their
sets per week, rest, superset label and (for power, balance and conditioning work) their
own rep range; and the one rule for which rep range a slot uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import FrozenModel, Muscle, WeakPointAnalysis
from programgen.pipeline.periodization import COMPETITION_LIFTS, DayReps, RepRange


@dataclass(frozen=True, slots=True)
class Slot:
    """A plain dataclass: the builder makes thousands of these while it trims."""

    exercise_id: str
    muscle: Muscle
    compound: bool
    sets: list[int]  # per week, in the plan's week order
    rest_seconds: int
    note: str = ""
    superset: str = ""  # slots of a day sharing a label alternate; "" = straight sets
    reps: RepRange | None = None  # own rep range (power, balance, conditioning work)


class DayPlan(FrozenModel):
    day: int  # 1-based
    focus: str
    slots: list[Slot]


class Construction(FrozenModel):
    split: str
    days: list[DayPlan]
    weak_points: WeakPointAnalysis  # findings narrowed to what the program really serves
    trimmed: list[str]  # what the time budget forced, for the summary
    shortfalls: list[str] = Field(
        default_factory=list
    )  # goals the sessions could not fit, stated to the lifter


def slot_reps(slot: Slot, reps: DayReps) -> RepRange:
    """The rep range of a slot on a day: its own, else the day's for its kind of lift."""
    if slot.reps is not None:
        return slot.reps
    if not slot.compound:
        return reps.isolation
    competition = CATALOG[slot.exercise_id].lift in COMPETITION_LIFTS
    return reps.compound if competition else reps.assistance
