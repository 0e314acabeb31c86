"""programgen.testing is support for tests only: nothing that ships to serve or call the
service imports it."""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_server_client_and_pipeline_never_import_the_testing_module() -> None:
    offenders = []
    for folder in ("server", "client", "pipeline"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                if any(
                    n == "programgen.testing" or n.startswith("programgen.testing.") for n in names
                ):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_link_makes_it_part_of_the_namespace() -> None:
    import programgen.testing

    link = ROOT / "protos" / "programgen" / "testing"
    assert link.is_symlink() and link.resolve() == (ROOT / "testing").resolve()
    assert Path(programgen.testing.__file__).resolve().parent == (ROOT / "testing").resolve()


def test_the_docs_example_runs_as_written() -> None:
    text = (ROOT / "docs" / "testing.md").read_text()
    first = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)  # the example opens examples/… relative to the checkout
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(first, "docs/testing.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert "programgen-engine/" in out.getvalue()


async def test_the_memoised_engine_reports_the_engines_stages_and_returns_its_program() -> None:
    from programgen.pipeline.domain import Stage
    from programgen.pipeline.engine import GenerateOptions, generate
    from programgen.testing.memo_serve import memoised
    from tests.pipeline_support import make_profile

    profile = make_profile()
    seen: dict[str, list[tuple[Stage, int]]] = {"engine": [], "memo": []}

    def recorder(name: str) -> Callable[[Stage, int, str], Awaitable[None]]:
        async def progress(stage: Stage, percent: int, _message: str) -> None:
            seen[name].append((stage, percent))

        return progress

    program = await generate(profile, GenerateOptions(), recorder("engine"))
    first = await memoised(profile, GenerateOptions(), recorder("memo"))
    again = await memoised(profile, GenerateOptions(), recorder("memo"))
    assert seen["memo"] == seen["engine"] * 2
    assert first.model_dump_json() == program.model_dump_json() and again is first
