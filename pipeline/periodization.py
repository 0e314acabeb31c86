"""Stage 4, periodization: the model, the mesocycle length, and a plan for every week.

The plan fixes per week: phase, reps in reserve (RIR) and RPE, how far volume has
progressed from its start (0) to its peak (1), a volume factor for the phase, and the
rep ranges for each training day. Construction turns volume progress and factor into
sets; autoregulation turns reps and RIR into loads.

Phases (docs/science.md, "Phases and peaking"): linear and undulating programs are
accumulation weeks then a deload; a block runs accumulation -> intensification ->
realization and, for strength goals, a taper ending in a test day (pipeline.peaking).
Volume never falls across accumulation weeks (it ramps, then holds), RIR never rises
from accumulation to realization, so RPE never falls there.
"""

from __future__ import annotations

from programgen.pipeline.domain import (
    Experience,
    FrozenModel,
    Goal,
    Lift,
    Periodization,
    PeriodizationModel,
    Phase,
    Profile,
)
from programgen.pipeline.peaking import (
    TAPER_FRACTION,
    TAPER_RIR,
    block_phases,
    volume_factors,
)
from programgen.pipeline.splits import choose_split
from programgen.pipeline.volume import recovery_factor


class RepRange(FrozenModel):
    low: int
    high: int


# The powerlifting competition lifts: the only ones taken to singles in a peak.
COMPETITION_LIFTS = frozenset({Lift.SQUAT, Lift.BENCH_PRESS, Lift.DEADLIFT})


class DayReps(FrozenModel):
    compound: RepRange  # the competition lifts (and, outside a peak, every compound)
    assistance: RepRange  # every other compound
    isolation: RepRange
    label: str  # "heavy", "moderate", "light" or the block's name


class WeekPlan(FrozenModel):
    week: int  # 1-based
    phase: Phase
    rir: int
    rpe: float
    volume_progress: float  # 0 = start volume (about MEV), 1 = peak volume
    # Multiplies the sets the ramp gives this week (1 in accumulation; below 1 as a block
    # intensifies and tapers: pipeline.peaking.volume_factors). Construction applies
    # it to every muscle's weekly sets; the deload is planned from MV instead.
    volume_factor: float = 1.0
    days: list[DayReps]


class PeriodizationPlan(FrozenModel):
    periodization: Periodization
    weeks: list[WeekPlan]


# Base rep ranges (compound, isolation) per goal. ACSM position stand "Progression models
# in resistance training for healthy adults" (Med Sci Sports Exerc 2009, 41:687):
# strength 1-6 reps at >= 80-85 % 1RM, hypertrophy 6-12, endurance 10-25, novices 8-12.
# Isolation work sits higher because low-rep single-joint sets mostly add joint stress.
_BASE_REPS: dict[Goal, tuple[tuple[int, int], tuple[int, int]]] = {
    Goal.HYPERTROPHY: ((6, 10), (10, 15)),
    Goal.GENERAL_STRENGTH: ((4, 6), (8, 12)),
    Goal.POWERLIFTING_PEAK: ((3, 5), (8, 12)),
    Goal.ATHLETIC_POWER: ((3, 5), (8, 12)),
    Goal.GENERAL_FITNESS: ((8, 12), (12, 15)),
    Goal.FAT_LOSS: ((8, 12), (12, 15)),
    Goal.ENDURANCE: ((12, 15), (15, 20)),
}

# Mesocycle length when the athlete does not choose one: RP mesocycles of 4-6 weeks of
# accumulation plus a deload (Israetel, Hoffmann & Smith 2021, "Scientific Principles of
# Hypertrophy Training"); a strength peak gets a longer block sequence (Issurin 2010).
_DEFAULT_WEEKS = {Experience.BEGINNER: 5, Experience.INTERMEDIATE: 6, Experience.ADVANCED: 6}
_PEAK_WEEKS = 7

# Reps in reserve start at 3 and fall week by week, the RIR-based progression of Helms,
# Cronin, Storey & Zourdos 2016 (Strength Cond J 38(4):42) and RP's mesocycles. docs/science.md
# says "about 3 -> 0-1"; the engine ends accumulation at RIR 1 (RPE 9) and never plans
# RPE 10: sets taken to failure cost far more recovery than sets stopped 1-2 reps short
# (Moran-Navarro et al. 2017, Eur J Appl Physiol 117:2387) for about the same growth
# (Refalo et al. 2023 meta-analysis, Sports Med 53:649), and the block peaks at RPE 9
# singles to triples, the usual opener-like intensity, rather than grinding RPE-10
# singles several times a week.
START_RIR = 3
END_RIR = 1
# Deliberate deviation from the usual "RIR 0-1" (docs/science.md): beginners and athletes
# with poor recovery
# stop at RIR 2 (RPE 8). Novices misjudge how close to failure they are, mostly by
# underestimating the reps left (Zourdos et al. 2016, J Strength Cond Res 30:267: RIR
# ratings are less accurate in less experienced lifters and further from failure), and
# progress on moderate effort anyway (ACSM 2009 position stand, Med Sci Sports Exerc
# 41:687: novices at 60-70 % 1RM for 8-12 reps). Poor recovery: slower recovery after
# near-failure work is exactly what a low recovery factor predicts (Moran-Navarro 2017).
END_RIR_CONSERVATIVE = 2
# "Poor recovery" = pipeline.volume.recovery_factor <= 0.85: for a lifter of 1-3 training
# years (factor 1.0) one major penalty on its own (sleep under 6 h, age 60-69, stress
# 9+) or several smaller ones together (e.g. 6-7 h of sleep with stress 7-8). At that
# point the athlete's MRV is already cut by 15 % or more, and near-failure sets would
# draw on the same shrunken recovery budget; a single milder penalty (6-8 h of sleep,
# stress 4-8, age 50-59: 0.88-0.97) does not count. Engine threshold, not a published
# cut-off.
POOR_RECOVERY_FACTOR = 0.85
# Beginners never go below triples, even in a peak: 1-2 rep maxes need practised
# technique under heavy loads (engine rule, in the spirit of ACSM 2009's novice range).
BEGINNER_MIN_REPS = 3
# Deload: RIR 4 = RPE 6, the project's ceiling for a deload (docs/science.md).
DELOAD_RIR = 4


def total_weeks(profile: Profile) -> int:
    """Weeks in the mesocycle, deload included (4..8)."""
    if profile.program_weeks is not None:
        return profile.program_weeks
    if profile.goal is Goal.POWERLIFTING_PEAK:
        return _PEAK_WEEKS
    return _DEFAULT_WEEKS[profile.experience]


def choose_model(profile: Profile) -> PeriodizationModel:
    if profile.goal is Goal.POWERLIFTING_PEAK or profile.experience is Experience.ADVANCED:
        return PeriodizationModel.BLOCK
    if profile.experience is Experience.BEGINNER:
        return PeriodizationModel.LINEAR
    # Daily undulation needs each muscle in at least two differently-loaded sessions a
    # week; with two sessions the variation moves across weeks instead.
    if profile.days_per_week >= 3:
        return PeriodizationModel.DAILY_UNDULATING
    return PeriodizationModel.WEEKLY_UNDULATING


def _half_up(x: float) -> int:
    return int(x + 0.5)


def _schemes(goal: Goal) -> dict[str, RepRange]:
    (lo, hi), _ = _BASE_REPS[goal]
    mid = (lo + hi) // 2
    return {
        "heavy": RepRange(low=max(1, lo - 1), high=lo + 1),
        "moderate": RepRange(low=max(1, mid - 1), high=mid + 1),
        "light": RepRange(low=hi, high=hi + 3),
    }


def _isolation(goal: Goal) -> RepRange:
    _, (lo, hi) = _BASE_REPS[goal]
    return RepRange(low=lo, high=hi)


# Undulating order of the A/B/C variants: heavy first (freshest), light in between so
# two heavy sessions never follow each other (engine heuristic after Zourdos et al. 2016,
# J Strength Cond Res 30:784, who compared daily orders).
_DUP_ORDER = ("heavy", "light", "moderate")
# Weekly undulation climbs light -> moderate -> heavy within each 3-week wave while
# RIR falls.
_WUP_ORDER = ("light", "moderate", "heavy")


# Assistance compounds (every compound but the competition lifts: rows, pulldowns, dips,
# presses, leg presses, close variants) stay at moderate reps on a day whose compound range
# is a strength range (top at most 6 reps: ACSM 2009's 1-6 reps at >= 80-85 % 1RM): 6-10
# reps. Only the lifts being peaked need heavy singles to sixes; assistance work builds
# muscle at moderate reps with less joint strain (Schoenfeld et al. 2014, J Strength Cond
# Res 28:2909: 7 x 3 vs 3 x 10, equal strength on the bench and squat, more joint
# complaints in the heavy group). The 6-10 range is coaching practice (e.g. Helms, Morgan
# & Valdez, "The Muscle and Strength Pyramid: Training", 2019), not a trial result.
STRENGTH_RANGE_TOP = 6
ASSISTANCE_REPS = RepRange(low=6, high=10)


def _day(
    compound: RepRange, isolation: RepRange, label: str, assistance: RepRange | None = None
) -> DayReps:
    assistance = assistance or compound
    if assistance.high <= STRENGTH_RANGE_TOP:
        assistance = ASSISTANCE_REPS
    return DayReps(
        compound=compound,
        assistance=assistance,
        isolation=isolation,
        label=label,
    )


def _floor_reps(day: DayReps, minimum: int) -> DayReps:
    """The day's rep ranges with no set below `minimum` reps."""

    def floor(r: RepRange) -> RepRange:
        return RepRange(low=max(r.low, minimum), high=max(r.high, minimum))

    return day.model_copy(
        update={
            "compound": floor(day.compound),
            "assistance": floor(day.assistance),
            "isolation": floor(day.isolation),
        }
    )


def _progress(i: int, n: int) -> float:
    return 1.0 if n <= 1 else i / (n - 1)


def _linear_reps(goal: Goal, p: float) -> RepRange:
    # Reps fall (load rises) week by week: from 2 above the goal's top to 1 above its
    # bottom (classic linear progression, Rhea & Alderman 2004, Res Q Exerc Sport 75:413).
    (lo, hi), _ = _BASE_REPS[goal]
    top, bottom = hi + 2, lo + 1
    high = _half_up(top - (top - bottom) * p)
    return RepRange(low=max(1, high - 2), high=high)


def _rationale(profile: Profile, model: PeriodizationModel, phases: list[Phase]) -> str:
    why = {
        PeriodizationModel.LINEAR: (
            "Linear: as a beginner you can add load every week, so reps fall a little "
            "each week while load rises; it is the simplest model to follow and works as "
            "well as any for novices (Rhea & Alderman 2004)."
        ),
        PeriodizationModel.DAILY_UNDULATING: (
            "Daily undulating: for intermediates, rotating heavy, light and moderate "
            "sessions within the week beats a purely linear plan (Rhea et al. 2002; "
            "Williams et al. 2017 meta-analysis)."
        ),
        PeriodizationModel.WEEKLY_UNDULATING: (
            "Weekly undulating: intermediates benefit from varying loading, and with two "
            "sessions a week the light/moderate/heavy rotation runs week to week."
        ),
        PeriodizationModel.BLOCK: (
            "Block: sequential blocks concentrate on one quality at a time - volume "
            "(accumulation), then intensity (intensification)"
            + (", then a peak (realization)" if Phase.REALIZATION in phases else "")
            + " - which suits advanced lifters and strength peaking (Issurin 2010)."
        ),
    }[model]
    last_rir, why_rir = _end_rir(profile)
    weeks = len(phases)
    building = sum(ph not in (Phase.TAPER, Phase.DELOAD) for ph in phases)
    counts = ", ".join(
        f"{phases.count(ph)} {ph.value}" for ph in dict.fromkeys(phases) if ph is not Phase.DELOAD
    )
    text = (
        f"{why} Phases: {counts}. Over the first {building} weeks reps in reserve fall "
        f"from {START_RIR} to {last_rir}{why_rir}; weekly hard sets rise from about MEV "
        "toward (never above) MRV through accumulation"
    )
    if phases[-1] is Phase.DELOAD:
        return text + (
            f"; week {weeks} is a deload at about maintenance volume and RPE 6 or less to "
            "shed fatigue before the next block."
        )
    return text + (
        ", then step down as loads rise; the last "
        f"{phases.count(Phase.TAPER)} week(s) taper: about {1 - TAPER_FRACTION:.0%} fewer sets "
        f"than the week before the taper, at RPE "
        f"{10 - TAPER_RIR:g}, keeping the heavy loads (Bosquet et al. 2007; Pritchard et al. "
        "2015), and end with a test day where the program trains a competition lift."
    )


def _end_rir(profile: Profile) -> tuple[int, str]:
    """Reps in reserve in the last accumulation week (see END_RIR), and why."""
    if profile.experience is Experience.BEGINNER:
        return END_RIR_CONSERVATIVE, (
            " (2, not 1: as a beginner you gain plenty without going that close to failure, "
            "and judging reps in reserve gets accurate with practice)"
        )
    if recovery_factor(profile) <= POOR_RECOVERY_FACTOR:
        return END_RIR_CONSERVATIVE, (
            " (2, not 1: your sleep, stress or age point to slower recovery, and sets "
            "close to failure cost the most recovery)"
        )
    return END_RIR, ""


def end_rir(profile: Profile) -> int:
    """Reps in reserve in the last accumulation week: 1, or 2 for a beginner or an athlete
    with poor recovery (see END_RIR_CONSERVATIVE)."""
    return _end_rir(profile)[0]


def _week_days(
    profile: Profile, model: PeriodizationModel, phase: Phase, i: int, p: float
) -> list[DayReps]:
    """The rep ranges of each training day of training week `i` (0-based)."""
    split = choose_split(profile)
    schemes = _schemes(profile.goal)
    isolation = _isolation(profile.goal)
    if model is PeriodizationModel.LINEAR:
        return [_day(_linear_reps(profile.goal, p), isolation, "") for _ in split.days]
    if model is PeriodizationModel.DAILY_UNDULATING:
        return [
            _day(schemes[_DUP_ORDER[day.variant % 3]], isolation, _DUP_ORDER[day.variant % 3])
            for day in split.days
        ]
    if model is PeriodizationModel.WEEKLY_UNDULATING:
        label = _WUP_ORDER[i % 3]
        return [_day(schemes[label], isolation, label) for _ in split.days]
    assistance = None
    if phase is Phase.ACCUMULATION:
        reps = schemes["light"]
    elif phase is Phase.INTENSIFICATION:
        reps = schemes["heavy"]
    else:
        # Realization and taper: singles to triples on the competition lifts only
        # (Issurin 2010; 1-3 reps at >= 90 % 1RM is the usual peaking range), never to
        # failure; beginners stay at triples (BEGINNER_MIN_REPS). Assistance compounds
        # stay at moderate reps (ASSISTANCE_REPS, set by _day).
        reps = RepRange(low=1, high=3)
        assistance = schemes["moderate"]
    return [_day(reps, isolation, phase.value, assistance) for _ in split.days]


def _phases(profile: Profile, model: PeriodizationModel, weeks: int) -> list[Phase]:
    if model is PeriodizationModel.BLOCK:
        return block_phases(weeks, profile.goal)
    return [Phase.ACCUMULATION] * (weeks - 1) + [Phase.DELOAD]


def plan_periodization(profile: Profile) -> PeriodizationPlan:
    weeks = total_weeks(profile)
    model = choose_model(profile)
    phases = _phases(profile, model, weeks)
    last_rir = end_rir(profile)
    building = [ph for ph in phases if ph not in (Phase.TAPER, Phase.DELOAD)]
    acc_weeks = phases.count(Phase.ACCUMULATION)
    factors = volume_factors(phases)

    plans: list[WeekPlan] = []
    for i, phase in enumerate(phases):
        if phase is Phase.DELOAD:
            # Deload: the first week's rep ranges at RIR 4 so loads drop with the volume.
            rir, volume = DELOAD_RIR, 0.0
            day_reps = [d.model_copy(update={"label": "deload"}) for d in plans[0].days]
        else:
            p = _progress(min(i, len(building) - 1), len(building))
            rir = _half_up(START_RIR - (START_RIR - last_rir) * p)
            volume = p
            if model is PeriodizationModel.BLOCK:
                # Volume ramps through accumulation, then holds at its peak while the
                # phase factor steps it down (pipeline.peaking.volume_factors).
                volume = min(1.0, _progress(i, acc_weeks)) if acc_weeks > 1 else 1.0
            if phase is Phase.TAPER:
                rir = TAPER_RIR
            day_reps = _week_days(profile, model, phase, i, p)
            if profile.experience is Experience.BEGINNER:
                day_reps = [_floor_reps(d, BEGINNER_MIN_REPS) for d in day_reps]
        plans.append(
            WeekPlan(
                week=i + 1,
                phase=phase,
                rir=rir,
                rpe=float(10 - rir),
                volume_progress=round(volume, 4),
                volume_factor=factors[i],
                days=day_reps,
            )
        )
    return PeriodizationPlan(
        periodization=Periodization(
            model=model,
            rationale=_rationale(profile, model, phases),
            total_weeks=weeks,
            accumulation_weeks=acc_weeks,
            deload_week=weeks if phases[-1] is Phase.DELOAD else 0,
        ),
        weeks=plans,
    )
