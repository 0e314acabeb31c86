"""Assembles and runs the server: store, broker, task pool, gRPC services, recovery, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from sqlalchemy.ext.asyncio import AsyncEngine

from programgen.pipeline.engine import GenerateOptions, generate
from programgen.server.auth import Authenticator
from programgen.server.broker import Broker
from programgen.server.config import Settings
from programgen.server.engine_processes import EngineProcesses
from programgen.server.llm_env import llm_settings_from_env
from programgen.server.metrics import Metrics
from programgen.server.pool import GenerateFn, TaskPool
from programgen.server.service import GenerationService
from programgen.server.store.database import create_engine, migrate
from programgen.server.store.repository import PENDING, PROCESSING, Repository
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["ProgramGenerationService"].full_name

_GRPC_OPTIONS = [
    # A second server on the same port must fail, not silently share it.
    ("grpc.so_reuseport", 0),
    ("grpc.max_receive_message_length", 1 << 20),
    ("grpc.max_send_message_length", 16 << 20),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    # Calls that arrived but that the Python server has not picked up yet: above the soft
    # limit (default 1,000) gRPC core cancels new calls at random, above the hard one
    # (default 3,000) all of them. Watchers reconnecting after a restart arrive exactly
    # in such a burst (bench/fanout.py: 160 of 2,000 streams cancelled with the defaults).
    ("grpc.server.max_pending_requests", 30_000),
    ("grpc.server.max_pending_requests_hard_limit", 40_000),
]


class ConfigError(Exception):
    pass


def is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Running:
    """A started server and the parts tests and shutdown need to reach."""

    settings: Settings
    server: grpc.aio.Server
    port: int
    repository: Repository
    broker: Broker
    pool: TaskPool
    service: GenerationService
    health: health.aio.HealthServicer
    engine_processes: EngineProcesses | None
    dispose: Callable[[], Any]
    metrics: Metrics
    metrics_port: int | None
    _metrics_http: Any

    async def stop(self, grace_s: float | None = None) -> None:
        """Drain: refuse new work, let running generations finish within the grace, requeue
        the rest, end watch streams with UNAVAILABLE, then stop the transport."""
        grace = self.settings.shutdown_grace_s if grace_s is None else grace_s
        self.service.draining = True
        await self.health.enter_graceful_shutdown()
        await self.pool.shutdown(grace)
        self.broker.close_all()
        # server.stop() would wait its whole grace while any stream is open: end the
        # watch streams first, then the transport (only in-flight unary calls remain).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.broker.wait_empty(), 2.0)
        await self.server.stop(min(grace, 2.0))
        if self.engine_processes is not None:
            self.engine_processes.shutdown()
        if self._metrics_http is not None:
            self._metrics_http.shutdown()
            self._metrics_http.server_close()
        await self.dispose()


async def start(
    settings: Settings,
    *,
    generate_fn: GenerateFn = generate,
    options: GenerateOptions | None = None,
) -> Running:
    if options is None:
        try:
            options = GenerateOptions(llm=llm_settings_from_env(os.environ))
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    engine = create_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    await migrate(engine)
    repository = Repository(engine, sqlite_synchronous=settings.sqlite_synchronous)
    metrics = Metrics()
    metrics.count_statements(repository.engines)
    anonymous = not await repository.has_keys()
    if anonymous and not is_loopback(settings.address) and not settings.allow_anonymous_remote:
        repository.close()
        await engine.dispose()
        raise ConfigError(
            f"no API keys exist, so the server is anonymous; refusing to listen on "
            f"{settings.address}. Create a key (programgen keys create CALLER) or set "
            "PROGRAMGEN_ALLOW_ANONYMOUS_REMOTE=1."
        )
    engine_processes = EngineProcesses(settings.processes) if settings.processes else None
    if engine_processes is not None:
        await engine_processes.start()
    broker = Broker(settings.watch_buffer)
    pool = TaskPool(
        repository,
        broker,
        generate_fn,
        options,
        workers=settings.workers,
        offload=engine_processes,
        timeout_s=settings.generation_timeout_s,
        transient_retries=settings.transient_retries,
        backoff_s=settings.retry_backoff_s,
        lease_s=settings.lease_s,
        metrics=metrics,
    )
    metrics.track(
        queued=lambda: pool.queued,
        running=lambda: pool.running,
        watchers=lambda: broker.subscriber_count,
    )
    service = GenerationService(
        repository,
        broker,
        pool,
        Authenticator(repository, anonymous=anonymous),
        metrics=metrics,
        per_caller_limit=settings.per_caller_limit,
        heartbeat_s=settings.heartbeat_s,
        max_watchers=settings.max_watchers,
    )
    server = grpc.aio.server(options=_GRPC_OPTIONS)
    pb_grpc.add_ProgramGenerationServiceServicer_to_server(service, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        [
            SERVICE_NAME,
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
            reflection.SERVICE_NAME,
        ],
        server,
    )
    port = _bind(server, settings)
    metrics_http, metrics_port = None, None
    if settings.metrics_address:
        metrics_http, _thread = metrics.serve(settings.metrics_address)
        metrics_port = int(metrics_http.server_port)
    await _recover(repository, pool)
    pool.start()
    await server.start()
    for name in ("", SERVICE_NAME):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info(
        "programgen listening on %s (port %d, %s mode)",
        settings.address,
        port,
        "anonymous" if anonymous else "API-key",
    )
    return Running(
        settings,
        server,
        port,
        repository,
        broker,
        pool,
        service,
        health_servicer,
        engine_processes,
        _disposer(repository, engine),
        metrics,
        metrics_port,
        metrics_http,
    )


def _disposer(repository: Repository, engine: AsyncEngine) -> Callable[[], Any]:
    async def dispose() -> None:
        repository.close()
        await engine.dispose()

    return dispose


def _bind(server: grpc.aio.Server, settings: Settings) -> int:
    if settings.tls_cert or settings.tls_key:
        if not (settings.tls_cert and settings.tls_key):
            raise ConfigError("TLS needs both a certificate and a key")
        with open(settings.tls_key, "rb") as key, open(settings.tls_cert, "rb") as cert:
            credentials = grpc.ssl_server_credentials([(key.read(), cert.read())])
        port = server.add_secure_port(settings.address, credentials)
    else:
        port = server.add_insecure_port(settings.address)
    if port == 0:
        raise ConfigError(f"cannot listen on {settings.address}")
    return int(port)


async def _recover(repository: Repository, pool: TaskPool) -> None:
    """Requeue what a previous process left unfinished (docs/architecture.md, "Crash recovery").

    One server process per database, SQLite or PostgreSQL: no other process can be
    working on a processing row, so all of them are requeued, whatever their lease says.
    (Several replicas on one PostgreSQL would first need lease renewal and SKIP LOCKED
    claims; not built.)"""
    for record in await repository.unfinished(lease_expired_before=None):
        result = await repository.transition(
            record.id, to=PENDING, expect=[PENDING, PROCESSING], message="requeued after restart"
        )
        if result is not None:
            pool.enqueue(*result)


async def serve(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then drain."""
    running = await start(settings)
    # What exists now (modules, descriptors, schemas, SQL metadata) lives as long as the
    # process: move it out of the cyclic GC's reach, or every full collection walks it
    # all. Measured with 1,000 open streams (bench/notify.py): full collections paused the
    # loop 75-135 ms each, 10-40 ms after the freeze.
    gc.collect()
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down: draining for up to %.1f s", settings.shutdown_grace_s)
    await running.stop()
