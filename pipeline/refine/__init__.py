"""Stage 7, optional: an OpenAI-compatible model refines the engine's draft.

The model sees a compact draft (``prompt``), answers through structured output (a strict
JSON schema, ``schema``) with substitutions, set changes and coaching notes, and the
answer is applied only if it keeps every rule and the result passes the program validator
(``apply``); otherwise the engine's program stands and ``provenance.llm_fallback_reason``
says why. The HTTP call and its retries live in ``client``, imported on first use: the
``openai`` package costs most of a second to import, which engine processes that never
refine should not pay.

:func:`refine` never raises for LLM faults (only ``asyncio.CancelledError`` propagates) and
the API key never appears in a log record, an exception it lets out, or the fallback reason.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time

from programgen.pipeline.domain import Profile, Program, ProgramInvalid
from programgen.pipeline.refine.apply import RuleViolation, apply_answer
from programgen.pipeline.refine.failures import Failure, GaveUp, redact, truncate
from programgen.pipeline.refine.pacing import RETRY_AFTER_CAP_S, Clock, Pacing, Sleep
from programgen.pipeline.refine.prompt import Draft, build_draft, request_for
from programgen.pipeline.refine.schema import (
    MAX_SETS_PER_EXERCISE,
    SCHEMA_NAME,
    LlmRefinement,
    parse_answer,
    response_schema,
)
from programgen.pipeline.refine.settings import LlmSettings

__all__ = [
    "MAX_SETS_PER_EXERCISE",
    "RETRY_AFTER_CAP_S",
    "SCHEMA_NAME",
    "LlmRefinement",
    "LlmSettings",
    "refine",
    "response_schema",
]

log = logging.getLogger(__name__)

MAX_REASON_CHARS = 300


async def refine(
    program: Program,
    profile: Profile,
    settings: LlmSettings,
    *,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    clock: Clock = time.time,
    retry_after_cap_s: float = RETRY_AFTER_CAP_S,
) -> Program:
    """Ask the model to refine ``program``; the refined program, or ``program`` itself with
    ``provenance.llm_fallback_reason`` set. Never raises for LLM faults. The retry policy
    and the time bounds are described in ``client``; ``sleep``, ``rng`` and ``clock`` are
    injectable so tests are deterministic and instant."""
    secret = settings.secret
    try:
        draft = build_draft(program, profile)
    except Exception as exc:  # a pipeline bug must not kill the generation: engine stands
        log.error("llm refinement skipped: could not build the draft: %s", type(exc).__name__)
        return _fallback(program, f"internal error: {type(exc).__name__}: {exc}", secret)

    from programgen.pipeline.refine import client

    def accept(text: str) -> Program:
        return _accept(program, profile, draft, settings.model, text)

    pacing = Pacing(sleep, rng, clock, retry_after_cap_s)
    try:
        refined = await client.call_with_retries(settings, request_for(draft), accept, pacing)
    except GaveUp as gave_up:
        return _fallback(program, gave_up.reason, secret)
    except Exception as exc:  # never raise for LLM faults; CancelledError still propagates
        log.error("llm refinement failed unexpectedly: %s", redact(repr(exc), secret))
        return _fallback(program, f"internal error: {type(exc).__name__}: {exc}", secret)
    return refined


def _accept(program: Program, profile: Profile, draft: Draft, model: str, text: str) -> Program:
    """The answer applied, or a non-retryable Failure: a model that saw the constraints
    and broke them would very likely break them again, and the engine's program is valid."""
    answer = parse_answer(text)
    try:
        return apply_answer(program, profile, draft, answer, model)
    except RuleViolation as exc:
        raise Failure("rule violation", str(exc), retryable=False) from None
    except ProgramInvalid as exc:
        details = "; ".join(f"{v.field}: {v.description}" for v in exc.violations[:3])
        raise Failure("rule violation", details, retryable=False) from None


def _fallback(program: Program, reason: str, secret: str) -> Program:
    reason = truncate(redact(reason, secret), MAX_REASON_CHARS)
    provenance = program.provenance.model_copy(
        update={"llm_refined": False, "llm_model": "", "llm_fallback_reason": reason}
    )
    return program.model_copy(update={"provenance": provenance})
