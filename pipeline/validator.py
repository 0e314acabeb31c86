"""Stage 8, validation: every invariant of a program checked before it is handed out.

Each broken invariant becomes one Violation naming where (a dotted path into the
program) and what. Hard sets and session minutes are recounted with the same rules the
builder used (pipeline.accounting), never taken from the program's own summary fields.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from programgen.pipeline import (
    validate_intensity,
    validate_loads,
    validate_progression,
    validate_summary,
)
from programgen.pipeline.accounting import hard_sets
from programgen.pipeline.analysis import PLATE_INCREMENT
from programgen.pipeline.autoregulation import RPE_MAX, RPE_MIN
from programgen.pipeline.catalog import CATALOG, is_available, owned_equipment
from programgen.pipeline.domain import (
    Muscle,
    Phase,
    Profile,
    Program,
    ProgramInvalid,
    Violation,
    Week,
)
from programgen.pipeline.validate_goals import (
    _check_anchor,
    _check_beginner_variety,
    _check_competition_lifts,
    _check_goal_fit,
    _check_superset_pairs,
    _check_supersets,
    _check_warmups,
)
from programgen.pipeline.validate_injuries import _check_injuries
from programgen.pipeline.validate_volume import (
    DELOAD_MAX_FRACTION,
    _check_coverage,
    _check_landmarks,
    _check_session_time,
    _check_volume,
    _check_volume_steps,
    _check_weekly_sets,
)

__all__ = ["CHECKS", "DELOAD_MAX_FRACTION", "program_violations", "validate_program"]

# docs/science.md: a deload runs at about MV with light loads, RPE <= 6 (its volume cut:
# pipeline.validate_volume.DELOAD_MAX_FRACTION).
DELOAD_MAX_RPE = 6.0
MIN_WEEKS, MAX_WEEKS = 4, 8  # a mesocycle of 4-8 weeks including its deload (docs/science.md)
# Beyond 30 reps a set is no longer resistance training in the ACSM 2009 sense (its
# endurance range tops out at 25); any rep range past that is a builder bug.
MAX_REPS = 30


class _Report:
    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.rule = ""  # the check now running: every violation names its rule

    def add(self, field: str, description: str) -> None:
        self.violations.append(Violation(field=field, description=description, rule=self.rule))


def _multiple_of(value: float, step: float) -> bool:
    return math.isclose(value / step, round(value / step), abs_tol=1e-6)


def _check_structure(program: Program, profile: Profile, r: _Report) -> None:
    if program.unit is not profile.unit:
        r.add("unit", f"program is in {program.unit.value}, the athlete uses {profile.unit.value}")
    expected = PLATE_INCREMENT[profile.unit]
    if program.analysis.plate_increment != expected:
        r.add(
            "analysis.plate_increment",
            f"plate increment is {program.analysis.plate_increment}, expected {expected}",
        )
    p = program.periodization
    n = len(program.weeks)
    if profile.program_weeks is not None and n != profile.program_weeks:
        r.add("weeks", f"{n} weeks, the athlete asked for {profile.program_weeks}")
    if not MIN_WEEKS <= n <= MAX_WEEKS:
        r.add("weeks", f"{n} weeks, a mesocycle has {MIN_WEEKS}-{MAX_WEEKS}")
    if p.total_weeks != n:
        r.add("periodization.total_weeks", f"says {p.total_weeks} weeks, program has {n}")
    for i, week in enumerate(program.weeks):
        where = f"weeks[{i}]"
        if week.week != i + 1:
            r.add(f"{where}.week", f"numbered {week.week}, expected {i + 1}")
        if len(week.days) != profile.days_per_week:
            r.add(
                f"{where}.days",
                f"{len(week.days)} training days, the athlete asked for {profile.days_per_week}",
            )
        for j, day in enumerate(week.days):
            if day.day != j + 1:
                r.add(f"{where}.days[{j}].day", f"numbered {day.day}, expected {j + 1}")
            if not day.exercises:
                r.add(f"{where}.days[{j}].exercises", "a training day without exercises")


def _check_exercises(program: Program, profile: Profile, r: _Report) -> None:
    owned = owned_equipment(profile)
    increment = PLATE_INCREMENT[profile.unit]
    for i, week in enumerate(program.weeks):
        for j, day in enumerate(week.days):
            where = f"weeks[{i}].days[{j}]"
            for k, ex in enumerate(day.exercises):
                at = f"{where}.exercises[{k}]"
                entry = CATALOG.get(ex.exercise_id)
                if entry is None:
                    r.add(f"{at}.exercise_id", f"unknown exercise id {ex.exercise_id!r}")
                    continue
                if ex.name != entry.name:
                    r.add(f"{at}.name", f"{ex.name!r} is not the catalog name {entry.name!r}")
                missing = sorted(e.value for e in entry.equipment - owned)
                if missing:
                    r.add(f"{at}.exercise_id", f"{entry.id} needs equipment {', '.join(missing)}")
                if k == 0 and not entry.compound:
                    r.add(f"{at}.exercise_id", f"the day opens with {entry.id}, not a compound")
                if ex.sets < 1:
                    r.add(f"{at}.sets", f"{ex.sets} sets; a listed exercise needs at least 1")
                if not 1 <= ex.reps_min <= ex.reps_max <= MAX_REPS:
                    r.add(f"{at}.reps_min", f"rep range {ex.reps_min}-{ex.reps_max} is invalid")
                if not RPE_MIN <= ex.target_rpe <= RPE_MAX:
                    r.add(f"{at}.target_rpe", f"RPE {ex.target_rpe} outside {RPE_MIN}-{RPE_MAX}")
                if ex.rest_seconds <= 0:
                    r.add(f"{at}.rest_seconds", "rest must be positive")
                if ex.load is not None and (ex.load < 0 or not _multiple_of(ex.load, increment)):
                    r.add(
                        f"{at}.load",
                        f"load {ex.load} is not a non-negative multiple of {increment}",
                    )
                pct = ex.load_percent_e1rm
                if pct is not None and not 0 < pct <= 100:
                    r.add(f"{at}.load_percent_e1rm", f"{pct} % of e1RM is outside 0-100")


def _counted(week: Week) -> dict[Muscle, float]:
    return hard_sets(
        (ex.exercise_id, ex.sets)
        for day in week.days
        for ex in day.exercises
        if ex.exercise_id in CATALOG
    )


def _check_weak_points(program: Program, profile: Profile, r: _Report) -> None:
    landmarks = {lm.muscle: lm for lm in program.landmarks}
    accumulation = [
        (i, _counted(w)) for i, w in enumerate(program.weeks) if w.phase is Phase.ACCUMULATION
    ]
    for f_i, finding in enumerate(program.weak_points.findings):
        where = f"weak_points.findings[{f_i}]"
        if bool(finding.muscles) != (finding.extra_weekly_sets > 0):
            r.add(
                f"{where}.extra_weekly_sets",
                f"{finding.ratio_name}: a finding with muscles to address needs extra "
                "weekly sets, and extra sets need muscles",
            )
        if not 1 <= finding.reassess_week <= len(program.weeks):
            r.add(f"{where}.reassess_week", f"week {finding.reassess_week} is not in the program")
        for ex_id in finding.exercise_ids:
            entry = CATALOG.get(ex_id)
            if entry is None or not is_available(entry, profile):
                r.add(f"{where}.exercise_ids", f"{ex_id} is not available to the athlete")
            elif entry.primary not in finding.muscles:
                r.add(
                    f"{where}.exercise_ids",
                    f"{ex_id} does not train {finding.ratio_name}'s muscles",
                )
        for muscle in finding.muscles:
            found = landmarks.get(muscle)
            if found is None:
                continue
            floor = min(found.mrv, found.mev + finding.extra_weekly_sets)
            for i, counted in accumulation:
                if counted[muscle] < floor:
                    r.add(
                        f"weeks[{i}].weekly_sets.{muscle.value}",
                        f"weak point {finding.ratio_name}: {counted[muscle]} sets, needs at "
                        f"least MEV + {finding.extra_weekly_sets} extra = {floor}",
                    )


def _check_readiness(program: Program, profile: Profile, r: _Report) -> None:
    planned = [w.target_rpe for w in program.weeks] + [
        ex.target_rpe for w in program.weeks for d in w.days for ex in d.exercises
    ]
    if not planned:
        return
    top = max(planned)
    for i, adjustment in enumerate(program.autoregulation):
        if top + adjustment.rpe_delta > RPE_MAX:
            r.add(
                f"autoregulation[{i}].rpe_delta",
                f"{adjustment.readiness.value} readiness adds {adjustment.rpe_delta:+g} to a "
                f"planned RPE {top}, past {RPE_MAX}",
            )


Check = Callable[[Program, Profile, _Report], None]

# One entry per invariant family; a check's name (without "_check_") is the rule that
# its violations carry, which the quality report (bench/quality.py) counts.
CHECKS: tuple[Check, ...] = (
    _check_structure,
    _check_exercises,
    _check_landmarks,
    _check_weekly_sets,
    _check_volume,
    _check_volume_steps,
    _check_coverage,
    _check_session_time,
    _check_weak_points,
    _check_readiness,
    _check_injuries,  # pipeline/validate_injuries.py
    _check_warmups,
    _check_supersets,
    _check_superset_pairs,
    _check_goal_fit,
    _check_anchor,
    _check_beginner_variety,
    _check_competition_lifts,
    # Effort, phases and peaking (docs/science.md, "Phases and peaking").
    validate_intensity.intensity,
    validate_intensity.phases,
    validate_intensity.taper,
    validate_intensity.assistance_reps,
    validate_intensity.peak_volume,
    validate_intensity.heavy_days,
    validate_intensity.attempts,
    # Loads and progressions (docs/science.md, "Progressions" and "Loads").
    validate_progression.fixed_load_reps,
    validate_progression.progression_rules,
    validate_progression.load_kinds,
    validate_progression.bar_floor,
    validate_progression.hinge_reps,
    validate_progression.e1rm_basis,
    validate_loads.chart_loads,
    # The summary and test-day note claim only what the program has (docs/science.md,
    # "Phases and peaking").
    validate_summary.summary_claims,
)


def program_violations(program: Program, profile: Profile) -> list[Violation]:
    r = _Report()
    for check in CHECKS:
        r.rule = check.__name__.removeprefix("_check_")
        check(program, profile, r)
    return r.violations


def validate_program(program: Program, profile: Profile) -> None:
    """Raise ProgramInvalid naming every broken invariant; return None when valid."""
    violations = program_violations(program, profile)
    if violations:
        raise ProgramInvalid(violations)
