"""Weekly splits: which muscles each training day covers, chosen by days per week.

Shared by periodization (undulating rep schemes follow a day's A/B/C variant) and
construction (which muscles go on which day), so both see the same split.

Every muscle lands on at least two days a week in every split: training a muscle twice
a week beats once for hypertrophy at equal volume (Schoenfeld, Ogborn & Krieger 2016,
Sports Med 46:1689), and it keeps per-session volume small enough for short sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.catalog import available
from pipeline.domain import Muscle, Profile

M = Muscle

_FULL = (
    M.QUADS,
    M.CHEST,
    M.BACK,
    M.HAMSTRINGS,
    M.GLUTES,
    M.FRONT_DELTS,
    M.SIDE_REAR_DELTS,
    M.TRICEPS,
    M.BICEPS,
    M.CALVES,
    M.ABS,
)
_UPPER = (M.CHEST, M.BACK, M.FRONT_DELTS, M.SIDE_REAR_DELTS, M.TRICEPS, M.BICEPS)
_LOWER = (M.QUADS, M.HAMSTRINGS, M.GLUTES, M.CALVES, M.ABS)
_PUSH = (M.CHEST, M.FRONT_DELTS, M.SIDE_REAR_DELTS, M.TRICEPS)
_PULL = (M.BACK, M.SIDE_REAR_DELTS, M.BICEPS)  # rear delts ride with the pulls


@dataclass(frozen=True, slots=True)
class DayTemplate:
    focus: str
    muscles: tuple[Muscle, ...]
    lead: Muscle  # whose compound opens the day when it has one
    variant: int  # 0 = A, 1 = B, 2 = C: undulating models vary the rep scheme by it


@dataclass(frozen=True, slots=True)
class Split:
    name: str
    days: tuple[DayTemplate, ...]


def _full_body(days: int) -> Split:
    leads = (M.QUADS, M.CHEST, M.HAMSTRINGS)  # squat day, press day, hinge day
    letters = "ABC"
    return Split(
        "full_body",
        tuple(
            DayTemplate(f"Full body {letters[i % 3]}", _FULL, leads[i % 3], i % 3)
            for i in range(days)
        ),
    )


_TEMPLATES: dict[int, Split] = {
    4: Split(
        "upper_lower",
        (
            DayTemplate("Upper A", _UPPER, M.CHEST, 0),
            DayTemplate("Lower A", _LOWER, M.QUADS, 0),
            DayTemplate("Upper B", _UPPER, M.BACK, 1),
            DayTemplate("Lower B", _LOWER, M.HAMSTRINGS, 1),
        ),
    ),
    5: Split(
        "upper_lower_push_pull_legs",
        (
            DayTemplate("Upper", _UPPER, M.CHEST, 0),
            DayTemplate("Lower", _LOWER, M.QUADS, 0),
            DayTemplate("Push", _PUSH, M.FRONT_DELTS, 1),
            DayTemplate("Pull", _PULL, M.BACK, 1),
            DayTemplate("Legs", _LOWER, M.HAMSTRINGS, 1),
        ),
    ),
    6: Split(
        "push_pull_legs",
        (
            DayTemplate("Push A", _PUSH, M.CHEST, 0),
            DayTemplate("Pull A", _PULL, M.BACK, 0),
            DayTemplate("Legs A", _LOWER, M.QUADS, 0),
            DayTemplate("Push B", _PUSH, M.FRONT_DELTS, 1),
            DayTemplate("Pull B", _PULL, M.BACK, 1),
            DayTemplate("Legs B", _LOWER, M.HAMSTRINGS, 1),
        ),
    ),
}


def choose_split(profile: Profile) -> Split:
    """Full body for 2-3 days, upper/lower for 4, a hybrid for 5, push/pull/legs for 6.

    Falls back to full body when some day of the preferred split would have no compound
    exercise the athlete can do (e.g. bodyweight only with knee and hip injuries has no
    leg compound), because every day must open with a compound anchor.
    """
    split = _TEMPLATES.get(profile.days_per_week)
    if split is None:
        return _full_body(profile.days_per_week)
    compound_muscles = {ex.primary for ex in available(profile) if ex.compound}
    if all(compound_muscles.intersection(day.muscles) for day in split.days):
        return split
    return _full_body(profile.days_per_week)
