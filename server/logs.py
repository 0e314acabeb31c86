"""Logging an operator can follow: one line per record (text or JSON), ISO-8601 timestamps
with a time zone, and the generation id on every line logged while a generation runs
(the worker sets a context variable; asyncio copies it into everything the run awaits,
the refinement stage's warnings included). The HTTP client's per-request INFO lines stay
quiet (they would double every model call's log)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

generation_id: ContextVar[str | None] = ContextVar("generation_id", default=None)

# Libraries that log every HTTP request (the OpenAI client's transport) or every plugin
# they load at INFO.
_CHATTY = ("httpx", "httpx2", "httpcore", "openai", "alembic.runtime.plugins")


@contextmanager
def for_generation(gid: str) -> Iterator[None]:
    """Every record logged inside carries ``generation_id``."""
    token = generation_id.set(gid)
    try:
        yield
    finally:
        generation_id.reset(token)


class _WithGeneration(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "generation_id", None) is None:
            record.generation_id = generation_id.get() or ""
        return True


def _iso(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")


class _TextFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _iso(record)

    def format(self, record: logging.LogRecord) -> str:
        gid = getattr(record, "generation_id", "")
        record.generation = f" [{gid}]" if gid else ""
        return super().format(record)


class _JsonFormatter(JsonFormatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _iso(record)


def configure(log_format: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_WithGeneration())
    if log_format == "json":
        # One JSON object per line; a record's extra fields (generation_id, reason) too.
        handler.setFormatter(_JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(
            _TextFormatter("%(asctime)s %(levelname)s %(name)s%(generation)s %(message)s")
        )
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
