"""Programs as files a lifter or coach uses: Markdown, CSV, iCalendar, JSON and a
standalone HTML report with charts. Each format is a module; ``render`` picks one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from google.protobuf import json_format

from programgen.v1 import program_pb2

FORMATS = ("md", "csv", "ics", "json", "html")


def render(
    program: program_pb2.Program,
    fmt: str,
    *,
    start: dt.date | None = None,
    weekdays: Sequence[int] = (),
    at: dt.time = dt.time(18, 0),
) -> str:
    """The program in ``fmt`` (one of FORMATS). ``start``, ``weekdays`` (0 = Monday) and
    ``at`` place the sessions in the calendar (ics only)."""
    if fmt == "md":
        from programgen.client.export.markdown import markdown

        return markdown(program)
    if fmt == "csv":
        from programgen.client.export.tabular import csv_text

        return csv_text(program)
    if fmt == "ics":
        from programgen.client.export.ical import calendar

        return calendar(program, start=start, weekdays=weekdays, at=at)
    if fmt == "json":
        return json_format.MessageToJson(program, indent=2) + "\n"
    if fmt == "html":
        # Lazy: the charts need matplotlib, which only this format uses.
        try:
            from programgen.client.export.html import html_report
        except ModuleNotFoundError as exc:
            raise ValueError(
                f"the HTML report needs {exc.name}: pip install 'programgen[report]'"
            ) from None

        return html_report(program)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
