"""The one settings object: every variable documented, bounds enforced with the variable
named, flags over the environment."""

from __future__ import annotations

import re

import pytest

from programgen.server.config import ConfigError, LlmConfig, Settings
from tests.harness import ROOT

CLIENT_VARIABLES = {"PROGRAMGEN_TARGET", "PROGRAMGEN_API_KEY"}


def _documented() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`((?:PROGRAMGEN|OPENAI)_[A-Z_]+)`", row)}


def _read() -> set[str]:
    names = set(LlmConfig.ENV.values())
    for field in Settings.model_fields:
        section = Settings.model_fields[field].annotation
        if section is not LlmConfig:
            names |= {f"PROGRAMGEN_{name.upper()}" for name in section.model_fields}  # type: ignore[union-attr]
    return names


def test_every_variable_the_server_reads_is_documented_and_no_other() -> None:
    assert _documented() - CLIENT_VARIABLES == _read()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PROGRAMGEN_WORKERS", "0"),
        ("PROGRAMGEN_SQLITE_SYNCHRONOUS", "OFF"),
        ("PROGRAMGEN_HEARTBEAT_S", "nan"),
        ("PROGRAMGEN_LLM_MAX_ATTEMPTS", "2.5"),
        ("PROGRAMGEN_LLM_TIMEOUT_S", "0"),
    ],
)
def test_a_value_out_of_bounds_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        Settings.load()


def test_flags_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROGRAMGEN_WORKERS", "7")
    monkeypatch.setenv("PROGRAMGEN_ADDRESS", "127.0.0.1:1")
    settings = Settings.load(workers=2, address=None)
    assert settings.pool.workers == 2
    assert settings.transport.address == "127.0.0.1:1"


def test_the_llm_runs_only_with_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert Settings.load().llm.engine_settings() is None
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("PROGRAMGEN_LLM_TIMEOUT_S", "12.5")
    monkeypatch.setenv("PROGRAMGEN_LLM_DEADLINE_S", "90")
    llm = Settings.load().llm.engine_settings()
    assert llm is not None and llm.secret == "sk-test" and llm.timeout_s == 12.5
    assert llm.deadline_s == 90.0 and "sk-test" not in repr(llm)


def test_an_unknown_override_is_refused() -> None:
    with pytest.raises(ConfigError, match="lease_minutes"):
        Settings.load(lease_minutes=60)
