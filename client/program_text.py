"""The program as plain text that reads at 80 columns: one line per exercise
(sets × reps @ RPE, load, rest), notes under it, a one-line header per day and week.

Long names never get cut: an exercise whose name does not fit its column takes a line of
its own and its prescription goes on the next. Paragraphs wrap at word boundaries.
"""

from __future__ import annotations

import textwrap

from programgen.client import words
from programgen.v1 import profile_pb2, program_pb2

NAME_WIDTH = 28  # most catalog names fit; longer ones take their own line


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Wrapped at word boundaries; a bullet indent ("  - ") continues under its text."""
    follow = " " * len(indent) if indent.rstrip().endswith(("-", "·")) else indent
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=follow) or [""]


def _exercise(n: int, ex: program_pb2.PrescribedExercise, unit: str, width: int) -> list[str]:
    name = ex.name or ex.exercise_id
    if ex.superset:
        name = f"{name} [{ex.superset}]"  # alternate with the day's other [same label]
    detail = (
        f"{words.prescription(ex):<18} {words.load(ex, unit):<16} {words.rest(ex.rest_seconds)}"
    )
    head = f"  {n:>2}. "
    lines = []
    if len(name) <= NAME_WIDTH and len(head) + NAME_WIDTH + 1 + len(detail) <= width:
        lines.append(f"{head}{name:<{NAME_WIDTH}} {detail}".rstrip())
    else:
        lines.append(f"{head}{name}")
        lines.append(f"{' ' * len(head)}{detail}".rstrip())
    pad = " " * len(head)
    warm = words.warmups(ex, unit)
    if warm:
        lines += textwrap.wrap(warm, width, initial_indent=pad + "· ", subsequent_indent=pad + "  ")
    if ex.notes:
        lines += textwrap.wrap(
            ex.notes, width, initial_indent=pad + "· ", subsequent_indent=pad + "  "
        )
    return lines


def day_lines(day: program_pb2.TrainingDay, unit: str, width: int = 80) -> list[str]:
    minutes = f" · about {day.estimated_minutes} min" if day.estimated_minutes else ""
    lines = [f"Day {day.day} · {day.focus}{minutes}"]
    for n, ex in enumerate(day.exercises, start=1):
        lines += _exercise(n, ex, unit, width)
    return lines


def week_lines(
    week: program_pb2.Week, unit: str, width: int = 80, only_day: int | None = None
) -> list[str]:
    lines = [f"Week {week.week} · {words.phase(week)} · {words.effort(week)}", ""]
    for day in week.days:
        if only_day is not None and day.day != only_day:
            continue
        lines += [*day_lines(day, unit, width), ""]
    return lines


def volume_lines(program: program_pb2.Program, width: int = 80) -> list[str]:
    """Weekly hard sets per muscle beside its landmarks, with what a 0 means."""
    weeks = [w.week for w in program.weeks]
    head = f"{'muscle':<18}{'MV':>4}{'MEV':>5}{'MRV':>5}  " + "".join(
        f"{'W' + str(w):>5}" for w in weeks
    )
    lines = ["Weekly hard sets per muscle (beside its volume landmarks)", head]
    for lm in program.landmarks:
        per_week = [
            next((ms.sets for ms in w.weekly_sets if ms.muscle == lm.muscle), 0)
            for w in program.weeks
        ]
        cells = "".join(f"{n:>5}" for n in per_week)
        lines.append(f"{words.muscle(lm.muscle):<18}{lm.mv:>4}{lm.mev:>5}{lm.mrv:>5}  {cells}")
    lines += _wrap(
        "A 0 means the muscle gets no sets of its own that week: it is trained only "
        "indirectly, by the compound lifts (see the summary for why).",
        width,
    )
    return lines


def progression_lines(program: program_pb2.Program, width: int = 80) -> list[str]:
    """Each exercise's progression rule, once, from its first appearance."""
    lines = ["How to progress each exercise"]
    seen: set[str] = set()
    for week in program.weeks:
        for day in week.days:
            for ex in day.exercises:
                if ex.exercise_id in seen or not ex.progression.rule:
                    continue
                seen.add(ex.exercise_id)
                lines += _wrap(f"{ex.name}: {ex.progression.rule}", width, "  ")
    return lines


def test_day_lines(program: program_pb2.Program, width: int = 80) -> list[str]:
    if not program.HasField("test_day"):
        return []
    test, unit = program.test_day, words.unit(program)
    lines = [f"Test day · end of week {test.week}"]
    lines += _wrap(test.note, width, "  ")
    lines += [f"  {words.attempt(a, unit)}" for a in test.attempts]
    return [*lines, ""]


def injury_lines(program: program_pb2.Program, width: int = 80) -> list[str]:
    if not program.injury_adjustments and not program.pain_rule:
        return []
    lines = ["Injuries: what the program changed"]
    for adj in program.injury_adjustments:
        lines += _wrap(adj.change, width, "  - ")
    if program.pain_rule:
        lines += _wrap(f"Pain rule: {program.pain_rule}", width, "  ")
    return [*lines, ""]


def readiness_lines(program: program_pb2.Program, width: int = 80) -> list[str]:
    lines = ["Adjust to the day's readiness"]
    for adj in program.autoregulation:
        name = words.enum_words(program_pb2.Readiness.DESCRIPTOR, adj.readiness)
        lines += _wrap(f"{name}: {adj.signs} → {adj.adjustment}", width, "  ")
    return lines


def header_lines(program: program_pb2.Program, width: int = 80) -> list[str]:
    unit = words.unit(program)
    period = program.periodization
    lines = [program.name, "=" * min(width, len(program.name))]
    lines += _wrap(program.summary, width)
    model = words.enum_words(program_pb2.PeriodizationModel.DESCRIPTOR, period.model)
    lines += ["", f"Periodization: {model}, {period.total_weeks} weeks"]
    if period.rationale:
        lines += _wrap(period.rationale, width, "  ")
    level = words.enum_words(program_pb2.StrengthLevel.DESCRIPTOR, program.analysis.strength_level)
    lines.append(f"Strength level: {level}")
    for lift in program.analysis.lifts:
        name = words.enum_words(profile_pb2.Lift.DESCRIPTOR, lift.lift)
        lines.append(f"  {name}: estimated 1RM {words.number(lift.e1rm)} {unit}")
    findings = program.weak_points.findings
    if findings:
        lines.append("Weak points:")
        for wp in findings:
            lines += _wrap(wp.finding, width, "  - ")
    lines += _wrap(words.refinement(program.provenance).capitalize() + ".", width)
    return lines


def program_lines(
    program: program_pb2.Program,
    width: int = 80,
    *,
    week: int | None = None,
    day: int | None = None,
) -> list[str]:
    """The whole program, or one week (``week``), or one session (``week`` and ``day``)."""
    unit = words.unit(program)
    if week is not None:
        chosen = [w for w in program.weeks if w.week == week]
        if not chosen:
            raise LookupError(f"the program has weeks 1 to {len(program.weeks)}")
        if day is not None and not any(d.day == day for d in chosen[0].days):
            raise LookupError(f"week {week} has days 1 to {len(chosen[0].days)}")
        return week_lines(chosen[0], unit, width, only_day=day)
    lines = [*header_lines(program, width), "", *injury_lines(program, width)]
    for w in program.weeks:
        lines += week_lines(w, unit, width)
    return [
        *lines,
        *test_day_lines(program, width),
        *progression_lines(program, width),
        "",
        *volume_lines(program, width),
        "",
        *readiness_lines(program, width),
    ]
