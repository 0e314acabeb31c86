"""Human-readable rendering of generations and programs with rich (used by the CLI)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from google.protobuf.descriptor import EnumDescriptor
from google.protobuf.timestamp_pb2 import Timestamp
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import profile_pb2, program_pb2

_STATUS_STYLE = {
    pb.GENERATION_STATUS_PENDING: "yellow",
    pb.GENERATION_STATUS_PROCESSING: "cyan",
    pb.GENERATION_STATUS_COMPLETED: "green",
    pb.GENERATION_STATUS_FAILED: "red",
    pb.GENERATION_STATUS_CANCELLED: "magenta",
}


def label(enum: EnumDescriptor, value: int) -> str:
    """``STAGE_PROFILE_ANALYSIS`` → ``profile analysis`` (unknown numbers stay numbers)."""
    found = enum.values_by_number.get(value)
    if found is None:
        return str(value)
    prefix = enum.values[0].name.removesuffix("UNSPECIFIED")
    return found.name.removeprefix(prefix).replace("_", " ").lower()


def status_label(status: int) -> str:
    return label(pb.GenerationStatus.DESCRIPTOR, status)


def stage_label(stage: int) -> str:
    return label(pb.Stage.DESCRIPTOR, stage) if stage else ""


def muscle_label(muscle: int) -> str:
    return label(profile_pb2.Muscle.DESCRIPTOR, muscle)


def unit_label(unit: int) -> str:
    return "lb" if unit == profile_pb2.UNIT_LB else "kg"


def timestamp(ts: Timestamp) -> str:
    if not ts.seconds and not ts.nanos:
        return "-"
    return ts.ToDatetime(tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S")


def number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


# --- generations -----------------------------------------------------------------------


def generation_summary(generation: pb.Generation) -> Text:
    """One line: id, status, stage/percent, attempt, times, and the error if failed."""
    text = Text(generation.id, style="bold")
    status = status_label(generation.status)
    text.append(f"  {status}", style=_STATUS_STYLE.get(generation.status, ""))
    if generation.status == pb.GENERATION_STATUS_PROCESSING:
        text.append(f"  {stage_label(generation.stage)} {generation.percent}%")
    text.append(f"  attempt {generation.attempt}")
    text.append(f"  created {timestamp(generation.create_time)}")
    text.append(f"  updated {timestamp(generation.update_time)}")
    if generation.request_id:
        text.append(f"  request id {generation.request_id}")
    if generation.HasField("error"):
        text.append(f"\n{generation.error.reason}: {generation.error.message}", style="red")
    return text


def generations_table(generations: Iterable[pb.Generation]) -> Table:
    table = Table(box=None, header_style="bold")
    table.add_column("ID", no_wrap=True)
    table.add_column("STATUS", no_wrap=True)
    table.add_column("PROGRESS", no_wrap=True)
    table.add_column("ATTEMPT", justify="right")
    table.add_column("CREATED (UTC)", no_wrap=True)
    table.add_column("UPDATED (UTC)", no_wrap=True)
    table.add_column("REQUEST ID")
    for g in generations:
        progress = ""
        if g.status in (pb.GENERATION_STATUS_PENDING, pb.GENERATION_STATUS_PROCESSING):
            progress = f"{stage_label(g.stage)} {g.percent}%".strip()
        elif g.HasField("error"):
            progress = g.error.reason
        table.add_row(
            g.id,
            Text(status_label(g.status), style=_STATUS_STYLE.get(g.status, "")),
            progress,
            str(g.attempt),
            timestamp(g.create_time),
            timestamp(g.update_time),
            g.request_id,
        )
    return table


# --- programs --------------------------------------------------------------------------


def _header(program: program_pb2.Program) -> Panel:
    unit = unit_label(program.unit)
    period = program.periodization
    analysis = program.analysis
    lines = Text()
    if program.summary:
        lines.append(program.summary + "\n\n")
    lines.append("Split: ", style="bold").append(program.split.replace("_", " ") + "\n")
    lines.append("Periodization: ", style="bold")
    ending = (
        f"deload in week {period.deload_week}"
        if period.deload_week
        else f"taper and test day in week {period.total_weeks}"
    )
    lines.append(
        f"{label(program_pb2.PeriodizationModel.DESCRIPTOR, period.model)} — "
        f"{period.total_weeks} weeks ({period.accumulation_weeks} accumulation, {ending})\n"
    )
    if period.rationale:
        lines.append(f"  {period.rationale}\n", style="italic")
    lines.append("Strength level: ", style="bold")
    lines.append(label(program_pb2.StrengthLevel.DESCRIPTOR, analysis.strength_level) + "\n")
    for lift in analysis.lifts:
        lines.append(
            f"  {label(profile_pb2.Lift.DESCRIPTOR, lift.lift)}: e1RM {number(lift.e1rm)} {unit} "
            f"({label(program_pb2.E1rmFormula.DESCRIPTOR, lift.formula)}, "
            f"{lift.relative_strength:.2f}× bodyweight)\n"
        )
    if analysis.plate_increment:
        lines.append("Plate increment: ", style="bold")
        lines.append(f"{number(analysis.plate_increment)} {unit}\n")
    prov = program.provenance
    lines.append("Provenance: ", style="bold").append(f"engine {prov.engine_version or '?'}")
    if prov.llm_refined:
        lines.append(f", refined by LLM {prov.llm_model}".rstrip())
    elif prov.llm_fallback_reason:
        lines.append(f", LLM refinement not used: {prov.llm_fallback_reason}")
    return Panel(lines, title=Text(program.name or "Program", style="bold"), expand=False)


def _titled(title: str, table: Table) -> Group:
    return Group(Text(title, style="bold"), table)


def _landmarks(program: program_pb2.Program) -> Group:
    table = Table()
    table.add_column("Muscle")
    for name in ("MV", "MEV", "MAV", "MRV", "published MRV"):
        table.add_column(name, justify="right")
    for lm in program.landmarks:
        mav = str(lm.mav_low) if lm.mav_low == lm.mav_high else f"{lm.mav_low}–{lm.mav_high}"
        table.add_row(
            muscle_label(lm.muscle),
            str(lm.mv),
            str(lm.mev),
            mav,
            str(lm.mrv),
            str(lm.reference_mrv or "-"),
        )
    return _titled("Volume landmarks (weekly hard sets)", table)


def _weak_points(program: program_pb2.Program) -> RenderableType:
    analysis = program.weak_points
    if not analysis.findings:
        reason = analysis.skipped_reason or "no ratio outside its reference band"
        return Text.assemble(("Weak points: ", "bold"), reason)
    table = Table()
    for name in ("Ratio", "Value", "Band", "Severity", "Finding", "Address with", "+sets/wk"):
        table.add_column(name, justify="right" if name in ("Value", "+sets/wk") else "left")
    for wp in analysis.findings:
        address = ", ".join([muscle_label(m) for m in wp.muscles] + list(wp.exercise_ids))
        finding = wp.finding + (
            f" (reassess in week {wp.reassess_week})" if wp.reassess_week else ""
        )
        table.add_row(
            wp.ratio_name,
            f"{wp.ratio:.2f}",
            f"{wp.band_low:.2f}–{wp.band_high:.2f}",
            label(program_pb2.Severity.DESCRIPTOR, wp.severity),
            finding,
            address,
            str(wp.extra_weekly_sets),
        )
    return _titled("Weak points", table)


def _reps(ex: program_pb2.PrescribedExercise) -> str:
    reps = str(ex.reps_min) if ex.reps_min == ex.reps_max else f"{ex.reps_min}–{ex.reps_max}"
    return f"{ex.sets} × {reps}"


def _rest(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


_LOAD_WORDS = {
    program_pb2.LOAD_KIND_BODYWEIGHT: "bodyweight",
    program_pb2.LOAD_KIND_ASSISTED: "assisted",
}


def _load(ex: program_pb2.PrescribedExercise, unit: str) -> str:
    if not ex.HasField("load"):
        return _LOAD_WORDS.get(ex.load_kind, "RPE")
    text = f"{number(ex.load)} {unit}"
    if ex.load_kind == program_pb2.LOAD_KIND_ADDED:
        text = f"+{text} on bodyweight"
    if ex.HasField("load_percent_e1rm"):
        text += f" ({ex.load_percent_e1rm:.0f}%)"
    return text


def _week(week: program_pb2.Week, unit: str) -> Group:
    phase = label(program_pb2.Phase.DESCRIPTOR, week.phase)
    title = (
        f"Week {week.week} — {phase} — target RPE {number(week.target_rpe)} / RIR {week.target_rir}"
    )
    table = Table()
    table.add_column("Day")
    table.add_column("Exercise")
    table.add_column("Sets × reps", no_wrap=True)
    table.add_column("RPE / RIR", no_wrap=True)
    table.add_column("Rest", justify="right", no_wrap=True)
    table.add_column("Load", justify="right", no_wrap=True)
    table.add_column("Notes")
    for index, day in enumerate(week.days):
        if index:
            table.add_section()
        head = f"Day {day.day}"
        if day.focus:
            head += f"\n{day.focus}"
        if day.estimated_minutes:
            head += f"\n~{day.estimated_minutes} min"
        for position, ex in enumerate(day.exercises):
            table.add_row(
                head if position == 0 else "",
                ex.name or ex.exercise_id,
                _reps(ex),
                f"{number(ex.target_rpe)} / {ex.target_rir}",
                _rest(ex.rest_seconds),
                _load(ex, unit),
                ex.notes,
            )
    return _titled(title, table)


def _progressions(program: program_pb2.Program) -> Group:
    """Each exercise's progression rule, once (from its first appearance)."""
    table = Table()
    table.add_column("Exercise")
    table.add_column("How to progress")
    seen: set[str] = set()
    for week in program.weeks:
        for day in week.days:
            for ex in day.exercises:
                if ex.exercise_id in seen or not ex.HasField("progression"):
                    continue
                seen.add(ex.exercise_id)
                table.add_row(ex.name or ex.exercise_id, ex.progression.rule)
    return _titled("Progression rules", table)


def _test_day(program: program_pb2.Program, unit: str) -> Group:
    test = program.test_day
    table = Table()
    for name in ("Exercise", "Attempt", "Reps", "% e1RM", "Load", "RPE"):
        table.add_column(name, justify="left" if name == "Exercise" else "right")
    for a in test.attempts:
        table.add_row(
            a.name or a.exercise_id,
            str(a.number),
            str(a.reps),
            f"{a.percent_e1rm:g}" if a.HasField("percent_e1rm") else "-",
            f"{number(a.load)} {unit}" if a.HasField("load") else "by feel",
            number(a.target_rpe),
        )
    return Group(Text(f"Test day (end of week {test.week})", style="bold"), Text(test.note), table)


def _weekly_sets(program: program_pb2.Program) -> Group:
    table = Table()
    table.add_column("Muscle")
    muscles: dict[int, dict[int, int]] = {}
    for week in program.weeks:
        table.add_column(f"W{week.week}", justify="right")
        for ms in week.weekly_sets:
            muscles.setdefault(ms.muscle, {})[week.week] = ms.sets
    for muscle, by_week in muscles.items():
        cells = [str(by_week.get(w.week, "-")) for w in program.weeks]
        table.add_row(muscle_label(muscle), *cells)
    return _titled("Weekly hard sets per muscle", table)


def _autoregulation(program: program_pb2.Program) -> Group:
    table = Table()
    for name in ("Readiness", "Signs", "Adjustment", "RPE Δ", "Volume ×"):
        table.add_column(name, justify="right" if name in ("RPE Δ", "Volume ×") else "left")
    for adj in program.autoregulation:
        table.add_row(
            label(program_pb2.Readiness.DESCRIPTOR, adj.readiness),
            adj.signs,
            adj.adjustment,
            f"{adj.rpe_delta:+g}",
            f"{adj.volume_factor:g}",
        )
    return _titled("Autoregulation (adjust to the day's readiness)", table)


def program_view(program: program_pb2.Program) -> Group:
    """The whole program: header, landmarks, weak points, one table per week, weekly sets
    per muscle and the autoregulation table."""
    unit = unit_label(program.unit)
    parts: list[RenderableType] = [_header(program), _landmarks(program), _weak_points(program)]
    parts += [_week(week, unit) for week in program.weeks]
    if program.HasField("test_day"):
        parts.append(_test_day(program, unit))
    parts += [_progressions(program), _weekly_sets(program), _autoregulation(program)]
    spaced: list[RenderableType] = []
    for part in parts:
        spaced += [part, Text("")]
    return Group(*spaced[:-1])
