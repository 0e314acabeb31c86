"""The shape of the house, computed from the source (docs/architecture.md, "Layers").

The import graph of ``programgen.*`` is read with ``ast`` (lazy imports inside functions
included), printed, and checked against the layering; module and function lengths are
checked against the house limits.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Where each package's source lives in the repository.
PACKAGES = {
    "programgen.client": ROOT / "client",
    "programgen.server": ROOT / "server",
    "programgen.pipeline": ROOT / "pipeline",
    "programgen.v1": ROOT / "protos" / "programgen" / "v1",
}

# The server's layers, outermost first: a request enters through the contract and the
# transport, which drives the lifecycle, which the pool's runs use, down to the pipeline
# and the store. An import may point down this list or stay in its layer, never up.
LAYERS: dict[str, tuple[str, ...]] = {
    "contract": ("programgen.v1",),
    "transport": tuple(
        f"programgen.server.{m}"
        for m in (
            "app",
            "commands",
            "service",
            "watch",
            "views",
            "mapping",
            "auth",
            "errors",
            "listen",
            "rpc_metrics",
            "requests",
            "page_tokens",
            "guard",
        )
    ),
    "lifecycle": tuple(
        f"programgen.server.{m}" for m in ("lifecycle", "runner", "broker", "replica")
    ),
    "pool": tuple(f"programgen.server.{m}" for m in ("pool", "engine_processes")),
    "store": tuple(
        f"programgen.server.{m}"
        for m in (
            "store",
            "records",
            "config",
            "metrics",
            "tracing",
            "logs",
            "llm_outcomes",
        )
    ),
    "pipeline": ("programgen.pipeline",),
}
RANK = {layer: rank for rank, layer in enumerate(LAYERS)}
RANK["pipeline"] = RANK["store"]  # siblings at the bottom

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Data tables are exempt from the module limit (docs/architecture.md, "Layers").
LONG_MODULES_ALLOWED = {"programgen.pipeline.catalog", "programgen.pipeline.injuries.review_table"}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    found["programgen.__main__"] = ROOT / "protos" / "programgen" / "__main__.py"
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The known module ``name`` is, or lies in (``pkg.mod.attr`` -> ``pkg.mod``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imported(module: str, path: Path) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
        else:
            continue
        for name in names:
            if name.startswith("programgen"):
                target = _resolve(name)
                if target is not None and target != module:
                    yield target


def _graph() -> dict[str, set[str]]:
    return {m: set(_imported(m, p)) for m, p in MODULES.items() if "_pb2" not in m}


GRAPH = _graph()


def _layer(module: str) -> str | None:
    for layer, prefixes in LAYERS.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return layer
    return None


def test_print_the_import_graph() -> None:
    for module in sorted(GRAPH):
        targets = sorted(GRAPH[module])
        layer = _layer(module) or "-"
        print(f"{module} [{layer}] -> {', '.join(targets) if targets else '(nothing)'}")
    assert GRAPH["programgen.server.app"], "the graph is empty: the parser found no import"


def _arrows(source: str) -> list[tuple[str, str]]:
    return [(m, t) for m, targets in GRAPH.items() if m.startswith(source) for t in sorted(targets)]


def test_the_client_imports_neither_server_nor_pipeline() -> None:
    bad = [
        (m, t)
        for m, t in _arrows("programgen.client")
        if t.startswith(("programgen.server", "programgen.pipeline"))
    ]
    assert bad == []


def test_the_pipeline_imports_neither_server_client_nor_contract() -> None:
    forbidden = ("programgen.server", "programgen.client", "programgen.v1")
    bad = [(m, t) for m, t in _arrows("programgen.pipeline") if t.startswith(forbidden)]
    assert bad == []


def test_every_server_module_has_a_layer() -> None:
    assert [m for m in GRAPH if m.startswith("programgen.server.") and not _layer(m)] == []


def test_no_server_import_points_against_the_layers() -> None:
    against = []
    for module, target in _arrows("programgen.server"):
        source_layer, target_layer = _layer(module), _layer(target)
        assert source_layer is not None and target_layer is not None, (module, target)
        if target_layer != "contract" and RANK[target_layer] < RANK[source_layer]:
            against.append(f"{module} [{source_layer}] -> {target} [{target_layer}]")
        if module.startswith("programgen.server.store") and target_layer == "pipeline":
            against.append(f"{module} -> {target}: the store and the pipeline are siblings")
    # The contract is the transport's business: nothing below it speaks protobuf.
    against += [
        f"{m} [{_layer(m)}] -> {t} [contract]"
        for m, t in _arrows("programgen.server")
        if _layer(t) == "contract" and _layer(m) != "transport"
    ]
    assert against == []


def _source_modules() -> dict[str, Path]:
    return {m: p for m, p in MODULES.items() if "_pb2" not in m}


@pytest.mark.parametrize("module", sorted(_source_modules()))
def test_modules_stay_short(module: str) -> None:
    if module in LONG_MODULES_ALLOWED:
        return
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module}: {lines} lines"


def _functions(path: Path) -> Iterator[tuple[str, int]]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            yield f"{node.name} (line {node.lineno})", node.end_lineno - node.lineno + 1


@pytest.mark.parametrize("module", sorted(_source_modules()))
def test_functions_stay_short(module: str) -> None:
    long = [
        f"{name}: {length} lines"
        for name, length in _functions(MODULES[module])
        if length > MAX_FUNCTION_LINES
    ]
    assert long == [], module
