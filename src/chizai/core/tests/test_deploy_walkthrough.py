"""docs/deploy.md, followed on this machine as an operator follows it, so the guide and the product cannot drift.

The commands are read from the guide itself: the key one-liners of step 3, the variables of the
environment file of step 4, the ``sudo -u chizai sh -c '…'`` blocks (step 5 and the restore), the
``ExecStart`` lines of the web, worker and backup units, and the ``curl`` of /healthz. Only the paths
are moved into a temporary folder (/etc/chizai, /var/lib/chizai, /var/backups/chizai; the program is
this checkout's virtualenv) and the database and storage endpoints are this machine's: SQLite and
local files by default, a fresh PostgreSQL database per installation when CHIZAI_TEST_DATABASE_URL is a
postgres:// URL, a fresh bucket per installation when CHIZAI_TEST_S3_ENDPOINT_URL is set with
CHIZAI_STORAGE=s3 (`make test-s3`). Not exercised: apt-get, useradd, install -d's owners, chown,
createuser/createdb (the test makes the databases itself), systemctl and nginx.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
GUIDE = ROOT / "docs" / "deploy.md"
BIN = Path(sys.executable).parent  # this checkout's virtualenv stands in for /opt/chizai/venv
CHIZAI = str(BIN / "chizai")
DATABASE_SERVER = os.environ.get("CHIZAI_TEST_DATABASE_URL", "")
S3_ENDPOINT = os.environ.get("CHIZAI_TEST_S3_ENDPOINT_URL", "")
USE_POSTGRES = DATABASE_SERVER.startswith(("postgres://", "postgresql://"))
USE_S3 = bool(S3_ENDPOINT) and os.environ.get("CHIZAI_STORAGE") == "s3"
DEADLINE = (
    180.0  # seconds for the whole walk (a bound against hangs, not a timing test: 45–60 s alone, more under load)
)

pytestmark = [pytest.mark.slow, pytest.mark.s3]

SEED = r"""
from django.contrib.auth import get_user_model
from chizai.core import services as core_services
from chizai.register import services
owner = get_user_model().objects.create(username="walk-owner")
org = core_services.create_organization(owner, slug="walk-co", name_ja="手順書工業")
asset = services.create_asset(owner, org, title_ja="焼入れ条件", classification="secret")
print("ASSET", asset.pk)
"""

# Waits (bounded) until the worker has no job of the organisation left queued or running.
JOBS_DONE = r"""
import time
from chizai.core.models import Job
deadline = time.monotonic() + float(__import__("os").environ["WALK_WAIT"])
while True:
    jobs = list(Job.objects.filter(organization__slug="walk-co").order_by("pk"))
    if jobs and all(job.status in ("succeeded", "failed") for job in jobs) or time.monotonic() > deadline:
        break
    time.sleep(0.2)
print("JOBS", [[job.kind, job.status, job.worker, job.last_error[:200]] for job in jobs])
"""

DOWNLOAD = r"""
import hashlib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from chizai.register.models import FileVersion
client = Client()
client.force_login(get_user_model().objects.get(username="walk-owner"))
version = FileVersion.objects.get(file__asset__organization__slug="walk-co")
response = client.get(f"/o/walk-co/register/versions/{version.pk}/download/", secure=True,
                      HTTP_HOST=settings.ALLOWED_HOSTS[0])
body = b"".join(response.streaming_content) if response.streaming else response.content
print("DOWNLOAD", response.status_code, hashlib.sha256(body).hexdigest(), len(body))
"""


# --- the guide ---------------------------------------------------------------------------------


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return [body for fence, body in re.findall(r"```(\w*)\n(.*?)```", _guide(), re.S) if fence == lang]


def _block(lang: str, marker: str) -> str:
    found = [block for block in _blocks(lang) if marker in block]
    assert len(found) == 1, f"docs/deploy.md: expected one ```{lang} block with {marker!r}, found {len(found)}"
    return found[0]


def _exec_start(unit: str) -> str:
    """The ExecStart of the unit file named in the guide, systemd's %% escape undone."""
    block = _block("ini", f"/etc/systemd/system/{unit}")
    section = block.split(f"/etc/systemd/system/{unit}", 1)[1].split("# /etc/systemd/system/", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("ExecStart=")]
    assert len(lines) == 1, f"{unit}: {lines}"
    return lines[0].removeprefix("ExecStart=").replace("%%", "%")


def _service_scripts() -> list[str]:
    """The scripts of the guide's ``sudo -u chizai sh -c '…'`` blocks (step 5, then the restore)."""
    return re.findall(r"sudo -u chizai sh -c '(.*?)'", "\n".join(_blocks("sh")), re.S)


class Server:
    """One installation: the guide's folders, moved under ``root``."""

    def __init__(self, root: Path, backups: Path, database_url: str | None, bucket: str | None):
        self.etc, self.home, self.backups = root / "etc-chizai", root / "var-lib-chizai", backups
        self.database_url, self.bucket = database_url, bucket
        self.env_file = self.etc / "chizai.env"
        self.etc.mkdir(parents=True, mode=0o750)
        self.home.mkdir(mode=0o711)  # install -d -m 0711 (the umask would narrow mkdir's mode)
        self.home.chmod(0o711)
        self.etc.chmod(0o750)

    def localise(self, text: str) -> str:
        return (
            text.replace("/opt/chizai/venv/bin", str(BIN))
            .replace("/etc/chizai", str(self.etc))
            .replace("/var/lib/chizai", str(self.home))
            .replace("/var/backups/chizai", str(self.backups))
        )

    def environment(self) -> dict:
        """What systemd gives a unit: HOME of the account (useradd --home /var/lib/chizai; gunicorn keeps its
        control socket there) and EnvironmentFile='s KEY=VALUE lines."""
        environ = {**_clean_environment(), "HOME": str(self.home)}
        for line in self.env_file.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                key, _eq, value = line.partition("=")
                environ[key] = value
        return environ


# --- processes ---------------------------------------------------------------------------------


def _clean_environment() -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CHIZAI_", "DJANGO_", "AWS_"))}
    environ["PATH"] = f"{BIN}{os.pathsep}{environ.get('PATH', '/usr/bin:/bin')}"  # python3, pg_dump
    return environ


def _left(start: float) -> float:
    left = DEADLINE - (time.monotonic() - start)
    assert left > 1, "the walkthrough ran out of time"
    return left


def _run(
    argv: list[str], start: float, environ: dict | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv,
        env=environ if environ is not None else _clean_environment(),
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=_left(start),
        preexec_fn=lambda: os.umask(0o077),
    )


def _sh(script: str, start: float, **extra) -> subprocess.CompletedProcess:
    return _run(["sh", "-c", script], start, environ={**_clean_environment(), **extra})


def _as_service(server: Server, command: str, start: float, **extra) -> subprocess.CompletedProcess:
    """A command as the guide runs them: the environment file sourced by the shell."""
    return _sh(f"set -a; . {shlex.quote(str(server.env_file))}; set +a\n{command}", start, **extra)


def _shell(server: Server, code: str, start: float, **extra) -> str:
    done = _as_service(server, f"{shlex.quote(CHIZAI)} shell -c {shlex.quote(code)}", start, **extra)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _spawn(argv: list[str], server: Server, log: Path) -> subprocess.Popen:
    """A systemd unit's ExecStart: EnvironmentFile, UMask=0077, working directory /."""
    with log.open("wb") as out:
        return subprocess.Popen(
            argv,
            env=server.environment(),
            cwd="/",
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: os.umask(0o077),
        )


def _stop(process: subprocess.Popen | None, wait: float = 10) -> int | None:
    """systemctl stop: SIGTERM to the unit's processes, SIGKILL when they outstay ``wait``."""
    if process is None or process.poll() is not None:
        return None if process is None else process.returncode
    os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _log(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


# --- the walk ----------------------------------------------------------------------------------


@pytest.fixture
def endpoints(tmp_path):
    """Per installation (the running one, the one restored into): a database URL (None: SQLite) and a bucket."""
    databases, buckets = [None, None], [None, None]
    admin_url = None
    if USE_POSTGRES:
        psycopg = pytest.importorskip("psycopg", reason="CHIZAI_TEST_DATABASE_URL is PostgreSQL but psycopg is missing")
        if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
            pytest.skip("the guide's backups on PostgreSQL need pg_dump/pg_restore on PATH (postgresql-client)")
        base = DATABASE_SERVER.rpartition("/")[0]
        admin_url = f"{base}/postgres"
        names = [f"chizai_walk_{uuid.uuid4().hex[:10]}_{role}" for role in ("live", "restored")]
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for name in names:
                admin.execute(f'CREATE DATABASE "{name}"')
        databases = [f"{base}/{name}" for name in names]
    if USE_S3:
        boto3 = pytest.importorskip("boto3")
        client = boto3.client(
            "s3",
            endpoint_url=S3_ENDPOINT,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        buckets = [f"chizai-walk-{uuid.uuid4().hex[:10]}-{role}" for role in ("live", "restored")]
        for name in buckets:
            client.create_bucket(Bucket=name)
    yield list(zip(databases, buckets, strict=False))
    for name in buckets if USE_S3 else []:
        for listed in client.get_paginator("list_objects_v2").paginate(Bucket=name):
            for item in listed.get("Contents", []):
                client.delete_object(Bucket=name, Key=item["Key"])
        client.delete_bucket(Bucket=name)
    if admin_url:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _make_keys(server: Server, start: float) -> None:
    """Step 3: the guide's umask and one-liners; its chmod (chown needs root and the account: left out)."""
    block = server.localise(_block("sh", "umask 077"))
    lines = [line for line in block.splitlines() if line.strip()]
    protect = [line for line in lines if "chmod" in line]
    assert len(protect) == 1 and protect[0].startswith("chown ")
    chmod = "chmod " + protect[0].split("chmod ", 1)[1]
    made = _sh("set -e\n" + "\n".join(line for line in lines if line not in protect), start)
    assert made.returncode == 0, made.stderr
    for name in ("secret_key", "master_key"):
        assert stat.S_IMODE((server.etc / name).stat().st_mode) == 0o600, name  # private from the first byte
    assert _sh(chmod, start).returncode == 0
    for name in ("secret_key", "master_key"):
        assert stat.S_IMODE((server.etc / name).stat().st_mode) == 0o400, name
    assert len((server.etc / "secret_key").read_text().strip()) >= 50


def _write_env_file(server: Server) -> None:
    """Step 4: the guide's variables, with this machine's paths, database and storage."""
    guide_lines = [line for line in _block("sh", "CHIZAI_PRODUCTION=1").splitlines() if line.strip()]
    variables = dict(line.split("=", 1) for line in guide_lines)
    assert variables["CHIZAI_PRODUCTION"] == "1"
    assert {"CHIZAI_HOME", "CHIZAI_SECRET_KEY_FILE", "CHIZAI_MASTER_KEY_FILE", "CHIZAI_ALLOWED_HOSTS"} <= set(variables)
    out = []
    for key, value in variables.items():
        if key == "CHIZAI_DATABASE_URL":
            if server.database_url:
                out.append(f"{key}={server.database_url}")
        elif key == "CHIZAI_STORAGE":
            out.append(f"{key}={'s3' if server.bucket else 'local'}")
        elif key.startswith("CHIZAI_S3_"):
            if server.bucket:
                value = {"CHIZAI_S3_BUCKET": server.bucket, "CHIZAI_S3_ENDPOINT_URL": S3_ENDPOINT}.get(key, value)
                out.append(f"{key}={server.localise(value)}")
        else:
            out.append(f"{key}={server.localise(value)}")
    if server.bucket:
        for name in ("s3_access", "s3_secret"):  # "the storage credentials go into files the same way"
            assert f"{server.etc}/{name}" in "\n".join(out)
            (server.etc / name).write_text("test\n")
            (server.etc / name).chmod(0o400)
    server.env_file.write_text("\n".join(out) + "\n")
    server.env_file.chmod(0o640)
    for line in out:
        assert "…" not in line and "s3.example.jp" not in line, line  # the guide's placeholders replaced


def _healthz(port: int, start: float, wait: float = 30) -> dict:
    """Step 8: the guide's curl (its headers, its URL on our port); curl -f without -L: only 2xx passes."""
    line = next(line for line in _block("sh", "/healthz").splitlines() if line.startswith("curl "))
    argv = shlex.split(line)
    headers = dict(argv[i + 1].split(": ", 1) for i, arg in enumerate(argv) if arg == "-H")
    url = argv[-1]
    assert url == "http://127.0.0.1:8001/healthz", url
    url = url.replace(":8001/", f":{port}/")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    until = time.monotonic() + min(wait, _left(start))
    while True:
        try:
            with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as response:
                return {"status_code": response.status, **json.loads(response.read())}
        except urllib.error.HTTPError as exc:
            return {"status_code": exc.code, "body": exc.read()[:500]}
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > until:
                raise
            time.sleep(0.25)


def test_the_deploy_guide_works_as_written(tmp_path, endpoints):
    start = time.monotonic()
    gunicorn = BIN / "gunicorn"
    if not gunicorn.exists():
        pytest.skip(f"gunicorn is not installed in {BIN} (pip install -e '.[prod]')")
    if not shutil.which("sh"):
        pytest.skip("no POSIX sh on PATH")
    backups = tmp_path / "var-backups-chizai"
    backups.mkdir(mode=0o700)  # install -d -m 0700 … /var/backups/chizai
    live = Server(tmp_path / "live", backups, *endpoints[0])
    scripts = _service_scripts()
    assert len(scripts) == 2, scripts  # step 5, then the restore

    # 3-5: keys, environment file, schema + static files + deploy checks
    _make_keys(live, start)
    _write_env_file(live)
    setup = _sh(live.localise(scripts[0]), start)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "System check identified no issues" in setup.stdout, setup.stdout + setup.stderr

    # 6: the web unit and a worker unit, as systemd starts them
    web_argv = shlex.split(live.localise(_exec_start("chizai-web.service")))
    assert web_argv[0] == str(gunicorn) and web_argv[1] == "chizai.wsgi:application", web_argv
    assert web_argv[web_argv.index("--bind") + 1] == "127.0.0.1:8001"
    port = _free_port()
    web_argv[web_argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    web_argv[web_argv.index("--workers") + 1] = "2"  # the guide's 4, halved for a 2-CPU test machine
    worker_argv = shlex.split(live.localise(_exec_start("chizai-worker@.service")))
    assert worker_argv == [CHIZAI, "worker"], worker_argv
    web = worker = None
    try:
        web = _spawn(web_argv, live, tmp_path / "web.log")
        worker = _spawn(worker_argv, live, tmp_path / "worker.log")

        # 8: the health probe over the loopback, as the guide's curl asks it
        health = _healthz(port, start)
        assert health["status_code"] == 200, (health, _log(tmp_path / "web.log"))
        assert health["database"] == "ok" and health["storage"] == "ok" and health["status"] == "ok", health

        # the worker takes a real job: an upload's search indexing
        asset = _shell(live, SEED, start).split("ASSET ")[1].split()[0]
        marker = f"WALK{uuid.uuid4().hex[:12].upper()}"
        upload = tmp_path / "焼入れ手順.txt"
        body = ("焼入れ温度 850℃ 油冷、焼戻し 180℃。" * 4000 + f"\n{marker}\n").encode()
        upload.write_bytes(body)
        stored = _as_service(live, f"{shlex.quote(CHIZAI)} upload {asset} {shlex.quote(str(upload))}", start)
        assert stored.returncode == 0, stored.stdout + stored.stderr
        jobs = _shell(live, JOBS_DONE, start, WALK_WAIT=str(min(60, _left(start) - 5)))
        assert "'register.index', 'succeeded'" in jobs and "failed" not in jobs, (jobs, _log(tmp_path / "worker.log"))
        found = _as_service(
            live, f"{shlex.quote(CHIZAI)} search {marker} --org walk-co --user walk-owner --format json", start
        )
        assert found.returncode == 0 and "焼入れ条件" in found.stdout, found.stdout + found.stderr

        # 9: the backup unit's command, while the site keeps running
        backup_argv = shlex.split(live.localise(_exec_start("chizai-backup.service")))
        assert backup_argv[:2] == ["/bin/sh", "-c"], backup_argv
        made = _run(backup_argv, start, environ=live.environment(), cwd=Path("/"))
        assert made.returncode == 0, made.stdout + made.stderr
        [folder] = list(backups.iterdir())
        assert re.fullmatch(r"\d{8}T\d{4}Z", folder.name), folder.name
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert (folder / "manifest.json").is_file() and (folder / "KEYS-NOT-INCLUDED.txt").is_file()

        # restore: "systemctl stop chizai-web 'chizai-worker@*'" — the worker stops on SIGTERM
        assert _stop(worker) == 0, _log(tmp_path / "worker.log")
        _stop(web)
    finally:
        _stop(worker)
        _stop(web)

    # ... onto a new server: steps 1-4 done (empty database, empty storage, the off-site keys)
    restored = Server(tmp_path / "restored", backups, *endpoints[1])
    for name in ("secret_key", "master_key"):
        shutil.copy(live.etc / name, restored.etc / name)
        (restored.etc / name).chmod(0o400)
    _write_env_file(restored)
    script = restored.localise(scripts[1])
    assert len(re.findall(rf"{re.escape(str(backups))}/\d{{8}}T\d{{4}}Z", script)) == 1, script
    script = re.sub(rf"{re.escape(str(backups))}/\d{{8}}T\d{{4}}Z", str(folder), script)
    back = _sh(script, start)
    assert back.returncode == 0, back.stdout + back.stderr
    assert "Audit chain verified" in back.stdout, back.stdout + back.stderr
    assert "System check identified no issues" in back.stdout, back.stdout + back.stderr

    downloaded = _shell(restored, DOWNLOAD, start).split("DOWNLOAD ")[1].split()
    assert downloaded == ["200", hashlib.sha256(body).hexdigest(), str(len(body))], downloaded
    found = _as_service(
        restored, f"{shlex.quote(CHIZAI)} search {marker} --org walk-co --user walk-owner --format json", start
    )
    assert found.returncode == 0 and "焼入れ条件" in found.stdout, found.stdout + found.stderr  # the index came along
    assert time.monotonic() - start < DEADLINE
