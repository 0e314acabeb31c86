"""Goal and person rules for what a session contains beyond the strength work
(docs/science.md, "Goal rules"): power work for athletic power and older adults, balance
work for older adults, conditioning for fat loss, general fitness and endurance, and
which lifts may open a day.

Power sets are low-rep and fully rested and come FIRST in the session, when the lifter is
fresh (ACSM position stand 2009, "Progression models in resistance training for healthy
adults", Med Sci Sports Exerc 41:687: power training 1-3 sets of 3-6 reps, light to
moderate loads, 2-3 min rest, early in the session). Older adults: ACSM 2009 and the
ACSM/AHA older-adult recommendations (Nelson et al. 2007, Med Sci Sports Exerc 39:1435)
add balance work and fast (high-velocity) concentric movements at moderate loads, 6-10
reps; the WHO 2020 guidelines (Bull et al. 2020, Br J Sports Med 54:1451) recommend
multicomponent balance and strength training on 3+ days a week from age 65. Conditioning:
ACSM 2009 and the ACSM guidance for weight loss pair resistance work with aerobic work;
here a short circuit finishes each session.
"""

from __future__ import annotations

from collections.abc import Sequence

from programgen.pipeline.anchors import ACCESSORY_HINGES, anchor_ok
from programgen.pipeline.catalog import Category, Exercise, available
from programgen.pipeline.domain import Experience, Goal, Phase, Profile
from programgen.pipeline.periodization import RepRange, WeekPlan
from programgen.pipeline.slots import Slot

__all__ = ["ACCESSORY_HINGES", "anchor_ok", "extra_slots"]

OLDER_ADULT_AGE = 65  # WHO 2020: the older-adult recommendations apply from 65
CONDITIONING_GOALS = frozenset({Goal.FAT_LOSS, Goal.GENERAL_FITNESS, Goal.ENDURANCE})
# Olympic-lift derivatives and overhead drives need coached technique: not for beginners
# (engine rule; ACSM 2009 progresses novices to power work after basic strength).
TECHNICAL_POWER = frozenset(
    {
        "hang_power_clean",
        "kettlebell_snatch",
        "dumbbell_snatch",
        "kettlebell_push_press",
        "dumbbell_push_press",
    }
)
# Older adults: high-velocity work without impact (Nelson et al. 2007), not plyometrics:
# the fast chair stand and the light, fast presses and chops (docs/science.md).
LOW_IMPACT_POWER = frozenset(
    {
        "fast_chair_stand",
        "band_speed_press",
        "dumbbell_speed_floor_press",
        "landmine_push_press",
        "cable_woodchop",
        "band_woodchop",
    }
)
# The older-adult trials' power exercise: for a younger lifter only when nothing else fits
# (an honest, if small, power stimulus rather than none).
OLDER_ADULT_POWER = frozenset({"fast_chair_stand"})
# Older adults: conditioning without impact or floor-to-standing transitions (Nelson et
# al. 2007 favour walking-type aerobic work); marching, boxing, band rows and carries.
LOW_IMPACT_CONDITIONING = frozenset({"high_knee_march", "shadow_boxing", "band_row_sprint"})
POWER_REPS = RepRange(low=3, high=5)  # ACSM 2009: 3-6 reps
OLDER_POWER_REPS = RepRange(low=6, high=8)  # ACSM 2009 older adults: 6-10 reps, fast
POWER_REST = 120  # ACSM 2009: 2-3 min between power sets (the low end)
POWER_SETS = 3  # ACSM 2009: 1-3 sets per exercise
BALANCE_REPS = RepRange(low=6, high=8)  # per leg: slow 3-s holds or reaches (heuristic)
BALANCE_REST = 30
CONDITIONING_REPS = RepRange(low=12, high=15)
ENDURANCE_CONDITIONING_REPS = RepRange(low=15, high=20)
CARRY_REPS = RepRange(low=20, high=30)  # steps
CONDITIONING_REST = 30  # circuit: short rests keep the heart rate up (heuristic)
CIRCUIT_LABEL = "conditioning"
# Rounds of the finishing circuit (engine heuristic): 2, 3 for endurance; 1 in a deload.
CONDITIONING_ROUNDS = 2
ENDURANCE_ROUNDS = 3


def older_adult(profile: Profile) -> bool:
    return profile.age >= OLDER_ADULT_AGE


def wants_power(profile: Profile) -> bool:
    return profile.goal is Goal.ATHLETIC_POWER or older_adult(profile)


def power_options(profile: Profile) -> list[Exercise]:
    options = [ex for ex in available(profile) if ex.category is Category.POWER]
    if older_adult(profile):
        # The trials' chair stand first; the impact-free presses and chops only without it.
        low = [ex for ex in options if ex.id in LOW_IMPACT_POWER]
        return [ex for ex in low if ex.id in OLDER_ADULT_POWER] or low
    if profile.experience is Experience.BEGINNER:
        options = [ex for ex in options if ex.id not in TECHNICAL_POWER]
    return [ex for ex in options if ex.id not in OLDER_ADULT_POWER] or options


def missing_power(profile: Profile) -> str:
    """The shortfall a program states when it wants power work but nothing fits (never
    silent: docs/science.md, "Goal rules"); "" when power work is there or not wanted."""
    if not wants_power(profile) or power_options(profile):
        return ""
    return (
        "power: no explosive exercise your equipment, experience and injuries allow "
        "(jumps, swings, throws and fast presses are all ruled out); lift every rep of "
        "the strength work with full speed up instead."
    )


def balance_options(profile: Profile) -> list[Exercise]:
    if not older_adult(profile):
        return []
    return [ex for ex in available(profile) if ex.category is Category.BALANCE]


def conditioning_options(profile: Profile) -> list[Exercise]:
    """The finishing circuit: a conditioning move and a carry (or a second move)."""
    if profile.goal not in CONDITIONING_GOALS:
        return []
    pool = available(profile)
    moves = [ex for ex in pool if ex.category is Category.CONDITIONING]
    if profile.experience is Experience.BEGINNER:
        # Beginners learn one hinge; the kettlebell complex would be a second.
        moves = [ex for ex in moves if ex.id != "kettlebell_complex"]
    if older_adult(profile):
        moves = [ex for ex in moves if ex.id in LOW_IMPACT_CONDITIONING]
    carries = [ex for ex in pool if ex.category is Category.CARRY]
    return (moves[:1] + carries[:1]) if carries else moves[:2]


def _slot(
    ex: Exercise, sets: list[int], rest: int, reps: RepRange, note: str, superset: str = ""
) -> Slot:
    return Slot(
        exercise_id=ex.id,
        muscle=ex.primary,
        compound=ex.compound,
        sets=sets,
        rest_seconds=rest,
        note=note,
        superset=superset,
        reps=reps,
    )


def _scaled(sets: int, factor: float) -> int:
    return max(1, int(sets * factor + 0.5))


def extra_slots(
    profile: Profile, day: int, weeks: Sequence[WeekPlan], compact: int
) -> tuple[list[Slot], list[Slot]]:
    """(slots before the strength work, slots after it) for a day (0-based).

    `compact`: how many sets shorter the time budget asks for (never below one). Where a
    block steps volume down (intensification, realization, taper: the week's
    volume_factor), this work steps down with it, so a taper cuts all of a week's sets
    (pipeline.peaking), not only the strength work's."""
    deload = [w.phase is Phase.DELOAD for w in weeks]
    factors = [w.volume_factor for w in weeks]
    first: list[Slot] = []
    last: list[Slot] = []
    power = power_options(profile)
    if wants_power(profile) and power:
        n = max(1, POWER_SETS - compact)
        reps = OLDER_POWER_REPS if older_adult(profile) else POWER_REPS
        note = "Power: every rep as fast as possible, stop before speed drops; full rest."
        first.append(
            _slot(
                power[day % len(power)],
                [min(2, n) if d else _scaled(n, f) for d, f in zip(deload, factors, strict=True)],
                POWER_REST,
                reps,
                note,
            )
        )
    balance = balance_options(profile)
    if balance:
        n = max(1, 2 - compact)
        note = "Balance: per leg, near a wall or rail; each rep a slow 3-second hold or reach."
        ex = balance[day % len(balance)]
        sets = [_scaled(n, f) for f in factors]
        last.append(_slot(ex, sets, BALANCE_REST, BALANCE_REPS, note))
    circuit = conditioning_options(profile)
    rounds = ENDURANCE_ROUNDS if profile.goal is Goal.ENDURANCE else CONDITIONING_ROUNDS
    rounds = max(1, rounds - compact)
    base = ENDURANCE_CONDITIONING_REPS if profile.goal is Goal.ENDURANCE else CONDITIONING_REPS
    label = CIRCUIT_LABEL if len(circuit) > 1 else ""
    for ex in circuit:
        reps = CARRY_REPS if ex.category is Category.CARRY else base
        note = "Conditioning: brisk pace, rest only between rounds."
        sets = [1 if d else _scaled(rounds, f) for d, f in zip(deload, factors, strict=True)]
        last.append(_slot(ex, sets, CONDITIONING_REST, reps, note, label))
    return first, last
