"""The ``programgen`` command line: client subcommands (generate, watch, get, list, cancel,
retry) over ``AsyncClient``, plus the server's own (serve, db upgrade, keys, defined in
``programgen.server.commands``) when the server is installed: the client never needs it.
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
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from programgen.client.aio import TERMINAL, AsyncClient, profile_from_json
from programgen.client.errors import ProgramgenError
from programgen.client.render import (
    generation_summary,
    generations_table,
    program_view,
    stage_label,
    status_label,
)
from programgen.v1 import generation_service_pb2 as pb
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
    options: dict[str, Any] = {"api_key": args.api_key or None, "tls": args.tls}
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
    try:
        return profile_from_json(data)
    except json_format.ParseError as exc:
        raise UsageError(f"profile {path} is not a programgen.v1.Profile: {exc}") from None


def _failure_text(generation_id: str, event: pb.GenerationEvent | pb.Generation) -> str:
    if event.status == pb.GENERATION_STATUS_FAILED:
        return f"generation {generation_id} failed: {event.error.reason}: {event.error.message}"
    if event.status == pb.GENERATION_STATUS_CANCELLED:
        return f"generation {generation_id} was cancelled"
    return f"generation {generation_id} is {status_label(event.status)}"


async def cmd_generate(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    async with _client(args) as client:
        generation = await client.start(profile, request_id=args.request_id)
        if args.no_wait:
            if args.json:
                print(_json(generation))
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
            print(_json(final))
        elif final.status == pb.GENERATION_STATUS_COMPLETED:
            _stdout().print(program_view(final.program))
        if final.status != pb.GENERATION_STATUS_COMPLETED:
            _err(_failure_text(generation.id, last or final))
            return EXIT_FAILED
        return EXIT_OK


async def _follow(
    client: AsyncClient, generation_id: str, *, show_progress: bool
) -> pb.GenerationEvent | None:
    """Watch until terminal, with a live progress bar on stderr; the terminal event."""
    last: pb.GenerationEvent | None = None
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
                description = stage_label(event.stage) or status_label(event.status)
                progress.update(task, description=description, completed=event.percent)
    return last if last is not None and last.status in TERMINAL else None


def _event_line(event: pb.GenerationEvent) -> str:
    parts = [f"{event.sequence:>4}", f"{status_label(event.status):<10}"]
    parts.append(f"{stage_label(event.stage) or '-':<18}")
    parts.append(f"{event.percent:>3}%")
    message = event.message
    if event.status == pb.GENERATION_STATUS_FAILED:
        message = f"{event.error.reason}: {event.error.message}"
    if message:
        parts.append(message)
    return "  ".join(parts)


async def cmd_watch(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        # A unary call first: fails fast (NOT_FOUND, UNAVAILABLE) where the stream would
        # wait for the server to become ready.
        current = await client.get(args.id)
        last: pb.GenerationEvent | pb.Generation | None = None
        if current.status in TERMINAL and args.after >= current.last_sequence:
            last = current  # nothing left to stream (the server would wait for more)
        else:
            # The stream ends after the generation's current terminal event (a retried one
            # replays earlier terminal events on the way).
            async with aclosing(client.watch(args.id, after_sequence=args.after)) as events:
                async for event in events:
                    line = _json(event, indent=None) if args.json else _event_line(event)
                    print(line, flush=True)
                    last = event
        if last is None or last.status not in TERMINAL:  # the cursor was past the end
            last = await client.get(args.id)
        if last.status == pb.GENERATION_STATUS_COMPLETED:
            return EXIT_OK
        _err(_failure_text(args.id, last))
        return EXIT_FAILED


async def cmd_get(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        generation = await client.get(args.id)
    if args.json:
        print(_json(generation))
        return EXIT_OK
    out = _stdout()
    out.print(generation_summary(generation))
    if generation.HasField("program"):
        out.print()
        out.print(program_view(generation.program))
    return EXIT_OK


async def cmd_list(args: argparse.Namespace) -> int:
    status = pb.GENERATION_STATUS_UNSPECIFIED
    if args.status:
        status = pb.GenerationStatus.Value(f"GENERATION_STATUS_{args.status.upper()}")
    generations: list[pb.Generation] = []
    token = ""
    async with _client(args) as client:
        while True:
            page, token = await client.list(
                status=status, page_size=args.page_size, page_token=token
            )
            generations += page
            if not token or not args.all:
                break
    if args.json:
        for generation in generations:
            print(_json(generation, indent=None))
    elif generations:
        _stdout().print(generations_table(generations))
    else:
        _err("no generations")
    if token:
        _err("more generations exist; use --all to list every page")
    return EXIT_OK


async def cmd_cancel(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        generation = await client.cancel(args.id)
    print(f"{generation.id} {status_label(generation.status)}")
    return EXIT_OK


async def cmd_retry(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        generation = await client.retry(args.id)
    print(f"{generation.id} {status_label(generation.status)}")
    _err(f"follow it with: programgen watch {generation.id} --after {generation.last_sequence - 1}")
    return EXIT_OK


# --- server subcommands ----------------------------------------------------------------


def _add_server_commands(commands: Any) -> None:
    """The server's own subcommands when it is installed; otherwise placeholders that say
    what is missing (the client never needs the server)."""
    try:
        importlib.import_module("programgen.server.commands").register(commands)
    except ModuleNotFoundError as exc:
        missing = (
            f"this command needs the programgen server, which is not installed here (missing "
            f"module {exc.name!r}); install the full 'programgen' distribution"
        )
        for name in ("serve", "db", "keys"):
            stub = commands.add_parser(name, help="(needs the programgen server)")
            stub.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
            stub.set_defaults(sync_handler=_unavailable(missing))


def _unavailable(message: str) -> Callable[[argparse.Namespace], int]:
    def handler(_args: argparse.Namespace) -> int:
        raise UsageError(message)

    return handler


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

    cancel = client_command("cancel", cmd_cancel, "cancel a pending or processing generation")
    cancel.add_argument("id")
    retry = client_command("retry", cmd_retry, "run a failed or cancelled generation again")
    retry.add_argument("id")

    _add_server_commands(commands)
    return parser


def _report(error: ProgramgenError) -> int:
    listed = "; ".join(f"{v.field}: {v.description}" for v in error.violations)
    message = error.message
    if error.violations and message in ("", listed):  # do not print every violation twice
        message = f"{len(error.violations)} invalid field(s)"
    _err(f"error: {error.code.name} {error.reason}: {message}")
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
    except UsageError as error:
        _err(f"error: {error}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:  # argparse, or a server command's configuration error
        if isinstance(exc.code, str):
            _err(exc.code)
            return EXIT_USAGE
        return exc.code or 0


if __name__ == "__main__":
    sys.exit(main())
