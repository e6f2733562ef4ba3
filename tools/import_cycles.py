"""Import graph of ``src/chizai`` and its cycles (standard library ``ast`` only).

    python tools/import_cycles.py            # the cycles, each with the imports that close it
    python tools/import_cycles.py --local    # also every function-local import of a chizai module

Edges are the imports a module executes: module-level imports and imports inside functions
(a function-local import still closes a cycle at run time; it only hides it at start-up).
Relative imports are resolved; ``from package import name`` is an edge to
``package.name`` when that is a module, else to ``package``. Imports under
``if TYPE_CHECKING:`` are left out (they never run). Test modules (``tests`` folders) are
left out: nothing in the package imports them.

Exit status 1 when there is a cycle. ``tests/test_import_cycles.py`` runs ``cycles()``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "chizai"


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module
    line: int
    local: bool  # inside a function


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve_from(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from … import`` statement names."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package outside ``tests`` folders, by dotted name."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        if "tests" in path.relative_to(package).parts:
            continue
        found[module_name(path, package)] = path
    return found


def _imports(tree: ast.AST):
    """(node, inside a function) for every import that can run, skipping ``if TYPE_CHECKING:``."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, local = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, local
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend((child, local) for child in node.orelse)
            continue
        inner = local or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def _known(name: str, known: dict[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is a module of the package."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def edges(package: Path = PACKAGE) -> list[Edge]:
    known = modules(package)
    root = package.name
    found = []
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node, local in _imports(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                source = resolve_from(node, module, path.name == "__init__.py")
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    targets.append(full if full in known else source)
            for name in targets:
                if not (name == root or name.startswith(root + ".")):
                    continue
                target = _known(name, known)
                if target and target != module:
                    found.append(Edge(module, target, node.lineno, local))
    return sorted(set(found), key=lambda e: (e.source, e.line, e.target))


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
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
                        result.append(sorted(component))
    return sorted(result)


def cycles(package: Path = PACKAGE) -> list[tuple[list[str], list[Edge]]]:
    """Each group of modules that import each other, with the imports inside the group."""
    all_edges = edges(package)
    graph: dict[str, set[str]] = {}
    for edge in all_edges:
        graph.setdefault(edge.source, set()).add(edge.target)
    found = []
    for component in strongly_connected(graph):
        members = set(component)
        found.append((component, [e for e in all_edges if e.source in members and e.target in members]))
    return found


def describe(edge: Edge) -> str:
    return f"{edge.source}:{edge.line} -> {edge.target}" + (" (in a function)" if edge.local else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--local", action="store_true", help="also list function-local imports of chizai modules")
    parser.add_argument("--package", type=Path, default=PACKAGE)
    args = parser.parse_args(argv)
    found = cycles(args.package)
    for component, inside in found:
        print(f"cycle: {' <-> '.join(component)}")
        for edge in inside:
            print(f"    {describe(edge)}")
    if args.local:
        print("function-local imports:")
        for edge in edges(args.package):
            if edge.local:
                print(f"    {describe(edge)}")
    if not found:
        print("no import cycles")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
