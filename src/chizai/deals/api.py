"""Deals over the JSON API: list and create deals, read one with its points, shares and
worksheet totals, add drafts, turn findings into points and move a point's status."""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from chizai.core.api import org_or_404
from chizai.core.services import ChizaiError
from chizai.core.validation import Input
from chizai.deals import export, ledger, services
from chizai.deals.models import ContributionEntry, Deal, NegotiationPoint
from chizai.disclosure.models import Partner
from chizai.review.models import ContractReview

router = Router(tags=["deals"])


class DealIn(Input):
    model = Deal
    limits = {"new_partner": "disclosure.Partner.name_ja"}

    title: str
    partner: int | None = None
    new_partner: str = ""
    kind: str = "joint_rd"
    stage: str = "preparing"
    summary: str = ""
    next_meeting: date | None = None


class PointOut(Schema):
    id: int
    title: str
    rule_id: str
    clause: str
    our_position: str
    fallback: str
    give_in_return: str
    counterparty_position: str
    status: str
    agreed_wording: str


class DealOut(Schema):
    id: int
    title: str
    partner: str
    kind: str
    stage: str
    next_meeting: date | None

    @staticmethod
    def resolve_partner(obj):
        return obj["partner"] if isinstance(obj, dict) else obj.partner.name_ja


class DealDetailOut(DealOut):
    drafts: list[dict]
    points: list[PointOut]
    shares: dict[str, str]
    totals_yen: dict[str, int]


class DraftIn(Input):
    limits = {
        "note": "deals.DealDraft.note",
        "from_party": "deals.DealDraft.from_party",
        "filename": "review.ContractReview.filename",
    }
    multiline = frozenset({"text"})

    text: str
    filename: str = "draft.txt"
    from_party: str = "theirs"
    note: str = ""


class FindingIn(Input):
    review: int
    index: int


class StatusIn(Input):
    model = NegotiationPoint

    status: str
    agreed_wording: str | None = None


def _deal(request, slug: str, deal_id: int, action: str = "view") -> Deal:
    org = org_or_404(request, slug, "deals", action)
    return get_object_or_404(
        Deal.objects.restrict(request.user, action).filter(organization=org).select_related("partner"), pk=deal_id
    )


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ChizaiError as exc:
        raise HttpError(422, str(exc)) from exc


def _detail(deal: Deal) -> dict:
    result = ledger.deal_shares(deal)
    _rows, totals = services.worksheet_rows(deal)
    return {
        "id": deal.pk,
        "title": deal.title,
        "partner": deal.partner.name_ja,
        "kind": deal.kind,
        "stage": deal.stage,
        "next_meeting": deal.next_meeting,
        "drafts": [
            {"number": d.number, "review": d.review_id, "status": d.review.status, "from_party": d.from_party}
            for d in deal.drafts.select_related("review")
        ],
        "points": list(deal.points.all()),
        "shares": {party: str(share) for party, share in result.shares.items()},
        "totals_yen": {"goods": totals.goods, "knowledge": totals.knowledge},
    }


@router.get("/orgs/{slug}/deals", response=list[DealOut])
def list_deals(request, slug: str):
    org = org_or_404(request, slug, "deals", "view")
    return Deal.objects.restrict(request.user, "view").filter(organization=org).select_related("partner")[:200]


@router.post("/orgs/{slug}/deals", response={201: DealDetailOut})
def create_deal(request, slug: str, payload: DealIn):
    org = org_or_404(request, slug, "deals", "add")
    if payload.partner:
        partner = get_object_or_404(
            Partner.objects.restrict(request.user, "view").filter(organization=org), pk=payload.partner
        )
    else:
        partner = _call(services.ensure_partner, request.user, org, name_ja=payload.new_partner)
    deal = _call(
        services.create_deal,
        request.user,
        org,
        partner=partner,
        title=payload.title,
        kind=payload.kind,
        stage=payload.stage,
        summary=payload.summary,
        next_meeting=payload.next_meeting,
    )
    return Status(201, _detail(deal))


@router.get("/orgs/{slug}/deals/{deal_id}", response=DealDetailOut)
def get_deal(request, slug: str, deal_id: int):
    return _detail(_deal(request, slug, deal_id))


@router.post("/orgs/{slug}/deals/{deal_id}/drafts", response={201: DealDetailOut})
def add_draft(request, slug: str, deal_id: int, payload: DraftIn):
    deal = _deal(request, slug, deal_id, "change")
    _call(
        services.add_draft,
        request.user,
        deal,
        text=payload.text,
        filename=payload.filename,
        from_party=payload.from_party,
        note=payload.note,
    )
    return Status(201, _detail(deal))


@router.get("/orgs/{slug}/deals/{deal_id}/changes")
def draft_changes(request, slug: str, deal_id: int):
    """For each draft after the first: findings that appeared and went away, and the text changes."""
    deal = _deal(request, slug, deal_id)
    return [{"from": c["old"].number, "to": c["new"].number, "diff": c["diff"]} for c in services.draft_changes(deal)]


@router.post("/orgs/{slug}/deals/{deal_id}/points/from-finding", response={200: PointOut, 201: PointOut})
def point_from_finding(request, slug: str, deal_id: int, payload: FindingIn):
    deal = _deal(request, slug, deal_id, "change")
    review = get_object_or_404(
        ContractReview.objects.restrict(request.user, "view").filter(organization=deal.organization), pk=payload.review
    )
    point, created = _call(services.point_from_finding, request.user, deal, review, payload.index)
    return Status(201 if created else 200, point)


@router.post("/orgs/{slug}/deals/{deal_id}/points/{point_id}/status", response=PointOut)
def set_point_status(request, slug: str, deal_id: int, point_id: int, payload: StatusIn):
    deal = _deal(request, slug, deal_id, "change")
    point = get_object_or_404(NegotiationPoint.objects.restrict(request.user, "change").filter(deal=deal), pk=point_id)
    return _call(services.set_status, request.user, point, payload.status, agreed_wording=payload.agreed_wording)


class StakeholderOut(Schema):
    id: int
    side: str
    name: str
    role: str
    stance: str
    influence: str
    consult_before_meeting: bool
    consulted_on: date | None


class ContributionIn(Input):
    model = ContributionEntry

    party: str
    kind: str
    made_on: date
    description: str
    value: int
    valuation_basis: str = ""
    failed_run: bool = False
    evidence_note: str = ""


class ContributionOut(Schema):
    id: int
    party: str
    kind: str
    made_on: date
    description: str
    value: int
    valuation_basis: str
    failed_run: bool
    evidence_note: str


class LedgerOut(Schema):
    entries: list[ContributionOut]
    weights: dict[str, str]
    shares: dict[str, str]


class WorksheetLineOut(Schema):
    id: int
    category: str
    item_kind: str
    title: str
    included: bool
    method: str
    yen: int
    assumptions: str


class WorksheetOut(Schema):
    lines: list[WorksheetLineOut]
    goods_yen: int
    knowledge_yen: int


@router.get("/orgs/{slug}/deals/{deal_id}/stakeholders", response=list[StakeholderOut])
def list_stakeholders(request, slug: str, deal_id: int):
    return list(_deal(request, slug, deal_id).stakeholders.all())


def _ledger(deal: Deal) -> dict:
    result = ledger.deal_shares(deal)
    return {
        "entries": [
            {
                **{
                    f: getattr(e, f)
                    for f in (
                        "id",
                        "party",
                        "kind",
                        "made_on",
                        "description",
                        "valuation_basis",
                        "failed_run",
                        "evidence_note",
                    )
                },
                "value": int(e.value),
            }
            for e in deal.contributions.all()
        ],
        "weights": {kind: str(weight) for kind, weight in ledger.weights_of(deal).items()},
        "shares": {party: str(share) for party, share in result.shares.items()},
    }


@router.get("/orgs/{slug}/deals/{deal_id}/contributions", response=LedgerOut)
def get_ledger(request, slug: str, deal_id: int):
    """The contribution ledger with the weights in force and the resulting shares."""
    return _ledger(_deal(request, slug, deal_id))


@router.post("/orgs/{slug}/deals/{deal_id}/contributions", response={201: LedgerOut})
def add_contribution(request, slug: str, deal_id: int, payload: ContributionIn):
    deal = _deal(request, slug, deal_id, "change")
    _call(ledger.add_contribution, request.user, deal, **payload.dict())
    return Status(201, _ledger(deal))


@router.get("/orgs/{slug}/deals/{deal_id}/worksheet", response=WorksheetOut)
def get_worksheet(request, slug: str, deal_id: int):
    """Consideration worksheet: each line in whole yen, goods and knowledge totals kept apart."""
    rows, totals = services.worksheet_rows(_deal(request, slug, deal_id))
    return {
        "lines": [
            {
                "id": item.pk,
                "category": item.category,
                "item_kind": item.item_kind,
                "title": item.title,
                "included": item.included,
                "method": item.method,
                "yen": yen,
                "assumptions": item.assumptions,
            }
            for item, yen in rows
        ],
        "goods_yen": totals.goods,
        "knowledge_yen": totals.knowledge,
    }


@router.get("/orgs/{slug}/deals/{deal_id}/brief.pdf", response={200: None})
def get_brief(request, slug: str, deal_id: int, lang: str = "ja"):
    """The negotiation brief as a PDF (ja or en)."""
    from django.http import HttpResponse

    deal = _deal(request, slug, deal_id, "export")
    body, content_type, name = _call(export.export_brief, request.user, deal, lang=lang)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
