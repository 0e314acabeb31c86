"""iCalendar (RFC 5545): one event per session, from a start date on the athlete's days,
so a calendar app shows the plan and its exercises."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from icalendar import Calendar, Event

from programgen.client import words
from programgen.v1 import program_pb2

# Training days spread over the week with rest days between where the count allows
# (Monday = 0): the usual layouts for 2-6 sessions a week.
DEFAULT_WEEKDAYS = {
    1: (0,),
    2: (0, 3),
    3: (0, 2, 4),
    4: (0, 1, 3, 4),
    5: (0, 1, 2, 4, 5),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}


def session_dates(start: dt.date, weekdays: Sequence[int], weeks: int) -> list[list[dt.date]]:
    """The date of each session: program week w is the 7 days from start + 7(w − 1); its
    sessions fall on ``weekdays`` in that window, in order."""
    out = []
    for w in range(weeks):
        window = [start + dt.timedelta(days=7 * w + i) for i in range(7)]
        by_weekday = {day.weekday(): day for day in window}
        out.append(sorted(by_weekday[d] for d in weekdays))
    return out


def _description(day: program_pb2.TrainingDay, unit: str) -> str:
    lines = []
    for n, ex in enumerate(day.exercises, start=1):
        line = f"{n}. {ex.name}: {words.prescription(ex)}, {words.load(ex, unit)}, "
        line += words.rest(ex.rest_seconds)
        lines.append(line)
        if ex.notes:
            lines.append(f"   {ex.notes}")
    return "\n".join(lines)


def calendar(
    program: program_pb2.Program,
    *,
    start: dt.date | None = None,
    weekdays: Sequence[int] = (),
    at: dt.time = dt.time(18, 0),
    stamp: dt.datetime | None = None,
) -> str:
    per_week = max((len(w.days) for w in program.weeks), default=0)
    days = tuple(weekdays) or DEFAULT_WEEKDAYS.get(per_week, tuple(range(per_week)))
    if len(days) < per_week or len(set(days)) != len(days):
        raise ValueError(f"the program has {per_week} sessions a week: give as many weekdays")
    if start is None:
        today = dt.date.today()
        start = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)  # next Monday
    stamp = stamp or dt.datetime.now(dt.UTC)
    cal = Calendar()
    cal.add("prodid", "-//programgen//training program//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", program.name)
    unit = words.unit(program)
    dates = session_dates(start, sorted(days[:per_week]), len(program.weeks))
    for week, week_dates in zip(program.weeks, dates, strict=True):
        for day, date in zip(week.days, week_dates, strict=False):
            begin = dt.datetime.combine(date, at)  # floating local time: the lifter's clock
            event = Event()
            key = f"{program.name}|{week.week}|{day.day}|{start.isoformat()}"
            event.add("uid", hashlib.sha256(key.encode()).hexdigest()[:32] + "@programgen")
            event.add("dtstamp", stamp)
            event.add("dtstart", begin)
            event.add("dtend", begin + dt.timedelta(minutes=day.estimated_minutes or 60))
            event.add("summary", f"Week {week.week} day {day.day}: {day.focus}")
            event.add("description", _description(day, unit))
            cal.add_component(event)
    text: str = cal.to_ical().decode()
    return text
