"""Runs every service benchmark and writes the results table.

    python -m bench            # full size; bench/results/latest.md and latest.json
    python -m bench --quick    # tiny sizes (CI smoke); bench/results/quick.md and quick.json
    python -m bench --only fanout --profile   # one benchmark, with a py-spy summary

Exits non-zero when a benchmark breaks (a lost or duplicated generation, a rejected
stream, a failed RPC), never for a missed latency target: those are reported.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from typing import Any

from bench.stats import RESULTS, BenchError, Results, machine

BENCHMARKS = {
    "start": "bench.start_vs_noop",
    "start-parts": "bench.start_parts",
    "notify": "bench.notify",
    "fanout": "bench.fanout",
    "e2e": "bench.end_to_end",
    "soak": "bench.soak",
    "replicas": "bench.replicas",
}

_COLUMNS = ("n", "p50_ms", "p99_ms", "max_ms", "rps", "ratio")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"Command: `{report['command']}` — {report['finished']}, took {report['seconds']:.0f} s",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu_model']}), Python {m['python']}, grpcio "
        f"{m['grpcio']}, load average at start {m['loadavg_at_start']}; client and server "
        "share the cores.",
        "",
        "| benchmark | case | n | p50 ms | p99 ms | max ms | per s | ratio | other |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        other = ", ".join(
            f"{k}={_cell(v)}" for k, v in row.items() if k not in (*_COLUMNS, "bench", "case")
        )
        cells = [row["bench"], row["case"], *(_cell(row.get(c)) for c in _COLUMNS), other]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| target | measured | goal | met |", "|---|---|---|---|"]
    for t in report["targets"]:
        goal = f"{t['comparison']} {t['limit']}"
        lines.append(
            f"| {t['target']} | {_cell(t['value'])} | {goal} | {'yes' if t['met'] else 'NO'} |"
        )
    if report["notes"]:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in report["notes"]]
    if report["errors"]:
        lines += ["", "BROKEN:", ""] + [f"- {e}" for e in report["errors"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (CI smoke run)")
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS))
    parser.add_argument("--profile", action="store_true", help="py-spy the server (summaries)")
    args = parser.parse_args(argv)

    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    results = Results()
    errors: list[str] = []
    began = time.monotonic()
    report: dict[str, Any] = {"command": command.strip(), "machine": machine()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in args.only or BENCHMARKS:
        print(f"== {name}", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        try:
            importlib.import_module(BENCHMARKS[name]).run(
                results, quick=args.quick, profile=args.profile
            )
        except BenchError as exc:
            errors.append(f"{name}: {exc}")
            print(f"BROKEN {name}: {exc}", file=sys.stderr)
        except Exception:
            errors.append(f"{name}: {traceback.format_exc()}")
            traceback.print_exc()
        print(f"   {name} took {time.monotonic() - t0:.1f} s", file=sys.stderr, flush=True)
    report.update(
        finished=time.strftime("%Y-%m-%d %H:%M:%S"),
        seconds=time.monotonic() - began,
        loadavg_at_end=[round(x, 2) for x in os.getloadavg()],
        rows=results.rows,
        targets=results.targets,
        notes=results.notes,
        errors=errors,
    )
    stem = "quick" if args.quick else ("latest" if not args.only else "partial")
    text = markdown(report)
    (RESULTS / f"{stem}.md").write_text(text)
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(text)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
