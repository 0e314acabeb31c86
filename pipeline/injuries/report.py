"""What the program says about injuries: one adjustment per area, and the pain rule.

An adjustment lists what the athlete's equipment would have allowed but the injury took
out (with the joint review's reason), what stays only as a last resort (a caution), the
muscles nothing else trains, and where the area was read from (the injuries list, the
note, or both).
"""

from __future__ import annotations

from programgen.pipeline.catalog import CATALOG, Category, Exercise, available, owned_equipment
from programgen.pipeline.domain import InjuryAdjustment, InjuryArea, Profile, Week
from programgen.pipeline.injuries.phrases import NoteFinding
from programgen.pipeline.injuries.restrictions import Restrictions, restrictions
from programgen.pipeline.injuries.review import Stress

# The pain-monitoring model: training continues while pain stays acceptable. Thomeé 1997
# (patellofemoral pain) set "acceptable" at up to 5 on a 0-10 scale; Silbernagel et al.
# 2007 (Achilles tendinopathy, randomised) allowed up to 5/10 during activity, settling by
# the next morning and not rising week to week. This project keeps the more cautious
# 3/10 commonly used in strength coaching (a choice, not a study value).
PAIN_LIMIT = 3
PAIN_RULE = (
    f"Pain rule for every exercise: pain during a set may reach {PAIN_LIMIT}/10 at most "
    "(0 = none, 10 = the worst imaginable) and must be back to its usual level by the next "
    "morning, and not rise from week to week. If it does not, use the exercise's "
    "substitute or reduce the load or range for that session, and see a clinician if "
    "pain persists. (Pain-monitoring model: Thomeé 1997; Silbernagel et al. 2007, who "
    "allowed up to 5/10; 3/10 is this program's more cautious choice.)"
)
MAX_NAMED = 6  # names written out per adjustment; the ids list has all of them


def pain_rule(profile: Profile) -> str:
    return PAIN_RULE if restrictions(profile).injured else ""


def _label(area: InjuryArea | None) -> str:
    return "Movements named in the note" if area is None else area.value.replace("_", " ")


def _names(items: list[str]) -> str:
    if len(items) > MAX_NAMED:
        return "; ".join(items[:MAX_NAMED]) + f"; and {len(items) - MAX_NAMED} more"
    return "; ".join(items)


def _area_stresses(findings: tuple[NoteFinding, ...], area: InjuryArea | None) -> set[Stress]:
    if area is None:
        return {s for f in findings if not f.areas for s in f.stresses}
    return {s for f in findings if area in f.areas for s in f.stresses}


def _why(ex: Exercise, area: InjuryArea | None, stresses: set[Stress], r: Restrictions) -> str:
    if area is not None and area in ex.contraindications:
        return ex.judgement(area).reason
    if ex.stresses & stresses:
        named = ", ".join(sorted(s.value.replace("_", " ") for s in ex.stresses & stresses))
        return f"your note names {named}"
    if area is not None and area in ex.cautions:
        reason = ex.judgement(area).reason
        return f"{reason}; a kinder option is available"
    return ""


def _adjustment(
    area: InjuryArea | None,
    r: Restrictions,
    possible: list[Exercise],
    kept: set[str],
    used: set[str],
) -> InjuryAdjustment:
    stresses = _area_stresses(r.findings, area)
    phrases = list(
        dict.fromkeys(
            f.text for f in r.findings if (area in f.areas if area else not f.areas and f.stresses)
        )
    )
    left_out: list[tuple[str, str]] = []
    careful: list[str] = []
    for ex in possible:
        why = _why(ex, area, stresses, r)
        if not why:
            continue
        if ex.id not in kept:
            left_out.append((ex.id, f"{ex.name} ({why})"))
        elif ex.id in used:
            careful.append(ex.name)
    source = " and ".join(
        s
        for s, on in (("injuries list", area in r.structured), ("injury note", bool(phrases)))
        if on
    )
    change = f"{_label(area).capitalize()}: "
    change += f"left out {_names([t for _, t in left_out])}." if left_out else "nothing left out."
    if careful:
        change += (
            f" Kept with care (a competition lift, or nothing kinder does its job with "
            f"your equipment): {_names(careful)}."
        )
    muscles = {CATALOG[i].primary for i, _ in left_out}
    instead = [
        ex.name
        for ex in possible
        if ex.id in used and ex.primary in muscles and ex.name not in careful
    ]
    if instead:
        change += f" In their place: {_names(instead)}."
    bare = _untrained(left_out, kept)
    if bare:
        change += (
            f" Nothing else your equipment allows trains the {', '.join(bare)}: no direct "
            "work for it until the pain settles (a shortfall of this program)."
        )
    change += " Supported variants come first where you have them; follow the pain rule."
    return InjuryAdjustment(
        area=area,
        source=source or "injury note",
        note_phrases=phrases,
        excluded_exercise_ids=[i for i, _ in left_out],
        change=change,
    )


def _untrained(left_out: list[tuple[str, str]], kept: set[str]) -> list[str]:
    """Muscles whose strength work the injury took out entirely (catalog order)."""
    trained = {CATALOG[i].primary for i in kept if CATALOG[i].category is Category.STRENGTH}
    out: list[str] = []
    for ex_id, _ in left_out:
        ex = CATALOG[ex_id]
        name = ex.primary.value.replace("_", " ")
        if ex.category is Category.STRENGTH and ex.primary not in trained and name not in out:
            out.append(name)
    return out


def injury_adjustments(profile: Profile, weeks: list[Week]) -> list[InjuryAdjustment]:
    """One adjustment per restricted area (catalog order of areas), then note-only moves.

    ``weeks`` are the program's: an exercise kept with care is named only if it is used.
    """
    r = restrictions(profile)
    if not r:
        return []
    owned = owned_equipment(profile)
    possible = [ex for ex in CATALOG.values() if ex.equipment <= owned]
    kept = {ex.id for ex in available(profile)}
    used = {ex.exercise_id for w in weeks for d in w.days for ex in d.exercises}
    areas: list[InjuryArea | None] = [a for a in InjuryArea if a in r.areas]
    if any(not f.areas and f.stresses for f in r.findings):
        areas.append(None)
    return [_adjustment(a, r, possible, kept, used) for a in areas]
