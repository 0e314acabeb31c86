"""The joint review's vocabulary: verdicts, the movement stresses an injury note can name,
and the constructors the review table (pipeline.injuries.review_table) writes its rows
with (docs/injuries.md)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from programgen.pipeline.domain import InjuryArea


class Verdict(StrEnum):
    OK = "ok"
    CAUTION = "caution"
    AVOID = "avoid"


class Stress(StrEnum):
    """Aggravating movement classes an injury note can name (docs/injuries.md)."""

    CLOSE_GRIP = "close_grip"  # narrow-grip pressing: deep elbow flexion under load
    WIDE_GRIP = "wide_grip"
    OVERHEAD = "overhead"  # arms overhead under load
    DIPS = "dips"
    END_RANGE = "end_range"  # loaded end-range stretch of a joint
    DEEP_KNEE_FLEXION = "deep_knee_flexion"
    DEEP_HIP_FLEXION = "deep_hip_flexion"
    AXIAL_LOADING = "axial_loading"  # load compressing the spine (bar on the back, overhead)
    HINGE = "hinge"  # loaded forward bend at the hips
    SPINAL_FLEXION = "spinal_flexion"  # crunching the lumbar spine
    LUNGE = "lunge"  # split stance, lunges, step-ups
    SQUATTING = "squatting"
    KNEELING = "kneeling"
    PUSH_UP = "push_up"  # hands flat on the floor: bodyweight on extended wrists
    HANGING = "hanging"  # hanging from a bar
    GRIPPING = "gripping"  # heavy or sustained grip
    SUPINATED = "supinated"  # palms-up curling or pulling
    FLOOR_PULL = "floor_pull"  # deadlifting from the floor
    JUMPING = "jumping"  # landing impact
    RUNNING = "running"
    FLY = "fly"
    # Loaded lengthening of the hamstrings at the knee (Nordic and sliding curls): what a
    # strained hamstring is spared first (docs/injuries.md, "Muscle strains").
    HAMSTRING_LENGTHENING = "hamstring_lengthening"


@dataclass(frozen=True, slots=True)
class Judgement:
    verdict: Verdict
    reason: str


def avoid(reason: str) -> Judgement:
    return Judgement(Verdict.AVOID, reason)


def caution(reason: str) -> Judgement:
    return Judgement(Verdict.CAUTION, reason)


def ok(reason: str) -> Judgement:
    return Judgement(Verdict.OK, reason)


@dataclass(frozen=True, slots=True)
class Row:
    cells: dict[InjuryArea, Judgement]
    stresses: frozenset[Stress]


K, LB, SH, EL, WR, HP = (
    InjuryArea.KNEE,
    InjuryArea.LOWER_BACK,
    InjuryArea.SHOULDER,
    InjuryArea.ELBOW,
    InjuryArea.WRIST,
    InjuryArea.HIP,
)
S = Stress


def row(*stresses: Stress, **cells: Judgement) -> Row:
    keys = {"knee": K, "back": LB, "shoulder": SH, "elbow": EL, "wrist": WR, "hip": HP}
    return Row({keys[k]: v for k, v in cells.items()}, frozenset(stresses))
