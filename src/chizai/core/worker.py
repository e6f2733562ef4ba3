"""``chizai worker``: the django-tasks database worker plus recovery of jobs whose worker died."""
from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from chizai.core import jobs

logger = logging.getLogger(__name__)


def _recovery_loop(stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            jobs.recover_stale()
        except Exception:  # noqa: BLE001 - keep the loop alive; the next round tries again
            logger.exception("stale-job recovery failed")
        finally:
            close_old_connections()


def run_worker(*, once: bool = False, interval: float = 1.0) -> None:
    jobs.recover_stale()
    if once:
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
