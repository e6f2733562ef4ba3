"""Integrity checks for the classifier artefact.

The artefact is plain data — JSON vocabularies and ``.npz`` arrays (stored, fixed
timestamps) read with ``allow_pickle=False`` — so loading it cannot run code. File
types are ones the package-data globs in pyproject.toml already ship (.json, .npz, .sig). On top of that:

* ``manifest.json`` lists the SHA-256 of every file; each file is checked before use;
* ``manifest.sig`` is HMAC-SHA256 over the manifest bytes, keyed by the env variable
  ``CHIZAI_MODEL_HMAC_KEY`` (or a public default when unset, which only detects
  accidents, not an attacker);
* the artefact shipped in the package is additionally pinned: the SHA-256 of its
  manifest is a constant in ``_pinned.py``, so a swapped shipped artefact is refused
  even by someone who can recompute the HMAC with the public default key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from pathlib import Path

SHIPPED_DIR = Path(__file__).parent / "artifacts"
MANIFEST = "manifest.json"
MANIFEST_HMAC = "manifest.sig"
_DEFAULT_KEY = b"chizai-public-default-model-key-v1"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]+\.(json|npz)$")


class ArtefactIntegrityError(RuntimeError):
    """The classifier artefact is missing, altered or not the one this package pins."""


def _key() -> bytes:
    k = os.environ.get("CHIZAI_MODEL_HMAC_KEY")
    return k.encode("utf-8") if k else _DEFAULT_KEY


def sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def write_manifest(out: Path, names: list[str]) -> str:
    files = {n: sha256_bytes((out / n).read_bytes()) for n in sorted(names)}
    blob = json.dumps({"format": 1, "files": files}, indent=1, sort_keys=True).encode()
    (out / MANIFEST).write_bytes(blob)
    (out / MANIFEST_HMAC).write_text(hmac.new(_key(), blob, hashlib.sha256).hexdigest() + "\n")
    return sha256_bytes(blob)


def update_pin(digest: str) -> None:
    path = Path(__file__).parent / "_pinned.py"
    src = path.read_text(encoding="utf-8")
    src = re.sub(r'SHIPPED_MANIFEST_SHA256 = "[0-9a-f]*"', f'SHIPPED_MANIFEST_SHA256 = "{digest}"', src)
    path.write_text(src, encoding="utf-8")


def verify(directory: Path, pinned: str | None) -> dict[str, bytes]:
    """Read and check every file of the artefact; return {name: bytes} of verified files.

    ``pinned`` is the expected SHA-256 of the manifest (the shipped artefact) or None for
    a retrained one, which must then carry a valid HMAC under CHIZAI_MODEL_HMAC_KEY.
    Files are read once and the verified bytes are what gets parsed, so nothing can
    change between the check and the use.
    """
    directory = Path(directory)
    try:
        blob = (directory / MANIFEST).read_bytes()
        tag = (directory / MANIFEST_HMAC).read_text().strip()
    except OSError as e:
        raise ArtefactIntegrityError(f"classifier artefact incomplete in {directory}: {e}") from e
    digest = sha256_bytes(blob)
    if pinned is not None and not hmac.compare_digest(digest, pinned):
        raise ArtefactIntegrityError(
            f"classifier artefact manifest in {directory} has SHA-256 {digest}, "
            f"but this package pins {pinned}: refusing to load an altered artefact"
        )
    keys = [_key()]
    if pinned is not None:
        # The pin is the authority for the shipped artefact; it was signed with the public
        # default key, so a site key set for its own retrained models must not lock it out.
        keys.append(_DEFAULT_KEY)
    if not any(hmac.compare_digest(tag, hmac.new(k, blob, hashlib.sha256).hexdigest()) for k in keys):
        raise ArtefactIntegrityError(
            f"classifier artefact manifest in {directory} fails its HMAC-SHA256 check "
            "(altered, or CHIZAI_MODEL_HMAC_KEY differs from the key used in training)"
        )
    manifest = json.loads(blob)
    out: dict[str, bytes] = {}
    for name, want in manifest["files"].items():
        if not _SAFE_NAME.match(name):
            raise ArtefactIntegrityError(f"unexpected file name in manifest: {name!r}")
        try:
            data = (directory / name).read_bytes()
        except OSError as e:
            raise ArtefactIntegrityError(f"classifier artefact file missing: {name}") from e
        got = sha256_bytes(data)
        if not hmac.compare_digest(got, want):
            raise ArtefactIntegrityError(
                f"classifier artefact file {name} has SHA-256 {got}, manifest says {want}: "
                "refusing to load an altered artefact"
            )
        out[name] = data
    return out
