"""The joint review: the verdict of every (exercise, area) pair, from the review table
(pipeline.injuries.review_table, with the sources; its vocabulary:
pipeline.injuries.verdicts) or, for an entry without a row, from
its pattern, id keywords and category."""

from __future__ import annotations

from programgen.pipeline.domain import InjuryArea

# The shared reasons the table's rows use, reused for entries without a row.
from programgen.pipeline.injuries.review_table import (
    _DIP_ELBOW,
    _DIP_SHOULDER,
    _LUNGE_HIP,
    _LUNGE_KNEE,
    _PUSH_SHOULDER,
    _PUSH_WRIST,
)
from programgen.pipeline.injuries.review_table import DEMANDING as DEMANDING
from programgen.pipeline.injuries.review_table import REVIEW as REVIEW
from programgen.pipeline.injuries.review_table import SUPPORTED as SUPPORTED
from programgen.pipeline.injuries.verdicts import EL, HP, LB, SH, WR, K, S
from programgen.pipeline.injuries.verdicts import Judgement as Judgement
from programgen.pipeline.injuries.verdicts import Row as Row
from programgen.pipeline.injuries.verdicts import Stress as Stress
from programgen.pipeline.injuries.verdicts import Verdict as Verdict
from programgen.pipeline.injuries.verdicts import avoid as _a
from programgen.pipeline.injuries.verdicts import caution as _c
from programgen.pipeline.injuries.verdicts import ok as _ok

_UPPER = {
    "horizontal_push",
    "vertical_push",
    "horizontal_pull",
    "vertical_pull",
    "chest_fly",
    "shoulder_raise",
    "rear_delt_fly",
    "elbow_flexion",
    "elbow_extension",
}
_LEGS = {K, HP}
_ARMS = {SH, EL, WR}

# Keywords in an id that imply a stress, for entries added without a review row (power,
# conditioning): landing impact, running.
_KEYWORD_STRESSES: tuple[tuple[str, Stress], ...] = (
    ("jump", S.JUMPING),
    ("hop", S.JUMPING),
    ("bound", S.JUMPING),
    ("burpee", S.JUMPING),
    ("skip", S.JUMPING),
    ("plyo", S.JUMPING),
    ("sprint", S.RUNNING),
    ("run", S.RUNNING),
    ("jog", S.RUNNING),
    ("shuttle", S.RUNNING),
    ("dip", S.DIPS),
    ("lunge", S.LUNGE),
    ("push_up", S.PUSH_UP),
    # Ballistic hip extension from a hinge (the swing's pattern): snatches, cleans, the
    # swing inside a kettlebell complex.
    ("snatch", S.HINGE),
    ("clean", S.HINGE),
    ("swing", S.HINGE),
    ("complex", S.HINGE),
    # A heavy load carried in both hands compresses the spine (the carries' review reason).
    ("farmers", S.AXIAL_LOADING),
)

# Ids a keyword misreads: the fist push-up keeps the wrist neutral (not the flat-hand
# position), the fast band row is a row, not a run.
_NOT_IMPLIED: frozenset[tuple[str, Stress]] = frozenset(
    {("fist_push_up", S.PUSH_UP), ("band_row_sprint", S.RUNNING)}
)


def _default(pattern: str, area: InjuryArea) -> Judgement:
    """The reason a cell without a written verdict is OK, from the movement pattern."""
    name = area.value.replace("_", " ")
    if pattern in _UPPER:
        if area in _LEGS:
            return _ok(f"upper-body work: the {name} carries no load")
        if area is LB:
            return _ok("upper-body work without a loaded spinal position")
        return _ok(f"the {name} works mid-range, without a loaded end-range position")
    if pattern == "core":
        return _ok(f"core work that keeps the {name} out of a loaded end range")
    if area in _ARMS:
        return _ok(f"lower-body work: the {name} only holds the body or the load")
    return _ok(f"the {name} moves in a mid-range without a loaded end-range position")


# For entries added without a review row (power, carries, conditioning): what their
# movements imply, by the stresses their ids name and by their category.
_BY_STRESS: dict[Stress, dict[InjuryArea, Judgement]] = {
    S.JUMPING: {
        K: _a("landing impact loads the knee at several times bodyweight"),
        HP: _c("landing impact through the hip"),
        LB: _c("landing impact compresses the spine"),
    },
    S.RUNNING: {
        K: _c("repeated impact of two to three times bodyweight per stride"),
        HP: _c("repeated impact through the hip"),
    },
    S.DIPS: {EL: _DIP_ELBOW, SH: _DIP_SHOULDER},
    S.LUNGE: {K: _LUNGE_KNEE, HP: _LUNGE_HIP},
    S.PUSH_UP: {WR: _PUSH_WRIST, SH: _PUSH_SHOULDER},
}
_BY_CATEGORY: dict[str, dict[InjuryArea, Judgement]] = {
    "power": {LB: _c("fast, forceful loading of the trunk")},
    "carry": {
        EL: _c("a heavy sustained grip works the forearm flexors at the elbow"),
        WR: _c("a heavy load hangs from the wrists"),
        LB: _c("a carried load compresses the spine"),
    },
}


def judgements(
    exercise_id: str,
    pattern: str,
    tagged: frozenset[InjuryArea],
    category: str = "strength",
) -> dict[InjuryArea, Judgement]:
    """One judgement per injury area for an exercise.

    ``tagged`` are areas the catalog entry itself names as contraindicated: an entry
    without a review row (added after this review) is avoided for those areas, and its
    stresses and category supply cautions.
    """
    row = REVIEW.get(exercise_id)
    cells: dict[InjuryArea, Judgement] = {}
    if row is not None:
        cells = row.cells
    else:
        cells = dict(_BY_CATEGORY.get(category, {}))
        for stress in sorted(stresses(exercise_id)):
            cells.update(_BY_STRESS.get(stress, {}))
    out: dict[InjuryArea, Judgement] = {}
    for area in InjuryArea:
        if area in tagged and (area not in cells or row is None):
            out[area] = _a("named contraindicated in its catalog entry")
        elif area in cells:
            out[area] = cells[area]
        else:
            out[area] = _default(pattern, area)
    return out


def stresses(exercise_id: str) -> frozenset[Stress]:
    row = REVIEW.get(exercise_id)
    found = set(row.stresses) if row is not None else set()
    words = exercise_id.split("_")
    for keyword, stress in _KEYWORD_STRESSES:
        # Whole words only ("crunch" is not running): a word starting with the keyword.
        if "_" in keyword:
            hit = keyword in exercise_id
        else:
            hit = any(w.startswith(keyword) for w in words)
        if hit and (exercise_id, stress) not in _NOT_IMPLIED:
            found.add(stress)
    return frozenset(found)
