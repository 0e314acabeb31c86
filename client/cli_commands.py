"""The CLI's client subcommands over ``AsyncClient``: generate, watch, get, show, export,
list, cancel, retry. Each returns the process exit code."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from contextlib import aclosing
from pathlib import Path

from google.protobuf import json_format
from google.protobuf.message import Message
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from programgen.client.aio import AsyncClient
from programgen.client.channel import ClientOptions
from programgen.client.cli_views import cmd_export, cmd_show, print_program
from programgen.client.profiles import profile_from_json
from programgen.client.render import (
    FULL_ID_WIDTH,
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


def err(text: str) -> None:
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
                err(f"started; follow it with: programgen watch {generation.id}")
            return EXIT_OK
        if not args.json:
            err(f"generation {generation.id} started")
        try:
            last = await _follow(client, generation.id, show_progress=not args.json)
        except (KeyboardInterrupt, asyncio.CancelledError):
            err(f"\nstopped watching; it continues: programgen watch {generation.id}")
            return 130
        final = await client.get(generation.id)
        if args.json:
            print(_json(final.proto))
        elif final.program is not None:
            print_program(final.program)
        if final.status is not GenerationStatus.COMPLETED:
            err(_failure_text(generation.id, last or final))
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
        err(_failure_text(args.id, last))
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
        console = _stdout()
        console.print(generations_table([g.proto for g in generations], width=console.width))
        if console.width < FULL_ID_WIDTH:
            err("ids shortened to their first 8 characters; --json shows them whole")
    else:
        err("no generations")
    if token:
        err("more generations exist; use --all to list every page")
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
    err(f"follow it with: programgen watch {generation.id} --after {generation.last_sequence - 1}")
    return EXIT_OK
