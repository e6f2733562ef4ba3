"""JSON API of the adviser workspace; the same services (and audit) as the web pages."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema

from chizai.advisers import prioritisation, services
from chizai.advisers.models import ActionItem, Diagnostic
from chizai.core.api import org_or_404
from chizai.core.models import Organization

router = Router(tags=["advisers"])


def _support(request, slug: str, action: str) -> Organization:
    org = org_or_404(request, slug, "advisers", action)
    services.require_kind(org, Organization.Kind.SUPPORT)
    return org


def _client(request, slug: str, action: str = "view") -> Organization:
    org = org_or_404(request, slug, "advisers", action)
    services.require_kind(org, Organization.Kind.COMPANY)
    return org


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


class PortfolioRow(Schema):
    slug: str
    name: str
    prefecture: str
    industry: str
    figures: dict


class DiagnosticOut(Schema):
    id: int
    conducted_on: date
    status: str
    overall: int
    scores: dict


class DiagnosticDetail(DiagnosticOut):
    answers: dict
    notes: str
    previous_id: int | None = None


class ActionOut(Schema):
    id: int
    title: str
    side: str
    due_on: date | None
    status: str


class CandidateOut(Schema):
    slug: str
    prefecture: str
    score: float
    contributions: list[dict]


@router.get("/orgs/{slug}/advisers/portfolio", response=list[PortfolioRow])
def portfolio(request, slug: str, prefecture: str = "", industry: str = "", sort: str = "name", desc: bool = False):
    support = _support(request, slug, "work")
    rows = services.portfolio(
        request.user, support, prefecture=prefecture, industry=industry, sort=sort, descending=desc
    )
    return [
        {
            "slug": r["client"].slug,
            "name": r["client"].name_ja,
            "prefecture": r["client"].prefecture,
            "industry": r["client"].industry,
            "figures": {k: _plain(v) for k, v in r["figures"].items()},
        }
        for r in rows
    ]


@router.get("/orgs/{slug}/advisers/candidates", response=list[CandidateOut])
def candidates(request, slug: str):
    support = _support(request, slug, "work")
    return [
        {
            "slug": r["client"].slug,
            "prefecture": r["client"].prefecture,
            "score": float(r["score"]),
            "contributions": [
                {"key": c.key, "weight": float(c.weight), "value": float(c.value), "points": float(c.points)}
                for c in r["contributions"]
            ],
        }
        for r in prioritisation.candidates(request.user, support)
    ]


@router.get("/orgs/{slug}/advisers/network")
def network(request, slug: str):
    support = _support(request, slug, "view")
    data = services.network(request.user, support)
    return {k: (dict(v) if k in ("by_prefecture", "by_industry") else v) for k, v in data.items()}


@router.get("/orgs/{slug}/advisers/diagnostics", response=list[DiagnosticOut])
def diagnostics(request, slug: str):
    client = _client(request, slug)
    services.read_client(request.user, client, "diagnostic list (API)", data={"variant": "diagnostics"})
    return Diagnostic.objects.restrict(request.user, "view").filter(organization=client)


@router.get("/orgs/{slug}/advisers/diagnostics/{diagnostic_id}", response=DiagnosticDetail)
def diagnostic(request, slug: str, diagnostic_id: int):
    client = _client(request, slug)
    item, previous = services.read_diagnostic(request.user, client, diagnostic_id)
    item.previous_id = previous.pk if previous else None  # type: ignore[attr-defined]  # for DiagnosticDetail
    return item


@router.get("/orgs/{slug}/advisers/actions", response=list[ActionOut])
def actions(request, slug: str):
    client = _client(request, slug)
    services.read_client(request.user, client, "action items (API)", data={"variant": "actions"})
    return ActionItem.objects.restrict(request.user, "view").filter(organization=client)
