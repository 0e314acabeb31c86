"""The project's own exercise catalog and the two queries every stage relies on.

Each exercise names exactly ONE primary muscle: the hard-set counting rule
(pipeline.accounting) credits a set to its primary muscle only, and the builder plans
each muscle's volume independently on that basis. The catalog is ordered by
preference within a muscle (barbell staples first, then dumbbells, machines, cables,
kettlebells, bands, bodyweight), which is the order the builder picks from; for an
injured or older athlete `available` puts supported variants first (docs/injuries.md).

Injury verdicts come from the joint review (pipeline.injuries.review): every exercise is
judged against every injury area with a recorded reason; `contraindications` are the
areas it is avoided for, `cautions` the areas where it is a last resort. The free-text
injury note is read by pipeline.injuries.phrases and narrows `available` further.
They are conservative defaults, not medical advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from programgen.pipeline.domain import Equipment, Goal, InjuryArea, Lift, Muscle, Profile
from programgen.pipeline.injuries import review
from programgen.pipeline.injuries.restrictions import (
    CAUTION,
    CLEAN,
    Restrictions,
    restrictions,
    tier,
    tighten,
)
from programgen.pipeline.injuries.review import Judgement, Stress


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
    # From the joint review (pipeline.injuries.review): areas where this exercise is a
    # last resort, the aggravating movements it involves, and whether the body or load
    # is supported (machine, bench, floor, box) - preferred for injured or older lifters.
    cautions: frozenset[InjuryArea] = frozenset()
    stresses: frozenset[Stress] = frozenset()
    supported: bool = False
    joint_review: tuple[tuple[InjuryArea, Judgement], ...] = ()  # verdict and why, per area

    def judgement(self, area: InjuryArea) -> Judgement:
        """The joint review's verdict on this exercise for an injured area, with why."""
        return dict(self.joint_review)[area]

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
    *,
    unilateral: bool = False,
    easier: str | None = None,
    harder: str | None = None,
    loading: Loading | None = None,
    category: Category = Category.STRENGTH,
) -> Exercise:
    parent_lift, parent_ratio = _VARIANTS.get(id, (None, 1.0))
    owned = set(equipment)
    judged = review.judgements(id, pattern.value, frozenset(contra), category.value)
    return Exercise(
        id=id,
        name=name,
        primary_muscles=(primary,),
        secondary_muscles=secondary,
        equipment=frozenset(equipment),
        pattern=pattern,
        compound=compound,
        contraindications=frozenset(
            a for a, j in judged.items() if j.verdict is review.Verdict.AVOID
        ),
        lift=lift,
        parent_lift=parent_lift,
        parent_ratio=parent_ratio,
        loading=loading or _loading(owned),
        category=category,
        unilateral=unilateral,
        easier=easier,
        harder=harder,
        cautions=frozenset(a for a, j in judged.items() if j.verdict is review.Verdict.CAUTION),
        stresses=review.stresses(id),
        supported=Equipment.MACHINES in owned or id in review.SUPPORTED,
        joint_review=tuple(judged.items()),
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
    """A power, balance, carry or conditioning entry (never a known lift's variant); the
    joint review judges it like every other entry, from its tags, id and category."""
    compound = category is not Category.BALANCE
    return _ex(
        id, name, primary, secondary, equipment, pattern, compound, contra,
        unilateral=unilateral, category=category,
    )  # fmt: skip


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
    "weighted_pull_up": (Lift.PULL_UP, 1.0),
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
    _ex("incline_push_up", "Incline Push-Up (hands on a bench, table or wall)", M.CHEST,
        (M.TRICEPS, M.FRONT_DELTS), (E.BODYWEIGHT,), P.HORIZONTAL_PUSH, _C, harder="push_up"),
    _ex("push_up", "Push-Up", M.CHEST, (M.TRICEPS, M.FRONT_DELTS, M.ABS), (E.BODYWEIGHT,),
        P.HORIZONTAL_PUSH, _C, (I.WRIST,), easier="incline_push_up",
        harder="feet_elevated_push_up"),
    _ex("feet_elevated_push_up", "Feet-Elevated Push-Up", M.CHEST, (M.FRONT_DELTS, M.TRICEPS),
        (E.BODYWEIGHT,), P.HORIZONTAL_PUSH, _C, (I.WRIST, I.SHOULDER), easier="push_up",
        harder="deficit_push_up"),
    _ex("deficit_push_up", "Deficit Push-Up (hands on blocks)", M.CHEST,
        (M.TRICEPS, M.FRONT_DELTS), (E.BODYWEIGHT,), P.HORIZONTAL_PUSH, _C,
        (I.WRIST, I.SHOULDER), easier="feet_elevated_push_up"),
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
        (I.SHOULDER,), Lift.PULL_UP, easier="band_assisted_pull_up", harder="weighted_pull_up"),
    _ex("chin_up", "Chin-Up", M.BACK, (M.BICEPS,), (E.PULL_UP_BAR,), P.VERTICAL_PULL, _C,
        (I.SHOULDER, I.ELBOW)),
    # Bodyweight minus the band's help: it progresses to lighter bands, then the pull-up.
    _ex("band_assisted_pull_up", "Band-Assisted Pull-Up", M.BACK, (M.BICEPS,),
        (E.PULL_UP_BAR, E.BANDS), P.VERTICAL_PULL, _C, (I.SHOULDER,), harder="pull_up",
        loading=Loading.BODYWEIGHT),
    # Load added with a dumbbell held between the feet (or on a belt): a loaded lift.
    _ex("weighted_pull_up", "Weighted Pull-Up (dumbbell between the feet)", M.BACK,
        (M.BICEPS,), (E.PULL_UP_BAR, E.DUMBBELLS), P.VERTICAL_PULL, _C, (I.SHOULDER, I.ELBOW),
        easier="pull_up"),
    # The bar only holds the lifter: a bodyweight exercise.
    _ex("inverted_row", "Inverted Row (bar in rack)", M.BACK, (M.BICEPS, M.SIDE_REAR_DELTS),
        (E.BARBELL,), P.HORIZONTAL_PULL, _C, loading=Loading.BODYWEIGHT),
    _ex("one_arm_dumbbell_row", "One-Arm Dumbbell Row", M.BACK, (M.BICEPS, M.SIDE_REAR_DELTS),
        (E.DUMBBELLS,), P.HORIZONTAL_PULL, _C, unilateral=True),
    _ex("chest_supported_dumbbell_row", "Chest-Supported Dumbbell Row", M.BACK,
        (M.BICEPS, M.SIDE_REAR_DELTS), (E.DUMBBELLS, E.BENCH), P.HORIZONTAL_PULL, _C),
    _ex("lat_pulldown", "Lat Pulldown", M.BACK, (M.BICEPS,), (E.CABLES,), P.VERTICAL_PULL, _C),
    _ex("seated_cable_row", "Seated Cable Row", M.BACK, (M.BICEPS, M.SIDE_REAR_DELTS),
        (E.CABLES,), P.HORIZONTAL_PULL, _C),
    _ex("machine_row", "Machine Row", M.BACK, (M.BICEPS, M.SIDE_REAR_DELTS), (E.MACHINES,),
        P.HORIZONTAL_PULL, _C),
    _ex("kettlebell_row", "One-Arm Kettlebell Row", M.BACK, (M.BICEPS,), (E.KETTLEBELLS,),
        P.HORIZONTAL_PULL, _C, unilateral=True),
    _ex("band_row", "Band Row", M.BACK, (M.BICEPS, M.SIDE_REAR_DELTS), (E.BANDS,),
        P.HORIZONTAL_PULL, _C),
    _ex("band_lat_pulldown", "Band Lat Pulldown (anchored high)", M.BACK, (M.BICEPS,),
        (E.BANDS,), P.VERTICAL_PULL, _C),
    _ex("table_inverted_row", "Inverted Row Under a Sturdy Table", M.BACK,
        (M.BICEPS, M.SIDE_REAR_DELTS), (E.BODYWEIGHT,), P.HORIZONTAL_PULL, _C,
        easier="towel_door_row"),
    _ex("towel_door_row", "Door-Frame Towel Row", M.BACK, (M.BICEPS,), (E.BODYWEIGHT,),
        P.HORIZONTAL_PULL, _C, harder="table_inverted_row"),
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
        (E.DUMBBELLS, E.BENCH), P.LUNGE, _C, (I.KNEE, I.HIP), unilateral=True),
    _ex("dumbbell_goblet_squat", "Dumbbell Goblet Squat", M.QUADS, (M.GLUTES, M.ABS),
        (E.DUMBBELLS,), P.SQUAT, _C, (I.KNEE,)),
    _ex("dumbbell_box_squat", "Dumbbell Box Squat", M.QUADS, (M.GLUTES,), (E.DUMBBELLS,),
        P.SQUAT, _C),
    _ex("dumbbell_walking_lunge", "Dumbbell Walking Lunge", M.QUADS, (M.GLUTES,),
        (E.DUMBBELLS,), P.LUNGE, _C, (I.KNEE, I.HIP), unilateral=True),
    _ex("step_up", "Step-Up (onto a bench)", M.QUADS, (M.GLUTES,), (E.BENCH,), P.LUNGE, _C,
        (I.KNEE,), unilateral=True),
    _ex("kettlebell_goblet_squat", "Kettlebell Goblet Squat", M.QUADS, (M.GLUTES, M.ABS),
        (E.KETTLEBELLS,), P.SQUAT, _C, (I.KNEE,)),
    _ex("spanish_squat", "Spanish Squat (band)", M.QUADS, (M.GLUTES,), (E.BANDS,), P.SQUAT,
        _C),
    _ex("bodyweight_squat", "Bodyweight Squat", M.QUADS, (M.GLUTES,), (E.BODYWEIGHT,),
        P.SQUAT, _C, (I.KNEE,), easier="bodyweight_box_squat", harder="bodyweight_split_squat"),
    _ex("bodyweight_box_squat", "Bodyweight Box Squat", M.QUADS, (M.GLUTES,),
        (E.BODYWEIGHT,), P.SQUAT, _C, harder="bodyweight_squat"),
    _ex("bodyweight_split_squat", "Bodyweight Split Squat", M.QUADS, (M.GLUTES,),
        (E.BODYWEIGHT,), P.LUNGE, _C, (I.KNEE, I.HIP), unilateral=True,
        easier="bodyweight_squat", harder="rear_foot_elevated_split_squat"),
    _ex("rear_foot_elevated_split_squat", "Rear-Foot-Elevated Split Squat (foot on a chair)",
        M.QUADS, (M.GLUTES,), (E.BODYWEIGHT,), P.LUNGE, _C, (I.KNEE, I.HIP), unilateral=True,
        easier="bodyweight_split_squat", harder="skater_squat"),
    _ex("skater_squat", "Skater Squat", M.QUADS, (M.GLUTES,), (E.BODYWEIGHT,), P.SQUAT, _C,
        (I.KNEE, I.HIP), unilateral=True, easier="rear_foot_elevated_split_squat",
        harder="pistol_squat"),
    _ex("pistol_squat", "Pistol Squat (to a box)", M.QUADS, (M.GLUTES,), (E.BODYWEIGHT,),
        P.SQUAT, _C, (I.KNEE, I.HIP), unilateral=True, easier="skater_squat"),
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
        (E.DUMBBELLS,), P.HINGE, _C, unilateral=True),
    # Ballistic, not strength work: a swing is done for speed, and swing training raises
    # jump height and power output much as jump-squat training does (Lake & Lauder 2012,
    # J Strength Cond Res 26:2228).
    _ex("kettlebell_swing", "Kettlebell Swing", M.HAMSTRINGS, (M.GLUTES,), (E.KETTLEBELLS,),
        P.HINGE, _C, (I.LOWER_BACK,), category=Category.POWER),
    _ex("kettlebell_romanian_deadlift", "Kettlebell Romanian Deadlift", M.HAMSTRINGS,
        (M.GLUTES,), (E.KETTLEBELLS,), P.HINGE, _C, (I.LOWER_BACK,)),
    _ex("band_good_morning", "Band Good Morning", M.HAMSTRINGS, (M.GLUTES,), (E.BANDS,),
        P.HINGE, _C),
    _ex("single_leg_rdl", "Bodyweight Single-Leg RDL", M.HAMSTRINGS, (M.GLUTES,),
        (E.BODYWEIGHT,), P.HINGE, _C, unilateral=True),
    _ex("lying_leg_curl", "Lying Leg Curl", M.HAMSTRINGS, (), (E.MACHINES,), P.KNEE_FLEXION,
        _I),
    _ex("seated_leg_curl", "Seated Leg Curl", M.HAMSTRINGS, (), (E.MACHINES,), P.KNEE_FLEXION,
        _I),
    _ex("cable_leg_curl", "Standing Cable Leg Curl", M.HAMSTRINGS, (), (E.CABLES,),
        P.KNEE_FLEXION, _I, unilateral=True),
    _ex("band_leg_curl", "Band Leg Curl", M.HAMSTRINGS, (), (E.BANDS,), P.KNEE_FLEXION, _I),
    _ex("sliding_leg_curl", "Sliding Leg Curl (towel on floor)", M.HAMSTRINGS, (M.GLUTES,),
        (E.BODYWEIGHT,), P.KNEE_FLEXION, _I, harder="nordic_curl"),
    _ex("nordic_curl", "Nordic Hamstring Curl", M.HAMSTRINGS, (), (E.BODYWEIGHT,),
        P.KNEE_FLEXION, _I, (I.KNEE,), easier="sliding_leg_curl"),
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
        _I, unilateral=True),
    _ex("kettlebell_glute_bridge", "Kettlebell Glute Bridge", M.GLUTES, (M.HAMSTRINGS,),
        (E.KETTLEBELLS,), P.HIP_EXTENSION, _I),
    _ex("band_lateral_walk", "Band Lateral Walk", M.GLUTES, (), (E.BANDS,), P.HIP_ABDUCTION,
        _I),
    _ex("glute_bridge", "Glute Bridge", M.GLUTES, (M.HAMSTRINGS,), (E.BODYWEIGHT,),
        P.HIP_EXTENSION, _I, harder="single_leg_glute_bridge"),
    _ex("single_leg_glute_bridge", "Single-Leg Glute Bridge", M.GLUTES, (M.HAMSTRINGS,),
        (E.BODYWEIGHT,), P.HIP_EXTENSION, _I, unilateral=True, easier="glute_bridge"),
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
    _ex("kettlebell_press", "One-Arm Kettlebell Press", M.FRONT_DELTS, (M.TRICEPS,),
        (E.KETTLEBELLS,), P.VERTICAL_PUSH, _C, (I.SHOULDER,), unilateral=True),
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
    _ex("cable_lateral_raise", "One-Arm Cable Lateral Raise", M.SIDE_REAR_DELTS, (),
        (E.CABLES,), P.SHOULDER_RAISE, _I, unilateral=True),
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
    _ex("bodyweight_calf_raise", "Bodyweight Calf Raise (both legs, on a step)", M.CALVES, (),
        (E.BODYWEIGHT,), P.CALF_RAISE, _I, harder="single_leg_calf_raise"),
    _ex("single_leg_calf_raise", "Single-Leg Calf Raise", M.CALVES, (), (E.BODYWEIGHT,),
        P.CALF_RAISE, _I, unilateral=True, easier="bodyweight_calf_raise"),
    # ------------------------------------------------------------------ abs
    _ex("cable_crunch", "Cable Crunch", M.ABS, (), (E.CABLES,), P.CORE, _I),
    _ex("machine_crunch", "Machine Crunch", M.ABS, (), (E.MACHINES,), P.CORE, _I),
    _ex("hanging_leg_raise", "Hanging Leg Raise", M.ABS, (), (E.PULL_UP_BAR,), P.CORE, _I,
        (I.SHOULDER,), easier="lying_leg_raise"),
    # The bar is a roller under bodyweight, not the load.
    _ex("barbell_rollout", "Barbell Rollout", M.ABS, (), (E.BARBELL,), P.CORE, _I,
        (I.LOWER_BACK, I.SHOULDER), loading=Loading.BODYWEIGHT),
    _ex("dumbbell_weighted_crunch", "Weighted Crunch (dumbbell)", M.ABS, (), (E.DUMBBELLS,),
        P.CORE, _I),
    _ex("pallof_press", "Pallof Press (cable)", M.ABS, (), (E.CABLES,), P.CORE, _I),
    _ex("band_pallof_press", "Band Pallof Press", M.ABS, (), (E.BANDS,), P.CORE, _I),
    _ex("kettlebell_dead_bug", "Kettlebell Dead Bug", M.ABS, (), (E.KETTLEBELLS,), P.CORE, _I),
    _ex("crunch", "Crunch", M.ABS, (), (E.BODYWEIGHT,), P.CORE, _I),
    _ex("reverse_crunch", "Reverse Crunch", M.ABS, (), (E.BODYWEIGHT,), P.CORE, _I,
        harder="lying_leg_raise"),
    _ex("dead_bug", "Dead Bug", M.ABS, (), (E.BODYWEIGHT,), P.CORE, _I),
    _ex("lying_leg_raise", "Lying Leg Raise", M.ABS, (), (E.BODYWEIGHT,), P.CORE, _I,
        (I.LOWER_BACK,), easier="reverse_crunch", harder="hanging_leg_raise"),
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
    # Impact-free power for every equipment set (no medicine ball in the equipment list):
    # light loads moved as fast as possible, the ballistic-intent training Cormie,
    # McGuigan & Newton 2011 (Sports Med 41:125) review for power; the choice of these
    # variants is this project's. Judged by the joint review like every other entry.
    _new("landmine_push_press", "Landmine Push Press (explosive)", M.FRONT_DELTS,
         (M.TRICEPS, M.QUADS), (E.BARBELL,), P.VERTICAL_PUSH, Category.POWER),
    _new("band_speed_press", "Band Chest Press, Explosive (fast push, control back)",
         M.CHEST, (M.TRICEPS, M.FRONT_DELTS), (E.BANDS,), P.HORIZONTAL_PUSH, Category.POWER),
    _new("cable_woodchop", "Cable Woodchop, Fast (rotational power)", M.ABS,
         (M.FRONT_DELTS,), (E.CABLES,), P.CORE, Category.POWER),
    _new("band_woodchop", "Band Woodchop, Fast (rotational power)", M.ABS, (M.FRONT_DELTS,),
         (E.BANDS,), P.CORE, Category.POWER),
    _new("dumbbell_speed_floor_press", "Dumbbell Floor Press, Explosive (light, fast)",
         M.CHEST, (M.TRICEPS,), (E.DUMBBELLS,), P.HORIZONTAL_PUSH, Category.POWER),
    # Low hops off the ankles, knees nearly straight: the lowest-amplitude jump (a row in
    # the joint review says when that is a last resort rather than an avoid).
    _new("pogo_hop", "Pogo Hops (low, quick, off the ankles)", M.CALVES, (M.QUADS,),
         (E.BODYWEIGHT,), P.CALF_RAISE, Category.POWER),
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


# Older adults: machines and other supported variants first. Fragala et al. 2019 (NSCA
# position statement on resistance training for older adults) advise supervised,
# stable (often machine-based) training to start; the 65-year threshold follows the
# ACSM/WHO older-adult guidance (Chodzko-Zajko et al. 2009; WHO 2020). Choosing
# "supported first" from that advice is this project's heuristic.
OLDER_ADULT_AGE = 65
# Strength goals keep the competition lifts first: a caution ranks them, only an avoid
# verdict removes them (the pain rule then governs them; docs/injuries.md).
_KEEP_LIFTS = frozenset({Goal.POWERLIFTING_PEAK, Goal.GENERAL_STRENGTH})
_MAIN_LIFTS = frozenset({Lift.SQUAT, Lift.BENCH_PRESS, Lift.DEADLIFT})  # the competition lifts
_MUSCLE_ORDER: dict[Muscle, int] = {}
for _e in _EXERCISES:
    _MUSCLE_ORDER.setdefault(_e.primary, len(_MUSCLE_ORDER))


# A heavy grip the note implies (an epicondylalgia) is taken off a competition lift by
# straps, not by dropping the lift: it stays for a strength goal, like a caution.
_STRAPPABLE = frozenset({Stress.GRIPPING})


def _tier(exercise: Exercise, r: Restrictions, older: bool, keep_lifts: bool) -> int | None:
    found = tier(exercise, r)
    if keep_lifts and exercise.lift in _MAIN_LIFTS:
        if found == CAUTION:
            return CLEAN
        strappable = exercise.stresses & r.stresses <= _STRAPPABLE
        if found is None and not exercise.contraindications & r.areas and strappable:
            return CLEAN
    if older and found == CLEAN and exercise.id in review.DEMANDING:
        return CAUTION
    return found


@lru_cache(maxsize=512)
def _available(
    owned: frozenset[Equipment], r: Restrictions, older: bool, keep_lifts: bool
) -> tuple[Exercise, ...]:
    # Several stages ask for the same athlete's exercises: filter the catalog once.
    usable: list[tuple[int, Exercise, int]] = []
    best: dict[tuple[Muscle | None, Category], int] = {}
    for index, ex in enumerate(_EXERCISES):
        found = _tier(ex, r, older, keep_lifts) if ex.equipment <= owned else None
        if found is None:
            continue
        usable.append((index, ex, found))
        job = _job(ex)
        best[job] = min(best.get(job, found), found)
    # Per job only the kindest tier stays: a caution is a last resort, not an option
    # beside a clean one (leg curls, not hinges, for a bad back).
    kept = [(i, ex) for i, ex, t in usable if t == best[_job(ex)]]
    if older:
        kept = _supported_compounds(kept, keep_lifts)
    # Supported variants first for every muscle of an older lifter, and for the muscles
    # whose exercises involve an injured area (pressing for a shoulder, not for a knee).
    # Per muscle and category: a plyometric push-up that lands hard on a bad knee does not
    # make chest presses an injured lifter's concern.
    touched = {(ex.primary, ex.category) for ex in _EXERCISES if _touches(ex, r)}
    if older or touched:
        kept.sort(
            key=lambda item: (
                _MUSCLE_ORDER[item[1].primary],
                _rank(item[1], keep_lifts)
                if older or (item[1].primary, item[1].category) in touched
                else 1,
                item[0],
            )
        )
    return tuple(ex for _, ex in kept)


def _job(ex: Exercise) -> tuple[Muscle | None, Category]:
    """What an exercise is for when tiers are compared: strength, balance and carries per
    muscle and category (a jump is no stand-in for a leg press); power and conditioning
    by category alone - their job is speed or the heart, whatever muscle leads, so a
    jumping jack is no last resort beside a clean high-knee march."""
    if ex.category in (Category.POWER, Category.CONDITIONING):
        return None, ex.category
    return ex.primary, ex.category


def _supported_compounds(
    kept: list[tuple[int, Exercise]], keep_lifts: bool
) -> list[tuple[int, Exercise]]:
    """An older lifter's compound strength work: supported variants only, where a muscle
    has one (machines, chest-supported rows, floor presses, box squats)."""
    backed = {ex.primary for _, ex in kept if ex.compound and ex.supported and _is_strength(ex)}

    def stays(ex: Exercise) -> bool:
        if ex.primary not in backed or not ex.compound or not _is_strength(ex):
            return True
        return ex.supported or (keep_lifts and ex.lift in _MAIN_LIFTS)

    return [(i, ex) for i, ex in kept if stays(ex)]


def _is_strength(ex: Exercise) -> bool:
    return ex.category is Category.STRENGTH


def _touches(ex: Exercise, r: Restrictions) -> bool:
    return bool((ex.contraindications | ex.cautions) & r.areas or ex.stresses & r.stresses)


def _rank(ex: Exercise, keep_lifts: bool) -> int:
    if keep_lifts and ex.lift in _MAIN_LIFTS:
        return 0
    return 0 if ex.supported else 1


def _key(
    profile: Profile, also: Restrictions | None = None
) -> tuple[frozenset[Equipment], Restrictions, bool, bool]:
    r = restrictions(profile)
    if also is not None:
        # Only ever tighter than the profile's own restrictions (the LLM stage's contract).
        r = tighten(r, also.areas, also.stresses)
    older = profile.age >= OLDER_ADULT_AGE
    return owned_equipment(profile), r, older, profile.goal in _KEEP_LIFTS


@lru_cache(maxsize=512)
def _available_ids(key: tuple[frozenset[Equipment], Restrictions, bool, bool]) -> frozenset[str]:
    return frozenset(ex.id for ex in _available(*key))


def is_available(exercise: Exercise, profile: Profile, also: Restrictions | None = None) -> bool:
    """The exercise is in `available(profile, also)`."""
    return exercise.id in _available_ids(_key(profile, also))


def available(profile: Profile, also: Restrictions | None = None) -> list[Exercise]:
    """Every catalog exercise the athlete can do: equipment owned, nothing contraindicated,
    and, per muscle and category, only the kindest option tier (pipeline.injuries).

    ``also`` adds restrictions found elsewhere (the LLM stage's reading of the note):
    whatever it adds, every exercise avoided for the profile stays out (a muscle may fall
    back to a last-resort option once its clean ones are gone). Catalog order
    (deterministic; preference order within a muscle); for an injured or older athlete
    supported variants come first.
    """
    return list(_available(*_key(profile, also)))


def substitutes(
    exercise_id: str, profile: Profile, also: Restrictions | None = None
) -> list[Exercise]:
    """Available alternatives that train the same primary muscle with the same compound-ness.

    Swapping an exercise for one of these keeps the weekly hard-set count per muscle
    and the compound-anchor rule intact. Catalog order; the exercise itself excluded.
    Raises KeyError for an unknown id.
    """
    target = CATALOG[exercise_id]
    return [
        ex
        for ex in available(profile, also)
        if ex.id != exercise_id and ex.primary == target.primary and ex.compound == target.compound
    ]
