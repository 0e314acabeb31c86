"""What the model is shown: the instructions and a compact draft of the engine's program.

The draft gives per week/day/exercise the id, sets, reps and RPE, the exercise slots every
week repeats, the catalog substitutes allowed for every prescribed exercise and the
per-muscle MEV/MRV; the answer is later checked against exactly this draft.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from programgen.pipeline import catalog
from programgen.pipeline.domain import Experience, Profile, Program, Week
from programgen.pipeline.refine.schema import (
    MAX_NOTE_CHARS,
    MAX_SETS_PER_EXERCISE,
    MAX_SUMMARY_NOTE_CHARS,
    SCHEMA_NAME,
    response_schema,
)

SYSTEM_PROMPT = f"""\
You are an experienced strength coach reviewing a training program drafted by a rules
engine. The user message is JSON: the athlete, the per-muscle weekly set landmarks
(MEV = minimum effective volume, MRV = maximum recoverable volume), the draft program
(weeks -> days -> exercises; "pos" is the 1-based position in the day), "slots" (the
exercises of each training day, the layout every week repeats; the deload week may skip
some), "substitutes" (for each exercise id, the ONLY catalog ids it may be replaced with)
and "exercises" (name, primary muscle and compound or not, for every id mentioned). Every
working set counts as one weekly hard set for its exercise's primary muscle.

Improve the draft for this athlete while keeping every rule:
- Substitute only with an id listed in substitutes[current id]; give day and pos exactly
  as in "slots". A substitution replaces that slot's exercise in EVERY week, so the
  athlete can track it across the block. Never invent ids. Never put the same exercise
  twice in one day.
- Change sets sparingly (1 to {MAX_SETS_PER_EXERCISE} per exercise), naming week, day and
  pos as in that week of the draft. The weekly hard sets of every muscle must stay at or
  below its MRV, must not fall from one accumulation week to the next, and the deload
  week must stay light.
- Write short coaching notes (at most {MAX_NOTE_CHARS} characters each) for exercises that
  need a cue, and a summary note (at most {MAX_SUMMARY_NOTE_CHARS} characters) for the program.
- Empty lists are a fine answer when the draft is already right.
Answer only with JSON matching the given schema."""


@dataclass(frozen=True)
class Draft:
    """What the model is shown and what its answer is checked against."""

    payload: dict[str, Any]
    offered: dict[str, list[str]]  # exercise id -> allowed substitute ids


@dataclass(frozen=True)
class LlmRequest:
    """One chat completion request, independent of any HTTP client."""

    system: str
    user: str
    schema_name: str
    schema: dict[str, Any]


def request_for(draft: Draft) -> LlmRequest:
    user = json.dumps(draft.payload, separators=(",", ":"))
    return LlmRequest(SYSTEM_PROMPT, user, SCHEMA_NAME, response_schema())


def build_draft(program: Program, profile: Profile) -> Draft:
    offered = _offered(program, profile)
    payload: dict[str, Any] = {
        "athlete": _athlete(profile),
        "periodization": {
            "model": str(program.periodization.model),
            "total_weeks": program.periodization.total_weeks,
            "deload_week": program.periodization.deload_week,
        },
        "landmarks": {str(lm.muscle): {"mev": lm.mev, "mrv": lm.mrv} for lm in program.landmarks},
        "weeks": [_week(w) for w in program.weeks],
        "slots": _slots(program.weeks[0]) if program.weeks else [],
        "substitutes": offered,
        "exercises": _exercises(offered),
    }
    return Draft(payload=payload, offered=offered)


def _offered(program: Program, profile: Profile) -> dict[str, list[str]]:
    offered: dict[str, list[str]] = {}
    for week in program.weeks:
        for day in week.days:
            for ex in day.exercises:
                if ex.exercise_id not in offered:
                    offered[ex.exercise_id] = [
                        s.id
                        for s in catalog.substitutes(ex.exercise_id, profile)
                        if s.id != ex.exercise_id
                        # a swap keeps the slot's purpose: strength for strength, power
                        # for power (pipeline.accounting counts only strength sets)
                        and s.category is catalog.CATALOG[ex.exercise_id].category
                    ]
                    if _learns_one(catalog.CATALOG[ex.exercise_id], profile):
                        offered[ex.exercise_id] = []
    return offered


def _learns_one(entry: catalog.Exercise, profile: Profile) -> bool:
    """A beginner's squat or hinge stays the one variant they learn (docs/science.md,
    "Goal rules"): a swap on one day would add a second."""
    beginner = profile.experience is Experience.BEGINNER
    return beginner and entry.pattern in (catalog.Pattern.SQUAT, catalog.Pattern.HINGE)


def _exercises(offered: dict[str, list[str]]) -> dict[str, Any]:
    """Name, primary muscle and compound-or-not of every id the draft mentions."""
    mentioned = list(offered) + [i for ids in offered.values() for i in ids]
    exercises: dict[str, Any] = {}
    for ex_id in mentioned:
        if ex_id in exercises or ex_id not in catalog.CATALOG:
            continue
        entry = catalog.CATALOG[ex_id]
        exercises[ex_id] = {
            "name": entry.name,
            "muscle": str(entry.primary),
            "compound": entry.compound,
        }
    return exercises


def _athlete(profile: Profile) -> dict[str, Any]:
    return {
        "goal": str(profile.goal),
        "experience": str(profile.experience),
        "training_age_years": profile.training_age_years,
        "age": profile.age,
        "days_per_week": profile.days_per_week,
        "session_minutes": profile.session_minutes,
        "equipment": [str(e) for e in profile.equipment],
        "injuries": [str(i) for i in profile.injuries],
        "injury_note": profile.injury_note,
        "priority_muscles": [str(m) for m in profile.priority_muscles],
    }


def _week(w: Week) -> dict[str, Any]:
    return {
        "week": w.week,
        "phase": str(w.phase),
        "rir": w.target_rir,
        "weekly_sets": {str(ms.muscle): ms.sets for ms in w.weekly_sets},
        "days": [
            {
                "day": d.day,
                "focus": d.focus,
                "exercises": [
                    {
                        "pos": pos,
                        "id": ex.exercise_id,
                        "sets": ex.sets,
                        "reps": f"{ex.reps_min}-{ex.reps_max}",
                        "rpe": ex.target_rpe,
                    }
                    for pos, ex in enumerate(d.exercises, start=1)
                ],
            }
            for d in w.days
        ],
    }


def _slots(first_week: Week) -> list[dict[str, Any]]:
    """The exercises of each training day: the layout every week repeats."""
    return [
        {
            "day": d.day,
            "focus": d.focus,
            "exercises": [
                {"pos": pos, "id": ex.exercise_id} for pos, ex in enumerate(d.exercises, start=1)
            ],
        }
        for d in first_week.days
    ]
