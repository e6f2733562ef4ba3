"""Disclosure API: thin routes on the services; reads through restrict()."""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from chizai.core.api import org_or_404
from chizai.core.services import ChizaiError
from chizai.core.validation import Input, InUse
from chizai.disclosure import copies as handover, duties, services
from chizai.disclosure.models import Agreement, Disclosure, Partner

router = Router(tags=["disclosure"])


class PartnerIn(Input):
    model = Partner

    name_ja: str
    name_en: str = ""
    kind: str = "customer"
    country: str = "日本"


class PartnerOut(Schema):
    id: int
    name_ja: str
    name_en: str
    kind: str
    country: str


class AgreementIn(Input):
    model = Agreement

    partner: int
    title: str = ""
    type: str = "NDA"
    direction: str = "mutual"
    status: str = "draft"
    signed_on: date | None = None
    effective_on: date | None = None
    expires_on: date | None = None
    survival_months: int | None = None
    purpose: str = ""
    purpose_stages: list[str] = []
    categories: list[str] = []
    return_duty: str = "none"
    return_days: int | None = None
    certificate_required: bool = False


class AgreementOut(Schema):
    id: int
    partner: int
    title: str
    type: str
    direction: str
    status: str
    signed_on: date | None
    effective_on: date | None
    expires_on: date | None
    survival_months: int | None
    purpose: str
    purpose_stages: list
    categories: list
    return_duty: str
    file_sha256: str
    review: int | None
    suggestions: dict
    warnings: list[str] = []

    @staticmethod
    def resolve_partner(obj):
        return obj.partner_id

    @staticmethod
    def resolve_review(obj):
        return obj.review_id


class SignIn(Input):
    signed_on: date
    effective_on: date | None = None
    expires_on: date | None = None


class DisclosureIn(Input):
    model = Disclosure
    limits = {
        "descriptions": "disclosure.DisclosureItem.description",
        "recipients": "disclosure.DisclosureRecipient.name",
    }

    partner: int
    agreement: int | None = None
    stage: str
    purpose: str
    method: str = "file"
    disclosed_on: date
    versions: list[int] = []
    assets: list[int] = []
    descriptions: list[str] = []
    recipients: list[str]
    minutes: str = ""
    note: str = ""
    override_reason: str = ""
    return_due_on: date | None = None


class DisclosureOut(Schema):
    id: int
    reference: str
    partner: int
    agreement: int | None
    stage: str
    method: str
    disclosed_on: date
    status: str
    gate: dict
    override_reason: str
    return_due_on: date | None
    returned_on: date | None
    destroyed_on: date | None
    certificate_received_on: date | None

    @staticmethod
    def resolve_partner(obj):
        return obj.partner_id

    @staticmethod
    def resolve_agreement(obj):
        return obj.agreement_id


class ReasonIn(Input):
    limits = {"reason": "disclosure.Disclosure.override_reason"}

    reason: str


class CopyOut(Schema):
    id: int
    recipient: str
    filename: str
    kind: str
    sha256: str
    fingerprint: str

    @staticmethod
    def resolve_recipient(obj):
        return obj.recipient.name


class ObligationOut(Schema):
    key: str
    kind: str
    due_on: date
    title: str
    done_on: date | None


class TraceOut(Schema):
    status: str
    message: str
    disclosure: int | None = None
    recipient: str | None = None
    copy_id: int | None = None


def _call(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except InUse as exc:
        raise HttpError(409, str(exc)) from None
    except ChizaiError as exc:
        raise HttpError(400, str(exc)) from None


@router.get("/orgs/{slug}/disclosure/partners", response=list[PartnerOut])
def list_partners(request, slug: str):
    org = org_or_404(request, slug, "disclosure", "view")
    return Partner.objects.restrict(request.user, "view").filter(organization=org)


@router.post("/orgs/{slug}/disclosure/partners", response=PartnerOut)
def create_partner(request, slug: str, payload: PartnerIn):
    org = org_or_404(request, slug, "disclosure", "add")
    return _call(services.create_partner, request.user, org, **payload.dict())


@router.get("/orgs/{slug}/disclosure/agreements", response=list[AgreementOut])
def list_agreements(request, slug: str):
    org = org_or_404(request, slug, "disclosure", "view")
    return Agreement.objects.restrict(request.user, "view").filter(organization=org)


@router.post("/orgs/{slug}/disclosure/agreements", response=AgreementOut)
def create_agreement(request, slug: str, payload: AgreementIn):
    org = org_or_404(request, slug, "disclosure", "add")
    data = payload.dict()
    partner = data.pop("partner")
    agreement, warnings = _call(services.create_agreement, request.user, org, partner, **data)
    agreement.warnings = warnings
    return agreement


@router.get("/orgs/{slug}/disclosure/agreements/{agreement_id}", response=AgreementOut)
def get_agreement(request, slug: str, agreement_id: int):
    org = org_or_404(request, slug, "disclosure", "view")
    get_object_or_404(Agreement.objects.restrict(request.user, "view").filter(organization=org), pk=agreement_id)
    # A long contract is reviewed in the background; its suggestions appear once the review is done.
    agreement = services.refresh_suggestions(request.user, org, agreement_id)
    agreement.warnings = services.conflicts(agreement)  # type: ignore[attr-defined]  # for the response schema
    return agreement


@router.post("/orgs/{slug}/disclosure/agreements/{agreement_id}/file", response=AgreementOut)
def upload_agreement_file(request, slug: str, agreement_id: int, file: UploadedFile = File(...)):
    org = org_or_404(request, slug, "disclosure", "add")
    return _call(services.attach_file, request.user, org, agreement_id, filename=file.name, data=file.read())


@router.post("/orgs/{slug}/disclosure/agreements/{agreement_id}/sign", response=AgreementOut)
def sign_agreement(request, slug: str, agreement_id: int, payload: SignIn):
    org = org_or_404(request, slug, "disclosure", "change")
    agreement, warnings = _call(services.sign_agreement, request.user, org, agreement_id, **payload.dict())
    agreement.warnings = warnings
    return agreement


@router.get("/orgs/{slug}/disclosure/disclosures", response=list[DisclosureOut])
def list_disclosures(request, slug: str, partner: int | None = None):
    org = org_or_404(request, slug, "disclosure", "view")
    qs = Disclosure.objects.restrict(request.user, "view").filter(organization=org)
    return qs.filter(partner_id=partner) if partner else qs


@router.post("/orgs/{slug}/disclosure/disclosures", response=DisclosureOut)
def create_disclosure(request, slug: str, payload: DisclosureIn):
    """Runs the gate: a refused attempt is kept (status ``refused``) with every reason in ``gate.failures``."""
    org = org_or_404(request, slug, "disclosure", "add")
    d = payload.dict()
    return _call(
        services.create_disclosure,
        request.user,
        org,
        partner_id=d["partner"],
        agreement_id=d["agreement"],
        stage=d["stage"],
        purpose=d["purpose"],
        method=d["method"],
        disclosed_on=d["disclosed_on"],
        version_ids=d["versions"],
        asset_ids=d["assets"],
        descriptions=d["descriptions"],
        recipients=d["recipients"],
        minutes=d["minutes"],
        note=d["note"],
        override_reason=d["override_reason"],
        return_due_on=d["return_due_on"],
    )


@router.get("/orgs/{slug}/disclosure/disclosures/{disclosure_id}", response=DisclosureOut)
def get_disclosure(request, slug: str, disclosure_id: int):
    org = org_or_404(request, slug, "disclosure", "view")
    return get_object_or_404(
        Disclosure.objects.restrict(request.user, "view").filter(organization=org), pk=disclosure_id
    )


@router.post("/orgs/{slug}/disclosure/disclosures/{disclosure_id}/override", response=DisclosureOut)
def override(request, slug: str, disclosure_id: int, payload: ReasonIn):
    org = org_or_404(request, slug, "disclosure", "override")
    return _call(services.override, request.user, org, disclosure_id, payload.reason)


@router.post("/orgs/{slug}/disclosure/disclosures/{disclosure_id}/copies", response=list[CopyOut])
def make_copies(request, slug: str, disclosure_id: int):
    org = org_or_404(request, slug, "disclosure", "add")
    _call(handover.make_copies, request.user, org, disclosure_id)
    disclosure = get_object_or_404(
        Disclosure.objects.restrict(request.user, "view").filter(organization=org), pk=disclosure_id
    )
    return disclosure.copies.select_related("recipient")


@router.get("/orgs/{slug}/disclosure/obligations", response=list[ObligationOut])
def list_obligations(request, slug: str, include_done: bool = False):
    org = org_or_404(request, slug, "disclosure", "view")
    duties.sync_obligations(org)
    return duties.obligations(request.user, org, include_done=include_done)


@router.post("/orgs/{slug}/disclosure/trace", response=TraceOut)
def trace(request, slug: str, file: UploadedFile = File(...)):
    org = org_or_404(request, slug, "disclosure", "view")
    result = handover.trace(file.read(), user=request.user, organization=org)
    out = {"status": result["status"], "message": handover.trace_message(result)}
    if result["status"] == "ours":
        copy = result["copy"]
        out.update(disclosure=copy.disclosure_id, recipient=copy.recipient.name, copy_id=copy.pk)
    return out


class ReturnIn(Input):
    return_requested_on: date | None = None
    returned_on: date | None = None
    destroyed_on: date | None = None
    certificate_received_on: date | None = None
    return_due_on: date | None = None


@router.post("/orgs/{slug}/disclosure/disclosures/{disclosure_id}/approve", response=DisclosureOut)
def approve(request, slug: str, disclosure_id: int):
    org = org_or_404(request, slug, "disclosure", "approve")
    return _call(services.approve, request.user, org, disclosure_id)


@router.post("/orgs/{slug}/disclosure/disclosures/{disclosure_id}/second-person", response=DisclosureOut)
def second_person(request, slug: str, disclosure_id: int):
    org = org_or_404(request, slug, "disclosure", "approve")
    return _call(services.confirm_second, request.user, org, disclosure_id)


@router.post("/orgs/{slug}/disclosure/disclosures/{disclosure_id}/return", response=DisclosureOut)
def record_return(request, slug: str, disclosure_id: int, payload: ReturnIn):
    org = org_or_404(request, slug, "disclosure", "change")
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    return _call(services.record_return, request.user, org, disclosure_id, **fields)


@router.get("/orgs/{slug}/disclosure/partners/{partner_id}/dossier", response={200: None})
def partner_dossier(request, slug: str, partner_id: int, fmt: str = "csv"):
    """The partner dossier as PDF or CSV (``fmt``), byte-identical from the same data."""
    from django.http import Http404, HttpResponse

    org = org_or_404(request, slug, "disclosure", "export")
    if fmt not in ("csv", "pdf"):
        raise Http404
    body, ctype, name = _call(services.dossier, request.user, org, partner_id, fmt)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
