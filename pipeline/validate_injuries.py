"""The validator's injury rule: nothing the athlete's injuries rule out, and it is said.

Recomputed from the profile (the injuries list and the note, pipeline.injuries), never
taken from the program's own adjustments:
- every prescribed exercise is one `catalog.available` offers: nothing avoided for an
  injured area, no caution or note-named movement while a kinder option does its job;
- no weak-point finding and no exercise note names an exercise the injuries exclude;
- every restricted area has an adjustment saying what changed, and the pain rule is set.
"""

from __future__ import annotations

from typing import Protocol

from programgen.pipeline.catalog import CATALOG, Exercise, available, owned_equipment
from programgen.pipeline.domain import Lift, Profile, Program
from programgen.pipeline.injuries.restrictions import Restrictions, restrictions


class _Reporter(Protocol):
    def add(self, field: str, description: str) -> None: ...


def _why_not(entry: Exercise, r: Restrictions, offered: list[Exercise]) -> str:
    if entry.contraindications & r.areas:
        area = sorted(entry.contraindications & r.areas)[0]
        reason = entry.judgement(area).reason
        article = "an" if area.value[0] in "aeiou" else "a"
        name = area.value.replace("_", " ")
        return f"{entry.id} is contraindicated for {article} {name} injury: {reason}"
    if entry.stresses & r.stresses:
        named = ", ".join(sorted(s.value for s in entry.stresses & r.stresses))
        return f"{entry.id} involves a movement the injury note names ({named})"
    kinder = [ex.id for ex in offered if ex.primary == entry.primary]
    areas = ", ".join(sorted(a.value for a in entry.cautions & r.areas))
    what = f"is a caution for the injured {areas}"
    return f"{entry.id} {what} while kinder options are available: {', '.join(kinder[:3])}"


def _mentions(text: str, excluded: list[Exercise], kept_names: list[str]) -> list[str]:
    """Ids of excluded exercises the text names (a kept "Incline Push-Up" is not "Push-Up")."""
    lowered = text.lower()
    if not lowered:
        return []
    for name in kept_names:
        lowered = lowered.replace(name, "|")
    return [ex.id for ex in excluded if ex.name.lower() in lowered]


def _check_injuries(program: Program, profile: Profile, r: _Reporter) -> None:
    found = restrictions(profile)
    offered = available(profile)
    kept = {ex.id for ex in offered}
    owned = owned_equipment(profile)
    for i, week in enumerate(program.weeks):
        for j, day in enumerate(week.days):
            for k, ex in enumerate(day.exercises):
                entry = CATALOG.get(ex.exercise_id)
                # Unknown ids and missing equipment are the exercises rule's to report.
                if entry is None or not entry.equipment <= owned or entry.id in kept:
                    continue
                at = f"weeks[{i}].days[{j}].exercises[{k}].exercise_id"
                r.add(at, _why_not(entry, found, offered))
    excluded = [ex for ex in CATALOG.values() if ex.id not in kept]
    kept_names = sorted((ex.name.lower() for ex in offered), key=len, reverse=True)
    for f_i, finding in enumerate(program.weak_points.findings):
        # "the overhead press lags" names the lift measured, not an exercise to do.
        text = finding.finding
        for lift in Lift:
            text = text.replace(f"the {lift.value.replace('_', ' ')} lags", "|")
        for ex_id in _mentions(text, excluded, kept_names):
            r.add(
                f"weak_points.findings[{f_i}].finding",
                f"recommends {ex_id}, which the athlete's injuries exclude",
            )
    # The same notes repeat every week: each distinct text is read once.
    seen: dict[str, list[str]] = {}
    for i, week in enumerate(program.weeks):
        for j, day in enumerate(week.days):
            for k, pe in enumerate(day.exercises):
                named = seen.get(pe.notes)
                if named is None:
                    named = seen[pe.notes] = _mentions(pe.notes, excluded, kept_names)
                if named:
                    r.add(
                        f"weeks[{i}].days[{j}].exercises[{k}].notes",
                        f"names {', '.join(named)}, which the athlete's injuries exclude",
                    )
    if not found.injured:
        return
    said = {a.area for a in program.injury_adjustments}
    for area in sorted(found.areas - said):
        r.add("injury_adjustments", f"no adjustment says what changed for the {area.value}")
    if not program.pain_rule.strip():
        r.add("pain_rule", "an injured athlete's program needs a pain-monitoring rule")
