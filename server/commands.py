"""Server-side commands of the ``programgen`` CLI: serve, keys, db upgrade.

The server owns these subcommands and their flags (``register``); the client CLI adds them
when the server is installed, so the client package itself never imports the server (a
consumer may install only the client and the contract).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from programgen.pipeline.engine import generate
from programgen.server import logs
from programgen.server.app import serve
from programgen.server.auth import TIERS, create_key
from programgen.server.config import ConfigError, Settings
from programgen.server.runner import GenerateFn
from programgen.server.store.database import create_engine, migrate
from programgen.server.store.repository import Repository

T = TypeVar("T")


def _settings(overrides: dict[str, Any]) -> Settings:
    try:
        return Settings.load(**overrides)
    except ConfigError as exc:
        raise SystemExit(f"programgen: {exc}") from None


async def _with_repository(settings: Settings, action: Callable[[Repository], Awaitable[T]]) -> T:
    store = settings.store
    engine = create_engine(store.database_url, sqlite_synchronous=store.sqlite_synchronous)
    try:
        await migrate(engine)
        repository = Repository(engine, sqlite_synchronous=store.sqlite_synchronous)
        try:
            return await action(repository)
        finally:
            repository.close()
    finally:
        await engine.dispose()


def _loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """None: asyncio's default loop."""
    if name != "uvloop":
        return None
    try:
        import uvloop
    except ImportError:
        raise ConfigError("PROGRAMGEN_EVENT_LOOP=uvloop but uvloop is not installed") from None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run_serve(overrides: dict[str, Any], *, generate_fn: GenerateFn = generate) -> int:
    """``programgen serve``; ``generate_fn`` replaces the engine only for
    ``programgen.testing.memo_serve`` (benchmarks), never from a setting."""
    settings = _settings(overrides)
    logs.configure(settings.log.log_format)
    try:
        with asyncio.Runner(loop_factory=_loop_factory(settings.transport.event_loop)) as runner:
            runner.run(serve(settings, generate_fn=generate_fn))
    except ConfigError as exc:
        print(f"programgen: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # a second Ctrl-C while draining
        return 130
    return 0


def run_db_upgrade(overrides: dict[str, Any]) -> int:
    settings = _settings(overrides)

    async def noop(_: Repository) -> None:
        return None

    asyncio.run(_with_repository(settings, noop))
    print(f"schema is up to date in {settings.store.database_url}")
    return 0


def run_keys_create(overrides: dict[str, Any], caller_id: str, tier: str) -> int:
    if tier not in TIERS:
        print(f"programgen: tier must be one of {', '.join(TIERS)}", file=sys.stderr)
        return 2
    settings = _settings(overrides)

    async def create(repository: Repository) -> tuple[str, str]:
        return await create_key(repository, caller_id, tier)

    try:
        key_id, key = asyncio.run(_with_repository(settings, create))
    except ValueError as exc:
        print(f"programgen: {exc}", file=sys.stderr)
        return 2
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


# --- the subcommands' arguments --------------------------------------------------------


def _database_url(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--database-url", help="SQLAlchemy URL (env PROGRAMGEN_DATABASE_URL)")


def _store_overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {"database_url": args.database_url}


def _serve(args: argparse.Namespace) -> int:
    return run_serve(
        {
            "address": args.address,
            "database_url": args.database_url,
            "tls_cert": args.tls_cert,
            "tls_key": args.tls_key,
            "allow_anonymous_remote": args.allow_anonymous_remote,
            "workers": args.workers,
        }
    )


def _register_serve(subparsers: Any) -> None:
    serve_ = subparsers.add_parser("serve", help="run the server (PROGRAMGEN_* env configures it)")
    serve_.add_argument("--address", help="listen address host:port (default 127.0.0.1:50051)")
    _database_url(serve_)
    serve_.add_argument("--tls-cert", metavar="FILE", help="PEM certificate chain")
    serve_.add_argument("--tls-key", metavar="FILE", help="PEM private key")
    serve_.add_argument(
        "--allow-anonymous-remote",
        action="store_true",
        default=None,
        help="allow a non-loopback address without API keys",
    )
    serve_.add_argument("--workers", type=int, help="generations processed at once")
    serve_.set_defaults(sync_handler=_serve)


def _register_keys(subparsers: Any) -> None:
    keys = subparsers.add_parser("keys", help="manage API keys (on the server's database)")
    key_commands = keys.add_subparsers(dest="keys_command", metavar="COMMAND", required=True)
    create = key_commands.add_parser("create", help="create a key; printed once on stdout")
    create.add_argument("caller", metavar="CALLER")
    create.add_argument("--tier", choices=tuple(TIERS), default="standard")
    _database_url(create)
    create.set_defaults(
        sync_handler=lambda a: run_keys_create(_store_overrides(a), a.caller, a.tier)
    )
    listing = key_commands.add_parser("list", help="list keys")
    _database_url(listing)
    listing.set_defaults(sync_handler=lambda a: run_keys_list(_store_overrides(a)))
    revoke = key_commands.add_parser("revoke", help="revoke a key")
    revoke.add_argument("key_id", metavar="KEY_ID")
    _database_url(revoke)
    revoke.set_defaults(sync_handler=lambda a: run_keys_revoke(_store_overrides(a), a.key_id))


def register(subparsers: Any) -> None:
    """Add ``serve``, ``db upgrade`` and ``keys`` to the CLI's subcommands; each sets a
    ``sync_handler(args) -> exit code``."""
    _register_serve(subparsers)
    db = subparsers.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply schema migrations")
    _database_url(upgrade)
    upgrade.set_defaults(sync_handler=lambda a: run_db_upgrade(_store_overrides(a)))
    _register_keys(subparsers)
