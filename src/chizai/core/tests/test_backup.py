"""``chizai backup`` / ``chizai restore`` on real installations, as an operator runs them.

Each installation is its own CHIZAI_HOME (and, on PostgreSQL, its own database), driven
through the ``chizai`` command in fresh processes, because settings read CHIZAI_HOME and
the database once at start. The restored files are downloaded through the app's own
download view and compared byte for byte; ``chizai audit verify`` must pass.
"""

import base64
import hashlib
import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from chizai.core.backups import FORMAT, KEYS_NOTE, MANIFEST

ROOT = Path(__file__).resolve().parents[4]
CHIZAI = str(Path(sys.executable).with_name("chizai"))
SERVER_URL = os.environ.get("CHIZAI_DATABASE_URL", "")

SEED = r"""
import io, json, os, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from chizai.core import services as core_services
from chizai.register import services

owner = get_user_model().objects.create(username="backup-owner")
org = core_services.create_organization(owner, slug="backup-co", name_ja="バックアップ工業")
asset = services.create_asset(owner, org, title_ja="焼入れ条件", classification="secret")
bodies = [os.urandom(2 * 1024 * 1024 + 17), "焼入れ温度 850℃ 油冷".encode() * 50]
versions = [services.upload_version(owner, org, asset.pk, io.BytesIO(body), name=f"f{i}.bin")
            for i, body in enumerate(bodies)]
print(json.dumps({str(v.pk): body.hex() for v, body in zip(versions, bodies)}))
"""

DOWNLOAD = r"""
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client

client = Client()
client.force_login(get_user_model().objects.get(username="backup-owner"))
out = {}
for version_id in json.loads(sys.argv[1]):
    response = client.get(f"/o/backup-co/register/versions/{version_id}/download/")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    out[version_id] = [response.status_code, body.hex()]
print(json.dumps(out))
"""


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _environment(home: Path, database_url: str | None, keys: dict) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CHIZAI_", "DJANGO_"))}
    environ.update({"CHIZAI_HOME": str(home), "DJANGO_SETTINGS_MODULE": "chizai.settings", **keys})
    if database_url:
        environ["CHIZAI_DATABASE_URL"] = database_url
    return environ


def _chizai(environ: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHIZAI, *args], env=environ, capture_output=True, text=True, timeout=300, cwd=ROOT)


def _python(environ: dict, script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script, *args], env=environ, capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def postgres_databases():
    """Two new, empty databases on the test server (source and restore target), dropped afterwards."""
    import psycopg

    if not SERVER_URL.startswith("postgres"):
        pytest.skip("CHIZAI_DATABASE_URL is not a PostgreSQL URL")
    base, _slash, _name = SERVER_URL.rpartition("/")
    names = [f"chizai_backup_{uuid.uuid4().hex[:10]}_{role}" for role in ("src", "dst")]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    yield [f"{base}/{name}" for name in names]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _assert_private(folder: Path) -> None:
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


@pytest.mark.slow
@pytest.mark.parametrize("tier,key_source", [("sqlite", "home"), ("sqlite", "env"), ("postgres", "env")])
def test_a_backup_restores_into_a_fresh_installation(tmp_path, request, tier, key_source):
    databases = request.getfixturevalue("postgres_databases") if tier == "postgres" else [None, None]
    _round_trip(tmp_path, databases, key_source, {}, {})


@pytest.mark.s3
@pytest.mark.slow
def test_a_backup_restores_into_a_fresh_bucket(tmp_path, request):
    """The production tier: objects listed from one S3 bucket, restored into a new, empty one."""
    import boto3

    endpoint = os.environ.get("CHIZAI_TEST_S3_ENDPOINT_URL", "")
    if not endpoint or os.environ.get("CHIZAI_STORAGE") != "s3":
        pytest.skip("the S3 tier runs in `make test-s3` (CHIZAI_STORAGE=s3 and CHIZAI_TEST_S3_ENDPOINT_URL)")
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    buckets = [f"chizai-backup-{uuid.uuid4().hex[:10]}-{role}" for role in ("src", "dst")]
    for name in buckets:
        client.create_bucket(Bucket=name)
    s3 = {
        "CHIZAI_STORAGE": "s3",
        "CHIZAI_S3_ENDPOINT_URL": endpoint,
        "CHIZAI_S3_REGION": "us-east-1",
        "CHIZAI_S3_ACCESS_KEY": "test",
        "CHIZAI_S3_SECRET_KEY": "test",
    }
    databases = request.getfixturevalue("postgres_databases") if SERVER_URL.startswith("postgres") else [None, None]
    _round_trip(
        tmp_path,
        databases,
        "env",
        {**s3, "CHIZAI_S3_BUCKET": buckets[0]},
        {**s3, "CHIZAI_S3_BUCKET": buckets[1]},
        target_objects=lambda: [o["Key"] for o in client.list_objects_v2(Bucket=buckets[1]).get("Contents", [])],
    )


def _round_trip(tmp_path, databases, key_source, source_storage, target_storage, target_objects=None):
    """Seed an installation, back it up, refuse a tampered copy, restore into a fresh one, download, verify."""
    keys = {"CHIZAI_MASTER_KEY": _key(), "CHIZAI_SECRET_KEY": uuid.uuid4().hex * 2} if key_source == "env" else {}
    source = {**_environment(tmp_path / "source", databases[0], keys), **source_storage}
    assert _chizai(source, "migrate", "-v0").returncode == 0
    bodies = json.loads(_python(source, SEED))

    backup = tmp_path / "backup"
    made = _chizai(source, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["format"] == FORMAT and manifest["storage"]["objects"] == 2
    assert manifest["database"]["vendor"] == ("postgresql" if databases[0] else "sqlite")
    _assert_private(backup)
    if key_source == "env":
        # keys from the environment stay out unless asked for, and the note says so
        assert not (backup / "keys").exists() and "master_key" in (backup / KEYS_NOTE).read_text()
        assert "NOT" in made.stderr
    else:
        assert (backup / "keys" / "master_key").read_text().strip() == (
            tmp_path / "source" / "master_key"
        ).read_text().strip()

    target_home = tmp_path / "target"
    target = {**_environment(target_home, databases[1], keys), **target_storage}
    if target_objects is None:

        def target_objects():
            return [p for p in (target_home / "files").rglob("*") if p.is_file()]

    # One byte changed anywhere: refused before anything is written.
    tampered = tmp_path / "tampered"
    subprocess.run(["cp", "-a", str(backup), str(tampered)], check=True)
    victim = next(path for path in (tampered / "objects").rglob("*") if path.is_file())
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    refused = _chizai(target, "restore", str(tampered))
    assert refused.returncode == 2 and "changed" in refused.stderr and "nothing was restored" in refused.stderr, (
        refused.stderr
    )
    assert target_objects() == []

    if key_source == "env":
        wrong = {**target, "CHIZAI_SECRET_KEY": "not-the-key-" * 4}
        mismatch = _chizai(wrong, "restore", str(backup))
        assert mismatch.returncode == 2 and "CHIZAI_SECRET_KEY" in mismatch.stderr, mismatch.stderr
        assert target_objects() == []

    restored = _chizai(target, "restore", str(backup))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Audit chain verified" in restored.stdout
    assert len(target_objects()) == 2

    verified = _chizai(target, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    downloads = json.loads(_python(target, DOWNLOAD, json.dumps(list(bodies))))
    for version_id, body in bodies.items():
        status, got = downloads[version_id]
        assert status == 200
        assert hashlib.sha256(bytes.fromhex(got)).digest() == hashlib.sha256(bytes.fromhex(body)).digest()

    again = _chizai(target, "restore", str(backup))
    assert again.returncode == 2 and "not empty" in again.stderr
    # what docs/deploy.md prescribes for going back to a backup over a damaged installation
    replaced = _chizai(target, "restore", "--force", str(backup))
    assert replaced.returncode == 0 and "Audit chain verified" in replaced.stdout, replaced.stdout + replaced.stderr
    assert json.loads(_python(target, DOWNLOAD, json.dumps(list(bodies)))) == downloads


@pytest.mark.slow
def test_include_keys_writes_environment_keys_privately(tmp_path):
    keys = {
        "CHIZAI_MASTER_KEY": _key(),
        "CHIZAI_SECRET_KEY": uuid.uuid4().hex * 2,
        "CHIZAI_SECRET_KEY_FALLBACKS": "old-secret-one old-secret-two",
    }
    environ = _environment(tmp_path / "home", None, keys)
    assert _chizai(environ, "migrate", "-v0").returncode == 0
    made = _chizai(environ, "backup", "--include-keys", str(tmp_path / "backup"))
    assert made.returncode == 0, made.stderr
    key_folder = tmp_path / "backup" / "keys"
    assert (key_folder / "master_key").read_text().strip() == keys["CHIZAI_MASTER_KEY"]
    assert (key_folder / "secret_key").read_text().strip() == keys["CHIZAI_SECRET_KEY"]
    assert (key_folder / "secret_key_fallbacks").read_text().split() == ["old-secret-one", "old-secret-two"]
    assert not (tmp_path / "backup" / KEYS_NOTE).exists()
    _assert_private(tmp_path / "backup")
    refused = _chizai(environ, "backup", str(tmp_path / "backup"))
    assert refused.returncode == 2 and "not an empty folder" in refused.stderr


# chizai subcommands docs/deploy.md tells an operator to run, and the tests that run them.
DOCUMENTED_AND_TESTED = {
    "migrate": "test_backup.py, test_settings_cli.py",
    "collectstatic": "test_checks.py, test_settings_cli.py",
    "check": "test_checks.py (check --deploy)",
    "backup": "test_backup.py",
    "restore": "test_backup.py",
    "audit": "test_backup.py (audit verify)",
    "demo": "test_demo_guard.py",
    "worker": "test_worker_process.py",
    "rewrap-keys": "register/tests/test_keys.py",
    "reindex": "register/tests/test_incremental_index.py",
}


def test_every_chizai_command_in_the_deploy_guide_is_tested():
    import re

    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    # as a command line (…/bin/chizai X) or in running text (`chizai X`)
    used = {match[1] for match in re.findall(r"(?:/bin/|`)chizai ((?:--?\S+ )*)([a-z][a-z-]+)", guide)}
    assert {"migrate", "collectstatic", "check", "backup", "restore"} <= used
    assert used <= set(DOCUMENTED_AND_TESTED), (
        f"untested commands in docs/deploy.md: {sorted(used - set(DOCUMENTED_AND_TESTED))}"
    )
