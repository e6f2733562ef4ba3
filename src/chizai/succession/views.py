"""The skills map, its Excel round-trip and the capture plans (thin: services do the work)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chizai.core.scoping import can, org_view, require_can
from chizai.core.services import ChizaiError
from chizai.core.validation import ids, one_id
from chizai.register import services as register_services
from chizai.register.models import Asset
from chizai.succession import chart, excel, forms, levels, plans, prompts, services

SESSION_KEY = "succession_import"


def _to(request, name: str, *args):
    return redirect(name, request.organization.slug, *args)


def _cell(skill, level: int) -> tuple:
    return skill, level, levels.MARKS[level], levels.WORDS[level]


@org_view("register", "view")
def skills_map(request):
    """The grid: a select per cell for those who may change the register, marks otherwise.
    A POST writes only the cells whose level differs from the map (each audited), then redirects."""
    org = request.organization
    if request.method == "POST":
        require_can(request, "register", "change")
        wanted = {}
        try:
            for key, value in request.POST.items():
                if key.startswith("cell-"):
                    person_id, skill_id, level = ids([*key[5:].split("-", 1), value])
                    wanted[(person_id, skill_id)] = level
            changed = services.set_levels(request.user, org, wanted)
        except ChizaiError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(count)d cells changed.") % {"count": len(changed)})
        return _to(request, "succession")
    grid = services.grid(request.user, org)
    rows = [(p, [_cell(s, grid.level(p.pk, s.pk)) for s in grid.skills]) for p in grid.people]
    today = timezone.localdate()
    teaching = services.who_teaches_whom(request.user, org, today)
    return render(
        request,
        "succession/map.html",
        {
            "grid": grid,
            "rows": rows,
            "teaching": teaching,
            "options": levels.choices(),
            "scale": [(lv, levels.MARKS[lv], levels.WORDS[lv]) for lv in levels.LEVELS],
            "can_change": can(request, "register", "change"),
            "can_export": can(request, "register", "export"),
            "today": today,
        },
    )


@org_view("register", "view")
def people(request):
    form = forms.PersonForm(request.POST or None)
    if request.method == "POST":
        require_can(request, "register", "add")
        if form.is_valid():
            try:
                services.add_person(request.user, request.organization, **form.cleaned_data)
            except ChizaiError as exc:
                form.add_error(None, str(exc))
            else:
                return _to(request, "succession_people")
    skill_form = forms.AddSkillForm(assets=_assets_off_map(request))
    return render(
        request,
        "succession/people.html",
        {
            "people": services.people(request.user, request.organization),
            "skills": services.skills(request.user, request.organization),
            "form": form,
            "skill_form": skill_form,
            "can_add": can(request, "register", "add"),
            "can_change": can(request, "register", "change"),
        },
        status=400 if form.errors else 200,
    )


def _assets_off_map(request):
    return Asset.objects.restrict(request.user, "change").filter(organization=request.organization, skill__isnull=True)


@org_view("register", "change")
def person(request, person_id: int):
    instance = services.get_person(request.user, request.organization, person_id, "change")
    form = forms.PersonForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(request.user, request.organization, person_id, **form.cleaned_data)
        except ChizaiError as exc:
            form.add_error(None, str(exc))
        else:
            return _to(request, "succession_people")
    return render(
        request, "succession/person.html", {"form": form, "person": instance}, status=400 if form.errors else 200
    )


@require_POST
@org_view("register", "change")
def skills(request):
    """Put an asset on the map, or (``remove=<skill id>``) take one off."""
    try:
        if request.POST.get("remove"):
            services.remove_skill(request.user, request.organization, one_id(request.POST["remove"]))
        else:
            form = forms.AddSkillForm(request.POST, assets=_assets_off_map(request))
            if not form.is_valid():
                messages.error(request, _("Choose an asset."))
                return _to(request, "succession_people")
            services.add_skill(request.user, request.organization, form.cleaned_data["asset"].pk)
    except ChizaiError as exc:
        messages.error(request, str(exc))
    return _to(request, "succession_people")


@org_view("register", "export")
def export_xlsx(request):
    data = excel.export_map(request.user, request.organization)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"skills-map-{request.organization.slug}.xlsx")
    return response


@org_view("register", "change")
def import_xlsx(request):
    """Upload → a preview of every change and problem (nothing written); confirm → write."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = excel.preview(request.user, request.organization, form.cleaned_data["file"])
        except ChizaiError as exc:
            form.add_error("file", str(exc))
        else:
            request.session[SESSION_KEY] = {
                "org": request.organization.pk,
                "changes": result.pending() if result.ok else [],
            }
    return render(
        request,
        "succession/import.html",
        {"form": form, "result": result},
        status=400 if form.errors or (result is not None and not result.ok) else 200,
    )


@require_POST
@org_view("register", "change")
def import_confirm(request):
    pending = request.session.pop(SESSION_KEY, None)
    if not pending or pending.get("org") != request.organization.pk or not pending.get("changes"):
        messages.error(request, _("Nothing to import: upload the sheet again."))
        return _to(request, "succession_import")
    try:
        count = excel.apply(request.user, request.organization, pending["changes"])
    except ChizaiError as exc:
        messages.error(request, str(exc))
        return _to(request, "succession_import")
    messages.success(request, _("%(count)d cells changed.") % {"count": count})
    return _to(request, "succession")


# --- plans ----------------------------------------------------------------------------------


@org_view("register", "view")
def plan_list(request):
    today = timezone.localdate()
    shown = list(plans.plans(request.user, request.organization))
    with_plan = {p.asset_id for p in shown}
    return render(
        request,
        "succession/plans.html",
        {
            "plans": [(p, plans.progress(p, today)) for p in shown],
            "at_risk": services.at_risk(request.user, request.organization, today),
            "with_plan": with_plan,
            "without_successor": {a.pk for a in services.without_successor(request.user, request.organization, today)},
            "can_change": can(request, "register", "change"),
        },
    )


@org_view("register", "change")
def plan_new(request, asset_id: int):
    asset = register_services.get_asset(request.user, request.organization, asset_id, "change")
    today = timezone.localdate()
    form = forms.PlanForm(
        request.POST or None,
        people=services.people(request.user, request.organization),
        initial={"started_on": today, "target_on": today.replace(year=today.year + 1)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = plans.create_plan(
                request.user,
                request.organization,
                asset.pk,
                holder_id=data["holder"].pk,
                successor_ids=[p.pk for p in data["successors"]],
                target_level=data["target_level"],
                target_on=data["target_on"],
                started_on=data["started_on"],
                note=data["note"],
            )
        except ChizaiError as exc:
            form.add_error(None, str(exc))
        else:
            return _to(request, "succession_plan", plan.pk)
    return render(
        request, "succession/plan_form.html", {"form": form, "asset": asset}, status=400 if form.errors else 200
    )


def _plan_page(request, plan, **forms_given):
    today = timezone.localdate()
    progress = plans.progress(plan, today)
    answers = plans.answers(plan)
    documents = Asset.objects.restrict(request.user, "change").filter(organization=request.organization)
    # What was covered, the veteran's notes and the answers are the know-how itself: shown
    # only to those who may read the asset's content ("text"), not to roles that see only
    # that it exists (a viewer on 社内限り, an adviser on 秘密).
    may_read = Asset.objects.restrict(request.user, "text").filter(pk=plan.asset_id).exists()
    context = {
        "plan": plan,
        "may_read": may_read,
        "progress": progress,
        "chart_svg": chart.progress_svg(plan, progress, today),
        "chart_text": chart.description(plan, progress),
        "sessions": plan.sessions.all(),
        "layers": plans.layers_for(request.user, request.organization, plan),
        "prompts": [(p, answers.get(p.key, "")) for p in prompts.PROMPTS],
        "session_form": forms_given.get("session_form") or forms.SessionForm(initial={"held_on": today, "held": True}),
        "layer_form": forms_given.get("layer_form") or forms.LayerForm(assets=documents),
        "answers_form": forms_given.get("answers_form") or forms.AnswersForm(initial=answers),
        "can_change": can(request, "register", "change"),
        "level_label": levels.label,
    }
    bad = any(f.errors for f in forms_given.values())
    return render(request, "succession/plan.html", context, status=400 if bad else 200)


@org_view("register", "view")
def plan_detail(request, plan_id: int):
    return _plan_page(request, plans.get_plan(request.user, request.organization, plan_id))


@require_POST
@org_view("register", "change")
def plan_session(request, plan_id: int):
    plan = plans.get_plan(request.user, request.organization, plan_id, "change")
    form = forms.SessionForm(request.POST)
    if form.is_valid():
        try:
            plans.add_session(request.user, request.organization, plan.pk, **form.cleaned_data)
        except ChizaiError as exc:
            form.add_error(None, str(exc))
        else:
            return _to(request, "succession_plan", plan.pk)
    return _plan_page(request, plan, session_form=form)


@require_POST
@org_view("register", "change")
def plan_layer(request, plan_id: int):
    plan = plans.get_plan(request.user, request.organization, plan_id, "change")
    assets = Asset.objects.restrict(request.user, "change").filter(organization=request.organization)
    form = forms.LayerForm(request.POST, assets=assets)
    if form.is_valid():
        data = dict(form.cleaned_data)
        document = data.pop("document")
        try:
            plans.add_layer(
                request.user, request.organization, plan.pk, document_id=document.pk if document else None, **data
            )
        except ChizaiError as exc:
            form.add_error(None, str(exc))
        else:
            return _to(request, "succession_plan", plan.pk)
    return _plan_page(request, plan, layer_form=form)


@require_POST
@org_view("register", "change")
def plan_answers(request, plan_id: int):
    plan = plans.get_plan(request.user, request.organization, plan_id, "change")
    form = forms.AnswersForm(request.POST)
    if form.is_valid():
        plans.save_answers(request.user, request.organization, plan.pk, form.cleaned_data)
        return _to(request, "succession_plan", plan.pk)
    return _plan_page(request, plan, answers_form=form)


@require_POST
@org_view("register", "change")
def plan_signoff(request, plan_id: int):
    try:
        plans.sign_off(request.user, request.organization, plan_id)
    except ChizaiError as exc:
        messages.error(request, str(exc))
    return _to(request, "succession_plan", plan_id)
