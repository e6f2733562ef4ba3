from datetime import timedelta

import pytest
from django.utils import timezone

from chizai.core import jobs
from chizai.core.models import Job


def _due(job):
    """Let the backoff time pass: the job becomes due again."""
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db(transaction=True)
def test_job_runs_through_the_queue(org, owner):
    job = jobs.enqueue(owner, org, "core.selftest")
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result == {"attempts": 1} and job.progress == 100


@pytest.mark.django_db(transaction=True)
def test_failed_attempt_is_retried_with_backoff_and_error_visible(org, owner):
    job = jobs.enqueue(owner, org, "core.selftest", {"fail_times": 1})
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 1
    assert "planned failure" in job.last_error
    assert job.run_after > timezone.now() + timedelta(seconds=10)  # backed off
    _due(job)
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_job_fails_for_good_after_max_attempts(org, owner):
    job = jobs.enqueue(owner, org, "core.selftest", {"fail_times": 99}, max_attempts=2)
    jobs.run_pending()
    _due(job)
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 2 and job.finished_at


def test_two_workers_never_take_the_same_job(org, owner):
    job = Job.objects.create(organization=org, kind="core.selftest")
    first = jobs.claim(job.pk, worker="a")
    second = jobs.claim(job.pk, worker="b")
    assert first is not None and first.worker == "a"
    assert second is None


def test_killed_worker_loses_no_job(org, owner):
    job = Job.objects.create(organization=org, kind="core.selftest")
    assert jobs.claim(job.pk, worker="dies-midway") is not None
    assert jobs.execute(job.pk, worker="other") == "not-claimed"  # lease still held
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))  # the lease ran out
    assert jobs.execute(job.pk, worker="other") == "succeeded"
    job.refresh_from_db()
    assert job.worker == "other" and job.attempts == 2


def test_duplicate_submission_returns_the_first_job(org, owner):
    a = jobs.enqueue(owner, org, "core.selftest", dedupe_key="review:42")
    b = jobs.enqueue(owner, org, "core.selftest", dedupe_key="review:42")
    assert a.pk == b.pk


def test_unknown_kind_is_refused(org, owner):
    with pytest.raises(ValueError):
        jobs.enqueue(owner, org, "nope")


def test_job_status_page_shows_error_to_its_starter(client, org, owner):
    job = Job.objects.create(
        organization=org, kind="core.selftest", created_by=owner, status="failed", last_error="SMTP down"
    )
    client.force_login(owner)
    response = client.get(f"/o/{org.slug}/jobs/{job.pk}/")
    assert response.status_code == 200 and "SMTP down" in response.content.decode()
