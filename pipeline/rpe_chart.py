"""The RPE chart: reps x RPE -> % of 1RM, with its diagonal kept.

A set of r reps at RPE x leaves 10 - x reps in reserve, so it is as hard as a set of
r + (10 - x) reps taken to failure (RPE 10): the chart is one curve, %1RM against reps to
failure, read at r + 10 - x. That is how Tuchscherer's RTS chart is built (The Reactive
Training Manual, 2008) and how Helms, Cronin, Storey & Zourdos 2016 apply it ("Application
of the repetitions in reserve-based rating of perceived exertion scale for resistance
training", Strength Cond J 38(4):42). docs/science.md, "Loads".
"""

from __future__ import annotations

import math

# %1RM by reps to failure, in half reps: the RTS chart's values as commonly reproduced
# (1 rep @ RPE 10 = 100 %, ..., 12 reps @ RPE 6.5 = 15.5 reps to failure = 58.6 %). The
# chart's own diagonals give the half steps (e.g. 1 @ 9.5 = 2 @ 10 - half a rep).
# Taken from reproductions of the chart, not from Tuchscherer's book itself.
_CHART: tuple[float, ...] = (
    100.0, 97.8, 95.5, 93.9, 92.2, 90.7, 89.2, 87.8, 86.3, 85.0,  # 1 .. 5.5
    83.7, 82.4, 81.1, 79.9, 78.6, 77.4, 76.2, 75.1, 73.9, 72.3,  # 6 .. 10.5
    70.7, 69.4, 68.0, 66.7, 65.3, 64.0, 62.6, 61.3, 59.9, 58.6,  # 11 .. 15.5
)  # fmt: skip
_CHART_MAX = 1 + (len(_CHART) - 1) / 2  # 15.5 reps to failure
# Past the chart the Epley curve (%1RM = 1 / (1 + r/30)) is scaled to meet its last
# value, so loads keep falling (by about 1.2-1.5 % per rep; the NSCA table this
# replaces fell by only 0.7 % per rep from 12 to 15). Engine extension, not a chart value:
# high-rep capacity varies widely between lifters and lifts (Shimano et al. 2006, J
# Strength Cond Res 20:819), which is why high-rep sets are set by RPE as much as load.
_EPLEY_ANCHOR = _CHART[-1] * (1 + _CHART_MAX / 30)


def percent_at_failure(reps_to_failure: float) -> float:
    """%1RM of a load that can be lifted `reps_to_failure` times (linear between half reps)."""
    rtf = max(1.0, reps_to_failure)
    if rtf >= _CHART_MAX:
        return round(_EPLEY_ANCHOR / (1 + rtf / 30), 2)
    position = (rtf - 1) * 2
    low = math.floor(position)
    frac = position - low
    return round(_CHART[low] + (_CHART[low + 1] - _CHART[low]) * frac, 2)


def percent_1rm(reps: int, rpe: float) -> float:
    """%1RM for `reps` reps at `rpe`: the chart's diagonal, reps + (10 - RPE) to failure."""
    return percent_at_failure(reps + (10.0 - rpe))


def reps_to_failure(percent: float) -> float:
    """How many reps a load of `percent` %1RM allows to failure (inverse of the chart)."""
    if percent >= 100.0:
        return 1.0
    lo, hi = 1.0, 60.0
    for _ in range(40):  # bisection: the curve falls strictly
        mid = (lo + hi) / 2
        if percent_at_failure(mid) > percent:
            lo = mid
        else:
            hi = mid
    return round(lo, 2)


# How far above the chart a load rounded to the plate step may sit: 1.5 points of 1RM,
# about half an RPE step at moderate reps on the chart above (its half-rep steps are
# 1.2-1.6 points), i.e. within the half-point resolution of the RIR-based RPE scale
# (Zourdos et al. 2016, J Strength Cond Res 30:267). Engine tolerance, not a study value.
CHART_TOLERANCE = 1.5
# A load rounded DOWN more than this below the chart is no longer the planned set: 5
# points are about two reps in reserve more than planned at moderate reps, beyond the
# roughly one-rep accuracy lifters show in estimating reps in reserve (Zourdos et al.
# 2016). The set is then prescribed by RPE instead (pipeline.loads). Engine threshold.
COARSE_GAP = 5.0


def chart_load(one_rm: float, percent: float, increment: float) -> float:
    """The plate-step load nearest `percent` of `one_rm` that sits at most CHART_TOLERANCE
    points above it (the step below when the nearest one would be heavier)."""
    steps = math.floor(one_rm * percent / 100 / increment + 0.5)
    if 100 * steps * increment / one_rm > percent + CHART_TOLERANCE:
        steps -= 1
    return round(steps * increment, 2)
