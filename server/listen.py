"""Opening the server's listening sockets, with failures as one-line configuration errors
naming the address (docs/architecture.md, "Start-up and drain")."""

from __future__ import annotations

import errno
import ipaddress
import socket
from wsgiref.simple_server import WSGIServer

import grpc

from programgen.server.config import ConfigError, TransportSettings
from programgen.server.metrics import Metrics


def is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(server: grpc.aio.Server, transport: TransportSettings) -> int:
    """Add the listening port (TLS when both files are set); the port number bound."""
    _refuse_taken(transport.address)
    try:
        if transport.tls_cert or transport.tls_key:
            port = server.add_secure_port(transport.address, _credentials(transport))
        else:
            port = server.add_insecure_port(transport.address)
    except RuntimeError:  # gRPC's "Failed to bind to address"
        port = 0
    if port == 0:
        raise ConfigError(f"cannot listen on {transport.address}")
    return int(port)


def _credentials(transport: TransportSettings) -> grpc.ServerCredentials:
    if not (transport.tls_cert and transport.tls_key):
        raise ConfigError("TLS needs both a certificate and a key")
    try:
        with open(transport.tls_key, "rb") as key, open(transport.tls_cert, "rb") as cert:
            return grpc.ssl_server_credentials([(key.read(), cert.read())])
    except OSError as exc:
        raise ConfigError(f"cannot read TLS file {exc.filename}: {exc.strerror}") from None


def _refuse_taken(address: str) -> None:
    """Fail early, with the reason, when another process holds the port: gRPC would only
    say "Failed to bind", after logging its own error line."""
    host, _, port = address.rpartition(":")
    try:
        infos = socket.getaddrinfo(
            host.strip("[]") or None, int(port), type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (OSError, ValueError):
        return  # let gRPC judge an address it may resolve differently
    for family, kind, proto, _name, sockaddr in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(sockaddr)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise ConfigError(
                        f"cannot listen on {address}: address already in use"
                    ) from None


def serve_metrics(metrics: Metrics, address: str) -> WSGIServer:
    try:
        http, _thread = metrics.serve(address)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"cannot serve metrics on {address}: {reason}") from None
    return http
