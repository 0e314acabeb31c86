"""programgen.testing is support for tests only: nothing that ships to serve or call the
service imports it."""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
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
