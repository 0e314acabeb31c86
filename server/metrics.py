"""Prometheus metrics: what an operator needs to watch the service (docs/architecture.md, "Metrics")
(completion rate, processing time, failure rate) plus queue and stream gauges."""

from __future__ import annotations

from collections.abc import Callable
from threading import Thread
from typing import Any
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from sqlalchemy import Engine, event

from programgen.server.llm_outcomes import OUTCOMES
from programgen.server.records import FAILURE_REASONS

_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


class Metrics:
    """One registry per server, so several servers in one process (tests) never clash."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._generation_counters()
        self._service_counters()
        self._timings()
        r = self.registry
        self.queued = Gauge("programgen_generations_queued", "Waiting for a worker", registry=r)
        self.running = Gauge("programgen_generations_running", "Being processed", registry=r)
        self.watchers = Gauge("programgen_watch_streams_open", "Open watch streams", registry=r)

    def _generation_counters(self) -> None:
        r = self.registry
        self.started = Counter("programgen_generations_started", "Generations accepted", registry=r)
        self.completed = Counter(
            "programgen_generations_completed", "Generations completed", registry=r
        )
        self.failed = Counter(
            "programgen_generations_failed", "Generations failed", ["reason"], registry=r
        )
        for reason in FAILURE_REASONS:  # present at 0 from start: alerts can be written now
            self.failed.labels(reason)
        self.cancelled = Counter(
            "programgen_generations_cancelled", "Generations cancelled", registry=r
        )
        self.retried = Counter(
            "programgen_generations_retried", "Failed or cancelled generations retried", registry=r
        )
        self.requeued = Counter(
            "programgen_generations_requeued",
            "Generations requeued at a restart or shutdown",
            registry=r,
        )

    def _service_counters(self) -> None:
        r = self.registry
        self.watch_resyncs = Counter(
            "programgen_watch_resyncs",
            "Watch streams that fell behind and re-read the store",
            registry=r,
        )
        # Every SQL statement the server sends, by its verb: the cost side of watching
        # versus polling (bench/notify.py compares store reads per generation).
        self.store_statements = Counter(
            "programgen_store_statements",
            "SQL statements sent to the store, by verb (select, insert, update, ...)",
            ["verb"],
            registry=r,
        )
        self.store_commits = Counter(
            "programgen_store_commits", "Transactions committed to the store", registry=r
        )
        self.llm_refinements = Counter(
            "programgen_llm_refinements",
            "Model refinements by outcome (refined, or why the engine's program stood)",
            ["outcome"],
            registry=r,
        )
        for label in OUTCOMES:  # present at 0 from start
            self.llm_refinements.labels(label)
        self.rpcs = Counter(
            "programgen_rpcs", "RPCs handled, by method and status code", ["method", "code"],
            registry=r,
        )  # fmt: skip

    def _timings(self) -> None:
        r = self.registry
        self.queue_wait = Histogram(
            "programgen_queue_wait_seconds",
            "From queued to claimed by a worker",
            buckets=_SECONDS,
            registry=r,
        )
        self.duration = Histogram(
            "programgen_generation_duration_seconds",
            "From claimed to completed or failed",
            buckets=_SECONDS,
            registry=r,
        )
        self.stage_duration = Histogram(
            "programgen_stage_duration_seconds",
            "Time spent in each pipeline stage",
            ["stage"],
            buckets=_SECONDS,
            registry=r,
        )
        self.rpc_duration = Histogram(
            "programgen_rpc_duration_seconds",
            "RPC latency by method (a watch stream: until it ends)",
            ["method"],
            buckets=_SECONDS,
            registry=r,
        )

    def track(
        self, *, queued: Callable[[], int], running: Callable[[], int], watchers: Callable[[], int]
    ) -> None:
        """Read the gauges from their owners at scrape time instead of mirroring them."""
        self.queued.set_function(queued)
        self.running.set_function(running)
        self.watchers.set_function(watchers)

    def count_statements(self, engines: list[Engine]) -> None:
        """Count the engines' SQL statements (an executemany counts once) and commits."""
        counters: dict[str, Any] = {}

        def _count(*args: Any) -> None:
            verb = args[2].lstrip()[:6].lower()
            counter = counters.get(verb)
            if counter is None:
                counter = counters[verb] = self.store_statements.labels(verb)
            counter.inc()

        def _commit(*_: Any) -> None:
            self.store_commits.inc()

        for engine in engines:
            event.listen(engine, "before_cursor_execute", _count)
            event.listen(engine, "commit", _commit)

    def serve(self, address: str) -> tuple[WSGIServer, Thread]:
        """Expose /metrics over HTTP on ``host:port`` (port 0 picks a free one)."""
        host, _, port = address.rpartition(":")
        return start_http_server(int(port), addr=host.strip("[]"), registry=self.registry)
