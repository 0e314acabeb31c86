"""One failed attempt at refinement, and what it says about trying again."""

from __future__ import annotations


class Failure(Exception):
    """``kind`` is the machine-ish prefix of the fallback reason ("timeout", "http 401"...);
    ``retry_after`` is the wait the server asked for, when it asked."""

    def __init__(
        self, kind: str, message: str, *, retryable: bool, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


class GaveUp(Exception):
    """No attempt produced a usable answer; ``reason`` goes into the program's provenance."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def redact(text: str, secret: str) -> str:
    return text.replace(secret, "[redacted]") if secret else text


def truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
