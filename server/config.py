"""Server configuration from ``PROGRAMGEN_*`` environment variables (and CLI overrides)."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PROGRAMGEN_", frozen=True)

    address: str = "127.0.0.1:50051"
    database_url: str = "sqlite+aiosqlite:///./programgen.db"
    # FULL fsyncs each commit; NORMAL is faster and survives process (not power) loss.
    sqlite_synchronous: str = Field("FULL", pattern="^(FULL|NORMAL)$")
    workers: int = Field(4, ge=1, le=256)  # generations processed at once
    # Processes for the CPU-bound engine; 0 runs it on the event loop (tests, tiny hosts).
    processes: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0, le=64)
    per_caller_limit: int = Field(20, ge=1)  # queued + running generations per caller
    generation_timeout_s: float = Field(600.0, gt=0)
    transient_retries: int = Field(3, ge=0, le=10)
    retry_backoff_s: float = Field(0.5, ge=0)
    lease_s: float = Field(60.0, gt=0)
    shutdown_grace_s: float = Field(10.0, ge=0)
    heartbeat_s: float = Field(20.0, gt=0)
    watch_buffer: int = Field(32, ge=1)
    max_watchers: int = Field(20_000, ge=1)
    # With no API keys the server is anonymous and refuses non-loopback addresses unless
    # this is set.
    allow_anonymous_remote: bool = False
    tls_cert: str | None = None
    tls_key: str | None = None
    # host:port for Prometheus /metrics over HTTP; empty disables it.
    metrics_address: str = ""
    log_format: str = Field("text", pattern="^(text|json)$")
