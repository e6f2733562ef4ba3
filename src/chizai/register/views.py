"""Register pages: thin fronts on services; every read goes through restrict()."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chizai.core.models import AuditEvent
from chizai.core.scoping import can, org_view, scoped
from chizai.core.services import ChizaiError
from chizai.core.validation import one_id
from chizai.register import access, clips, excel, listing, risk, sealed, services
from chizai.register.lowering import LoweringNotConfirmed
from chizai.register.forms import AssetForm, FilterForm, GrantForm, HolderForm, ImportForm, ReclassifyForm, UploadForm
from chizai.register.models import Asset, FileVersion


def _back(request, asset_id=None):
    if asset_id:
        return redirect("register_asset", request.organization.slug, asset_id)
    return redirect("ic_register", request.organization.slug)


@org_view("register", "view")
def index(request):
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    assets = services.filter_assets(request.user, request.organization, **{k: v for k, v in filters.items() if v})
    page = Paginator(assets, listing.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(a, risk.succession_risk(a)) for a in page]
    total = scoped(request, Asset).count()
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "register/index.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "total": total,
            "matching": page.paginator.count,
            "columns": listing.columns(params),
            "page_links": listing.page_links(page, params),
            "previous_url": listing.page_url(params, page.previous_page_number()) if page.has_previous() else "",
            "next_url": listing.page_url(params, page.next_page_number()) if page.has_next() else "",
            "chips": listing.active_filters(form, params),
            "can_add": can(request, "register", "add"),
            "can_reclassify": can(request, "register", "reclassify"),
            "can_export": can(request, "register", "export"),
            "reclassify_form": ReclassifyForm(),
        },
    )


@org_view("register", "view")
def detail(request, asset_id):
    asset = services.get_asset(request.user, request.organization, asset_id, "view")
    role = request.org_role
    named = asset.grants.filter(user=request.user).exists() or asset.holders.filter(user=request.user).exists()
    caps = access.capabilities(role, asset.classification, named)
    if "text" in caps:
        services.record_read(request.user, request.organization, asset)
    versions = FileVersion.objects.restrict(request.user, "view").filter(file__asset=asset).select_related("file")
    asset_clips = clips.clips_of(request.user, asset) if "download" in caps else []
    trail = []
    if can(request, "audit", "view"):
        mine = (
            Q(object_type="register.asset", object_id=str(asset.pk))
            | Q(object_type="register.fileversion", object_id__in=[str(v.pk) for v in versions])
            | Q(object_type="register.assetclip", object_id__in=[str(c.pk) for c in asset_clips])
        )
        trail = (
            AuditEvent.objects.restrict(request.user, "view")
            .filter(mine, organization=request.organization)
            .order_by("-seq")[:50]
        )
    return render(
        request,
        "register/detail.html",
        {
            "asset": asset,
            "caps": caps,
            "risk": risk.succession_risk(asset),
            "readiness": risk.trade_secret_readiness(asset),
            "versions": versions,
            "holders": asset.holders.all(),
            "trail": trail,
            "upload_form": UploadForm(),
            "holder_form": HolderForm(),
            "grant_form": GrantForm(),
            "can_delete": can(request, "register", "delete"),
            "clips": asset_clips,
            "clip_limit": clips.max_clip_bytes(),
        },
    )


def _save(request, asset_id=None):
    instance = services.get_asset(request.user, request.organization, asset_id, "change") if asset_id else None
    form = AssetForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            if instance is None:
                asset = services.create_asset(request.user, request.organization, **form.service_fields())
            else:
                instance.refresh_from_db()
                asset = services.update_asset(
                    request.user,
                    request.organization,
                    asset_id,
                    confirmed_lowering=form.lowers_classification(),
                    **form.service_fields(),
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ChizaiError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return _back(request, asset.pk)
    return render(request, "register/form.html", {"form": form, "asset": instance}, status=400 if form.errors else 200)


@org_view("register", "add")
def create(request):
    return _save(request)


@org_view("register", "change")
def edit(request, asset_id):
    return _save(request, asset_id)


@require_POST
@org_view("register", "delete")
def delete(request, asset_id):
    try:
        services.delete_asset(request.user, request.organization, asset_id)
    except ChizaiError as exc:
        messages.error(request, str(exc))
        return _back(request, asset_id)
    messages.success(request, _("Asset deleted."))
    return _back(request)


@require_POST
@org_view("register", "change")
def upload(request, asset_id):
    services.get_asset(request.user, request.organization, asset_id, "change")
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        # the form says what is wrong: no file chosen, or an empty one
        for error in form.errors.get("file") or [_("Choose a file to upload.")]:
            messages.error(request, str(error))
        return _back(request, asset_id)
    upload_file = form.cleaned_data["file"]
    try:
        version = services.upload_version(
            request.user,
            request.organization,
            asset_id,
            upload_file,
            name=upload_file.name,
            file_id=form.cleaned_data.get("file_id"),
        )
    except ChizaiError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Uploaded %(name)s as version %(number)d.") % {"name": version.original_name, "number": version.number},
        )
    return _back(request, asset_id)


@org_view("register", "download")
def download(request, version_id):
    try:
        version, stream = services.download(request.user, request.organization, version_id)
    except ChizaiError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    return sealed.attachment(stream, name=version.original_name, content_type=version.content_type, size=version.size)


@require_POST
@org_view("register", "change")
def add_holder(request, asset_id):
    form = HolderForm(request.POST)
    if form.is_valid():
        user = None
        if form.cleaned_data["username"]:
            user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
        try:
            if form.cleaned_data["username"] and user is None:
                raise ChizaiError(_("No user with that name."))
            services.add_holder(
                request.user,
                request.organization,
                asset_id,
                name=form.cleaned_data["name"],
                user=user,
                leaves_on=form.cleaned_data["leaves_on"],
                note=form.cleaned_data["note"],
            )
        except ChizaiError as exc:
            messages.error(request, str(exc))
    else:
        services.get_asset(request.user, request.organization, asset_id, "change")
        messages.error(request, _("Check the holder's details."))
    return _back(request, asset_id)


@require_POST
@org_view("register", "change")
def remove_holder(request, asset_id, holder_id):
    services.get_asset(request.user, request.organization, asset_id, "change")
    services.remove_holder(request.user, request.organization, holder_id)
    return _back(request, asset_id)


@require_POST
@org_view("register", "change")
def grant(request, asset_id):
    form = GrantForm(request.POST)
    services.get_asset(request.user, request.organization, asset_id, "change")
    user = get_user_model().objects.filter(username=form.data.get("username", "")).first()
    try:
        if user is None:
            raise ChizaiError(_("No user with that name."))
        services.grant(request.user, request.organization, asset_id, user)
    except ChizaiError as exc:
        messages.error(request, str(exc))
    return _back(request, asset_id)


@require_POST
@org_view("register", "reclassify")
def reclassify(request):
    form = ReclassifyForm(request.POST)
    ids = [n for n in map(one_id, request.POST.getlist("asset")) if n]
    if not form.is_valid() or not ids:
        messages.error(request, _("Tick at least one asset and choose a classification."))
        return _back(request)
    classification = form.cleaned_data["classification"]
    try:
        count = services.reclassify(
            request.user,
            request.organization,
            ids,
            classification,
            confirmed_lowering=request.POST.get("confirm_lowering") == "1",
        )
    except LoweringNotConfirmed as exc:
        # nothing changed: the same choice again, with the assets it lowers named
        return render(
            request,
            "register/reclassify_confirm.html",
            {
                "lowered": exc.lowered,
                "ids": ids,
                "classification": classification,
                "target": dict(Asset.Classification.choices)[classification],
            },
            status=409,
        )
    except ChizaiError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(count)d assets reclassified.") % {"count": count})
    return _back(request)


@org_view("register", "view")
def search_page(request):
    query = request.GET.get("q", "").strip()
    limit = 20
    hits = services.search_assets(request.user, request.organization, query, limit=limit) if query else []
    return render(request, "register/search.html", {"query": query, "hits": hits, "limit": limit})


@org_view("register", "view")
def risks(request):
    assets = list(services.filter_assets(request.user, request.organization))
    prefetch_related_objects(assets, "skill__levels__person")  # the skills map, read by risk.succession_risk
    scored = sorted(((a, risk.succession_risk(a)) for a in assets), key=lambda pair: risk.urgency(pair[0]))
    by_holder: dict[str, list] = {}
    for asset in assets:
        for holder in asset.holders.all():
            by_holder.setdefault(holder.name, []).append((asset, holder.leaves_on))
    # Assets held by people leaving in each year: the retirement wave at a glance.
    by_year: dict[int, set] = {}
    for asset in assets:
        for holder in asset.holders.all():
            if holder.leaves_on:
                by_year.setdefault(holder.leaves_on.year, set()).add(asset.pk)
    peak = max((len(ids) for ids in by_year.values()), default=1)
    years = [(year, len(ids), round(100 * len(ids) / peak)) for year, ids in sorted(by_year.items())]
    return render(
        request, "register/risks.html", {"scored": scored[:30], "by_holder": sorted(by_holder.items()), "years": years}
    )


@org_view("register", "export")
def export_xlsx(request):
    data = excel.export_register(request.user, request.organization)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"register-{request.organization.slug}.xlsx")
    return response


@org_view("register", "add")
def import_xlsx(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    lowering = False
    if request.method == "POST" and form.is_valid():
        result = excel.import_register(
            request.user,
            request.organization,
            form.cleaned_data["file"],
            confirm_lowering=form.cleaned_data["confirm_lowering"],
        )
        if result.ok:
            messages.success(
                request,
                _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return _back(request)
        report = result.errors
        lowering = result.lowering
    return render(request, "register/import.html", {"form": form, "report": report, "lowering": lowering})
