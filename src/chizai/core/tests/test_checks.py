"""chizai's own ``check --deploy`` checks: each one alone (settings and environment swapped in
the test process), then ``chizai check --deploy`` in a fresh process for each failure."""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.db.backends.base import base as db_base

from chizai.core import checks

ROOT = Path(__file__).resolve().parents[4]
CHIZAI = str(Path(sys.executable).with_name("chizai"))
STRONG_SECRET = "k" * 20 + "Q9!x7#mZ2@pL5$wR8^tY1&uI4*oP6(aS3)dF0_gH-jK+lZ=xC"


def _random_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.fixture
def no_master_key(monkeypatch):
    for name in ("CHIZAI_MASTER_KEY", "CHIZAI_MASTER_KEY_FILE", "CHIZAI_MASTER_KEYS_OLD"):
        monkeypatch.delenv(name, raising=False)


def test_production_without_a_master_key_fails(settings, tmp_path, no_master_key):
    settings.PRODUCTION = True
    settings.CHIZAI_HOME = tmp_path
    assert _ids(checks.check_master_key()) == ["chizai.E001"]


def test_a_master_key_file_in_chizai_home_is_accepted_in_production(settings, tmp_path, no_master_key):
    settings.PRODUCTION = True
    settings.CHIZAI_HOME = tmp_path
    (tmp_path / "master_key").write_text(_random_key())
    (tmp_path / "master_key").chmod(0o600)
    assert checks.check_master_key() == []
    (tmp_path / "master_key").chmod(0o644)
    assert _ids(checks.check_master_key()) == ["chizai.E002"]


@pytest.mark.parametrize(
    "value,words",
    [
        ("not base64!", "base64"),
        (base64.b64encode(b"short").decode(), "32 bytes"),
        (base64.b64encode(b"k" * 32).decode(), "not random"),
        (base64.b64encode(b"abcd" * 8).decode(), "not random"),
    ],
)
def test_an_unsuitable_master_key_fails(settings, tmp_path, no_master_key, monkeypatch, value, words):
    settings.PRODUCTION = True
    settings.CHIZAI_HOME = tmp_path
    monkeypatch.setenv("CHIZAI_MASTER_KEY", value)
    messages = checks.check_master_key()
    assert _ids(messages) == ["chizai.E002"] and words in messages[0].msg


def test_a_good_master_key_from_env_or_file_passes(settings, tmp_path, no_master_key, monkeypatch):
    settings.PRODUCTION = True
    settings.CHIZAI_HOME = tmp_path
    monkeypatch.setenv("CHIZAI_MASTER_KEY", _random_key())
    assert checks.check_master_key() == []
    monkeypatch.delenv("CHIZAI_MASTER_KEY")
    key_file = tmp_path / "key"
    key_file.write_text(_random_key() + "\n")
    monkeypatch.setenv("CHIZAI_MASTER_KEY_FILE", str(key_file))
    assert checks.check_master_key() == []
    monkeypatch.setenv("CHIZAI_MASTER_KEY_FILE", str(tmp_path / "missing"))
    assert _ids(checks.check_master_key()) == ["chizai.E001"]


def test_the_embedded_tier_without_a_key_yet_passes(settings, tmp_path, no_master_key):
    settings.PRODUCTION = False
    settings.CHIZAI_HOME = tmp_path
    assert checks.check_master_key() == []  # created on the first upload


MANIFEST_STORAGE = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}


def test_static_manifest_missing_then_collected_then_stale(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": MANIFEST_STORAGE}
    messages = checks.check_static_manifest()
    assert _ids(messages) == ["chizai.E003"] and "collectstatic" in messages[0].hint

    call_command("collectstatic", interactive=False, verbosity=0)
    assert checks.check_static_manifest() == []

    manifest_path = tmp_path / "static" / "staticfiles.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["paths"].pop("chizai/app.css")
    manifest_path.write_text(json.dumps(manifest))
    messages = checks.check_static_manifest()
    assert _ids(messages) == ["chizai.E003"] and "out of date" in messages[0].msg


def test_plain_static_storage_needs_no_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    assert checks.check_static_manifest() == []


def test_local_storage_must_be_a_writable_folder(settings, tmp_path):
    assert checks.check_storage() == []  # the test's own folder (root conftest)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocker / "files"},
        },
    }
    messages = checks.check_storage()
    assert _ids(messages) == ["chizai.E004"] and "not a folder" in messages[0].msg


def test_unreachable_s3_fails_fast(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "chizai",
                "endpoint_url": "http://127.0.0.1:9",
                "access_key": "a",
                "secret_key": "b",
            },
        },
    }
    messages = checks.check_storage()
    assert _ids(messages) == ["chizai.E004"] and "'chizai'" in messages[0].msg


def test_unreachable_database_fails(db, monkeypatch):
    assert checks.check_database() == []

    def refused(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    with monkeypatch.context() as patched:  # undone before the test database is torn down
        patched.setattr(db_base.BaseDatabaseWrapper, "cursor", refused)
        messages = checks.check_database()
    assert _ids(messages) == ["chizai.E005"] and "Connection refused" in messages[0].msg


def test_checks_are_registered_for_deploy_only():
    from django.core.checks import registry

    deploy = registry.registry.get_checks(include_deployment_checks=True)
    plain = registry.registry.get_checks(include_deployment_checks=False)
    for check in checks.DEPLOY_CHECKS:
        assert check in deploy and check not in plain


# --- the command, as docs/deploy.md runs it --------------------------------------------


def _production_env(home: Path, **extra) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CHIZAI_", "DJANGO_"))}
    environ.update(
        {
            "CHIZAI_PRODUCTION": "1",
            "CHIZAI_HOME": str(home),
            "CHIZAI_ALLOWED_HOSTS": "chizai.example.jp",
            "CHIZAI_SECRET_KEY": STRONG_SECRET,
            "CHIZAI_MASTER_KEY": _random_key(),
        }
    )
    environ.update(extra)
    return {k: v for k, v in environ.items() if v is not None}


def _chizai(environ: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHIZAI, *args], env=environ, capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.mark.slow
def test_check_deploy_fails_on_each_problem_and_passes_when_set_up(tmp_path):
    home = tmp_path / "home"
    good = _production_env(home)
    assert _chizai(good, "collectstatic", "--noinput").returncode == 0
    passed = _chizai(good, "check", "--deploy", "--fail-level", "WARNING")
    assert passed.returncode == 0, passed.stdout + passed.stderr

    cases = {
        "chizai.E001": _production_env(home, CHIZAI_MASTER_KEY=None),
        "chizai.E002": _production_env(home, CHIZAI_MASTER_KEY=base64.b64encode(b"k" * 32).decode()),
        "chizai.E003": _production_env(tmp_path / "no-collectstatic"),
        "chizai.E004": _production_env(
            home,
            CHIZAI_STORAGE="s3",
            CHIZAI_S3_BUCKET="chizai",
            CHIZAI_S3_ENDPOINT_URL="http://127.0.0.1:9",
            CHIZAI_S3_ACCESS_KEY="a",
            CHIZAI_S3_SECRET_KEY="b",
        ),
        "chizai.E005": _production_env(
            home, CHIZAI_DATABASE_URL="postgres://chizai@127.0.0.1:9/chizai", CHIZAI_DB_CONNECT_TIMEOUT="2"
        ),
    }
    for check_id, environ in cases.items():
        result = _chizai(environ, "check", "--deploy")
        assert result.returncode != 0 and check_id in result.stderr, (check_id, result.stdout, result.stderr)


@pytest.mark.s3
def test_reachable_s3_bucket_passes_and_a_missing_one_fails(settings):
    import uuid

    import boto3

    endpoint = os.environ.get("CHIZAI_TEST_S3_ENDPOINT_URL", "")
    if not endpoint or os.environ.get("CHIZAI_STORAGE") != "s3":
        pytest.skip("the S3 tier runs in `make test-s3` (CHIZAI_STORAGE=s3 and CHIZAI_TEST_S3_ENDPOINT_URL)")
    bucket = f"chizai-check-{uuid.uuid4().hex[:10]}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    ).create_bucket(Bucket=bucket)
    options = {"endpoint_url": endpoint, "region_name": "us-east-1", "access_key": "test", "secret_key": "test"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "bucket_name": bucket}},
    }
    assert checks.check_storage() == []
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "bucket_name": bucket + "-missing"},
        },
    }
    assert _ids(checks.check_storage()) == ["chizai.E004"]
