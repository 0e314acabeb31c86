"""Which exercises may open a day's strength work (docs/science.md, "Goal rules").

Its own module because the split (pipeline.splits) and the builder both need it: a
split is only usable when every one of its days has an anchor the athlete can do.
"""

from __future__ import annotations

from programgen.pipeline.catalog import Category, Exercise

# Hinges that assist the main lifts but should never open a day: the anchor is a primary
# compound (a squat, press, pull or a deadlift / Romanian deadlift); good mornings and
# single-leg or ballistic hinges come later (NSCA Essentials, 4th ed., ch. 17: core,
# multi-joint lifts first, assistance after).
ACCESSORY_HINGES = frozenset(
    {
        "good_morning",
        "band_good_morning",
        "kettlebell_swing",
        "dumbbell_single_leg_rdl",
        "single_leg_rdl",
    }
)


def anchor_ok(ex: Exercise) -> bool:
    """May this exercise open a day's strength work?"""
    return ex.category is Category.STRENGTH and ex.compound and ex.id not in ACCESSORY_HINGES
