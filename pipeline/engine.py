"""The pipeline's one entry point: profile -> validated program, stage by stage.

Every stage is a top-level function of picklable arguments, so the server can run it in
a process pool (`offload`) while the event loop keeps serving. The engine alone (stages
1-6 and validation) is deterministic: the same profile gives a byte-identical program.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from programgen.pipeline.analysis import analyze_profile
from programgen.pipeline.autoregulation import Autoregulated, autoregulate
from programgen.pipeline.construction import Construction, construct_program
from programgen.pipeline.domain import (
    Profile,
    ProfileAnalysis,
    Program,
    Provenance,
    Stage,
    VolumeLandmarks,
    WeakPointAnalysis,
)
from programgen.pipeline.periodization import PeriodizationPlan, plan_periodization
from programgen.pipeline.validator import validate_program
from programgen.pipeline.volume import compute_landmarks
from programgen.pipeline.weak_points import find_weak_points

# Bump when a change alters programs for the same profile.
ENGINE_VERSION = "programgen-engine/1.2.0"

T = TypeVar("T")

# progress(stage, percent 0..100, human message); awaited before each stage runs.
ProgressCallback = Callable[[Stage, int, str], Awaitable[None]]
# offload(fn, *args) runs a synchronous, picklable top-level function somewhere else
# (the server passes a process pool) and returns its result.
Offload = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class LlmSettings:
    api_key: str
    model: str = "gpt-4o-mini"
    base_url: str | None = None
    timeout_s: float = 30.0
    max_attempts: int = 3
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0


@dataclass(frozen=True)
class GenerateOptions:
    llm: LlmSettings | None = None  # None: the engine alone (the default)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


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
    split = construction.split.replace("_", " ")
    summary = (
        f"{p.total_weeks}-week {goal} program for {_article(profile.experience.value)} "
        f"{profile.experience.value} lifter, "
        f"{profile.days_per_week} days a week ({split}), {profile.session_minutes}-minute "
        f"sessions, {model} periodization with a deload in week "
        f"{p.deload_week}."
    )
    if construction.trimmed:
        summary += " To fit the session length: " + "; ".join(construction.trimmed) + "."
    if construction.shortfalls:
        summary += " Not covered: " + " ".join(construction.shortfalls)
    return Program(
        name=f"{goal.title()} - {model} {p.total_weeks} weeks",
        summary=summary,
        unit=profile.unit,
        split=construction.split,
        analysis=analysis,
        periodization=p,
        landmarks=landmarks,
        weak_points=construction.weak_points,
        weeks=regulated.weeks,
        autoregulation=regulated.readiness,
        provenance=Provenance(engine_version=ENGINE_VERSION),
        shortfalls=construction.shortfalls,
    )


def _engine(
    profile: Profile,
) -> tuple[
    ProfileAnalysis,
    list[VolumeLandmarks],
    WeakPointAnalysis,
    PeriodizationPlan,
    Construction,
    Autoregulated,
]:
    analysis = analyze_profile(profile)
    landmarks = compute_landmarks(profile)
    weak = find_weak_points(profile, analysis)
    plan = plan_periodization(profile)
    construction = construct_program(profile, landmarks, weak, plan)
    regulated = autoregulate(profile, analysis, plan, construction)
    return analysis, landmarks, weak, plan, construction, regulated


def build_program(profile: Profile) -> Program:
    """The engine alone, synchronously: stages 1-6 and validation (no LLM)."""
    analysis, landmarks, _, plan, construction, regulated = _engine(profile)
    program = assemble(profile, analysis, landmarks, plan, construction, regulated)
    validate_program(program, profile)
    return program


async def generate(
    profile: Profile,
    options: GenerateOptions = GenerateOptions(),
    progress: ProgressCallback | None = None,
    offload: Offload | None = None,
) -> Program:
    async def run(fn: Callable[..., T], *args: Any) -> T:
        if offload is None:
            return fn(*args)
        result: T = await offload(fn, *args)
        return result

    async def report(stage: Stage, percent: int, message: str) -> None:
        if progress is not None:
            await progress(stage, percent, message)

    await report(Stage.PROFILE_ANALYSIS, 0, "Normalising units and estimating 1RMs")
    analysis = await run(analyze_profile, profile)
    await report(Stage.VOLUME_LANDMARKS, 10, "Individualising weekly volume landmarks")
    landmarks = await run(compute_landmarks, profile)
    await report(Stage.WEAK_POINTS, 20, "Comparing strength ratios")
    weak = await run(find_weak_points, profile, analysis)
    await report(Stage.PERIODIZATION, 30, "Choosing the periodization model")
    plan = await run(plan_periodization, profile)
    await report(Stage.CONSTRUCTION, 40, "Building the split and weekly sets")
    construction = await run(construct_program, profile, landmarks, weak, plan)
    await report(Stage.AUTOREGULATION, 55, "Setting RPE targets and loads")
    regulated = await run(autoregulate, profile, analysis, plan, construction)
    program = assemble(profile, analysis, landmarks, plan, construction, regulated)
    if options.llm is not None:
        await report(Stage.LLM_REFINEMENT, 65, "Refining the draft with the language model")
        from programgen.pipeline.llm_refine import refine  # lazy: optional stage

        program = await refine(program, profile, options.llm)
    await report(Stage.VALIDATION, 90, "Checking every program invariant")
    await run(validate_program, program, profile)
    return program
