"""Real `chizai worker` processes: one killed in the middle of a job, two sharing a queue."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

CHIZAI = str(Path(sys.executable).with_name("chizai"))


@pytest.fixture
def worker_env(tmp_path, transactional_db):
    """Environment for chizai subprocesses that share this test's database.

    On PostgreSQL they use the test database itself (this test commits, so they see its rows);
    SQLite's test database lives in this process's memory, so there they get a migrated one of their own.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHIZAI_", "DJANGO_"))}
    env.update(CHIZAI_HOME=str(tmp_path), CHIZAI_JOB_LEASE_SECONDS="2", CHIZAI_SECRET_KEY="worker-test-key")
    if connection.vendor == "postgresql":
        url = urlsplit(os.environ["CHIZAI_DATABASE_URL"])
        env["CHIZAI_DATABASE_URL"] = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    else:
        subprocess.run([CHIZAI, "migrate", "-v0"], env=env, check=True, timeout=120)
    return env


def _shell(env, code):
    result = subprocess.run([CHIZAI, "shell", "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def _enqueue(env, params, count=1):
    return _shell(
        env,
        "from chizai.core import jobs; from django.db import transaction\n"
        f"with transaction.atomic(): ids = [jobs.enqueue(None, None, 'core.selftest', {params!r}).pk for _ in range({count})]\n"
        "print(ids[0])",
    )


def _wait_for(env, code, expected, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _shell(env, code) == expected:
            return
        time.sleep(0.3)
    pytest.fail(f"{code!r} never printed {expected!r}")


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_killed_worker_loses_no_job_and_it_runs_again_exactly_once(worker_env):
    env = worker_env
    job_id = _enqueue(env, {"sleep_first_attempt": 60})
    worker = subprocess.Popen(
        [CHIZAI, "worker", "--interval", "0.2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    status_code = f"from chizai.core.models import Job; j = Job.objects.get(pk={job_id}); print(j.status, j.attempts)"
    try:
        _wait_for(env, status_code, "running 1", 30)
        worker.send_signal(signal.SIGKILL)  # dies midway, no chance to clean up
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert _shell(env, status_code) == "running 1"
    # the dead worker's lease (2 s) runs out; a live worker takes the job over
    second = subprocess.Popen(
        [CHIZAI, "worker", "--interval", "0.2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for(env, status_code, "succeeded 2", 30)
        time.sleep(3)  # longer than a lease: nobody takes the finished job again
        assert _shell(env, status_code) == "succeeded 2"
    finally:
        _stop(second)
    assert second.returncode == 0  # SIGTERM stops a worker cleanly


@pytest.mark.slow
@pytest.mark.postgres
def test_two_worker_processes_on_postgresql_share_the_queue_and_never_run_a_job_twice(worker_env):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL")
    env = worker_env
    workers = [
        subprocess.Popen(
            [CHIZAI, "worker", "--interval", "5"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(2)
    ]
    try:
        from chizai.core import jobs
        from chizai.core.models import Job

        deadline = time.monotonic() + 30
        while len(jobs.queue_health()["workers"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(jobs.queue_health()["workers"]) == 2
        # idle workers poll every 5 s; the doorbell (NOTIFY) starts a new job well before that
        committed = time.monotonic()
        single = jobs.enqueue(None, None, "core.selftest")
        while Job.objects.get(pk=single.pk).status != "succeeded" and time.monotonic() - committed < 10:
            time.sleep(0.05)
        assert time.monotonic() - committed < 2.5
        for _ in range(300):
            jobs.enqueue(None, None, "core.selftest")
        deadline = time.monotonic() + 90
        while Job.objects.exclude(status="succeeded").exists() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert set(Job.objects.values_list("status", "attempts").distinct()) == {("succeeded", 1)}
        assert len(set(Job.objects.values_list("worker", flat=True))) == 2
        deadline = time.monotonic() + 10  # the heartbeat reports jobs_done a beat later
        while sum(w["jobs_done"] for w in jobs.queue_health()["workers"]) < 301 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sum(w["jobs_done"] for w in jobs.queue_health()["workers"]) == 301
    finally:
        for worker in workers:
            _stop(worker)
