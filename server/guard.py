"""The outermost safety net of every RPC, as a server interceptor.

Two things no handler can do for itself:
- parse the request: gRPC's own deserialisation of garbage bytes answers UNKNOWN and logs
  a traceback per call, so the guard receives raw bytes and parses them itself; a
  payload that is not the method's message answers INVALID_ARGUMENT, with at most one
  warning per ``WARN_EVERY_S`` in the log (anyone can send garbage);
- contain the unexpected: an exception that is not a deliberate status answers INTERNAL
  with a generic message and an ErrorInfo reason INTERNAL, and is logged once with the
  method and the request's generation or request id. Nothing of the cause (a SQL
  statement, its parameters) reaches the caller (docs/contract.md, "Errors").
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from programgen.server.errors import internal, invalid_argument

log = logging.getLogger(__name__)

WARN_EVERY_S = 60.0
Parse = Callable[[bytes], Any]


class _Throttled:
    """A warning at most once per interval, with the count of those it held back."""

    def __init__(self, interval_s: float) -> None:
        self._interval = interval_s
        self._next = 0.0
        self._held = 0

    def warn(self, message: str, *args: Any) -> None:
        now = time.monotonic()
        if now < self._next:
            self._held += 1
            return
        held, self._held, self._next = self._held, 0, now + self._interval
        log.warning(message + " (%d more since the last warning)", *args, held)


_undecodable = _Throttled(WARN_EVERY_S)


def _ids(request: Any) -> dict[str, str]:
    out = {}
    for field, key in (("id", "generation_id"), ("request_id", "request_id")):
        value = getattr(request, field, None)
        if isinstance(value, str) and value:
            out[key] = value[:128]
    return out


class Guard(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or handler.request_deserializer is None:
            return handler
        method, parse = details.method, handler.request_deserializer
        if handler.unary_unary is not None:
            return handler._replace(
                request_deserializer=None,
                unary_unary=_unary(method, parse, handler.unary_unary),
            )
        if handler.unary_stream is not None and inspect.isasyncgenfunction(handler.unary_stream):
            return handler._replace(
                request_deserializer=None,
                unary_stream=_stream(method, parse, handler.unary_stream),
            )
        if handler.unary_stream is not None:  # writes with context.write() (health Watch)
            return handler._replace(
                request_deserializer=None,
                unary_stream=_unary(method, parse, handler.unary_stream),
            )
        return handler  # client streams (reflection): parsed by gRPC


async def _parsed(method: str, parse: Parse, raw: bytes, context: grpc.aio.ServicerContext) -> Any:
    try:
        return parse(raw)
    except (DecodeError, ValueError, TypeError):
        _undecodable.warn("undecodable request to %s (%d bytes)", method, len(raw))
        name = method.rsplit("/", 1)[-1]
        error = invalid_argument([("", f"not a valid {name} request message")])
        await context.abort_with_status(error.to_status())
        raise AssertionError("unreachable: abort raises") from None


async def _unexpected(method: str, request: Any, context: grpc.aio.ServicerContext) -> None:
    ids = _ids(request)
    log.exception(
        "unexpected error in %s %s",
        method,
        " ".join(f"{k}={v}" for k, v in ids.items()),
        extra=ids,
    )
    await context.abort_with_status(internal().to_status())


def _unary(method: str, parse: Parse, behaviour: Any) -> Any:
    async def guarded(raw: bytes, context: grpc.aio.ServicerContext) -> Any:
        request = await _parsed(method, parse, raw, context)
        try:
            return await behaviour(request, context)
        except grpc.aio.AbortError:
            raise  # a deliberate status, already sent
        except Exception:
            await _unexpected(method, request, context)
            raise AssertionError("unreachable: abort raises") from None

    return guarded


def _stream(method: str, parse: Parse, behaviour: Any) -> Any:
    async def guarded(raw: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        request = await _parsed(method, parse, raw, context)
        try:
            async for response in behaviour(request, context):
                yield response
        except grpc.aio.AbortError:
            raise
        except Exception:
            await _unexpected(method, request, context)

    return guarded
