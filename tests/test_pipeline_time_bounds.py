"""The time model's per-set bound, and the builder's session memo that leans on it.

One set more or fewer of an exercise moves a session by at most
`session_time.set_saving_bound`, and more sets never make it shorter; the builder's memo
(`session_cache.WeekTimer`) decides sessions from earlier ones of the same shape with
that bound, and must answer exactly as timing every session afresh does.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

from programgen.pipeline.analysis import analyze_profile
from programgen.pipeline.catalog import CATALOG, Category
from programgen.pipeline.construction import construct_program
from programgen.pipeline.day_layout import week_items
from programgen.pipeline.periodization import plan_periodization
from programgen.pipeline.session_cache import WeekTimer
from programgen.pipeline.session_time import (
    GENERAL_WARMUP_SECONDS,
    STATION_CHANGE_SECONDS,
    TimedItem,
    fresh_session_seconds,
    set_saving_bound,
    set_seconds,
    warmup_seconds,
)
from programgen.pipeline.slots import Slot
from programgen.pipeline.volume import compute_landmarks
from programgen.pipeline.weak_points import find_weak_points
from programgen.pipeline.week_reps import day_lifts, heavy_by_day, load_context
from tests.pipeline_support import make_profile

_STRENGTH = sorted(ex.id for ex in CATALOG.values() if ex.category is Category.STRENGTH)


def _round_by_round(items: list[TimedItem]) -> int:
    """The time model as docs/science.md ("Session time") states it, one round at a time."""
    total = float(GENERAL_WARMUP_SECONDS)
    groups: dict[str, list[TimedItem]] = {}
    for item in items:
        if item.sets <= 0:
            continue
        total += warmup_seconds(item.exercise_id, item.warmup_reps)
        if item.superset:
            groups.setdefault(item.superset, []).append(item)
        else:
            total += item.sets * (set_seconds(item.exercise_id, item.reps) + item.rest_seconds)
    for members in groups.values():
        for round_ in range(max(m.sets for m in members)):
            active = [m for m in members if m.sets > round_]
            work = [set_seconds(m.exercise_id, m.reps) for m in active]
            if len(active) == 1:
                total += work[0] + active[0].rest_seconds
                continue
            back_to_back = sum(work) + STATION_CHANGE_SECONDS * len(active)
            slowest = max(w + m.rest_seconds for w, m in zip(work, active, strict=True))
            total += max(back_to_back, slowest)
    return math.ceil(total)


def _random_session(rng: random.Random) -> list[TimedItem]:
    return [
        TimedItem(
            exercise_id=exercise_id,
            sets=rng.randint(1, 6),
            reps=rng.randint(1, 15),
            rest_seconds=rng.choice([0, 20, 45, 60, 90, 120, 180]),
            superset=rng.choice(["", "", "A", "A", "B", "circuit"]),
            warmup_reps=tuple(rng.sample([8, 5, 3, 1], rng.randint(0, 3))),
        )
        for exercise_id in rng.sample(_STRENGTH, rng.randint(1, 8))
    ]


def test_groups_are_timed_as_round_by_round() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        items = _random_session(rng)
        assert fresh_session_seconds(items) == _round_by_round(items), items


def test_one_set_moves_a_session_by_at_most_its_bound() -> None:
    rng = random.Random(12)
    for _ in range(1500):
        items = _random_session(rng)
        length = fresh_session_seconds(items)
        for i, item in enumerate(items):
            bound = set_saving_bound(item)
            more = [*items[:i], item._replace(sets=item.sets + 1), *items[i + 1 :]]
            assert 0 <= fresh_session_seconds(more) - length <= bound, (items, i)
            if item.sets > 1:
                fewer = [*items[:i], item._replace(sets=item.sets - 1), *items[i + 1 :]]
                assert 0 <= length - fresh_session_seconds(fewer) <= bound, (items, i)


def _varied(slots: list[Slot], rng: random.Random) -> list[Slot]:
    """The same exercises in the same weeks, each week's sets moved by up to two."""
    return [
        replace(s, sets=[max(1, n + rng.randint(-2, 2)) if n > 0 else 0 for n in s.sets])
        for s in slots
    ]


def test_the_session_memo_answers_as_timing_afresh() -> None:
    profile = make_profile(days_per_week=3, session_minutes=45)
    analysis = analyze_profile(profile)
    plan = plan_periodization(profile)
    construction = construct_program(
        profile,
        compute_landmarks(profile),
        find_weak_points(profile, analysis),
        plan,
        analysis,
    )
    ctx = load_context(profile, analysis)
    days = [d.slots for d in construction.days]
    lifts = day_lifts(days)
    weeks = range(len(plan.weeks))
    heavy = [[heavy_by_day(lifts, wp.week)[d] for wp in plan.weeks] for d in range(len(days))]
    rng = random.Random(13)
    decided = {"over": 0, "fits": 0}
    # Budgets around the sessions' lengths: some fit, some do not, many by little.
    for budget in range(40 * 60, 55 * 60, 90):
        timer = WeekTimer(plan, budget, 0, ctx)
        for _ in range(40):
            for d, slots in enumerate(days):
                varied = _varied(slots, rng)
                lengths = [
                    fresh_session_seconds(week_items(varied, plan, d, w, heavy[d][w], ctx))
                    for w in weeks
                ]
                over = timer.overrun(d, varied, heavy[d])
                assert (over is not None) == any(n > budget for n in lengths)
                if over is None:
                    decided["fits"] += 1
                    continue
                decided["over"] += 1
                # The first week over in the timer's order, by at least what it says.
                first = next(w for w in weeks if lengths[w] > budget)
                assert over.week == first
                assert 0 < over.seconds <= lengths[first] - budget
    assert decided["over"] > 100 and decided["fits"] > 100, decided
