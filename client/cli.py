"""The ``programgen`` command line.

Client subcommands (generate, watch, get, list, cancel, retry) talk to a server through
``client.aio.AsyncClient``. Server subcommands (serve, db upgrade, keys) are dispatched to
``server.commands``, imported lazily so that the client never needs the server installed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import sys
from collections.abc import Callable, Coroutine
from contextlib import aclosing
from pathlib import Path
from types import ModuleType
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from programgen.client.aio import AsyncClient
from programgen.client.channel import ClientOptions
from programgen.client.cli_views import (
    ViewError,
    add_view_arguments,
    cmd_export,
    cmd_show,
    print_program,
)
from programgen.client.errors import ProgramgenError
from programgen.client.profiles import profile_from_json
from programgen.client.render import (
    generation_summary,
    generations_table,
    stage_label,
)
from programgen.client.types import Event, Generation, GenerationStatus
from programgen.v1 import profile_pb2

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
STATUSES = ("pending", "processing", "completed", "failed", "cancelled")


class UsageError(Exception):
    """A local problem with the command's input (exit code 2)."""


# --- output ----------------------------------------------------------------------------


def _stdout() -> Console:
    # Piped output keeps a generous width so tables do not wrap names mid-word.
    width = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 160
    return Console(width=width, highlight=False)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _json(message: Message, *, indent: int | None = 2) -> str:
    return json_format.MessageToJson(message, indent=indent)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


# --- client subcommands ----------------------------------------------------------------


def _client(args: argparse.Namespace) -> AsyncClient:
    options: ClientOptions = {"api_key": args.api_key or None, "tls": args.tls}
    if args.ca_cert:
        try:
            options["root_certificates"] = Path(args.ca_cert).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read CA certificate {args.ca_cert}: {exc.strerror}") from None
    if args.timeout is not None:
        options["timeout_s"] = args.timeout
    return AsyncClient(args.target, **options)


def load_profile(path: str) -> profile_pb2.Profile:
    """The proto-JSON profile in ``path`` ("-" reads stdin); UsageError when unusable."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read profile {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"profile {path} is not UTF-8 text: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"profile {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"profile {path} must be a JSON object")
    return profile_from_json(data)  # InvalidArgument naming the field on a typo


def _failure_text(generation_id: str, event: Event | Generation) -> str:
    if event.status is GenerationStatus.FAILED and event.error is not None:
        return f"generation {generation_id} failed: {event.error.reason}: {event.error.message}"
    if event.status is GenerationStatus.CANCELLED:
        return f"generation {generation_id} was cancelled"
    return f"generation {generation_id} is {event.status}"


async def cmd_generate(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    async with _client(args) as client:
        generation = await client.start(profile, request_id=args.request_id)
        if args.no_wait:
            if args.json:
                print(_json((await generation.get()).proto))
            else:
                print(generation.id)
                _err(f"started; follow it with: programgen watch {generation.id}")
            return EXIT_OK
        if not args.json:
            _err(f"generation {generation.id} started")
        try:
            last = await _follow(client, generation.id, show_progress=not args.json)
        except (KeyboardInterrupt, asyncio.CancelledError):
            _err(f"\nstopped watching; it continues: programgen watch {generation.id}")
            return 130
        final = await client.get(generation.id)
        if args.json:
            print(_json(final.proto))
        elif final.program is not None:
            print_program(final.program)
        if final.status is not GenerationStatus.COMPLETED:
            _err(_failure_text(generation.id, last or final))
            return EXIT_FAILED
        return EXIT_OK


async def _follow(client: AsyncClient, generation_id: str, *, show_progress: bool) -> Event | None:
    """Watch until terminal, with a live progress bar on stderr; the terminal event."""
    last: Event | None = None
    console = _stderr()
    progress = Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not (show_progress and console.is_terminal),
    )
    with progress:
        task = progress.add_task("pending", total=100)
        async with aclosing(client.watch(generation_id)) as events:
            async for event in events:
                last = event
                description = stage_label(event.proto.stage) or str(event.status)
                progress.update(task, description=description, completed=event.percent)
    return last if last is not None and last.status.terminal else None


def _event_line(event: Event) -> str:
    parts = [f"{event.sequence:>4}", f"{event.status:<10}"]
    parts.append(f"{stage_label(event.proto.stage) or '-':<18}")
    parts.append(f"{event.percent:>3}%")
    message = event.message
    if event.error is not None:
        message = f"{event.error.reason}: {event.error.message}"
    if message:
        parts.append(message)
    return "  ".join(parts)


async def cmd_watch(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        # A unary call first: fails fast (NOT_FOUND, UNAVAILABLE) where the stream would
        # wait for the server to become ready.
        current = await client.get(args.id)
        last: Event | Generation | None = None
        if current.status.terminal and args.after >= current.last_sequence:
            last = current  # nothing left to stream (the server would wait for more)
        else:
            # The stream ends after the generation's current terminal event (a retried one
            # replays earlier terminal events on the way).
            async with aclosing(client.watch(args.id, after_sequence=args.after)) as events:
                async for event in events:
                    line = _json(event.proto, indent=None) if args.json else _event_line(event)
                    print(line, flush=True)
                    last = event
        if last is None or not last.status.terminal:  # the cursor was past the end
            last = await client.get(args.id)
        if last.status is GenerationStatus.COMPLETED:
            return EXIT_OK
        _err(_failure_text(args.id, last))
        return EXIT_FAILED


async def cmd_get(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        generation = await client.get(args.id)
    if args.json:
        print(_json(generation.proto))
        return EXIT_OK
    _stdout().print(generation_summary(generation.proto))
    if generation.program is not None:
        print()
        print_program(generation.program)
    return EXIT_OK


async def cmd_show_program(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        return await cmd_show(client, args)


async def cmd_export_program(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        return await cmd_export(client, args)


async def cmd_list(args: argparse.Namespace) -> int:
    status = GenerationStatus(args.status) if args.status else None
    generations: list[Generation] = []
    token = ""
    async with _client(args) as client:
        while True:
            page, token = await client.list_page(
                status=status, page_size=args.page_size, page_token=token
            )
            generations += page
            if not token or not args.all:
                break
    if args.json:
        for generation in generations:
            print(_json(generation.proto, indent=None))
    elif generations:
        _stdout().print(generations_table([g.proto for g in generations]))
    else:
        _err("no generations")
    if token:
        _err("more generations exist; use --all to list every page")
    return EXIT_OK


async def cmd_cancel(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        generation = await client.cancel(args.id)
    print(f"{generation.id} {generation.status}")
    return EXIT_OK


async def cmd_retry(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        generation = await client.retry(args.id)
    print(f"{generation.id} {generation.status}")
    _err(f"follow it with: programgen watch {generation.id} --after {generation.last_sequence - 1}")
    return EXIT_OK


# --- server subcommands ----------------------------------------------------------------


def _server_commands() -> ModuleType:
    try:
        return importlib.import_module("programgen.server.commands")
    except ModuleNotFoundError as exc:
        raise UsageError(
            f"this command needs the programgen server, which is not installed here "
            f"(missing module {exc.name!r}); install the full 'programgen' distribution"
        ) from None


def cmd_serve(args: argparse.Namespace) -> int:
    overrides = {
        "address": args.address,
        "database_url": args.database_url,
        "tls_cert": args.tls_cert,
        "tls_key": args.tls_key,
        "allow_anonymous_remote": args.allow_anonymous_remote,
        "workers": args.workers,
    }
    result: int = _server_commands().run_serve(overrides)
    return result


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    result: int = _server_commands().run_db_upgrade({"database_url": args.database_url})
    return result


def cmd_keys_create(args: argparse.Namespace) -> int:
    commands = _server_commands()
    result: int = commands.run_keys_create(
        {"database_url": args.database_url}, args.caller, args.tier
    )
    return result


def cmd_keys_list(args: argparse.Namespace) -> int:
    result: int = _server_commands().run_keys_list({"database_url": args.database_url})
    return result


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    result: int = _server_commands().run_keys_revoke(
        {"database_url": args.database_url}, args.key_id
    )
    return result


# --- parser ----------------------------------------------------------------------------

AsyncCommand = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]


def _client_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The connection options; on subcommands (suppress=True) they only override when given,
    so they work before or after the subcommand name."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("connection")
    group.add_argument(
        "--target",
        default=default(os.environ.get("PROGRAMGEN_TARGET") or "127.0.0.1:50051"),
        help="server address host:port (env PROGRAMGEN_TARGET; default 127.0.0.1:50051)",
    )
    group.add_argument(
        "--api-key",
        default=default(os.environ.get("PROGRAMGEN_API_KEY")),
        help="API key sent as a bearer token (env PROGRAMGEN_API_KEY)",
    )
    group.add_argument(
        "--tls", action="store_true", default=default(False), help="connect with TLS"
    )
    group.add_argument(
        "--ca-cert",
        metavar="FILE",
        default=default(None),
        help="PEM root certificates to trust (implies --tls)",
    )
    group.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        default=default(None),
        help="deadline of each unary call (default 30)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="programgen",
        description="Generate periodized strength-training programs with a programgen server.",
    )
    _client_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def client_command(name: str, handler: AsyncCommand, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _client_options(sub, suppress=True)
        sub.set_defaults(handler=handler)
        return sub

    gen = client_command("generate", cmd_generate, "start a generation and show the program")
    gen.add_argument("profile", metavar="PROFILE.json", help='proto-JSON profile ("-": stdin)')
    gen.add_argument("--request-id", default="", metavar="ID", help="idempotency key")
    gen.add_argument("--json", action="store_true", help="print the final generation as JSON")
    gen.add_argument("--no-wait", action="store_true", help="print the id and return at once")

    watch = client_command("watch", cmd_watch, "print a generation's events until it ends")
    watch.add_argument("id")
    watch.add_argument("--after", type=int, default=0, metavar="N", help="events after sequence N")
    watch.add_argument("--json", action="store_true", help="one JSON object per line")

    get = client_command("get", cmd_get, "show one generation (and its program)")
    get.add_argument("id")
    get.add_argument("--json", action="store_true", help="print the generation as JSON")

    lst = client_command("list", cmd_list, "list your generations, newest first")
    lst.add_argument("--status", choices=STATUSES, help="only generations in this status")
    lst.add_argument("--page-size", type=int, default=0, metavar="N", help="default 50, max 500")
    lst.add_argument("--all", action="store_true", help="follow every page")
    lst.add_argument("--json", action="store_true", help="one JSON object per line")

    show = client_command("show", cmd_show_program, "show a program: all of it, a week or a day")
    export = client_command("export", cmd_export_program, "write a program as md/csv/ics/json/html")
    add_view_arguments(show, export)

    cancel = client_command("cancel", cmd_cancel, "cancel a pending or processing generation")
    cancel.add_argument("id")
    retry = client_command("retry", cmd_retry, "run a failed or cancelled generation again")
    retry.add_argument("id")

    def database_url(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--database-url", help="SQLAlchemy URL (env PROGRAMGEN_DATABASE_URL)")

    serve = commands.add_parser("serve", help="run the server (PROGRAMGEN_* env configures it)")
    serve.add_argument("--address", help="listen address host:port (default 127.0.0.1:50051)")
    database_url(serve)
    serve.add_argument("--tls-cert", metavar="FILE", help="PEM certificate chain")
    serve.add_argument("--tls-key", metavar="FILE", help="PEM private key")
    serve.add_argument(
        "--allow-anonymous-remote",
        action="store_true",
        default=None,
        help="allow a non-loopback address without API keys",
    )
    serve.add_argument("--workers", type=int, help="generations processed at once")
    serve.set_defaults(sync_handler=cmd_serve)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply schema migrations")
    database_url(upgrade)
    upgrade.set_defaults(sync_handler=cmd_db_upgrade)

    keys = commands.add_parser("keys", help="manage API keys (on the server's database)")
    key_commands = keys.add_subparsers(dest="keys_command", metavar="COMMAND", required=True)
    create = key_commands.add_parser("create", help="create a key; printed once on stdout")
    create.add_argument("caller", metavar="CALLER")
    create.add_argument("--tier", choices=("free", "standard", "priority"), default="standard")
    database_url(create)
    create.set_defaults(sync_handler=cmd_keys_create)
    klist = key_commands.add_parser("list", help="list keys")
    database_url(klist)
    klist.set_defaults(sync_handler=cmd_keys_list)
    revoke = key_commands.add_parser("revoke", help="revoke a key")
    revoke.add_argument("key_id", metavar="KEY_ID")
    database_url(revoke)
    revoke.set_defaults(sync_handler=cmd_keys_revoke)
    return parser


def _report(error: ProgramgenError) -> int:
    listed = "; ".join(f"{v.field}: {v.description}" for v in error.violations)
    message = error.message
    if error.violations and message in ("", listed):  # do not print every violation twice
        message = f"{len(error.violations)} invalid field(s)"
    reason = "" if error.reason == error.code.name else f" {error.reason}"
    _err(f"error: {error.code.name}{reason}: {message}")
    for violation in error.violations:
        _err(f"  {violation.field}: {violation.description}")
    if error.retry_after_s is not None:
        _err(f"  retry after {error.retry_after_s:g} s")
    return EXIT_USAGE if error.code.name == "INVALID_ARGUMENT" else EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if hasattr(args, "sync_handler"):
            result: int = args.sync_handler(args)
            return result
        handler: AsyncCommand = args.handler
        return asyncio.run(handler(args))
    except ProgramgenError as error:
        return _report(error)
    except (UsageError, ViewError) as error:
        _err(f"error: {error}")
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`programgen list --json | head -1`): stop quietly. Point
        # stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:  # argparse, or a server command's configuration error
        if isinstance(exc.code, str):
            _err(exc.code)
            return EXIT_USAGE
        return exc.code or 0


if __name__ == "__main__":
    sys.exit(main())
