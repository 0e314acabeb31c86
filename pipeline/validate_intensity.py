"""Validator checks for effort, phases and peaking (registered in pipeline.validator.CHECKS).

Each public function is one rule; its name is the rule its violations carry. The rules
and their sources: docs/science.md, "Phases and peaking".
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from functools import lru_cache
from typing import Protocol

from programgen.pipeline.accounting import credits
from programgen.pipeline.analysis import BAR_WEIGHT
from programgen.pipeline.autoregulation import RPE_MAX, RPE_MIN
from programgen.pipeline.catalog import CATALOG, Loading
from programgen.pipeline.domain import (
    Lift,
    PeriodizationModel,
    Phase,
    Profile,
    Program,
    Week,
)
from programgen.pipeline.peaking import (
    HEAVY_PHASES,
    HEAVY_REPS,
    TAPER_GOALS,
    TAPER_MAX_FRACTION,
    TAPER_MIN_FRACTION,
    TAPER_MIN_RPE,
    TEST_ORDER,
)
from programgen.pipeline.periodization import ASSISTANCE_REPS


class Reporter(Protocol):
    def add(self, field: str, description: str) -> None: ...


# docs/science.md: a deload runs at about MV with light loads, RPE <= 6.
DELOAD_MAX_RPE = 6.0
# Phases in the order a block runs them; a deload may only end a program.
PHASE_ORDER = (Phase.ACCUMULATION, Phase.INTENSIFICATION, Phase.REALIZATION, Phase.TAPER)
BUILDING = frozenset({Phase.ACCUMULATION, Phase.INTENSIFICATION, Phase.REALIZATION})
# A week with sets of <= 3 reps at RPE >= 9 is peaking work, not accumulation (Issurin
# 2010: accumulation is the high-volume, moderate-load block).
PEAK_REPS, PEAK_RPE = 3, 9.0
# Opener and third attempt bounds (% e1RM) the validator accepts: the convention's
# 90-93 % opener and 100-102 % third with some slack (pipeline.peaking.ATTEMPT_PERCENTS).
OPENER_RANGE = (88.0, 95.0)
THIRD_MAX = 105.0
# Taper keeps intensity: its heaviest competition-lift set is within this many % of e1RM
# of the week before (Pritchard et al. 2015: maintain intensity while cutting volume).
TAPER_INTENSITY_DROP = 10.0
# The key under which _part_sets counts every strength exercise but the competition lifts.
ACCESSORIES = "accessories"


def _total_sets(week: Week) -> int:
    return sum(ex.sets for day in week.days for ex in day.exercises)


def intensity(program: Program, profile: Profile, r: Reporter) -> None:
    """RPE in range and equal to 10 - RIR; every exercise at its week's effort; RPE never
    falls while a block builds (accumulation -> realization); deloads at RPE <= 6."""
    previous: float | None = None
    for i, week in enumerate(program.weeks):
        where = f"weeks[{i}]"
        if not RPE_MIN <= week.target_rpe <= RPE_MAX:
            r.add(f"{where}.target_rpe", f"RPE {week.target_rpe} outside {RPE_MIN}-{RPE_MAX}")
        if week.target_rpe != 10 - week.target_rir:
            r.add(
                f"{where}.target_rpe",
                f"RPE {week.target_rpe} does not match RIR {week.target_rir} (RPE = 10 - RIR)",
            )
        for j, day in enumerate(week.days):
            for k, ex in enumerate(day.exercises):
                if (ex.target_rpe, ex.target_rir) != (week.target_rpe, week.target_rir):
                    r.add(
                        f"{where}.days[{j}].exercises[{k}].target_rpe",
                        f"RPE {ex.target_rpe} / RIR {ex.target_rir} differs from the week's "
                        f"RPE {week.target_rpe} / RIR {week.target_rir}",
                    )
        if week.phase is Phase.DELOAD:
            if week.target_rpe > DELOAD_MAX_RPE:
                r.add(f"{where}.target_rpe", f"deload RPE {week.target_rpe} above {DELOAD_MAX_RPE}")
            for j, day in enumerate(week.days):
                for k, ex in enumerate(day.exercises):
                    if ex.target_rpe > DELOAD_MAX_RPE:
                        r.add(
                            f"{where}.days[{j}].exercises[{k}].target_rpe",
                            f"deload RPE {ex.target_rpe} above {DELOAD_MAX_RPE}",
                        )
        if week.phase not in BUILDING:
            continue
        if previous is not None and week.target_rpe < previous:
            r.add(
                f"{where}.target_rpe",
                f"RPE falls from {previous} to {week.target_rpe} while the block builds",
            )
        previous = week.target_rpe


def phases(program: Program, profile: Profile, r: Reporter) -> None:
    """Phase sequence and labels: accumulation first, phases in block order, a deload only
    last; a 1-3 rep week at RPE 9 is not accumulation; realization peaks the competition
    lifts; strength blocks and every peak end in a taper."""
    weeks = program.weeks
    if not weeks:
        return
    n = len(weeks)
    labels = [w.phase for w in weeks]
    p = program.periodization
    if labels[0] is not Phase.ACCUMULATION:
        r.add("weeks[0].phase", f"is {labels[0].value}; a program opens with accumulation")
    for i, (a, b) in enumerate(itertools.pairwise(labels), start=1):
        if a is Phase.DELOAD or (
            b is not Phase.DELOAD and PHASE_ORDER.index(b) < PHASE_ORDER.index(a)
        ):
            r.add(f"weeks[{i}].phase", f"{b.value} after {a.value} is out of block order")
    if labels[-1] not in (Phase.DELOAD, Phase.TAPER):
        r.add(f"weeks[{n - 1}].phase", "a program ends with a deload or a taper")
    ends_in_taper = p.model is PeriodizationModel.BLOCK and profile.goal in TAPER_GOALS
    if ends_in_taper and labels[-1] is not Phase.TAPER:
        r.add(f"weeks[{n - 1}].phase", "a strength block or peak ends in a taper, not a deload")
    if p.model is not PeriodizationModel.BLOCK and set(labels) - {Phase.ACCUMULATION, Phase.DELOAD}:
        r.add("weeks", f"{p.model.value} programs have only accumulation and deload weeks")
    if p.accumulation_weeks != labels.count(Phase.ACCUMULATION):
        r.add(
            "periodization.accumulation_weeks",
            f"says {p.accumulation_weeks}, the program has "
            f"{labels.count(Phase.ACCUMULATION)} accumulation weeks",
        )
    deload = n if labels[-1] is Phase.DELOAD else 0
    if p.deload_week != deload:
        r.add("periodization.deload_week", f"says week {p.deload_week}, expected {deload}")
    for i, week in enumerate(weeks):
        _phase_content(i, week, r)


def _phase_content(i: int, week: Week, r: Reporter) -> None:
    competition = [
        ex
        for day in week.days
        for ex in day.exercises
        if ex.exercise_id in CATALOG and CATALOG[ex.exercise_id].lift in TEST_ORDER
    ]
    if week.phase is Phase.ACCUMULATION:
        peaking = [
            ex.exercise_id
            for day in week.days
            for ex in day.exercises
            if ex.reps_max <= PEAK_REPS and ex.target_rpe >= PEAK_RPE
        ]
        if peaking:
            r.add(
                f"weeks[{i}].phase",
                f"labelled accumulation but {peaking[0]} runs {PEAK_REPS} reps or fewer at "
                f"RPE {PEAK_RPE:g}+: that is intensification or realization",
            )
    if (
        week.phase is Phase.REALIZATION
        and competition
        and min(ex.reps_max for ex in competition) > PEAK_REPS
    ):
        r.add(
            f"weeks[{i}].phase",
            f"labelled realization but no competition lift goes to {PEAK_REPS} reps or fewer",
        )


def taper(program: Program, profile: Profile, r: Reporter) -> None:
    """A taper cuts volume by about 30-50 % from the last training week before it and
    keeps intensity (Bosquet et al. 2007; Pritchard et al. 2015): the last week is never
    the hardest, and the cut is measured against the week the lifter has just done. No
    floor excuses it (a 1-2 week taper may sit below MV: pipeline.accounting); each
    competition lift and the accessories are cut too (`_taper_parts`)."""
    weeks = program.weeks
    tapers = [i for i, w in enumerate(weeks) if w.phase is Phase.TAPER]
    if not tapers:
        return
    before = [i for i, w in enumerate(weeks[: tapers[0]]) if w.phase in BUILDING]
    if not before:
        r.add("weeks", "a taper needs training weeks before it")
        return
    pre = before[-1]
    reference = _total_sets(weeks[pre])
    for i in tapers:
        total = _total_sets(weeks[i])
        if not TAPER_MIN_FRACTION * reference <= total <= TAPER_MAX_FRACTION * reference:
            r.add(
                f"weeks[{i}]",
                f"taper has {total} sets against the {reference} of week {pre + 1}, the last "
                f"before the taper: a taper keeps {TAPER_MIN_FRACTION:.0%}-"
                f"{TAPER_MAX_FRACTION:.0%} of it",
            )
        _taper_parts(i, weeks[i], weeks[pre], r)
        if weeks[i].target_rpe < TAPER_MIN_RPE:
            r.add(
                f"weeks[{i}].target_rpe",
                f"taper RPE {weeks[i].target_rpe} below {TAPER_MIN_RPE}: a taper keeps intensity",
            )
    last_before = _top_percent(weeks[before[-1]])
    e1rm = {e.lift: e.e1rm for e in program.analysis.lifts}
    for lift, top in _top_percent(weeks[tapers[-1]]).items():
        prior = last_before.get(lift)
        # Plate rounding moves a light lift's percentage a lot: allow two plate steps.
        slack = TAPER_INTENSITY_DROP
        if e1rm.get(lift):
            slack += 200 * program.analysis.plate_increment / e1rm[lift]
        if prior is not None and top < prior - slack:
            r.add(
                f"weeks[{tapers[-1]}]",
                f"taper drops {lift.value} from {prior} % to {top} % of e1RM: keep intensity",
            )


def _part_sets(week: Week) -> dict[str, int]:
    """Strength sets per competition lift (by exercise id), and of everything else."""
    out: dict[str, int] = defaultdict(int)
    for day in week.days:
        for ex in day.exercises:
            entry = CATALOG.get(ex.exercise_id)
            if entry is None or not credits(ex.exercise_id):
                continue
            out[ex.exercise_id if entry.lift in TEST_ORDER else ACCESSORIES] += ex.sets
    return out


def _taper_parts(i: int, week: Week, reference: Week, r: Reporter) -> None:
    """Every competition lift and the accessories as a whole keep at most
    TAPER_MAX_FRACTION of their pre-taper sets (a lift done as one set keeps it): the
    cut is not left to the accessories alone, nor to the lifts."""
    now, then = _part_sets(week), _part_sets(reference)
    for part, before in then.items():
        after = now.get(part, 0)
        if after > max(1.0, TAPER_MAX_FRACTION * before):
            what = "the accessories" if part == ACCESSORIES else part
            r.add(
                f"weeks[{i}]",
                f"taper keeps {after} of the {before} sets of {what} in the week before it: "
                f"cut to at most {TAPER_MAX_FRACTION:.0%}",
            )


def _top_percent(week: Week) -> dict[Lift, float]:
    top: dict[Lift, float] = {}
    for day in week.days:
        for ex in day.exercises:
            entry = CATALOG.get(ex.exercise_id)
            if entry is None or entry.lift is None or ex.load_percent_e1rm is None:
                continue
            top[entry.lift] = max(top.get(entry.lift, 0.0), ex.load_percent_e1rm)
    return top


def assistance_reps(program: Program, profile: Profile, r: Reporter) -> None:
    """Only the competition lifts go heavy: every other strength compound stays at
    ASSISTANCE_REPS or more reps (pipeline.periodization; docs/science.md, "Phases and
    peaking")."""
    bar = BAR_WEIGHT[profile.unit]
    for i, week in enumerate(program.weeks):
        for j, day in enumerate(week.days):
            for k, ex in enumerate(day.exercises):
                if ex.reps_max >= ASSISTANCE_REPS.low or not _assistance(ex.exercise_id):
                    continue
                # The empty bar with fewer reps is a light lifter's load, not a peak
                # (pipeline.variants): its reps follow the bar.
                if not (CATALOG[ex.exercise_id].loading is Loading.BARBELL and ex.load == bar):
                    r.add(
                        f"weeks[{i}].days[{j}].exercises[{k}].reps_max",
                        f"{ex.exercise_id} at {ex.reps_min}-{ex.reps_max} reps: assistance "
                        f"work stays at {ASSISTANCE_REPS.low}-{ASSISTANCE_REPS.high}",
                    )


@lru_cache(maxsize=512)
def _assistance(exercise_id: str) -> bool:
    """A strength compound that is not a competition lift."""
    entry = CATALOG.get(exercise_id)
    return (
        entry is not None
        and entry.compound
        and bool(credits(exercise_id))
        and entry.lift not in TEST_ORDER
    )


def peak_volume(program: Program, profile: Profile, r: Reporter) -> None:
    """Past accumulation no muscle gets more weekly sets than its accumulation peak, so
    accessories do not keep rising into the peak."""
    acc = [w for w in program.weeks if w.phase is Phase.ACCUMULATION]
    if not acc:
        return
    ceiling: dict[str, int] = defaultdict(int)
    for w in acc:
        for ms in w.weekly_sets:
            ceiling[ms.muscle.value] = max(ceiling[ms.muscle.value], ms.sets)
    for i, w in enumerate(program.weeks):
        if w.phase not in (Phase.INTENSIFICATION, Phase.REALIZATION, Phase.TAPER):
            continue
        for ms in w.weekly_sets:
            if ms.sets > ceiling[ms.muscle.value]:
                r.add(
                    f"weeks[{i}].weekly_sets.{ms.muscle.value}",
                    f"{ms.sets} sets in {w.phase.value}, above the accumulation peak of "
                    f"{ceiling[ms.muscle.value]}",
                )


def heavy_days(program: Program, profile: Profile, r: Reporter) -> None:
    """In every training week (above all a block's intensification, realization and
    taper) the heaviest squat and deadlift sets (<= 5 reps) fall on different days."""
    for i, week in enumerate(program.weeks):
        if week.phase not in HEAVY_PHASES:
            continue
        for j, day in enumerate(week.days):
            heavy = {
                CATALOG[ex.exercise_id].lift
                for ex in day.exercises
                if ex.exercise_id in CATALOG and ex.reps_max <= HEAVY_REPS
            }
            if Lift.SQUAT in heavy and Lift.DEADLIFT in heavy:
                r.add(
                    f"weeks[{i}].days[{j}]",
                    f"heavy squat and heavy deadlift (<= {HEAVY_REPS} reps) on the same day",
                )


def attempts(program: Program, profile: Profile, r: Reporter) -> None:
    """A taper ends with a test day of three rising attempts per competition lift the
    program trains: opener about 90-93 %, third at most about 102 % of e1RM."""
    weeks = program.weeks
    trained = {
        ex.exercise_id
        for w in weeks
        for d in w.days
        for ex in d.exercises
        if ex.exercise_id in CATALOG and CATALOG[ex.exercise_id].lift in TEST_ORDER
    }
    test = program.test_day
    ends_in_taper = bool(weeks) and weeks[-1].phase is Phase.TAPER
    if test is None:
        if ends_in_taper and trained:
            r.add("test_day", "a taper ends with a test day of the competition lifts")
        return
    if not ends_in_taper or test.week != len(weeks):
        r.add("test_day.week", f"week {test.week}: a test day ends the final taper week")
    by_exercise: dict[str, list[int]] = defaultdict(list)
    for k, a in enumerate(test.attempts):
        by_exercise[a.exercise_id].append(k)
        if a.exercise_id not in trained:
            r.add(f"test_day.attempts[{k}]", f"{a.exercise_id} is not a trained competition lift")
        entry = CATALOG.get(a.exercise_id)
        bar = BAR_WEIGHT[profile.unit]
        barbell = entry is not None and entry.loading is Loading.BARBELL
        if barbell and a.load is not None and a.load < bar:
            r.add(f"test_day.attempts[{k}].load", f"{a.load} is below the empty bar {bar}")
    for ex_id, idx in by_exercise.items():
        group = [test.attempts[k] for k in idx]
        if [a.number for a in group] != [1, 2, 3]:
            r.add("test_day.attempts", f"{ex_id}: attempts must be numbered 1, 2, 3")
            continue
        pct = [a.percent_e1rm for a in group]
        if all(p is not None for p in pct):
            values = [p for p in pct if p is not None]
            if not values[0] < values[1] < values[2]:
                r.add("test_day.attempts", f"{ex_id}: attempt percentages must rise")
            if group[0].reps == 1 and not OPENER_RANGE[0] <= values[0] <= OPENER_RANGE[1]:
                r.add("test_day.attempts", f"{ex_id}: opener at {values[0]} % of e1RM")
            if values[2] > THIRD_MAX:
                r.add("test_day.attempts", f"{ex_id}: third attempt at {values[2]} % of e1RM")
        rpes = [a.target_rpe for a in group]
        if rpes != sorted(rpes) or rpes[-1] > RPE_MAX:
            r.add("test_day.attempts", f"{ex_id}: attempt RPEs must rise to at most {RPE_MAX}")
