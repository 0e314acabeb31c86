"""The program's summary: every sentence derived from what the program contains (its
phases, its test day, the groups and exercises it really has), never from the plan's
intentions, so the text cannot promise a deload, a taper or a test day the weeks lack.
The validator (pipeline.validate_summary) recomputes the same claims from the program.
"""

from __future__ import annotations

from collections.abc import Sequence

from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import Lift, Phase, Profile, TestDay, Week
from programgen.pipeline.peaking import LIFT_NAMES, name_list
from programgen.pipeline.supersets import CIRCUIT

# The separator the optional LLM stage puts before its note (pipeline.refine.apply): the
# claims are checked in the engine's text before it.
COACH_NOTE = "\n\nCoach's note:"


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def tested_lifts(test_day: TestDay | None) -> list[Lift]:
    """The competition lifts the test day tests, in meet order."""
    if test_day is None:
        return []
    found = {CATALOG[a.exercise_id].lift for a in test_day.attempts if a.exercise_id in CATALOG}
    return [lift for lift in LIFT_NAMES if lift in found]


def _week_list(numbers: Sequence[int]) -> str:
    if len(numbers) == 1:
        return f"week {numbers[0]}"
    return "weeks " + name_list([str(n) for n in numbers])


def ending(weeks: Sequence[Week], test_day: TestDay | None) -> str:
    """How the program ends, as its weeks and test day have it (the summary's first
    sentence ends with it)."""
    deloads = [w.week for w in weeks if w.phase is Phase.DELOAD]
    tapers = [w.week for w in weeks if w.phase is Phase.TAPER]
    if deloads:
        return f" with a deload in {_week_list(deloads)}."
    if not tapers:
        return "."
    taper = f" ending in a taper in {_week_list(tapers)}"
    lifts = tested_lifts(test_day)
    if test_day is not None and lifts:
        names = name_list([LIFT_NAMES[lift] for lift in lifts])
        return f"{taper} and a test day of the {names} at its end."
    return (
        f"{taper}; no test day, as the program trains none of the competition lifts "
        "(barbell squat, bench press, deadlift)."
    )


def trim_claims(trimmed: Sequence[str], weeks: Sequence[Week]) -> list[str]:
    """The time budget's steps that the program still shows: a grouping claim only where
    such a group is in it, "X not trained directly" only where no exercise of X is."""
    labels = {ex.superset for w in weeks for d in w.days for ex in d.exercises}
    primaries = {
        CATALOG[ex.exercise_id].primary.value.replace("_", " ")
        for w in weeks
        for d in w.days
        for ex in d.exercises
        if ex.exercise_id in CATALOG
    }
    kept = []
    for claim in trimmed:
        if claim == "exercises grouped into a circuit" and CIRCUIT not in labels:
            continue
        if claim == "non-competing exercises paired into supersets" and not labels - {
            "",
            CIRCUIT,
        }:
            continue
        muscle, sep, _ = claim.partition(" not trained directly")
        if sep and muscle in primaries:
            continue
        kept.append(claim)
    return kept


def summary(
    profile: Profile,
    model: str,
    split: str,
    weeks: Sequence[Week],
    test_day: TestDay | None,
    trimmed: Sequence[str],
    shortfalls: Sequence[str],
) -> str:
    goal = profile.goal.value.replace("_", " ")
    level = profile.experience.value
    text = (
        f"{len(weeks)}-week {goal} program for {_article(level)} {level} lifter, "
        f"{profile.days_per_week} days a week ({split.replace('_', ' ')}), "
        f"{profile.session_minutes}-minute sessions, {model} periodization"
        + ending(weeks, test_day)
    )
    claims = trim_claims(trimmed, weeks)
    if claims:
        text += " To fit the session length: " + "; ".join(claims) + "."
    if shortfalls:
        text += " Not covered: " + " ".join(shortfalls)
    return text
