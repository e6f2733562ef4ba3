"""No two modules of ``src/chizai`` import each other, even through a function-local import.

A cycle is broken by moving what both sides need into the lower module, so imports sit at
the top of the module. A function-local import stays only for a measured start-up reason
(a heavy optional module such as numpy), said in a comment next to it. The graph and the
rules it follows (relative imports resolved, ``if TYPE_CHECKING:`` left out) are in
``tools/import_cycles.py``; ``python tools/import_cycles.py`` prints the cycles.

The companion rule, public names only between modules (so also between apps), is
``tests/test_module_boundaries.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import import_cycles  # noqa: E402


def test_no_import_cycles():
    found = import_cycles.cycles()
    report = "\n".join(
        f"{' <-> '.join(group)}:\n" + "\n".join(f"    {import_cycles.describe(e)}" for e in inside)
        for group, inside in found
    )
    assert not found, "move what both sides need into the lower module:\n" + report


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "chizai"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_check_sees_local_and_relative_imports(tmp_path):
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "app/__init__.py": "",
            "app/a.py": "from . import b\n",
            "app/b.py": "def f():\n    from .a import thing\n",  # local, relative: still a cycle
            "app/c.py": "import chizai.app.d\n",
            "app/d.py": "from ..app import c\n",  # level 2, resolved to chizai.app.c
            "app/tests/test_x.py": "from chizai.app import a\n",  # tests are left out
        },
    )
    found = {tuple(group) for group, _ in import_cycles.cycles(root)}
    assert found == {("chizai.app.a", "chizai.app.b"), ("chizai.app.c", "chizai.app.d")}
    local = [e for e in import_cycles.edges(root) if e.local]
    assert [(e.source, e.target) for e in local] == [("chizai.app.b", "chizai.app.a")]


def test_type_checking_imports_are_no_edge(tmp_path):
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from chizai import b\n",
            "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from chizai.a import A\nelse:\n    pass\n",
            "c.py": "import typing\nfrom chizai import d\n",
            "d.py": "import typing\nif typing.TYPE_CHECKING:\n    from chizai import c\n",
        },
    )
    assert import_cycles.cycles(root) == []
    assert {(e.source, e.target) for e in import_cycles.edges(root)} == {
        ("chizai.a", "chizai.b"),
        ("chizai.c", "chizai.d"),
    }
