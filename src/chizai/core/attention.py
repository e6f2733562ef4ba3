"""What needs attention in an organisation, for one user: the organisation home's list.

One function per figure. Each asks the part that owns the data through its public service
functions (never its tables, never a ``_private`` name), so the home page, the part's own
page and the adviser portfolio count the same things:

- returns and destructions overdue: ``disclosure.duties.overdue_returns`` (as the disclosure
  page and the adviser portfolio), due within 30 days: the synced ``Obligation`` rows
  (``duties.sync_obligations``, ``duties.obligations``, as the calendar);
- NDAs expiring within 90 days: ``duties.expiring_ndas`` (as the adviser portfolio);
- disclosures waiting for approval: ``duties.waiting_for_approval``, only for roles that may approve;
- reviews with open high findings: ``review.services.with_open_high_findings``;
- important know-how at succession risk: ``register.services.succession_at_risk`` (as the
  adviser portfolio);
- assets past their review date: ``register.services.filter_assets(review_due=True)`` (the
  register's "review due" filter, which the link opens);
- follow-ups due: ``deals.services.followups_due``;
- know-how whose holder leaves within 12 months with no successor at level ≥ 2:
  ``succession.services.without_successor`` (the skills map, or the holders where the asset is
  not on it); capture plans behind schedule: ``succession.plans.behind_schedule``.

A figure is ``None`` when the user may not see that part (or, for approvals, may not
approve); each counts only what the user may view (``restrict``). Each item links to the
page where it is resolved, filtered where that page can be, or to the one object when
there is only one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chizai.core.access import may
from chizai.deals import services as deals_services
from chizai.disclosure import duties
from chizai.disclosure.models import Obligation
from chizai.register import services as register_services
from chizai.review import services as review_services
from chizai.succession import plans as succession_plans
from chizai.succession import services as succession_services

UPCOMING_RETURN_DAYS = 30
NDA_EXPIRY_DAYS = 90


@dataclass(frozen=True)
class Item:
    key: str
    count: int
    label: str | Promise  # translated when rendered
    url: str
    urgent: bool = False  # past a date (shown in red), not only coming up


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _url(name: str, organization, *args, query: str = "") -> str:
    url = reverse(name, args=[organization.slug, *args])
    return f"{url}?{query}" if query else url


def overdue_returns(user, organization, today: date | None = None) -> Item | None:
    """Hand-overs still out past their return or destruction date."""
    if not may(user, organization, "disclosure", "view"):
        return None
    count = duties.overdue_returns(organization, _today(today))
    return Item(
        "overdue_returns", count, _("Returns or destructions overdue"), _url("disclosure", organization), urgent=True
    )


def upcoming_returns(user, organization, today: date | None = None) -> Item | None:
    """Returns or destructions due within the next 30 days (today included), from the duties
    the calendar lists."""
    if not may(user, organization, "disclosure", "view"):
        return None
    today = _today(today)
    duties.sync_obligations(organization)  # as the disclosure page and the calendar do
    count = (
        duties.obligations(user, organization)
        .filter(
            kind=Obligation.Kind.RETURN_DUE, due_on__gte=today, due_on__lte=today + timedelta(days=UPCOMING_RETURN_DAYS)
        )
        .count()
    )
    return Item(
        "upcoming_returns",
        count,
        _("Returns or destructions due within 30 days"),
        _url("disclosure_calendar", organization),
    )


def ndas_expiring(user, organization, today: date | None = None) -> Item | None:
    """Signed NDAs whose term ends within 90 days."""
    if not may(user, organization, "disclosure", "view"):
        return None
    ids = list(
        duties.expiring_ndas(organization, days=NDA_EXPIRY_DAYS, today=_today(today), user=user).values_list(
            "pk", flat=True
        )
    )
    url = _url("disclosure_agreement", organization, ids[0]) if len(ids) == 1 else _url("disclosure", organization)
    return Item("ndas_expiring", len(ids), _("NDAs expiring within 90 days"), url)


def approvals_waiting(user, organization, today: date | None = None) -> Item | None:
    """Disclosures waiting for an approval: only for those who may give it."""
    if not may(user, organization, "disclosure", "approve"):
        return None
    ids = list(duties.waiting_for_approval(user, organization).values_list("pk", flat=True))
    url = _url("disclosure_detail", organization, ids[0]) if len(ids) == 1 else _url("disclosure", organization)
    return Item("approvals_waiting", len(ids), _("Disclosures waiting for approval"), url)


def reviews_with_high_findings(user, organization, today: date | None = None) -> Item | None:
    """Reviewed contracts whose newest draft still has high findings."""
    if not may(user, organization, "review", "view"):
        return None
    ids = list(review_services.with_open_high_findings(user, organization).values_list("pk", flat=True))
    url = _url("review_detail", organization, ids[0]) if len(ids) == 1 else _url("reviews", organization)
    return Item("reviews_with_high_findings", len(ids), _("Contract reviews with open high findings"), url)


def succession_risks(user, organization, today: date | None = None) -> Item | None:
    """Important know-how held by one person, or by someone leaving within 12 months (as the
    adviser portfolio counts it)."""
    if not may(user, organization, "register", "view"):
        return None
    count = register_services.succession_at_risk(organization, user=user, today=_today(today)).count()
    return Item(
        "succession_risks",
        count,
        _("Important know-how at succession risk (one holder, or a holder leaving within 12 months)"),
        _url("register_risks", organization),
    )


def reviews_due(user, organization, today: date | None = None) -> Item | None:
    """Assets whose review date has come: the register's "review due" filter, which the link opens."""
    if not may(user, organization, "register", "view"):
        return None
    count = len(register_services.filter_assets(user, organization, review_due=True, today=_today(today)))
    return Item(
        "reviews_due",
        count,
        _("Register entries due for review"),
        _url("ic_register", organization, query="review_due=on"),
        urgent=True,
    )


def followups_due(user, organization, today: date | None = None) -> Item | None:
    """Follow-ups promised to stakeholders whose due date has come."""
    if not may(user, organization, "deals", "view"):
        return None
    deal_ids = list(deals_services.followups_due(user, organization, _today(today)).values_list("deal_id", flat=True))
    url = _url("deal_detail", organization, deal_ids[0]) if len(set(deal_ids)) == 1 else _url("deals", organization)
    return Item("followups_due", len(deal_ids), _("Stakeholder follow-ups due"), url, urgent=True)


def no_successor(user, organization, today: date | None = None) -> Item | None:
    """Know-how whose holder leaves within 12 months while nobody staying can do it alone."""
    if not may(user, organization, "register", "view"):
        return None
    count = len(succession_services.without_successor(user, organization, _today(today)))
    return Item(
        "no_successor",
        count,
        _("Know-how whose holder leaves within 12 months with no successor at level 2 (can do alone)"),
        _url("succession_plans", organization),
        urgent=True,
    )


def plans_behind(user, organization, today: date | None = None) -> Item | None:
    """Capture plans whose successors are below the plan line today."""
    if not may(user, organization, "register", "view"):
        return None
    ids = [plan.pk for plan in succession_plans.behind_schedule(user, organization, _today(today))]
    url = _url("succession_plan", organization, ids[0]) if len(ids) == 1 else _url("succession_plans", organization)
    return Item("plans_behind", len(ids), _("Succession plans behind schedule"), url)


FIGURES = [
    overdue_returns,
    approvals_waiting,
    reviews_with_high_findings,
    succession_risks,
    no_successor,
    plans_behind,
    followups_due,
    reviews_due,
    upcoming_returns,
    ndas_expiring,
]


def items(user, organization, today: date | None = None) -> list[Item]:
    """What needs attention: the figures the user may see with something to do (count > 0)."""
    today = _today(today)
    found = (figure(user, organization, today) for figure in FIGURES)
    return [item for item in found if item is not None and item.count > 0]
