"""Domain types shared by every pipeline stage: the athlete profile in, the program out.

Pure data (pydantic models, frozen). The server maps these to and from protobuf at its
edge by field name, so a field renamed here must be renamed in the .proto too. Every
enum value maps to the proto enum value ``<ENUM_NAME>_<VALUE>`` in UPPER_SNAKE case.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field


class FrozenModel(BaseModel):
    """Base of every pipeline data type: immutable, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- enums


class Goal(StrEnum):
    HYPERTROPHY = "hypertrophy"
    GENERAL_STRENGTH = "general_strength"
    POWERLIFTING_PEAK = "powerlifting_peak"
    GENERAL_FITNESS = "general_fitness"
    FAT_LOSS = "fat_loss"
    ENDURANCE = "endurance"
    ATHLETIC_POWER = "athletic_power"


class Experience(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Equipment(StrEnum):
    BARBELL = "barbell"  # barbell with a rack
    BENCH = "bench"
    DUMBBELLS = "dumbbells"
    CABLES = "cables"
    MACHINES = "machines"
    KETTLEBELLS = "kettlebells"
    BANDS = "bands"
    PULL_UP_BAR = "pull_up_bar"
    BODYWEIGHT = "bodyweight"  # always implicitly available


class InjuryArea(StrEnum):
    KNEE = "knee"
    LOWER_BACK = "lower_back"
    SHOULDER = "shoulder"
    ELBOW = "elbow"
    WRIST = "wrist"
    HIP = "hip"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Unit(StrEnum):
    KG = "kg"
    LB = "lb"


class Lift(StrEnum):
    SQUAT = "squat"
    BENCH_PRESS = "bench_press"
    DEADLIFT = "deadlift"
    OVERHEAD_PRESS = "overhead_press"
    BARBELL_ROW = "barbell_row"
    PULL_UP = "pull_up"  # weight is the load added to bodyweight (0 for bodyweight reps)


class Muscle(StrEnum):
    CHEST = "chest"
    BACK = "back"
    QUADS = "quads"
    HAMSTRINGS = "hamstrings"
    GLUTES = "glutes"
    FRONT_DELTS = "front_delts"
    SIDE_REAR_DELTS = "side_rear_delts"
    BICEPS = "biceps"
    TRICEPS = "triceps"
    CALVES = "calves"
    ABS = "abs"


class E1rmFormula(StrEnum):
    TESTED = "tested"  # reps == 1: the weight is the 1RM
    EPLEY = "epley"
    BRZYCKI = "brzycki"


class StrengthLevel(StrEnum):
    UNKNOWN = "unknown"  # no lift known
    NOVICE = "novice"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    ELITE = "elite"


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class PeriodizationModel(StrEnum):
    LINEAR = "linear"
    DAILY_UNDULATING = "daily_undulating"
    WEEKLY_UNDULATING = "weekly_undulating"
    BLOCK = "block"


class Phase(StrEnum):
    ACCUMULATION = "accumulation"  # volume builds at moderate loads
    DELOAD = "deload"  # fewer sets, lighter loads, to shed fatigue
    INTENSIFICATION = "intensification"  # volume holds or falls, loads rise
    REALIZATION = "realization"  # the peak: singles to triples on the competition lifts
    TAPER = "taper"  # volume cut ~30-50 %, intensity kept, ends in the test day


class LoadKind(StrEnum):
    """How a prescribed load is meant (docs/science.md, "Loads")."""

    ABSOLUTE = "absolute"  # the weight on the implement: bar plus plates, dumbbell, stack
    ADDED = "added"  # added to bodyweight (belt or vest)
    ASSISTED = "assisted"  # band or machine assistance takes off part of bodyweight
    BODYWEIGHT = "bodyweight"  # bodyweight alone
    BY_RPE = "by_rpe"  # the lifter picks the load that lands on the target RPE


class ProgressionKind(StrEnum):
    LOAD = "load"  # double progression: reps to the top of the range, then more load
    REPS = "reps"  # fixed load: more reps, then slower tempo or pauses
    VARIANT = "variant"  # fixed load: more reps, then the harder variant on the ladder
    ASSISTANCE = "assistance"  # less assistance, then the unassisted exercise
    CHALLENGE = "challenge"  # power, balance, conditioning: same reps, a harder task


class Readiness(StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"
    VERY_LOW = "very_low"


class Stage(StrEnum):
    """Pipeline stages in execution order; each is reported through the progress callback."""

    PROFILE_ANALYSIS = "profile_analysis"
    VOLUME_LANDMARKS = "volume_landmarks"
    WEAK_POINTS = "weak_points"
    PERIODIZATION = "periodization"
    CONSTRUCTION = "construction"
    AUTOREGULATION = "autoregulation"
    LLM_REFINEMENT = "llm_refinement"
    VALIDATION = "validation"


# --------------------------------------------------------------------------- input


class KnownLift(FrozenModel):
    lift: Lift
    weight: float  # in the profile's unit
    reps: int = 1  # 1 = a tested 1RM; 2..12 = a rep max to estimate from


class Profile(FrozenModel):
    goal: Goal
    experience: Experience
    training_age_years: float | None = None
    days_per_week: int
    session_minutes: int
    equipment: list[Equipment]
    injuries: list[InjuryArea] = Field(default_factory=list)
    injury_note: str = ""
    age: int
    sex: Sex | None = None
    bodyweight: float  # in the profile's unit
    sleep_hours: float
    stress: int  # 1 (none) .. 10 (extreme)
    unit: Unit = Unit.KG
    priority_muscles: list[Muscle] = Field(default_factory=list)
    program_weeks: int | None = None  # total weeks including the deload; None = engine decides
    lifts: list[KnownLift] = Field(default_factory=list)


# --------------------------------------------------------------------------- output


class LiftEstimate(FrozenModel):
    lift: Lift
    e1rm: float  # in the profile's unit
    formula: E1rmFormula
    relative_strength: float  # e1RM / bodyweight
    uncertain: bool = False  # estimated from more than 10 reps: loads go by RPE


class ProfileAnalysis(FrozenModel):
    bodyweight_kg: float
    lifts: list[LiftEstimate]
    strength_level: StrengthLevel
    plate_increment: float  # smallest load step, in the profile's unit


class VolumeLandmarks(FrozenModel):
    """Weekly hard sets for one muscle: MV <= MEV <= MAV_low <= MAV_high <= MRV."""

    muscle: Muscle
    mv: int
    mev: int
    mav_low: int
    mav_high: int
    mrv: int
    reference_mrv: int  # the published MRV this individual value was derived from


class WeakPoint(FrozenModel):
    ratio_name: str  # e.g. "bench_press/squat"
    ratio: float
    band_low: float
    band_high: float
    severity: Severity
    finding: str
    muscles: list[Muscle]
    exercise_ids: list[str]
    extra_weekly_sets: int
    reassess_week: int


class WeakPointAnalysis(FrozenModel):
    findings: list[WeakPoint]
    skipped_reason: str = ""  # non-empty when too few lifts were known to compare


class Periodization(FrozenModel):
    model: PeriodizationModel
    rationale: str
    total_weeks: int
    accumulation_weeks: int  # weeks in the accumulation phase
    deload_week: int  # 1-based index of the deload week (the last one); 0 = ends in a taper


class Progression(FrozenModel):
    kind: ProgressionKind
    rule: str
    next_exercise_id: str = ""  # the exercise to move on to; "" when there is none


class WarmupSet(FrozenModel):
    reps: int
    percent_of_working: float  # 0 = the empty bar (or the unloaded movement)
    load: float | None = None  # in the profile's unit; None when the work is by RPE only


class PrescribedExercise(FrozenModel):
    exercise_id: str
    name: str
    sets: int
    reps_min: int
    reps_max: int
    target_rpe: float
    target_rir: int
    rest_seconds: int
    load: float | None = None  # absolute load in the profile's unit, None = by RPE only
    load_percent_e1rm: float | None = None
    notes: str = ""
    load_kind: LoadKind = LoadKind.BY_RPE
    progression: Progression | None = None  # the engine always states one
    warmup_sets: list[WarmupSet] = Field(default_factory=list)
    superset: str = ""  # exercises of a day sharing a label alternate; "" = straight sets


class TrainingDay(FrozenModel):
    day: int  # 1-based within the week
    focus: str  # e.g. "Upper A", "Full body"
    exercises: list[PrescribedExercise]
    estimated_minutes: int


class MuscleSets(FrozenModel):
    muscle: Muscle
    sets: int  # hard_sets rounded half up
    hard_sets: float = 0.0  # fractional: 1 per primary-muscle set, 0.5 per secondary


class Week(FrozenModel):
    week: int  # 1-based
    phase: Phase
    target_rpe: float
    target_rir: int
    days: list[TrainingDay]
    weekly_sets: list[MuscleSets]  # hard sets per muscle group this week


class ReadinessAdjustment(FrozenModel):
    readiness: Readiness
    signs: str
    adjustment: str
    rpe_delta: float  # added to the planned RPE
    volume_factor: float  # multiplies the planned sets


class Attempt(FrozenModel):
    exercise_id: str
    name: str
    number: int  # 1 = opener, 2 = second, 3 = third attempt
    reps: int
    percent_e1rm: float | None = None  # None: e1RM unknown or uncertain, go by RPE
    load: float | None = None
    target_rpe: float


class TestDay(FrozenModel):
    __test__: ClassVar[bool] = False  # a domain type, not a pytest test class

    week: int  # the taper week it ends
    note: str
    attempts: list[Attempt]


class Provenance(FrozenModel):
    engine_version: str
    llm_refined: bool = False
    llm_model: str = ""
    llm_fallback_reason: str = ""  # why an attempted LLM refinement was not used


class InjuryAdjustment(FrozenModel):
    """What the program changed for one injured area (docs/injuries.md)."""

    area: InjuryArea | None = None  # None: a movement the note names without a body area
    source: str  # "injuries list", "injury note" or both
    note_phrases: list[str] = Field(default_factory=list)  # the note's words that were read
    excluded_exercise_ids: list[str] = Field(default_factory=list)  # left out for this area
    change: str  # in words: what was left out or kept with care, and why


class Program(FrozenModel):
    name: str
    summary: str
    unit: Unit
    split: str
    analysis: ProfileAnalysis
    periodization: Periodization
    landmarks: list[VolumeLandmarks]
    weak_points: WeakPointAnalysis
    weeks: list[Week]
    autoregulation: list[ReadinessAdjustment]
    provenance: Provenance
    injury_adjustments: list[InjuryAdjustment] = Field(default_factory=list)
    pain_rule: str = ""  # how to train around pain; set whenever an injury is known
    test_day: TestDay | None = None  # set when the block ends in a taper and a test day
    shortfalls: list[str] = Field(default_factory=list)  # what the sessions could not fit


# --------------------------------------------------------------------------- errors


class Violation(FrozenModel):
    field: str  # dotted path with indices, e.g. "lifts[0].reps" or "weeks[2].days[0]"
    description: str
    rule: str = ""  # the program invariant broken (the validator's check), for reports


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""


class ViolationsError(PipelineError):
    """An error carrying every rule violation found, each with its field path."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in violations))


class ProfileInvalid(ViolationsError):
    """The profile breaks one or more input rules; every violation is listed."""


class ProgramInvalid(ViolationsError):
    """The built program breaks one or more invariants; never hand such a program out."""
