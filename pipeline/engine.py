"""The pipeline's one entry point: profile -> validated program, stage by stage.

Every stage is a top-level function of picklable arguments, so the server can run it in
a process pool (`offload`) while the event loop keeps serving. The engine alone (stages
1-6 and validation) is deterministic: the same profile gives a byte-identical program.
"""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from programgen.pipeline.autoregulation import Autoregulated
from programgen.pipeline.construction import Construction
from programgen.pipeline.domain import (
    Equipment,
    Experience,
    Goal,
    Profile,
    ProfileAnalysis,
    Program,
    Provenance,
    Stage,
    VolumeLandmarks,
)
from programgen.pipeline.injuries.report import injury_adjustments, pain_rule
from programgen.pipeline.periodization import PeriodizationPlan
from programgen.pipeline.refine.settings import LlmSettings
from programgen.pipeline.stages import ENGINE_STAGES, SPEC, StageSpec, start_percent
from programgen.pipeline.summary import summary
from programgen.pipeline.validator import validate_program

# Bump when a change alters programs for the same profile.
ENGINE_VERSION = "programgen-engine/1.2.0"

T = TypeVar("T")

# progress(stage, percent 0..100, human message); awaited before each stage runs, or, when
# a StagedOffload runs the stages in one call, as each begins there.
ProgressCallback = Callable[[Stage, int, str], Awaitable[None]]
# offload(fn, *args) runs a synchronous, picklable top-level function somewhere else
# (the server passes a process pool) and returns its result.
Offload = Callable[..., Awaitable[Any]]
# announce(stage): called where the stages run, as each begins (see run_stages).
Announce = Callable[[Stage], None]


@runtime_checkable
class StagedOffload(Protocol):
    """An offload that also runs every engine stage in one call (``run_stages`` there),
    awaiting ``progress`` for each stage as it begins there, and returns the program
    (server/engine_processes.py). One call instead of one per stage: each hand-off to a
    process costs a round trip and the pickling of a stage's inputs and result."""

    async def __call__(self, fn: Callable[..., Any], *args: Any) -> Any: ...

    async def run_stages(
        self, profile: Profile, validate: bool, progress: Callable[[Stage], Awaitable[None]]
    ) -> Program: ...


@dataclass(frozen=True)
class GenerateOptions:
    llm: LlmSettings | None = None  # None: the engine alone (the default)


def assemble(
    profile: Profile,
    analysis: ProfileAnalysis,
    landmarks: list[VolumeLandmarks],
    plan: PeriodizationPlan,
    construction: Construction,
    regulated: Autoregulated,
) -> Program:
    """The engine's program from the stages' results (cheap; runs inline)."""
    p = plan.periodization
    model = p.model.value.replace("_", " ")
    goal = profile.goal.value.replace("_", " ")
    text = summary(
        profile,
        model,
        construction.split,
        regulated.weeks,
        regulated.test_day,
        construction.trimmed,
        construction.shortfalls,
    )
    return Program(
        name=f"{goal.title()} - {model} {p.total_weeks} weeks",
        summary=text,
        unit=profile.unit,
        split=construction.split,
        analysis=analysis,
        periodization=p,
        landmarks=landmarks,
        weak_points=construction.weak_points,
        weeks=regulated.weeks,
        autoregulation=regulated.readiness,
        provenance=Provenance(engine_version=ENGINE_VERSION),
        injury_adjustments=injury_adjustments(profile, regulated.weeks),
        pain_rule=pain_rule(profile),
        test_day=regulated.test_day,
        shortfalls=construction.shortfalls,
    )


def _assemble(results: dict[str, Any]) -> Program:
    return assemble(
        results["profile"],
        results["analysis"],
        results["landmarks"],
        results["plan"],
        results["construction"],
        results["regulated"],
    )


def _silent(stage: Stage) -> None:
    """No one to tell."""


def run_stages(profile: Profile, validate: bool, announce: Announce = _silent) -> Program:
    """The engine's stages 1-6 in this process, each announced before it runs, then
    validation when ``validate`` (announced too)."""
    results: dict[str, Any] = {"profile": profile}
    for spec, step in ENGINE_STAGES:
        announce(spec.stage)
        results[step.output] = step.fn(*step.args(results))
    program = _assemble(results)
    if validate:
        announce(Stage.VALIDATION)
        validate_program(program, profile)
    return program


def draft_program(profile: Profile) -> Program:
    """The engine's program before validation (stages 1-6, no LLM): for quality reports."""
    return run_stages(profile, validate=False)


def build_program(profile: Profile) -> Program:
    """The engine alone, synchronously: stages 1-6 and validation (no LLM)."""
    return run_stages(profile, validate=True)


async def generate(
    profile: Profile,
    options: GenerateOptions = GenerateOptions(),
    progress: ProgressCallback | None = None,
    offload: Offload | None = None,
) -> Program:
    """The stages of ``pipeline.stages`` in order, each announced to ``progress`` as it
    begins; the engine's stages through ``offload`` when given (in one call when it is a
    ``StagedOffload``)."""

    async def run(fn: Callable[..., T], *args: Any) -> T:
        if offload is None:
            return fn(*args)
        result: T = await offload(fn, *args)
        return result

    async def report(spec: StageSpec) -> None:
        if progress is not None:
            await progress(spec.stage, start_percent(spec.stage), spec.message)

    if isinstance(offload, StagedOffload):
        validate_there = options.llm is None  # else validation follows the LLM stage

        async def announced(stage: Stage) -> None:
            await report(SPEC[stage])

        program = await offload.run_stages(profile, validate_there, announced)
        if validate_there:
            return program
    else:
        results: dict[str, Any] = {"profile": profile}
        for spec, step in ENGINE_STAGES:
            await report(spec)
            results[step.output] = await run(step.fn, *step.args(results))
        program = _assemble(results)
    if options.llm is not None:
        await report(SPEC[Stage.LLM_REFINEMENT])
        from programgen.pipeline import refine  # lazy: optional stage

        program = await refine.refine(program, profile, options.llm)
    await report(SPEC[Stage.VALIDATION])
    await run(validate_program, program, profile)
    return program


# A profile that runs every stage (lifts, a deload, supersets): the warm-up program.
_WARM_UP = Profile(
    goal=Goal.HYPERTROPHY,
    experience=Experience.INTERMEDIATE,
    days_per_week=4,
    session_minutes=45,
    equipment=list(Equipment),
    age=30,
    bodyweight=80.0,
    sleep_hours=7.5,
    stress=4,
)
# Young objects between gen-0 collections (CPython's default is 700). One program
# allocates tens of thousands of short-lived containers, so at 700 the collector runs
# several times per program and now and then a full collection walks every long-lived
# object. Measured on the bench's profiles in one process: p99 96 ms with the defaults,
# 60 ms after collect + freeze, 50 ms with freeze and a gen-0 threshold of 20000 (the
# same as with the collector off; 1000 profiles, quiet machine). Objects the collector
# examined over 300 profiles (deterministic): defaults 2.0 M (134 k at most for one
# program), freeze 1.8 M (91 k), freeze + 5000 260 k (36 k), freeze + 20000 92 k
# (22 k), freeze + 50000 83 k (46 k): 20000 gives the shortest worst pause. Garbage
# cycles are still collected, so memory stays bounded.
GEN0_THRESHOLD = 20000


def prepare_process() -> None:
    """Ready a process to run the engine with a steady latency: import and run it once
    (module caches filled, lazy imports done), then move everything alive into the
    permanent generation (`gc.freeze`) so no collection walks it again, and collect
    young objects less often (GEN0_THRESHOLD). The server's engine processes call it
    (server.engine_processes), and the engine benchmark measures the engine so
    prepared."""
    build_program(_WARM_UP)
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
