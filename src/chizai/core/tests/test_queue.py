"""The Job table as the queue: transactions, concurrent claims, health."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from chizai.core import jobs
from chizai.core.models import Job, Organization, WorkerHeartbeat

RUNS: list[tuple[int, str]] = []
RUNS_LOCK = threading.Lock()


def _record(job):
    with RUNS_LOCK:
        RUNS.append((job.pk, job.worker))
    return {}


@pytest.fixture
def recorded(monkeypatch):
    RUNS.clear()
    monkeypatch.setitem(jobs.HANDLERS, "test.record", "chizai.core.tests.test_queue:_record")
    return RUNS


@pytest.mark.django_db(transaction=True)
def test_job_committed_with_the_users_write_is_run_by_the_worker(org, owner):
    with transaction.atomic():
        Organization.objects.filter(pk=org.pk).update(name_ja="改名")
        job = jobs.enqueue(owner, org, "core.selftest")
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == "succeeded" and job.worker == jobs.worker_name()


@pytest.mark.django_db(transaction=True)
def test_job_of_a_rolled_back_write_never_runs(org, owner):
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue(owner, org, "core.selftest", dedupe_key="rolled-back")
        raise RuntimeError("the user's write failed")
    assert not Job.objects.filter(dedupe_key="rolled-back").exists()
    assert jobs.run_pending() == 0


def test_a_failing_doorbell_is_only_logged(monkeypatch, caplog):
    class Broken:
        vendor = "postgresql"

        def cursor(self):
            raise OSError("connection reset")

    monkeypatch.setattr(jobs, "connection", Broken())
    jobs._ring_doorbell()  # must not raise: the job is committed already
    assert "doorbell" in caplog.text


def test_one_doorbell_per_transaction_however_many_jobs(org, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the doorbell is PostgreSQL's NOTIFY")
    rings = []
    monkeypatch.setattr(jobs, "_ring_doorbell", lambda: rings.append(1))
    with transaction.atomic():
        for _ in range(3):
            jobs.enqueue(None, org, "core.selftest")
        assert sum(1 for entry in connection.run_on_commit if entry[1] is jobs._ring_doorbell) == 1


def test_jobs_are_taken_oldest_due_first_and_future_ones_wait(org, recorded):
    now = timezone.now()
    later = Job.objects.create(organization=org, kind="test.record", run_after=now - timedelta(seconds=1))
    first = Job.objects.create(organization=org, kind="test.record", run_after=now - timedelta(seconds=10))
    future = Job.objects.create(organization=org, kind="test.record", run_after=now + timedelta(hours=1))
    assert jobs.run_pending() == 2
    assert [pk for pk, _ in recorded] == [first.pk, later.pk]
    future.refresh_from_db()
    assert future.status == "queued"


def test_job_whose_lease_ran_out_is_taken_again(org, recorded):
    job = Job.objects.create(
        organization=org,
        kind="test.record",
        status="running",
        attempts=1,
        worker="dead:1",
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    assert jobs.recover_stale() == 1  # reported, and due by itself
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2 and recorded == [(job.pk, jobs.worker_name())]


def test_job_that_kills_every_worker_fails_after_max_attempts(org, recorded):
    job = Job.objects.create(
        organization=org,
        kind="test.record",
        status="running",
        attempts=3,
        max_attempts=3,
        worker="dead:1",
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == "failed" and "stopped before finishing" in job.last_error and recorded == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_on_postgresql_never_run_a_job_twice(org, recorded):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL")
    Job.objects.bulk_create([Job(organization=org, kind="test.record") for _ in range(200)])
    errors = []

    def work(name):
        try:
            jobs.run_pending(worker=name)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=work, args=(f"thread-{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(recorded) == 200 and len({pk for pk, _ in recorded}) == 200
    assert len({worker for _, worker in recorded}) > 1  # they really shared the work
    assert set(Job.objects.values_list("status", "attempts").distinct()) == {("succeeded", 1)}


def test_queue_health_reports_live_workers_and_the_waiting_work(org, settings):
    settings.CHIZAI_WORKER_POLL_SECONDS = 1
    now = timezone.now()
    WorkerHeartbeat.objects.create(name="live:1", host="live", pid=1, seen_at=now - timedelta(seconds=3), jobs_done=7)
    WorkerHeartbeat.objects.create(name="dead:2", host="dead", pid=2, seen_at=now - timedelta(seconds=60))
    Job.objects.create(organization=org, kind="core.selftest", run_after=now - timedelta(seconds=20))
    Job.objects.create(organization=org, kind="core.selftest", run_after=now + timedelta(hours=1))
    Job.objects.create(organization=org, kind="core.selftest", status="running", lease_until=now + timedelta(minutes=5))
    Job.objects.create(organization=org, kind="core.selftest", status="failed", finished_at=now - timedelta(minutes=5))
    Job.objects.create(organization=org, kind="core.selftest", status="failed", finished_at=now - timedelta(hours=2))
    health = jobs.queue_health()
    assert [w["name"] for w in health["workers"]] == ["live:1"]
    assert health["workers"][0]["jobs_done"] == 7 and 2 <= health["workers"][0]["last_seen_seconds"] < 10
    assert health["queued"] == 2 and health["running"] == 1 and health["failed_last_hour"] == 1
    assert 19 <= health["oldest_due_seconds"] < 30


def test_queue_health_of_an_idle_queue(db):
    assert jobs.queue_health() == {
        "workers": [],
        "queued": 0,
        "running": 0,
        "oldest_due_seconds": None,
        "failed_last_hour": 0,
    }
