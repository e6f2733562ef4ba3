from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from chizai.core import access, audit
from chizai.core.models import AuditEvent, Job, Organization
from chizai.core.querysets import roles_by_org

router = Router(tags=["organisations"])


def org_or_404(request, slug: str, app: str = "core", action: str = "view") -> Organization:
    """The organisation behind ``slug`` if the caller may do ``action`` on ``app`` there, else
    ``access.NotFound`` (404 JSON): at the route, a script learns nothing about what exists."""
    org = Organization.objects.restrict(request.user, "view").filter(slug=slug).first()
    if org is None or not access.may(request.user, org, app, action):
        raise access.NotFound("No such organisation.")
    return org


class MeOut(Schema):
    username: str
    organizations: list[dict]


class OrganizationOut(Schema):
    slug: str
    name_ja: str
    name_en: str
    kind: str
    industry: str
    size_class: str
    prefecture: str
    default_language: str
    role: str | None = None


class AuditEventOut(Schema):
    seq: int
    created_at: datetime
    actor_username: str
    action: str
    object_type: str
    object_id: str
    summary: str
    request_id: str
    hash: str
    prev_hash: str


class JobOut(Schema):
    id: int
    kind: str
    status: str
    progress: int
    progress_note: str
    attempts: int
    last_error: str
    result: dict | list | None = None


class VerifyOut(Schema):
    ok: bool
    checked: int
    message: str


@router.get("/me", response=MeOut)
def me(request):
    roles = roles_by_org(request.user)
    orgs = Organization.objects.filter(pk__in=roles.keys())
    return {
        "username": request.user.get_username(),
        "organizations": [{"slug": o.slug, "role": roles[o.pk]} for o in orgs],
    }


@router.get("/orgs", response=list[OrganizationOut])
def list_orgs(request):
    roles = roles_by_org(request.user)
    result = []
    for org in Organization.objects.restrict(request.user, "view"):
        org.role = roles.get(org.pk)
        result.append(org)
    return result


@router.get("/orgs/{slug}", response=OrganizationOut)
def get_org(request, slug: str):
    org = org_or_404(request, slug)
    org.role = access.role_in(request.user, org)  # type: ignore[attr-defined]  # for OrganizationOut
    return org


@router.get("/orgs/{slug}/audit", response=list[AuditEventOut], tags=["audit"])
@paginate(LimitOffsetPagination)
def list_audit(request, slug: str, action: str | None = None):
    org = org_or_404(request, slug, "audit", "view")
    events = AuditEvent.objects.restrict(request.user, "view").filter(chain=audit.chain_name(org)).order_by("-seq")
    if action:
        events = events.filter(action__icontains=action)
    return events


@router.get("/orgs/{slug}/audit/verify", response=VerifyOut, tags=["audit"])
def verify_audit(request, slug: str):
    org = org_or_404(request, slug, "audit", "view")
    result = audit.verify(org)
    return {"ok": result.ok, "checked": result.checked, "message": result.describe()}


@router.get("/jobs/{job_id}", response=JobOut, tags=["jobs"])
def get_job(request, job_id: int):
    job = get_object_or_404(Job.objects.restrict(request.user, "view"), pk=job_id)
    if job.created_by_id != request.user.pk and not (
        job.organization is not None and access.may(request.user, job.organization, "core", "manage_members")
    ):
        raise access.NotFound()
    return job
