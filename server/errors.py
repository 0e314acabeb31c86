"""Service errors as AIP-193 rich statuses: a canonical code plus google.rpc details.

Handlers raise ``ServiceError``; the servicer turns it into a status whose details carry
an ``ErrorInfo`` (UPPER_SNAKE reason, domain ``programgen.v1``) and, where they apply,
``BadRequest`` field violations or ``RetryInfo`` (docs/contract.md, "Errors").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from programgen.server.records import TransientError as TransientError  # its old home

DOMAIN = "programgen.v1"


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
        return rpc_status.to_status(proto)


def invalid_argument(violations: Sequence[tuple[str, str]], message: str = "") -> ServiceError:
    summary = message or "; ".join(f"{f}: {d}" for f, d in violations)
    return ServiceError(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT", summary, violations=violations
    )


def not_found(generation_id: str) -> ServiceError:
    # The same answer whether the id does not exist or belongs to another caller.
    return ServiceError(
        grpc.StatusCode.NOT_FOUND,
        "GENERATION_NOT_FOUND",
        f"generation {generation_id!r} not found",
    )
