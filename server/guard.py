"""The one server interceptor of every RPC: parse, contain, count.

What no handler can do for itself, in one wrapper per call:
- parse the request: gRPC's own deserialisation of garbage bytes answers UNKNOWN and logs
  a traceback per call, so the guard receives raw bytes and parses them itself (the
  handler gets the parsed message: one parse per call); a payload that is not the
  method's message answers INVALID_ARGUMENT, with at most one warning per ``WARN_EVERY_S``
  in the log (anyone can send garbage);
- turn a handler's ``ServiceError`` into its status, with its details;
- contain the unexpected: an exception that is not a deliberate status answers INTERNAL
  with a generic message and an ErrorInfo reason INTERNAL, and is logged once with the
  method and the request's generation or request id. Nothing of the cause (a SQL
  statement, its parameters) reaches the caller (docs/contract.md, "Errors");
- count the call by method and status code, and time it (``rpc_metrics``).

The wrapped handler of a method is built once and kept: the services are registered
before the server starts and never change, so a call costs one dictionary lookup here,
not a new handler and closures (docs/architecture.md, "Every RPC").
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from programgen.server.errors import ServiceError, internal, invalid_argument
from programgen.server.rpc_metrics import RpcMetrics, status_code

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
    def __init__(self, metrics: RpcMetrics) -> None:
        self._metrics = metrics
        self._wrapped: dict[str, grpc.RpcMethodHandler | None] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method = details.method
        try:
            return self._wrapped[method]
        except KeyError:
            pass
        handler = self._wrap(method, await continuation(details))
        if handler is not None:  # an unknown method stays unknown, but is not kept
            self._wrapped[method] = handler
        return handler

    def _wrap(self, method: str, handler: grpc.RpcMethodHandler | None) -> Any:
        if handler is None or handler.request_deserializer is None:
            return handler
        parse, name = handler.request_deserializer, method.rsplit("/", 1)[-1]
        if handler.unary_unary is not None:
            return handler._replace(
                request_deserializer=None,
                unary_unary=self._unary(method, name, parse, handler.unary_unary),
            )
        if handler.unary_stream is not None and inspect.isasyncgenfunction(handler.unary_stream):
            return handler._replace(
                request_deserializer=None,
                unary_stream=self._stream(method, name, parse, handler.unary_stream),
            )
        if handler.unary_stream is not None:  # writes with context.write() (health Watch)
            return handler._replace(
                request_deserializer=None,
                unary_stream=self._unary(method, name, parse, handler.unary_stream),
            )
        return handler  # client streams (reflection): parsed by gRPC, not counted

    def _unary(self, method: str, name: str, parse: Parse, behaviour: Any) -> Any:
        done = self._metrics.recorder(name)

        async def guarded(raw: bytes, context: grpc.aio.ServicerContext) -> Any:
            started, error = time.monotonic(), None
            try:
                request = await _parsed(method, parse, raw, context)
                try:
                    return await behaviour(request, context)
                except grpc.aio.AbortError:
                    raise  # a deliberate status, already sent
                except ServiceError as exc:
                    await context.abort_with_status(exc.to_status())
                except Exception:
                    await _unexpected(method, request, context)
                raise AssertionError("unreachable: abort raises")
            except BaseException as exc:
                error = exc
                raise
            finally:
                done(started, status_code(context, error))

        return guarded

    def _stream(self, method: str, name: str, parse: Parse, behaviour: Any) -> Any:
        done = self._metrics.recorder(name)

        async def guarded(raw: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            started, error = time.monotonic(), None
            try:
                request = await _parsed(method, parse, raw, context)
                try:
                    async for response in behaviour(request, context):
                        yield response
                except grpc.aio.AbortError:
                    raise
                except ServiceError as exc:
                    await context.abort_with_status(exc.to_status())
                except Exception:
                    await _unexpected(method, request, context)
            except BaseException as exc:
                error = exc
                raise
            finally:
                done(started, status_code(context, error))

        return guarded


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
