"""Background jobs: one API for everything slow (reviews, extraction, indexing, reminders).

``enqueue`` writes a ``Job`` row and hands "run job N" to Django's tasks interface
(django-tasks; the database backend by default, RQ or another queue in production).
``execute`` takes the job with a conditional UPDATE, so two workers never run it at
once; a failed attempt is retried with exponential backoff; a worker that dies leaves a
lease that runs out, and ``recover_stale`` hands the job to another worker.
"""
from __future__ import annotations

import importlib
import logging
import os
import socket
import traceback

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from chizai.core.models import Job

logger = logging.getLogger(__name__)

# Job kind -> "module:function". Each function takes (job) and returns a JSON-able result.
# Listed here, not discovered, so that what can run in the background is plain to read.
HANDLERS: dict[str, str] = {
    "core.selftest": "chizai.core.jobs:selftest_handler",
    "disclosure.reminders": "chizai.disclosure.duties:reminders_handler",
    "register.index": "chizai.register.services:index_handler",
    "review.run": "chizai.review.services:run_review_job",
}


class RetryLater(Exception):
    """Raise from a handler for a passing failure (a mail server that is down)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _lease():
    return timezone.now() + timezone.timedelta(seconds=settings.CHIZAI_JOB_LEASE_SECONDS)


def _dispatch(job: Job) -> None:
    from chizai.core.tasks import run_job

    task = run_job
    if job.run_after and job.run_after > timezone.now():
        task = run_job.using(run_after=job.run_after)
    task.enqueue(job.pk)


def enqueue(actor, organization, kind: str, params: dict | None = None, *, dedupe_key: str | None = None,
            run_after=None, max_attempts: int | None = None) -> Job:
    """Record a job and queue it once the surrounding transaction commits.

    ``dedupe_key`` makes a second submission of the same work return the first job.
    """
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    if dedupe_key:
        existing = Job.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    job = Job.objects.create(
        organization=organization, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind, params=params or {}, dedupe_key=dedupe_key, run_after=run_after or timezone.now(),
        max_attempts=max_attempts or settings.CHIZAI_JOB_MAX_ATTEMPTS,
    )
    transaction.on_commit(lambda: _dispatch(job))
    return job


def claim(job_id: int, worker: str | None = None) -> Job | None:
    """Take the job if it is due and nobody holds it; None when another worker has it."""
    now = timezone.now()
    taken = (
        Job.objects.filter(pk=job_id)
        .filter(Q(status=Job.Status.QUEUED, run_after__lte=now) | Q(status=Job.Status.RUNNING, lease_until__lt=now))
        .update(status=Job.Status.RUNNING, lease_until=_lease(), worker=worker or worker_name(), attempts=F("attempts") + 1)
    )
    return Job.objects.get(pk=job_id) if taken else None


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


def execute(job_id: int, worker: str | None = None) -> str:
    """Run one job if it can be claimed. Returns the job's status afterwards."""
    job = claim(job_id, worker)
    if job is None:
        return "not-claimed"
    try:
        result = _handler(job.kind)(job)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded for the user
        message = f"{type(exc).__name__}: {exc}"
        logger.warning("job %s (%s) attempt %s failed: %s", job.pk, job.kind, job.attempts, message)
        final = job.attempts >= job.max_attempts
        update = {
            "last_error": message + ("" if isinstance(exc, RetryLater) else "\n" + traceback.format_exc(limit=5)),
            "lease_until": None,
        }
        if final:
            update.update(status=Job.Status.FAILED, finished_at=timezone.now())
        else:
            update.update(status=Job.Status.QUEUED, run_after=timezone.now() + job.backoff())
        Job.objects.filter(pk=job.pk, worker=job.worker).update(**update)
        if not final:
            job.refresh_from_db()
            _dispatch(job)
        return "failed" if final else "retrying"
    Job.objects.filter(pk=job.pk, worker=job.worker).update(
        status=Job.Status.SUCCEEDED, result=result, progress=100, finished_at=timezone.now(), lease_until=None,
    )
    return "succeeded"


def recover_stale() -> int:
    """Re-queue jobs whose worker died (lease ran out) or whose queue message was lost."""
    now = timezone.now()
    grace = now - timezone.timedelta(seconds=settings.CHIZAI_JOB_LEASE_SECONDS)
    stale = Job.objects.filter(
        Q(status=Job.Status.RUNNING, lease_until__lt=now) | Q(status=Job.Status.QUEUED, run_after__lt=grace)
    )
    count = 0
    for job in stale:
        _dispatch(job)
        count += 1
    if count:
        logger.warning("re-queued %s stale job(s)", count)
    return count


def run_pending(max_tasks: int | None = None) -> int:
    """Process queued tasks of the database backend until none is ready (tests, `chizai worker --once`)."""
    from django_tasks_db.management.commands.db_worker import Worker

    before = Job.objects.filter(status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]).count()
    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=max_tasks, worker_id=worker_name()[:64], excluded_queue_names=[],
    ).run()
    return Job.objects.filter(status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]).count() - before


def selftest_handler(job: Job):
    """A job that proves the worker runs: fails ``fail_times`` times, then succeeds."""
    import time

    fail_times = int(job.params.get("fail_times", 0))
    if job.attempts <= fail_times:
        raise RetryLater(f"planned failure {job.attempts} of {fail_times}")
    if job.attempts == 1 and job.params.get("sleep_first_attempt"):
        time.sleep(float(job.params["sleep_first_attempt"]))  # long enough to be killed midway
    heartbeat(job, 50, "half way")
    return {"attempts": job.attempts}
