"""The server's one settings object, built once at start and passed down.

Each section reads its own environment variables (``PROGRAMGEN_*``, and ``OPENAI_*`` for
the model), so every variable keeps its name; command-line flags override them. A value
out of its bounds stops the server at start with the variable named (docs/architecture.md,
"Configuration").
"""

from __future__ import annotations

import os
import socket
from typing import Any, ClassVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from programgen.pipeline.refine.settings import LlmSettings

_PREFIX = "PROGRAMGEN_"


class ConfigError(Exception):
    """A configuration the server cannot start with; the message says what to change."""


class _Section(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=_PREFIX, frozen=True, env_ignore_empty=True)


class StoreSettings(_Section):
    database_url: str = Field("sqlite+aiosqlite:///./programgen.db", min_length=1)
    # FULL fsyncs each commit; NORMAL is faster and survives process (not power) loss.
    sqlite_synchronous: str = Field("FULL", pattern="^(FULL|NORMAL)$")


class PoolSettings(_Section):
    workers: int = Field(4, ge=1, le=256)  # generations processed at once
    # Processes for the CPU-bound engine; 0 runs it on the event loop (tests, tiny hosts).
    processes: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0, le=64)
    per_caller_limit: int = Field(20, ge=1)  # queued + running per caller
    generation_timeout_s: float = Field(600.0, gt=0, le=86_400, allow_inf_nan=False)
    transient_retries: int = Field(3, ge=0, le=10)
    retry_backoff_s: float = Field(0.5, ge=0, le=60, allow_inf_nan=False)
    shutdown_grace_s: float = Field(10.0, ge=0, le=3_600, allow_inf_nan=False)


def _default_replica_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class ReplicaSettings(_Section):
    """Replicas on one PostgreSQL (docs/architecture.md, "Replicas"); unused on SQLite."""

    # Names this process's claims; a restart with the same id requeues its own rows at once.
    replica_id: str = Field(
        default_factory=_default_replica_id, min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$"
    )
    # A claim is held this long past each renewal; a replica silent that long is rescued.
    lease_s: float = Field(30.0, ge=1, le=3_600, allow_inf_nan=False)
    # Renewal interval, about a third of the lease: two renewals may fail before expiry.
    lease_heartbeat_s: float = Field(10.0, gt=0, le=1_200, allow_inf_nan=False)
    # Upper bound on how long new work, a cross-replica event or a cancel waits when a
    # notification is lost (each replica polls the store this often).
    poll_s: float = Field(1.0, ge=0.05, le=60, allow_inf_nan=False)
    claim_batch: int = Field(8, ge=1, le=256)  # rows claimed per statement

    @model_validator(mode="after")
    def _heartbeat_within_lease(self) -> ReplicaSettings:
        if self.lease_heartbeat_s * 2 > self.lease_s:
            raise ValueError(
                "PROGRAMGEN_LEASE_HEARTBEAT_S must be at most half of PROGRAMGEN_LEASE_S"
            )
        return self


class WatchSettings(_Section):
    heartbeat_s: float = Field(20.0, gt=0, le=3_600, allow_inf_nan=False)
    watch_buffer: int = Field(32, ge=1, le=100_000)  # events per watcher before a re-read
    max_watchers: int = Field(20_000, ge=1, le=1_000_000)  # open watch streams
    # Open watch streams per caller, so one caller cannot take every slot of the total.
    max_watchers_per_caller: int = Field(1_000, ge=1, le=1_000_000)
    # A stream with no event sent (only heartbeats), or whose client has not taken what
    # was sent, for this long is ended with WATCH_IDLE (docs/contract.md).
    watch_idle_limit_s: float = Field(3_600.0, gt=0, le=604_800, allow_inf_nan=False)


class TransportSettings(_Section):
    address: str = Field("127.0.0.1:50051", min_length=1)
    tls_cert: str | None = None
    tls_key: str | None = None
    # With no API keys the server is anonymous and refuses non-loopback addresses unless
    # this is set.
    allow_anonymous_remote: bool = False
    # host:port for Prometheus /metrics over HTTP; empty disables it.
    metrics_address: str = ""
    # The event loop `serve` runs on (README, "Benchmarks": measured both ways).
    event_loop: str = Field("asyncio", pattern="^(asyncio|uvloop)$")


class LogSettings(_Section):
    log_format: str = Field("text", pattern="^(text|json)$")


class LlmConfig(BaseSettings):
    """The optional model refinement; without OPENAI_API_KEY the engine runs alone."""

    model_config = SettingsConfigDict(frozen=True, env_ignore_empty=True, populate_by_name=True)
    ENV: ClassVar[dict[str, str]] = {
        "api_key": "OPENAI_API_KEY",
        "base_url": "OPENAI_BASE_URL",
        "model": "PROGRAMGEN_LLM_MODEL",
        "timeout_s": "PROGRAMGEN_LLM_TIMEOUT_S",
        "max_attempts": "PROGRAMGEN_LLM_MAX_ATTEMPTS",
        "deadline_s": "PROGRAMGEN_LLM_DEADLINE_S",
    }

    api_key: str = Field("", validation_alias=AliasChoices("api_key", "OPENAI_API_KEY"))
    # None: the engine's own default (LlmSettings).
    base_url: str | None = Field(None, validation_alias=AliasChoices("base_url", "OPENAI_BASE_URL"))
    model: str | None = Field(None, validation_alias=AliasChoices("model", "PROGRAMGEN_LLM_MODEL"))
    timeout_s: float | None = Field(  # per call
        None,
        gt=0,
        le=3_600,
        allow_inf_nan=False,
        validation_alias=AliasChoices("timeout_s", "PROGRAMGEN_LLM_TIMEOUT_S"),
    )
    max_attempts: int | None = Field(
        None,
        ge=1,
        le=20,
        validation_alias=AliasChoices("max_attempts", "PROGRAMGEN_LLM_MAX_ATTEMPTS"),
    )
    deadline_s: float | None = Field(  # the whole refinement stage, every attempt included
        None,
        gt=0,
        le=3_600,
        allow_inf_nan=False,
        validation_alias=AliasChoices("deadline_s", "PROGRAMGEN_LLM_DEADLINE_S"),
    )

    def engine_settings(self) -> LlmSettings | None:
        """What the pipeline takes; None (the engine alone) without an API key."""
        key = self.api_key.strip()
        if not key:
            return None
        given: dict[str, Any] = {
            "model": (self.model or "").strip() or None,
            "base_url": (self.base_url or "").strip() or None,
            "timeout_s": self.timeout_s,
            "max_attempts": self.max_attempts,
            "deadline_s": self.deadline_s,
        }
        return LlmSettings(api_key=key, **{k: v for k, v in given.items() if v is not None})


_SECTIONS: dict[str, type[BaseSettings]] = {
    "store": StoreSettings,
    "pool": PoolSettings,
    "replica": ReplicaSettings,
    "watch": WatchSettings,
    "transport": TransportSettings,
    "log": LogSettings,
    "llm": LlmConfig,
}


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    store: StoreSettings
    pool: PoolSettings
    replica: ReplicaSettings
    watch: WatchSettings
    transport: TransportSettings
    log: LogSettings
    llm: LlmConfig

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """The environment's settings with ``overrides`` (by field name, None = unset) on
        top; ConfigError naming the variable or field when a value is out of bounds."""
        given = {k: v for k, v in overrides.items() if v is not None}
        sections: dict[str, BaseSettings] = {}
        for name, section in _SECTIONS.items():
            mine = {k: given.pop(k) for k in list(given) if k in section.model_fields}
            try:
                sections[name] = section(**mine)
            except ValidationError as exc:
                raise ConfigError(_describe(section, exc)) from None
        if given:
            raise ConfigError(f"unknown settings: {', '.join(sorted(given))}")
        return cls(**sections)  # type: ignore[arg-type]


def _describe(section: type[BaseSettings], exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = _env_name(section, field)
        problems.append(f"{name}={error.get('input')!r}: {error['msg']}")
    return "invalid configuration: " + "; ".join(problems)


def _env_name(section: type[BaseSettings], field: str) -> str:
    if field.isupper():
        return field  # already the variable's name
    if section is LlmConfig:
        return LlmConfig.ENV.get(field, field)
    return _PREFIX + field.upper()
