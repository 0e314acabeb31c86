"""Service errors as AIP-193 rich statuses: a canonical code plus google.rpc details.

Handlers raise ``ServiceError``; the servicer turns it into a status whose details carry
an ``ErrorInfo`` (UPPER_SNAKE reason, domain ``programgen.v1``) and, where they apply,
``BadRequest`` field violations or ``RetryInfo`` (docs/contract.md, "Errors").
"""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from programgen.server.records import TransientError as TransientError  # its old home

DOMAIN = "programgen.v1"


class _Status(
    collections.namedtuple("_Status", ("code", "details", "trailing_metadata")),
    grpc.Status,  # type: ignore[misc]
):
    """A grpc.Status (an abstract class) with extra trailers, as grpc_status builds one."""


class ServiceError(Exception):
    def __init__(
        self,
        code: grpc.StatusCode,
        reason: str,
        message: str,
        *,
        violations: Sequence[tuple[str, str]] = (),
        retry_after_s: float | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.violations = list(violations)
        self.retry_after_s = retry_after_s
        self.metadata = dict(metadata or {})  # ErrorInfo.metadata: facts a client acts on

    def to_status(self) -> grpc.Status:
        details: list[any_pb2.Any] = []
        info = any_pb2.Any()
        info.Pack(
            error_details_pb2.ErrorInfo(reason=self.reason, domain=DOMAIN, metadata=self.metadata)
        )
        details.append(info)
        if self.violations:
            bad = error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
                    for f, d in self.violations
                ]
            )
            packed = any_pb2.Any()
            packed.Pack(bad)
            details.append(packed)
        if self.retry_after_s is not None:
            delay = duration_pb2.Duration()
            delay.FromMilliseconds(int(self.retry_after_s * 1000))
            packed = any_pb2.Any()
            packed.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
            details.append(packed)
        proto = status_pb2.Status(
            code=getattr(code_pb2, self.code.name), message=self.message, details=details
        )
        status = rpc_status.to_status(proto)
        if self.retry_after_s is None:
            return status
        # gRPC's own retry policy (gRFC A6) honours server pushback: a client retrying
        # UNAVAILABLE waits this long instead of its short jittered backoff.
        pushback = (("grpc-retry-pushback-ms", str(int(self.retry_after_s * 1000))),)
        return _Status(status.code, status.details, (*status.trailing_metadata, *pushback))


# The status travels in the trailers twice (grpc-message, and grpc-status-details-bin in
# base64), and gRPC clients refuse metadata over 8 KiB by default: at most this many
# violations, each description cut to a bounded length, keep every answer near 3 KiB.
MAX_VIOLATIONS = 10
MAX_DESCRIPTION = 160
MAX_MESSAGE = 480


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def invalid_argument(violations: Sequence[tuple[str, str]], message: str = "") -> ServiceError:
    """INVALID_ARGUMENT with a BadRequest; past MAX_VIOLATIONS the list is cut and the
    message says how many there were."""
    shown = [(_cut(f, 80), _cut(d, MAX_DESCRIPTION)) for f, d in violations[:MAX_VIOLATIONS]]
    summary = message or "; ".join(f"{f}: {d}" for f, d in shown)
    if len(violations) > MAX_VIOLATIONS:
        summary = f"{len(violations)} violations, the first {MAX_VIOLATIONS} reported: " + _cut(
            summary, MAX_MESSAGE
        )
    return ServiceError(
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
        _cut(summary, MAX_MESSAGE + 60),
        violations=shown,
    )


def internal() -> ServiceError:
    # Deliberately generic: the cause is logged on the server, never sent.
    return ServiceError(grpc.StatusCode.INTERNAL, "INTERNAL", "internal error")


def not_found(generation_id: str) -> ServiceError:
    # The same answer whether the id does not exist or belongs to another caller.
    return ServiceError(
        grpc.StatusCode.NOT_FOUND,
        "GENERATION_NOT_FOUND",
        f"generation {generation_id!r} not found",
    )
