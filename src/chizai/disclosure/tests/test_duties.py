"""Obligations, reminders sent exactly once (two workers, a killed worker, a mail server down), ICS."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone, translation

from chizai.core import jobs
from chizai.core.models import Job
from chizai.disclosure import duties, services
from chizai.disclosure.models import Obligation, ReminderDelivery
from chizai.disclosure.tests.conftest import disclose


@pytest.fixture
def overdue(org, owner, members, partner, nda, drawing, today):
    """A disclosure whose return was due three days ago: one reminder per approver (owner, manager)."""
    d = disclose(owner, org, partner, drawing[1], return_due_on=today - timedelta(days=3))
    return d


def test_obligations_are_derived_from_agreements_and_disclosures(org, owner, partner, nda, drawing, today):
    d = disclose(owner, org, partner, drawing[1])
    services.create_agreement(
        owner,
        org,
        partner.pk,
        title="試作契約",
        type="PROTO",
        status="negotiating",
        decision_due_on=today + timedelta(days=5),
    )
    kinds = {o.key.split(":")[-1]: o for o in Obligation.objects.filter(organization=org)}
    assert kinds["expiry"].due_on == nda.expires_on
    assert kinds["survival"].due_on == nda.survival_ends_on
    assert kinds["decision"].due_on == today + timedelta(days=5)
    assert kinds["return"].due_on == nda.expires_on + timedelta(days=30) and kinds["return"].disclosure == d
    services.record_return(owner, org, d.pk, destroyed_on=today)
    ob = {o.key.split(":")[-1]: o for o in Obligation.objects.filter(organization=org)}
    assert ob["return"].done_on == today and ob["certificate"].due_on == today + timedelta(days=14)
    services.record_return(owner, org, d.pk, certificate_received_on=today)
    assert Obligation.objects.get(key=f"dis:{d.pk}:certificate").done_on == today


def test_reminder_stages():
    from datetime import date

    due = date(2026, 12, 31)
    assert duties.reminder_stage(due, date(2026, 12, 1)) is None
    assert duties.reminder_stage(due, date(2026, 12, 17)) == date(2026, 12, 17)
    assert duties.reminder_stage(due, date(2026, 12, 30)) == date(2026, 12, 28)
    assert duties.reminder_stage(due, date(2027, 1, 9)) == date(2027, 1, 7)


def test_reminders_go_once_to_each_approver(org, members, overdue):
    result = duties.send_reminders(org, worker="w1")
    assert result["sent"] == 2 and sorted(m.to[0] for m in mail.outbox) == ["manager1@example.jp", "owner1@example.jp"]
    assert "返還" in mail.outbox[0].subject and mail.outbox[0].extra_headers["Message-ID"].startswith(
        "<chizai-reminder-"
    )
    assert duties.send_reminders(org, worker="w2")["sent"] == 0
    assert len(mail.outbox) == 2


def test_two_workers_racing_on_the_claim_send_once(org, members, overdue, monkeypatch):
    """Worker B runs while worker A is in the middle of sending: B sees A's claim and skips."""
    real = duties._send
    inner = []
    state = {"racing": False}

    def slow_send(delivery, obligation, user):
        if not state["racing"]:
            state["racing"] = True  # B starts only once, while A holds its first claim
            inner.append(duties.send_reminders(org, worker="B"))
        real(delivery, obligation, user)

    monkeypatch.setattr(duties, "_send", slow_send)
    first = duties.send_reminders(org, worker="A")
    assert len(mail.outbox) == 2
    assert first["sent"] + inner[0]["sent"] == 2 and inner[0]["skipped"] >= 1
    assert ReminderDelivery.objects.filter(sent_at__isnull=False).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_worker_threads_send_once(org, members, overdue, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL; the claim race is simulated on SQLite above")
    real = duties._send
    barrier = threading.Barrier(2)
    results, errors = [], []

    def slow_send(delivery, obligation, user):
        import time

        time.sleep(0.2)
        real(delivery, obligation, user)

    monkeypatch.setattr(duties, "_send", slow_send)

    def work(name):
        from django.db import connection as conn

        try:
            barrier.wait()
            results.append(duties.send_reminders(org, worker=name))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(results) == 2
    assert len(mail.outbox) == 2 and sum(r["sent"] for r in results) == 2
    assert ReminderDelivery.objects.filter(sent_at__isnull=False).count() == 2


def test_worker_killed_midway_loses_nothing_and_sends_nothing_twice(org, members, overdue, monkeypatch):
    real = duties._send
    calls = []

    def die_on_second(delivery, obligation, user):
        calls.append(user.email)
        if len(calls) == 2:
            raise KeyboardInterrupt("worker killed")  # not caught: the process is gone, its claim stays
        real(delivery, obligation, user)

    monkeypatch.setattr(duties, "_send", die_on_second)
    with pytest.raises(KeyboardInterrupt):
        duties.send_reminders(org, worker="doomed")
    assert len(mail.outbox) == 1
    stuck = ReminderDelivery.objects.get(sent_at__isnull=True)
    assert stuck.claimed_by == "doomed"
    monkeypatch.setattr(duties, "_send", real)
    # while the dead worker's claim lasts, nobody sends it
    assert duties.send_reminders(org, worker="second")["sent"] == 0
    ReminderDelivery.objects.filter(pk=stuck.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert duties.send_reminders(org, worker="second")["sent"] == 1
    assert len(mail.outbox) == 2 and len({m.to[0] for m in mail.outbox}) == 2


@pytest.mark.django_db(transaction=True)
def test_mail_server_down_retries_with_backoff_through_the_job(org, members, overdue, monkeypatch):
    real = duties._send
    state = {"down": True}

    def flaky(delivery, obligation, user):
        if state["down"] and user.username == "manager1":
            raise ConnectionRefusedError(111, "Connection refused")
        real(delivery, obligation, user)

    monkeypatch.setattr(duties, "_send", flaky)
    (job,) = duties.schedule_reminders(organization=org)
    assert duties.schedule_reminders(organization=org)[0].pk == job.pk  # once per day
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == "queued" and "could not be sent" in job.last_error
    assert job.run_after > timezone.now() + timedelta(seconds=5)
    assert [m.to[0] for m in mail.outbox] == ["owner1@example.jp"]
    assert "Connection refused" in ReminderDelivery.objects.get(user__username="manager1").last_error
    state["down"] = False
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(seconds=1))  # the backoff passed
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result == {"sent": 1, "skipped": 1}
    assert sorted(m.to[0] for m in mail.outbox) == ["manager1@example.jp", "owner1@example.jp"]


def test_ics_feed_by_token(org, members, overdue, client):
    token = duties.create_feed(members["viewer"], org)
    body = duties.ics(members["viewer"], org)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "BEGIN:VEVENT" in body and "返還" in body
    assert duties.feed_for_token(org.slug, token).user == members["viewer"]
    assert duties.feed_for_token(org.slug, "wrong") is None
    assert duties.feed_for_token("other", token) is None
    new_token = duties.create_feed(members["viewer"], org)
    assert duties.feed_for_token(org.slug, token) is None and duties.feed_for_token(org.slug, new_token)
    response = client.get(f"/o/{org.slug}/disclosure/calendar/{new_token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content
    assert client.get(f"/o/{org.slug}/disclosure/calendar/nope.ics").status_code == 302


def test_every_page_counts_the_same_overdue_returns(client, org, owner, partner, nda, drawing, today):
    """A return date the agreement implies (expiry + return days) is as overdue as one typed in."""
    from chizai.advisers import figures
    from chizai.disclosure.models import Agreement

    disclose(owner, org, partner, drawing[1], return_due_on=today - timedelta(days=3))
    disclose(owner, org, partner, drawing[1])  # its return date comes from the NDA
    disclose(owner, org, partner, drawing[1], return_due_on=today + timedelta(days=3))  # not yet due
    Agreement.objects.filter(pk=nda.pk).update(expires_on=today - timedelta(days=40))  # + 30 days: due 10 days ago
    assert duties.overdue_returns(org) == 2
    assert figures.overdue_returns(org) == 2
    client.force_login(owner)
    page = client.get(f"/o/{org.slug}/disclosure/").content.decode()
    assert 'id="overdue-returns">2<' in page
    calendar = client.get(f"/o/{org.slug}/disclosure/calendar/").content.decode()
    late = Obligation.objects.filter(
        organization=org, kind=Obligation.Kind.RETURN_DUE, done_on__isnull=True, due_on__lt=today
    )
    assert late.count() == 2 and all(str(o.label_html) in calendar for o in late)


@pytest.mark.parametrize(("language", "foreign"), [("ja", "due"), ("en", "期限")])
def test_duties_are_named_in_the_readers_language(client, org, owner, partner, nda, drawing, today, language, foreign):
    disclose(owner, org, partner, drawing[1], return_due_on=today - timedelta(days=3))
    client.force_login(owner)
    for path in (f"/o/{org.slug}/disclosure/", f"/o/{org.slug}/disclosure/calendar/"):
        html = client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        duty = Obligation.objects.get(organization=org, kind=Obligation.Kind.RETURN_DUE)
        with translation.override(language):
            assert str(duty.label_html) in html  # the names marked as entered, the duty in the reader's words
        assert "返還・破棄期限 / return" not in html and foreign not in duty.label
