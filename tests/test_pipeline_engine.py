"""The engine entry point: stages, progress, offloading, the optional LLM stage, purity."""

from __future__ import annotations

import ast
import asyncio
import pickle
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import programgen.pipeline.refine
from programgen.pipeline.domain import Program, ProgramInvalid, Stage
from programgen.pipeline.engine import (
    ENGINE_VERSION,
    GenerateOptions,
    build_program,
    generate,
)
from programgen.pipeline.refine import LlmSettings
from programgen.pipeline.stages import STAGES, start_percent
from tests.pipeline_support import lifts, make_profile

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"
PROFILE = make_profile(lifts=lifts(squat=140, bench_press=100, deadlift=180))


async def test_generate_alone_equals_build_program() -> None:
    program = await generate(PROFILE)
    assert program.model_dump_json() == build_program(PROFILE).model_dump_json()
    assert program.provenance.engine_version == ENGINE_VERSION
    assert not program.provenance.llm_refined


async def test_progress_is_reported_before_each_stage_in_order() -> None:
    seen: list[tuple[Stage, int, str]] = []

    async def progress(stage: Stage, percent: int, message: str) -> None:
        seen.append((stage, percent, message))

    await generate(PROFILE, progress=progress)
    assert [s for s, _, _ in seen] == [
        Stage.PROFILE_ANALYSIS,
        Stage.VOLUME_LANDMARKS,
        Stage.WEAK_POINTS,
        Stage.PERIODIZATION,
        Stage.CONSTRUCTION,
        Stage.AUTOREGULATION,
        Stage.VALIDATION,
    ]
    percents = [p for _, p, _ in seen]
    assert percents == sorted(percents) and percents[0] >= 0 and percents[-1] < 100
    assert all(message for _, _, message in seen)


def test_the_stage_table_names_every_stage_once_with_percents_from_its_weights() -> None:
    assert [spec.stage for spec in STAGES] == list(Stage)
    assert all(spec.weight > 0 and spec.message for spec in STAGES)
    total = sum(spec.weight for spec in STAGES)
    before = 0
    for spec in STAGES:
        assert start_percent(spec.stage) == 100 * before // total
        before += spec.weight
    percents = [start_percent(spec.stage) for spec in STAGES]
    assert percents == sorted(set(percents)) and percents[0] == 0 and percents[-1] < 100


async def test_progress_reports_the_stage_table(monkeypatch: pytest.MonkeyPatch) -> None:
    async def refine(program: Program, profile: object, settings: LlmSettings) -> Program:
        return program

    monkeypatch.setattr(programgen.pipeline.refine, "refine", refine)
    seen: list[tuple[Stage, int, str]] = []

    async def progress(stage: Stage, percent: int, message: str) -> None:
        seen.append((stage, percent, message))

    await generate(PROFILE, GenerateOptions(llm=LlmSettings(api_key="k")), progress=progress)
    assert seen == [(s.stage, start_percent(s.stage), s.message) for s in STAGES]


async def test_stages_run_through_offload_in_another_process() -> None:
    calls: list[str] = []
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=1) as pool:

        async def offload(fn: Callable[..., Any], *args: Any) -> Any:
            # What a process pool needs: a picklable top-level function and arguments.
            pickle.dumps((fn, args))
            calls.append(fn.__name__)
            return await loop.run_in_executor(pool, fn, *args)

        program = await generate(PROFILE, offload=offload)
    assert program.model_dump_json() == build_program(PROFILE).model_dump_json()
    assert calls == [
        "analyze_profile",
        "compute_landmarks",
        "find_weak_points",
        "plan_periodization",
        "construct_program",
        "autoregulate",
        "validate_program",
    ]


async def test_llm_stage_runs_only_when_configured_and_is_validated_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    received: list[LlmSettings] = []

    async def refine(program: Program, profile: object, settings: LlmSettings) -> Program:
        received.append(settings)
        provenance = program.provenance.model_copy(
            update={"llm_refined": True, "llm_model": settings.model}
        )
        return program.model_copy(update={"provenance": provenance})

    monkeypatch.setattr(programgen.pipeline.refine, "refine", refine)
    stages: list[Stage] = []

    async def progress(stage: Stage, percent: int, message: str) -> None:
        stages.append(stage)

    settings = LlmSettings(api_key="test-key", model="test-model")
    program = await generate(PROFILE, GenerateOptions(llm=settings), progress=progress)
    assert received == [settings]
    assert program.provenance.llm_refined and program.provenance.llm_model == "test-model"
    assert stages[-2:] == [Stage.LLM_REFINEMENT, Stage.VALIDATION]

    await generate(PROFILE, progress=progress)  # no LLM settings: no LLM stage
    assert stages.count(Stage.LLM_REFINEMENT) == 1


async def test_a_broken_llm_result_is_never_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    async def refine(program: Program, profile: object, settings: LlmSettings) -> Program:
        weeks = program.weeks[:-1]  # drops the deload
        return program.model_copy(update={"weeks": weeks})

    monkeypatch.setattr(programgen.pipeline.refine, "refine", refine)
    with pytest.raises(ProgramInvalid):
        await generate(PROFILE, GenerateOptions(llm=LlmSettings(api_key="k")))


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_pipeline_imports_nothing_from_server_client_or_protos() -> None:
    forbidden = ("programgen.server", "programgen.client", "programgen.v1", "grpc", "sqlalchemy")
    offenders = [
        f"{path.name} imports {name}"
        for path in sorted(PIPELINE.rglob("*.py"))
        for name in sorted(_imported_modules(path))
        if name == "programgen"
        or any(name == f or name.startswith(f + ".") for f in forbidden)
        or name.startswith("google.protobuf")
    ]
    assert offenders == []


def test_only_the_refinement_client_imports_openai() -> None:
    importers = [
        str(path.relative_to(PIPELINE))
        for path in sorted(PIPELINE.rglob("*.py"))
        if any(n == "openai" or n.startswith("openai.") for n in _imported_modules(path))
    ]
    assert importers == ["refine/client.py"]


def test_the_engine_alone_does_not_load_openai() -> None:
    # The SDK costs most of a second to import: engine processes that never refine skip it.
    code = "import sys, programgen.pipeline.engine; print('openai' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
