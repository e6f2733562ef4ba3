"""Apps talk through public names: no module imports a ``_private`` name of another module
(``from chizai.x import _helper``, or ``module._helper`` on an imported chizai module).

A leading underscore says "only this module relies on it", so its owner may change it
freely; a helper another module needs gets a public name in the module that owns it (or
moves to the lower module both use). Only inside the pure engine (``chizai.review.engine``),
a library with its own internal layout, may its modules share private helpers among
themselves. Django's ``Model._meta`` is public API despite its name.

The companion rule, no import cycles, is ``tests/test_import_cycles.py``; both resolve
imports with ``tools/import_cycles.py``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from import_cycles import module_name, resolve_from  # noqa: E402  (one resolver for both checks)

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "chizai"
ENGINE = "chizai.review.engine"
ALLOWED_ATTRIBUTES = {"_meta"}
#: offenders awaiting a change already planned, with the reason; keep this empty
PENDING: dict[tuple[str, str], str] = {}


def _inside_engine(name: str) -> bool:
    return name == ENGINE or name.startswith(ENGINE + ".")


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attribute reads on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def private_imports(package: Path = PACKAGE) -> list[tuple[str, int, str, str]]:
    """(importing module, line, source module, private name) for every crossing."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if "tests" in path.relative_to(package).parts:
            continue
        module = module_name(path, package)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        modules: dict[str, str] = {}  # local name -> chizai module it is bound to
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = resolve_from(node, module, path.name == "__init__.py")
                if not source.startswith("chizai"):
                    continue
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append((module, node.lineno, source, alias.name))
                    else:
                        modules[alias.asname or alias.name] = f"{source}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("chizai"):
                        # ``import chizai.a.b as m`` binds m; ``import chizai.a.b`` lets code say chizai.a.b
                        modules[alias.asname or alias.name] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr not in ALLOWED_ATTRIBUTES
            ):
                owner = _dotted(node.value)
                if owner in modules:
                    found.append((module, node.lineno, modules[owner], node.attr))
    return [
        (module, line, source, name)
        for module, line, source, name in found
        if source != module and not (_inside_engine(module) and _inside_engine(source))
    ]


def test_no_module_imports_a_private_name_of_another():
    offenders = [
        f"{module}:{line} uses {source}.{name}"
        for module, line, source, name in private_imports()
        if (module, name) not in PENDING
    ]
    assert not offenders, "give these helpers a public name in the module that owns them:\n" + "\n".join(offenders)


def test_pending_exceptions_are_still_needed():
    current = {(module, name) for module, _line, _source, name in private_imports()}
    assert set(PENDING) <= current, f"remove from PENDING, fixed: {set(PENDING) - current}"


def test_the_check_sees_a_private_import(tmp_path):
    app = tmp_path / "chizai" / "demo_app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "a.py").write_text(
        "from chizai.core.services import _hidden\nfrom chizai.core import audit\naudit._x()\n"
        "from . import b\nb._own()\nimport chizai.core.jobs\nchizai.core.jobs._claim()\n"
    )  # b: same part, another module: refused too
    names = {(m, s, n) for m, _l, s, n in private_imports(tmp_path / "chizai")}
    assert names == {
        ("chizai.demo_app.a", "chizai.core.services", "_hidden"),
        ("chizai.demo_app.a", "chizai.core.audit", "_x"),
        ("chizai.demo_app.a", "chizai.demo_app.b", "_own"),
        ("chizai.demo_app.a", "chizai.core.jobs", "_claim"),
    }
