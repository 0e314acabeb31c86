"""Stage 6, autoregulation: RPE/RIR targets, loads as %e1RM, readiness adjustments.

RPE here is the RIR-based RPE scale (Zourdos et al. 2016, J Strength Cond Res 30:267;
Helms, Cronin, Storey & Zourdos 2016, Strength Cond J 38(4):42): RPE = 10 - RIR.
Loads, load kinds and progression rules come from pipeline.loads and
pipeline.progression (the RPE chart's diagonal, never below the empty bar, fixed-load
reps that only rise with effort). In the heavy phases of a block the heaviest squat and
deadlift sets fall on different days (pipeline.peaking.heavy_pairs), and a block that
tapers ends with a test day.

Every exercise of a week carries the week's RPE/RIR (the validator checks it), and no
planned RPE, nor any readiness adjustment of it, goes past 10.
"""

from __future__ import annotations

from programgen.pipeline.accounting import muscle_sets, session_minutes, week_hard_sets
from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.construction import Construction, DayPlan, Slot
from programgen.pipeline.domain import (
    FrozenModel,
    LoadKind,
    Phase,
    PrescribedExercise,
    Profile,
    ProfileAnalysis,
    Readiness,
    ReadinessAdjustment,
    TestDay,
    TrainingDay,
    Unit,
    Week,
)
from programgen.pipeline.loads import coarse_note, prescribe
from programgen.pipeline.peaking import build_test_day
from programgen.pipeline.periodization import PeriodizationPlan, WeekPlan
from programgen.pipeline.progression import LoadContext, Prescribed
from programgen.pipeline.rpe_chart import CHART_TOLERANCE, percent_1rm
from programgen.pipeline.warmups import with_warmups
from programgen.pipeline.week_reps import (
    HeavyLifts,
    day_lifts,
    decide,
    heavy_by_day,
    load_context,
)

__all__ = ["Autoregulated", "autoregulate", "load_context", "prescription", "readiness_table"]

# The RIR-based RPE scale as used here: 5 (5+ reps in reserve) to 10 (no rep left)
# (Zourdos et al. 2016).
RPE_MIN, RPE_MAX = 5.0, 10.0


class Autoregulated(FrozenModel):
    weeks: list[Week]
    readiness: list[ReadinessAdjustment]
    test_day: TestDay | None = None


# Readiness: the session's RPE target moves by rpe_delta and its sets scale by
# volume_factor. Signs and RPE shifts follow the RIR-based autoregulation practice of
# Helms et al. 2016 and Greig et al. 2020 (Sports Med 50:1873); the volume factors are
# an engine heuristic (drop about a set in five when low, half the work when very low).
# On a high-readiness day the planned RPE may rise by this much, but never past RPE_MAX.
HIGH_READINESS_RPE_DELTA = 0.5
_HIGH_SIGNS = "Slept well, little soreness, warm-up sets move fast and feel light."
_OTHER_READINESS: tuple[ReadinessAdjustment, ...] = (
    ReadinessAdjustment(
        readiness=Readiness.NORMAL,
        signs="Usual sleep and energy, normal soreness.",
        adjustment="Train as planned.",
        rpe_delta=0.0,
        volume_factor=1.0,
    ),
    ReadinessAdjustment(
        readiness=Readiness.LOW,
        signs="Short sleep, lingering soreness, warm-ups feel heavy or slow.",
        adjustment="Aim one RPE lower and drop about one set in five.",
        rpe_delta=-1.0,
        volume_factor=0.8,
    ),
    ReadinessAdjustment(
        readiness=Readiness.VERY_LOW,
        signs="Ill, very poor sleep, unusual pain or extreme stress.",
        adjustment=(
            "Aim two RPE lower and do half the sets, or swap the session for easy "
            "technique and mobility work; skip it when ill."
        ),
        rpe_delta=-2.0,
        volume_factor=0.5,
    ),
)


def readiness_table(max_planned_rpe: float) -> list[ReadinessAdjustment]:
    """The readiness levels for a program whose highest planned RPE is `max_planned_rpe`:
    a high-readiness day never pushes any planned RPE past RPE_MAX."""
    delta = max(0.0, min(HIGH_READINESS_RPE_DELTA, RPE_MAX - max_planned_rpe))
    if delta >= HIGH_READINESS_RPE_DELTA:
        adjustment = "Keep the planned sets; top sets may go half an RPE higher, never past 10."
    elif delta > 0:
        adjustment = f"Keep the planned sets; top sets may go up to {delta:g} RPE higher, to 10."
    else:
        adjustment = "Keep the planned sets and RPE: the plan already reaches RPE 10."
    high = ReadinessAdjustment(
        readiness=Readiness.HIGH,
        signs=_HIGH_SIGNS,
        adjustment=adjustment,
        rpe_delta=delta,
        volume_factor=1.0,
    )
    return [high, *_OTHER_READINESS]


def prescription(
    exercise_id: str,
    reps_min: int,
    reps_max: int,
    rir: int,
    first_rir: int,
    profile: Profile,
    analysis: ProfileAnalysis,
) -> Prescribed:
    """One exercise's load, load kind, reps and progression rule for a week: the one
    load rule, shared by the engine and the LLM stage's swaps."""
    ctx = load_context(profile, analysis)
    return prescribe(exercise_id, reps_min, reps_max, rir, first_rir, ctx)


def _exercise(
    slot: Slot,
    sets: int,
    week: WeekPlan,
    day: int,
    heavy: HeavyLifts,
    first_rir: int,
    ctx: LoadContext,
    taken: frozenset[str],
) -> PrescribedExercise:
    # The same decision the builder timed the session with (pipeline.week_reps).
    exercise_id, swap_note, p = decide(slot, week, day, heavy, first_rir, ctx, taken)
    return PrescribedExercise(
        exercise_id=exercise_id,
        name=CATALOG[exercise_id].name,
        sets=sets,
        reps_min=p.reps_min,
        reps_max=p.reps_max,
        target_rpe=week.rpe,
        target_rir=week.rir,
        rest_seconds=slot.rest_seconds,
        load=p.load,
        load_percent_e1rm=p.load_percent_e1rm,
        notes=" ".join(n for n in (slot.note, swap_note, p.note) if n),
        load_kind=p.load_kind,
        progression=p.progression,
        superset=slot.superset,
    )


def _day(
    day: DayPlan, week: WeekPlan, heavy: HeavyLifts, first_rir: int, ctx: LoadContext
) -> TrainingDay:
    taken = frozenset(s.exercise_id for s in day.slots)
    w = week.week - 1
    exercises = [
        _exercise(slot, slot.sets[w], week, day.day - 1, heavy, first_rir, ctx, taken)
        for slot in day.slots
        if slot.sets[w] > 0
    ]
    # Warm-up sets once the working loads are final (pipeline.warmups).
    exercises = with_warmups(exercises, ctx.profile.unit, ctx.increment)
    label = week.days[day.day - 1].label
    return TrainingDay(
        day=day.day,
        focus=day.focus if not label else f"{day.focus} ({label})",
        exercises=exercises,
        estimated_minutes=session_minutes(exercises),
    )


def _no_stalls(weeks: list[Week], unit: Unit, increment: float) -> list[Week]:
    """Where a set's reps fall week over week at the same or a higher RPE but rounding
    to the plate step left the load where it was, add the step: at an unchanged load
    fewer reps would be an easier set, not the planned one (docs/science.md,
    "Progressions")."""
    last: dict[tuple[int, str], PrescribedExercise] = {}
    out: list[Week] = []
    for week in weeks:
        days: list[TrainingDay] = []
        for d, day in enumerate(week.days):
            exercises: list[PrescribedExercise] = []
            for ex in day.exercises:
                before = last.get((d, ex.exercise_id))
                if before is not None and _stalls(before, ex):
                    ex = _step_up(before, ex, increment)
                if ex.load_kind is not LoadKind.BY_RPE:
                    # A set by RPE states no load: the next stated one is compared with
                    # the last stated one, as the validator's progression rule does.
                    last[(d, ex.exercise_id)] = ex
                exercises.append(ex)
            same = all(a is b for a, b in zip(exercises, day.exercises, strict=True))
            if not same:  # a load moved: its warm-up loads follow it, and the minutes
                exercises = with_warmups(exercises, unit, increment)
                day = day.model_copy(
                    update={"exercises": exercises, "estimated_minutes": session_minutes(exercises)}
                )
            days.append(day)
        same = all(a is b for a, b in zip(days, week.days, strict=True))
        out.append(week if same else week.model_copy(update={"days": days}))
    return out


def _step_up(
    before: PrescribedExercise, ex: PrescribedExercise, increment: float
) -> PrescribedExercise:
    """The stalled set one plate step heavier, unless that step would put it above the RPE
    chart by more than its tolerance: then by RPE, saying why (pipeline.loads)."""
    assert before.load is not None and ex.load is not None
    load = round(before.load + increment, 2)
    pct = ex.load_percent_e1rm
    if pct is not None and ex.load > 0:
        pct = round(min(100.0, pct * load / ex.load), 1)
        if ex.load_kind is LoadKind.ABSOLUTE and pct > _chart_limit(ex):
            note = coarse_note(increment * pct / load, ex.target_rpe)
            return ex.model_copy(
                update={
                    "load": None,
                    "load_percent_e1rm": None,
                    "load_kind": LoadKind.BY_RPE,
                    "notes": " ".join(n for n in (ex.notes, note) if n),
                }
            )
    return ex.model_copy(update={"load": load, "load_percent_e1rm": pct})


def _chart_limit(ex: PrescribedExercise) -> float:
    return percent_1rm(ex.reps_max, ex.target_rpe) + CHART_TOLERANCE


def _stalls(before: PrescribedExercise, ex: PrescribedExercise) -> bool:
    return (
        ex.load is not None
        and before.load is not None
        and ex.load_kind is before.load_kind
        and ex.load_kind in (LoadKind.ABSOLUTE, LoadKind.ADDED)
        and ex.target_rpe >= before.target_rpe
        and ex.load <= before.load
        and (ex.reps_max < before.reps_max or ex.reps_min < before.reps_min)
    )


def autoregulate(
    profile: Profile,
    analysis: ProfileAnalysis,
    plan: PeriodizationPlan,
    construction: Construction,
) -> Autoregulated:
    ctx = load_context(profile, analysis)
    first_rir = plan.weeks[0].rir
    lifts = day_lifts([d.slots for d in construction.days])
    weeks: list[Week] = []
    for week in plan.weeks:
        heavy = heavy_by_day(lifts, week.week)
        days = [_day(day, week, heavy[day.day - 1], first_rir, ctx) for day in construction.days]
        draft = Week(
            week=week.week,
            phase=week.phase,
            target_rpe=week.rpe,
            target_rir=week.rir,
            days=days,
            weekly_sets=[],
        )
        counted = week_hard_sets(draft)
        weeks.append(draft.model_copy(update={"weekly_sets": muscle_sets(counted)}))
    weeks = _no_stalls(weeks, profile.unit, analysis.plate_increment)
    test = None
    if plan.weeks[-1].phase is Phase.TAPER:
        ids = [ex.exercise_id for w in weeks for d in w.days for ex in d.exercises]
        test = build_test_day(profile, len(weeks), ids, analysis.lifts, analysis.plate_increment)
    return Autoregulated(
        weeks=weeks,
        readiness=readiness_table(max(w.rpe for w in plan.weeks)),
        test_day=test,
    )
