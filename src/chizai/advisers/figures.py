"""Every figure the adviser workspace shows about a client, one function per figure.

The other parts (register, review, disclosure, deals) are built in parallel, so each
function imports that part lazily and answers ``None`` — shown as "—" with the tooltip
"not available yet" — while the part has no data model (or not the fields named here).
Nothing else in this app reads another part's tables: when a part changes its models,
only this file needs to follow. docs/advisers.md lists what each figure expects.

These functions do not check access and do not audit: callers (``services``) do both,
because one adviser read of a client is one audit event, not one per figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from chizai.core.models import Organization

NOT_AVAILABLE = _("not available yet: that part of chizai has no data for this figure")


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _safe(compute):
    """Run a query against another part's models; any mismatch means "not available".

    The savepoint keeps a failed query (say, a table whose migration has not run yet)
    from breaking the caller's transaction on PostgreSQL.
    """
    try:
        with transaction.atomic():
            return compute()
    except (FieldError, LookupError, AttributeError, ValueError, TypeError, DatabaseError):
        return None


# --- register (issue 4) ------------------------------------------------------------------


def register_size(client):
    """Number of entries in the intellectual-capital register."""
    Asset = _model("register", "Asset")
    if Asset is None:
        return None
    return _safe(lambda: Asset.objects.filter(organization=client).count())


SECRET_CLASSES = ("confidential", "secret")


def secret_readiness(client):
    """Percent of 秘密 / 極秘 entries with all three secrecy measures recorded
    (marked, access restricted, listed) — what a court looks for under the UCPA."""
    Asset = _model("register", "Asset")
    if Asset is None:
        return None

    def compute():
        secret = Asset.objects.filter(organization=client, classification__in=SECRET_CLASSES)
        total = secret.count()
        if total == 0:
            return None
        ready = secret.filter(ts_marked=True, ts_access_restricted=True, ts_listed=True).count()
        return round(100 * ready / total)

    return _safe(compute)


def succession_risks(client):
    """Important entries (high business value, or 秘密 / 極秘) held by one person only, or by
    someone leaving within a year — the knowledge a retirement would take away. Counted by the
    register itself (``succession_at_risk``), as the organisation home counts it."""
    if _model("register", "Asset") is None:
        return None
    from chizai.register import services as register_services  # lazily, like the models above

    return _safe(lambda: register_services.succession_at_risk(client).count())


def succession_readiness(client):
    """Percent of the important know-how at least two people staying beyond a year can do alone:
    the skills map's bus factor where the asset is on the map, its holders otherwise. Computed
    by the succession part (``readiness``)."""
    if _model("succession", "Skill") is None:
        return None
    from chizai.succession import services as succession_services  # lazily, like the models above

    return _safe(lambda: succession_services.readiness(client))


def succession_plan_coverage(client):
    """(important entries fewer than two staying people can do alone, how many have a capture plan)."""
    if _model("succession", "CapturePlan") is None:
        return None
    from chizai.succession import services as succession_services  # lazily, like the models above

    return _safe(lambda: succession_services.plan_coverage(client))


# --- review (issue 3) --------------------------------------------------------------------


def open_findings(client):
    """High and medium findings in the newest version of each reviewed contract."""
    Review = _model("review", "ContractReview")
    if Review is None:
        return None

    def compute():
        latest = Review.objects.filter(organization=client, status="done", next_versions__isnull=True)
        totals = latest.aggregate(high=Sum("high_count"), medium=Sum("medium_count"))
        return (totals["high"] or 0) + (totals["medium"] or 0)

    return _safe(compute)


# --- disclosure (issue 5) ----------------------------------------------------------------


def ndas_expiring(client, days: int = 90):
    """Signed NDAs whose term ends within ``days``: the disclosure part's own query, which the
    organisation home counts too (``core.attention``)."""
    if _model("disclosure", "Agreement") is None:
        return None
    from chizai.disclosure import duties  # lazily, like the models above: the part may be absent

    return _safe(lambda: duties.expiring_ndas(client, days=days).count())


def overdue_returns(client):
    """Disclosures whose return or destruction date has passed with neither recorded.

    Counted by the disclosure part itself, so this figure, the disclosure page and the
    calendar agree (a return date implied by the agreement's expiry counts too)."""
    if _model("disclosure", "Disclosure") is None:
        return None
    from chizai.disclosure import duties  # lazily, like the models above: the part may be absent

    return _safe(lambda: duties.overdue_returns(client))


# --- deals (issue 6) ---------------------------------------------------------------------


def open_deal_points(client):
    """Negotiation points still open across the client's deals."""
    Point = _model("deals", "NegotiationPoint")
    if Point is None:
        return None
    return _safe(lambda: Point.objects.filter(organization=client, status="open").count())


# --- this part -----------------------------------------------------------------------------


def last_contact(client):
    from chizai.advisers.models import VisitLog

    return VisitLog.objects.filter(organization=client).aggregate(last=Max("visited_on"))["last"]


def next_contact(client):
    """The next planned contact: the latest visit's "next contact", else the next due action."""
    from chizai.advisers.models import ActionItem, VisitLog

    today = timezone.localdate()
    planned = VisitLog.objects.filter(organization=client, next_contact_on__gte=today).order_by("next_contact_on")
    first = planned.values_list("next_contact_on", flat=True).first()
    if first is not None:
        return first
    return (
        ActionItem.objects.filter(organization=client, status="open", due_on__gte=today)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )


def open_actions(client):
    from chizai.advisers.models import ActionItem

    return ActionItem.objects.filter(organization=client, status="open").count()


def latest_diagnostic_score(client):
    from chizai.advisers.models import Diagnostic

    return Diagnostic.objects.filter(organization=client, status="final").values_list("overall", flat=True).first()


def self_sufficiency(client):
    """Percent of tracked skills the client now does alone (latest observation per skill)."""
    from chizai.advisers.models import SkillHandover

    latest: dict[str, int] = {}
    for skill, level in SkillHandover.objects.filter(organization=client).values_list("skill", "level"):
        latest.setdefault(skill, level)  # ordered newest first per skill
    if not latest:
        return None
    return round(100 * sum(1 for level in latest.values() if level == 2) / len(latest))


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label: str | Promise  # translated lazily
    func: Callable[[Organization], object]
    url_name: str  # where in the client organisation the figure comes from
    kind: str = "number"  # number | percent | date


FIGURES: list[FigureSpec] = [
    FigureSpec("register_size", _("Register entries"), register_size, "ic_register"),
    FigureSpec("secret_readiness", _("Trade-secret readiness"), secret_readiness, "ic_register", "percent"),
    FigureSpec("succession_risks", _("Succession risks"), succession_risks, "ic_register"),
    FigureSpec("succession_readiness", _("Succession readiness"), succession_readiness, "succession_plans", "percent"),
    FigureSpec("open_findings", _("Open review findings"), open_findings, "reviews"),
    FigureSpec("ndas_expiring", _("NDAs expiring (90 days)"), ndas_expiring, "disclosure"),
    FigureSpec("overdue_returns", _("Overdue returns"), overdue_returns, "disclosure"),
    FigureSpec("open_deal_points", _("Open deal points"), open_deal_points, "deals"),
    FigureSpec("open_actions", _("Open actions"), open_actions, "advisers"),
    FigureSpec("diagnostic", _("Diagnostic score"), latest_diagnostic_score, "advisers"),
    FigureSpec("self_sufficiency", _("Self-sufficiency"), self_sufficiency, "advisers", "percent"),
    FigureSpec("last_contact", _("Last contact"), last_contact, "advisers", "date"),
    FigureSpec("next_contact", _("Next contact"), next_contact, "advisers", "date"),
]
BY_KEY = {spec.key: spec for spec in FIGURES}


def all_figures(client) -> dict[str, object]:
    return {spec.key: spec.func(client) for spec in FIGURES}
