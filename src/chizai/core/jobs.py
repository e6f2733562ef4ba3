"""Background jobs: one API for everything slow (reviews, extraction, indexing, reminders).

The ``Job`` row is the queue. ``enqueue`` only writes the row, in the caller's transaction,
so a user's write and its jobs commit together and nothing outside the database can make
that write fail. ``chizai worker`` takes due rows itself: on PostgreSQL with
``SELECT … FOR UPDATE SKIP LOCKED`` (many workers on many hosts never wait on each other),
on SQLite with a conditional UPDATE (one writer at a time anyway). A taken job carries a
lease; a worker that dies stops renewing it, and once it runs out the job is due again and
the next worker takes it. A failed attempt is retried with exponential backoff until
``max_attempts``; an attempt that met a storage outage does not count (it is tried again
every ``OUTAGE_RETRY``, for as long as the outage lasts). On PostgreSQL a NOTIFY after commit wakes idle workers at once; it is
only a doorbell: when it fails the workers still find the job at their next poll.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import time
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from chizai.core.models import Job, WorkerHeartbeat
from chizai.core.storage import StorageUnavailable

logger = logging.getLogger(__name__)

# Job kind -> "module:function". Each function takes (job) and returns a JSON-able result.
# Listed here, not discovered, so that what can run in the background is plain to read.
HANDLERS: dict[str, str] = {
    "core.selftest": "chizai.core.jobs:selftest_handler",
    "disclosure.reminders": "chizai.disclosure.duties:reminders_handler",
    "register.index": "chizai.register.services:index_handler",
    "review.run": "chizai.review.services:run_review_job",
}

# The PostgreSQL channel idle workers LISTEN on.
DOORBELL_CHANNEL = "chizai_jobs"


class RetryLater(Exception):
    """Raise from a handler for a passing failure (a mail server that is down)."""


# A job that found the file storage down is not at fault: it waits for the storage, however
# long the outage, instead of using up its attempts and failing for good.
OUTAGE_RETRY = timedelta(seconds=60)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _lease():
    return timezone.now() + timedelta(seconds=settings.CHIZAI_JOB_LEASE_SECONDS)


def _due(now) -> Q:
    """Waiting jobs whose time has come, and taken jobs whose worker stopped renewing the lease."""
    return Q(status=Job.Status.QUEUED, run_after__lte=now) | Q(status=Job.Status.RUNNING, lease_until__lt=now)


def _ring_doorbell() -> None:
    """Wake idle PostgreSQL workers. Runs after commit; a failure costs at most one poll interval."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [DOORBELL_CHANNEL])
    except Exception:  # noqa: BLE001 - the job is committed; the workers' poll finds it
        logger.warning("job doorbell (NOTIFY) failed; workers will find the job at their next poll", exc_info=True)


def enqueue(
    actor,
    organization,
    kind: str,
    params: dict | None = None,
    *,
    dedupe_key: str | None = None,
    run_after=None,
    max_attempts: int | None = None,
) -> Job:
    """Record a job; it is due as soon as the surrounding transaction commits.

    ``dedupe_key`` makes a second submission of the same work return the first job.
    """
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    if dedupe_key:
        existing = Job.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    job = Job.objects.create(
        organization=organization,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        params=params or {},
        dedupe_key=dedupe_key,
        run_after=run_after or timezone.now(),
        max_attempts=max_attempts or settings.CHIZAI_JOB_MAX_ATTEMPTS,
    )
    if connection.vendor == "postgresql" and not _doorbell_pending():
        transaction.on_commit(_ring_doorbell)
    return job


def _doorbell_pending() -> bool:
    """One ring per transaction is enough, however many jobs it commits."""
    return any(entry[1] is _ring_doorbell for entry in connection.run_on_commit)


def claim(job_id: int, worker: str | None = None) -> Job | None:
    """Take this job if it is due and nobody holds it; None when another worker has it."""
    taken = (
        Job.objects.filter(pk=job_id)
        .filter(_due(timezone.now()))
        .update(
            status=Job.Status.RUNNING, lease_until=_lease(), worker=worker or worker_name(), attempts=F("attempts") + 1
        )
    )
    return Job.objects.get(pk=job_id) if taken else None


def claim_next(worker: str | None = None) -> Job | None:
    """Take the job that has been due longest, or None when nothing is due."""
    now = timezone.now()
    due = Job.objects.filter(_due(now)).order_by("run_after", "pk")
    if connection.features.has_select_for_update_skip_locked:
        # The row lock lasts only this short transaction: rows other workers are taking are
        # skipped, not waited for; the lease then marks the job as taken.
        with transaction.atomic():
            job_id = due.select_for_update(skip_locked=True).values_list("pk", flat=True).first()
            if job_id is None:
                return None
            Job.objects.filter(pk=job_id).update(
                status=Job.Status.RUNNING,
                lease_until=_lease(),
                worker=worker or worker_name(),
                attempts=F("attempts") + 1,
            )
        return Job.objects.get(pk=job_id)
    # SQLite has no SKIP LOCKED; the conditional UPDATE in claim() lets one worker win a
    # candidate and the others move on to the next.
    for job_id in due.values_list("pk", flat=True)[:10]:
        job = claim(job_id, worker)
        if job is not None:
            return job
    return None


def heartbeat(job: Job, progress: int | None = None, note: str | None = None) -> None:
    """Extend the lease and show progress; long handlers call this as they go."""
    fields = {"lease_until": _lease()}
    if progress is not None:
        fields["progress"] = max(0, min(100, int(progress)))
    if note is not None:
        fields["progress_note"] = note[:200]
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker).update(**fields)


def _handler(kind: str):
    module_name, func_name = HANDLERS[kind].split(":")
    return getattr(importlib.import_module(module_name), func_name)


def run_claimed(job: Job) -> str:
    """Run a job this worker has claimed and record the outcome. Returns the job's status afterwards."""
    if job.attempts > job.max_attempts:
        # Only a worker that died mid-attempt leaves attempts above the limit: a job that kills
        # its worker every time must not be handed from worker to worker for ever.
        Job.objects.filter(pk=job.pk, worker=job.worker).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            lease_until=None,
            last_error=(job.last_error + "\n" if job.last_error else "")
            + f"the worker running it stopped before finishing ({job.attempts - 1} attempts)",
        )
        return "failed"
    try:
        result = _handler(job.kind)(job)
    except StorageUnavailable as exc:
        logger.warning("job %s (%s) waits for the file storage: %s", job.pk, job.kind, exc)
        Job.objects.filter(pk=job.pk, worker=job.worker).update(
            status=Job.Status.QUEUED,
            run_after=timezone.now() + OUTAGE_RETRY,
            lease_until=None,
            attempts=F("attempts") - 1,
            last_error=f"{type(exc).__name__}: {exc}",
        )
        return "retrying"
    except Exception as exc:  # noqa: BLE001 - every failure is recorded for the user
        message = f"{type(exc).__name__}: {exc}"
        logger.warning("job %s (%s) attempt %s failed: %s", job.pk, job.kind, job.attempts, message)
        final = job.attempts >= job.max_attempts
        update: dict[str, object] = {
            "last_error": message + ("" if isinstance(exc, RetryLater) else "\n" + traceback.format_exc(limit=5)),
            "lease_until": None,
        }
        if final:
            update.update(status=Job.Status.FAILED, finished_at=timezone.now())
        else:
            update.update(status=Job.Status.QUEUED, run_after=timezone.now() + job.backoff())
        Job.objects.filter(pk=job.pk, worker=job.worker).update(**update)
        return "failed" if final else "retrying"
    Job.objects.filter(pk=job.pk, worker=job.worker).update(
        status=Job.Status.SUCCEEDED,
        result=result,
        progress=100,
        finished_at=timezone.now(),
        lease_until=None,
    )
    return "succeeded"


def execute(job_id: int, worker: str | None = None) -> str:
    """Run one job if it can be claimed. Returns the job's status afterwards."""
    job = claim(job_id, worker)
    if job is None:
        return "not-claimed"
    return run_claimed(job)


def run_next(worker: str | None = None) -> str | None:
    """Claim and run the job due longest; None when nothing is due."""
    job = claim_next(worker)
    return None if job is None else run_claimed(job)


def run_pending(max_tasks: int | None = None, worker: str | None = None) -> int:
    """Run due jobs in this process until none is due (tests, `chizai worker --once`). Returns attempts run."""
    ran = 0
    while max_tasks is None or ran < max_tasks:
        if run_next(worker) is None:
            break
        ran += 1
    return ran


def recover_stale() -> int:
    """Count jobs whose worker died (lease ran out); workers take them like any due job.

    Nothing needs re-queueing any more: an expired lease makes a job due by itself. This
    only reports, so that a worker that starts after a crash says what it will pick up.
    """
    count = Job.objects.filter(status=Job.Status.RUNNING, lease_until__lt=timezone.now()).count()
    if count:
        logger.warning("%s job(s) lost their worker (lease ran out); they run again", count)
    return count


def queue_health() -> dict:
    """The state of the queue for health checks and monitoring (``/healthz/jobs``).

    ``workers`` are the workers seen within two poll intervals plus 30 s; ``oldest_due_seconds``
    is how long the job that has waited longest has been due without a worker taking it.
    """
    now = timezone.now()
    alive_after = now - timedelta(seconds=2 * settings.CHIZAI_WORKER_POLL_SECONDS + 30)
    workers = [
        {
            "name": beat.name,
            "host": beat.host,
            "pid": beat.pid,
            "started_at": beat.started_at.isoformat(),
            "seen_at": beat.seen_at.isoformat(),
            "last_seen_seconds": round((now - beat.seen_at).total_seconds(), 1),
            "jobs_done": beat.jobs_done,
        }
        for beat in WorkerHeartbeat.objects.filter(seen_at__gte=alive_after).order_by("name")
    ]
    waiting_since = Job.objects.filter(status=Job.Status.QUEUED, run_after__lte=now).aggregate(t=Min("run_after"))["t"]
    orphaned_since = Job.objects.filter(status=Job.Status.RUNNING, lease_until__lt=now).aggregate(t=Min("lease_until"))[
        "t"
    ]
    oldest = min((t for t in (waiting_since, orphaned_since) if t is not None), default=None)
    return {
        "workers": workers,
        "queued": Job.objects.filter(status=Job.Status.QUEUED).count(),
        "running": Job.objects.filter(status=Job.Status.RUNNING).count(),
        "oldest_due_seconds": None if oldest is None else round((now - oldest).total_seconds(), 3),
        "failed_last_hour": Job.objects.filter(
            status=Job.Status.FAILED, finished_at__gte=now - timedelta(hours=1)
        ).count(),
    }


def selftest_handler(job: Job):
    """A job that proves the worker runs: fails ``fail_times`` times, then succeeds."""
    fail_times = int(job.params.get("fail_times", 0))
    if job.attempts <= fail_times:
        raise RetryLater(f"planned failure {job.attempts} of {fail_times}")
    if job.attempts == 1 and job.params.get("sleep_first_attempt"):
        time.sleep(float(job.params["sleep_first_attempt"]))  # long enough to be killed midway
    heartbeat(job, 50, "half way")
    return {"attempts": job.attempts}
