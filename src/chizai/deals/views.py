from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chizai.core.access import Denied
from chizai.core.scoping import can, org_view, require_can, scoped
from chizai.core.services import ChizaiError
from chizai.core.validation import ids, one_id
from chizai.deals import chart, export, forms, services
from chizai.deals import ledger as deal_ledger  # a view is called ledger
from chizai.deals.models import (
    ConsiderationItem,
    ContributionEntry,
    Deal,
    FollowUp,
    NegotiationPoint,
    Party,
    Stakeholder,
)
from chizai.disclosure.models import Disclosure, Partner
from chizai.register import sealed
from chizai.register.models import Asset
from chizai.review.models import ContractReview


def _deal(request, deal_id: int, action: str = "view") -> Deal:
    return get_object_or_404(scoped(request, Deal, action).select_related("partner"), pk=deal_id)


def _child(request, model, deal: Deal, pk: int, action: str = "change"):
    return get_object_or_404(scoped(request, model, action).filter(deal=deal), pk=pk)


def _to(request, name: str, deal: Deal, anchor: str = ""):
    response = redirect(name, org_slug=request.organization.slug, deal_id=deal.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _base(request, deal: Deal, tab: str) -> dict:
    return {
        "deal": deal,
        "tab": tab,
        "can_change": can(request, "deals", "change"),
        "can_delete": can(request, "deals", "delete"),
        "can_export": can(request, "deals", "export"),
    }


def _refuse(request, exc) -> None:
    messages.error(request, str(exc))


@org_view("deals", "view")
def index(request):
    partners = scoped(request, Partner)
    form = forms.DealForm(request.POST or None, partners=partners)
    if request.method == "POST":
        require_can(request, "deals", "add")
        if form.is_valid():
            data = form.cleaned_data
            try:
                partner = data["partner"] or services.ensure_partner(
                    request.user,
                    request.organization,
                    name_ja=data["new_partner"],
                    kind=data.get("new_partner_kind") or Partner.Kind.TIER1,
                )
                deal = services.create_deal(
                    request.user,
                    request.organization,
                    partner=partner,
                    title=data["title"],
                    kind=data["kind"],
                    stage=data["stage"],
                    summary=data["summary"],
                    next_meeting=data["next_meeting"],
                )
                return _to(request, "deal_detail", deal)
            except ChizaiError as exc:
                form.add_error(None, str(exc))
    deals = scoped(request, Deal).select_related("partner")[:200]
    return render(
        request,
        "deals/index.html",
        {"form": form, "deals": deals, "can_add": can(request, "deals", "add")},
        status=400 if form.errors else 200,
    )


@org_view("deals", "view")
def detail(request, deal_id: int):
    deal = _deal(request, deal_id)
    changes = services.draft_changes(deal)
    latest = services.latest_draft(deal)
    keys = set(deal.points.values_list("finding_key", flat=True))
    findings = []
    if latest is not None and latest.review.status == ContractReview.Status.DONE:
        findings = [(i, f, services.finding_key(f) in keys) for i, f in enumerate(latest.review.findings)]
    visible = Asset.objects.restrict(request.user, "view").filter(organization=request.organization)
    return render(
        request,
        "deals/detail.html",
        {
            **_base(request, deal, "overview"),
            "drafts": deal.drafts.select_related("review"),
            "changes": changes,
            "latest": latest,
            "findings": findings,
            "draft_form": forms.DraftForm(),
            "deal_form": forms.DealForm(instance=deal, partners=scoped(request, Partner)),
            "assets": services.visible_assets(request.user, deal),
            "assets_form": forms.AssetsForm(
                assets=visible, initial={"assets": services.visible_assets(request.user, deal)}
            ),
            "pending": services.nemawashi_pending(deal),
            "disclosures": services.visible_disclosures(request.user, deal),
            "disclosures_form": forms.DisclosuresForm(
                disclosures=scoped(request, Disclosure).filter(partner=deal.partner).select_related("partner"),
                initial={"disclosures": services.visible_disclosures(request.user, deal)},
            ),
        },
    )


@org_view("deals", "change")
@require_POST
def edit(request, deal_id: int):
    deal = _deal(request, deal_id, "change")
    form = forms.DealForm(request.POST, partners=scoped(request, Partner))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_deal(
                request.user,
                deal,
                title=data["title"],
                kind=data["kind"],
                stage=data["stage"],
                summary=data["summary"],
                next_meeting=data["next_meeting"],
                partner=data["partner"]
                or services.ensure_partner(
                    request.user,
                    request.organization,
                    name_ja=data["new_partner"],
                    kind=data.get("new_partner_kind") or Partner.Kind.TIER1,
                ),
            )
            messages.success(request, _("Saved."))
        except ChizaiError as exc:
            _refuse(request, exc)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return _to(request, "deal_detail", deal)


@org_view("deals", "delete")
@require_POST
def delete(request, deal_id: int):
    deal = _deal(request, deal_id, "delete")
    services.delete_deal(request.user, deal)
    messages.success(request, _("The deal was deleted; the reviews of its drafts are kept."))
    return redirect("deals", org_slug=request.organization.slug)


@org_view("deals", "change")
@require_POST
def assets(request, deal_id: int):
    return _link(request, _deal(request, deal_id, "change"), services.set_assets, "assets")


@org_view("deals", "change")
@require_POST
def disclosures(request, deal_id: int):
    return _link(request, _deal(request, deal_id, "change"), services.set_disclosures, "disclosures")


def _link(request, deal: Deal, setter, field: str):
    """Link the ticked objects (``field``: assets or disclosures); ids that are not numbers get a message."""
    try:
        setter(request.user, deal, ids(request.POST.getlist(field)))
    except ChizaiError as exc:
        _refuse(request, exc)
    else:
        messages.success(request, _("Saved."))
    return _to(request, "deal_detail", deal, field)


@org_view("deals", "change")
def add_draft(request, deal_id: int):
    deal = _deal(request, deal_id, "change")
    form = forms.DraftForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        try:
            draft = services.add_draft(
                request.user,
                deal,
                filename=upload.name if upload else "pasted.txt",
                data=upload.read() if upload else None,
                text=None if upload else data["text"],
                from_party=data["from_party"],
                note=data["note"],
                sme=data.get("sme") or None,
            )
            messages.success(request, _("Draft %(number)s added.") % {"number": draft.number})
            return _to(request, "deal_detail", deal, "drafts")
        except (ChizaiError, Denied) as exc:
            form.add_error(None, str(exc) or _("You may not do this in this organisation."))
    return render(
        request,
        "deals/draft_form.html",
        {**_base(request, deal, "overview"), "form": form},
        status=400 if form.errors else 200,
    )


@org_view("deals", "change")
@require_POST
def point_from_finding(request, deal_id: int):
    deal = _deal(request, deal_id, "change")
    review = get_object_or_404(scoped(request, ContractReview), pk=one_id(request.POST.get("review")))
    try:
        point, created = services.point_from_finding(
            request.user, deal, review, ids([request.POST.get("index", -1)])[0]
        )
    except (ChizaiError, ValueError) as exc:
        _refuse(request, exc)
        return _to(request, "deal_detail", deal, "findings")
    if not created:
        messages.info(request, _("This finding is already a negotiation point."))
    return redirect("deal_point", org_slug=request.organization.slug, deal_id=deal.pk, point_id=point.pk)


@org_view("deals", "view")
def points(request, deal_id: int):
    deal = _deal(request, deal_id)
    form = forms.PointForm(request.POST or None)
    if request.method == "POST":
        require_can(request, "deals", "change")
        if form.is_valid():
            try:
                point = services.add_point(request.user, deal, **form.cleaned_data)
                return redirect("deal_point", org_slug=request.organization.slug, deal_id=deal.pk, point_id=point.pk)
            except ChizaiError as exc:
                form.add_error(None, str(exc))
    lang = get_language()
    rows = [(p, services.measurable_prompts(p, lang)) for p in deal.points.all()]
    return render(
        request,
        "deals/points.html",
        {**_base(request, deal, "points"), "rows": rows, "form": form},
        status=400 if form.errors else 200,
    )


@org_view("deals", "view")
def point(request, deal_id: int, point_id: int):
    deal = _deal(request, deal_id)
    item = _child(request, NegotiationPoint, deal, point_id, "view")
    form = forms.PointForm(request.POST or None, instance=NegotiationPoint.objects.get(pk=item.pk))
    if request.method == "POST":
        require_can(request, "deals", "change")
        if form.is_valid():
            try:
                services.update_point(request.user, item, **{k: form.cleaned_data[k] for k in form.fields})
                messages.success(request, _("Saved."))
                return redirect("deal_point", org_slug=request.organization.slug, deal_id=deal.pk, point_id=item.pk)
            except ChizaiError as exc:
                form.add_error(None, str(exc))
    allowed = [(s, label) for s, label in NegotiationPoint.Status.choices if s in services.TRANSITIONS[item.status]]
    return render(
        request,
        "deals/point.html",
        {
            **_base(request, deal, "points"),
            "point": item,
            "form": form,
            "allowed": allowed,
            "status_form": forms.StatusForm(initial={"agreed_wording": item.agreed_wording}),
            "prompts": services.measurable_prompts(item, get_language()),
        },
        status=400 if form.errors else 200,
    )


@org_view("deals", "change")
@require_POST
def point_status(request, deal_id: int, point_id: int):
    deal = _deal(request, deal_id, "change")
    item = _child(request, NegotiationPoint, deal, point_id)
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        try:
            wording = form.cleaned_data["agreed_wording"]
            services.set_status(request.user, item, form.cleaned_data["status"], agreed_wording=wording or None)
            messages.success(request, _("Status changed."))
        except ChizaiError as exc:
            _refuse(request, exc)
    else:
        messages.error(request, _("Choose a status."))
    return redirect("deal_point", org_slug=request.organization.slug, deal_id=deal.pk, point_id=item.pk)


@org_view("deals", "view")
def people(request, deal_id: int):
    deal = _deal(request, deal_id)
    form = forms.StakeholderForm(request.POST or None)
    if request.method == "POST":
        require_can(request, "deals", "change")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_stakeholder(request.user, deal, **data)
                return _to(request, "deal_people", deal)
            except ChizaiError as exc:
                form.add_error(None, str(exc))
    stakeholders = list(deal.stakeholders.all())
    return render(
        request,
        "deals/people.html",
        {
            **_base(request, deal, "people"),
            "form": form,
            "contact_form": forms.ContactForm(deal=deal),
            "map": chart.stakeholder_svg(stakeholders, map_labels(), title=_("Stakeholder map"))
            if stakeholders
            else "",
            "ours": [s for s in stakeholders if s.side == Party.OURS],
            "theirs": [s for s in stakeholders if s.side == Party.THEIRS],
            "contacts": deal.contacts.prefetch_related("stakeholders", "followups"),
            "open_followups": deal.followups.filter(done_at__isnull=True),
        },
        status=400 if form.errors else 200,
    )


@org_view("deals", "change")
def stakeholder(request, deal_id: int, stakeholder_id: int):
    deal = _deal(request, deal_id, "change")
    person = _child(request, Stakeholder, deal, stakeholder_id)
    form = forms.StakeholderForm(request.POST or None, instance=Stakeholder.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_stakeholder(request.user, person, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return _to(request, "deal_people", deal)
        except ChizaiError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "deals/stakeholder.html",
        {**_base(request, deal, "people"), "person": person, "form": form},
        status=400 if form.errors else 200,
    )


def map_labels() -> dict:
    return {**dict(Stakeholder.Stance.choices), **dict(Stakeholder.Influence.choices)}


@org_view("deals", "change")
@require_POST
def consulted(request, deal_id: int, stakeholder_id: int):
    deal = _deal(request, deal_id, "change")
    person = _child(request, Stakeholder, deal, stakeholder_id)
    from datetime import date as _date

    try:
        when = _date.fromisoformat(request.POST.get("consulted_on") or _date.today().isoformat())
    except ValueError:
        messages.error(request, _("Enter a valid date."))
        return _to(request, "deal_people", deal)
    services.update_stakeholder(request.user, person, consulted_on=when)
    return _to(request, "deal_people", deal)


@org_view("deals", "change")
@require_POST
def contact(request, deal_id: int):
    deal = _deal(request, deal_id, "change")
    form = forms.ContactForm(request.POST, deal=deal)
    if form.is_valid():
        data = form.cleaned_data
        followups = [{"text": data["followup_text"], "owner": data["followup_owner"], "due_on": data["followup_due"]}]
        try:
            services.log_contact(
                request.user,
                deal,
                kind=data["kind"],
                held_on=data["held_on"],
                said=data["said"],
                stakeholders=data["stakeholders"],
                followups=followups,
                consulted=data["consulted"],
            )
            messages.success(request, _("Contact logged."))
        except ChizaiError as exc:
            _refuse(request, exc)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return _to(request, "deal_people", deal, "contacts")


@org_view("deals", "change")
@require_POST
def followup_done(request, deal_id: int, followup_id: int):
    deal = _deal(request, deal_id, "change")
    follow = _child(request, FollowUp, deal, followup_id)
    services.set_followup_done(request.user, follow, done=request.POST.get("done", "1") == "1")
    return _to(request, "deal_people", deal, "contacts")


def _party_labels(deal: Deal) -> dict:
    return {Party.OURS: deal.organization.display_name, Party.THEIRS: deal.partner.name_ja}


@org_view("deals", "view")
def ledger(request, deal_id: int):
    deal = _deal(request, deal_id)
    visible = Asset.objects.restrict(request.user, "view").filter(organization=request.organization)
    form = forms.ContributionForm(request.POST or None, request.FILES or None, assets=visible)
    if request.method == "POST":
        require_can(request, "deals", "change")
        if form.is_valid():
            try:
                deal_ledger.add_contribution(
                    request.user,
                    deal,
                    **{k: v for k, v in form.cleaned_data.items() if k != "evidence_file"},
                    evidence_file=form.cleaned_data.get("evidence_file") or None,
                )
                return _to(request, "deal_ledger", deal)
            except ChizaiError as exc:
                form.add_error(None, str(exc))
    result = deal_ledger.deal_shares(deal)
    weights = deal_ledger.weights_of(deal)
    labels = _party_labels(deal)
    visible_ids = set(visible.values_list("pk", flat=True))
    entries = list(deal.contributions.select_related("evidence_asset"))
    return render(
        request,
        "deals/ledger.html",
        {
            **_base(request, deal, "ledger"),
            "form": form,
            "entries": entries,
            "visible_asset_ids": visible_ids,
            "downloadable": deal_ledger.downloadable_evidence(request.user, entries),
            "shares": [(labels.get(p, p), s, result.weighted[p]) for p, s in result.shares.items()],
            "basis": result.basis,
            "chart": chart.shares_svg(result.shares, labels, title=_("Contribution shares")),
            "weights_form": forms.WeightsForm(initial={**weights, "agreed": deal.weights_agreed}),
        },
        status=400 if form.errors else 200,
    )


@org_view("deals", "view")
def ledger_chart(request, deal_id: int):
    deal = _deal(request, deal_id)
    svg = chart.shares_svg(deal_ledger.deal_shares(deal).shares, _party_labels(deal), title=_("Contribution shares"))
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@org_view("deals", "change")
@require_POST
def weights(request, deal_id: int):
    deal = _deal(request, deal_id, "change")
    form = forms.WeightsForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        agreed = data.pop("agreed")
        try:
            deal_ledger.set_weights(request.user, deal, data, agreed=agreed)
            messages.success(request, _("Saved."))
        except ChizaiError as exc:
            _refuse(request, exc)
    else:
        messages.error(request, _("Weights must be numbers of zero or more."))
    return _to(request, "deal_ledger", deal, "weights")


@org_view("deals", "change")
@require_POST
def entry_delete(request, deal_id: int, entry_id: int):
    deal = _deal(request, deal_id, "change")
    deal_ledger.delete_contribution(request.user, _child(request, ContributionEntry, deal, entry_id))
    return _to(request, "deal_ledger", deal)


@org_view("deals", "view")
def entry_evidence(request, deal_id: int, entry_id: int):
    deal = _deal(request, deal_id)
    entry = _child(request, ContributionEntry, deal, entry_id, "view")
    try:
        stream = deal_ledger.download_evidence(request.user, entry)
    except ChizaiError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    return sealed.attachment(
        stream, name=entry.evidence_name, content_type=entry.evidence_content_type, size=entry.evidence_size
    )


@org_view("deals", "view")
def worksheet(request, deal_id: int):
    deal = _deal(request, deal_id)
    form = forms.ItemForm(request.POST or None)
    if request.method == "POST":
        require_can(request, "deals", "change")
        if form.is_valid():
            try:
                services.add_item(request.user, deal, **form.cleaned_data)
                return _to(request, "deal_worksheet", deal)
            except ChizaiError as exc:
                form.add_error(None, str(exc))
    rows, totals = services.worksheet_rows(deal)
    from chizai.deals.documents import method_detail

    return render(
        request,
        "deals/worksheet.html",
        {
            **_base(request, deal, "worksheet"),
            "form": form,
            "totals": totals,
            "shares": [
                (_party_labels(deal).get(p, p), (share * 100).quantize(Decimal("0.01")))
                for p, share in deal_ledger.deal_shares(deal).shares.items()
            ]
            if deal.contributions.exists()
            else [],
            "goods": [(i, y, method_detail(i)) for i, y in rows if i.category == ConsiderationItem.Category.GOODS],
            "knowledge": [
                (i, y, method_detail(i)) for i, y in rows if i.category == ConsiderationItem.Category.KNOWLEDGE
            ],
        },
        status=400 if form.errors else 200,
    )


@org_view("deals", "change")
@require_POST
def item_delete(request, deal_id: int, item_id: int):
    deal = _deal(request, deal_id, "change")
    services.delete_item(request.user, _child(request, ConsiderationItem, deal, item_id))
    return _to(request, "deal_worksheet", deal)


def _download(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@org_view("deals", "export")
def annex(request, deal_id: int):
    deal = _deal(request, deal_id, "export")
    try:
        return _download(
            *export.export_annex(
                request.user, deal, lang=request.GET.get("lang", "ja"), fmt=request.GET.get("fmt", "pdf")
            )
        )
    except ChizaiError as exc:
        _refuse(request, exc)
        return _to(request, "deal_worksheet", deal)


@org_view("deals", "export")
def brief(request, deal_id: int):
    deal = _deal(request, deal_id, "export")
    try:
        return _download(*export.export_brief(request.user, deal, lang=request.GET.get("lang", "ja")))
    except ChizaiError as exc:
        _refuse(request, exc)
        return _to(request, "deal_detail", deal)
