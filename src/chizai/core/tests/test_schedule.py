from chizai.core import worker
from chizai.core.models import Job


def test_scheduled_work_runs_once_per_period_and_is_idempotent(org, owner, monkeypatch):
    calls = []
    monkeypatch.setattr(worker, "SCHEDULE", [("chizai.core.tests.test_schedule:_tick", 100.0)])
    globals()["_tick"] = lambda: calls.append(1)
    last = {}
    assert worker.run_due_schedules(last, now=1000.0)
    assert not worker.run_due_schedules(last, now=1050.0)
    assert worker.run_due_schedules(last, now=1100.0)
    assert len(calls) == 2


def test_reminder_schedule_is_listed_and_enqueues_one_job_per_day(org, owner):
    assert any(path.endswith("schedule_reminders") for path, _ in worker.SCHEDULE)
    worker.run_due_schedules({})
    worker.run_due_schedules({})  # a second worker in the same hour
    assert Job.objects.filter(kind="disclosure.reminders", organization=org).count() == 1
