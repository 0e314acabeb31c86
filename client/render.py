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
