"""Job queue benchmark: throughput with 1, 2, 4 `chizai worker` processes and latency to start.

Not a test. Prints one JSON object. Runs the PostgreSQL tier (CHIZAI_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/chizai_bench, created with psql when missing) and the
SQLite tier (its own CHIZAI_HOME), each in a child process of its own.

    python bench/jobs.py [--jobs 2000] [--singles 20]

Throughput: the workers are started and idle first; then N ``core.selftest`` jobs (a no-op
that writes one progress update) are committed in one transaction, and jobs/s is N divided
by the time from that commit to the last job's ``finished_at``. Latency: one job at a time
committed to an idle single worker (default poll interval 1 s), measured from commit to its
``finished_at`` (the no-op job itself takes about a millisecond).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHIZAI = str(Path(sys.executable).with_name("chizai"))
PG_URL = "postgres://postgres@127.0.0.1:5432/chizai_bench"
SQLITE_HOME = "/tmp/chizai-bench-jobs"


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _tier(worker_counts, n_jobs, singles):
    """Runs inside the child process: Django is set up for one database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chizai.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.db import connection, transaction

    from chizai.core import jobs
    from chizai.core.models import Job, WorkerHeartbeat

    env = dict(os.environ)

    def start(count):
        Job.objects.all().delete()
        WorkerHeartbeat.objects.all().delete()
        procs = [
            subprocess.Popen([CHIZAI, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(count)
        ]
        deadline = time.monotonic() + 60
        while len(jobs.queue_health()["workers"]) < count:
            if time.monotonic() > deadline:
                raise SystemExit("workers did not start")
            time.sleep(0.2)
        return procs

    def stop(procs):
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)

    def finished_seconds_after(committed_at, pk=None):
        rows = Job.objects.filter(pk=pk) if pk else Job.objects.all()
        last = max(rows.values_list("finished_at", flat=True))
        return (last - committed_at).total_seconds()

    from django.utils import timezone

    result = {"vendor": connection.vendor, "throughput": {}}
    for count in worker_counts:
        procs = start(count)
        try:
            with transaction.atomic():
                for _ in range(n_jobs):
                    jobs.enqueue(None, None, "core.selftest")
            committed_at = timezone.now()
            deadline = time.monotonic() + 600
            while Job.objects.exclude(status="succeeded").exists():
                if time.monotonic() > deadline:
                    raise SystemExit("jobs did not finish")
                time.sleep(0.2)
            seconds = finished_seconds_after(committed_at)
            attempts = set(Job.objects.values_list("attempts", flat=True).distinct())
            result["throughput"][f"{count}_workers"] = {
                "jobs": n_jobs,
                "seconds": round(seconds, 2),
                "jobs_per_s": round(n_jobs / seconds, 1),
                "run_twice": Job.objects.filter(attempts__gt=1).count(),
                "attempts": sorted(attempts),
            }
        finally:
            stop(procs)
    procs = start(1)
    try:
        latencies = []
        for _ in range(singles):
            time.sleep(random.uniform(0.3, 1.3))  # commit at a random point of the worker's idle wait
            job = jobs.enqueue(None, None, "core.selftest")
            committed_at = timezone.now()
            while Job.objects.get(pk=job.pk).status != "succeeded":
                time.sleep(0.005)
            latencies.append(finished_seconds_after(committed_at, job.pk) * 1000)
        result["latency_ms_idle_single_worker"] = {
            "n": singles,
            "median": round(statistics.median(latencies), 1),
            "p95": round(_percentile(latencies, 0.95), 1),
            "max": round(max(latencies), 1),
        }
    finally:
        stop(procs)
    Job.objects.all().delete()
    print(json.dumps(result))


def _child(env, args, worker_counts):
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--workers",
            ",".join(map(str, worker_counts)),
            "--jobs",
            str(args.jobs),
            "--singles",
            str(args.singles),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--singles", type=int, default=20)
    parser.add_argument("--workers", default="")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _tier([int(n) for n in args.workers.split(",")], args.jobs, args.singles)
        return
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CHIZAI_", "DJANGO_"))}
    base.update(CHIZAI_SECRET_KEY="bench-jobs", CHIZAI_LOG_LEVEL="ERROR")
    pg_url = os.environ.get("CHIZAI_DATABASE_URL", PG_URL)
    db_name = pg_url.rsplit("/", 1)[1]
    subprocess.run(
        ["psql", pg_url.rsplit("/", 1)[0] + "/postgres", "-qc", f"CREATE DATABASE {db_name}"], capture_output=True
    )  # fails harmlessly when it exists
    pg_env = {**base, "CHIZAI_DATABASE_URL": pg_url, "CHIZAI_HOME": SQLITE_HOME + "-pg"}
    shutil.rmtree(SQLITE_HOME, ignore_errors=True)
    sqlite_env = {**base, "CHIZAI_HOME": SQLITE_HOME}
    for env in (pg_env, sqlite_env):
        subprocess.run([CHIZAI, "migrate", "-v0"], env=env, check=True)
    report = {
        "load_average_before": os.getloadavg(),
        "cpus": os.cpu_count(),
        "postgresql": _child(pg_env, args, [1, 2, 4]),
        "sqlite": _child(sqlite_env, args, [1, 2]),
        "load_average_after": os.getloadavg(),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
