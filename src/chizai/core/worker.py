"""``chizai worker``: the django-tasks database worker plus recovery of jobs whose worker died."""
from __future__ import annotations

import importlib
import logging
import threading
import time

from django.db import close_old_connections

from chizai.core import jobs

logger = logging.getLogger(__name__)


# Work that starts by the clock: ("module:function", period in seconds). Each function must be
# idempotent for its period (it enqueues jobs with a dedupe key), so any number of workers
# may call it without sending anything twice.
SCHEDULE: list[tuple[str, float]] = [
    ("chizai.disclosure.duties:schedule_reminders", 3600.0),
]


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


def _recovery_loop(stop: threading.Event, every: float) -> None:
    last_run: dict[str, float] = {}
    while True:
        try:
            jobs.recover_stale()
            run_due_schedules(last_run)
        except Exception:  # noqa: BLE001 - keep the loop alive; the next round tries again
            logger.exception("stale-job recovery failed")
        finally:
            close_old_connections()
        if stop.wait(every):
            return


def run_worker(*, once: bool = False, interval: float = 1.0) -> None:
    jobs.recover_stale()
    if once:
        run_due_schedules({})
        jobs.run_pending()
        return
    from django_tasks_db.management.commands.db_worker import Worker

    stop = threading.Event()
    thread = threading.Thread(target=_recovery_loop, args=(stop, 30.0), daemon=True)
    thread.start()
    worker = Worker(
        queue_names=["default"], interval=interval, batch=False, backend_name="default", startup_delay=True,
        max_tasks=None, worker_id=jobs.worker_name()[:64], excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
