"""The interim LLM settings from the environment (server/llm_env.py)."""

from __future__ import annotations

import pytest

from programgen.pipeline.refine import LlmSettings
from programgen.server.llm_env import llm_settings_from_env

KEY = "sk-test-DISTINCTIVE-7c1f0e9a4b2d"


def test_settings_from_env() -> None:
    assert llm_settings_from_env({}) is None
    assert llm_settings_from_env({"OPENAI_API_KEY": "   "}) is None
    assert llm_settings_from_env({"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}) is None

    s = llm_settings_from_env({"OPENAI_API_KEY": KEY})
    assert s == LlmSettings(api_key=KEY)

    s = llm_settings_from_env(
        {
            "OPENAI_API_KEY": KEY,
            "OPENAI_BASE_URL": "http://127.0.0.1:8080/v1",
            "PROGRAMGEN_LLM_MODEL": "local-model",
            "PROGRAMGEN_LLM_TIMEOUT_S": "12.5",
            "PROGRAMGEN_LLM_MAX_ATTEMPTS": "5",
            "PROGRAMGEN_LLM_DEADLINE_S": "90",
        }
    )
    assert s is not None
    assert (s.base_url, s.model, s.timeout_s, s.max_attempts, s.deadline_s) == (
        "http://127.0.0.1:8080/v1",
        "local-model",
        12.5,
        5,
        90.0,
    )

    with pytest.raises(ValueError, match="PROGRAMGEN_LLM_TIMEOUT_S='soon': not a number"):
        llm_settings_from_env({"OPENAI_API_KEY": KEY, "PROGRAMGEN_LLM_TIMEOUT_S": "soon"})
    with pytest.raises(ValueError, match="PROGRAMGEN_LLM_MAX_ATTEMPTS='0': must be greater"):
        llm_settings_from_env({"OPENAI_API_KEY": KEY, "PROGRAMGEN_LLM_MAX_ATTEMPTS": "0"})
    with pytest.raises(ValueError, match=r"PROGRAMGEN_LLM_MAX_ATTEMPTS='2\.5': not a number"):
        llm_settings_from_env({"OPENAI_API_KEY": KEY, "PROGRAMGEN_LLM_MAX_ATTEMPTS": "2.5"})
    with pytest.raises(ValueError, match="deadline_s"):
        llm_settings_from_env({"OPENAI_API_KEY": KEY, "PROGRAMGEN_LLM_DEADLINE_S": "1e9"})
