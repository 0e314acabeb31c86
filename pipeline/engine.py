"""The pipeline's one entry point: profile -> validated program, stage by stage.

TO BE IMPLEMENTED (signature is the contract the server relies on).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pipeline.domain import Profile, Program, Stage

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


async def generate(
    profile: Profile,
    options: GenerateOptions = GenerateOptions(),
    progress: ProgressCallback | None = None,
    offload: Offload | None = None,
) -> Program:
    raise NotImplementedError
