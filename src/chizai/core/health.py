"""Health endpoints for load balancers, monitoring and systemd watchdogs.

``/healthz`` answers without a login and without any tenant data: whether this web process
reaches the database and the file storage, and whether background jobs are being picked up.
It answers 503 only when the database is down (the process is then useless); storage or
job trouble makes it "degraded" with 200, because every web process shares that storage and
queue, so taking this one out of a load balancer would not help.

``/healthz/jobs`` returns ``chizai.core.jobs.queue_health()`` as it is.
"""

from __future__ import annotations

import logging

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chizai.core import checks, jobs

logger = logging.getLogger(__name__)

# Jobs that have been due this long with nobody taking them mean the workers are stuck or gone.
JOBS_STALLED_AFTER_SECONDS = 300


def jobs_state(health: dict) -> str:
    """ "ok", or "stalled" when due jobs wait too long (no worker, or workers stuck)."""
    oldest = health.get("oldest_due_seconds")
    if oldest is not None and oldest > JOBS_STALLED_AFTER_SECONDS:
        return "stalled"
    return "ok"


def _queue_health() -> dict | None:
    try:
        return jobs.queue_health()
    except Exception:  # noqa: BLE001 - a health endpoint reports, it does not crash
        logger.exception("queue_health failed")
        return None


def overall_status(database_ok: bool, storage_ok: bool, job_state: str) -> str:
    if not database_ok:
        return "down"
    if not storage_ok or job_state != "ok":
        return "degraded"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    database = checks.probe_database()
    storage = checks.probe_storage_cached()
    queue = _queue_health() if database.ok else None
    job_state = jobs_state(queue) if queue is not None else "unknown"
    status = overall_status(database.ok, storage.ok, job_state)
    if not database.ok:
        logger.error("healthz: database unreachable: %s", database.detail)
    if not storage.ok:
        logger.error("healthz: storage unreachable: %s", storage.detail)
    body = {
        "status": status,
        "database": "ok" if database.ok else "down",
        "storage": "ok" if storage.ok else "down",
        "jobs": job_state,
    }
    return JsonResponse(body, status=503 if status == "down" else 200)


@never_cache
@require_GET
def healthz_jobs(request):
    database = checks.probe_database()
    if not database.ok:
        return JsonResponse({"status": "down", "database": "down"}, status=503)
    queue = _queue_health()
    if queue is None:
        return JsonResponse({"status": "unknown"}, status=503)
    return JsonResponse(queue)
