"""Validator check that the summary and the test-day note claim only what the program
contains (registered in pipeline.validator.CHECKS as "summary_claims").

The claims are recomputed from the weeks, their exercises and the test day, never from
the plan: a deload or taper in the text needs that phase in the weeks (in the weeks the
text names), a test day needs a test day, the lifts named need their attempts, and a
time-budget step ("grouped into a circuit", "X not trained directly") needs the program
to show it. Text after the optional LLM stage's "Coach's note" is not the engine's and
is not checked.
"""

from __future__ import annotations

from typing import Protocol

from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import Phase, Profile, Program
from programgen.pipeline.peaking import LIFT_NAMES
from programgen.pipeline.summary import COACH_NOTE, tested_lifts
from programgen.pipeline.supersets import CIRCUIT


class Reporter(Protocol):
    def add(self, field: str, description: str) -> None: ...


def _week_words(numbers: list[int]) -> str:
    return f"week {numbers[0]}" if len(numbers) == 1 else "weeks"


def summary_claims(program: Program, profile: Profile, r: Reporter) -> None:
    """The summary's deload, taper, test day and lifts tested match the program; the
    test-day note names exactly the lifts it tests; every time-budget claim shows."""
    text = program.summary.split(COACH_NOTE)[0]
    for phase in (Phase.DELOAD, Phase.TAPER):
        weeks = [w.week for w in program.weeks if w.phase is phase]
        claimed = phase.value in text
        if claimed and not weeks:
            r.add("summary", f"promises a {phase.value} the program does not have")
        elif weeks and not claimed:
            r.add("summary", f"does not say the program has a {phase.value}")
        elif weeks and f"{phase.value} in {_week_words(weeks)}" not in text:
            r.add("summary", f"places the {phase.value} elsewhere than week(s) {weeks}")
    test = program.test_day
    promised = "and a test day" in text
    if promised != (test is not None):
        r.add("summary", "says there is a test day" if promised else "omits the test day")
    lifts = tested_lifts(test)
    for lift, name in LIFT_NAMES.items():
        if test is not None and (name in test.note) != (lift in lifts):
            r.add("test_day.note", f"{'names' if name in test.note else 'omits'} the {name}")
        if promised and (f" {name}" in text.split("and a test day")[1].split(".")[0]) != (
            lift in lifts
        ):
            r.add("summary", f"the test day it describes differs from the program's on {name}")
    _trim_claims(program, text, r)


def _trim_claims(program: Program, text: str, r: Reporter) -> None:
    """Each time-budget claim shows in the weeks: its kind of group, or no exercise for a
    muscle "not trained directly"."""
    claims = _trim_part(text)
    if not claims:
        return
    exercises = [ex for w in program.weeks for d in w.days for ex in d.exercises]
    labels = {ex.superset for ex in exercises} - {""}
    primaries = {
        CATALOG[ex.exercise_id].primary.value.replace("_", " ")
        for ex in exercises
        if ex.exercise_id in CATALOG
    }
    for claim in claims:
        muscle, direct, _ = claim.partition(" not trained directly")
        wrong = (
            (claim == "exercises grouped into a circuit" and CIRCUIT not in labels)
            or (claim == "non-competing exercises paired into supersets" and not labels - {CIRCUIT})
            or (bool(direct) and muscle in primaries)
        )
        if wrong:
            r.add("summary", f"claims {claim!r}, which the program does not show")


def _trim_part(text: str) -> list[str]:
    """The time-budget claims of the summary ("To fit the session length: a; b.")."""
    _, sep, rest = text.partition(" To fit the session length: ")
    if not sep:
        return []
    body = rest.split(". Not covered:")[0].removesuffix(".")
    return [c for c in body.split("; ") if c]
