"""Duties that follow from agreements and disclosures (return or destruction, certificates,
survival, expiry, decision deadlines), the reminders the worker sends about them exactly once,
and each person's calendar feed."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from chizai.core import audit, permissions
from chizai.core.access import may, require
from chizai.disclosure.models import (
    Agreement,
    CalendarFeed,
    Disclosure,
    Obligation,
    ReminderDelivery,
)

logger = logging.getLogger(__name__)


# --- obligations -------------------------------------------------------------------------


def return_due(disclosure: Disclosure) -> date | None:
    """When what was handed over must be back or destroyed: the disclosure's own date, else
    the date its agreement implies (expiry plus the agreement's return days); None for an
    oral disclosure or no such duty. The one place this is decided: the duties list, the
    calendar and every count of overdue returns follow it."""
    if disclosure.method == Disclosure.Method.ORAL:
        return None
    if disclosure.return_due_on:
        return disclosure.return_due_on
    agreement = disclosure.agreement
    if agreement and agreement.return_duty != "none" and agreement.expires_on:
        return agreement.expires_on + timedelta(days=agreement.return_days or 0)
    return None


def overdue_returns(organization, today: date | None = None) -> int:
    """Disclosures still out past their return date (``return_due``), neither returned nor destroyed."""
    today = today or timezone.localdate()
    still_out = Disclosure.objects.filter(
        organization=organization,
        status=Disclosure.Status.DISCLOSED,
        returned_on__isnull=True,
        destroyed_on__isnull=True,
    ).select_related("agreement")
    return sum(1 for d in still_out if (due := return_due(d)) is not None and due < today)


def expiring_ndas(organization, *, days: int = 90, today: date | None = None, user=None):
    """Signed NDAs whose term ends within ``days`` (today included), as a queryset; only those
    ``user`` may view when given. The one query behind every "NDAs expiring" figure (the
    organisation home, the adviser portfolio)."""
    today = today or timezone.localdate()
    agreements = Agreement.objects.restrict(user, "view") if user is not None else Agreement.objects.all()
    return agreements.filter(
        organization=organization,
        type=Agreement.Type.NDA,
        status=Agreement.Status.SIGNED,
        expires_on__gte=today,
        expires_on__lte=today + timedelta(days=days),
    )


def waiting_for_approval(user, organization):
    """Disclosures ``user`` may view that wait for an approval (status pending)."""
    return Disclosure.objects.restrict(user, "view").filter(organization=organization, status=Disclosure.Status.PENDING)


def _derived_obligations(organization) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for a in Agreement.objects.filter(organization=organization).select_related("partner"):
        name = f"{a.type} {a.partner.name_ja}"
        ended = a.status in ("expired", "terminated")
        if a.expires_on and a.status != "terminated":
            out[f"agr:{a.pk}:expiry"] = dict(
                kind=Obligation.Kind.EXPIRY,
                due_on=a.expires_on,
                agreement=a,
                title=f"{name}: 期間満了 / expires",
                done=a.status == "expired",
            )
        if a.survival_ends_on:
            out[f"agr:{a.pk}:survival"] = dict(
                kind=Obligation.Kind.SURVIVAL_END,
                due_on=a.survival_ends_on,
                agreement=a,
                title=f"{name}: 秘密保持義務の存続期間終了 / survival ends",
                done=False,
            )
        if a.decision_due_on and not ended:
            out[f"agr:{a.pk}:decision"] = dict(
                kind=Obligation.Kind.DECISION,
                due_on=a.decision_due_on,
                agreement=a,
                title=f"{name}: 回答期限 / decision due",
                done=a.status == "signed",
            )
    disclosures = Disclosure.objects.filter(
        organization=organization, status=Disclosure.Status.DISCLOSED
    ).select_related("partner", "agreement")
    for d in disclosures:
        agreement = d.agreement
        due = return_due(d)
        if due:
            out[f"dis:{d.pk}:return"] = dict(
                kind=Obligation.Kind.RETURN_DUE,
                due_on=due,
                disclosure=d,
                agreement=agreement,
                title=f"{d.reference} {d.partner.name_ja}: 返還・破棄期限 / return or destruction due",
                done=bool(d.returned_on or d.destroyed_on),
            )
        if agreement and agreement.certificate_required and d.destroyed_on:
            out[f"dis:{d.pk}:certificate"] = dict(
                kind=Obligation.Kind.CERTIFICATE,
                due_on=d.destroyed_on + timedelta(days=14),
                disclosure=d,
                agreement=agreement,
                title=f"{d.reference} {d.partner.name_ja}: 破棄証明書の受領 / certificate due",
                done=bool(d.certificate_received_on),
            )
    return out


def sync_obligations(organization) -> int:
    """Bring the stored obligations in line with the agreements and disclosures (idempotent)."""
    wanted = _derived_obligations(organization)
    today = timezone.localdate()
    with transaction.atomic():
        existing = {o.key: o for o in Obligation.objects.filter(organization=organization)}
        for key, spec in wanted.items():
            done = spec.pop("done")
            values = {
                **spec,
                "done_on": (existing[key].done_on or today) if key in existing and done else (today if done else None),
            }
            values.setdefault("agreement", None)
            values.setdefault("disclosure", None)
            ob = existing.get(key)
            if ob is None:
                Obligation.objects.create(organization=organization, key=key, **values)
            elif any(getattr(ob, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(ob, f, v)
                ob.save()
        Obligation.objects.filter(organization=organization).exclude(key__in=list(wanted)).delete()
    return len(wanted)


def obligations(user, organization, *, include_done: bool = False):
    qs = (
        Obligation.objects.restrict(user, "view")
        .filter(organization=organization)
        .select_related("agreement__partner", "disclosure__partner")
    )
    return qs if include_done else qs.filter(done_on__isnull=True)


# --- reminders (sent by the background worker) -------------------------------------------

REMIND_BEFORE_DAYS = (14, 3, 0)
OVERDUE_EVERY_DAYS = 7


def claim_seconds() -> int:
    """How long a worker's claim on a reminder lasts (a killed worker's claim runs out after it)."""
    from chizai.conf.env import env_int

    return env_int("CHIZAI_REMINDER_CLAIM_SECONDS", 600)


def reminder_stage(due_on: date, today: date) -> date | None:
    """The reminder date in force today (one reminder per stage), or None when none is due yet."""
    stages = [due_on - timedelta(days=d) for d in REMIND_BEFORE_DAYS]
    if today > due_on:
        stages.append(due_on + timedelta(days=((today - due_on).days // OVERDUE_EVERY_DAYS) * OVERDUE_EVERY_DAYS))
    passed = [s for s in stages if s <= today]
    return max(passed) if passed else None


def reminder_recipients(organization):
    from django.contrib.auth import get_user_model

    roles = permissions.roles_allowed("disclosure", "approve")
    return list(
        get_user_model()
        .objects.filter(memberships__organization=organization, memberships__role__in=roles, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def _send(delivery: ReminderDelivery, obligation: Obligation, user) -> None:
    from django.core.mail import EmailMessage

    subject = f"[chizai] {obligation.due_on} {obligation.title}"
    body = (
        f"{obligation.get_kind_display()}\n{obligation.title}\n期限 / due: {obligation.due_on}\n\n"
        f"chizai — {obligation.organization.name_ja}\n"
    )
    EmailMessage(subject, body, to=[user.email], headers={"Message-ID": delivery.message_id}).send()


def send_reminders(organization, *, worker: str, today: date | None = None) -> dict:
    """Send every reminder due today that nobody has sent. Safe to run from many workers at once.

    Returns counts; raises ``RetryLater`` when some could not be sent (mail server down) so
    the job comes back with backoff and sends only those.
    """
    from django.db.models import F

    from chizai.core.jobs import RetryLater

    today = today or timezone.localdate()
    sync_obligations(organization)
    people = reminder_recipients(organization)
    sent = skipped = failed = 0
    for obligation in Obligation.objects.filter(organization=organization, done_on__isnull=True).order_by(
        "due_on", "pk"
    ):
        stage = reminder_stage(obligation.due_on, today)
        if stage is None:
            continue
        for user in people:
            try:
                with transaction.atomic():
                    delivery, _created = ReminderDelivery.objects.get_or_create(
                        obligation=obligation, user=user, remind_on=stage, defaults={"organization": organization}
                    )
            except IntegrityError:  # another worker created it between our read and write
                delivery = ReminderDelivery.objects.get(obligation=obligation, user=user, remind_on=stage)
            now = timezone.now()
            claimed = (
                ReminderDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True)
                .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
                .update(
                    claimed_by=worker,
                    claimed_until=now + timedelta(seconds=claim_seconds()),
                    attempts=F("attempts") + 1,
                )
            )
            if not claimed:
                skipped += 1
                continue
            try:
                _send(delivery, obligation, user)
            except Exception as exc:  # noqa: BLE001 - SMTP errors are OSError or smtplib errors; all mean "later"
                ReminderDelivery.objects.filter(pk=delivery.pk, claimed_by=worker).update(
                    claimed_until=None, claimed_by="", last_error=f"{type(exc).__name__}: {exc}"[:500]
                )
                failed += 1
                continue
            ReminderDelivery.objects.filter(pk=delivery.pk, claimed_by=worker).update(
                sent_at=timezone.now(), last_error=""
            )
            sent += 1
    if failed:
        raise RetryLater(f"{failed} reminder(s) could not be sent; {sent} sent")
    return {"sent": sent, "skipped": skipped}


def reminders_handler(job) -> dict:
    from chizai.core.models import Organization

    organization = Organization.objects.get(pk=job.params["organization_id"])
    return send_reminders(organization, worker=job.worker or "worker")


def schedule_reminders(actor=None, organization=None, today: date | None = None) -> list:
    """Queue today's reminder run per organisation (once per day: the dedupe key has the date)."""
    from chizai.core import jobs
    from chizai.core.models import Organization

    today = today or timezone.localdate()
    orgs = [organization] if organization is not None else list(Organization.objects.filter(is_active=True))
    return [
        jobs.enqueue(
            actor,
            org,
            "disclosure.reminders",
            {"organization_id": org.pk},
            dedupe_key=f"disclosure-reminders:{org.pk}:{today.isoformat()}",
        )
        for org in orgs
    ]


# --- calendar feed -----------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_feed(actor, organization) -> str:
    """A new personal ICS token (the previous one stops working); shown once."""
    require(actor, organization, "disclosure", "view")
    CalendarFeed.objects.filter(organization=organization, user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token = secrets.token_urlsafe(24)
    feed = CalendarFeed.objects.create(organization=organization, user=actor, token_hash=_hash(token))
    audit.record(
        actor, organization, "disclosure.calendar.token", obj=feed, summary="personal calendar feed created", data={}
    )
    return token


def feed_for_token(organization_slug: str, token: str) -> CalendarFeed | None:
    """The live feed for this token, if its user may still see the organisation's disclosures."""
    feed = (
        CalendarFeed.objects.filter(
            token_hash=_hash(token), revoked_at__isnull=True, organization__slug=organization_slug
        )
        .select_related("user", "organization")
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    if not may(feed.user, feed.organization, "disclosure", "view"):
        return None
    return feed


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 folding at 75 octets, never inside a UTF-8 sequence."""
    out, current = [], b""
    for ch in line:
        enc = ch.encode()
        if len(current) + len(enc) > 73:
            out.append(current.decode())
            current = b""
        current += enc
    out.append(current.decode())
    return "\r\n ".join(out)


def ics(user, organization) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//chizai//disclosure duties//JA",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_escape('chizai ' + organization.name_ja)}",
    ]
    for ob in obligations(user, organization):
        day = ob.due_on.strftime("%Y%m%d")
        nxt = (ob.due_on + timedelta(days=1)).strftime("%Y%m%d")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{organization.slug}-{ob.key.replace(':', '-')}@chizai",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day}",
            f"DTEND;VALUE=DATE:{nxt}",
            f"SUMMARY:{_ics_escape(ob.title)}",
            f"CATEGORIES:{ob.kind}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
