"""Weekly splits: which muscles each training day covers, chosen by days per week.

Shared by periodization (undulating rep schemes follow a day's A/B/C variant) and
construction (which muscles go on which day), so both see the same split.

Every muscle lands on at least two days a week in every split: training a muscle twice
a week beats once for hypertrophy at equal volume (Schoenfeld, Ogborn & Krieger 2016,
Sports Med 46:1689), and it keeps per-session volume small enough for short sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

from programgen.pipeline.anchors import anchor_ok
from programgen.pipeline.catalog import available
from programgen.pipeline.domain import Muscle, PipelineError, Profile

_FULL = (
    Muscle.QUADS,
    Muscle.CHEST,
    Muscle.BACK,
    Muscle.HAMSTRINGS,
    Muscle.GLUTES,
    Muscle.FRONT_DELTS,
    Muscle.SIDE_REAR_DELTS,
    Muscle.TRICEPS,
    Muscle.BICEPS,
    Muscle.CALVES,
    Muscle.ABS,
)
_UPPER = (
    Muscle.CHEST,
    Muscle.BACK,
    Muscle.FRONT_DELTS,
    Muscle.SIDE_REAR_DELTS,
    Muscle.TRICEPS,
    Muscle.BICEPS,
)
_LOWER = (Muscle.QUADS, Muscle.HAMSTRINGS, Muscle.GLUTES, Muscle.CALVES, Muscle.ABS)
_PUSH = (Muscle.CHEST, Muscle.FRONT_DELTS, Muscle.SIDE_REAR_DELTS, Muscle.TRICEPS)
_PULL = (Muscle.BACK, Muscle.SIDE_REAR_DELTS, Muscle.BICEPS)  # rear delts ride with the pulls


class NoAnchorAvailable(PipelineError):
    """No exercise the athlete can do may open a session: no program can be built."""


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
    leads = (Muscle.QUADS, Muscle.CHEST, Muscle.HAMSTRINGS)  # squat day, press day, hinge day
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
            DayTemplate("Upper A", _UPPER, Muscle.CHEST, 0),
            DayTemplate("Lower A", _LOWER, Muscle.QUADS, 0),
            DayTemplate("Upper B", _UPPER, Muscle.BACK, 1),
            DayTemplate("Lower B", _LOWER, Muscle.HAMSTRINGS, 1),
        ),
    ),
    5: Split(
        "upper_lower_push_pull_legs",
        (
            DayTemplate("Upper", _UPPER, Muscle.CHEST, 0),
            DayTemplate("Lower", _LOWER, Muscle.QUADS, 0),
            DayTemplate("Push", _PUSH, Muscle.FRONT_DELTS, 1),
            DayTemplate("Pull", _PULL, Muscle.BACK, 1),
            DayTemplate("Legs", _LOWER, Muscle.HAMSTRINGS, 1),
        ),
    ),
    6: Split(
        "push_pull_legs",
        (
            DayTemplate("Push A", _PUSH, Muscle.CHEST, 0),
            DayTemplate("Pull A", _PULL, Muscle.BACK, 0),
            DayTemplate("Legs A", _LOWER, Muscle.QUADS, 0),
            DayTemplate("Push B", _PUSH, Muscle.FRONT_DELTS, 1),
            DayTemplate("Pull B", _PULL, Muscle.BACK, 1),
            DayTemplate("Legs B", _LOWER, Muscle.HAMSTRINGS, 1),
        ),
    ),
}


def choose_split(profile: Profile) -> Split:
    """Full body for 2-3 days, upper/lower for 4, a hybrid for 5, push/pull/legs for 6.

    Falls back to full body when some day of the preferred split would have no compound
    exercise the athlete can do (e.g. bodyweight only with knee and hip injuries has no
    leg compound), because every day must open with a compound anchor.
    """
    anchors = {ex.primary for ex in available(profile) if anchor_ok(ex)}
    if not anchors:
        raise NoAnchorAvailable(
            "no exercise the athlete's equipment and injuries allow can open a session "
            "(a squat, press, pull or deadlift variant): add equipment, or review the "
            "injuries with a clinician"
        )
    split = _TEMPLATES.get(profile.days_per_week)
    if split is None:
        return _full_body(profile.days_per_week)
    # An anchor is a strength compound that may open a day (pipeline.anchors): a jump or
    # a kettlebell swing trains the legs but does not anchor a leg day.
    if all(anchors.intersection(day.muscles) for day in split.days):
        return split
    return _full_body(profile.days_per_week)
