"""Generations as the CLI shows them with rich: a summary line and the list table.

Programs are plain text (programgen.client.program_text), which reads at any width."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from google.protobuf.descriptor import EnumDescriptor
from google.protobuf.timestamp_pb2 import Timestamp
from rich.table import Table
from rich.text import Text

from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import profile_pb2

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


def goal_label(goal: int) -> str:
    return label(profile_pb2.Goal.DESCRIPTOR, goal) if goal else ""


def unit_label(unit: int) -> str:
    return "lb" if unit == profile_pb2.UNIT_LB else "kg"


def timestamp(ts: Timestamp, *, seconds: bool = True) -> str:
    if not ts.seconds and not ts.nanos:
        return "-"
    return ts.ToDatetime(tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


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


# Below this width the table shows ids by their first 8 characters: the full 36 would
# leave the program's name a handful of columns at 80 (a UUID's first 8 hex digits are
# unique among one caller's generations in practice; --json keeps the whole id).
FULL_ID_WIDTH = 120
SHORT_ID = 8


def generations_table(generations: Iterable[pb.Generation], *, width: int) -> Table:
    """The list as a lifter reads it: id, created, status, goal and program name."""
    short = width < FULL_ID_WIDTH
    # No edge padding: at 80 columns the two spaces go to the program's name.
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("ID", no_wrap=True)
    table.add_column("CREATED (UTC)", no_wrap=True)
    table.add_column("STATUS", no_wrap=True)
    table.add_column("GOAL", no_wrap=True)
    table.add_column("PROGRAM")
    for g in generations:
        table.add_row(
            g.id[:SHORT_ID] if short else g.id,
            timestamp(g.create_time, seconds=not short),
            Text(status_label(g.status), style=_STATUS_STYLE.get(g.status, "")),
            goal_label(g.goal),
            g.program_name,
        )
    return table
