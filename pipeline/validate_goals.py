"""Validator checks for what a session contains and in which order: warm-up sets,
supersets, power/balance/conditioning work, the day's anchor, a beginner's few lifts and
a strength program's competition lifts (registered in validator.CHECKS; each function's
name without "_check_" is the rule its violations carry).
"""

from __future__ import annotations

from collections import defaultdict

from programgen.pipeline import goal_rules
from programgen.pipeline.catalog import CATALOG, Category, Loading, Pattern, available
from programgen.pipeline.domain import Experience, Goal, Profile, Program, TrainingDay
from programgen.pipeline.periodization import COMPETITION_LIFTS
from programgen.pipeline.supersets import CIRCUIT, heavy_axial, pair_fault
from programgen.pipeline.validate_volume import Reporter
from programgen.pipeline.warmups import first_compound_index, ramp_note, warmup_scheme

# A beginner learns one lift per pattern (docs/science.md, "Goal rules").
_LEARN_ONE = (Pattern.SQUAT, Pattern.HINGE)
_POWER_MAX_REPS = 10  # ACSM 2009: power sets 3-6 reps (older adults 6-10)


def _days(program: Program) -> list[tuple[str, TrainingDay]]:
    return [
        (f"weeks[{i}].days[{j}]", day)
        for i, week in enumerate(program.weeks)
        for j, day in enumerate(week.days)
        if all(ex.exercise_id in CATALOG for ex in day.exercises)
    ]


def _category(exercise_id: str) -> Category:
    return CATALOG[exercise_id].category


def _check_warmups(program: Program, profile: Profile, r: Reporter) -> None:
    """The day's first strength compound carries its ramp (pipeline.warmups): at least
    one ramp-up set however light the work, an unloaded one named in the note."""
    for where, day in _days(program):
        first = first_compound_index([ex.exercise_id for ex in day.exercises])
        if first is not None:
            lead = day.exercises[first]
            if not lead.warmup_sets:
                r.add(
                    f"{where}.exercises[{first}].warmup_sets",
                    f"{lead.exercise_id} opens the day's strength work without a ramp-up set",
                )
            elif CATALOG[lead.exercise_id].loading in (Loading.BODYWEIGHT, Loading.BAND):
                text = ramp_note(lead.exercise_id, lead.warmup_sets[0].reps)
                if text not in lead.notes:
                    r.add(f"{where}.exercises[{first}].notes", f"no ramp-up note: {text!r}")
        for k, ex in enumerate(day.exercises):
            expected = warmup_scheme(ex.exercise_id, ex.reps_max, k == first)
            given = tuple((w.reps, w.percent_of_working) for w in ex.warmup_sets)
            if given != expected:
                r.add(
                    f"{where}.exercises[{k}].warmup_sets",
                    f"{ex.exercise_id}: warm-up sets {list(given)} instead of {list(expected)}",
                )
            for w in ex.warmup_sets:
                if w.load is not None and ex.load is not None and w.load > ex.load:
                    r.add(
                        f"{where}.exercises[{k}].warmup_sets",
                        f"warm-up load {w.load} above the working load {ex.load}",
                    )


def _check_supersets(program: Program, profile: Profile, r: Reporter) -> None:
    """Groups adjacent (a lone member is one whose partner has no sets that week); power
    work and a strength program's anchor stay out of groups."""
    strength_goal = profile.goal in (Goal.GENERAL_STRENGTH, Goal.POWERLIFTING_PEAK)
    for where, day in _days(program):
        members: dict[str, list[int]] = defaultdict(list)
        for k, ex in enumerate(day.exercises):
            if ex.superset:
                members[ex.superset].append(k)
        for label, idx in members.items():
            if idx != list(range(idx[0], idx[0] + len(idx))):
                r.add(f"{where}.exercises[{idx[0]}].superset", f"group {label!r} is not adjacent")
        anchor = first_compound_index([ex.exercise_id for ex in day.exercises])
        for k, ex in enumerate(day.exercises):
            if not ex.superset:
                continue
            entry = CATALOG[ex.exercise_id]
            if entry.category is Category.POWER:
                r.add(f"{where}.exercises[{k}].superset", "power work is done fully rested")
            if strength_goal and k == anchor:
                r.add(f"{where}.exercises[{k}].superset", f"{entry.id} opens the day: full rest")


def _check_superset_pairs(program: Program, profile: Profile, r: Reporter) -> None:
    """A superset pairs non-competing exercises (pipeline.supersets.pair_fault: upper
    push with pull, or upper with lower or core; never a heavy axial lift, two lower-body
    lifts, two grip-taxing ones); a circuit (the strength circuit or the conditioning
    one) leaves the heavy axial lifts out."""
    for where, day in _days(program):
        groups: dict[str, list[int]] = defaultdict(list)
        for k, ex in enumerate(day.exercises):
            if ex.superset:
                groups[ex.superset].append(k)
        for label, idx in groups.items():
            ids = [day.exercises[k].exercise_id for k in idx]
            if label in (CIRCUIT, goal_rules.CIRCUIT_LABEL):
                for k, exercise_id in zip(idx, ids, strict=True):
                    if heavy_axial(CATALOG[exercise_id]):
                        r.add(
                            f"{where}.exercises[{k}].superset",
                            f"{exercise_id} in a circuit: a heavy axial lift keeps full rest",
                        )
                continue
            for n, a in enumerate(ids):
                for b in ids[n + 1 :]:
                    fault = pair_fault(a, b)
                    if fault is not None:
                        r.add(
                            f"{where}.exercises[{idx[0]}].superset",
                            f"superset {label!r} pairs {a} with {b}: {fault}",
                        )


def _check_goal_fit(program: Program, profile: Profile, r: Reporter) -> None:
    """Power first for athletic power and older adults, balance for older adults,
    conditioning for fat loss, general fitness and endurance (docs/science.md)."""
    power = goal_rules.wants_power(profile) and bool(goal_rules.power_options(profile))
    missing = goal_rules.missing_power(profile)
    if missing and missing not in program.shortfalls:
        r.add("shortfalls", "power work is wanted and none fits, but the program does not say so")
    balance = bool(goal_rules.balance_options(profile))
    conditioning = bool(goal_rules.conditioning_options(profile))
    for where, day in _days(program):
        kinds = [_category(ex.exercise_id) for ex in day.exercises]
        if power and Category.POWER not in kinds:
            r.add(f"{where}.exercises", "no power work in an athletic-power or older-adult day")
        if Category.POWER in kinds and Category.STRENGTH in kinds:
            last_power = max(k for k, c in enumerate(kinds) if c is Category.POWER)
            if last_power > kinds.index(Category.STRENGTH):
                r.add(f"{where}.exercises", "power work comes after strength work")
        for k, ex in enumerate(day.exercises):
            if kinds[k] is Category.POWER and ex.reps_max > _POWER_MAX_REPS:
                r.add(f"{where}.exercises[{k}].reps_max", "power sets are low-rep")
        if balance and Category.BALANCE not in kinds:
            r.add(f"{where}.exercises", "no balance work for a lifter over 65")
        if conditioning and not {Category.CONDITIONING, Category.CARRY} & set(kinds):
            r.add(f"{where}.exercises", f"no conditioning for a {profile.goal.value} goal")


def _check_anchor(program: Program, profile: Profile, r: Reporter) -> None:
    """A day's strength work opens with a primary compound, never an accessory hinge."""
    for where, day in _days(program):
        strength = [
            k
            for k, ex in enumerate(day.exercises)
            if _category(ex.exercise_id) is Category.STRENGTH
        ]
        if strength and not goal_rules.anchor_ok(CATALOG[day.exercises[strength[0]].exercise_id]):
            r.add(
                f"{where}.exercises[{strength[0]}].exercise_id",
                f"the day's strength work opens with {day.exercises[strength[0]].exercise_id}",
            )


def _check_beginner_variety(program: Program, profile: Profile, r: Reporter) -> None:
    """Beginners repeat one squat and one hinge a week to learn them."""
    if profile.experience is not Experience.BEGINNER:
        return
    for i, week in enumerate(program.weeks):
        for pattern in _LEARN_ONE:
            ids = {
                ex.exercise_id
                for day in week.days
                for ex in day.exercises
                if ex.exercise_id in CATALOG
                and CATALOG[ex.exercise_id].pattern is pattern
                and _category(ex.exercise_id) is Category.STRENGTH
            }
            if len(ids) > 1:
                r.add(f"weeks[{i}]", f"{len(ids)} {pattern.value} variants for a beginner")


def _check_competition_lifts(program: Program, profile: Profile, r: Reporter) -> None:
    """A strength or peaking program trains each available competition lift every week."""
    if profile.goal not in (Goal.GENERAL_STRENGTH, Goal.POWERLIFTING_PEAK):
        return
    lifts = {ex.id for ex in available(profile) if ex.lift in COMPETITION_LIFTS}
    for i, week in enumerate(program.weeks):
        done = {ex.exercise_id for day in week.days for ex in day.exercises}
        for missing in sorted(lifts - done):
            r.add(f"weeks[{i}]", f"no {missing} this week")
