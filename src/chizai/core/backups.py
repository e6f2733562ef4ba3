"""``chizai backup`` and ``chizai restore``: everything an installation needs to come back.

A backup is a folder (mode 0700, files 0600):

- ``database.sqlite3`` (SQLite online backup API: consistent while the app runs) or
  ``database.pgdump`` (``pg_dump -Fc``);
- ``objects/…``: every stored object (ciphertext, as stored) of the default storage, local
  folder or S3 bucket, under its storage name;
- ``audit-marks/…``: the audit chains' high-water marks kept outside the database;
- ``keys/…``: the master key and the secret key. Keys kept as files in CHIZAI_HOME (the
  embedded tier) are always included, because the backup is their only other copy; keys
  that come from the environment (production) only with ``--include-keys``, otherwise
  ``KEYS-NOT-INCLUDED.txt`` says which keys to keep elsewhere and their fingerprints;
- ``manifest.json``: what was saved and the SHA-256 of every other file.

The SHA-256s catch corruption and accidental edits; they do not stop someone who can
rewrite the manifest too. Keep backups where only operators can write.

``restore`` checks the whole backup against its manifest, then that the target is empty
and the configured keys are the backup's, before it writes anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import socket
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

from chizai.conf.env import env_list, env_secret

FORMAT = "chizai-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_SQLITE = "database.sqlite3"
DB_POSTGRES = "database.pgdump"
OBJECTS = "objects"
MARKS = "audit-marks"
KEYS = "keys"
KEYS_NOTE = "KEYS-NOT-INCLUDED.txt"
_READ_CHUNK = 1024 * 1024

Say = Callable[[str], None]


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class KeySource:
    """One key as this installation resolves it: its value and where it comes from."""

    name: str  # file name under keys/ and under CHIZAI_HOME
    value: str | None
    from_env: bool

    @property
    def home_path(self) -> Path:
        return Path(settings.CHIZAI_HOME) / self.name


@dataclass
class RestoreReport:
    database: str = ""
    objects: int = 0
    keys_written: list[str] = field(default_factory=list)
    moved_aside: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    verify_ok: bool | None = None
    verify_output: str = ""


def _quiet(_line: str) -> None:
    pass


# --- keys ---------------------------------------------------------------------------------


def fingerprint(secret: str) -> str:
    """A short, one-way id of a key, to tell keys apart without writing them down."""
    return hashlib.sha256(b"chizai-key-fingerprint" + secret.strip().encode()).hexdigest()[:16]


def _key_from(env_name: str, file_name: str) -> KeySource:
    raw = env_secret(env_name)
    if raw:
        return KeySource(file_name, raw.strip(), from_env=True)
    path = Path(settings.CHIZAI_HOME) / file_name
    if path.is_file():
        return KeySource(file_name, path.read_text(encoding="utf-8").strip(), from_env=False)
    return KeySource(file_name, None, from_env=False)


def resolve_keys() -> dict[str, KeySource]:
    """The keys as settings and ``register.crypto`` resolve them: environment (or *_FILE) first, then CHIZAI_HOME."""
    fallbacks = (env_secret("CHIZAI_SECRET_KEY_FALLBACKS") or "").split()
    old_masters = env_list("CHIZAI_MASTER_KEYS_OLD")
    return {
        "master_key": _key_from("CHIZAI_MASTER_KEY", "master_key"),
        "secret_key": _key_from("CHIZAI_SECRET_KEY", "secret_key"),
        "master_keys_old": KeySource("master_keys_old", ",".join(old_masters) or None, from_env=True),
        "secret_key_fallbacks": KeySource("secret_key_fallbacks", " ".join(fallbacks) or None, from_env=True),
    }


def _key_fingerprints(keys: dict[str, KeySource]) -> dict[str, str | None]:
    result: dict[str, str | None] = {}
    for name, key in keys.items():
        if not key.value:
            result[name] = None
        elif name in ("master_keys_old", "secret_key_fallbacks"):
            result[name] = ",".join(fingerprint(part) for part in key.value.replace(",", " ").split())
        else:
            result[name] = fingerprint(key.value)
    return result


# --- files --------------------------------------------------------------------------------


@contextmanager
def _private_umask() -> Iterator[None]:
    # Everything written (pg_dump's file too) is owner-only from its first byte.
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def _copy_tree(source: Path, target: Path) -> int:
    count = 0
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_private(destination, path.read_bytes())
            count += 1
    return count


def _safe_relative(name: str) -> bool:
    """A path that stays inside its folder: relative, no '..', no empty or odd parts."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return False
    parts = name.split("/")
    return all(part not in ("", ".", "..") for part in parts)


# --- storage ------------------------------------------------------------------------------


def list_objects(storage, prefix: str = "") -> Iterator[str]:
    """Every object name under ``prefix`` of a Django storage (local folder or S3 bucket)."""
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(prefix, name) if prefix else name
    for folder in sorted(folders):
        yield from list_objects(storage, posixpath.join(prefix, folder) if prefix else folder)


# --- database -----------------------------------------------------------------------------


def _pg_environment() -> dict[str, str]:
    """libpq variables for pg_dump / pg_restore, so the password never shows in a process listing."""
    db = settings.DATABASES["default"]
    environ = dict(os.environ)
    for variable, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
    ):
        if value:
            environ[variable] = str(value)
    options = db.get("OPTIONS", {})
    if options.get("sslmode"):
        environ["PGSSLMODE"] = str(options["sslmode"])
    if options.get("connect_timeout"):
        environ["PGCONNECT_TIMEOUT"] = str(options["connect_timeout"])
    return environ


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on PATH; install the PostgreSQL client (Debian: apt-get install postgresql-client)."
        )
    return path


def _run_pg(args: list[str]) -> None:
    result = subprocess.run(args, env=_pg_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def _backup_database(dest: Path) -> str:
    connection.close()  # the dump must not wait on, or see, this process's open transaction
    if connection.vendor == "sqlite":
        target = dest / DB_SQLITE
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
        source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=30)
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
            # one self-contained file, no -wal/-shm beside it
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
            source.close()
        return DB_SQLITE
    if connection.vendor == "postgresql":
        _run_pg([_pg_tool("pg_dump"), "--format=custom", "--file", str(dest / DB_POSTGRES)])
        return DB_POSTGRES
    raise BackupError(f"Backups of a {connection.vendor} database are not supported.")


def _database_tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def _restore_database(src: Path, file_name: str, replace: bool) -> None:
    connection.close()
    if connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{src / file_name}?mode=ro", uri=True)
        target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    args = [_pg_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
    if replace:
        args += ["--clean", "--if-exists"]
    _run_pg([*args, "--dbname", str(settings.DATABASES["default"]["NAME"]), str(src / file_name)])


def _registry_id() -> str | None:
    from chizai.core.audit import REGISTRY
    from chizai.core.models import AuditChainHead

    return AuditChainHead.objects.filter(chain=REGISTRY).values_list("hash", flat=True).first()


# --- backup -------------------------------------------------------------------------------


def _prepare_destination(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty folder; choose a new folder for each backup.")
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    dest.chmod(0o700)


def _write_keys(dest: Path, keys: dict[str, KeySource], include_keys: bool) -> tuple[list[str], list[str]]:
    included, left_out = [], []
    for name, key in keys.items():
        if not key.value:
            continue
        if key.from_env and not include_keys:
            left_out.append(name)
            continue
        _write_private(dest / KEYS / name, (key.value + "\n").encode())
        included.append(name)
    if left_out:
        prints = _key_fingerprints(keys)
        lines = [
            "These keys come from the environment and were NOT written into this backup",
            "(run `chizai backup --include-keys` to include them). Keep them off-site, apart from",
            "this backup: without the master key no stored file can be read; without the secret",
            "key (and its fallbacks) `chizai audit verify` fails and every session ends.",
            "",
            *[f"  {name}: fingerprint {prints[name]}" for name in left_out],
            "",
            "`chizai restore` checks that the configured keys have these fingerprints.",
        ]
        _write_private(dest / KEYS_NOTE, ("\n".join(lines) + "\n").encode())
    return included, left_out


def _hash_files(dest: Path) -> dict[str, dict]:
    files = {}
    for path in sorted(dest.rglob("*")):
        if path.is_file() and path != dest / MANIFEST:
            relative = path.relative_to(dest).as_posix()
            files[relative] = {"size": path.stat().st_size, "sha256": _sha256_file(path)}
    return files


def _chizai_version() -> str:
    try:
        return version("chizai")
    except PackageNotFoundError:
        return "unknown"


def backup(dest: Path, *, include_keys: bool = False, say: Say = _quiet) -> dict:
    """Write a complete backup into the new folder ``dest``; return its manifest."""
    dest = Path(dest).resolve()
    with _private_umask():
        _prepare_destination(dest)
        # Marks before the database: a mark is written after its commit, so marks copied
        # first never run ahead of the dumped chains (a restore would then cry "rolled back").
        marks_home = Path(settings.CHIZAI_HOME) / MARKS
        marks = _copy_tree(marks_home, dest / MARKS) if marks_home.is_dir() else 0
        say(f"audit marks: {marks} file(s)")
        database_file = _backup_database(dest)
        say(f"database ({connection.vendor}): {database_file}")
        registry_id = _registry_id()
        # Objects after the database, so every object the dumped rows name is already stored.
        storage = storages["default"]
        objects = 0
        for name in list_objects(storage):
            if not _safe_relative(name):
                raise BackupError(f"The storage holds an object with an unsafe name: {name!r}")
            target = dest / OBJECTS / name
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out, storage.open(name, "rb") as handle:
                while chunk := handle.read(_READ_CHUNK):
                    out.write(chunk)
            objects += 1
        say(f"stored objects: {objects}")
        keys = resolve_keys()
        included, left_out = _write_keys(dest, keys, include_keys)
        say(
            f"keys included: {', '.join(included) or 'none'}"
            + (f"; NOT included (see {KEYS_NOTE}): {', '.join(left_out)}" if left_out else "")
        )
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "chizai_version": _chizai_version(),
            "host": socket.gethostname(),
            "database": {"vendor": connection.vendor, "file": database_file},
            "storage": {"backend": f"{type(storage).__module__}.{type(storage).__qualname__}", "objects": objects},
            "audit_registry": registry_id,
            "keys": {"included": included, "not_included": left_out, "fingerprints": _key_fingerprints(keys)},
            "files": _hash_files(dest),
        }
        _write_private(dest / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
    return manifest


# --- restore ------------------------------------------------------------------------------


def verify_backup(src: Path) -> dict:
    """The manifest, after checking every file of the backup against it; BackupError names each problem."""
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{src / MANIFEST} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"{src} is not a chizai backup of format version {FORMAT_VERSION}.")
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise BackupError(f"{src / MANIFEST} has no list of files.")
    problems = []
    present = set()
    for path in src.rglob("*"):
        relative = path.relative_to(src).as_posix()
        if path.is_symlink():
            problems.append(f"{relative}: a symbolic link (a backup holds only plain files)")
        elif path.is_file() and relative != MANIFEST:
            present.add(relative)
    for relative, entry in sorted(listed.items()):
        if not _safe_relative(relative):
            problems.append(f"{relative!r}: an unsafe path in the manifest")
        elif relative not in present:
            problems.append(f"{relative}: missing")
        elif (src / relative).stat().st_size != entry.get("size") or _sha256_file(src / relative) != entry.get(
            "sha256"
        ):
            problems.append(f"{relative}: changed (its SHA-256 is not the one in the manifest)")
    problems += [f"{relative}: not in the manifest" for relative in sorted(present - set(listed))]
    database_file = manifest.get("database", {}).get("file")
    if database_file not in listed:
        problems.append(f"the database file {database_file!r} is not in the backup")
    if problems:
        shown = "\n  ".join(problems[:20]) + (f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise BackupError(f"The backup in {src} does not match its manifest; nothing was restored:\n  {shown}")
    return manifest


def _existing_objects(storage) -> list[str]:
    return list(list_objects(storage))


def _marks_conflict(src: Path, registry_id: str | None) -> Path | None:
    """The target's marks folder for the backup's registry when it differs from the backup's, else None."""
    if not registry_id:
        return None
    target = Path(settings.CHIZAI_HOME) / MARKS / registry_id
    if not target.is_dir():
        return None
    theirs = {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    source = src / MARKS / registry_id
    ours = (
        {p.relative_to(source).as_posix(): p.read_bytes() for p in source.rglob("*") if p.is_file()}
        if source.is_dir()
        else {}
    )
    return None if theirs == ours else target


def _key_plan(manifest: dict, src: Path, force: bool, report: RestoreReport) -> tuple[list[str], list[str]]:
    """(keys to write into CHIZAI_HOME, refusals). A configured key must be the backup's key."""
    wanted = manifest.get("keys", {}).get("fingerprints", {})
    configured = resolve_keys()
    have = _key_fingerprints(configured)
    to_write: list[str] = []
    refusals: list[str] = []
    for name in ("master_key", "secret_key"):
        if not wanted.get(name):
            continue
        in_backup = (src / KEYS / name).is_file()
        key = configured[name]
        if in_backup and not key.from_env:
            to_write.append(name)  # the installation reads this key from CHIZAI_HOME: put the backup's there
            continue
        if have[name] == wanted[name]:
            continue
        variable = "CHIZAI_MASTER_KEY" if name == "master_key" else "CHIZAI_SECRET_KEY"
        where = f"{KEYS}/{name} of the backup" if in_backup else "your off-site copy"
        message = (
            f"The configured {variable} (fingerprint {have[name] or 'none'}) is not the key this backup was "
            f"made with (fingerprint {wanted[name]}); set it from {where}."
        )
        (report.warnings if force else refusals).append(message)
    for name, variable in (
        ("master_keys_old", "CHIZAI_MASTER_KEYS_OLD"),
        ("secret_key_fallbacks", "CHIZAI_SECRET_KEY_FALLBACKS"),
    ):
        missing = set(filter(None, (wanted.get(name) or "").split(","))) - set(
            filter(None, (have.get(name) or "").split(","))
        )
        if missing:
            report.warnings.append(
                f"{variable} lacks {len(missing)} key(s) the backup's installation had "
                f"(see {KEYS}/{name} or your off-site copy); older files or checkpoints may not verify."
            )
    return to_write, refusals


def _move_aside(path: Path, report: RestoreReport) -> None:
    aside = path.with_name(f"{path.name}.before-restore-{timezone.now():%Y%m%dT%H%M%SZ}")
    path.rename(aside)
    report.moved_aside.append(str(aside))


def run_audit_verify() -> tuple[bool, str]:
    """``chizai audit verify`` in a new process, which reads the restored keys as a fresh start would."""
    result = subprocess.run(
        [sys.executable, "-m", "chizai.cli", "audit", "verify"], capture_output=True, text=True, env=dict(os.environ)
    )
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def restore(src: Path, *, force: bool = False, verify: bool = True, say: Say = _quiet) -> RestoreReport:
    """Restore a backup into this installation's database, storage and CHIZAI_HOME."""
    src = Path(src).resolve()
    report = RestoreReport()
    manifest = verify_backup(src)
    say(f"backup verified: {len(manifest['files'])} file(s) match the manifest")

    # Everything that could refuse is asked before the first write.
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"The backup holds a {vendor} database; this installation uses {connection.vendor}.")
    tables = _database_tables()
    refusals = []
    if tables and not force:
        refusals.append(
            f"The target database is not empty ({len(tables)} tables, e.g. {tables[0]}); restore into a "
            "new, empty database or pass --force to replace its contents."
        )
    storage = storages["default"]
    existing = _existing_objects(storage)
    if existing and not force:
        refusals.append(
            f"The file storage is not empty ({len(existing)} object(s), e.g. {existing[0]}); restore into an "
            "empty folder or bucket, or pass --force (objects of the same name are replaced)."
        )
    keys_to_write, key_refusals = _key_plan(manifest, src, force, report)
    refusals += key_refusals
    marks_conflict = _marks_conflict(src, manifest.get("audit_registry"))
    if marks_conflict and not force:
        refusals.append(
            f"{marks_conflict} already holds other audit marks for this database (restoring an older "
            "backup over a newer installation); pass --force to move them aside."
        )
    if refusals:
        raise BackupError("Nothing was restored:\n  " + "\n  ".join(refusals))

    with _private_umask():
        _restore_database(src, manifest["database"]["file"], replace=bool(tables))
        report.database = f"{vendor}: {manifest['database']['file']}"
        say(f"database restored ({report.database})")

        names = sorted(
            relative[len(OBJECTS) + 1 :] for relative in manifest["files"] if relative.startswith(OBJECTS + "/")
        )
        present = set(existing)
        for name in names:
            if name in present:
                storage.delete(name)
            with (src / OBJECTS / name).open("rb") as handle:
                saved = storage.save(name, File(handle, name=name))
            if saved != name:
                raise BackupError(f"The storage stored {name} as {saved}; the database would not find it.")
            report.objects += 1
        say(f"stored objects restored: {report.objects}")

        home = Path(settings.CHIZAI_HOME)
        for name in keys_to_write:
            target = home / name
            backup_value = (src / KEYS / name).read_bytes()
            if target.exists() and target.read_bytes().strip() != backup_value.strip():
                _move_aside(target, report)
            _write_private(target, backup_value)
            report.keys_written.append(str(target))
        if keys_to_write:
            say(f"keys written: {', '.join(report.keys_written)}")

        if marks_conflict:
            _move_aside(marks_conflict, report)
        if (src / MARKS).is_dir():
            (home / MARKS).mkdir(mode=0o700, parents=True, exist_ok=True)
            say(f"audit marks restored: {_copy_tree(src / MARKS, home / MARKS)} file(s)")

    for warning in report.warnings:
        say(f"warning: {warning}")
    if verify:
        report.verify_ok, report.verify_output = run_audit_verify()
        say(f"audit verify: {'OK' if report.verify_ok else 'FAILED'}\n{report.verify_output}")
    return report
