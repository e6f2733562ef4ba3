from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from chizai.core.api import org_or_404
from chizai.core.services import ChizaiError
from chizai.core.validation import Input
from chizai.review import services
from chizai.review.input_errors import review_error
from chizai.review.models import ContractReview, ReviewFeedback

router = Router(tags=["reviews"])


class ReviewIn(Input):
    model = ContractReview
    limits = {"sme": "review.ContractReview.sme_party"}
    multiline = frozenset({"text"})

    org: str
    text: str | None = None
    filename: str = "pasted.txt"
    title: str = ""
    type: str = "auto"
    sme: str | None = None
    lang: str = "auto"
    previous: int | None = None


class ReviewOut(Schema):
    id: int
    org: str
    title: str
    filename: str
    status: str
    error: str
    created_at: datetime
    previous: int | None
    job: int | None
    report: dict | None
    # what the reviewer was unsure of ("sme", "type") and nobody has answered: resubmit
    # with `sme` / `type`; report.detection.note says it in the contract's language
    needs_confirmation: list[str] = []

    @staticmethod
    def resolve_org(obj):
        return obj.organization.slug

    @staticmethod
    def resolve_previous(obj):
        return obj.previous_id

    @staticmethod
    def resolve_job(obj):
        return obj.job_id

    @staticmethod
    def resolve_error(obj):
        return review_error(obj)

    @staticmethod
    def resolve_needs_confirmation(obj):
        return services.open_questions(obj)


def _submit(request, payload: ReviewIn, upload: UploadedFile | None):
    org = org_or_404(request, payload.org, "review", "add")
    previous = None
    if payload.previous:
        previous = get_object_or_404(
            ContractReview.objects.restrict(request.user, "view").filter(organization=org), pk=payload.previous
        )
    try:
        return services.submit_review(
            request.user,
            org,
            filename=(upload.name or "") if upload else payload.filename,
            data=upload.read() if upload else None,
            text=None if upload else (payload.text or ""),
            title=payload.title,
            contract_type=payload.type,
            sme=payload.sme,
            lang=payload.lang,
            previous=previous,
        )
    except ChizaiError as exc:
        raise HttpError(422, str(exc)) from exc


@router.post("/reviews", response={201: ReviewOut})
# django-ninja's optional-upload idiom; File[UploadedFile | None] would change the OpenAPI schema (file: anyOf null)
def create_review(request, payload: Form[ReviewIn], file: File[UploadedFile] = None):  # type: ignore[assignment]
    """Submit a contract (a file upload, or `text`) for review. Small contracts come back
    reviewed; larger ones have status `queued` — poll GET /api/reviews/{id}."""
    return Status(201, _submit(request, payload, file))


@router.post("/reviews/json", response={201: ReviewOut})
def create_review_json(request, payload: ReviewIn):
    """Submit pasted text as JSON ({"org": …, "text": …})."""
    return Status(201, _submit(request, payload, None))


@router.get("/reviews/{review_id}", response=ReviewOut)
def get_review(request, review_id: int):
    review = get_object_or_404(
        ContractReview.objects.restrict(request.user, "view").select_related("organization"), pk=review_id
    )
    services.record_view(request.user, review)
    return review


@router.get("/orgs/{slug}/reviews", response=list[ReviewOut])
def list_reviews(request, slug: str):
    org = org_or_404(request, slug, "review", "view")
    return (
        ContractReview.objects.restrict(request.user, "view")
        .filter(organization=org)
        .select_related("organization")[:200]
    )


class FeedbackIn(Input):
    model = ReviewFeedback
    multiline = frozenset({"text", "reason"})

    verdict: str
    reason: str
    finding: int | None = None  # index in report.findings, for wrong / right
    rule_id: str = ""  # for missed: a rule id of the catalogue
    text: str = ""  # for missed: the clause text
    clause_ref: str = ""


class FeedbackOut(Schema):
    id: int
    review: int | None
    rule_id: str
    verdict: str
    clause_ref: str
    language: str
    clause_hash: str
    text: str
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_review(obj):
        return obj.review_id


@router.post("/reviews/{review_id}/feedback", response={201: FeedbackOut})
def add_feedback(request, review_id: int, payload: FeedbackIn):
    """Mark finding number `finding` wrong or right, or add a finding the reviewer missed
    (`verdict: missed`, `rule_id`, `text`), with a `reason`. Needs the change permission."""
    from chizai.review import feedback

    review = get_object_or_404(
        ContractReview.objects.restrict(request.user, "change").select_related("organization"), pk=review_id
    )
    try:
        return Status(
            201,
            feedback.record_feedback(
                request.user,
                review.organization,
                review,
                verdict=payload.verdict,
                reason=payload.reason,
                finding_index=payload.finding,
                rule_id=payload.rule_id,
                text=payload.text,
                clause_ref=payload.clause_ref,
            ),
        )
    except ChizaiError as exc:
        raise HttpError(422, str(exc)) from exc


@router.get("/reviews/{review_id}/findings", response=dict)
def review_findings(request, review_id: int, lang: str = "en"):
    """The findings as the organisation reads them: `shown`, `marked_wrong` (on clause text
    the organisation marked wrong before, with the date) and `added` (missed findings the
    organisation added on clause text this contract holds); each finding has `why_text`."""
    from chizai.review import feedback

    review = get_object_or_404(ContractReview.objects.restrict(request.user, "view"), pk=review_id)
    return feedback.annotate(review, "ja" if lang == "ja" else "en")


@router.get("/orgs/{slug}/review-feedback", response=list[FeedbackOut])
def list_feedback(request, slug: str):
    org = org_or_404(request, slug, "review", "view")
    return ReviewFeedback.objects.restrict(request.user, "view").filter(organization=org)[:500]


@router.get("/reviews/{review_id}/commented.docx")
def review_commented_docx(request, review_id: int, lang: str = "ja"):
    """The contract as DOCX with each finding as a Word comment in `lang` (ja|en) and the balanced
    wording as tracked insertions; audited as an export."""
    review = get_object_or_404(ContractReview.objects.restrict(request.user, "export"), pk=review_id)
    try:
        body, content_type, name = services.commented_docx(request.user, review, lang)
    except ChizaiError as exc:
        raise HttpError(400, str(exc)) from exc
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
