"""Markdown: the program as headings and one table per training day (prints well and
pastes into any notes app)."""

from __future__ import annotations

from programgen.client import words
from programgen.client.export.rows import rows
from programgen.v1 import program_pb2


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(program: program_pb2.Program) -> str:
    lines = [f"# {program.name}", "", program.summary, ""]
    lines += [f"*{words.refinement(program.provenance).capitalize()}.*", ""]
    by_week: dict[int, list[str]] = {}
    current: tuple[int, int] | None = None
    for row in rows(program):
        block = by_week.setdefault(row.week, [])
        if current != (row.week, row.day):
            current = (row.week, row.day)
            block += [
                "",
                f"### Day {row.day}: {row.focus}",
                "",
                "| # | exercise | sets × reps | RPE | load | rest | notes |",
                "|---|---|---|---|---|---|---|",
            ]
        block.append(
            f"| {row.order} | {_cell(row.exercise)} | {row.sets} × {row.reps} | {row.rpe} | "
            f"{_cell(row.load)} | {row.rest} | {_cell(row.notes)} |"
        )
    for week in program.weeks:
        lines.append(f"## Week {week.week}: {words.phase(week)}, {words.effort(week)}")
        lines += by_week.get(week.week, [])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
