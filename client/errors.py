"""Typed exceptions for every error the service answers, decoded from google.rpc details."""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc
from google.rpc import error_details_pb2, status_pb2

_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


@dataclass
class ProgramgenError(Exception):
    """An RPC failed. ``reason`` is the service's UPPER_SNAKE ErrorInfo reason."""

    code: grpc.StatusCode
    reason: str
    message: str
    violations: list[FieldViolation] = field(default_factory=list)
    retry_after_s: float | None = None
    metadata: dict[str, str] = field(default_factory=dict)  # the ErrorInfo's metadata

    def __str__(self) -> str:
        # The service's message already lists the violations; they are in .violations too.
        if self.reason == self.code.name:
            return f"{self.code.name}: {self.message}"
        return f"{self.code.name} {self.reason}: {self.message}"


class InvalidArgument(ProgramgenError):
    pass


class NotFound(ProgramgenError):
    pass


class Unauthenticated(ProgramgenError):
    pass


class ResourceExhausted(ProgramgenError):
    pass


class FailedPrecondition(ProgramgenError):
    pass


class AlreadyExists(ProgramgenError):
    """A request id was reused with a different profile; ``metadata`` names the original."""


class Unavailable(ProgramgenError):
    pass


class DeadlineExceeded(ProgramgenError):
    """Also a watch stream the server ended as idle (reason WATCH_IDLE): not resumed."""


class OutOfRange(ProgramgenError):
    """A watch cursor past the generation's last sequence (reason CURSOR_OUT_OF_RANGE)."""


class GenerationFailed(ProgramgenError):
    """``wait`` reached a FAILED generation; reason and message are the generation's."""


class GenerationCancelled(ProgramgenError):
    """``wait`` reached a CANCELLED generation."""


_BY_CODE: dict[grpc.StatusCode, type[ProgramgenError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.OUT_OF_RANGE: OutOfRange,
}


def from_rpc_error(error: grpc.RpcError) -> ProgramgenError:
    code: grpc.StatusCode = error.code()
    message: str = error.details() or ""
    reason, violations, retry_after = code.name, [], None
    metadata: dict[str, str] = {}
    for key, value in error.trailing_metadata() or ():
        if key != _DETAILS_KEY:
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason = info.reason
                metadata = dict(info.metadata)
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                violations = [FieldViolation(v.field, v.description) for v in bad.field_violations]
            elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                info_retry = error_details_pb2.RetryInfo()
                detail.Unpack(info_retry)
                retry_after = info_retry.retry_delay.ToMilliseconds() / 1000
    cls = _BY_CODE.get(code, ProgramgenError)
    return cls(code, reason, message, violations, retry_after, metadata)
