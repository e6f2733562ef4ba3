"""Thin web views of the adviser workspace (logic and audit live in ``services``).

Under a support organisation (``/o/<support>/advisers/…``): portfolio, priorities,
directory, network. Under a client company (``/o/<client>/advisers/…``): the client
workspace (engagement record, actions, visits, skills, referrals) and diagnostics — the
adviser reaches it through the engagement, the client's owner and manager read it too.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chizai.advisers import charts, figures, forms, prioritisation, services
from chizai.advisers import diagnostic as diag
from chizai.advisers.models import ActionItem, Diagnostic, Referral, SupportProgramme, WeightsPublication
from chizai.core.models import Organization, prefecture_name
from chizai.core.scoping import can, org_view, scoped
from chizai.core.validation import one_id, refuse_bad_text


def _support_only(request):
    services.require_kind(request.organization, Organization.Kind.SUPPORT)


def _client_only(request):
    services.require_kind(request.organization, Organization.Kind.COMPANY)


@org_view("core", "view")
def index(request):
    org = request.organization
    if org.kind == Organization.Kind.SUPPORT and can(request, "advisers", "work"):
        return redirect("advisers_portfolio", org_slug=org.slug)
    if org.kind == Organization.Kind.COMPANY and can(request, "advisers", "view"):
        return redirect("advisers_workspace", org_slug=org.slug)
    return render(request, "advisers/index.html")


# --- support organisation ----------------------------------------------------------------


@org_view("advisers", "work")
def portfolio(request):
    _support_only(request)
    form = forms.PortfolioFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    sort = params.get("sort") or "name"
    descending = bool(params.get("desc"))
    rows = services.portfolio(
        request.user,
        request.organization,
        prefecture=params.get("prefecture", ""),
        industry=params.get("industry", ""),
        query=params.get("q", ""),
        sort=sort,
        descending=descending,
    )
    for row in rows:
        row["cells"] = [(spec, row["figures"][spec.key]) for spec in figures.FIGURES]
    query = request.GET.copy()
    for key in ("sort", "desc"):
        query.pop(key, None)
    return render(
        request,
        "advisers/portfolio.html",
        {
            "form": form,
            "rows": rows,
            "specs": figures.FIGURES,
            "sort": sort,
            "desc": descending,
            "query": query.urlencode(),
            "not_available": figures.NOT_AVAILABLE,
        },
    )


@org_view("advisers", "work")
def priorities(request):
    _support_only(request)
    rows = prioritisation.candidates(request.user, request.organization)
    publications = scoped(request, WeightsPublication, "work")[:10]
    my_clients = {e.organization_id for e in services.engagements_of(request.user, request.organization)}
    return render(
        request,
        "advisers/priorities.html",
        {
            "rows": rows,
            "criteria": prioritisation.criteria(request.organization),
            "publications": publications,
            "can_publish": can(request, "advisers", "publish"),
            "my_clients": my_clients,
            "rating_range": range(0, 5),
        },
    )


@require_POST
@org_view("advisers", "publish")
def publish_weights(request):
    _support_only(request)
    if "seed" in request.POST:
        prioritisation.seed_criteria(request.user, request.organization)
        return redirect("advisers_priorities", org_slug=request.organization.slug)
    weights = {key[2:]: value for key, value in request.POST.items() if key.startswith("w-")}
    try:
        prioritisation.publish_weights(request.user, request.organization, weights, note=request.POST.get("note", ""))
        messages.success(request, _("Weights published."))
    except (services.ChizaiError, ArithmeticError, ValueError) as exc:
        messages.error(request, str(exc) or _("Enter numbers for the weights."))
    return redirect("advisers_priorities", org_slug=request.organization.slug)


@require_POST
@org_view("advisers", "work")
def rate_client(request):
    _support_only(request)
    client = get_object_or_404(Organization, slug=request.POST.get("client", ""))
    ratings = {key[2:]: value for key, value in request.POST.items() if key.startswith("r-")}
    try:
        prioritisation.rate_client(request.user, request.organization, client, ratings)
    except ValueError:
        messages.error(request, _("Enter whole numbers for the ratings."))
    else:
        messages.success(request, _("Rating saved."))
    return redirect("advisers_priorities", org_slug=request.organization.slug)


@org_view("advisers", "work")
def priorities_csv(request):
    _support_only(request)
    response = HttpResponse(
        prioritisation.candidates_csv(request.user, request.organization), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="candidates-{request.organization.slug}.csv"'
    return response


@org_view("advisers", "work")
def directory(request):
    _support_only(request)
    return render(
        request,
        "advisers/directory.html",
        {
            "programmes": services.directory(request.user, request.organization),
            "form": forms.ProgrammeForm(),
            "can_publish": can(request, "advisers", "publish"),
        },
    )


@require_POST
@org_view("advisers", "publish")
def save_programme(request):
    _support_only(request)
    if "seed" in request.POST:
        added = services.seed_directory(request.user, request.organization)
        messages.success(request, _("%(n)d programmes added.") % {"n": added})
        return redirect("advisers_directory", org_slug=request.organization.slug)
    form = forms.ProgrammeForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("key")
        existing = scoped(request, SupportProgramme).filter(key=key).first()
        try:
            services.save_programme(request.user, request.organization, key=key, programme=existing, **data)
            messages.success(request, _("Programme saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("advisers_directory", org_slug=request.organization.slug)


@org_view("advisers", "view")
def network(request):
    _support_only(request)
    data = services.network(request.user, request.organization)
    return render(
        request,
        "advisers/network.html",
        {
            "data": data,
            "outcomes": [(Referral.Outcome(key).label, count) for key, count in data["referral_outcomes"].items()],
            # prefectures are stored in Japanese; the chart names them in the reader's language
            "prefecture_chart": charts.bar_svg(
                [(prefecture_name(key), count) for key, count in data["by_prefecture"]],
                name=_("Clients by prefecture"),
            ),
            "industry_chart": charts.bar_svg(data["by_industry"], name=_("Clients by industry"), exempt_labels=True),
            "progress_chart": charts.line_svg(
                [(p["period"], p["mean"]) for p in data["progress"]], name=_("Diagnostic scores over time")
            ),
        },
    )


@org_view("advisers", "view")
def network_csv(request):
    _support_only(request)
    response = HttpResponse(
        services.network_csv(request.user, request.organization), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="network-{request.organization.slug}.csv"'
    return response


# --- client company --------------------------------------------------------------------------


def _back(request):
    return redirect("advisers_workspace", org_slug=request.organization.slug)


def _run(request, call, done: str):
    """Call a service; a refusal meant for the user becomes a message, not an error page."""
    try:
        call()
        messages.success(request, done)
    except services.ChizaiError as exc:
        messages.error(request, str(exc))


@org_view("advisers", "view")
def workspace(request):
    _client_only(request)
    client = request.organization
    data = services.workspace(request.user, client)
    engagement = data["engagement"]
    record = next((r for r in data["records"] if engagement and r.engagement_id == engagement.pk), None)
    support = engagement.adviser_organization if engagement else None
    programmes = (
        SupportProgramme.objects.filter(organization=support, is_active=True)
        if support
        else SupportProgramme.objects.none()
    )
    can_add = can(request, "advisers", "add")
    return render(
        request,
        "advisers/workspace.html",
        {
            **data,
            "record": record,
            "cells": [(spec, data["figures"][spec.key]) for spec in figures.FIGURES],
            "self_sufficiency_chart": charts.line_svg(
                data["self_sufficiency"], name=_("Share of skills the firm does alone")
            ),
            "support": support,
            "can_add": can_add,
            "can_change": can(request, "advisers", "change"),
            "specs": figures.FIGURES,
            "not_available": figures.NOT_AVAILABLE,
            "record_form": forms.EngagementRecordForm(
                initial={
                    "scope": record.scope if record else (engagement.scope if engagement else ""),
                    "started_on": record.started_on
                    if record
                    else (engagement.started_at.date() if engagement else None),
                    "ended_on": record.ended_on if record else None,
                    "hours_planned": record.hours_planned if record else 0,
                    "topics": record.topics if record else "",
                }
            ),
            "action_form": forms.ActionForm(),
            "visit_form": forms.VisitForm(),
            "skill_form": forms.SkillForm(),
            "referral_form": forms.ReferralForm(programmes=programmes),
            "outcomes": Referral.Outcome.choices,
            "statuses": ActionItem.Status.choices,
        },
    )


@require_POST
@org_view("advisers", "change")
def save_record(request):
    _client_only(request)
    form = forms.EngagementRecordForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.save_engagement_record(request.user, request.organization, **form.cleaned_data),
            _("Engagement record saved."),
        )
    else:
        messages.error(request, form.errors.as_text())
    return _back(request)


@require_POST
@org_view("advisers", "add")
def add_action(request):
    _client_only(request)
    form = forms.ActionForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.add_action(request.user, request.organization, **form.cleaned_data),
            _("Action added."),
        )
    else:
        messages.error(request, form.errors.as_text())
    return _back(request)


@require_POST
@org_view("advisers", "change")
def action_status(request):
    _client_only(request)
    item = get_object_or_404(scoped(request, ActionItem, "change"), pk=one_id(request.POST.get("item")))
    _run(
        request,
        lambda: services.set_action_status(request.user, request.organization, item, request.POST.get("status", "")),
        _("Action updated."),
    )
    return _back(request)


@require_POST
@org_view("advisers", "add")
def log_visit(request):
    _client_only(request)
    form = forms.VisitForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.log_visit(request.user, request.organization, **form.cleaned_data),
            _("Visit recorded."),
        )
    else:
        messages.error(request, form.errors.as_text())
    return _back(request)


@require_POST
@org_view("advisers", "add")
def note_skill(request):
    _client_only(request)
    form = forms.SkillForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.note_skill(request.user, request.organization, **form.cleaned_data),
            _("Hand-over noted."),
        )
    else:
        messages.error(request, form.errors.as_text())
    return _back(request)


@require_POST
@org_view("advisers", "add")
def refer(request):
    _client_only(request)
    support = services.support_of(request.user, request.organization)
    programmes = SupportProgramme.objects.filter(organization=support) if support else SupportProgramme.objects.none()
    form = forms.ReferralForm(request.POST, programmes=programmes)
    if form.is_valid():
        _run(
            request,
            lambda: services.refer(request.user, request.organization, **form.cleaned_data),
            _("Referral recorded."),
        )
    else:
        messages.error(request, form.errors.as_text())
    return _back(request)


@require_POST
@org_view("advisers", "change")
def referral_outcome(request):
    _client_only(request)
    form = forms.OutcomeForm(request.POST)
    if form.is_valid():
        referral = get_object_or_404(scoped(request, Referral, "change"), pk=form.cleaned_data["referral"])
        _run(
            request,
            lambda: services.set_referral_outcome(
                request.user,
                request.organization,
                referral,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            ),
            _("Outcome saved."),
        )
    return _back(request)


@require_POST
@org_view("advisers", "add")
def new_diagnostic(request):
    _client_only(request)
    item = services.start_diagnostic(request.user, request.organization)
    return redirect("advisers_diagnostic", org_slug=request.organization.slug, diagnostic_id=item.pk)


@org_view("advisers", "view")
def diagnostic_detail(request, diagnostic_id: int):
    _client_only(request)
    item, previous = services.read_diagnostic(request.user, request.organization, diagnostic_id)
    lang = get_language()
    levels = [(lv["value"], diag.text(lv, lang)) for lv in diag.catalogue()["levels"]]
    sections = []
    for area in diag.areas():
        sections.append(
            {
                "id": area["id"],
                "label": diag.text(area, lang),
                "score": item.scores.get(area["id"]),
                "previous": previous.scores.get(area["id"]) if previous else None,
                "questions": [
                    {"id": q["id"], "label": diag.text(q, lang), "answer": item.answers.get(q["id"])}
                    for q in area["questions"]
                ],
            }
        )
    history = list(scoped(request, Diagnostic).filter(status=Diagnostic.Status.FINAL).order_by("conducted_on", "pk"))
    return render(
        request,
        "advisers/diagnostic.html",
        {
            "item": item,
            "previous": previous,
            "sections": sections,
            "levels": levels,
            "radar": diag.radar_svg(item.scores, previous.scores if previous else None, lang, name=_("Scores by area")),
            "history_chart": charts.line_svg(
                [(d.conducted_on.strftime("%Y-%m"), d.overall) for d in history], name=_("Progress over time")
            ),
            "editable": item.status == Diagnostic.Status.DRAFT and can(request, "advisers", "change"),
        },
    )


@require_POST
@org_view("advisers", "change")
def save_diagnostic(request, diagnostic_id: int):
    _client_only(request)
    item = get_object_or_404(scoped(request, Diagnostic, "change"), pk=diagnostic_id)
    answers = {}
    for qid in diag.questions():
        value = request.POST.get(f"q-{qid}", "")
        if value != "":
            answers[qid] = {"value": value, "evidence": request.POST.get(f"e-{qid}", "")}
    notes = request.POST.get("notes", "")

    def save():
        refuse_bad_text(notes, *(a["evidence"] for a in answers.values()))
        refuse_bad_text(*(a["value"] for a in answers.values()), multiline=False)
        services.save_diagnostic(
            request.user, request.organization, item, answers=answers, notes=notes, final="final" in request.POST
        )

    _run(request, save, _("Diagnostic saved."))
    return redirect("advisers_diagnostic", org_slug=request.organization.slug, diagnostic_id=item.pk)


@org_view("advisers", "view")
def diagnostic_pdf(request, diagnostic_id: int):
    _client_only(request)
    data = services.export_diagnostic_pdf(request.user, request.organization, diagnostic_id)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="diagnostic-{request.organization.slug}-{diagnostic_id}.pdf"'
    )
    return response
