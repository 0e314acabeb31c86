"""The client's channel: options, credentials, and the retry policy as a service config.

Unary calls that fail with UNAVAILABLE before the server answered (a restart, a
draining server, a dropped connection) are retried by gRPC itself, per the service
config below (gRFC A6, "gRPC Retry Design"), not by hand. StartGeneration is among them
because the client always sends a request id (AIP-155): a retried start returns the
generation the first attempt created, if it was committed. RetryGeneration is not: a
repeat of a successful retry is refused, so it is not safe to send twice.
"""

from __future__ import annotations

import json
from typing import TypedDict

import grpc

SERVICE = "programgen.v1.ProgramGenerationService"
SAFE_TO_REPEAT = ("StartGeneration", "GetGeneration", "ListGenerations", "CancelGeneration")

RETRY_POLICY = {
    "maxAttempts": 5,
    "initialBackoff": "0.1s",
    "maxBackoff": "2s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}


class ClientOptions(TypedDict, total=False):
    """Keywords shared by ``AsyncClient`` and ``Client`` (identical on both)."""

    api_key: str | None  # sent as "authorization: Bearer <key>"
    tls: bool  # connect with TLS (system roots unless root_certificates is given)
    root_certificates: bytes | None  # PEM roots to trust; implies TLS
    timeout_s: float | None  # default deadline of each unary call; None = no deadline
    resume_for_s: float  # how long watch() keeps resuming after UNAVAILABLE
    retry_unavailable: bool  # the retry policy above (default on)


def service_config(*, retry: bool) -> str:
    methods = [{"service": SERVICE, "method": name} for name in SAFE_TO_REPEAT]
    config: dict[str, object] = {"methodConfig": [{"name": methods}]}
    if retry:
        config = {"methodConfig": [{"name": methods, "retryPolicy": RETRY_POLICY}]}
    return json.dumps(config)


def make_channel(
    target: str,
    *,
    tls: bool = False,
    root_certificates: bytes | None = None,
    retry_unavailable: bool = True,
) -> grpc.aio.Channel:
    options = [
        ("grpc.max_receive_message_length", 16 << 20),
        ("grpc.enable_retries", 1 if retry_unavailable else 0),
        ("grpc.service_config", service_config(retry=retry_unavailable)),
    ]
    if tls or root_certificates is not None:
        credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
        return grpc.aio.secure_channel(target, credentials, options=options)
    return grpc.aio.insecure_channel(target, options=options)
