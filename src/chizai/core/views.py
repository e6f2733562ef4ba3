from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chizai.core import attention, audit, exports, services, usernames
from chizai.core.audit_summaries import render_summary_html
from chizai.core.forms import (
    ApiTokenForm,
    AuditFilterForm,
    EngagementForm,
    InviteForm,
    LoginForm,
    SignupFromInvitationForm,
)
from chizai.core.middleware import client_ip_of
from chizai.core.models import AdvisoryEngagement, ApiToken, AuditEvent, Invitation, Job, Membership, Organization
from chizai.core.querysets import roles_by_org
from chizai.core.scoping import can, org_view, scoped
from chizai.core.validation import one_id


class LoginView(auth_views.LoginView):
    """Django's login with lockout and with every attempt in the audit chain.

    The lockout, the failure count and authentication all use the normalised user name
    (``usernames.normalise``), so no other spelling of a locked name gets through. A name no
    account can have (too long, control characters) is refused with 400 before any look-up.
    """

    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        typed = request.POST.get("username", "")
        ip = client_ip_of(request)
        problem = usernames.problem(typed)
        if problem:
            return self._refuse("", problem, status=400)
        username = usernames.normalise(typed)
        if username and services.is_locked_out(username, ip):
            services.record_failed_login(username, ip, locked=True)
            return self._refuse(
                username, _("Too many failed attempts. This login is locked for a while; try again later."), status=429
            )
        return super().post(request, *args, **kwargs)

    def _refuse(self, username: str, message: str, status: int):
        # bound without a password, so validating it authenticates nothing
        form = self.form_class(self.request, data={"username": username})
        form.is_valid()
        form.errors.clear()
        form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_login(form.get_user(), client_ip_of(self.request))
        return response

    def form_invalid(self, form):
        username = usernames.normalise(self.request.POST.get("username", ""))
        if username:
            services.record_failed_login(username, client_ip_of(self.request))
        return super().form_invalid(form)


@login_required
def home(request):
    orgs = roles_by_org(request.user)
    if len(orgs) == 1:
        return redirect("org_dashboard", org_slug=Organization.objects.get(pk=next(iter(orgs))).slug)
    return render(request, "core/home.html")


@org_view("core", "view")
def org_dashboard(request):
    return render(
        request,
        "core/dashboard.html",
        {
            "can_manage": can(request, "core", "manage_members"),
            "attention": attention.items(request.user, request.organization),
        },
    )


@org_view("core", "view")
def members(request):
    memberships = scoped(request, Membership).select_related("user")
    invitations = scoped(request, Invitation, "manage_members").filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    )
    engagements = scoped(request, AdvisoryEngagement).select_related("adviser")
    return render(
        request,
        "core/members.html",
        {
            "memberships": memberships,
            "invitations": invitations,
            "engagements": engagements,
            "invite_form": InviteForm(),
            "engagement_form": EngagementForm(),
            "can_manage": can(request, "core", "manage_members"),
            "can_engage": can(request, "core", "manage_engagements"),
        },
    )


@require_POST
@org_view("core", "manage_members")
def invite(request):
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the invitation: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("members", org_slug=request.organization.slug)
    _inv, token = services.invite(
        request.user, request.organization, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
    )
    link = request.build_absolute_uri(reverse("accept_invitation", args=[token]))
    messages.success(
        request, _("Invitation created. Send this link (shown once, valid 7 days): %(link)s") % {"link": link}
    )
    return redirect("members", org_slug=request.organization.slug)


@require_POST
@org_view("core", "manage_members")
def remove_member(request, membership_id: int):
    membership = get_object_or_404(scoped(request, Membership, "manage_members"), pk=membership_id)
    try:
        services.remove_member(request.user, request.organization, membership)
        messages.success(request, _("Member removed."))
    except services.ChizaiError as exc:
        messages.error(request, str(exc))
    return redirect("members", org_slug=request.organization.slug)


@require_POST
@org_view("core", "manage_engagements")
def grant_engagement(request):
    form = EngagementForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return redirect("members", org_slug=request.organization.slug)
    ends_at = None
    if form.cleaned_data["ends_at"]:
        ends_at = timezone.make_aware(datetime.combine(form.cleaned_data["ends_at"], time(23, 59)))
    services.grant_engagement(
        request.user, request.organization, form.adviser, scope=form.cleaned_data["scope"], ends_at=ends_at
    )
    messages.success(request, _("The adviser can now see this organisation."))
    return redirect("members", org_slug=request.organization.slug)


@require_POST
@org_view("core", "manage_engagements")
def end_engagement(request, engagement_id: int):
    engagement = get_object_or_404(scoped(request, AdvisoryEngagement, "manage_engagements"), pk=engagement_id)
    services.end_engagement(request.user, request.organization, engagement)
    messages.success(request, _("The adviser's access has ended."))
    return redirect("members", org_slug=request.organization.slug)


def accept_invitation(request, token: str):
    try:
        invitation = services.find_invitation(token)
    except services.ChizaiError as exc:
        return render(request, "core/invitation_invalid.html", {"message": str(exc)}, status=410)
    form = None
    if request.method == "POST":
        if request.user.is_authenticated:
            try:
                membership = services.accept_invitation(request.user, token)
            except services.ChizaiError as exc:
                return render(request, "core/invitation_invalid.html", {"message": str(exc)}, status=410)
            return redirect("org_dashboard", org_slug=membership.organization.slug)
        form = SignupFromInvitationForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=form.cleaned_data["username"],
                    email=invitation.email,
                    password=form.cleaned_data["password1"],
                )
                membership = services.accept_invitation(user, token)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("org_dashboard", org_slug=membership.organization.slug)
    elif not request.user.is_authenticated:
        form = SignupFromInvitationForm()
    return render(request, "core/accept_invitation.html", {"invitation": invitation, "form": form})


def _filtered_audit(request):
    events = scoped(request, AuditEvent).filter(chain=audit.chain_name(request.organization)).order_by("-seq")
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__icontains=data["action"])
        if data["actor"]:
            events = events.filter(actor_username__icontains=data["actor"])
        if data["object_type"]:
            events = events.filter(object_type__icontains=data["object_type"])
        if data["date_from"]:
            events = events.filter(created_at__gte=timezone.make_aware(datetime.combine(data["date_from"], time.min)))
        if data["date_to"]:
            events = events.filter(created_at__lte=timezone.make_aware(datetime.combine(data["date_to"], time.max)))
    return form, events


@org_view("audit", "view")
def audit_log(request):
    form, events = _filtered_audit(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for event in page.object_list:
        event.summary_text = render_summary_html(event)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit.html",
        {"form": form, "page": page, "query": query.urlencode(), "can_export": can(request, "audit", "export")},
    )


class _Echo:
    def write(self, value):
        return value


@org_view("audit", "export")
def audit_export(request):
    _form, events = _filtered_audit(request)
    audit.record(
        request.user,
        request.organization,
        "audit.export",
        object_type="core.auditevent",
        summary=f"audit log exported as CSV ({events.count()} events)",
        data={"n": events.count()},
    )
    writer = exports.csv_writer(_Echo())
    header = [
        "seq",
        "time",
        "actor",
        "action",
        "object_type",
        "object_id",
        "summary",
        "request_id",
        "client_ip",
        "prev_hash",
        "hash",
    ]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for e in events.iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    e.seq,
                    e.created_at.isoformat(),
                    e.actor_username,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.summary,
                    e.request_id,
                    e.client_ip,
                    e.prev_hash,
                    e.hash,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{request.organization.slug}.csv"'
    return response


@org_view("core", "view")
def job_status(request, job_id: int):
    job = get_object_or_404(scoped(request, Job), pk=job_id)
    if job.created_by_id != request.user.pk and not can(request, "core", "manage_members"):
        raise Http404
    return render(request, "core/job_status.html", {"job": job})


@login_required
def api_tokens(request):
    new_secret = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=one_id(request.POST["revoke"]), user=request.user)
            services.revoke_api_token(request.user, token)
            messages.success(request, _("Token revoked."))
            return redirect("api_tokens")
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            _token, new_secret = services.create_api_token(request.user, name=form.cleaned_data["name"])
    form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "core/api_tokens.html", {"form": form, "tokens": tokens, "new_secret": new_secret})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    # an expired session or a form sent from a stale page; Django's own page is English and technical
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    # no context processors: they may query the database, which may be what failed
    return HttpResponse(loader.render_to_string("500.html"), status=500)
