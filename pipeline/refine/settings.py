"""How the optional refinement stage reaches its model: one frozen, bounded settings object.

The server builds it from its own configuration and passes it down (the pipeline reads no
environment). The API key is a ``SecretStr``: it shows as ``**********`` in ``repr``, in
``str`` and in JSON dumps, so a settings object that lands in a log leaks nothing.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class LlmSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr
    model: str = Field("gpt-4o-mini", min_length=1)
    base_url: str | None = None
    # Bounds each WHOLE attempt (connect, send, every byte of the answer), not each read.
    timeout_s: float = Field(30.0, gt=0, le=3600)
    max_attempts: int = Field(3, ge=1, le=20)
    # Full-jitter exponential backoff between attempts: uniform(0, min(max, base * 2**(n-1))).
    backoff_base_s: float = Field(0.5, ge=0, le=60)
    backoff_max_s: float = Field(8.0, ge=0, le=600)
    # The refinement stage as a whole (every attempt and wait): past it the engine's own
    # program stands, so a slow model never holds a generation for long.
    deadline_s: float = Field(60.0, gt=0, le=3600)

    @field_validator("api_key")
    @classmethod
    def _not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("the API key is blank")
        return value

    @property
    def secret(self) -> str:
        """The key itself, for the HTTP client and for redacting what the server echoes."""
        return self.api_key.get_secret_value()
