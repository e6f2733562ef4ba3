"""A real `chizai worker` process killed in the middle of a job: another worker finishes it."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHIZAI = str(Path(sys.executable).with_name("chizai"))


def _env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHIZAI_", "DJANGO_"))}
    env.update(CHIZAI_HOME=str(home), CHIZAI_JOB_LEASE_SECONDS="2", CHIZAI_SECRET_KEY="worker-test-key")
    if os.environ.get("CHIZAI_DATABASE_URL"):
        pytest.skip("process test runs on the embedded SQLite tier (the PostgreSQL run covers claims in test_jobs)")
    return env


def _shell(env, code):
    result = subprocess.run([CHIZAI, "shell", "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


@pytest.mark.slow
def test_killed_worker_loses_no_job(tmp_path):
    env = _env(tmp_path)
    subprocess.run([CHIZAI, "migrate", "-v0"], env=env, check=True, timeout=120)
    job_id = _shell(env, "from chizai.core import jobs; from django.db import transaction\n"
                         "with transaction.atomic(): j = jobs.enqueue(None, None, 'core.selftest', {'sleep_first_attempt': 60})\n"
                         "print(j.pk)")
    worker = subprocess.Popen([CHIZAI, "worker", "--interval", "0.2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status_code = f"from chizai.core.models import Job; j = Job.objects.get(pk={job_id}); print(j.status, j.attempts)"
    try:
        for _ in range(100):
            if _shell(env, status_code).startswith("running"):
                break
            time.sleep(0.2)
        else:
            pytest.fail("the first worker never took the job")
        worker.send_signal(signal.SIGKILL)  # dies midway, no chance to clean up
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert _shell(env, status_code) == "running 1"
    time.sleep(2.5)  # the dead worker's lease runs out
    subprocess.run([CHIZAI, "worker", "--once"], env=env, check=True, timeout=120)
    assert _shell(env, status_code) == "succeeded 2"
