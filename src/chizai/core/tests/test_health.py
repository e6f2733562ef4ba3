"""``/healthz`` and ``/healthz/jobs``: no login, no tenant data, 503 only when the database is down."""

import pytest
from django.db import OperationalError
from django.db.backends.base import base as db_base

from chizai.core import checks, jobs

HEALTHY_QUEUE = {
    "workers": [{"name": "host:1", "last_seen_seconds": 1.0}],
    "queued": 0,
    "running": 0,
    "oldest_due_seconds": None,
    "failed_last_hour": 0,
}


@pytest.fixture(autouse=True)
def _fresh_probe():
    checks.forget_storage_probe()
    yield
    checks.forget_storage_probe()


@pytest.fixture
def queue(monkeypatch):
    """queue_health as its author describes it (the real one may not exist yet where this runs)."""
    state = dict(HEALTHY_QUEUE)
    monkeypatch.setattr(jobs, "queue_health", lambda: dict(state), raising=False)
    return state


def test_healthy_without_login_and_without_tenant_data(client, org, queue):
    response = client.get("/healthz")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "storage": "ok", "jobs": "ok"}
    assert org.slug not in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_storage_down_is_degraded_not_down(client, db, queue, monkeypatch):
    monkeypatch.setattr(checks, "probe_storage", lambda storage=None: checks.Probe(False, "bucket gone"))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["storage"] == "down"
    assert "bucket gone" not in response.content.decode()  # details go to the log, not to anyone asking


def test_the_storage_probe_is_cached_between_requests(client, db, queue, monkeypatch):
    calls = []

    def counting(storage=None):
        calls.append(1)
        return checks.Probe(True)

    monkeypatch.setattr(checks, "probe_storage", counting)
    for _ in range(3):
        client.get("/healthz")
    assert len(calls) == 1


def test_stalled_jobs_are_degraded(client, db, queue):
    queue.update(queued=12, oldest_due_seconds=1800.0)
    body = client.get("/healthz").json()
    assert body["status"] == "degraded" and body["jobs"] == "stalled"


def test_a_failing_queue_report_is_unknown_not_a_crash(client, db, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "queue_health", broken, raising=False)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["jobs"] == "unknown"


def test_database_down_is_503(client, db, queue, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    with monkeypatch.context() as patched:  # undone before the test database is torn down
        patched.setattr(db_base.BaseDatabaseWrapper, "cursor", refused)
        response = client.get("/healthz")
        jobs_response = client.get("/healthz/jobs")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "down", "storage": "ok", "jobs": "unknown"}
    assert jobs_response.status_code == 503


def test_jobs_endpoint_returns_queue_health(client, db, queue):
    response = client.get("/healthz/jobs")
    assert response.status_code == 200 and response.json() == HEALTHY_QUEUE


def test_only_get(client, db, queue):
    assert client.post("/healthz").status_code == 405


def test_real_queue_health_has_the_agreed_shape(client, db):
    if not hasattr(jobs, "queue_health"):
        pytest.skip("chizai.core.jobs.queue_health is not there yet")
    body = client.get("/healthz/jobs").json()
    assert {"workers", "queued", "running", "oldest_due_seconds", "failed_last_hour"} <= set(body)
    assert client.get("/healthz").json()["jobs"] in ("ok", "stalled")
