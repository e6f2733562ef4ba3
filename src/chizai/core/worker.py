"""``chizai worker``: takes due jobs from the ``Job`` table, runs the clock-driven schedule,
and records a heartbeat so that health checks can tell a live worker from a dead one.

One loop per process: claim the job due longest (``jobs.claim_next``), run it, repeat; when
nothing is due, wait for the PostgreSQL doorbell (LISTEN) or the poll interval. A thread
renews the worker's heartbeat and the lease of the job in hand, so a slow job that is still
being worked on is never handed to a second worker, while a killed worker's lease runs out
and another worker runs the job again. SIGTERM/SIGINT let the job in hand finish, then stop.
"""

from __future__ import annotations

import contextlib

import importlib
import logging
import os
import signal
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from chizai.core import jobs
from chizai.core.models import Job, WorkerHeartbeat

logger = logging.getLogger(__name__)


# Work that starts by the clock: ("module:function", period in seconds). Each function must be
# idempotent for its period (it enqueues jobs with a dedupe key), so any number of workers
# may call it without sending anything twice.
SCHEDULE: list[tuple[str, float]] = [
    ("chizai.disclosure.duties:schedule_reminders", 3600.0),
]

# Heartbeat rows of workers not seen for this long are deleted when a worker starts.
FORGET_WORKERS_AFTER = timedelta(days=7)


def run_due_schedules(last_run: dict[str, float], now: float | None = None) -> list[str]:
    """Call each scheduled function whose period has passed; returns those called."""
    now = time.monotonic() if now is None else now
    called = []
    for path, period in SCHEDULE:
        if now - last_run.get(path, -period) < period:
            continue
        module_name, func_name = path.split(":")
        try:
            getattr(importlib.import_module(module_name), func_name)()
            called.append(path)
        except Exception:  # noqa: BLE001 - one failing schedule must not stop the others
            logger.exception("scheduled task %s failed", path)
        last_run[path] = now
    return called


class Doorbell:
    """LISTEN on PostgreSQL's job channel on a connection of its own; ``wait`` returns early on a NOTIFY.

    Anything going wrong here only makes the worker fall back to polling.
    """

    def __init__(self):
        self._conn = None

    def _connect(self):
        if self._conn is None:
            raw = connection.get_new_connection(connection.get_connection_params())
            raw.autocommit = True
            raw.execute(f"LISTEN {jobs.DOORBELL_CHANNEL}")
            self._conn = raw
        return self._conn

    def wait(self, timeout: float, stop: threading.Event) -> None:
        try:
            conn = self._connect()
            for _ in conn.notifies(timeout=timeout, stop_after=1):
                break
            # several NOTIFYs may have come at once; one wake-up is enough
            for _ in conn.notifies(timeout=0):
                pass
        except Exception:  # noqa: BLE001 - fall back to the poll
            logger.warning("job doorbell (LISTEN) failed; polling every %.1f s", timeout, exc_info=True)
            self.close()
            stop.wait(timeout)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                self._conn.close()
            self._conn = None


class _Heart:
    """Renews the worker's heartbeat row and the lease of the job in hand, from its own thread."""

    def __init__(self, name: str, every: float):
        self.name, self.every = name, every
        self.jobs_done = 0
        self.current: Job | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="chizai-worker-heartbeat", daemon=True)

    def beat(self) -> None:
        WorkerHeartbeat.objects.filter(name=self.name).update(seen_at=timezone.now(), jobs_done=self.jobs_done)
        job = self.current
        if job is not None:
            jobs.heartbeat(job)

    def _run(self) -> None:
        try:
            while not self.stop.wait(self.every):
                try:
                    self.beat()
                except DatabaseError:
                    logger.warning("worker heartbeat failed", exc_info=True)
                    connection.close()
        finally:
            connection.close()


def _register(name: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_WORKERS_AFTER).delete()
    WorkerHeartbeat.objects.update_or_create(
        name=name,
        defaults={"host": socket.gethostname(), "pid": os.getpid(), "started_at": now, "seen_at": now, "jobs_done": 0},
    )


def run_worker(*, once: bool = False, interval: float | None = None) -> None:
    interval = settings.CHIZAI_WORKER_POLL_SECONDS if interval is None else interval
    jobs.recover_stale()
    if once:
        run_due_schedules({})
        jobs.run_pending()
        return
    name = jobs.worker_name()
    stop = threading.Event()

    def request_stop(signum, frame):
        logger.warning("worker %s: signal %s, stopping after the job in hand", name, signum)
        stop.set()
        signal.signal(signum, signal.SIG_DFL)  # a second signal stops at once

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    _register(name)
    # renew well within the lease, and often enough for queue_health's 2 × poll + 30 s window
    heart = _Heart(name, every=max(0.2, min(interval, settings.CHIZAI_JOB_LEASE_SECONDS / 3, 10.0)))
    heart.thread.start()
    doorbell = Doorbell() if connection.vendor == "postgresql" else None
    last_run: dict[str, float] = {}
    try:
        while not stop.is_set():
            try:
                run_due_schedules(last_run)
                job = jobs.claim_next(name)
                if job is not None:
                    heart.current = job
                    try:
                        jobs.run_claimed(job)
                    finally:
                        heart.current = None
                        heart.jobs_done += 1
                    continue
            except DatabaseError:
                # the database went away or restarted: drop the connection and try again later
                logger.exception("worker %s: database error; retrying in %.1f s", name, interval)
                connection.close()
                stop.wait(interval)
                continue
            close_old_connections()
            if doorbell is not None:
                doorbell.wait(interval, stop)
            else:
                stop.wait(interval)
    finally:
        heart.stop.set()
        heart.thread.join(timeout=5)
        if doorbell is not None:
            doorbell.close()
        with contextlib.suppress(DatabaseError):
            WorkerHeartbeat.objects.filter(name=name).delete()  # a stopped worker is no worker
