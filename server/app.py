"""Assembles and runs the server: store, lifecycle, task pool, gRPC services, recovery,
shutdown (docs/architecture.md, "Start-up and drain").

Start-up is one ``AsyncExitStack``: each step that acquires something registers how to
release it, so a step that fails (a port taken, a TLS file missing) unwinds the ones
before it in reverse order and leaves no engine process or open store behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from contextlib import AsyncExitStack
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.sdk.trace import TracerProvider

from programgen.pipeline.engine import GenerateOptions, generate
from programgen.server.auth import Authenticator
from programgen.server.broker import Broker
from programgen.server.config import ConfigError as ConfigError  # where callers catch it
from programgen.server.config import Settings
from programgen.server.engine_processes import EngineProcesses
from programgen.server.guard import Guard
from programgen.server.lifecycle import Lifecycle
from programgen.server.listen import bind, is_loopback, serve_metrics
from programgen.server.metrics import Metrics
from programgen.server.pool import Job, TaskPool
from programgen.server.records import GenerationRecord
from programgen.server.replica import Replica
from programgen.server.rpc_metrics import RpcMetrics
from programgen.server.runner import GenerateFn, GenerationRunner
from programgen.server.service import GenerationService
from programgen.server.store.database import (
    StoreInUse,
    create_engine,
    is_sqlite,
    migrate,
    sole_user,
)
from programgen.server.store.notify import Notifier
from programgen.server.store.repository import Repository
from programgen.server.store.stream_slots import SharedSlots
from programgen.server.tracing import GenerationTracer, provider_from_env, rpc_interceptor
from programgen.server.watch import register as register_service
from programgen.v1 import generation_service_pb2 as pb

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["ProgramGenerationService"].full_name


@dataclass
class Running:
    """A started server and the parts tests and shutdown need to reach."""

    settings: Settings
    server: grpc.aio.Server
    port: int
    lifecycle: Lifecycle
    pool: TaskPool
    service: GenerationService
    health: health.aio.HealthServicer
    engine_processes: EngineProcesses | None
    metrics: Metrics
    metrics_port: int | None
    _stack: AsyncExitStack

    @property
    def repository(self) -> Repository:
        return self.lifecycle.repository

    @property
    def broker(self) -> Broker:
        return self.lifecycle.broker

    async def stop(self, grace_s: float | None = None) -> None:
        """Drain: refuse new work, let running generations finish within the grace, requeue
        the rest, end watch streams with UNAVAILABLE, then stop the transport and unwind
        what start-up acquired."""
        grace = self.settings.pool.shutdown_grace_s if grace_s is None else grace_s
        self.service.draining = True
        await self.health.enter_graceful_shutdown()
        for generation_id, attempt in await self.pool.shutdown(grace):
            await self.lifecycle.requeue(generation_id, attempt=attempt)
        self.broker.close_all()
        # server.stop() would wait its whole grace while any stream is open: end the
        # watch streams first, then the transport (only in-flight unary calls remain).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.broker.wait_empty(), 2.0)
        await self.server.stop(min(grace, 2.0))
        await self._stack.aclose()


async def start(
    settings: Settings,
    *,
    generate_fn: GenerateFn = generate,
    options: GenerateOptions | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Running:
    """Start a server; ``tracer_provider`` (default: OTLP when OTEL_EXPORTER_OTLP_ENDPOINT
    is set, else none) receives a span per RPC and per generation attempt."""
    if options is None:
        options = GenerateOptions(llm=settings.llm.engine_settings())
    async with AsyncExitStack() as stack:
        provider = tracer_provider or provider_from_env()
        if provider is not None and tracer_provider is None:
            stack.callback(provider.shutdown)  # flush what is left at stop
        running = await _assemble(stack, settings, generate_fn, options, provider)
        running._stack = stack.pop_all()  # from here on, Running.stop() unwinds it
        return running
    raise AssertionError("unreachable")


async def _assemble(
    stack: AsyncExitStack,
    settings: Settings,
    generate_fn: GenerateFn,
    options: GenerateOptions,
    provider: TracerProvider | None,
) -> Running:
    """Every start-up step in order; each registers its own undo on ``stack``."""
    repository = await _open_store(stack, settings)
    metrics = Metrics()
    metrics.count_statements(repository.engines)
    anonymous = not await repository.has_keys()
    _check_anonymous(settings, anonymous)
    engine_processes = await _start_engine_processes(stack, settings.pool.processes)
    lifecycle = _lifecycle(settings, repository, metrics)
    runner = GenerationRunner(
        lifecycle,
        generate_fn,
        options,
        settings=settings.pool,
        offload=engine_processes,
        metrics=metrics,
        tracer=GenerationTracer(provider),
    )
    pool = _pool(runner, settings, lifecycle, metrics)
    slots = _stream_slots(settings, repository)
    service = GenerationService(
        lifecycle,
        pool,
        Authenticator(repository, anonymous=anonymous),
        metrics=metrics,
        per_caller_limit=settings.pool.per_caller_limit,
        watch=settings.watch,
        stream_slots=slots,
    )
    server, health_servicer = _grpc_server(service, _interceptors(metrics, provider))
    port = bind(server, settings.transport)
    metrics_port = _serve_metrics(stack, metrics, settings.transport.metrics_address)
    replica = _replica(settings, lifecycle, pool, slots)
    await _go_live(stack, lifecycle, pool, replica, server, health_servicer)
    mode = "anonymous" if anonymous else "API-key"
    log.info(
        "programgen listening on %s (port %d, %s mode)", settings.transport.address, port, mode
    )
    return Running(
        settings=settings,
        server=server,
        port=port,
        lifecycle=lifecycle,
        pool=pool,
        service=service,
        health=health_servicer,
        engine_processes=engine_processes,
        metrics=metrics,
        metrics_port=metrics_port,
        _stack=stack,
    )


def _lifecycle(settings: Settings, repository: Repository, metrics: Metrics) -> Lifecycle:
    """With a shared store (PostgreSQL), every commit also notifies the other replicas."""
    replica_id = settings.replica.replica_id
    notifier = Notifier(repository.async_engine, replica_id) if repository.shared else None
    broker = Broker(settings.watch.watch_buffer)
    return Lifecycle(repository, broker, metrics, notifier=notifier, replica_id=replica_id)


def _stream_slots(settings: Settings, repository: Repository) -> SharedSlots | None:
    """Watch streams per caller counted in the shared store; None: in memory (SQLite)."""
    if not repository.shared:
        return None
    replica = settings.replica
    return SharedSlots(repository.async_engine, replica.replica_id, replica.lease_s)


def _replica(
    settings: Settings, lifecycle: Lifecycle, pool: TaskPool, slots: SharedSlots | None
) -> Replica | None:
    if lifecycle.notifier is None or slots is None:
        return None  # SQLite: one process, nothing to coordinate
    return Replica(lifecycle, pool, settings.replica, lifecycle.notifier, slots)


def _pool(
    runner: GenerationRunner, settings: Settings, lifecycle: Lifecycle, metrics: Metrics
) -> TaskPool:
    """In-process queue on SQLite; claims from the shared store on PostgreSQL."""
    workers = settings.pool.workers
    replica = settings.replica

    async def claim(limit: int) -> list[GenerationRecord]:
        return await lifecycle.claim_batch(limit, lease_s=replica.lease_s)

    if not lifecycle.repository.shared:
        pool = TaskPool(runner, workers=workers)
    else:
        pool = TaskPool(
            runner, workers=workers, claim=claim, batch=replica.claim_batch, poll_s=replica.poll_s
        )
    metrics.track(
        queued=lambda: pool.queued,
        running=lambda: pool.running,
        watchers=lambda: lifecycle.broker.subscriber_count,
    )
    return pool


async def _go_live(
    stack: AsyncExitStack,
    lifecycle: Lifecycle,
    pool: TaskPool,
    replica: Replica | None,
    server: grpc.aio.Server,
    health_servicer: health.aio.HealthServicer,
) -> None:
    """Requeue what a previous process left, start the workers, then serve."""
    if replica is None:
        await _recover(lifecycle, pool)
    else:
        await replica.recover()
        replica.start()
        stack.push_async_callback(replica.close)
    pool.start()
    stack.push_async_callback(pool.shutdown, 0.0)
    await server.start()
    stack.push_async_callback(server.stop, 0.0)
    for name in ("", SERVICE_NAME):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)


async def _open_store(stack: AsyncExitStack, settings: Settings) -> Repository:
    store = settings.store
    if is_sqlite(store.database_url):
        try:
            stack.enter_context(sole_user(store.database_url))
        except StoreInUse as exc:
            raise ConfigError(str(exc)) from None
    engine = create_engine(store.database_url, sqlite_synchronous=store.sqlite_synchronous)
    stack.push_async_callback(engine.dispose)
    await migrate(engine)
    repository = Repository(engine, sqlite_synchronous=store.sqlite_synchronous)
    stack.callback(repository.close)
    return repository


def _check_anonymous(settings: Settings, anonymous: bool) -> None:
    transport = settings.transport
    if anonymous and not is_loopback(transport.address) and not transport.allow_anonymous_remote:
        raise ConfigError(
            f"no API keys exist, so the server is anonymous; refusing to listen on "
            f"{transport.address}. Create a key (programgen keys create CALLER) or set "
            "PROGRAMGEN_ALLOW_ANONYMOUS_REMOTE=1."
        )


async def _start_engine_processes(stack: AsyncExitStack, count: int) -> EngineProcesses | None:
    if not count:
        return None
    engine_processes = EngineProcesses(count)
    stack.callback(engine_processes.shutdown)
    await engine_processes.start()
    return engine_processes


def _interceptors(
    metrics: Metrics, provider: TracerProvider | None
) -> list[grpc.aio.ServerInterceptor]:
    # One interceptor does parsing, errors and metrics; tracing's only when it exports.
    guard = Guard(RpcMetrics(metrics))  # innermost: it parses each request, sees every error
    return [guard] if provider is None else [rpc_interceptor(provider), guard]


def _grpc_server(
    service: GenerationService, interceptors: list[grpc.aio.ServerInterceptor]
) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    server = grpc.aio.server(options=_GRPC_OPTIONS, interceptors=interceptors)
    register_service(server, service)
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
    return server, health_servicer


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


def _serve_metrics(stack: AsyncExitStack, metrics: Metrics, address: str) -> int | None:
    if not address:
        return None
    http = serve_metrics(metrics, address)
    stack.callback(http.server_close)
    stack.callback(http.shutdown)
    host = address.rpartition(":")[0]
    log.info("metrics on http://%s:%d/metrics", host, http.server_port)
    return int(http.server_port)


async def _recover(lifecycle: Lifecycle, pool: TaskPool) -> None:
    """Requeue what a previous process left unfinished (docs/architecture.md, "Crash recovery").

    SQLite serves one process (``sole_user`` makes sure): no other process can be working
    on a processing row, so all of them are requeued, whatever their lease says. On
    PostgreSQL, ``Replica.recover`` requeues only what no live replica holds."""
    for record in await lifecycle.repository.unfinished(lease_expired_before=None):
        recovered = await lifecycle.recover(record.id)
        if recovered is not None:
            pool.submit(Job.of(recovered))


async def serve(settings: Settings, *, generate_fn: GenerateFn = generate) -> None:
    """Run until SIGTERM or SIGINT, then drain (``generate_fn``: see ``start``)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Installed before start-up: a Ctrl-C while starting then drains quietly once started.
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    running = await start(settings, generate_fn=generate_fn)
    # What exists now (modules, descriptors, schemas, SQL metadata) lives as long as the
    # process: move it out of the cyclic GC's reach, or every full collection walks it
    # all. Measured with 1,000 open streams (bench/notify.py): full collections paused the
    # loop 75-135 ms each, 10-40 ms after the freeze.
    gc.collect()
    gc.freeze()
    await stop.wait()
    log.info("shutting down: draining for up to %.1f s", settings.pool.shutdown_grace_s)
    await running.stop()
