"""The package tree is the architecture: imports go one way, from a stage to the stages below it.

``docs/architecture.md`` draws the flow; this test holds the code to it, from the import graph
of every module under ``src/orylint`` (imports inside functions and ``TYPE_CHECKING`` blocks
included, since they are dependencies too).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import orylint

SRC = Path(orylint.__file__).resolve().parent

#: What each stage may import. The top (``cli``, ``config``, ``scan``) may import everything, and
#: every module may read the package root (``orylint.__version__``).
ALLOWED: Mapping[str, frozenset[str]] = {
    "golang": frozenset(),
    "terraform": frozenset({"golang"}),
    "model": frozenset({"terraform", "golang"}),
    "engine": frozenset({"model", "terraform", "golang"}),
    "checks": frozenset({"engine", "model", "terraform", "golang"}),
    "policies": frozenset({"engine", "model", "terraform", "golang"}),
    "report": frozenset({"engine", "model", "terraform", "golang"}),
}
TOP = "top"


def stage(module: str) -> str:
    """The stage of a dotted module name below ``orylint``: its package, or the top."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in ALLOWED:
        return parts[1]
    return TOP


def import_graph(root: Path = SRC) -> dict[str, set[str]]:
    """Every orylint module and the orylint modules it imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).with_suffix("")
        parts = list(relative.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        module = ".".join(parts)
        graph[module] = set(_imports(ast.parse(path.read_text("utf-8")), module, is_package))
    return graph


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("orylint"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("orylint"):
                # ``from orylint.model import effective`` imports the submodule too
                yield target
                yield from (f"{target}.{alias.name}" for alias in node.names)


def violations(graph: Mapping[str, set[str]]) -> list[str]:
    """Imports that go upward or sideways, as ``importer -> imported`` lines."""
    found = []
    for importer, imported in sorted(graph.items()):
        source = stage(importer)
        if source == TOP:
            continue
        for target in sorted(imported):
            if target == "orylint" or target.startswith("orylint.__"):
                continue
            destination = stage(target)
            if destination != source and destination not in ALLOWED[source]:
                found.append(f"{importer} ({source}) -> {target} ({destination})")
    return found


def test_every_stage_imports_only_the_stages_below_it() -> None:
    graph = import_graph()
    assert {stage(module) for module in graph} == {*ALLOWED, TOP}
    assert violations(graph) == []


def test_an_upward_import_is_caught() -> None:
    """The check itself works: a synthetic graph with one upward import per kind fails it."""
    graph = {
        "orylint.terraform.hcl_loader": {"orylint.golang.gojson", "orylint.model.project"},
        "orylint.golang.urls": {"orylint.report.sarif"},
        "orylint.engine.runner": {"orylint.checks.grants"},
        "orylint.report.sarif": {"orylint.scan", "orylint.engine.findings"},
        "orylint.scan": {"orylint.report.text"},
    }
    assert violations(graph) == [
        "orylint.engine.runner (engine) -> orylint.checks.grants (checks)",
        "orylint.golang.urls (golang) -> orylint.report.sarif (report)",
        "orylint.report.sarif (report) -> orylint.scan (top)",
        "orylint.terraform.hcl_loader (terraform) -> orylint.model.project (model)",
    ]


def test_relative_and_lazy_imports_are_seen() -> None:
    tree = ast.parse(
        "from . import sibling\n"
        "def f():\n"
        "    from ..model import project\n"
        "    import orylint.report.text\n"
    )
    found = set(_imports(tree, "orylint.terraform.loader", is_package=False))
    assert {"orylint.terraform.sibling", "orylint.model.project", "orylint.report.text"} <= found
