"""Stage 5, program construction: split, exercises, sets per exercise per week, supersets,
and the power, balance and conditioning work the goal and the person call for.

How it plans (docs/science.md, "Coverage" and "Session time"):

* Volume per muscle is planned in direct sets (pipeline.volume_plan): a start (about MEV
  plus weak-point extras), a peak (<= MRV), a ramp between them that never falls, and a
  deload. Every major muscle keeps at least MV direct sets in every week, deload
  included; the fractional count (pipeline.accounting) must stay <= MRV.
* Session time is the honest model of pipeline.session_time, warm-up sets included
  (pipeline.warmups), recomputed for every week and day.
* When a day is too long it is trimmed step by step (`_trim`): first antagonist
  supersets, then optional direct work (arms, calves, abs; delts or glutes when the
  compounds already cover them), shorter rests, flatter ramps, no weak-point extras,
  starts lowered toward MV, shorter extras, and only then the last resort. A major muscle
  is never dropped silently: what cannot fit becomes a shortfall the program states.
"""

from __future__ import annotations

import math

from programgen.pipeline import goal_rules
from programgen.pipeline.accounting import MAJOR_MUSCLES, coverage_floor
from programgen.pipeline.builder_state import MAX_ROUNDS
from programgen.pipeline.catalog import CATALOG, Category, Exercise, available
from programgen.pipeline.coverage_rescue import CoverageRescue
from programgen.pipeline.day_layout import explained, weekly_counts
from programgen.pipeline.domain import (
    Muscle,
    Profile,
    ProfileAnalysis,
    VolumeLandmarks,
    WeakPointAnalysis,
)
from programgen.pipeline.goal_rules import anchor_ok
from programgen.pipeline.periodization import PeriodizationPlan
from programgen.pipeline.slots import Construction, DayPlan, Slot
from programgen.pipeline.splits import NoAnchorAvailable
from programgen.pipeline.volume_plan import set_volume
from programgen.pipeline.weak_point_narrowing import narrow_findings

__all__ = ["Construction", "DayPlan", "Slot", "construct_program"]


# Rounds of (MRV cap, time fit, refill, coverage repair) until nothing changes; each
# repair gives a muscle back work the others' trimming took (a bug guard, not a tuning).
_SETTLE_ROUNDS = 8


class _Builder(CoverageRescue):
    # ------------------------------------------------------------------ volume limits

    def _over_mrv(self) -> tuple[Muscle, float] | None:
        """A muscle over its MRV in some training week, and by how many hard sets (the
        largest excess): secondary credit need not peak in the same week for every
        muscle, and the validator checks every training week."""
        worst: tuple[Muscle, float] | None = None
        for counted in self._counts(self.training_weeks):
            # Every Muscle is a key, in declaration order (accounting.hard_sets), and
            # iterating the Enum class itself is slow.
            for m, n in counted.items():
                excess = n - self.landmarks[m].mrv
                if excess > 1e-9 and (worst is None or excess > worst[1]):
                    worst = (m, excess)
        return worst

    def _lower_for_mrv(self, m: Muscle, excess: float) -> bool:
        mp = self.muscles.get(m)
        if mp is not None and mp.peak > max(mp.start, mp.min_peak):
            # Its own sets count 1 each: take the excess off at once.
            room = mp.peak - max(mp.start, mp.min_peak)
            mp.peak -= min(room, max(1, math.ceil(excess - 1e-9)))
            mp.target_peak = min(mp.target_peak, mp.peak)
            self._replan(mp)
            return True
        if mp is not None and mp.floor > mp.lowest:
            mp.floor -= 1
            self._replan(mp)
            return True
        # Never the only anchor of a day (time_budget._droppable).
        droppable = (
            mp is not None
            and self._droppable(mp)
            and (m not in MAJOR_MUSCLES or self._covered_without(mp))
        )
        if mp is not None and droppable and not mp.major:
            self._drop(mp, "the compound lifts already give it its volume")
            return True
        # The muscle's work is mostly indirect: lower the biggest contributor's ramp, then
        # its start.
        feeders = [
            c
            for c in self.muscles.values()
            if c.muscle is not m and any(m in ex.secondary_muscles for _, ex in c.slots)
        ]
        ramps = [c for c in feeders if c.peak > max(c.start, c.min_peak)]
        starts = [c for c in feeders if c.floor > c.lowest]
        if ramps:
            c = max(ramps, key=lambda c: (c.peak, self.rank[c.muscle]))
            # A feeder's set credits half a set: twice the excess, if its ramp has room.
            room = c.peak - max(c.start, c.min_peak)
            c.peak -= min(room, max(1, math.ceil(2 * excess - 1e-9)))
            c.target_peak = min(c.target_peak, c.peak)
        elif starts:
            c = max(starts, key=lambda c: (c.floor, self.rank[c.muscle]))
            c.floor -= 1
        else:
            # Last: weak-point extras of the muscle or its feeders (MRV comes first).
            extras = [x for x in ([mp] if mp else []) + feeders if x.extra > 0]
            return self._drop_extras(-1, extras)
        self._replan(c)
        return True

    def cap_mrv(self) -> None:
        """Fractional counting credits secondary muscles: keep each under its MRV."""
        for _ in range(MAX_ROUNDS):
            over = self._over_mrv()
            if over is None or not self._lower_for_mrv(*over):
                return

    def refill(self) -> None:
        """Hand back peak sets that trimming took but the final plan has room for."""
        order = sorted(
            self.muscles.values(),
            key=lambda mp: (
                mp.extra == 0 and mp.muscle not in self.profile.priority_muscles,
                self.rank[mp.muscle],
            ),
        )
        grown = True
        while grown:
            grown = False
            for mp in order:
                if mp.muscle not in self.muscles or mp.peak >= mp.target_peak:
                    continue
                before = mp.peak
                mp.peak += 1
                self._replan(mp)
                if mp.peak > before and self._over() is None and self._over_mrv() is None:
                    grown = True
                    continue
                mp.peak = before
                self._replan(mp)
                mp.target_peak = before  # no room: stop trying this muscle

    # ------------------------------------------------------------------ coverage

    def repair_coverage(self) -> bool:
        """Give a major muscle back its work where the compounds no longer cover it;
        True when something changed (the time budget must then be checked again)."""
        counts = self._counts()
        changed = False
        for m in MAJOR_MUSCLES:
            floors = [
                coverage_floor(self.landmarks[m], d, t)
                for d, t in zip(self.deload, self.taper, strict=True)
            ]
            short = [w for w, c in enumerate(counts) if c[m] < floors[w] - 1e-9]
            if not short:
                continue
            if m in self.dropped and m not in self.keep:
                self.muscles[m] = self.dropped.pop(m)
                self._replan(self.muscles[m])
            elif m in self.muscles:
                mp = self.muscles[m]
                need = max(floors[w] - counts[w][m] for w in short)
                if all(self.deload[w] for w in short):
                    mp.deload_bonus += int(need + 0.999)
                else:
                    mp.floor = min(mp.landmarks.mrv, mp.floor + int(need + 0.999))
                    mp.peak = max(mp.peak, mp.floor)
                    self._replan(mp)
            elif not self._prefer_feeders(m):
                continue
            self.keep.add(m)
            changed = True
        return changed

    def _prefer_feeders(self, m: Muscle) -> bool:
        """No direct work for `m` (none available): let other muscles pick exercises that
        train it as a secondary muscle (a push-up rather than a floor press for the front
        delts). True when some plan changed its choices."""
        changed = False
        for mp in self.muscles.values():

            def feeds(ex: Exercise) -> bool:
                return m in ex.secondary_muscles

            first = tuple(sorted(group, key=lambda ex: not feeds(ex)) for group in mp.first)
            if first != mp.first and any(feeds(ex) for group in first for ex in group):
                mp.first = (first[0], first[1])
                self._replan(mp)
                changed = True
        return changed

    def _state_shortfalls(self, days: list[list[Slot]]) -> None:
        missing = goal_rules.missing_power(self.profile)
        if missing:
            self._shortfall(missing)
        counts = weekly_counts(days, range(len(self.plan.weeks)))
        trains = {
            m
            for ex in available(self.profile)
            for m in (*ex.primary_muscles, *ex.secondary_muscles)
            if ex.category is Category.STRENGTH
        }
        direct = {ex.primary for ex in available(self.profile) if ex.category is Category.STRENGTH}
        for m in MAJOR_MUSCLES:
            floors = [
                coverage_floor(self.landmarks[m], d, t)
                for d, t in zip(self.deload, self.taper, strict=True)
            ]
            floor = floors[0] if not self.deload[0] else max(floors)
            name = m.value.replace("_", " ")
            short = [w for w, c in enumerate(counts) if c[m] < floors[w] - 1e-9]
            if short and m not in trains:
                self._shortfall(
                    f"{name}: no exercise the equipment and injuries allow trains it; "
                    f"below its maintenance volume of {floor:g} hard sets every week."
                )
            elif short and m not in direct:
                weeks = ", ".join(str(w + 1) for w in short)
                self._shortfall(
                    f"{name}: no exercise the equipment and injuries allow trains it as its "
                    f"main muscle, only as a helper; below its maintenance volume of "
                    f"{floor:g} hard sets in week(s) {weeks}."
                )
            elif short:
                weeks = ", ".join(str(w + 1) for w in short)
                self._shortfall(
                    f"{name}: below its maintenance volume of {floor:g} hard sets in week(s) "
                    f"{weeks}; the sessions are too short to fit more."
                )

    def build(self) -> Construction:
        self._settle()
        # A split day several muscles could open is not secured up front
        # (builder_state._secure_anchors); trimming may leave it with none. Pin the
        # opening compound there, then settle again (NSCA Essentials, 4th ed., ch. 17:
        # every session opens with a multi-joint lift).
        for _ in range(len(self.split.days)):
            bare = next((d for d, slots in enumerate(self._days()) if not _anchored(slots)), None)
            if bare is None or not self._pin_anchor(bare):
                break
            self._settle()
        self.rescue_coverage()
        days = [explained(slots) for slots in self._days()]
        self._state_shortfalls(days)
        plans = [
            DayPlan(day=d + 1, focus=template.focus, slots=days[d])
            for d, template in enumerate(self.split.days)
        ]
        for plan in plans:
            if not _anchored(plan.slots):
                # choose_split only keeps a split whose every day has an anchor, and
                # _pin_anchor secures a bare day: a bug if reached.
                raise NoAnchorAvailable(f"day {plan.day} has no compound anchor")
        served = {m for m, mp in self.muscles.items() if mp.extra > 0}
        return Construction(
            split=self.split.name,
            days=plans,
            weak_points=narrow_findings(self.weak, served, plans),
            trimmed=self.trimmed,
            shortfalls=self.shortfalls,
        )

    def _pin_anchor(self, day: int) -> bool:
        """Make the day's lead (else its highest-priority able muscle) open `day` for
        good; False when no muscle of the day can."""
        template = self.split.days[day]
        order = sorted(template.muscles, key=lambda m: (m is not template.lead, self.rank[m]))
        for m in order:
            mp = self.muscles.get(m) or self.dropped.get(m)
            if mp is None or day in mp.anchor_days:
                continue
            if not any(anchor_ok(ex) for ex in mp.first[0]):
                continue
            self.dropped.pop(m, None)
            self.muscles[m] = mp
            self.keep.add(m)
            mp.anchor_days = (*mp.anchor_days, day)
            set_volume(mp, self.rank[m])
            return True
        return False

    def _settle(self) -> None:
        changed = True
        for _ in range(_SETTLE_ROUNDS):
            self.cap_mrv()
            self.fit_time_budget()
            self.refill()
            changed = self.repair_coverage()
            if not changed:
                break
        # Trimming re-plans exercises, which can move secondary credit onto a muscle:
        # settle the MRV cap and the time budget together.
        for _ in range(_SETTLE_ROUNDS):
            self.cap_mrv()
            self.fit_time_budget()
            if self._over_mrv() is None:
                break


def _anchored(slots: list[Slot]) -> bool:
    return any(anchor_ok(CATALOG[s.exercise_id]) for s in slots)


def construct_program(
    profile: Profile,
    landmarks: list[VolumeLandmarks],
    weak: WeakPointAnalysis,
    plan: PeriodizationPlan,
    analysis: ProfileAnalysis,
) -> Construction:
    return _Builder(profile, landmarks, weak, plan, analysis).build()
