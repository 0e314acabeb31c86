"""Peaking: the phases of a block, its taper, the test day, heavy squat and deadlift days.

docs/science.md, "Phases and peaking". A block runs accumulation -> intensification ->
realization (Issurin 2010, "New horizons for the methodology and physiology of training
periodization", Sports Med 40:189); a strength block then tapers and ends in a test (or
meet) day instead of a generic deload.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from programgen.pipeline.analysis import BAR_WEIGHT, round_to_increment
from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.domain import (
    Attempt,
    Goal,
    Lift,
    LiftEstimate,
    Phase,
    Profile,
    TestDay,
)
from programgen.pipeline.rpe_chart import percent_1rm

# Goals whose block ends in a taper and a test day; other block programs (hypertrophy,
# fitness) end in a deload, as a test of maximal strength is not what they train for.
TAPER_GOALS = frozenset({Goal.POWERLIFTING_PEAK, Goal.GENERAL_STRENGTH})

# Volume per phase as a fraction of the accumulation peak. Intensification and
# realization step volume down as loads rise (block practice after Issurin 2010; the
# exact 0.9 / 0.85 are engine values, chosen so the taper's cut stays within about
# 30-50 % of the accumulation peak as well), so accessories no longer climb into the peak.
PHASE_VOLUME_FACTOR: Mapping[Phase, float] = {
    Phase.ACCUMULATION: 1.0,
    Phase.INTENSIFICATION: 0.9,
    Phase.REALIZATION: 0.85,
    Phase.DELOAD: 1.0,  # the deload is planned from MV by construction, not scaled
}
# A taper week keeps TAPER_FRACTION of the sets of the last training week BEFORE the
# taper (not of the heaviest week: the cut a lifter feels is against the week just
# done): 0.6 per muscle, a 40 % cut with intensity kept (pipeline.volume_plan.taper_slots).
# Bosquet, Montpetit, Arvisais & Mujika 2007 (Med Sci Sports Exerc 39:1358,
# meta-analysis): the best tapers cut volume by 41-60 % and keep intensity; Pritchard,
# Keogh, Barnes & McGuigan 2015 (review of strength tapers; journal cited from memory as
# Strength Cond J 37(2):72, not checked against the paper): cut
# volume by about 30-70 %, keep intensity, 1-2 weeks suffice; the project aims at 30-50 %
# (docs/science.md, "Phases and peaking"). A two-week taper holds both weeks at that level.
TAPER_FRACTION = 0.6
# Each competition lift, and a muscle's accessories together, keep at most 75 % of their
# pre-taper sets (the validator's TAPER_MAX_FRACTION): the lifts are cut too (fewer sets
# at the same %1RM), and the rest of a muscle's cut falls on its accessories first
# (Pritchard et al. 2015: cut the volume, keep the specific heavy work).
TAPER_LIFT_MAX = 0.75
# A major muscle keeps at least 2 direct sets in a taper week (below MV: see
# TAPER_COVERAGE_SETS in pipeline.accounting).
TAPER_MIN_DIRECT = 2
# The validator accepts a taper week with 45-75 % of the pre-taper week's sets (a cut of
# 25-55 %): the engine's 40 % plus rounding and per-day minimum sets.
TAPER_MIN_FRACTION, TAPER_MAX_FRACTION = 0.45, 0.75
# Taper effort: RIR 2 (RPE 8). Heavy singles to triples at RPE 8 keep the loads of the
# peak (about 86-92 % 1RM on the RPE chart) while fatigue falls (Pritchard et al. 2015).
TAPER_RIR = 2
TAPER_MIN_RPE = 7.0

# A set of at most this many reps counts as the day's heavy squat or deadlift work. On a
# training day with both lifts heavy (any phase but a deload; in a block's intensification,
# realization and taper above all) one of them runs HEAVY_SHIFT reps higher (lighter)
# so the heaviest squat and deadlift sets fall on different days: both load the spinal
# erectors and hips, and separating them is standard peaking practice (coaching
# convention, e.g. Sheiko's and Tuchscherer's templates; no trial compares it).
HEAVY_REPS = 5
HEAVY_SHIFT = 3
HEAVY_PHASES = frozenset(
    {Phase.ACCUMULATION, Phase.INTENSIFICATION, Phase.REALIZATION, Phase.TAPER}
)

# Test-day attempts as % of e1RM: opener ~92 % (about a single at RPE 8 on the RTS
# chart: a weight the lifter makes on a bad day), second ~97 %, third ~101 % (a small
# best). COACHING CONVENTION (commonly taught opener 90-93 %, second 95-98 %, third
# 100-102 %), not a study result.
ATTEMPT_PERCENTS = (92.0, 97.0, 101.0)
ATTEMPT_RPES = (8.0, 9.0, 10.0)
# Beginners test a 3-rep max instead of singles (periodization.BEGINNER_MIN_REPS): three
# triples at RPE 7, 8.5 and 9.5 (percentages from the RPE chart).
BEGINNER_TEST_REPS = 3
BEGINNER_ATTEMPT_RPES = (7.0, 8.5, 9.5)
# Meet order: squat, bench press, deadlift (IPF Technical Rules).
TEST_ORDER = (Lift.SQUAT, Lift.BENCH_PRESS, Lift.DEADLIFT)
# How the test-day note and the summary name them.
LIFT_NAMES = {Lift.SQUAT: "squat", Lift.BENCH_PRESS: "bench press", Lift.DEADLIFT: "deadlift"}


def name_list(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def volume_factors(phases: Sequence[Phase]) -> list[float]:
    """Each week's volume as a fraction of the accumulation peak: the phase's factor, and
    for a taper week TAPER_FRACTION of the last week before the taper."""
    out: list[float] = []
    before = 1.0
    for phase in phases:
        if phase is Phase.TAPER:
            out.append(round(TAPER_FRACTION * before, 4))
            continue
        before = PHASE_VOLUME_FACTOR[phase]
        out.append(before)
    return out


def block_phases(weeks: int, goal: Goal) -> list[Phase]:
    """The phase of every week of a block of `weeks` weeks (4..8)."""
    if goal in TAPER_GOALS:
        taper = 2 if weeks >= 8 else 1
        realization = 1 if weeks >= 5 else 0
        end = [Phase.REALIZATION] * realization + [Phase.TAPER] * taper
    else:
        end = [Phase.DELOAD]
    rest = weeks - len(end)
    accumulation = (rest + 1) // 2
    return (
        [Phase.ACCUMULATION] * accumulation + [Phase.INTENSIFICATION] * (rest - accumulation) + end
    )


def heavy_pairs(days: Sequence[set[Lift]], week: int) -> set[tuple[int, Lift]]:
    """(day index, lift) for squat and deadlift work that may run heavy in a week.

    A day with only one of the two runs it heavy; on a day with both, the lift with fewer
    heavy days so far runs heavy (ties alternate with the week), so each lift gets its
    heavy days and no day has both.
    """
    heavy: set[tuple[int, Lift]] = set()
    count = {Lift.SQUAT: 0, Lift.DEADLIFT: 0}
    shared: list[int] = []
    for i, lifts in enumerate(days):
        both = Lift.SQUAT in lifts and Lift.DEADLIFT in lifts
        if both:
            shared.append(i)
            continue
        for lift in (Lift.SQUAT, Lift.DEADLIFT):
            if lift in lifts:
                heavy.add((i, lift))
                count[lift] += 1
    for n, i in enumerate(shared):
        first, second = (Lift.SQUAT, Lift.DEADLIFT)
        if (week + n) % 2:
            first, second = second, first
        pick = first if count[first] <= count[second] else second
        heavy.add((i, pick))
        count[pick] += 1
    return heavy


def build_test_day(
    profile: Profile,
    week: int,
    exercise_ids: Sequence[str],
    estimates: Sequence[LiftEstimate],
    increment: float,
) -> TestDay | None:
    """The test day ending the taper: the competition lifts the program trains, three
    attempts each; None when the program trains none of them."""
    by_lift = {CATALOG[i].lift: i for i in exercise_ids if CATALOG[i].lift in TEST_ORDER}
    known = {e.lift: e for e in estimates if not e.uncertain}
    beginner = profile.experience.value == "beginner"
    attempts: list[Attempt] = []
    for lift in TEST_ORDER:
        ex_id = by_lift.get(lift)
        if ex_id is None:
            continue
        for n in range(3):
            if beginner:
                reps, rpe = BEGINNER_TEST_REPS, BEGINNER_ATTEMPT_RPES[n]
                percent = percent_1rm(reps, rpe)
            else:
                reps, rpe, percent = 1, ATTEMPT_RPES[n], ATTEMPT_PERCENTS[n]
            estimate = known.get(lift)
            load = None  # unknown or uncertain e1RM: the percentages are of the lifter's best
            if estimate is not None:
                raw = estimate.e1rm * percent / 100
                load = max(BAR_WEIGHT[profile.unit], round_to_increment(raw, increment))
            attempts.append(
                Attempt(
                    exercise_id=ex_id,
                    name=CATALOG[ex_id].name,
                    number=n + 1,
                    reps=reps,
                    percent_e1rm=round(percent, 1),
                    load=load,
                    target_rpe=rpe,
                )
            )
    if not attempts:
        return None
    what = "three-rep maxes" if beginner else "singles"
    tested = [LIFT_NAMES[lift] for lift in TEST_ORDER if lift in by_lift]
    order = " in meet order" if len(tested) > 1 else ""
    return TestDay(
        week=week,
        note=(
            f"Test day at the end of week {week}, at least two days after its last session: "
            f"{what} of the {name_list(tested)}{order}, 3 attempts each with "
            "5-8 min rest. Warm up to the opener in 4-6 sets. Take the second attempt only "
            "if the opener moved at or below its RPE, the third only if the second did; "
            "otherwise repeat the weight. Attempt percentages are a coaching convention "
            "(opener about 90-93 %, second 95-98 %, third 100-102 % of e1RM)."
        ),
        attempts=attempts,
    )
