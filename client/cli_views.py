"""The CLI's program views: ``show`` (the program, a week or one session, at the
terminal's width) and ``export`` (md, csv, ics, json, html to a file or stdout)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import sys
from pathlib import Path

from programgen.client.aio import AsyncClient
from programgen.client.program_text import program_lines
from programgen.v1 import program_pb2

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ViewError(Exception):
    """A local problem with the view's input (exit code 2)."""


def width() -> int:
    """The terminal's columns (or $COLUMNS); 80 when not a terminal."""
    if "COLUMNS" in os.environ or sys.stdout.isatty():
        return max(60, shutil.get_terminal_size((80, 24)).columns)
    return 80


async def completed_program(client: AsyncClient, generation_id: str) -> program_pb2.Program:
    generation = await client.get(generation_id)
    if generation.program is None:
        raise ViewError(f"generation {generation_id} is {generation.status}: no program yet")
    return generation.program


def print_program(
    program: program_pb2.Program, *, week: int | None = None, day: int | None = None
) -> None:
    try:
        lines = program_lines(program, width(), week=week, day=day)
    except LookupError as exc:
        raise ViewError(str(exc)) from None
    print("\n".join(lines))


def _weekdays(text: str) -> list[int]:
    days = [part.strip().lower()[:3] for part in text.split(",") if part.strip()]
    unknown = [d for d in days if d not in WEEKDAYS]
    if unknown:
        raise ViewError(f"--days takes weekday names like mon,wed,fri (not {unknown[0]!r})")
    return [WEEKDAYS.index(d) for d in days]


async def cmd_show(client: AsyncClient, args: argparse.Namespace) -> int:
    if args.day is not None and args.week is None:
        raise ViewError("--day needs --week")
    print_program(await completed_program(client, args.id), week=args.week, day=args.day)
    return 0


async def cmd_export(client: AsyncClient, args: argparse.Namespace) -> int:
    from programgen.client.export import render

    program = await completed_program(client, args.id)
    try:
        start = dt.date.fromisoformat(args.start) if args.start else None
        at = dt.time.fromisoformat(args.time)
    except ValueError as exc:
        raise ViewError(f"dates are YYYY-MM-DD and times HH:MM ({exc})") from None
    try:
        text = render(
            program,
            args.format,
            start=start,
            weekdays=_weekdays(args.days) if args.days else (),
            at=at,
        )
    except ValueError as exc:
        raise ViewError(str(exc)) from None
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(Path(args.output).write_text, text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def add_view_arguments(show: argparse.ArgumentParser, export: argparse.ArgumentParser) -> None:
    from programgen.client.export import FORMATS

    show.add_argument("id")
    show.add_argument("--week", type=int, metavar="N", help="only week N")
    show.add_argument("--day", type=int, metavar="N", help="only day N of that week")
    export.add_argument("id")
    export.add_argument("--format", choices=FORMATS, default="md")
    export.add_argument("--output", "-o", metavar="FILE", help="write here (default stdout)")
    export.add_argument("--start", metavar="YYYY-MM-DD", help="ics: first day (next Monday)")
    export.add_argument("--days", metavar="mon,wed,fri", help="ics: your training weekdays")
    export.add_argument("--time", default="18:00", metavar="HH:MM", help="ics: session start")
