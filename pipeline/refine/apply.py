"""Applying the model's answer to the engine's program, or saying which rule it breaks.

A substitution swaps a slot (day, position) in EVERY week, so the athlete keeps one
exercise per slot through the block and can track its progression; a swap onto an exercise
backed by a known lift gets its load from the engine's own load rule. Model notes are
appended to the engine's notes, never replace them. The result must pass the program
validator like any program the engine builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from programgen.pipeline import accounting, autoregulation, catalog, validator, warmups
from programgen.pipeline.domain import Muscle, PrescribedExercise, Profile, Program, Unit
from programgen.pipeline.progression import Prescribed
from programgen.pipeline.refine.failures import truncate
from programgen.pipeline.refine.prompt import Draft
from programgen.pipeline.refine.schema import (
    MAX_NOTE_CHARS,
    MAX_SETS_PER_EXERCISE,
    MAX_SUMMARY_NOTE_CHARS,
    LlmRefinement,
    LlmSubstitution,
)

Exercise = dict[str, Any]  # one PrescribedExercise, dumped, edited in place
SlotKey = tuple[int, int, int]  # (week, day, 1-based position)


class RuleViolation(Exception):
    """The answer breaks a rule the prompt stated; the message says which and where."""


@dataclass
class _Slots:
    """Every prescribed exercise of the dumped program, by (week, day, position)."""

    at: dict[SlotKey, Exercise]
    original: dict[SlotKey, str]  # the draft's exercise id at each key
    # The slot layout every week repeats: week 1 holds every slot of every day (the engine
    # gives each exercise sets from week 1 on; the deload may skip some).
    layout: dict[tuple[int, int], str]


def apply_answer(
    program: Program, profile: Profile, draft: Draft, answer: LlmRefinement, model: str
) -> Program:
    """The refined program; RuleViolation or ProgramInvalid when the answer breaks a rule."""
    data = program.model_dump()
    slots = _index(data)
    loads = _Loads(program, profile)
    _substitute(answer, slots, draft, loads)
    _change_sets(answer, slots)
    for week in data["weeks"]:
        _check_one_per_day(week)
        _recount_week(week, Unit(data["unit"]), data["analysis"]["plate_increment"])
    _check_mrv(data, program)
    _add_notes(answer, slots)
    summary_note = truncate(answer.summary_note, MAX_SUMMARY_NOTE_CHARS)
    if summary_note:
        data["summary"] = f"{data['summary']}\n\nCoach's note: {summary_note}"
    data["provenance"].update(llm_refined=True, llm_model=model, llm_fallback_reason="")
    refined = Program.model_validate(data)
    validator.validate_program(refined, profile)
    return refined


def _index(data: dict[str, Any]) -> _Slots:
    at: dict[SlotKey, Exercise] = {}
    for w in data["weeks"]:
        for d in w["days"]:
            for pos, ex in enumerate(d["exercises"], start=1):
                at[(w["week"], d["day"], pos)] = ex
    original = {key: ex["exercise_id"] for key, ex in at.items()}
    first_week = data["weeks"][0]["week"] if data["weeks"] else 0
    layout = {(d, pos): ex_id for (w, d, pos), ex_id in original.items() if w == first_week}
    return _Slots(at, original, layout)


class _Loads:
    """The engine's own prescription (reps, load, load kind, progression) for an exercise
    at a slot's reps and RIR."""

    def __init__(self, program: Program, profile: Profile) -> None:
        self._program = program
        self._profile = profile
        self._first_rir = program.weeks[0].target_rir if program.weeks else 0

    def __call__(self, exercise_id: str, ex: Exercise) -> Prescribed:
        return autoregulation.prescription(
            exercise_id,
            ex["reps_min"],
            ex["reps_max"],
            ex["target_rir"],
            self._first_rir,
            self._profile,
            self._program.analysis,
        )


def _substitute(answer: LlmRefinement, slots: _Slots, draft: Draft, loads: _Loads) -> None:
    swapped: set[tuple[int, int]] = set()
    for sub in answer.substitutions:
        slot = (sub.day, sub.position)
        at = f"day {sub.day} position {sub.position}"
        if slot not in slots.layout:
            raise RuleViolation(f"no exercise at {at}")
        if slot in swapped:
            raise RuleViolation(f"two substitutions for {at}")
        swapped.add(slot)
        current = slots.layout[slot]
        if sub.current_exercise_id != current:
            raise RuleViolation(f"{at} holds {current!r}, not {sub.current_exercise_id!r}")
        if sub.new_exercise_id == current:
            continue
        if sub.new_exercise_id not in draft.offered.get(current, []):
            raise RuleViolation(
                f"exercise {sub.new_exercise_id!r} not offered for {current!r} at {at}"
            )
        _swap_every_week(sub, current, slots, loads)


def _swap_every_week(sub: LlmSubstitution, current: str, slots: _Slots, loads: _Loads) -> None:
    entry = catalog.CATALOG.get(sub.new_exercise_id)
    if entry is None:  # offered ids come from the catalog; belt and braces
        raise RuleViolation(f"exercise {sub.new_exercise_id!r} is not in the catalog")
    # The same slot in every week: the day's occurrence of the current exercise (an
    # exercise is on a day at most once, and its position can shift in the deload).
    for (_, day, _), ex in slots.at.items():
        if day != sub.day or ex["exercise_id"] != current:
            continue
        # The engine's note for the slot (weak point, priority muscle) stays, as the
        # substitute trains the same muscle; the old exercise's load note goes, and the
        # load follows the new exercise through the engine's own load rule.
        kept = ex["notes"]
        old_note = loads(current, ex).note
        if old_note and kept.endswith(old_note):
            kept = kept[: -len(old_note)].rstrip()
        new = loads(entry.id, ex)
        ex.update(
            exercise_id=entry.id,
            name=entry.name,
            reps_min=new.reps_min,
            reps_max=new.reps_max,
            load=new.load,
            load_percent_e1rm=new.load_percent_e1rm,
            load_kind=new.load_kind,
            progression=new.progression.model_dump(),
            notes=" ".join(n for n in (kept, new.note) if n),
        )


def _where(key: SlotKey) -> str:
    week, day, pos = key
    return f"week {week} day {day} position {pos}"


def _change_sets(answer: LlmRefinement, slots: _Slots) -> None:
    seen: set[SlotKey] = set()
    for change in answer.set_changes:
        key = (change.week, change.day, change.position)
        if key not in slots.at:
            raise RuleViolation(f"no exercise at {_where(key)}")
        if key in seen:
            raise RuleViolation(f"two set changes for {_where(key)}")
        seen.add(key)
        now = slots.at[key]["exercise_id"]
        if change.exercise_id not in (slots.original[key], now):
            raise RuleViolation(f"{_where(key)} holds {now!r}, not {change.exercise_id!r}")
        if not 1 <= change.sets <= MAX_SETS_PER_EXERCISE:
            raise RuleViolation(
                f"{change.sets} sets at {_where(key)} outside 1..{MAX_SETS_PER_EXERCISE}"
            )
        slots.at[key]["sets"] = change.sets


def _check_one_per_day(week: dict[str, Any]) -> None:
    for d in week["days"]:
        ids = [ex["exercise_id"] for ex in d["exercises"]]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            where = f"week {week['week']} day {d['day']}"
            raise RuleViolation(f"exercise {dupes[0]!r} twice in {where}")


def _recount_week(week: dict[str, Any], unit: Unit, step: float) -> None:
    """Recompute a week's derived numbers after substitutions and set changes, with the
    same accounting the builder and the validator use: warm-up sets, minutes per day,
    and hard sets per muscle (the engine's muscles in the engine's order, plus any newly
    trained)."""
    for day in week["days"]:
        exercises = warmups.with_warmups(
            [PrescribedExercise.model_validate(ex) for ex in day["exercises"]], unit, step
        )
        for data, ex in zip(day["exercises"], exercises, strict=True):
            data["warmup_sets"] = [w.model_dump() for w in ex.warmup_sets]  # in place
        day["estimated_minutes"] = accounting.session_minutes(exercises)
    totals = accounting.hard_sets(
        (ex["exercise_id"], ex["sets"]) for day in week["days"] for ex in day["exercises"]
    )
    listed = [Muscle(ms["muscle"]) for ms in week["weekly_sets"]]
    listed += [m for m in Muscle if m not in listed and totals[m] > 0]
    week["weekly_sets"] = [
        ms.model_dump() for ms in accounting.muscle_sets({m: totals[m] for m in listed})
    ]


def _check_mrv(data: dict[str, Any], program: Program) -> None:
    mrv = {lm.muscle: lm.mrv for lm in program.landmarks}
    for w in data["weeks"]:
        for ms in w["weekly_sets"]:
            limit = mrv.get(ms["muscle"])
            if limit is not None and ms["sets"] > limit:
                raise RuleViolation(
                    f"week {w['week']} {ms['muscle']} volume {ms['sets']} sets above MRV {limit}"
                )


def _add_notes(answer: LlmRefinement, slots: _Slots) -> None:
    in_program = {ex["exercise_id"] for ex in slots.at.values()}
    notes: dict[str, str] = {}
    for n in answer.exercise_notes:
        if n.exercise_id not in in_program:
            raise RuleViolation(f"note for exercise {n.exercise_id!r} not in the program")
        text = n.note.strip()
        if text:
            before = notes.get(n.exercise_id)
            notes[n.exercise_id] = f"{before} {text}" if before is not None else text
    for ex in slots.at.values():
        if ex["exercise_id"] in notes:
            # Appended: the engine's own notes (weak point, load basis ...) stay.
            coach = truncate(notes[ex["exercise_id"]], MAX_NOTE_CHARS)
            ex["notes"] = " ".join(n for n in (ex["notes"], coach) if n)
