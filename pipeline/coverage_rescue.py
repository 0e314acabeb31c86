"""The last step before a major muscle is declared short: maintenance at one hard set per
exercise (docs/science.md, "Coverage").

Trimming drops a major muscle's direct work when nothing else fits a short session.
Before that becomes a shortfall, the builder tries to give the muscle back the few sets
it lacks, flat over the block, and makes room by pairing exercises, grouping the day
into a circuit and thinning every muscle (the rescued one too) toward a single hard set
per exercise, as long as its fractional count stays at its coverage floor. Maintenance
needs far less than growth: one hard set per exercise per session kept size and
strength for months (Bickel, Cross & Bamman 2011, Med Sci Sports Exerc 43:1177: a third
of the training volume, one day a week, maintained young adults' size; Spiering et al.
2021, J Strength Cond Res 35:1449: one set per exercise, once or twice a week at the
same intensity, maintains strength). A rescue that cannot fit the minutes is undone.
"""

from __future__ import annotations

import copy

from programgen.pipeline.accounting import MAJOR_MUSCLES, coverage_floor
from programgen.pipeline.domain import Muscle
from programgen.pipeline.supersets import heavy_axial
from programgen.pipeline.time_budget import TimeBudget
from programgen.pipeline.volume_plan import MusclePlan

# Room-making steps a rescue may take before it is undone (a bug guard, not a tuning).
_RESCUE_STEPS = 120
_EPS = 1e-9


class CoverageRescue(TimeBudget):
    def _short_weeks(self, m: Muscle) -> list[float]:
        """Per week, how many hard sets `m` lacks under its coverage floor (0 when none)."""
        lm = self.landmarks[m]
        return [
            max(0.0, coverage_floor(lm, self.deload[w], self.taper[w]) - c[m])
            for w, c in enumerate(self._counts())
        ]

    def _shortage(self) -> list[float]:
        """Per major muscle, the most hard sets it lacks in any week."""
        return [max(self._short_weeks(m)) for m in MAJOR_MUSCLES]

    def _no_worse(self, than: list[float]) -> bool:
        return all(now <= was + _EPS for now, was in zip(self._shortage(), than, strict=True))

    def _within_mrv(self) -> bool:
        return all(
            c[m] <= self.landmarks[m].mrv + _EPS
            for c in self._counts(self.training_weeks)
            for m in Muscle
        )

    def _snapshot(self) -> tuple[object, ...]:
        return (
            {m: copy.copy(mp) for m, mp in self.muscles.items()},
            dict(self.dropped),
            set(self.keep),
            list(self.pairs),
            list(self.circuits),
            self.rest_level,
            list(self.trimmed),
        )

    def _restore(self, saved: tuple[object, ...]) -> None:
        muscles, dropped, keep, pairs, circuits, rest, trimmed = saved
        self.muscles = muscles  # type: ignore[assignment]
        self.dropped = dropped  # type: ignore[assignment]
        self.keep = keep  # type: ignore[assignment]
        self.pairs = pairs  # type: ignore[assignment]
        self.circuits = circuits  # type: ignore[assignment]
        self.rest_level = rest  # type: ignore[assignment]
        self.trimmed = trimmed  # type: ignore[assignment]

    def _flat(self, mp: MusclePlan, sets: int) -> None:
        """`sets` direct sets in every training week, no ramp."""
        mp.extra = 0
        mp.min_sets = 1
        mp.floor = mp.lowest = mp.min_peak = mp.peak = mp.target_peak = sets
        mp.full_ramp = 1
        self._replan(mp)

    def _thin(self, day: int, limit: list[float]) -> bool:
        """One set off the muscle of `day` with the most sets, keeping a set for each of
        its exercises and no major muscle further below its floor than `limit`."""
        on_day = [mp for mp in self.muscles.values() if any(d == day for d, _ in mp.slots)]
        for mp in sorted(on_day, key=lambda mp: (-mp.peak, self.rank[mp.muscle])):
            if mp.peak <= max(1, len(mp.slots)):
                continue
            before = copy.copy(mp)
            self._flat(mp, mp.peak - 1)
            if self._no_worse(limit) and mp.start >= len(mp.slots):
                return True
            self.muscles[mp.muscle] = before
        return False

    def _shift(self, day: int) -> bool:
        """Move a muscle's odd set off the long day: its sets split evenly over its days,
        earlier slots first (volume_plan.distribute), so its slots on `day` go last. Kept
        only when no other day runs over instead."""
        for mp in self.muscles.values():
            here = [s for s in mp.slots if s[0] == day]
            if not here or len(here) == len(mp.slots):
                continue
            order = [s for s in mp.slots if s[0] != day] + here
            if order == mp.slots:
                continue
            before = (mp.slots, mp.slot_key)
            mp.slots, mp.slot_key = order, tuple((d, ex.id) for d, ex in order)
            if self._over() in (None, day):
                return True
            mp.slots, mp.slot_key = before
        return False

    def _make_room(self, limit: list[float]) -> bool:
        for _ in range(_RESCUE_STEPS):
            day = self._over()
            if day is None:
                return True
            on_day = [mp for mp in self.muscles.values() if any(d == day for d, _ in mp.slots)]
            on_day.sort(key=lambda mp: -self.rank[mp.muscle])
            made = (
                self._pair(day, on_day)
                or self._circuit(day, on_day)
                or self._drop_optional(day, on_day)
                or self._shift(day)
                or self._thin(day, limit)
                or self._compact_extras(day, on_day)
                or self._rest_last_resort(day, on_day)
            )
            if not made:
                return False
        return False

    def _groupable_first(self, mp: MusclePlan) -> bool:
        """Only the muscle's exercises a superset or circuit may hold (no heavy axial
        lift: pipeline.supersets); False when it has none or nothing changes."""
        preferred, other = ([ex for ex in g if not heavy_axial(ex)] for g in mp.first)
        if not (preferred or other) or (preferred, other) == mp.first:
            return False
        mp.first = (preferred, other)
        return True

    def _try_rescue(self, m: Muscle, lacking: float, groupable: bool) -> bool:
        before = self._shortage()
        saved = self._snapshot()
        mp = copy.copy(self.dropped.pop(m))
        self.muscles[m] = mp
        if groupable and not self._groupable_first(mp):
            self._restore(saved)
            return False
        self._flat(mp, max(1, int(lacking + 1 - _EPS)))
        self.keep.add(m)
        # Once back, the muscle is at its floor; no other may end further below its.
        limit = [0.0 if x is m else s for x, s in zip(MAJOR_MUSCLES, before, strict=True)]
        if self._make_room(limit) and self._no_worse(limit) and self._within_mrv():
            self._note_once("one hard set per exercise where maintenance is all that fits")
            return True
        self._restore(saved)
        return False

    def rescue_coverage(self) -> None:
        """Give every dropped major muscle below its floor the sets it lacks, if the
        session can make room; otherwise leave it to be stated as a shortfall."""
        for m in MAJOR_MUSCLES:
            lacking = max(self._short_weeks(m))
            if lacking <= _EPS or m not in self.dropped:
                continue
            if not self._try_rescue(m, lacking, groupable=False):
                self._try_rescue(m, lacking, groupable=True)
