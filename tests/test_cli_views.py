"""The CLI's program views and exports, driven as a lifter would against a real server;
the HTML report rendered by a real headless Chromium."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from google.protobuf import json_format
from icalendar import Calendar
from PIL import Image

from programgen.client.export.rows import COLUMNS
from programgen.v1 import program_pb2
from tests.harness import running_server
from tests.test_cli import ROOT, Result, _env

BEGINNER = str(ROOT / "examples" / "beginner_full_gym.json")


async def cli(*args: str, port: int, columns: int = 80) -> Result:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "programgen.client.cli",
        "--target",
        f"127.0.0.1:{port}",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**_env(), "COLUMNS": str(columns)},
        cwd=ROOT,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())


async def _generated(port: int) -> tuple[str, program_pb2.Program]:
    done = await cli("generate", BEGINNER, "--json", port=port)
    assert done.code == 0, done.err
    generation = json.loads(done.out)
    program = json_format.ParseDict(generation["program"], program_pb2.Program())
    return generation["id"], program


async def test_show_reads_at_80_columns_and_narrows_to_a_week_or_a_day(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        gid, program = await _generated(server.port)
        whole = await cli("show", gid, port=server.port)
        week = await cli("show", gid, "--week", "2", port=server.port)
        day = await cli("show", gid, "--week", "2", "--day", "1", port=server.port)
        past = await cli("show", gid, "--week", "99", port=server.port)
    assert whole.code == 0, whole.err
    assert max(len(line) for line in whole.out.splitlines()) <= 80
    names = {ex.name for w in program.weeks for d in w.days for ex in d.exercises}
    assert all(name in whole.out for name in names)  # never cut to "Close-G…"
    assert "…" not in whole.out
    assert whole.out.count("Week ") >= len(program.weeks)
    assert "side & rear delts" in whole.out and "A 0 means" in whole.out
    assert week.out.startswith("Week 2 ·") and "Week 1 ·" not in week.out
    assert "Day 1 ·" in day.out and "Day 2 ·" not in day.out
    assert past.code == 2 and "weeks 1 to" in past.err


async def test_exports_open_in_the_tools_lifters_use(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        gid, program = await _generated(server.port)
        md = await cli("export", gid, "--format", "md", port=server.port)
        table = await cli("export", gid, "--format", "csv", port=server.port)
        ics = await cli(
            "export", gid, "--format", "ics", "--start", "2027-01-04", "--days", "mon,wed,fri",
            port=server.port,
        )  # fmt: skip
        raw = await cli("export", gid, "--format", "json", port=server.port)
        bad_days = await cli("export", gid, "--format", "ics", "--days", "mon", port=server.port)
    exercises = [ex for w in program.weeks for d in w.days for ex in d.exercises]
    assert md.code == 0 and md.out.startswith(f"# {program.name}")
    assert md.out.count("\n| ") - md.out.count("\n| #") == len(exercises)
    rows = list(csv.reader(io.StringIO(table.out)))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 1 + len(exercises)
    assert {r[5] for r in rows[1:]} == {ex.name for ex in exercises}
    events = Calendar.from_ical(ics.out).walk("VEVENT")
    assert len(events) == sum(len(w.days) for w in program.weeks)
    starts = [e.decoded("dtstart") for e in events]
    assert starts[0].isoformat() == "2027-01-04T18:00:00"
    assert {s.weekday() for s in starts} == {0, 2, 4}
    assert json_format.Parse(raw.out, program_pb2.Program()) == program
    assert bad_days.code == 2 and "as many weekdays" in bad_days.err


def _chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium")
    assert binary, "Chromium is missing: scripts/setup.sh installs it (Debian package chromium)"
    flags = [
        "--headless",
        "--no-sandbox",  # the tests run as root in CI
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",  # a closed network: no calls home
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={cwd / 'profile'}",
    ]
    return subprocess.run(
        [binary, *flags, *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


async def test_the_html_report_renders_with_its_charts_in_a_real_browser(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    async with running_server(tmp_path) as server:
        gid, _ = await _generated(server.port)
        written = await cli("export", gid, "--format", "html", "-o", str(report), port=server.port)
    assert written.code == 0, written.err
    html = report.read_text()
    assert re.search(r'(src|href)="(https?:)?//', html) is None  # nothing to fetch: one file
    dom = await asyncio.to_thread(_chromium, "--dump-dom", report.as_uri(), cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for chart in ("chart-volume", "chart-intensity"):
        figure = dom.stdout.split(f'id="{chart}"', 1)[1].split("</figure>", 1)[0]
        assert "<svg" in figure and "<path" in figure
    png = tmp_path / "report.png"
    shot = await asyncio.to_thread(
        _chromium, f"--screenshot={png}", "--window-size=1100,2400", report.as_uri(), cwd=tmp_path
    )
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 16) or []
    white = sum(n for n, rgb in colours if rgb == (255, 255, 255))
    assert len(colours) > 50  # text, chart lines, bands: not a blank page
    assert white < 0.95 * image.width * image.height
    # The chart band colour (MEV–MRV) is on the page: the charts were drawn, not just text.
    assert any(
        abs(r - 0xCF) < 6 and abs(g - 0xE8) < 6 and abs(b - 0xCF) < 6 for _, (r, g, b) in colours
    )
    if os.environ.get("PROGRAMGEN_KEEP_REPORT"):
        shutil.copy(png, os.environ["PROGRAMGEN_KEEP_REPORT"])


async def test_a_closed_pipe_ends_the_output_quietly(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        gid, _ = await _generated(server.port)
        # A program's JSON is larger than a pipe's buffer: the writer meets the closed pipe.
        command = (
            f"{sys.executable} -m programgen.client.cli --target 127.0.0.1:{server.port} "
            f"get {gid} --json | head -1"
        )
        proc = await asyncio.create_subprocess_exec(
            "sh", "-c", command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=_env(), cwd=ROOT,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert out.decode() == "{\n"
    assert "Traceback" not in err.decode() and "BrokenPipe" not in err.decode()


async def test_an_error_line_names_its_code_once() -> None:
    done = await cli("--timeout", "20", "list", port=1)
    assert done.code == 1
    assert done.err.startswith("error: UNAVAILABLE: "), done.err
