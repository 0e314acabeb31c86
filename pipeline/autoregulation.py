"""Stage 6, autoregulation: RPE/RIR targets, loads as %e1RM, readiness adjustments.

RPE here is the RIR-based RPE scale (Zourdos et al. 2016, J Strength Cond Res 30:267;
Helms, Cronin, Storey & Zourdos 2016, Strength Cond J 38(4):42): RPE = 10 - RIR.
Loads come from the lift's e1RM and the reps the set is planned to reach plus its reps
in reserve, through the %1RM-repetition table below, rounded to the plate increment.
Close variants of a known lift (front squat, close-grip bench, chin-up ...) are loaded
from the parent lift's e1RM times a conservative ratio (pipeline.catalog._VARIANTS).
Exercises not mapped to a known lift get no load: the athlete picks one that lands on
the target RPE.

Every exercise of a week carries the week's RPE/RIR (the validator checks it), and no
planned RPE, nor any readiness adjustment of it, goes past 10.
"""

from __future__ import annotations

from collections.abc import Mapping

from programgen.pipeline.accounting import muscle_sets, session_minutes, week_hard_sets
from programgen.pipeline.analysis import round_to_increment
from programgen.pipeline.catalog import CATALOG
from programgen.pipeline.construction import Construction, Slot
from programgen.pipeline.domain import (
    FrozenModel,
    Lift,
    PrescribedExercise,
    Profile,
    ProfileAnalysis,
    Readiness,
    ReadinessAdjustment,
    TrainingDay,
    Week,
)
from programgen.pipeline.periodization import (
    DayReps,
    PeriodizationPlan,
    RepRange,
    WeekPlan,
)
from programgen.pipeline.slots import slot_reps
from programgen.pipeline.warmups import with_warmups

# The RIR-based RPE scale as used here: 5 (5+ reps in reserve) to 10 (no rep left)
# (Zourdos et al. 2016).
RPE_MIN, RPE_MAX = 5.0, 10.0


class Autoregulated(FrozenModel):
    weeks: list[Week]
    readiness: list[ReadinessAdjustment]


# %1RM for the number of reps a lifter can do to failure: the NSCA %1RM-repetition table
# (Baechle & Earle, Essentials of Strength Training and Conditioning, 3rd ed. 2008,
# Table 15.7). 13-14 are interpolated; past 15 the Epley curve is scaled to meet the
# table's 65 % at 15 reps, so the percentage keeps falling smoothly.
_PERCENT_1RM = {
    1: 100.0, 2: 95.0, 3: 93.0, 4: 90.0, 5: 87.0, 6: 85.0, 7: 83.0, 8: 80.0,
    9: 77.0, 10: 75.0, 11: 70.0, 12: 67.0, 13: 66.3, 14: 65.7, 15: 65.0,
}  # fmt: skip


def percent_1rm(reps_to_failure: int) -> float:
    reps = max(1, reps_to_failure)
    if reps in _PERCENT_1RM:
        return _PERCENT_1RM[reps]
    return 65.0 * (1 + 15 / 30) / (1 + reps / 30)


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


def _reps(slot: Slot, reps: DayReps) -> RepRange:
    return slot_reps(slot, reps)  # the builder times sessions with the same rule


def prescribed_load(
    exercise_id: str,
    reps_max: int,
    rir: int,
    e1rms: Mapping[Lift, float],
    bodyweight: float,
    increment: float,
) -> tuple[float | None, float | None, str]:
    """(load, % of the exercise's estimated 1RM, note) for sets of up to `reps_max` reps
    stopped `rir` reps short of failure; (None, None, "") when no known lift backs the
    exercise. The one load rule, shared by the engine and the LLM stage's swaps."""
    entry = CATALOG[exercise_id]
    basis = entry.load_basis
    if basis is None or basis[0] not in e1rms:
        return None, None, ""
    lift, ratio = basis
    percent = percent_1rm(reps_max + rir)
    note = ""
    if entry.lift is None:
        note = (
            f"Load assumes a 1RM of about {ratio:.0%} of your "
            f"{lift.value.replace('_', ' ')} e1RM (rule of thumb); adjust it to the RPE."
        )
    if lift is Lift.PULL_UP:
        # The e1RM is added load; percentages apply to the whole system mass.
        system = (e1rms[lift] + bodyweight) * ratio
        added = system * percent / 100 - bodyweight
        load = max(0.0, round_to_increment(added, increment))
        note = " ".join(n for n in (note, "Load is added to bodyweight.") if n)
        if added < 0:
            note += " Use band assistance if the reps are out of reach."
        return load, round(percent, 1), note
    load = round_to_increment(e1rms[lift] * ratio * percent / 100, increment)
    return load, round(percent, 1), note


def _day(
    slots: list[Slot],
    index: int,
    focus: str,
    week: WeekPlan,
    reps: DayReps,
    e1rms: dict[Lift, float],
    profile: Profile,
    increment: float,
) -> TrainingDay:
    exercises: list[PrescribedExercise] = []
    for slot in slots:
        sets = slot.sets[week.week - 1]
        if sets <= 0:
            continue
        rng = _reps(slot, reps)
        load, percent, load_note = prescribed_load(
            slot.exercise_id, rng.high, week.rir, e1rms, profile.bodyweight, increment
        )
        exercises.append(
            PrescribedExercise(
                exercise_id=slot.exercise_id,
                name=CATALOG[slot.exercise_id].name,
                sets=sets,
                reps_min=rng.low,
                reps_max=rng.high,
                target_rpe=week.rpe,
                target_rir=week.rir,
                rest_seconds=slot.rest_seconds,
                load=load,
                load_percent_e1rm=percent,
                notes=" ".join(n for n in (slot.note, load_note) if n),
                superset=slot.superset,
            )
        )
    # Warm-up sets once the working loads are final (pipeline.warmups).
    exercises = with_warmups(exercises, profile.unit, increment)
    return TrainingDay(
        day=index,
        focus=focus if not reps.label else f"{focus} ({reps.label})",
        exercises=exercises,
        estimated_minutes=session_minutes(exercises),
    )


def autoregulate(
    profile: Profile,
    analysis: ProfileAnalysis,
    plan: PeriodizationPlan,
    construction: Construction,
) -> Autoregulated:
    e1rms = {e.lift: e.e1rm for e in analysis.lifts}
    weeks: list[Week] = []
    for week in plan.weeks:
        days = [
            _day(
                day.slots,
                day.day,
                day.focus,
                week,
                week.days[day.day - 1],
                e1rms,
                profile,
                analysis.plate_increment,
            )
            for day in construction.days
        ]
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
    return Autoregulated(weeks=weeks, readiness=readiness_table(max(w.rpe for w in plan.weeks)))
