"""The stage table: the order the builder runs the stages in, and what progress says.

The builder (``engine``) runs the rows that carry a step in order, feeding each the
results it names; the progress reporter announces every row before it runs, with the
row's message and the percent derived from the weights before it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from programgen.pipeline.analysis import analyze_profile
from programgen.pipeline.autoregulation import autoregulate
from programgen.pipeline.construction import construct_program
from programgen.pipeline.domain import Stage
from programgen.pipeline.periodization import plan_periodization
from programgen.pipeline.volume import compute_landmarks
from programgen.pipeline.weak_points import find_weak_points


@dataclass(frozen=True)
class Step:
    """A synchronous, picklable top-level function (so it can run in a process pool), the
    names of the results it takes (``"profile"`` or an earlier step's output), and the
    name its result is kept under."""

    fn: Callable[..., Any]
    inputs: tuple[str, ...]
    output: str

    def args(self, results: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(results[name] for name in self.inputs)


@dataclass(frozen=True)
class StageSpec:
    stage: Stage
    message: str  # what a watcher reads while the stage runs
    # Share of the progress bar. Not a measurement (the engine's six stages take
    # milliseconds together, a model call seconds): shares a person reads as steady
    # progress, with the model call given the largest. They sum to 100, so a weight reads
    # as the percent the stage spans; a stage that does not run is skipped over.
    weight: int
    step: Step | None = None  # None: the builder runs it itself (LLM refinement, validation)


STAGES: tuple[StageSpec, ...] = (
    StageSpec(
        Stage.PROFILE_ANALYSIS,
        "Normalising units and estimating 1RMs",
        10,
        Step(analyze_profile, ("profile",), "analysis"),
    ),
    StageSpec(
        Stage.VOLUME_LANDMARKS,
        "Individualising weekly volume landmarks",
        10,
        Step(compute_landmarks, ("profile",), "landmarks"),
    ),
    StageSpec(
        Stage.WEAK_POINTS,
        "Comparing strength ratios",
        10,
        Step(find_weak_points, ("profile", "analysis"), "weak"),
    ),
    StageSpec(
        Stage.PERIODIZATION,
        "Choosing the periodization model",
        10,
        Step(plan_periodization, ("profile",), "plan"),
    ),
    StageSpec(
        Stage.CONSTRUCTION,
        "Building the split and weekly sets",
        15,
        Step(
            construct_program,
            ("profile", "landmarks", "weak", "plan", "analysis"),
            "construction",
        ),
    ),
    StageSpec(
        Stage.AUTOREGULATION,
        "Setting RPE targets and loads",
        10,
        Step(autoregulate, ("profile", "analysis", "plan", "construction"), "regulated"),
    ),
    StageSpec(Stage.LLM_REFINEMENT, "Refining the draft with the language model", 25),
    StageSpec(Stage.VALIDATION, "Checking every program invariant", 10),
)

ENGINE_STAGES: tuple[tuple[StageSpec, Step], ...] = tuple(
    (spec, spec.step) for spec in STAGES if spec.step is not None
)

_TOTAL = sum(spec.weight for spec in STAGES)
_START = {
    spec.stage: 100 * sum(s.weight for s in STAGES[:i]) // _TOTAL for i, spec in enumerate(STAGES)
}
SPEC = {spec.stage: spec for spec in STAGES}


def start_percent(stage: Stage) -> int:
    """The percent reported when ``stage`` begins: the weights of the stages before it."""
    return _START[stage]
