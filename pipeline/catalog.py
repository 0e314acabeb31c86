"""The project's own exercise catalog and the two queries every stage relies on.

Each exercise names exactly ONE primary muscle: the hard-set counting rule
(pipeline.accounting) credits a set to its primary muscle only, and the builder plans
each muscle's volume independently on that basis. The catalog is ordered by
preference within a muscle (barbell staples first, then dumbbells, machines, cables,
kettlebells, bands, bodyweight), which is the order the builder picks from.

Contraindications are conservative, exercise-level defaults for an athlete who reports
pain or injury in an area (loaded end-range positions, overhead positions for the
shoulder, high shear or deep flexion for the knee, loaded spinal flexion/extension for
the lower back, extended or loaded wrists). They are not medical advice; the free-text
injury note is passed on to a coach, not interpreted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from programgen.pipeline.domain import Equipment, InjuryArea, Lift, Muscle, Profile


class Pattern(StrEnum):
    SQUAT = "squat"
    HINGE = "hinge"
    LUNGE = "lunge"
    HORIZONTAL_PUSH = "horizontal_push"
    VERTICAL_PUSH = "vertical_push"
    HORIZONTAL_PULL = "horizontal_pull"
    VERTICAL_PULL = "vertical_pull"
    HIP_EXTENSION = "hip_extension"
    KNEE_FLEXION = "knee_flexion"
    KNEE_EXTENSION = "knee_extension"
    CHEST_FLY = "chest_fly"
    SHOULDER_RAISE = "shoulder_raise"  # lateral and front raises (shoulder abduction/flexion)
    REAR_DELT_FLY = "rear_delt_fly"  # horizontal abduction: rear-delt flyes, face pulls
    HIP_ABDUCTION = "hip_abduction"
    ELBOW_FLEXION = "elbow_flexion"
    ELBOW_EXTENSION = "elbow_extension"
    CALF_RAISE = "calf_raise"
    CORE = "core"


class Loading(StrEnum):
    """How an exercise's resistance can grow, which decides how it progresses."""

    BARBELL = "barbell"  # plates in small steps; never below the empty bar
    DUMBBELL = "dumbbell"  # fixed steps of the rack
    MACHINE = "machine"  # a pin stack or cable stack
    KETTLEBELL = "kettlebell"  # fixed bells: progress by reps, tempo or variant
    BAND = "band"  # fixed bands: progress by reps, tempo or variant
    BODYWEIGHT = "bodyweight"  # progress by reps, tempo, pauses or a harder variant


class Category(StrEnum):
    """What a slot in a session is for; strength work is the default."""

    STRENGTH = "strength"
    POWER = "power"  # ballistic, plyometric and Olympic-lift derivatives
    BALANCE = "balance"
    CARRY = "carry"
    CONDITIONING = "conditioning"


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    name: str
    primary_muscles: tuple[Muscle, ...]  # exactly one in this catalog (see module doc)
    secondary_muscles: tuple[Muscle, ...]
    equipment: frozenset[Equipment]  # ALL of these are needed
    pattern: Pattern
    compound: bool
    contraindications: frozenset[InjuryArea]
    lift: Lift | None = None  # this exercise IS the known lift: its e1RM sets the load
    # A close variant of a known lift: its load comes from that lift's e1RM times the
    # ratio (see _VARIANTS); it never counts as the lift itself (no peaking singles).
    parent_lift: Lift | None = None
    parent_ratio: float = 1.0
    loading: Loading = Loading.BODYWEIGHT
    category: Category = Category.STRENGTH
    unilateral: bool = False  # done one side at a time: time and reps count per side
    # Progression ladder neighbours (catalog ids): the next easier and harder variant of
    # the same movement, e.g. incline -> floor -> feet-elevated push-up.
    easier: str | None = None
    harder: str | None = None

    @property
    def primary(self) -> Muscle:
        return self.primary_muscles[0]

    @property
    def load_basis(self) -> tuple[Lift, float] | None:
        """(lift, ratio): this exercise's 1RM is about ratio x that lift's e1RM."""
        if self.lift is not None:
            return self.lift, 1.0
        if self.parent_lift is not None:
            return self.parent_lift, self.parent_ratio
        return None


M = Muscle
E = Equipment
I = InjuryArea  # noqa: E741 - short alias keeps the table readable
P = Pattern


def _ex(
    id: str,
    name: str,
    primary: Muscle,
    secondary: tuple[Muscle, ...],
    equipment: tuple[Equipment, ...],
    pattern: Pattern,
    compound: bool,
    contra: tuple[InjuryArea, ...] = (),
    lift: Lift | None = None,
) -> Exercise:
    parent_lift, parent_ratio = _VARIANTS.get(id, (None, 1.0))
    owned = set(equipment)
    return Exercise(
        id=id,
        name=name,
        primary_muscles=(primary,),
        secondary_muscles=secondary,
        equipment=frozenset(equipment),
        pattern=pattern,
        compound=compound,
        contraindications=frozenset(contra),
        lift=lift,
        parent_lift=parent_lift,
        parent_ratio=parent_ratio,
        loading=_loading(owned),
    )


def _loading(equipment: set[Equipment]) -> Loading:
    # The implement that carries the load decides how it can grow; a bench or a rack
    # only holds the lifter.
    for needed, loading in (
        (Equipment.BARBELL, Loading.BARBELL),
        (Equipment.MACHINES, Loading.MACHINE),
        (Equipment.CABLES, Loading.MACHINE),
        (Equipment.DUMBBELLS, Loading.DUMBBELL),
        (Equipment.KETTLEBELLS, Loading.KETTLEBELL),
        (Equipment.BANDS, Loading.BAND),
    ):
        if needed in equipment:
            return loading
    return Loading.BODYWEIGHT


def _new(
    id: str,
    name: str,
    primary: Muscle,
    secondary: tuple[Muscle, ...],
    equipment: tuple[Equipment, ...],
    pattern: Pattern,
    category: Category,
    contra: tuple[InjuryArea, ...] = (),
    *,
    unilateral: bool = False,
) -> Exercise:
    """A power, balance, carry or conditioning entry (never a known lift's variant)."""
    return Exercise(
        id=id,
        name=name,
        primary_muscles=(primary,),
        secondary_muscles=secondary,
        equipment=frozenset(equipment),
        pattern=pattern,
        compound=category is not Category.BALANCE,
        contraindications=frozenset(contra),
        loading=_loading(set(equipment)),
        category=category,
        unilateral=unilateral,
    )


_C, _I = True, False  # compound / isolation, for the table below

# Close variants of the known lifts, loaded from the parent lift's e1RM: the variant's
# 1RM is taken as about this fraction of the parent's. Engine heuristics, not study
# values: coaching rules of thumb put a front squat at ~80-85 % of a back squat, a
# close-grip bench at ~85-90 % and an incline bench at ~80-85 % of a bench press, a
# Romanian deadlift at ~70-80 % of a deadlift, a parallel box squat near the free
# squat; each ratio here sits at or below the low end so the first session errs light
# (the target RPE then sets the working weight). Chin-ups use the pull-up e1RM as-is:
# the supinated grip is usually at least as strong. Variants with too much individual
# spread (good mornings, landmine press, upright rows) get no load.
_VARIANTS: dict[str, tuple[Lift, float]] = {
    "incline_barbell_bench_press": (Lift.BENCH_PRESS, 0.80),
    "close_grip_bench_press": (Lift.BENCH_PRESS, 0.85),
    "front_squat": (Lift.SQUAT, 0.80),
    "barbell_box_squat": (Lift.SQUAT, 0.85),
    "romanian_deadlift": (Lift.DEADLIFT, 0.70),
    "chin_up": (Lift.PULL_UP, 1.0),
}

_EXERCISES: tuple[Exercise, ...] = (
    # ------------------------------------------------------------------ chest
    _ex("barbell_bench_press", "Barbell Bench Press", M.CHEST, (M.TRICEPS, M.FRONT_DELTS),
        (E.BARBELL, E.BENCH), P.HORIZONTAL_PUSH, _C, (I.SHOULDER,), Lift.BENCH_PRESS),
    _ex("incline_barbell_bench_press", "Incline Barbell Bench Press", M.CHEST,
        (M.FRONT_DELTS, M.TRICEPS), (E.BARBELL, E.BENCH), P.HORIZONTAL_PUSH, _C, (I.SHOULDER,)),
    _ex("dumbbell_bench_press", "Dumbbell Bench Press", M.CHEST, (M.TRICEPS, M.FRONT_DELTS),
        (E.DUMBBELLS, E.BENCH), P.HORIZONTAL_PUSH, _C),
    _ex("incline_dumbbell_press", "Incline Dumbbell Press", M.CHEST, (M.FRONT_DELTS, M.TRICEPS),
        (E.DUMBBELLS, E.BENCH), P.HORIZONTAL_PUSH, _C),
    _ex("dumbbell_floor_press", "Dumbbell Floor Press", M.CHEST, (M.TRICEPS, M.FRONT_DELTS),
        (E.DUMBBELLS,), P.HORIZONTAL_PUSH, _C),
    _ex("machine_chest_press", "Machine Chest Press", M.CHEST, (M.TRICEPS, M.FRONT_DELTS),
        (E.MACHINES,), P.HORIZONTAL_PUSH, _C),
    _ex("kettlebell_floor_press", "Kettlebell Floor Press", M.CHEST, (M.TRICEPS,),
        (E.KETTLEBELLS,), P.HORIZONTAL_PUSH, _C),
    _ex("band_chest_press", "Band Chest Press", M.CHEST, (M.TRICEPS, M.FRONT_DELTS),
        (E.BANDS,), P.HORIZONTAL_PUSH, _C),
    _ex("push_up", "Push-Up", M.CHEST, (M.TRICEPS, M.FRONT_DELTS, M.ABS), (E.BODYWEIGHT,),
        P.HORIZONTAL_PUSH, _C, (I.WRIST,)),
    _ex("feet_elevated_push_up", "Feet-Elevated Push-Up", M.CHEST, (M.FRONT_DELTS, M.TRICEPS),
        (E.BODYWEIGHT,), P.HORIZONTAL_PUSH, _C, (I.WRIST, I.SHOULDER)),
    _ex("fist_push_up", "Fist Push-Up (neutral wrist)", M.CHEST, (M.TRICEPS, M.FRONT_DELTS),
        (E.BODYWEIGHT,), P.HORIZONTAL_PUSH, _C),
    _ex("cable_fly", "Cable Fly", M.CHEST, (M.FRONT_DELTS,), (E.CABLES,), P.CHEST_FLY, _I),
    _ex("pec_deck", "Pec Deck", M.CHEST, (M.FRONT_DELTS,), (E.MACHINES,), P.CHEST_FLY, _I),
    _ex("dumbbell_fly", "Dumbbell Fly", M.CHEST, (M.FRONT_DELTS,), (E.DUMBBELLS, E.BENCH),
        P.CHEST_FLY, _I, (I.SHOULDER,)),
    _ex("band_fly", "Band Fly", M.CHEST, (M.FRONT_DELTS,), (E.BANDS,), P.CHEST_FLY, _I),
    # ------------------------------------------------------------------ back
    _ex("barbell_row", "Barbell Row", M.BACK, (M.BICEPS, M.SIDE_REAR_DELTS), (E.BARBELL,),
        P.HORIZONTAL_PULL, _C, (I.LOWER_BACK,), Lift.BARBELL_ROW),
    _ex("pull_up", "Pull-Up", M.BACK, (M.BICEPS,), (E.PULL_UP_BAR,), P.VERTICAL_PULL, _C,
        (I.SHOULDER,), Lift.PULL_UP),
    _ex("chin_up", "Chin-Up", M.BACK, (M.BICEPS,), (E.PULL_UP_BAR,), P.VERTICAL_PULL, _C,
        (I.SHOULDER, I.ELBOW)),
    _ex("band_assisted_pull_up", "Band-Assisted Pull-Up", M.BACK, (M.BICEPS,),
        (E.PULL_UP_BAR, E.BANDS), P.VERTICAL_PULL, _C, (I.SHOULDER,)),
    _ex("inverted_row", "Inverted Row (bar in rack)", M.BACK, (M.BICEPS, M.SIDE_REAR_DELTS),
        (E.BARBELL,), P.HORIZONTAL_PULL, _C),
    _ex("one_arm_dumbbell_row", "One-Arm Dumbbell Row", M.BACK, (M.BICEPS, M.SIDE_REAR_DELTS),
        (E.DUMBBELLS,), P.HORIZONTAL_PULL, _C),
    _ex("chest_supported_dumbbell_row", "Chest-Supported Dumbbell Row", M.BACK,
        (M.BICEPS, M.SIDE_REAR_DELTS), (E.DUMBBELLS, E.BENCH), P.HORIZONTAL_PULL, _C),
    _ex("lat_pulldown", "Lat Pulldown", M.BACK, (M.BICEPS,), (E.CABLES,), P.VERTICAL_PULL, _C),
    _ex("seated_cable_row", "Seated Cable Row", M.BACK, (M.BICEPS, M.SIDE_REAR_DELTS),
        (E.CABLES,), P.HORIZONTAL_PULL, _C),
    _ex("machine_row", "Machine Row", M.BACK, (M.BICEPS, M.SIDE_REAR_DELTS), (E.MACHINES,),
        P.HORIZONTAL_PULL, _C),
    _ex("kettlebell_row", "Kettlebell Row", M.BACK, (M.BICEPS,), (E.KETTLEBELLS,),
        P.HORIZONTAL_PULL, _C),
    _ex("band_row", "Band Row", M.BACK, (M.BICEPS, M.SIDE_REAR_DELTS), (E.BANDS,),
        P.HORIZONTAL_PULL, _C),
    _ex("band_lat_pulldown", "Band Lat Pulldown (anchored high)", M.BACK, (M.BICEPS,),
        (E.BANDS,), P.VERTICAL_PULL, _C),
    _ex("table_inverted_row", "Inverted Row Under a Sturdy Table", M.BACK,
        (M.BICEPS, M.SIDE_REAR_DELTS), (E.BODYWEIGHT,), P.HORIZONTAL_PULL, _C),
    _ex("towel_door_row", "Door-Frame Towel Row", M.BACK, (M.BICEPS,), (E.BODYWEIGHT,),
        P.HORIZONTAL_PULL, _C),
    _ex("straight_arm_pulldown", "Straight-Arm Cable Pulldown", M.BACK, (M.TRICEPS,),
        (E.CABLES,), P.VERTICAL_PULL, _I),
    _ex("dumbbell_pullover", "Dumbbell Pullover", M.BACK, (M.CHEST, M.TRICEPS),
        (E.DUMBBELLS, E.BENCH), P.VERTICAL_PULL, _I, (I.SHOULDER,)),
    # ------------------------------------------------------------------ quads
    _ex("barbell_back_squat", "Barbell Back Squat", M.QUADS, (M.GLUTES, M.HAMSTRINGS, M.ABS),
        (E.BARBELL,), P.SQUAT, _C, (I.KNEE, I.LOWER_BACK, I.HIP), Lift.SQUAT),
    _ex("front_squat", "Front Squat", M.QUADS, (M.GLUTES, M.ABS), (E.BARBELL,), P.SQUAT, _C,
        (I.KNEE, I.WRIST, I.HIP)),
    _ex("barbell_box_squat", "Barbell Box Squat (to parallel)", M.QUADS, (M.GLUTES,),
        (E.BARBELL,), P.SQUAT, _C, (I.LOWER_BACK,)),
    _ex("leg_press", "Leg Press", M.QUADS, (M.GLUTES,), (E.MACHINES,), P.SQUAT, _C),
    _ex("hack_squat", "Hack Squat", M.QUADS, (M.GLUTES,), (E.MACHINES,), P.SQUAT, _C,
        (I.KNEE,)),
    _ex("bulgarian_split_squat", "Bulgarian Split Squat", M.QUADS, (M.GLUTES,),
        (E.DUMBBELLS, E.BENCH), P.LUNGE, _C, (I.KNEE, I.HIP)),
    _ex("dumbbell_goblet_squat", "Dumbbell Goblet Squat", M.QUADS, (M.GLUTES, M.ABS),
        (E.DUMBBELLS,), P.SQUAT, _C, (I.KNEE,)),
    _ex("dumbbell_box_squat", "Dumbbell Box Squat", M.QUADS, (M.GLUTES,), (E.DUMBBELLS,),
        P.SQUAT, _C),
    _ex("dumbbell_walking_lunge", "Dumbbell Walking Lunge", M.QUADS, (M.GLUTES,),
        (E.DUMBBELLS,), P.LUNGE, _C, (I.KNEE, I.HIP)),
    _ex("step_up", "Step-Up (onto a bench)", M.QUADS, (M.GLUTES,), (E.BENCH,), P.LUNGE, _C,
        (I.KNEE,)),
    _ex("kettlebell_goblet_squat", "Kettlebell Goblet Squat", M.QUADS, (M.GLUTES, M.ABS),
        (E.KETTLEBELLS,), P.SQUAT, _C, (I.KNEE,)),
    _ex("spanish_squat", "Spanish Squat (band)", M.QUADS, (M.GLUTES,), (E.BANDS,), P.SQUAT,
        _C),
    _ex("bodyweight_squat", "Bodyweight Squat", M.QUADS, (M.GLUTES,), (E.BODYWEIGHT,),
        P.SQUAT, _C, (I.KNEE,)),
    _ex("bodyweight_box_squat", "Bodyweight Box Squat", M.QUADS, (M.GLUTES,),
        (E.BODYWEIGHT,), P.SQUAT, _C),
    _ex("bodyweight_split_squat", "Bodyweight Split Squat", M.QUADS, (M.GLUTES,),
        (E.BODYWEIGHT,), P.LUNGE, _C, (I.KNEE, I.HIP)),
    _ex("pistol_squat", "Pistol Squat (to a box)", M.QUADS, (M.GLUTES,), (E.BODYWEIGHT,),
        P.SQUAT, _C, (I.KNEE, I.HIP)),
    _ex("leg_extension", "Leg Extension", M.QUADS, (), (E.MACHINES,), P.KNEE_EXTENSION, _I,
        (I.KNEE,)),
    _ex("reverse_nordic", "Reverse Nordic", M.QUADS, (), (E.BODYWEIGHT,), P.KNEE_EXTENSION,
        _I, (I.KNEE,)),
    # ------------------------------------------------------------------ hamstrings
    _ex("conventional_deadlift", "Conventional Deadlift", M.HAMSTRINGS,
        (M.GLUTES, M.BACK, M.QUADS), (E.BARBELL,), P.HINGE, _C, (I.LOWER_BACK,), Lift.DEADLIFT),
    _ex("romanian_deadlift", "Romanian Deadlift", M.HAMSTRINGS, (M.GLUTES,), (E.BARBELL,),
        P.HINGE, _C, (I.LOWER_BACK,)),
    _ex("good_morning", "Good Morning", M.HAMSTRINGS, (M.GLUTES,), (E.BARBELL,), P.HINGE, _C,
        (I.LOWER_BACK, I.HIP)),
    _ex("dumbbell_romanian_deadlift", "Dumbbell Romanian Deadlift", M.HAMSTRINGS, (M.GLUTES,),
        (E.DUMBBELLS,), P.HINGE, _C, (I.LOWER_BACK,)),
    _ex("dumbbell_single_leg_rdl", "Dumbbell Single-Leg RDL", M.HAMSTRINGS, (M.GLUTES,),
        (E.DUMBBELLS,), P.HINGE, _C),
    _ex("kettlebell_swing", "Kettlebell Swing", M.HAMSTRINGS, (M.GLUTES,), (E.KETTLEBELLS,),
        P.HINGE, _C, (I.LOWER_BACK,)),
    _ex("kettlebell_romanian_deadlift", "Kettlebell Romanian Deadlift", M.HAMSTRINGS,
        (M.GLUTES,), (E.KETTLEBELLS,), P.HINGE, _C, (I.LOWER_BACK,)),
    _ex("band_good_morning", "Band Good Morning", M.HAMSTRINGS, (M.GLUTES,), (E.BANDS,),
        P.HINGE, _C),
    _ex("single_leg_rdl", "Bodyweight Single-Leg RDL", M.HAMSTRINGS, (M.GLUTES,),
        (E.BODYWEIGHT,), P.HINGE, _C),
    _ex("lying_leg_curl", "Lying Leg Curl", M.HAMSTRINGS, (), (E.MACHINES,), P.KNEE_FLEXION,
        _I),
    _ex("seated_leg_curl", "Seated Leg Curl", M.HAMSTRINGS, (), (E.MACHINES,), P.KNEE_FLEXION,
        _I),
    _ex("cable_leg_curl", "Standing Cable Leg Curl", M.HAMSTRINGS, (), (E.CABLES,),
        P.KNEE_FLEXION, _I),
    _ex("band_leg_curl", "Band Leg Curl", M.HAMSTRINGS, (), (E.BANDS,), P.KNEE_FLEXION, _I),
    _ex("sliding_leg_curl", "Sliding Leg Curl (towel on floor)", M.HAMSTRINGS, (M.GLUTES,),
        (E.BODYWEIGHT,), P.KNEE_FLEXION, _I),
    _ex("nordic_curl", "Nordic Hamstring Curl", M.HAMSTRINGS, (), (E.BODYWEIGHT,),
        P.KNEE_FLEXION, _I, (I.KNEE,)),
    # ------------------------------------------------------------------ glutes
    _ex("barbell_hip_thrust", "Barbell Hip Thrust", M.GLUTES, (M.HAMSTRINGS,),
        (E.BARBELL, E.BENCH), P.HIP_EXTENSION, _I),
    _ex("dumbbell_hip_thrust", "Dumbbell Hip Thrust", M.GLUTES, (M.HAMSTRINGS,),
        (E.DUMBBELLS, E.BENCH), P.HIP_EXTENSION, _I),
    _ex("machine_hip_abduction", "Machine Hip Abduction", M.GLUTES, (), (E.MACHINES,),
        P.HIP_ABDUCTION, _I),
    _ex("cable_pull_through", "Cable Pull-Through", M.GLUTES, (M.HAMSTRINGS,), (E.CABLES,),
        P.HIP_EXTENSION, _I),
    _ex("cable_kickback", "Cable Glute Kickback", M.GLUTES, (), (E.CABLES,), P.HIP_EXTENSION,
        _I),
    _ex("kettlebell_glute_bridge", "Kettlebell Glute Bridge", M.GLUTES, (M.HAMSTRINGS,),
        (E.KETTLEBELLS,), P.HIP_EXTENSION, _I),
    _ex("band_lateral_walk", "Band Lateral Walk", M.GLUTES, (), (E.BANDS,), P.HIP_ABDUCTION,
        _I),
    _ex("glute_bridge", "Glute Bridge", M.GLUTES, (M.HAMSTRINGS,), (E.BODYWEIGHT,),
        P.HIP_EXTENSION, _I),
    _ex("single_leg_glute_bridge", "Single-Leg Glute Bridge", M.GLUTES, (M.HAMSTRINGS,),
        (E.BODYWEIGHT,), P.HIP_EXTENSION, _I),
    # ------------------------------------------------------------------ front delts
    _ex("overhead_press", "Overhead Press", M.FRONT_DELTS, (M.TRICEPS, M.SIDE_REAR_DELTS),
        (E.BARBELL,), P.VERTICAL_PUSH, _C, (I.SHOULDER, I.LOWER_BACK), Lift.OVERHEAD_PRESS),
    _ex("landmine_press", "Landmine Press", M.FRONT_DELTS, (M.TRICEPS, M.CHEST), (E.BARBELL,),
        P.VERTICAL_PUSH, _C),
    _ex("seated_dumbbell_shoulder_press", "Seated Dumbbell Shoulder Press", M.FRONT_DELTS,
        (M.TRICEPS, M.SIDE_REAR_DELTS), (E.DUMBBELLS, E.BENCH), P.VERTICAL_PUSH, _C,
        (I.SHOULDER,)),
    _ex("standing_dumbbell_shoulder_press", "Standing Dumbbell Shoulder Press",
        M.FRONT_DELTS, (M.TRICEPS, M.SIDE_REAR_DELTS), (E.DUMBBELLS,), P.VERTICAL_PUSH, _C,
        (I.SHOULDER,)),
    _ex("machine_shoulder_press", "Machine Shoulder Press", M.FRONT_DELTS, (M.TRICEPS,),
        (E.MACHINES,), P.VERTICAL_PUSH, _C, (I.SHOULDER,)),
    _ex("kettlebell_press", "Kettlebell Press", M.FRONT_DELTS, (M.TRICEPS,), (E.KETTLEBELLS,),
        P.VERTICAL_PUSH, _C, (I.SHOULDER,)),
    _ex("band_overhead_press", "Band Overhead Press", M.FRONT_DELTS, (M.TRICEPS,), (E.BANDS,),
        P.VERTICAL_PUSH, _C, (I.SHOULDER,)),
    _ex("pike_push_up", "Pike Push-Up", M.FRONT_DELTS, (M.TRICEPS,), (E.BODYWEIGHT,),
        P.VERTICAL_PUSH, _C, (I.SHOULDER, I.WRIST)),
    _ex("dumbbell_front_raise", "Dumbbell Front Raise", M.FRONT_DELTS, (), (E.DUMBBELLS,),
        P.SHOULDER_RAISE, _I),
    _ex("cable_front_raise", "Cable Front Raise", M.FRONT_DELTS, (), (E.CABLES,),
        P.SHOULDER_RAISE, _I),
    _ex("band_front_raise", "Band Front Raise", M.FRONT_DELTS, (), (E.BANDS,),
        P.SHOULDER_RAISE, _I),
    # ------------------------------------------------------------------ side / rear delts
    _ex("upright_row", "Barbell Upright Row", M.SIDE_REAR_DELTS, (M.BICEPS,), (E.BARBELL,),
        P.VERTICAL_PULL, _C, (I.SHOULDER, I.WRIST)),
    _ex("kettlebell_high_pull", "Kettlebell High Pull", M.SIDE_REAR_DELTS, (M.BACK,),
        (E.KETTLEBELLS,), P.VERTICAL_PULL, _C, (I.SHOULDER,)),
    _ex("dumbbell_lateral_raise", "Dumbbell Lateral Raise", M.SIDE_REAR_DELTS, (),
        (E.DUMBBELLS,), P.SHOULDER_RAISE, _I),
    _ex("rear_delt_dumbbell_fly", "Bent-Over Rear-Delt Dumbbell Fly", M.SIDE_REAR_DELTS, (),
        (E.DUMBBELLS,), P.REAR_DELT_FLY, _I),
    _ex("machine_lateral_raise", "Machine Lateral Raise", M.SIDE_REAR_DELTS, (), (E.MACHINES,),
        P.SHOULDER_RAISE, _I),
    _ex("reverse_pec_deck", "Reverse Pec Deck", M.SIDE_REAR_DELTS, (), (E.MACHINES,),
        P.REAR_DELT_FLY, _I),
    _ex("cable_lateral_raise", "Cable Lateral Raise", M.SIDE_REAR_DELTS, (), (E.CABLES,),
        P.SHOULDER_RAISE, _I),
    _ex("face_pull", "Face Pull", M.SIDE_REAR_DELTS, (M.BACK,), (E.CABLES,), P.REAR_DELT_FLY,
        _I),
    _ex("kettlebell_lateral_raise", "Kettlebell Lateral Raise", M.SIDE_REAR_DELTS, (),
        (E.KETTLEBELLS,), P.SHOULDER_RAISE, _I),
    _ex("band_lateral_raise", "Band Lateral Raise", M.SIDE_REAR_DELTS, (), (E.BANDS,),
        P.SHOULDER_RAISE, _I),
    _ex("band_pull_apart", "Band Pull-Apart", M.SIDE_REAR_DELTS, (M.BACK,), (E.BANDS,),
        P.REAR_DELT_FLY, _I),
    _ex("prone_y_t_raise", "Prone Y-T Raise", M.SIDE_REAR_DELTS, (M.BACK,), (E.BODYWEIGHT,),
        P.REAR_DELT_FLY, _I),
    _ex("reverse_snow_angel", "Reverse Snow Angel", M.SIDE_REAR_DELTS, (M.BACK,),
        (E.BODYWEIGHT,), P.REAR_DELT_FLY, _I),
    # ------------------------------------------------------------------ biceps
    _ex("barbell_curl", "Barbell Curl", M.BICEPS, (), (E.BARBELL,), P.ELBOW_FLEXION, _I,
        (I.WRIST, I.ELBOW)),
    _ex("dumbbell_curl", "Dumbbell Curl", M.BICEPS, (), (E.DUMBBELLS,), P.ELBOW_FLEXION, _I),
    _ex("hammer_curl", "Hammer Curl", M.BICEPS, (), (E.DUMBBELLS,), P.ELBOW_FLEXION, _I),
    _ex("incline_dumbbell_curl", "Incline Dumbbell Curl", M.BICEPS, (), (E.DUMBBELLS, E.BENCH),
        P.ELBOW_FLEXION, _I, (I.SHOULDER,)),
    _ex("machine_preacher_curl", "Machine Preacher Curl", M.BICEPS, (), (E.MACHINES,),
        P.ELBOW_FLEXION, _I, (I.ELBOW,)),
    _ex("cable_curl", "Cable Curl", M.BICEPS, (), (E.CABLES,), P.ELBOW_FLEXION, _I),
    _ex("kettlebell_curl", "Kettlebell Curl", M.BICEPS, (), (E.KETTLEBELLS,), P.ELBOW_FLEXION,
        _I),
    _ex("band_curl", "Band Curl", M.BICEPS, (), (E.BANDS,), P.ELBOW_FLEXION, _I),
    _ex("towel_door_curl", "Door-Frame Towel Curl", M.BICEPS, (), (E.BODYWEIGHT,),
        P.ELBOW_FLEXION, _I),
    # ------------------------------------------------------------------ triceps
    _ex("close_grip_bench_press", "Close-Grip Bench Press", M.TRICEPS, (M.CHEST, M.FRONT_DELTS),
        (E.BARBELL, E.BENCH), P.HORIZONTAL_PUSH, _C, (I.WRIST, I.SHOULDER)),
    _ex("machine_dip", "Machine Dip", M.TRICEPS, (M.CHEST,), (E.MACHINES,), P.VERTICAL_PUSH,
        _C, (I.SHOULDER,)),
    _ex("bench_dip", "Bench Dip", M.TRICEPS, (M.CHEST, M.FRONT_DELTS), (E.BENCH,),
        P.VERTICAL_PUSH, _C, (I.SHOULDER, I.WRIST)),
    _ex("diamond_push_up", "Diamond Push-Up", M.TRICEPS, (M.CHEST,), (E.BODYWEIGHT,),
        P.HORIZONTAL_PUSH, _C, (I.WRIST, I.ELBOW)),
    _ex("skull_crusher", "Barbell Skull Crusher", M.TRICEPS, (), (E.BARBELL, E.BENCH),
        P.ELBOW_EXTENSION, _I, (I.ELBOW,)),
    _ex("dumbbell_overhead_triceps_extension", "Dumbbell Overhead Triceps Extension",
        M.TRICEPS, (), (E.DUMBBELLS,), P.ELBOW_EXTENSION, _I, (I.ELBOW, I.SHOULDER)),
    _ex("dumbbell_kickback", "Dumbbell Triceps Kickback", M.TRICEPS, (), (E.DUMBBELLS,),
        P.ELBOW_EXTENSION, _I),
    _ex("cable_triceps_pushdown", "Cable Triceps Pushdown", M.TRICEPS, (), (E.CABLES,),
        P.ELBOW_EXTENSION, _I),
    _ex("overhead_cable_extension", "Overhead Cable Triceps Extension", M.TRICEPS, (),
        (E.CABLES,), P.ELBOW_EXTENSION, _I, (I.SHOULDER,)),
    _ex("kettlebell_overhead_extension", "Kettlebell Overhead Triceps Extension", M.TRICEPS,
        (), (E.KETTLEBELLS,), P.ELBOW_EXTENSION, _I, (I.ELBOW, I.SHOULDER)),
    _ex("band_pushdown", "Band Triceps Pushdown", M.TRICEPS, (), (E.BANDS,), P.ELBOW_EXTENSION,
        _I),
    _ex("bodyweight_triceps_extension", "Bodyweight Triceps Extension (hands on a table)",
        M.TRICEPS, (M.CHEST,), (E.BODYWEIGHT,), P.ELBOW_EXTENSION, _I, (I.ELBOW,)),
    _ex("chair_dip", "Chair Dip", M.TRICEPS, (M.CHEST, M.FRONT_DELTS), (E.BODYWEIGHT,),
        P.VERTICAL_PUSH, _C, (I.SHOULDER, I.WRIST)),
    # ------------------------------------------------------------------ calves
    _ex("standing_calf_raise", "Standing Calf Raise (machine)", M.CALVES, (), (E.MACHINES,),
        P.CALF_RAISE, _I),
    _ex("seated_calf_raise", "Seated Calf Raise", M.CALVES, (), (E.MACHINES,), P.CALF_RAISE,
        _I),
    _ex("barbell_calf_raise", "Barbell Calf Raise", M.CALVES, (), (E.BARBELL,), P.CALF_RAISE,
        _I, (I.LOWER_BACK,)),
    _ex("dumbbell_calf_raise", "Dumbbell Calf Raise", M.CALVES, (), (E.DUMBBELLS,),
        P.CALF_RAISE, _I),
    _ex("kettlebell_calf_raise", "Kettlebell Calf Raise", M.CALVES, (), (E.KETTLEBELLS,),
        P.CALF_RAISE, _I),
    _ex("single_leg_calf_raise", "Single-Leg Calf Raise", M.CALVES, (), (E.BODYWEIGHT,),
        P.CALF_RAISE, _I),
    # ------------------------------------------------------------------ abs
    _ex("cable_crunch", "Cable Crunch", M.ABS, (), (E.CABLES,), P.CORE, _I),
    _ex("machine_crunch", "Machine Crunch", M.ABS, (), (E.MACHINES,), P.CORE, _I),
    _ex("hanging_leg_raise", "Hanging Leg Raise", M.ABS, (), (E.PULL_UP_BAR,), P.CORE, _I,
        (I.SHOULDER,)),
    _ex("barbell_rollout", "Barbell Rollout", M.ABS, (), (E.BARBELL,), P.CORE, _I,
        (I.LOWER_BACK, I.SHOULDER)),
    _ex("dumbbell_weighted_crunch", "Weighted Crunch (dumbbell)", M.ABS, (), (E.DUMBBELLS,),
        P.CORE, _I),
    _ex("pallof_press", "Pallof Press (cable)", M.ABS, (), (E.CABLES,), P.CORE, _I),
    _ex("band_pallof_press", "Band Pallof Press", M.ABS, (), (E.BANDS,), P.CORE, _I),
    _ex("kettlebell_dead_bug", "Kettlebell Dead Bug", M.ABS, (), (E.KETTLEBELLS,), P.CORE, _I),
    _ex("crunch", "Crunch", M.ABS, (), (E.BODYWEIGHT,), P.CORE, _I),
    _ex("reverse_crunch", "Reverse Crunch", M.ABS, (), (E.BODYWEIGHT,), P.CORE, _I),
    _ex("dead_bug", "Dead Bug", M.ABS, (), (E.BODYWEIGHT,), P.CORE, _I),
    _ex("lying_leg_raise", "Lying Leg Raise", M.ABS, (), (E.BODYWEIGHT,), P.CORE, _I,
        (I.LOWER_BACK,)),
    # ---- power, balance, carries, conditioning
    # Not hard sets (pipeline.accounting counts STRENGTH work only): power sets stop far
    # from failure, balance and carries train control, conditioning the heart. Tags are
    # conservative: landing impact counts against knee, hip and lower back; catches and
    # overhead finishes against wrist, elbow and shoulder.
    # Jumps: landing forces of several times bodyweight load the knee, hip and spine.
    _new("squat_jump", "Squat Jump (countermovement, soft landing)", M.QUADS,
         (M.GLUTES, M.CALVES), (E.BODYWEIGHT,), P.SQUAT, Category.POWER,
         (I.KNEE, I.HIP, I.LOWER_BACK)),
    _new("broad_jump", "Standing Broad Jump (stick the landing)", M.QUADS,
         (M.GLUTES, M.HAMSTRINGS), (E.BODYWEIGHT,), P.SQUAT, Category.POWER,
         (I.KNEE, I.HIP, I.LOWER_BACK)),
    # Onto a box and step down: the landing is lower and softer than a floor jump, so the
    # spine is spared, but the knee and hip still absorb it.
    _new("box_jump", "Box Jump (onto a bench or low box, step down)", M.QUADS,
         (M.GLUTES, M.CALVES), (E.BENCH,), P.SQUAT, Category.POWER, (I.KNEE, I.HIP)),
    # Explosive push-up: the hands land on extended wrists and catch the body at the elbow
    # and shoulder.
    _new("plyo_push_up", "Plyometric Push-Up (hands leave the floor)", M.CHEST,
         (M.TRICEPS, M.FRONT_DELTS), (E.BODYWEIGHT,), P.HORIZONTAL_PUSH, Category.POWER,
         (I.WRIST, I.ELBOW, I.SHOULDER)),
    # Olympic-lift derivatives: a fast hip extension (lower back), an overhead or front-rack
    # finish (shoulder, wrist, elbow); only for intermediate and advanced lifters.
    _new("kettlebell_snatch", "Kettlebell Snatch", M.HAMSTRINGS,
         (M.GLUTES, M.SIDE_REAR_DELTS, M.BACK), (E.KETTLEBELLS,), P.HINGE, Category.POWER,
         (I.LOWER_BACK, I.SHOULDER, I.WRIST)),
    _new("dumbbell_snatch", "One-Arm Dumbbell Snatch", M.HAMSTRINGS,
         (M.GLUTES, M.SIDE_REAR_DELTS, M.BACK), (E.DUMBBELLS,), P.HINGE, Category.POWER,
         (I.LOWER_BACK, I.SHOULDER)),
    _new("hang_power_clean", "Hang Power Clean", M.HAMSTRINGS, (M.GLUTES, M.QUADS, M.BACK),
         (E.BARBELL,), P.HINGE, Category.POWER, (I.LOWER_BACK, I.WRIST, I.ELBOW)),
    # Push press: the leg drive is a shallow dip, but the finish is loaded overhead.
    _new("kettlebell_push_press", "Kettlebell Push Press", M.FRONT_DELTS,
         (M.TRICEPS, M.QUADS), (E.KETTLEBELLS,), P.VERTICAL_PUSH, Category.POWER,
         (I.SHOULDER, I.LOWER_BACK)),
    _new("dumbbell_push_press", "Dumbbell Push Press", M.FRONT_DELTS, (M.TRICEPS, M.QUADS),
         (E.DUMBBELLS,), P.VERTICAL_PUSH, Category.POWER, (I.SHOULDER, I.LOWER_BACK)),
    # A fast rise from a chair, sitting down slowly: the power exercise of older-adult
    # trials (e.g. fast sit-to-stand), no impact, partial depth: no tag.
    _new("fast_chair_stand", "Chair Stand, Up Fast (sit down slowly)", M.QUADS, (M.GLUTES,),
         (E.BODYWEIGHT,), P.SQUAT, Category.POWER),
    # Balance: static or slow single-leg work next to a support; the reach bends the
    # standing knee under bodyweight, so it is tagged for the knee.
    _new("single_leg_stance", "Single-Leg Stance (hand near a wall)", M.GLUTES, (M.CALVES,),
         (E.BODYWEIGHT,), P.HIP_ABDUCTION, Category.BALANCE, unilateral=True),
    _new("tandem_walk", "Heel-to-Toe Walk (steps)", M.CALVES, (M.GLUTES,), (E.BODYWEIGHT,),
         P.CALF_RAISE, Category.BALANCE),
    _new("single_leg_balance_reach", "Single-Leg Balance Reach", M.GLUTES,
         (M.QUADS, M.HAMSTRINGS), (E.BODYWEIGHT,), P.LUNGE, Category.BALANCE, (I.KNEE,),
         unilateral=True),
    # Carries (reps = steps): heavy bells load the spine axially (farmer's) or resist side
    # bending (suitcase); both tagged for the lower back, grip for the wrist.
    _new("farmers_carry", "Farmer's Carry (dumbbells, steps)", M.ABS, (M.BACK, M.GLUTES),
         (E.DUMBBELLS,), P.CORE, Category.CARRY, (I.LOWER_BACK, I.WRIST)),
    _new("kettlebell_farmers_carry", "Farmer's Carry (kettlebells, steps)", M.ABS,
         (M.BACK, M.GLUTES), (E.KETTLEBELLS,), P.CORE, Category.CARRY,
         (I.LOWER_BACK, I.WRIST)),
    _new("suitcase_carry", "Suitcase Carry (one dumbbell, steps per side)", M.ABS,
         (M.BACK,), (E.DUMBBELLS,), P.CORE, Category.CARRY, (I.LOWER_BACK, I.WRIST),
         unilateral=True),
    _new("kettlebell_suitcase_carry", "Suitcase Carry (one kettlebell, steps per side)",
         M.ABS, (M.BACK,), (E.KETTLEBELLS,), P.CORE, Category.CARRY, (I.LOWER_BACK, I.WRIST),
         unilateral=True),
    # Conditioning: bodyweight circuits and kettlebell/dumbbell complexes (no bike or
    # rower in the equipment list). Burpees load every joint on the way down and up.
    _new("burpee", "Burpee", M.QUADS, (M.CHEST, M.FRONT_DELTS), (E.BODYWEIGHT,), P.SQUAT,
         Category.CONDITIONING, (I.KNEE, I.WRIST, I.SHOULDER, I.LOWER_BACK)),
    _new("mountain_climber", "Mountain Climber (reps per side)", M.ABS,
         (M.QUADS, M.FRONT_DELTS), (E.BODYWEIGHT,), P.CORE, Category.CONDITIONING,
         (I.WRIST, I.SHOULDER), unilateral=True),
    _new("jumping_jack", "Jumping Jack", M.CALVES, (M.GLUTES, M.SIDE_REAR_DELTS),
         (E.BODYWEIGHT,), P.CALF_RAISE, Category.CONDITIONING, (I.KNEE, I.HIP)),
    # Marching and boxing have no impact and no loaded end range: untagged except boxing's
    # repeated fast punches for a painful shoulder.
    _new("high_knee_march", "High-Knee March (brisk, low impact)", M.ABS, (M.QUADS,),
         (E.BODYWEIGHT,), P.CORE, Category.CONDITIONING),
    _new("shadow_boxing", "Shadow Boxing (punches)", M.FRONT_DELTS, (M.ABS,),
         (E.BODYWEIGHT,), P.VERTICAL_PUSH, Category.CONDITIONING, (I.SHOULDER,)),
    _new("kettlebell_complex", "Kettlebell Complex (swing, goblet squat, press)",
         M.HAMSTRINGS, (M.QUADS, M.FRONT_DELTS), (E.KETTLEBELLS,), P.HINGE,
         Category.CONDITIONING, (I.LOWER_BACK, I.KNEE, I.SHOULDER)),
    _new("dumbbell_thruster", "Dumbbell Thruster", M.QUADS, (M.FRONT_DELTS, M.TRICEPS),
         (E.DUMBBELLS,), P.SQUAT, Category.CONDITIONING, (I.KNEE, I.SHOULDER, I.LOWER_BACK)),
    _new("band_row_sprint", "Band Row, Fast (conditioning)", M.BACK, (M.BICEPS,), (E.BANDS,),
         P.HORIZONTAL_PULL, Category.CONDITIONING),
)  # fmt: skip

CATALOG: dict[str, Exercise] = {ex.id: ex for ex in _EXERCISES}


def owned_equipment(profile: Profile) -> frozenset[Equipment]:
    """What the athlete can use: the listed equipment plus their own bodyweight."""
    return frozenset(profile.equipment) | {Equipment.BODYWEIGHT}


def _usable(
    exercise: Exercise, owned: frozenset[Equipment], injured: frozenset[InjuryArea]
) -> bool:
    return exercise.equipment <= owned and not (exercise.contraindications & injured)


def is_available(exercise: Exercise, profile: Profile) -> bool:
    return _usable(exercise, owned_equipment(profile), frozenset(profile.injuries))


@lru_cache(maxsize=512)
def _available(owned: frozenset[Equipment], injured: frozenset[InjuryArea]) -> tuple[Exercise, ...]:
    # Several stages ask for the same athlete's exercises: filter the catalog once.
    return tuple(ex for ex in _EXERCISES if _usable(ex, owned, injured))


def available(profile: Profile) -> list[Exercise]:
    """Every catalog exercise the athlete can do: equipment owned, nothing contraindicated.

    Catalog order (deterministic; preference order within a muscle).
    """
    return list(_available(owned_equipment(profile), frozenset(profile.injuries)))


def substitutes(exercise_id: str, profile: Profile) -> list[Exercise]:
    """Available alternatives that train the same primary muscle with the same compound-ness.

    Swapping an exercise for one of these keeps the weekly hard-set count per muscle
    and the compound-anchor rule intact. Catalog order; the exercise itself excluded.
    Raises KeyError for an unknown id.
    """
    target = CATALOG[exercise_id]
    return [
        ex
        for ex in available(profile)
        if ex.id != exercise_id and ex.primary == target.primary and ex.compound == target.compound
    ]
