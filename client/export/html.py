"""A standalone, printable HTML report: summary, charts, every week's sessions, the
volume landmarks and the readiness rules, in one file with nothing to fetch."""

from __future__ import annotations

from html import escape

from programgen.client import words
from programgen.client.export.charts import intensity_chart, volume_chart
from programgen.client.export.rows import notes
from programgen.v1 import program_pb2

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
       color: #222; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: .25rem .4rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; } td.n { text-align: right; white-space: nowrap; }
figure { margin: 1rem 0; } figure svg { width: 100%; height: auto; }
.meta { color: #555; } .day { margin: .8rem 0 .2rem; font-weight: 600; }
@media print { body { margin: 0; max-width: none; font-size: 11px; }
  section.week, figure { break-inside: avoid; } }
"""


def _table(head: list[str], body: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    rows = []
    for row in body:
        tds = "".join(
            f'<td class="n">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(row)
        )
        rows.append(f"<tr>{tds}</tr>")
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _week(week: program_pb2.Week, unit: str) -> str:
    parts = [f'<section class="week"><h3>Week {week.week}: {escape(words.phase(week))}, ']
    parts.append(f"{escape(words.effort(week))}</h3>")
    for day in week.days:
        minutes = f", about {day.estimated_minutes} min" if day.estimated_minutes else ""
        parts.append(f'<p class="day">Day {day.day}: {escape(day.focus)}{minutes}</p>')
        body = [
            [
                str(n),
                ex.name,
                f"{ex.sets} × {words.reps(ex)}",
                words.number(ex.target_rpe),
                words.load(ex, unit),
                words.rest(ex.rest_seconds).removeprefix("rest "),
                notes(ex, unit),
            ]
            for n, ex in enumerate(day.exercises, start=1)
        ]
        head = ["#", "exercise", "sets × reps", "RPE", "load", "rest", "notes"]
        parts.append(_table(head, body, numeric=frozenset({0, 3})))
    parts.append("</section>")
    return "".join(parts)


def _landmarks(program: program_pb2.Program) -> str:
    body = [
        [
            words.muscle(lm.muscle),
            str(lm.mv),
            str(lm.mev),
            f"{lm.mav_low}–{lm.mav_high}",
            str(lm.mrv),
        ]
        for lm in program.landmarks
    ]
    return _table(["muscle", "MV", "MEV", "MAV", "MRV"], body, numeric=frozenset({1, 2, 3, 4}))


def _readiness(program: program_pb2.Program) -> str:
    body = [
        [
            words.enum_words(program_pb2.Readiness.DESCRIPTOR, adj.readiness),
            adj.signs,
            adj.adjustment,
        ]
        for adj in program.autoregulation
    ]
    return _table(["readiness", "signs", "adjustment"], body)


def html_report(program: program_pb2.Program) -> str:
    unit = words.unit(program)
    weeks = "".join(_week(week, unit) for week in program.weeks)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(program.name)}</title><style>{_CSS}</style></head>
<body>
<h1>{escape(program.name)}</h1>
<p>{escape(program.summary)}</p>
<p class="meta">{escape(words.refinement(program.provenance).capitalize())}.</p>
<h2>Weekly hard sets per muscle</h2>
<figure id="chart-volume">{volume_chart(program)}
<figcaption>Hard sets per week (line) against the muscle's MEV–MRV band (green) and its
maintenance volume MV (dashed); the shaded week is the deload or the taper.</figcaption></figure>
<h2>Intensity across the weeks</h2>
<figure id="chart-intensity">{intensity_chart(program)}
<figcaption>Target RPE per week and the heaviest prescribed %e1RM of the main lifts.
</figcaption></figure>
<h2>The sessions</h2>
{weeks}
<h2>Volume landmarks (weekly hard sets)</h2>
{_landmarks(program)}
<h2>Adjusting to the day's readiness</h2>
{_readiness(program)}
</body></html>
"""
