"""chizai's own ``check --deploy`` checks, and the probes they share with ``/healthz``.

Each check answers one question an operator would otherwise learn from a failing upload or
a 500 page: is the master key there and usable, has ``collectstatic`` produced the manifest
the static storage serves from, can the file storage be reached and written, can the
database be reached. They run only with ``--deploy`` (registered in ``CoreConfig.ready``),
because they touch the network and would slow every ``migrate`` and ``runserver``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import connection

from chizai.conf.env import ImproperlyConfiguredEnv, env_list, env_secret

# A probe must answer well within a health checker's own timeout, and a hung S3 endpoint
# must not hold a web worker: one attempt, short connect and read timeouts.
PROBE_TIMEOUT_SECONDS = 3.0
# Below this many distinct byte values 32 "random" bytes are a placeholder (b"k" * 32,
# a repeated pattern), not a key: 32 random bytes have about 30 distinct values.
_MIN_DISTINCT_KEY_BYTES = 16

GENERATE_MASTER_KEY = "python -c 'import os,base64; print(base64.b64encode(os.urandom(32)).decode())'"


@dataclass(frozen=True)
class Probe:
    ok: bool
    detail: str = ""


def probe_database() -> Probe:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure to answer means "unreachable" here
        return Probe(False, f"{type(exc).__name__}: {exc}".strip())
    return Probe(True)


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _probe_folder(location: Path) -> Probe:
    # The storage creates its folder on the first save, so a missing folder is fine as long
    # as it can be created; what must hold is that this process may write there.
    existing = _nearest_existing(location)
    if not existing.is_dir():
        return Probe(False, f"{existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        return Probe(False, f"{existing} is not writable by this user")
    if existing == location:
        try:
            with tempfile.NamedTemporaryFile(dir=location, prefix=".chizai-probe-"):
                pass
        except OSError as exc:
            return Probe(False, f"cannot write in {location}: {exc}")
    return Probe(True)


def _probe_s3(storage) -> Probe:
    # Imported here so the local tier does not load botocore at every start.
    from botocore.config import Config

    # A client of its own with short timeouts, so the probe never waits as long as uploads may.
    config = storage.client_config.merge(
        Config(
            connect_timeout=PROBE_TIMEOUT_SECONDS,
            read_timeout=PROBE_TIMEOUT_SECONDS,
            retries={"max_attempts": 1, "mode": "standard"},
        )
    )
    try:
        client = storage._create_session().client(
            "s3",
            region_name=storage.region_name,
            use_ssl=storage.use_ssl,
            endpoint_url=storage.endpoint_url,
            config=config,
            verify=storage.verify,
        )
        client.head_bucket(Bucket=storage.bucket_name)
    except Exception as exc:  # noqa: BLE001 - refused, hung, denied, no such bucket: all "unreachable"
        return Probe(
            False, f"bucket {storage.bucket_name!r} at {storage.endpoint_url or 'AWS'}: {type(exc).__name__}: {exc}"
        )
    return Probe(True)


def probe_storage(storage=None) -> Probe:
    storage = storage if storage is not None else storages["default"]
    if isinstance(storage, FileSystemStorage):
        return _probe_folder(Path(storage.location))
    if hasattr(storage, "bucket_name") and hasattr(storage, "client_config"):
        return _probe_s3(storage)
    try:
        storage.listdir("")
    except Exception as exc:  # noqa: BLE001
        return Probe(False, f"{type(exc).__name__}: {exc}")
    return Probe(True)


_storage_cache: dict[str, tuple[float, Probe]] = {}
STORAGE_PROBE_CACHE_SECONDS = 10.0


def probe_storage_cached() -> Probe:
    """The storage probe at most once per ``STORAGE_PROBE_CACHE_SECONDS`` per process, so a
    health checker polling every second cannot tie up web workers on a hung endpoint."""
    now = time.monotonic()
    cached = _storage_cache.get("default")
    if cached and now - cached[0] < STORAGE_PROBE_CACHE_SECONDS:
        return cached[1]
    result = probe_storage(default_storage)
    _storage_cache["default"] = (now, result)
    return result


def forget_storage_probe() -> None:
    _storage_cache.clear()


def _master_key_problem(raw: str, name: str) -> str | None:
    from chizai.register.crypto import KeyError_, decode_key

    try:
        key = decode_key(raw, name)
    except KeyError_ as exc:
        return str(exc)
    if len(set(key)) < _MIN_DISTINCT_KEY_BYTES:
        return f"{name} is not random (a placeholder or a repeated pattern)."
    return None


def check_master_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    hint = (
        f"Generate one with: {GENERATE_MASTER_KEY} — and keep a copy off-site: without it no stored file can be read."
    )
    try:
        raw = env_secret("CHIZAI_MASTER_KEY")
        old = env_list("CHIZAI_MASTER_KEYS_OLD")
    except ImproperlyConfiguredEnv as exc:
        return [checks.Error(str(exc), hint=hint, id="chizai.E001")]
    if raw:
        problem = _master_key_problem(raw, "CHIZAI_MASTER_KEY")
        if problem:
            errors.append(checks.Error(problem, hint=hint, id="chizai.E002"))
    else:
        # Without the variable, crypto reads CHIZAI_HOME/master_key (and creates it on the
        # embedded tier only), so production needs either the variable or that file.
        path = Path(settings.CHIZAI_HOME) / "master_key"
        if not path.exists() and getattr(settings, "PRODUCTION", False):
            errors.append(
                checks.Error(
                    "CHIZAI_MASTER_KEY (or CHIZAI_MASTER_KEY_FILE) is not set: uploads and downloads will fail.",
                    hint=hint,
                    id="chizai.E001",
                )
            )
        elif path.exists():
            problem = _master_key_problem(path.read_text(encoding="ascii", errors="replace"), str(path))
            if problem:
                errors.append(checks.Error(problem, hint=hint, id="chizai.E002"))
            elif path.stat().st_mode & 0o077:
                errors.append(
                    checks.Error(f"{path} is readable by other accounts.", hint=f"chmod 600 {path}", id="chizai.E002")
                )
    for index, value in enumerate(old):
        problem = _master_key_problem(value, f"CHIZAI_MASTER_KEYS_OLD[{index}]")
        if problem and "not random" not in problem:
            errors.append(checks.Error(problem, id="chizai.E002"))
    return errors


def check_static_manifest(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return []
    hint = "Run: chizai collectstatic --noinput (after every install or upgrade)."
    manifest_path = Path(settings.STATIC_ROOT) / storage.manifest_name
    if not manifest_path.is_file():
        return [
            checks.Error(
                f"The static files manifest {manifest_path} is missing: every page would answer 500.",
                hint=hint,
                id="chizai.E003",
            )
        ]
    try:
        paths = json.loads(manifest_path.read_text(encoding="utf-8")).get("paths", {})
    except (OSError, ValueError) as exc:
        return [
            checks.Error(
                f"The static files manifest {manifest_path} cannot be read: {exc}", hint=hint, id="chizai.E003"
            )
        ]
    # After an upgrade the manifest may lack files the new templates use: those pages 500 too.
    missing = sorted(
        path
        for finder in finders.get_finders()
        for path, _storage in finder.list(["CVS", ".*", "*~"])
        if path not in paths
    )
    if missing:
        return [
            checks.Error(
                f"The static files manifest is out of date: {len(missing)} file(s) missing, e.g. {missing[0]}.",
                hint=hint,
                id="chizai.E003",
            )
        ]
    return []


def check_storage(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    result = probe_storage()
    if result.ok:
        return []
    return [
        checks.Error(
            f"The file storage cannot be reached or written: {result.detail}",
            hint="Check CHIZAI_STORAGE, CHIZAI_S3_* (endpoint, bucket, credentials) or the folder's owner.",
            id="chizai.E004",
        )
    ]


def check_database(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    result = probe_database()
    if result.ok:
        return []
    return [
        checks.Error(
            f"The database cannot be reached: {result.detail}",
            hint="Check CHIZAI_DATABASE_URL and that PostgreSQL is running and accepts this user.",
            id="chizai.E005",
        )
    ]


DEPLOY_CHECKS = (check_master_key, check_static_manifest, check_storage, check_database)


def register() -> None:
    for check in DEPLOY_CHECKS:
        checks.register(check, "chizai", deploy=True)
