"""The ``programgen`` command line: client subcommands (generate, watch, get, list, cancel,
retry) over ``AsyncClient``, plus the server's own (serve, db upgrade, keys, defined in
``programgen.server.commands``) when the server is installed: the client never needs it.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from programgen.client.cli_commands import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    STATUSES,
    UsageError,
    cmd_cancel,
    cmd_export_program,
    cmd_generate,
    cmd_get,
    cmd_list,
    cmd_retry,
    cmd_show_program,
    cmd_watch,
    err,
)
from programgen.client.cli_views import ViewError, add_view_arguments
from programgen.client.errors import ProgramgenError

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

    show = client_command("show", cmd_show_program, "show a program: all of it, a week or a day")
    export = client_command("export", cmd_export_program, "write a program as md/csv/ics/json/html")
    add_view_arguments(show, export)

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
    reason = "" if error.reason == error.code.name else f" {error.reason}"
    err(f"error: {error.code.name}{reason}: {message}")
    for violation in error.violations:
        err(f"  {violation.field}: {violation.description}")
    if error.retry_after_s is not None:
        err(f"  retry after {error.retry_after_s:g} s")
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
        err(f"error: {error}")
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
            err(exc.code)
            return EXIT_USAGE
        return exc.code or 0


if __name__ == "__main__":
    sys.exit(main())
