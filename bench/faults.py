"""Fault benchmark: break one part at a time while users work, then count the damage.

Not a test. Bounded, loopback only. Prints one JSON object. Phases, in order, each
``--phase-seconds`` long while ``--users`` sessions walk the mix of ``bench/load.py``:

  baseline        nothing broken
  web_worker      one gunicorn worker killed (SIGKILL); gunicorn respawns it
  job_worker      a job worker killed (SIGKILL) midway, restarted 2 s later (as systemd would)
  s3_refused      production tier: the S3 endpoint refuses connections
  s3_hung         production tier: the S3 endpoint accepts and never answers

There is no broker to kill: the queue is the database (docs/deploy.md, "Background work").
The S3 faults go through a small TCP proxy in this process between the app and moto, so the
objects stored before the fault are still there after it.

Printed per phase: requests, answers by status (0 = no answer), 500s, 503s, and the p99 of the
pages that never touch the storage. After the run and a drain: jobs lost (never finished),
jobs failed, jobs run more than once and whether each re-run is explained by a killed worker,
partial records (a file version whose stored object is missing, a review with no job left to
finish it), and upload answers that were 500.

    python bench/faults.py --tier production --users 20 --phase-seconds 25
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import socket
import threading
import time
from collections import defaultdict
from pathlib import Path

from load import ORG, Stack, free_port, load_average, percentile, run_users, targets_from_database  # noqa: I001

STORAGE_FREE_PAGES = {
    "home",
    "register_list",
    "search",
    "reviews",
    "disclosure",
    "deals",
    "asset_detail",
    "login",
    "login_form",
}


class FaultProxy:
    """TCP proxy whose mode can be switched: pass, refuse (nothing listens) or hang (accept, never answer)."""

    def __init__(self, listen_port: int, target_port: int):
        self.listen_port, self.target_port = listen_port, target_port
        self.mode = "pass"
        self.server: socket.socket | None = None
        self.held: list[socket.socket] = []
        self._listen()

    def _listen(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.listen_port))
        server.listen(256)
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            if self.mode == "hang":
                self.held.append(client)
                continue
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            client.close()
            return
        sockets = [client, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 60)
                if not readable:
                    break
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            pass
        finally:
            client.close()
            upstream.close()

    def set(self, mode: str) -> None:
        if mode == "refuse" and self.server is not None:
            self.server.close()
            self.server = None
        elif mode != "refuse" and self.server is None:
            self._listen()
        if mode != "hang":
            for sock in self.held:
                sock.close()
            self.held.clear()
        self.mode = mode


def gunicorn_children(stack: Stack) -> list[int]:
    children = Path(f"/proc/{stack.web.pid}/task/{stack.web.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def phase_report(samples, start: float, end: float) -> dict:
    rows = [s for s in samples if start <= s.started < end]
    statuses = defaultdict(int)
    for s in rows:
        statuses[str(s.status)] += 1
    free = [s.seconds * 1000 for s in rows if s.page in STORAGE_FREE_PAGES]
    return {
        "requests": len(rows),
        "answers": dict(sorted(statuses.items())),
        "http_500": statuses.get("500", 0),
        "http_503": statuses.get("503", 0),
        "no_answer": statuses.get("0", 0),
        "storage_free_p99_ms": round(percentile(free, 0.99), 1) if free else None,
        "uploads": sum(1 for s in rows if s.page == "upload"),
        "upload_500": sum(1 for s in rows if s.page == "upload" and s.status == 500),
    }


def drain(seconds: float = 150.0) -> None:
    # a job that met the storage outage waits jobs.OUTAGE_RETRY (60 s) before it tries again
    from chizai.core.models import Job

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and Job.objects.filter(finished_at__isnull=True).exists():
        time.sleep(1)


def _stored(storage, name: str, patience: float = 60.0) -> bool:
    """Whether the object exists, asked again while this process's own outage cooldown runs."""
    from chizai.core.storage import StorageUnavailable

    deadline = time.monotonic() + patience
    while True:
        try:
            return storage.exists(name)
        except StorageUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def damage(killed_jobs: set[int]) -> dict:
    from django.core.files.storage import default_storage

    from chizai.core.models import Job
    from chizai.register.models import FileVersion
    from chizai.review.models import ContractReview

    unfinished = list(Job.objects.filter(finished_at__isnull=True).values_list("pk", "kind", "status"))
    failed = list(Job.objects.filter(status=Job.Status.FAILED).values_list("pk", "kind", "last_error"))
    rerun = list(Job.objects.filter(attempts__gt=1).values_list("pk", flat=True))
    missing_objects = [v.pk for v in FileVersion.objects.all() if not _stored(default_storage, v.storage_name)]
    review_fields = {f.name for f in ContractReview._meta.get_fields()}
    stuck_reviews = []
    if "status" in review_fields:
        live = set(
            Job.objects.filter(kind="review.run", finished_at__isnull=True).values_list("params__review_id", flat=True)
        )
        stuck_reviews = [
            r
            for r in ContractReview.objects.filter(status__in=["queued", "running"]).values_list("pk", flat=True)
            if r not in live
        ]
    return {
        "jobs_total": Job.objects.count(),
        "jobs_lost": len(unfinished),
        "jobs_lost_ids": unfinished[:10],
        "jobs_failed": len(failed),
        "jobs_failed_errors": [f"{k}: {e[:120]}" for _, k, e in failed[:5]],
        "jobs_run_more_than_once": len(rerun),
        "reruns_not_explained_by_a_killed_worker": len(set(rerun) - killed_jobs),
        "partial_records": {"versions_without_object": missing_objects, "reviews_without_job": stuck_reviews},
    }


def running_job_of(worker_pid: int) -> set[int]:
    from chizai.core.models import Job

    return set(
        Job.objects.filter(status=Job.Status.RUNNING, worker__endswith=f":{worker_pid}").values_list("pk", flat=True)
    )


def busy(worker_pid: int, patience: float = 15.0) -> set[int]:
    """Give the job workers long jobs until ``worker_pid`` is midway through one; its ids.

    The site's own jobs take milliseconds, so a worker killed at a random moment is almost
    always idle; this makes the kill land where it hurts."""
    from chizai.core import jobs
    from chizai.core.models import Organization

    organization = Organization.objects.get(slug=ORG)
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        running = running_job_of(worker_pid)
        if running:
            return running
        jobs.enqueue(None, organization, "core.selftest", {"sleep_first_attempt": 8})
        time.sleep(0.5)
    return set()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tier", choices=["embedded", "production"], default="production")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--phase-seconds", type=float, default=25)
    args = parser.parse_args()
    phases = ["baseline", "web_worker", "job_worker"] + (["s3_refused", "s3_hung"] if args.tier == "production" else [])
    stack = Stack(args.tier)
    stack.env["CHIZAI_JOB_LEASE_SECONDS"] = "20"  # a killed worker's job is taken over within the drain
    proxy = None
    if args.tier == "production":
        stack.moto_port = free_port()
        proxy = FaultProxy(stack.s3_port, stack.moto_port)
    stack.up()
    killed_jobs: set[int] = set()
    marks: list[tuple[str, float, float]] = []
    try:
        stack.django()
        targets = targets_from_database()
        total = args.phase_seconds * len(phases)
        results: dict = {}
        runner = threading.Thread(
            target=lambda: results.setdefault("samples", run_users(stack.base, args.users, total, targets))
        )
        load_before = load_average()
        runner.start()
        time.sleep(2.5)  # users have logged in
        for phase in phases:
            start = time.monotonic()
            if phase == "web_worker":
                os.kill(gunicorn_children(stack)[0], signal.SIGKILL)
            elif phase == "job_worker":
                time.sleep(args.phase_seconds / 3)
                victim = stack.workers[0]
                killed_jobs |= busy(victim.pid)
                victim.kill()
                victim.wait()
                time.sleep(2)
                stack.workers.remove(victim)
                stack.start_worker()
            elif phase == "s3_refused":
                proxy.set("refuse")
            elif phase == "s3_hung":
                proxy.set("hang")
            time.sleep(max(0.0, start + args.phase_seconds - time.monotonic()))
            if proxy is not None:
                proxy.set("pass")
            marks.append((phase, start, time.monotonic()))
        runner.join()
        drain()
        samples = results.get("samples", [])
        report = {
            "tier": args.tier,
            "users": args.users,
            "phase_seconds": args.phase_seconds,
            "load_average_before": load_before,
            "load_average_after": load_average(),
            "phases": {name: phase_report(samples, start, end) for name, start, end in marks},
            "jobs_running_on_the_killed_worker": sorted(killed_jobs),
            "after_drain": damage(killed_jobs),
        }
        print(json.dumps(report, ensure_ascii=False, indent=1))
    finally:
        if proxy is not None:
            proxy.set("pass")
        stack.down()


if __name__ == "__main__":
    main()
