"""1b. What StartGeneration's parts cost beside the no-op RPC, at 16 callers.

The server runs ``programgen.testing.start_parts``: StartGeneration cut down to a part of
its work (its module says which), and the engine never runs, so no pool work shares the
cores. Each part gets its own server; in it, the no-op and the cut-down Start alternate in
slices, as in bench/start_vs_noop.py, whose load this is."""

from __future__ import annotations

from typing import Any

from bench.load import LoadProcess
from bench.processes import Server
from bench.stats import Results, summary
from programgen.testing.start_parts import PARTS

CALLERS = 16
NAME = "1b start parts vs no-op"


def run(results: Results, *, quick: bool, profile: bool) -> None:
    slices, slice_s = (1, 0.25) if quick else (6, 0.5)
    for part in PARTS:
        # No engine processes: the engine never runs here, and their start-up warm-up
        # would share the cores with the first measurements.
        env = {"BENCH_START_PART": part, "PROGRAMGEN_WORKERS": "1", "PROGRAMGEN_PROCESSES": "0"}
        with Server(f"start-{part}", module="programgen.testing.start_parts", **env) as server:
            data = LoadProcess(
                "bench.start_vs_noop.load",
                target=server.target,
                pid=server.pid,
                levels=[CALLERS],
                slices=slices,
                slice_s=slice_s,
            ).result()
            server.check_log()
        _report(results, part, data)
    results.notes.append(
        f"1b: {CALLERS} closed-loop callers; per part, {slices} x {slice_s} s slices of each "
        "RPC, alternating. reply = the transport, the interceptor and the reply's bytes; "
        "checks = + identity, validation and the profile's JSON; handoff = + one hand-off "
        "to a thread and back per call; full = the real StartGeneration (durable group "
        "commit). The engine never runs (programgen/testing/start_parts.py)."
    )


def _report(results: Results, part: str, data: dict[str, Any]) -> None:
    p99, cpu = {}, {}
    for kind, rpc in (("noop", "Health/Check (no-op)"), ("start", f"StartGeneration ({part})")):
        entry = data[f"{kind}/{CALLERS}"]
        stats = summary(entry["latencies"])
        cpu[kind] = entry["server_cpu"] / entry["calls"]
        p99[kind] = stats["p99_ms"]
        results.row(
            NAME,
            f"{rpc}, {CALLERS} callers",
            stats,
            rps=entry["calls"] / entry["seconds"],
            server_cpu_us_per_call=round(1e6 * cpu[kind]),
            client_cpu_us_per_call=round(1e6 * entry["client_cpu"] / entry["calls"]),
        )
    results.row(NAME, f"{part}: Start p99 / no-op p99", ratio=p99["start"] / p99["noop"])
    cpu_ratio = cpu["start"] / cpu["noop"]
    results.row(NAME, f"{part}: server CPU per call, Start / no-op", ratio=cpu_ratio)
