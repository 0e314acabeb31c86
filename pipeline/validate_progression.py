"""Validator checks for loads and progressions (registered in pipeline.validator.CHECKS).

Each public function is one rule; its name is the rule its violations carry. The rules
and their sources: docs/science.md, "Progressions" and "Loads".
"""

from __future__ import annotations

from programgen.pipeline.analysis import BAR_WEIGHT, RELIABLE_MAX_REPS
from programgen.pipeline.catalog import CATALOG, Category, Exercise, Loading, is_available
from programgen.pipeline.domain import (
    Lift,
    LoadKind,
    PrescribedExercise,
    Profile,
    Program,
    ProgressionKind,
)
from programgen.pipeline.progression import (
    FIXED_LOADINGS,
    HINGE_MAX_REPS,
    LOADABLE,
    is_hinge_capped,
)
from programgen.pipeline.validate_intensity import Reporter

# Load kinds whose load the lifter does not choose freely: a week's reps are only
# executable relative to the load stated (none for bodyweight and assistance).
_STATED = frozenset({LoadKind.ABSOLUTE, LoadKind.ADDED, LoadKind.BODYWEIGHT, LoadKind.ASSISTED})


# The last program's exercises, located: five rules walk them (one entry: a program is
# frozen, so the same object has the same exercises).
_LOCATED: list[tuple[Program, list[tuple[str, Exercise, PrescribedExercise]]]] = []


def _exercises(program: Program) -> list[tuple[str, Exercise, PrescribedExercise]]:
    if _LOCATED and _LOCATED[0][0] is program:
        return _LOCATED[0][1]
    located = []
    for i, week in enumerate(program.weeks):
        for j, day in enumerate(week.days):
            for k, ex in enumerate(day.exercises):
                entry = CATALOG.get(ex.exercise_id)
                if entry is not None:
                    located.append((f"weeks[{i}].days[{j}].exercises[{k}]", entry, ex))
    _LOCATED[:] = [(program, located)]
    return located


def _fixed(entry: Exercise, ex: PrescribedExercise) -> bool:
    """Reps are the only thing that can change week to week at this load."""
    if ex.load_kind in _STATED:
        return True
    return entry.loading in FIXED_LOADINGS and ex.load_kind is not LoadKind.ADDED


def fixed_load_reps(program: Program, profile: Profile, r: Reporter) -> None:
    """Reps never fall week over week at the same or a higher RPE unless load is added:
    at a fixed (or stated) load that cannot be done."""
    last: dict[tuple[int, str], tuple[float, int, int, float]] = {}
    for i, week in enumerate(program.weeks):
        for j, day in enumerate(week.days):
            for k, ex in enumerate(day.exercises):
                entry = CATALOG.get(ex.exercise_id)
                if entry is None or not _fixed(entry, ex):
                    continue
                key = (j, ex.exercise_id)
                load = ex.load or 0.0
                if ex.load_kind is LoadKind.ASSISTED:
                    load = -load  # more assistance is less load
                now = (ex.target_rpe, ex.reps_min, ex.reps_max, load)
                before = last.get(key)
                last[key] = now
                if before is None:
                    continue
                rpe, lo, hi, was = before
                if ex.target_rpe >= rpe and load <= was and (ex.reps_max < hi or ex.reps_min < lo):
                    r.add(
                        f"weeks[{i}].days[{j}].exercises[{k}].reps_max",
                        f"{ex.exercise_id}: reps fall from {lo}-{hi} to {ex.reps_min}-"
                        f"{ex.reps_max} at RPE {ex.target_rpe} (was {rpe}) without added load",
                    )


def progression_rules(program: Program, profile: Profile, r: Reporter) -> None:
    """Every exercise states a progression the way its loading allows: loaded lifts by
    load, fixed-load work by reps, tempo or the harder variant, assisted work by less
    assistance; power, balance, carry and conditioning work without a loadable implement
    by a harder task at the same reps (ProgressionKind.CHALLENGE)."""
    for at, entry, ex in _exercises(program):
        prog = ex.progression
        if prog is None or not prog.rule.strip():
            r.add(f"{at}.progression", f"{entry.id} states no progression rule")
            continue
        if entry.loading in LOADABLE and prog.kind is not ProgressionKind.LOAD:
            r.add(f"{at}.progression", f"{entry.id} is loadable: it progresses by load")
        strength = entry.category is Category.STRENGTH
        if strength and prog.kind is ProgressionKind.CHALLENGE:
            r.add(f"{at}.progression", f"{entry.id} is strength work: load, reps or a variant")
        if (
            not strength
            and entry.loading not in LOADABLE
            and prog.kind is not ProgressionKind.CHALLENGE
        ):
            r.add(
                f"{at}.progression",
                f"{entry.id} is {entry.category.value} work: it progresses by a harder task",
            )
        fixed = entry.loading in FIXED_LOADINGS and ex.load_kind is not LoadKind.ADDED
        if fixed and prog.kind is ProgressionKind.LOAD and entry.load_basis is None:
            r.add(f"{at}.progression", f"{entry.id} has a fixed load: it cannot add load")
        if prog.next_exercise_id:
            nxt = CATALOG.get(prog.next_exercise_id)
            if nxt is None or not is_available(nxt, profile):
                r.add(
                    f"{at}.progression.next_exercise_id",
                    f"{prog.next_exercise_id} is not available to the athlete",
                )


def load_kinds(program: Program, profile: Profile, r: Reporter) -> None:
    """A load says how it is meant: absolute loads only on loadable implements, added
    load only for bodyweight work and above zero, no number for bodyweight, assistance
    or by-RPE loads (never "0 lb (70 %)")."""
    for at, entry, ex in _exercises(program):
        kind = ex.load_kind
        pull = entry.load_basis is not None and entry.load_basis[0] is Lift.PULL_UP
        bodyweight = entry.loading is Loading.BODYWEIGHT or pull
        if kind is LoadKind.ABSOLUTE:
            if ex.load is None or ex.load <= 0:
                r.add(f"{at}.load", f"{entry.id}: an absolute load needs a positive load")
            if bodyweight:
                r.add(f"{at}.load_kind", f"{entry.id} is bodyweight work: state added load")
        elif kind is LoadKind.ADDED:
            if ex.load is None or ex.load <= 0:
                r.add(f"{at}.load", f"{entry.id}: added load must be above zero")
            if not bodyweight:
                r.add(f"{at}.load_kind", f"{entry.id} is not bodyweight work")
        else:
            if ex.load is not None or ex.load_percent_e1rm is not None:
                r.add(f"{at}.load", f"{entry.id}: a {kind.value} load states no number")
            if kind is LoadKind.BODYWEIGHT and not bodyweight:
                r.add(f"{at}.load_kind", f"{entry.id} is not bodyweight work")


def bar_floor(program: Program, profile: Profile, r: Reporter) -> None:
    """No barbell load below the empty bar (20 kg / 45 lb)."""
    bar = BAR_WEIGHT[profile.unit]
    for at, entry, ex in _exercises(program):
        if entry.loading is Loading.BARBELL and ex.load is not None and ex.load < bar:
            r.add(f"{at}.load", f"{entry.id}: {ex.load} {profile.unit.value} is below the bar")


def hinge_reps(program: Program, profile: Profile, r: Reporter) -> None:
    """Deadlift variants stay at or below about 8 reps so technique holds."""
    for at, entry, ex in _exercises(program):
        if is_hinge_capped(entry) and ex.reps_max > HINGE_MAX_REPS:
            r.add(
                f"{at}.reps_max",
                f"{entry.id}: {ex.reps_max} reps, a deadlift variant stays at or below "
                f"{HINGE_MAX_REPS}",
            )


def e1rm_basis(program: Program, profile: Profile, r: Reporter) -> None:
    """An e1RM from more than 10 reps is flagged uncertain and never sets a load
    (Reynolds et al. 2006)."""
    reps = {k.lift: k.reps for k in profile.lifts}
    uncertain = set()
    for i, est in enumerate(program.analysis.lifts):
        expected = reps.get(est.lift, 1) > RELIABLE_MAX_REPS
        if est.uncertain != expected:
            r.add(
                f"analysis.lifts[{i}].uncertain",
                f"{est.lift.value}: estimated from {reps.get(est.lift)} reps, "
                f"uncertain should be {expected}",
            )
        if est.uncertain:
            uncertain.add(est.lift)
    for at, entry, ex in _exercises(program):
        basis = entry.load_basis
        if basis is not None and basis[0] in uncertain and ex.load is not None:
            r.add(f"{at}.load", f"{entry.id}: loaded from an uncertain {basis[0].value} e1RM")
