"""Disclosure pages: thin fronts on services; every read goes through scoped()/restrict()."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chizai.core.access import Denied
from chizai.core.scoping import can, org_view, scoped
from chizai.core.services import ChizaiError
from chizai.disclosure import copies as handover, duties, gate_text, picker, services
from chizai.disclosure.forms import (
    AgreementForm,
    ContactForm,
    DisclosureForm,
    PartnerForm,
    ReasonForm,
    ReturnForm,
    SignForm,
    TraceForm,
    UploadForm,
)
from chizai.disclosure.models import Agreement, Disclosure, HandoverCopy, Obligation, Partner


def _download(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@org_view("disclosure", "view")
def index(request):
    return _index(request)


def _index(request, partner_form=None, status: int = 200):
    today = timezone.localdate()
    duties.sync_obligations(request.organization)  # as the calendar does, so both list the same duties
    return render(
        request,
        "disclosure/index.html",
        {
            "overdue_returns": duties.overdue_returns(request.organization, today),
            "partners": scoped(request, Partner).prefetch_related("agreements"),
            "disclosures": scoped(request, Disclosure).select_related("partner", "agreement")[:30],
            "pending": scoped(request, Disclosure).filter(status="pending").select_related("partner"),
            "duties": scoped(request, Obligation)
            .filter(done_on__isnull=True, due_on__lte=today + timedelta(days=30))
            .select_related("agreement__partner", "disclosure__partner")[:20],
            "today": today,
            "can_add": can(request, "disclosure", "add"),
            "partner_form": partner_form or PartnerForm(),
        },
        status=status,
    )


@org_view("disclosure", "add")
@require_POST
def partner_create(request):
    form = PartnerForm(request.POST)
    if form.is_valid():
        try:
            partner = services.create_partner(request.user, request.organization, **form.cleaned_data)
            return redirect("disclosure_partner", request.organization.slug, partner.pk)
        except Exception as exc:  # noqa: BLE001 - a validation error (duplicate name) is shown to the person
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, form.errors.as_text())
    # The page again with what was typed, so nothing is lost.
    return _index(request, form, 400)


@org_view("disclosure", "view")
def partner_detail(request, partner_id: int):
    partner = get_object_or_404(scoped(request, Partner), pk=partner_id)
    return render(
        request,
        "disclosure/partner.html",
        {
            "partner": partner,
            "contacts": partner.contacts.all(),
            "agreements": scoped(request, Agreement).filter(partner=partner),
            "disclosures": scoped(request, Disclosure).filter(partner=partner).select_related("agreement"),
            "contact_form": ContactForm(),
            "can_add": can(request, "disclosure", "add"),
            "can_delete": can(request, "disclosure", "delete"),
            "can_change": can(request, "disclosure", "change"),
            "can_export": can(request, "disclosure", "export"),
        },
    )


@org_view("disclosure", "change")
def partner_edit(request, partner_id: int):
    partner = get_object_or_404(scoped(request, Partner, "change"), pk=partner_id)
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        changed = {f: form.cleaned_data[f] for f in form.changed_data}
        partner.refresh_from_db()  # the service compares against what is stored, not the bound form
        services.update_partner(request.user, request.organization, partner.pk, **changed)
        return redirect("disclosure_partner", request.organization.slug, partner.pk)
    return render(
        request, "disclosure/partner_form.html", {"form": form, "partner": partner}, status=400 if form.errors else 200
    )


@org_view("disclosure", "add")
@require_POST
def contact_add(request, partner_id: int):
    form = ContactForm(request.POST)
    if form.is_valid():
        services.add_contact(request.user, request.organization, partner_id, **form.cleaned_data)
    else:
        messages.error(request, form.errors.as_text())
    return redirect("disclosure_partner", request.organization.slug, partner_id)


@org_view("disclosure", "delete")
@require_POST
def partner_delete(request, partner_id: int):
    try:
        services.delete_partner(request.user, request.organization, partner_id)
    except ChizaiError as exc:
        messages.error(request, str(exc))
        return redirect("disclosure_partner", request.organization.slug, partner_id)
    return redirect("disclosure", request.organization.slug)


@org_view("disclosure", "export")
def dossier(request, partner_id: int, fmt: str):
    if fmt not in ("pdf", "csv"):
        raise Http404
    body, ctype, name = services.dossier(request.user, request.organization, partner_id, fmt)
    return _download(body, ctype, name)


def _agreement_fields(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("file", None)
    data.pop("partner", None)
    return data


@org_view("disclosure", "add")
def agreement_new(request):
    partners = scoped(request, Partner)
    form = AgreementForm(
        request.POST or None, request.FILES or None, partners=partners, initial={"partner": request.GET.get("partner")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            agreement, warnings = services.create_agreement(
                request.user, request.organization, form.cleaned_data["partner"].pk, **_agreement_fields(form)
            )
            upload = form.cleaned_data.get("file")
            if upload:
                services.attach_file(
                    request.user, request.organization, agreement.pk, filename=upload.name, data=upload.read()
                )
            for warning in services.conflicts(agreement, html=True) if warnings else []:
                messages.warning(request, warning)
            return redirect("disclosure_agreement", request.organization.slug, agreement.pk)
        except ChizaiError as exc:
            form.add_error(None, str(exc))
    return render(request, "disclosure/agreement_form.html", {"form": form}, status=400 if form.errors else 200)


@org_view("disclosure", "view")
def agreement_detail(request, agreement_id: int):
    agreement = get_object_or_404(scoped(request, Agreement).select_related("partner", "review"), pk=agreement_id)
    agreement = services.refresh_suggestions(request.user, request.organization, agreement.pk)
    initial = {f: getattr(agreement, f) for f in services.AGREEMENT_FIELDS}
    initial["partner"] = agreement.partner_id
    for key, suggestion in (agreement.suggestions or {}).items():
        if (
            key in services.AGREEMENT_FIELDS
            and isinstance(suggestion, dict)
            and suggestion.get("value") not in (None, "", [])
        ):
            initial[key] = suggestion["value"]
    return render(
        request,
        "disclosure/agreement.html",
        {
            "agreement": agreement,
            "warnings": services.conflicts(agreement, html=True),
            "suggestions": {k: v for k, v in (agreement.suggestions or {}).items() if k != "findings"},
            "findings": (agreement.suggestions or {}).get("findings"),
            "confirm_form": AgreementForm(initial=initial, partners=scoped(request, Partner)),
            "sign_form": SignForm(
                initial={
                    "signed_on": timezone.localdate(),
                    "effective_on": agreement.effective_on,
                    "expires_on": agreement.expires_on,
                }
            ),
            "upload_form": UploadForm(),
            "obligations": agreement.obligations.all(),
            "can_download": can(request, "disclosure", "add"),
            "can_change": can(request, "disclosure", "change"),
            "can_add": can(request, "disclosure", "add"),
        },
    )


@org_view("disclosure", "change")
@require_POST
def agreement_confirm(request, agreement_id: int):
    agreement = get_object_or_404(scoped(request, Agreement, "change"), pk=agreement_id)
    form = AgreementForm(request.POST, partners=scoped(request, Partner))
    if form.is_valid():
        try:
            confirmed, warnings = services.confirm_suggestions(
                request.user, request.organization, agreement.pk, **_agreement_fields(form)
            )
            for warning in services.conflicts(confirmed, html=True) if warnings else []:
                messages.warning(request, warning)
            messages.success(request, _("The agreement's terms are confirmed."))
        except ChizaiError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("disclosure_agreement", request.organization.slug, agreement.pk)


@org_view("disclosure", "change")
@require_POST
def agreement_sign(request, agreement_id: int):
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            signed, warnings = services.sign_agreement(
                request.user, request.organization, agreement_id, **form.cleaned_data
            )
            for warning in services.conflicts(signed, html=True) if warnings else []:
                messages.warning(request, warning)
            messages.success(request, _("The agreement is recorded as signed."))
        except ChizaiError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("disclosure_agreement", request.organization.slug, agreement_id)


@org_view("disclosure", "add")
@require_POST
def agreement_upload(request, agreement_id: int):
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.attach_file(
                request.user, request.organization, agreement_id, filename=upload.name, data=upload.read()
            )
            messages.success(request, _("The file is stored and reviewed; check the suggested terms and confirm them."))
        except ChizaiError as exc:
            messages.error(request, str(exc))
    return redirect("disclosure_agreement", request.organization.slug, agreement_id)


@org_view("disclosure", "add")
def agreement_download(request, agreement_id: int):
    try:
        agreement, data = services.agreement_file(request.user, request.organization, agreement_id)
    except ChizaiError as exc:
        messages.error(request, str(exc))
        return redirect("disclosure_agreement", request.organization.slug, agreement_id)
    return _download(data, "application/octet-stream", agreement.file_name)


def _disclosure_form(request, data=None):
    org = request.organization
    versions, assets = picker.versions(request.user, org), picker.assets(request.user, org)
    # The lists offer the first 300; what the picker found further down (or a link's ?version=)
    # is offered too, still only from the querysets the access helper restricts.
    chosen = data or request.GET
    extra_versions = [v for v in (chosen.getlist("versions") + chosen.getlist("version")) if v.isdigit()]
    extra_assets = [a for a in chosen.getlist("assets") if a.isdigit()]
    return DisclosureForm(
        data,
        partners=scoped(request, Partner),
        agreements=scoped(request, Agreement).select_related("partner"),
        versions=_first_and(versions, extra_versions),
        assets=_first_and(assets, extra_assets),
        initial={
            "disclosed_on": timezone.localdate(),
            "partner": request.GET.get("partner"),
            "versions": request.GET.getlist("version"),
        },
    )


def _first_and(rows, ids: list[str], first: int = 300) -> list:
    listed = list(rows[:first])
    have = {str(row.pk) for row in listed}
    wanted = [i for i in ids if i not in have]
    return listed + list(rows.filter(pk__in=wanted)) if wanted else listed


@org_view("disclosure", "add")
def disclosure_new(request):
    form = _disclosure_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disclosure = services.create_disclosure(
                request.user,
                request.organization,
                partner_id=data["partner"].pk,
                agreement_id=data["agreement"].pk if data["agreement"] else None,
                stage=data["stage"],
                purpose=data["purpose"],
                method=data["method"],
                disclosed_on=data["disclosed_on"],
                version_ids=[int(v) for v in data["versions"]],
                asset_ids=[int(a) for a in data["assets"]],
                descriptions=[data["description"]] if data["description"] else [],
                recipients=form.recipient_list(),
                minutes=data["minutes"],
                note=data["note"],
                override_reason=data["override_reason"],
                return_due_on=data["return_due_on"],
            )
            return redirect("disclosure_detail", request.organization.slug, disclosure.pk)
        except ChizaiError as exc:
            form.add_error(None, str(exc))
        except Denied as exc:
            form.add_error("override_reason", str(exc) or _("Only an owner may override the gate."))
    return render(request, "disclosure/disclosure_form.html", {"form": form}, status=400 if form.errors else 200)


@org_view("disclosure", "view")
def disclosure_detail(request, disclosure_id: int):
    disclosure = get_object_or_404(
        scoped(request, Disclosure).select_related("partner", "agreement", "approver", "second_person"),
        pk=disclosure_id,
    )
    failures = [gate_text.render(f) for f in disclosure.gate.get("failures", [])]
    waived = [gate_text.render(f) for f in disclosure.gate.get("waived", [])]
    return render(
        request,
        "disclosure/disclosure.html",
        {
            "d": disclosure,
            "items": _items(request, disclosure),
            "recipients": disclosure.recipients.all(),
            "copies": scoped(request, HandoverCopy).filter(disclosure=disclosure).select_related("recipient", "item"),
            "failures": failures,
            "waived": waived,
            "reason_form": ReasonForm(),
            "return_form": ReturnForm(
                initial={
                    f: getattr(disclosure, f)
                    for f in ("return_requested_on", "returned_on", "destroyed_on", "certificate_received_on")
                }
            ),
            "can_approve": can(request, "disclosure", "approve"),
            "can_override": can(request, "disclosure", "override"),
            "can_change": can(request, "disclosure", "change"),
            "can_add": can(request, "disclosure", "add"),
        },
    )


def _items(request, disclosure):
    """Items as the register would show them: a hidden (e.g. 極秘) asset keeps only its class and hash."""
    visible = services.visible_asset_ids(request.user, request.organization)
    items = list(disclosure.items.select_related("version"))
    for item in items:
        item.hidden = bool(item.asset_id and item.asset_id not in visible)
    return items


def _act(request, disclosure_id, func, *args, ok=None):
    try:
        func(request.user, request.organization, disclosure_id, *args)
        if ok:
            messages.success(request, ok)
    except ChizaiError as exc:
        messages.error(request, str(exc))
    return redirect("disclosure_detail", request.organization.slug, disclosure_id)


def _approval(request, disclosure_id: int, act):
    try:
        disclosure = act(request.user, request.organization, disclosure_id)
    except ChizaiError as exc:
        messages.error(request, str(exc))
    else:
        if disclosure.status == disclosure.Status.DISCLOSED:
            messages.success(request, _("Done: the disclosure is recorded as handed over."))
        else:
            messages.info(
                request,
                _("Recorded. It still waits for: %(what)s")
                % {"what": "; ".join(services.still_waiting_for(disclosure))},
            )
    return redirect("disclosure_detail", request.organization.slug, disclosure_id)


@org_view("disclosure", "approve")
@require_POST
def disclosure_approve(request, disclosure_id: int):
    return _approval(request, disclosure_id, services.approve)


@org_view("disclosure", "approve")
@require_POST
def disclosure_second(request, disclosure_id: int):
    return _approval(request, disclosure_id, services.confirm_second)


@org_view("disclosure", "override")
@require_POST
def disclosure_override(request, disclosure_id: int):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("An override needs a reason."))
        return redirect("disclosure_detail", request.organization.slug, disclosure_id)
    return _act(request, disclosure_id, services.override, form.cleaned_data["reason"])


@org_view("disclosure", "change")
@require_POST
def disclosure_return(request, disclosure_id: int):
    form = ReturnForm(request.POST)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if v}
        return _act(request, disclosure_id, lambda u, o, i: services.record_return(u, o, i, **fields))
    messages.error(request, form.errors.as_text())
    return redirect("disclosure_detail", request.organization.slug, disclosure_id)


@org_view("disclosure", "add")
@require_POST
def disclosure_copies(request, disclosure_id: int):
    return _act(request, disclosure_id, handover.make_copies, ok=_("The hand-over copies are ready."))


@org_view("disclosure", "add")
def copy_download(request, copy_id: int):
    try:
        copy, data = handover.download_copy(request.user, request.organization, copy_id)
    except ChizaiError as exc:
        messages.error(request, str(exc))
        return redirect("disclosure", request.organization.slug)
    return _download(data, "application/pdf" if copy.kind == "pdf" else "application/zip", copy.filename)


@org_view("disclosure", "view")
def trace_page(request):
    form = TraceForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = handover.trace(form.cleaned_data["file"].read(), user=request.user, organization=request.organization)
        result["message"] = handover.trace_message(result)
    return render(request, "disclosure/trace.html", {"form": form, "result": result})


@org_view("disclosure", "view")
def calendar(request):
    duties.sync_obligations(request.organization)
    return render(
        request,
        "disclosure/calendar.html",
        {
            "obligations": scoped(request, Obligation).select_related("agreement__partner", "disclosure__partner"),
            "today": timezone.localdate(),
            "feed_url": request.session.pop("disclosure_feed_url", None),
        },
    )


@org_view("disclosure", "view")
@require_POST
def calendar_token(request):
    token = duties.create_feed(request.user, request.organization)
    request.session["disclosure_feed_url"] = request.build_absolute_uri(
        f"/o/{request.organization.slug}/disclosure/calendar/{token}.ics"
    )
    return redirect("disclosure_calendar", request.organization.slug)


def calendar_feed(request, org_slug: str, token: str):
    """No session: calendar programs fetch this with the token alone."""
    feed = duties.feed_for_token(org_slug, token)
    if feed is None:
        if request.user.is_authenticated:
            raise Http404
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    response = HttpResponse(duties.ics(feed.user, feed.organization), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="chizai-duties.ics"'
    return response
