"""The program flattened to one row per set group (week, day, exercise): the shape a
spreadsheet, a Markdown table and the HTML report's tables share."""

from __future__ import annotations

from dataclasses import dataclass

from programgen.client import words
from programgen.v1 import program_pb2

COLUMNS = (
    "week",
    "phase",
    "day",
    "focus",
    "order",
    "exercise",
    "sets",
    "reps",
    "rpe",
    "rir",
    "load",
    "rest",
    "notes",
)


@dataclass(frozen=True, slots=True)
class Row:
    week: int
    phase: str
    day: int
    focus: str
    order: int
    exercise: str
    sets: int
    reps: str
    rpe: str
    rir: int
    load: str
    rest: str
    notes: str

    def cells(self) -> list[str]:
        return [str(getattr(self, name)) for name in COLUMNS]


def notes(ex: program_pb2.PrescribedExercise, unit: str) -> str:
    # A superset's pairing is in the engine's note already.
    parts = (words.warmups(ex, unit), ex.notes)
    return "; ".join(p for p in parts if p)


def rows(program: program_pb2.Program) -> list[Row]:
    unit = words.unit(program)
    out = []
    for week in program.weeks:
        for day in week.days:
            for order, ex in enumerate(day.exercises, start=1):
                out.append(
                    Row(
                        week=week.week,
                        phase=words.phase(week),
                        day=day.day,
                        focus=day.focus,
                        order=order,
                        exercise=ex.name or ex.exercise_id,
                        sets=ex.sets,
                        reps=words.reps(ex),
                        rpe=words.number(ex.target_rpe),
                        rir=ex.target_rir,
                        load=words.load(ex, unit),
                        rest=words.rest(ex.rest_seconds).removeprefix("rest "),
                        notes=notes(ex, unit),
                    )
                )
    return out
