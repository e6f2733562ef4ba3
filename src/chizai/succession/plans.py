"""Capture plans: who learns an at-risk asset's know-how, to which level, by when — and what
the plan produces (OJT sessions, documentation layers, the veteran's answers, the sign-off).

Progress is read from the skills map: a successor's level is their cell, its history the
dated ``LevelChange`` rows. The plan line runs straight from each successor's level when the
plan began to the target level on the target date; a plan is behind schedule when some
successor's level today is below that line, rounded down (half-way through a 0 → 2 plan, a
successor still at 0 is behind; one at 1 is on track), and it is not complete.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chizai.core import audit
from chizai.core.access import require, role_in
from chizai.core.services import ChizaiError
from chizai.core.validation import save_or_refuse
from chizai.register import access as register_access
from chizai.register.models import Asset
from chizai.succession import levels, prompts, services
from chizai.succession.models import (
    CapturePlan,
    DocLayer,
    InterviewAnswer,
    LevelChange,
    OjtSession,
    PlanSuccessor,
    SkillLevel,
)


def plans(user, organization):
    return (
        CapturePlan.objects.restrict(user, "view")
        .filter(organization=organization)
        .select_related("asset", "asset__skill", "holder", "signed_off_by")
        .prefetch_related(Prefetch("successors", queryset=PlanSuccessor.objects.select_related("person")))
    )


def get_plan(user, organization, plan_id, action: str = "view") -> CapturePlan:
    plan = plans(user, organization).filter(pk=plan_id).first()
    if plan is None or (action != "view" and not CapturePlan.objects.restrict(user, action).filter(pk=plan.pk)):
        raise Http404("No such plan.")
    return plan


@transaction.atomic
def create_plan(
    actor,
    organization,
    asset_id,
    *,
    holder_id: int,
    successor_ids: list[int],
    target_level: int = levels.ALONE,
    target_on: date,
    started_on: date | None = None,
    note: str = "",
) -> CapturePlan:
    """A plan for one asset; the asset is put on the skills map if it is not there yet."""
    require(actor, organization, "register", "change")
    skill = services.add_skill(actor, organization, asset_id)
    started_on = started_on or timezone.localdate()
    if target_level not in (levels.ALONE, levels.TEACH):
        raise ChizaiError(_("The target level is 2 (can do alone) or 3 (can teach)."))
    if target_on <= started_on:
        raise ChizaiError(_("The target date must come after the start."))
    holder = services.get_person(actor, organization, holder_id)
    successor_ids = sorted(set(successor_ids) - {holder.pk})
    if not successor_ids:
        raise ChizaiError(_("Name at least one successor other than the holder."))
    successors = list(services.people(actor, organization).filter(pk__in=successor_ids))
    if len(successors) != len(successor_ids):
        raise Http404("No such person.")
    plan = CapturePlan(
        organization=organization,
        asset=skill.asset,
        holder=holder,
        target_level=target_level,
        started_on=started_on,
        target_on=target_on,
        note=note,
        created_by=actor,
    )
    save_or_refuse(plan)
    current = dict(SkillLevel.objects.filter(skill=skill).values_list("person_id", "level"))
    for person in successors:
        PlanSuccessor.objects.create(
            organization=organization, plan=plan, person=person, start_level=current.get(person.pk, levels.NONE)
        )
    audit.record(
        actor,
        organization,
        "succession.plan.create",
        obj=plan,
        summary=f"capture plan for {skill.asset.title_ja}: {holder.name} → {', '.join(p.name for p in successors)}",
        data={
            "title": skill.asset.title_ja,
            "holder": holder.name,
            "successors": ", ".join(p.name for p in successors),
        },
        changes={
            "after": {
                "asset": skill.asset_id,
                "holder": holder.pk,
                "successors": [p.pk for p in successors],
                "target_level": target_level,
                "target_on": target_on,
                "started_on": started_on,
            }
        },
    )
    return plan


@transaction.atomic
def add_session(
    actor,
    organization,
    plan_id,
    *,
    held_on: date,
    hours: Decimal,
    covered: str = "",
    notes: str = "",
    held: bool = True,
    successor_ids: list[int] | None = None,
) -> OjtSession:
    require(actor, organization, "register", "change")
    plan = get_plan(actor, organization, plan_id, "change")
    session = OjtSession(
        organization=organization, plan=plan, held_on=held_on, hours=hours, held=held, created_by=actor
    )
    session.covered = covered
    session.notes = notes
    save_or_refuse(session)
    allowed = {s.person_id for s in plan.successors.all()}
    chosen = allowed if successor_ids is None else set(successor_ids)
    if not chosen <= allowed:
        raise ChizaiError(_("Only the plan's successors can attend its sessions."))
    session.successors.set(sorted(chosen))
    audit.record(
        actor,
        organization,
        "succession.session.create",
        obj=session,
        summary=f"{'OJT session held' if held else 'OJT session planned'} for {plan.asset.title_ja} on {held_on}",
        data={"variant": "held" if held else "", "title": plan.asset.title_ja, "date": held_on},
        changes={"after": {"plan": plan.pk, "held_on": held_on, "hours": str(hours), "held": held}},
    )
    return session


@transaction.atomic
def add_layer(
    actor,
    organization,
    plan_id,
    *,
    kind: str,
    title: str,
    classification: str,
    document_id: int | None = None,
    done: bool = False,
) -> DocLayer:
    require(actor, organization, "register", "change")
    plan = get_plan(actor, organization, plan_id, "change")
    document = None
    if document_id:
        document = Asset.objects.restrict(actor, "change").filter(organization=organization, pk=document_id).first()
        if document is None:
            raise Http404("No such asset.")
    if kind == DocLayer.Kind.MASTER and classification not in ("confidential", "secret"):
        raise ChizaiError(_("A master document is kept at 秘密 (confidential) or 極秘 (secret)."))
    layer = DocLayer(
        organization=organization,
        plan=plan,
        kind=kind,
        title=title.strip(),
        classification=classification,
        document=document,
        done=done,
    )
    save_or_refuse(layer)
    audit.record(
        actor,
        organization,
        "succession.layer.create",
        obj=layer,
        summary=f"documentation layer for {plan.asset.title_ja}: {layer.title}",
        data={"title": plan.asset.title_ja, "layer": layer.title},
        changes={"after": {"plan": plan.pk, "kind": kind, "classification": classification, "document": document_id}},
    )
    return layer


def layers_for(user, organization, plan: CapturePlan) -> list[DocLayer]:
    """The plan's layers whose own classification ``user`` may see (as for a register entry)."""
    shown = register_access.classes_for(role_in(user, organization), register_access.capability_for("view"))
    return [layer for layer in plan.layers.select_related("document") if layer.classification in shown]


def answers(plan: CapturePlan) -> dict[str, str]:
    return {a.prompt: a.answer for a in plan.answers.all()}


@transaction.atomic
def save_answers(actor, organization, plan_id, given: dict[str, str]) -> list[str]:
    """Store the answers that changed (by prompt key); returns those keys. One audit event."""
    require(actor, organization, "register", "change")
    plan = get_plan(actor, organization, plan_id, "change")
    unknown = set(given) - set(prompts.BY_KEY)
    if unknown:
        raise ChizaiError(_("Unknown interview prompt."))
    existing = {a.prompt: a for a in plan.answers.all()}
    changed = []
    for key, text in given.items():
        text = text.strip()
        row = existing.get(key)
        if (row.answer if row else "") == text:
            continue
        if row is None:
            row = InterviewAnswer(organization=organization, plan=plan, prompt=key)
        row.answer = text
        row.updated_by = actor
        row.save()
        changed.append(key)
    if changed:
        audit.record(
            actor,
            organization,
            "succession.answers.save",
            obj=plan,
            summary=f"interview answers for {plan.asset.title_ja}: {', '.join(changed)}",
            data={"title": plan.asset.title_ja, "n": len(changed)},
            changes={"after": {"prompts": changed}},
        )
        if plan.signed_off_at:
            # the holder signed what was there; a changed answer needs their word again
            CapturePlan.objects.filter(pk=plan.pk).update(signed_off_at=None, signed_off_by=None)
    return changed


@transaction.atomic
def sign_off(actor, organization, plan_id) -> CapturePlan:
    """The holder confirms the captured material is right: recorded with who and when."""
    require(actor, organization, "register", "change")
    plan = get_plan(actor, organization, plan_id, "change")
    if not plan.answers.exists() and not plan.sessions.filter(held=True).exists():
        raise ChizaiError(_("Nothing is captured yet: record a session or answer the prompts first."))
    plan.signed_off_by = plan.holder
    plan.signed_off_at = timezone.now()
    plan.sign_off_recorded_by = actor
    plan.save(update_fields=["signed_off_by", "signed_off_at", "sign_off_recorded_by"])
    audit.record(
        actor,
        organization,
        "succession.plan.signoff",
        obj=plan,
        summary=f"{plan.holder.name} signed off the capture of {plan.asset.title_ja}",
        data={"holder": plan.holder.name, "title": plan.asset.title_ja},
        changes={"after": {"signed_off_by": plan.holder.pk, "signed_off_at": plan.signed_off_at}},
    )
    return plan


# --- progress --------------------------------------------------------------------------------


def planned_level(start: int, target: int, started_on: date, target_on: date, on: date) -> float:
    """Where the plan line stands on ``on``: straight from ``start`` to ``target``, flat outside."""
    span = (target_on - started_on).days
    done = min(max((on - started_on).days / span, 0.0), 1.0) if span > 0 else 1.0
    return start + (target - start) * done


@dataclass(frozen=True)
class SuccessorProgress:
    person_id: int
    name: str
    start: int
    level: int
    expected: float
    behind: bool
    history: list[tuple[date, int]]  # (day, level from that day), the first at the plan start


@dataclass(frozen=True)
class Progress:
    successors: list[SuccessorProgress]
    complete: bool
    behind: bool
    held_hours: Decimal
    sessions_held: int


def progress(plan: CapturePlan, today: date | None = None) -> Progress:
    today = today or timezone.localdate()
    skill = getattr(plan.asset, "skill", None)
    current = dict(SkillLevel.objects.filter(skill=skill).values_list("person_id", "level")) if skill else {}
    changes = list(LevelChange.objects.filter(skill=skill, changed_on__gt=plan.started_on)) if skill else []
    out = []
    for entry in plan.successors.all():
        level = current.get(entry.person_id, levels.NONE)
        history = [(plan.started_on, entry.start_level)]
        for change in changes:
            if change.person_id == entry.person_id and change.changed_on <= today:
                history.append((change.changed_on, change.after))
        expected = planned_level(entry.start_level, plan.target_level, plan.started_on, plan.target_on, today)
        behind = level < plan.target_level and level < math.floor(expected + 1e-9)
        out.append(
            SuccessorProgress(entry.person_id, entry.person.name, entry.start_level, level, expected, behind, history)
        )
    held = list(plan.sessions.filter(held=True).values_list("hours", flat=True))
    return Progress(
        successors=out,
        complete=bool(out) and all(s.level >= plan.target_level for s in out),
        behind=any(s.behind for s in out),
        held_hours=sum(held, Decimal(0)),
        sessions_held=len(held),
    )


def behind_schedule(user, organization, today: date | None = None) -> list[CapturePlan]:
    """Plans ``user`` may see that are behind schedule (see the module docstring)."""
    today = today or timezone.localdate()
    return [plan for plan in plans(user, organization) if progress(plan, today).behind]
