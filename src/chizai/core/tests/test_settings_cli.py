import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chizai.conf import env

ROOT = Path(__file__).resolve().parents[4]
CHIZAI = str(Path(sys.executable).with_name("chizai"))


def test_env_helpers(monkeypatch, tmp_path):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    secret = tmp_path / "s"
    secret.write_text("from-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    monkeypatch.setenv("X_SECRET", "plain")
    assert env.env_bool("X_BOOL") is True
    assert env.env_int("X_INT", 1) == 42
    assert env.env_list("X_LIST") == ["a", "b", "c"]
    assert env.env_secret("X_SECRET") == "from-file"
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(env.ImproperlyConfiguredEnv, match="X_BOOL"):
        env.env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "many")
    with pytest.raises(env.ImproperlyConfiguredEnv, match="X_INT"):
        env.env_int("X_INT", 1)


def _run(args, **extra_env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CHIZAI_", "DJANGO_"))}
    environ.update(extra_env)
    return subprocess.run([CHIZAI, *args], capture_output=True, text=True, env=environ, timeout=120, cwd=ROOT)


def test_production_without_secret_key_stops_with_a_clear_message(tmp_path):
    result = _run(["check"], CHIZAI_PRODUCTION="1", CHIZAI_HOME=str(tmp_path))
    assert result.returncode != 0
    assert "CHIZAI_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr.splitlines()[-1]


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    production = dict(
        CHIZAI_PRODUCTION="1",
        CHIZAI_HOME=str(tmp_path),
        CHIZAI_ALLOWED_HOSTS="chizai.example.jp",
        CHIZAI_SECRET_KEY="k" * 20 + "Q9!x7#mZ2@pL5$wR8^tY1&uI4*oP6(aS3)dF0_gH-jK+lZ=xC",
        CHIZAI_MASTER_KEY=base64.b64encode(os.urandom(32)).decode(),
    )
    # chizai's own deploy checks want the master key and the static manifest (core/tests/test_checks.py)
    assert _run(["collectstatic", "--noinput"], **production).returncode == 0
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], **production)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr


def test_production_redirects_to_https_except_the_health_probes(tmp_path):
    probe = (
        "from django.test import Client; c = Client(); "
        "print(c.get('/healthz').status_code, c.get('/healthz/jobs').status_code, "
        "c.get('/accounts/login/').status_code)"
    )
    result = _run(
        ["shell", "-c", probe],
        CHIZAI_PRODUCTION="1",
        CHIZAI_HOME=str(tmp_path),
        CHIZAI_ALLOWED_HOSTS="testserver",
        CHIZAI_SECRET_KEY="k" * 50,
        CHIZAI_MASTER_KEY=base64.b64encode(os.urandom(32)).decode(),
    )
    health, jobs, login = result.stdout.split()[-3:]
    assert health != "301" and jobs != "301", result.stdout + result.stderr  # a load balancer asks over plain HTTP
    assert login == "301"


def test_help_lists_commands_in_plain_words_and_starts_fast():
    start = time.perf_counter()
    result = _run(["--help"])
    elapsed = time.perf_counter() - start
    assert result.returncode == 0
    for command in ("review", "audit", "demo", "worker"):
        assert command in result.stdout
    assert "Django management commands" in result.stdout
    assert elapsed < 5  # measured cold time is in the closing note; this only catches a regression


def test_unknown_commands_go_to_django(tmp_path):
    result = _run(["showmigrations", "core"], CHIZAI_HOME=str(tmp_path))
    assert result.returncode == 0 and "0001_initial" in result.stdout


def test_wrong_storage_setting_is_named(tmp_path):
    result = _run(["check"], CHIZAI_HOME=str(tmp_path), CHIZAI_STORAGE="ftp")
    assert result.returncode != 0 and "CHIZAI_STORAGE" in result.stderr


def test_unreachable_database_is_a_clear_503(client, org, owner, monkeypatch):
    from django.db import OperationalError
    from django.db.backends.base import base

    client.force_login(owner)

    def broken(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(base.BaseDatabaseWrapper, "cursor", broken)
        assert client.get("/healthz").status_code == 503
        response = client.get(f"/o/{org.slug}/")
    assert response.status_code == 503
    assert b"Traceback" not in response.content and "database" in response.content.decode().lower()


@pytest.mark.django_db(transaction=True)
def test_demo_loads_idempotently_and_its_chain_verifies():
    from chizai.core import audit
    from chizai.core.demo import load_demo
    from chizai.core.models import AuditEvent, Organization

    logins = load_demo()
    count = AuditEvent.objects.count()
    load_demo()
    assert AuditEvent.objects.count() == count
    assert any(line.startswith("owner ") for line in logins) and any("adviser" in line for line in logins)
    seiko = Organization.objects.get(slug="sample-seiko")
    assert seiko.prefecture == "愛知県" and seiko.memberships.count() == 4
    assert audit.verify().ok


@pytest.mark.parametrize("path", ["/static/chizai/app.css", "/static/chizai/htmx.min.js", "/static/chizai/app.js"])
def test_static_files_are_served(client, path):
    response = client.get(path)
    assert response.status_code == 200
