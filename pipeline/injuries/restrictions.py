"""What an athlete's injuries rule out: the structured areas plus what the note adds.

``restrictions(profile)`` is the one answer every stage uses (the catalog's `available`,
`substitutes`, weak points, the validator, the LLM stage's options). An exercise's
``tier`` under restrictions:
- None: avoided for an injured area (pipeline.injuries.review), or it involves a movement
  the note says aggravates the injury - never programmed: what the athlete says hurts is
  not kept as a last resort; a muscle nothing else trains is stated as a shortfall;
- 0: clean;
- 1: a caution for an injured area - only when its muscle has nothing clean with the
  athlete's equipment.
Restrictions only ever grow (``tighten``): a later stage may add, never remove.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from programgen.pipeline.domain import InjuryArea, Profile
from programgen.pipeline.injuries.phrases import NoteFinding, read_note
from programgen.pipeline.injuries.review import Stress

if TYPE_CHECKING:
    from programgen.pipeline.catalog import Exercise

CLEAN, CAUTION = 0, 1


@dataclass(frozen=True, slots=True)
class Restrictions:
    areas: frozenset[InjuryArea] = frozenset()  # structured list plus the note's areas
    stresses: frozenset[Stress] = frozenset()  # aggravating movements the note names
    structured: frozenset[InjuryArea] = frozenset()  # the profile's injuries list
    findings: tuple[NoteFinding, ...] = field(default=())  # what the note was read as

    def __bool__(self) -> bool:
        return bool(self.areas or self.stresses)

    @property
    def injured(self) -> bool:
        """Any injury at all: an area, a movement, or pain the note names without either
        (which still calls for the pain rule)."""
        return bool(self) or bool(self.findings)


def tier(exercise: Exercise, r: Restrictions) -> int | None:
    """How usable an exercise is under restrictions (see the module doc)."""
    if exercise.contraindications & r.areas or exercise.stresses & r.stresses:
        return None
    if exercise.cautions & r.areas:
        return CAUTION
    return CLEAN


def allowed(exercise: Exercise, r: Restrictions) -> bool:
    """True when nothing in the restrictions speaks against the exercise at all."""
    return tier(exercise, r) == CLEAN


def tighten(
    r: Restrictions,
    areas: Iterable[InjuryArea] = (),
    stresses: Iterable[Stress] = (),
) -> Restrictions:
    """Restrictions with more areas or movements ruled out; never fewer."""
    return Restrictions(
        areas=r.areas | frozenset(areas),
        stresses=r.stresses | frozenset(stresses),
        structured=r.structured,
        findings=r.findings,
    )


@lru_cache(maxsize=1024)
def _restrictions(injuries: tuple[InjuryArea, ...], note: str) -> Restrictions:
    findings = read_note(note)
    structured = frozenset(injuries)
    return Restrictions(
        areas=structured | frozenset(a for f in findings for a in f.areas),
        stresses=frozenset(s for f in findings for s in f.stresses),
        structured=structured,
        findings=findings,
    )


def restrictions(profile: Profile) -> Restrictions:
    """The athlete's restrictions: the injuries list plus the note's phrases (cached)."""
    return _restrictions(tuple(profile.injuries), profile.injury_note)
