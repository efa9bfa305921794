"""The layering of virtmodel: published data at the bottom, no upward imports, no import cycles.

The import graph is read from the source with :mod:`ast` (nothing is imported),
counting every ``import`` statement, function-local ones included, and
resolving relative imports. The bottom layer (the data files' loader
``virtmodel.data``, ``virtmodel.presets``, ``virtmodel.references``) may reach,
directly or through the modules it imports, none of the layers above it.
"""

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "virtmodel"

BOTTOM = ("virtmodel.data", "virtmodel.presets", "virtmodel.references")
ABOVE = ("virtmodel.techniques", "virtmodel.model", "virtmodel.analysis", "virtmodel.plotting",
         "virtmodel.widgets", "virtmodel.lenses")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported(source: str, module: str, is_package: bool, top_level_only: bool = False) -> set:
    """The absolute names ``source`` imports (for ``from m import x``: ``m`` and ``m.x``)."""
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(source)
    nodes = tree.body if top_level_only else ast.walk(tree)
    out = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            out.add(target)
            out |= {f"{target}.{alias.name}" for alias in node.names}
    return out


@functools.lru_cache(maxsize=None)
def _graph(top_level_only: bool = False) -> dict:
    """Module -> the virtmodel modules it imports (a package's own ``from . import x`` not counted as
    importing the package)."""
    graph = {}
    for name, path in MODULES.items():
        names = imported(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", top_level_only)
        graph[name] = {m for m in names if m in MODULES and m != name and not name.startswith(m + ".")}
    return graph


def _in(module: str, layers) -> bool:
    return any(module == layer or module.startswith(layer + ".") for layer in layers)


def _reachable(graph: dict, start: str) -> dict:
    """Every module reachable from ``start``, with one path to it."""
    paths, todo = {start: [start]}, [start]
    while todo:
        module = todo.pop()
        for target in sorted(graph[module]):
            if target not in paths:
                paths[target] = paths[module] + [target]
                todo.append(target)
    return paths


def test_relative_imports_resolve_function_local_ones_included():
    source = "from ..references import cite\n\ndef f():\n    from ..model import Model\n    import numpy\n"
    names = imported(source, "virtmodel.presets.published", is_package=False)
    assert {"virtmodel.references", "virtmodel.model", "virtmodel.model.Model", "numpy"} <= names
    assert imported("from . import ec2", "virtmodel.lenses", is_package=True) >= {"virtmodel.lenses.ec2"}


def test_the_graph_sees_the_layers_above():
    """Not vacuous: the lens does import the model, and the model the presets' data."""
    graph = _graph()
    assert "virtmodel.model" in _reachable(graph, "virtmodel.lenses.ec2")
    assert "virtmodel.presets.published" in _reachable(graph, "virtmodel.techniques.generations")


@pytest.mark.parametrize("start", sorted(m for m in MODULES if _in(m, BOTTOM)))
def test_published_data_imports_nothing_above_it(start):
    upward = {m: path for m, path in _reachable(_graph(), start).items() if _in(m, ABOVE)}
    assert not upward, "upward import: " + "; ".join(" -> ".join(p) for p in upward.values())


def test_no_import_cycles_among_module_level_imports():
    graph = _graph(top_level_only=True)
    for start in graph:
        for target in graph[start]:
            path = _reachable(graph, target).get(start)
            assert path is None, "import cycle: " + " -> ".join([start] + path)
