"""The LLM settings from ``OPENAI_*`` / ``PROGRAMGEN_LLM_*`` environment variables.

Interim: the server's one settings object (``config``) is to read these; until then this
keeps ``app.start`` configuring the refinement stage as before.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TypeVar

from programgen.pipeline.refine import LlmSettings

N = TypeVar("N", int, float)


def _positive(environ: Mapping[str, str], name: str, default: N, parse: Callable[[str], N]) -> N:
    """``name`` parsed as a positive number, or ``default`` when unset; a malformed value
    is a configuration error (raised at start), not something to guess around."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={raw!r}: must be greater than 0")
    return value


def llm_settings_from_env(environ: Mapping[str, str]) -> LlmSettings | None:
    """LLM settings from the environment, or None (engine only) when OPENAI_API_KEY is unset
    or blank. Reads OPENAI_API_KEY, OPENAI_BASE_URL, PROGRAMGEN_LLM_MODEL,
    PROGRAMGEN_LLM_TIMEOUT_S, PROGRAMGEN_LLM_MAX_ATTEMPTS and PROGRAMGEN_LLM_DEADLINE_S;
    raises ValueError naming the variable when a value is malformed or out of bounds."""
    key = environ.get("OPENAI_API_KEY", "").strip()
    if not key:
        return None
    defaults = LlmSettings(api_key=key)
    return LlmSettings(
        api_key=key,
        model=environ.get("PROGRAMGEN_LLM_MODEL", "").strip() or defaults.model,
        base_url=environ.get("OPENAI_BASE_URL", "").strip() or None,
        timeout_s=_positive(environ, "PROGRAMGEN_LLM_TIMEOUT_S", defaults.timeout_s, float),
        max_attempts=_positive(environ, "PROGRAMGEN_LLM_MAX_ATTEMPTS", defaults.max_attempts, int),
        deadline_s=_positive(environ, "PROGRAMGEN_LLM_DEADLINE_S", defaults.deadline_s, float),
    )
