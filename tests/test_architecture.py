"""The shape of the code (issue 11): no import cycle, small modules, public library APIs.

These read the source with the standard library's :mod:`ast`; nothing is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
MAX_LINES = 400
GUARDED = ("typer", "click", "pydantic_settings", "fastapi")
"""Libraries whose private names (``_``-prefixed modules or attributes) we never import."""
FORBIDDEN = {"typer.main.get_command_from_info", "typer.models"}
"""Public-looking names that are typer's internals (not in its documentation)."""


def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module under ``src``: dotted name -> (path, is a package ``__init__``)."""
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _imports(name: str) -> Iterator[tuple[str, list[str], int]]:
    """``(module, imported names, line)`` of every import in ``name`` (resolved, absolute)."""
    path, is_package = MODULES[name]
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            yield target, [alias.name for alias in node.names], node.lineno


def _graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (every import: in functions, under
    ``TYPE_CHECKING``, everywhere)."""
    graph: dict[str, set[str]] = {}
    for name in MODULES:
        edges = set()
        for target, names, _ in _imports(name):
            for imported in names or [""]:
                candidate = f"{target}.{imported}" if imported else target
                if candidate in MODULES:
                    edges.add(candidate)
                elif target in MODULES:
                    edges.add(target)
        edges.discard(name)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(_graph()) == []


def test_no_module_over_the_size_limit() -> None:
    large = {
        name: lines
        for name, (path, _) in MODULES.items()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert large == {}, f"modules over {MAX_LINES} lines"


def _private(dotted: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in dotted.split("."))


@pytest.mark.parametrize("library", GUARDED)
def test_no_private_name_of_a_library_is_used(library: str) -> None:
    found = []
    for name, (path, _) in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        aliases = set()
        for target, names, line in _imports(name):
            if target.split(".")[0] != library:
                continue
            for imported in names or [""]:
                dotted = f"{target}.{imported}" if imported else target
                if _private(dotted) or dotted in FORBIDDEN or target in FORBIDDEN:
                    found.append(f"{path.name}:{line} {dotted}")
            if not names:
                aliases.add(target.split(".")[0])
        for node in ast.walk(tree):  # library._private used as an attribute
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _private(node.attr)
            ):
                found.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
    assert found == []
