"""What a benchmark run measures and reports: latency statistics, the results table, the
machine it ran on, and the error that fails a run."""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


class BenchError(Exception):
    """The service misbehaved (a lost or duplicated generation, a rejected stream...):
    the run fails, unlike a missed latency target, which is only reported."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchError(message)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil without floats
    return sorted_values[int(rank) - 1]


def summary(latencies_s: Sequence[float]) -> dict[str, float]:
    """p50 / p99 / max in milliseconds and the sample count."""
    values = sorted(latencies_s)
    return {
        "n": len(values),
        "p50_ms": percentile(values, 50) * 1000,
        "p99_ms": percentile(values, 99) * 1000,
        "max_ms": (values[-1] if values else float("nan")) * 1000,
    }


@dataclass
class Results:
    """Rows of measurements and target verdicts, collected by every benchmark."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(self, bench: str, case: str, stats: dict[str, Any] | None = None, **extra: Any) -> None:
        self.rows.append({"bench": bench, "case": case, **(stats or {}), **extra})

    def target(self, name: str, value: float, limit: float, *, higher_is_better: bool) -> None:
        met = value >= limit if higher_is_better else value < limit
        self.targets.append(
            {
                "target": name,
                "value": round(value, 3),
                "limit": limit,
                "comparison": ">=" if higher_is_better else "<",
                "met": met,
            }
        )


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "grpcio": grpc.__version__,
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in load],
    }
