"""The shipped classifier artefact: small, fast to load, verified, tamper-evident."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.fixture()
def settings():
    """Stand-in for pytest-django's fixture, which the project-wide autouse fixture in
    conftest.py asks for: these tests are pure-library tests and run with -p no:django."""
    from types import SimpleNamespace

    return SimpleNamespace(STORAGES={})


from chizai.review.engine.ml import artefact as A
from chizai.review.engine.ml import runtime
from chizai.review.engine.ml._pinned import SHIPPED_MANIFEST_SHA256


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    dst = tmp_path / "artifacts"
    shutil.copytree(A.SHIPPED_DIR, dst)
    return dst


def test_shipped_artefact_is_small_and_pickle_free():
    files = list(A.SHIPPED_DIR.iterdir())
    assert sum(f.stat().st_size for f in files) < 15 * 1024 * 1024
    # only suffixes the package-data globs in pyproject.toml ship, none of them pickles
    assert {f.suffix for f in files} <= {".json", ".npz", ".sig"}


def test_loads_fast_and_verifies():
    runtime._CACHE.clear()
    t0 = time.perf_counter()
    clf = runtime.load_classifier()
    elapsed = time.perf_counter() - t0
    assert elapsed < 1.0, elapsed
    assert clf.meta["nli"]["n_documents"] == 111
    manifest = (A.SHIPPED_DIR / A.MANIFEST).read_bytes()
    assert hashlib.sha256(manifest).hexdigest() == SHIPPED_MANIFEST_SHA256


def test_tampered_array_refused(copy: Path):
    p = copy / "nli.npz"
    b = bytearray(p.read_bytes())
    b[len(b) // 2] ^= 0x01  # one bit of one coefficient
    p.write_bytes(bytes(b))
    with pytest.raises(A.ArtefactIntegrityError, match="nli.npz"):
        A.verify(copy, SHIPPED_MANIFEST_SHA256)


def test_tampered_file_with_rewritten_manifest_refused_by_pin(copy: Path):
    # An attacker who edits a file and recomputes the manifest and its HMAC with the
    # public default key still fails the SHA-256 pinned in the package.
    from chizai.review.engine.ml.runtime import _npz
    from chizai.review.engine.ml.train import _npz as write_npz

    p = copy / "cuad.npz"
    arrays = _npz(p.read_bytes())
    arrays["b"][0] += 5.0  # make one category fire everywhere
    p.write_bytes(write_npz(arrays))
    names = json.loads((copy / A.MANIFEST).read_bytes())["files"]
    A.write_manifest(copy, list(names))
    A.verify(copy, None)  # self-consistent under the default key ...
    with pytest.raises(A.ArtefactIntegrityError, match="pins"):
        A.verify(copy, SHIPPED_MANIFEST_SHA256)  # ... but not the pinned artefact


def test_manifest_hmac_checked(copy: Path):
    (copy / A.MANIFEST_HMAC).write_text("0" * 64 + "\n")
    with pytest.raises(A.ArtefactIntegrityError, match="HMAC"):
        A.verify(copy, None)


def test_retrained_artefact_needs_the_key(copy: Path, monkeypatch):
    names = json.loads((copy / A.MANIFEST).read_bytes())["files"]
    monkeypatch.setenv("CHIZAI_MODEL_HMAC_KEY", "site-secret")
    A.write_manifest(copy, list(names))
    runtime._CACHE.clear()
    assert runtime.load_classifier(copy).meta["format"] == 1
    monkeypatch.setenv("CHIZAI_MODEL_HMAC_KEY", "another-key")
    runtime._CACHE.clear()
    with pytest.raises(A.ArtefactIntegrityError, match="HMAC"):
        runtime.load_classifier(copy)
    runtime._CACHE.clear()


def test_shipped_artefact_loads_with_a_site_key_set(monkeypatch):
    monkeypatch.setenv("CHIZAI_MODEL_HMAC_KEY", "site-secret")
    runtime._CACHE.clear()
    assert runtime.load_classifier().meta["format"] == 1
    runtime._CACHE.clear()


def test_missing_file_refused(copy: Path):
    (copy / "nli_vocab.json").unlink()
    with pytest.raises(A.ArtefactIntegrityError, match="missing"):
        A.verify(copy, SHIPPED_MANIFEST_SHA256)


def test_unsafe_name_in_manifest_refused(tmp_path: Path):
    (tmp_path / "x.json").write_text("{}")
    blob = json.dumps({"format": 1, "files": {"../x.json": "0"}}).encode()
    (tmp_path / A.MANIFEST).write_bytes(blob)
    (tmp_path / A.MANIFEST_HMAC).write_text(hmac.new(A._key(), blob, hashlib.sha256).hexdigest())
    with pytest.raises(A.ArtefactIntegrityError, match="unexpected file name"):
        A.verify(tmp_path, None)


def test_import_does_not_pull_sklearn_or_django():
    code = (
        "import sys; import chizai.review.engine.ml as m; m.load_classifier().nli(['x']);"
        "bad = [k for k in sys.modules if k.split('.')[0] in ('sklearn', 'scipy', 'django')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[3]
    )
    assert r.returncode == 0, r.stdout + r.stderr
