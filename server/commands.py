"""Server-side commands of the ``programgen`` CLI: serve, keys, db upgrade.

The client CLI dispatches these subcommands here, so the client package itself never
imports the server (a consumer may install only the client and the contract).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import ValidationError
from pythonjsonlogger.json import JsonFormatter

from programgen.server.app import ConfigError, serve
from programgen.server.auth import TIERS, create_key
from programgen.server.config import Settings
from programgen.server.store.database import create_engine, migrate
from programgen.server.store.repository import Repository

T = TypeVar("T")


def _settings(overrides: dict[str, Any]) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise SystemExit(f"invalid configuration:\n{exc}") from None


async def _with_repository(settings: Settings, action: Callable[[Repository], Awaitable[T]]) -> T:
    engine = create_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        await migrate(engine)
        repository = Repository(engine, sqlite_synchronous=settings.sqlite_synchronous)
        try:
            return await action(repository)
        finally:
            repository.close()
    finally:
        await engine.dispose()


def _configure_logging(log_format: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        # One JSON object per line; a record's extra fields (generation_id, reason) too.
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)


def run_serve(overrides: dict[str, Any]) -> int:
    settings = _settings(overrides)
    _configure_logging(settings.log_format)
    try:
        asyncio.run(serve(settings))
    except ConfigError as exc:
        print(f"programgen: {exc}", file=sys.stderr)
        return 2
    return 0


def run_db_upgrade(overrides: dict[str, Any]) -> int:
    settings = _settings(overrides)

    async def noop(_: Repository) -> None:
        return None

    asyncio.run(_with_repository(settings, noop))
    print(f"schema is up to date in {settings.database_url}")
    return 0


def run_keys_create(overrides: dict[str, Any], caller_id: str, tier: str) -> int:
    if tier not in TIERS:
        print(f"programgen: tier must be one of {', '.join(TIERS)}", file=sys.stderr)
        return 2
    settings = _settings(overrides)

    async def create(repository: Repository) -> tuple[str, str]:
        return await create_key(repository, caller_id, tier)

    key_id, key = asyncio.run(_with_repository(settings, create))
    print(f"key id: {key_id}  caller: {caller_id}  tier: {tier}", file=sys.stderr)
    print("the key is shown only this once; store it now:", file=sys.stderr)
    print(key)
    return 0


def run_keys_list(overrides: dict[str, Any]) -> int:
    keys = asyncio.run(_with_repository(_settings(overrides), lambda r: r.keys()))
    print(f"{'KEY ID':<14}{'CALLER':<24}{'TIER':<10}{'CREATED':<22}REVOKED")
    for k in keys:
        created = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(k.created_at))
        revoked = (
            time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(k.revoked_at)) if k.revoked_at else "-"
        )
        print(f"{k.key_id:<14}{k.caller_id:<24}{k.tier:<10}{created:<22}{revoked}")
    return 0


def run_keys_revoke(overrides: dict[str, Any], key_id: str) -> int:
    revoked = asyncio.run(_with_repository(_settings(overrides), lambda r: r.revoke_key(key_id)))
    if not revoked:
        print(f"programgen: no active key with id {key_id!r}", file=sys.stderr)
        return 1
    print(f"revoked {key_id}")
    return 0
