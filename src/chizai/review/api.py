from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from chizai.core.api import org_or_404
from chizai.core.services import ChizaiError
from chizai.review import services
from chizai.review.models import ContractReview

router = Router(tags=["reviews"])


class ReviewIn(Schema):
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

    @staticmethod
    def resolve_org(obj):
        return obj.organization.slug

    @staticmethod
    def resolve_previous(obj):
        return obj.previous_id

    @staticmethod
    def resolve_job(obj):
        return obj.job_id


def _submit(request, payload: ReviewIn, upload: UploadedFile | None):
    org = org_or_404(request, payload.org, "review", "add")
    previous = None
    if payload.previous:
        previous = get_object_or_404(ContractReview.objects.restrict(request.user, "view").filter(organization=org), pk=payload.previous)
    try:
        return services.submit_review(
            request.user, org, filename=upload.name if upload else payload.filename,
            data=upload.read() if upload else None, text=None if upload else (payload.text or ""),
            title=payload.title, contract_type=payload.type, sme=payload.sme, lang=payload.lang, previous=previous,
        )
    except ChizaiError as exc:
        raise HttpError(422, str(exc)) from exc
    except PermissionDenied as exc:
        raise HttpError(404, "Not found") from exc


@router.post("/reviews", response={201: ReviewOut})
def create_review(request, payload: Form[ReviewIn], file: File[UploadedFile] = None):
    """Submit a contract (a file upload, or `text`) for review. Small contracts come back
    reviewed; larger ones have status `queued` — poll GET /api/reviews/{id}."""
    return 201, _submit(request, payload, file)


@router.post("/reviews/json", response={201: ReviewOut})
def create_review_json(request, payload: ReviewIn):
    """Submit pasted text as JSON ({"org": …, "text": …})."""
    return 201, _submit(request, payload, None)


@router.get("/reviews/{review_id}", response=ReviewOut)
def get_review(request, review_id: int):
    review = get_object_or_404(ContractReview.objects.restrict(request.user, "view").select_related("organization"), pk=review_id)
    services.record_view(request.user, review)
    return review


@router.get("/orgs/{slug}/reviews", response=list[ReviewOut])
def list_reviews(request, slug: str):
    org = org_or_404(request, slug, "review", "view")
    return ContractReview.objects.restrict(request.user, "view").filter(organization=org).select_related("organization")[:200]
