"""Succession over the JSON API: people on the skills map, the levels (read, and set cell by
cell — only changed cells are written and audited), capture plans and their OJT sessions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from chizai.core.api import org_or_404
from chizai.core.validation import Input
from chizai.succession import plans, services
from chizai.succession.models import CapturePlan, Person

router = Router(tags=["succession"])

Level = Field(ge=0, le=3)


class PersonIn(Input):
    model = Person

    name: str
    team: str = ""
    leaves_on: date | None = None


class PersonOut(Schema):
    id: int
    name: str
    team: str
    leaves_on: date | None


class SkillOut(Schema):
    id: int
    asset: int
    title: str
    bus_factor: int


class CellIn(Schema):
    person: int
    skill: int
    level: int = Level


class CellOut(Schema):
    person: int
    skill: int
    level: int


class CellsIn(Input):
    cells: list[CellIn] = Field(max_length=5000)


class MapOut(Schema):
    people: list[PersonOut]
    skills: list[SkillOut]
    cells: list[CellOut]


class ChangeOut(Schema):
    person: int
    skill: int
    before: int
    after: int


class PlanIn(Input):
    limits = {"note": "succession.CapturePlan.note"}

    asset: int
    holder: int
    successors: list[int] = Field(max_length=50)
    target_level: int = Field(2, ge=2, le=3)
    target_on: date
    started_on: date | None = None
    note: str = ""


class SuccessorOut(Schema):
    person: int
    name: str
    start_level: int
    level: int
    planned_level_today: float
    behind: bool


class PlanOut(Schema):
    id: int
    asset: int
    holder: int
    target_level: int
    started_on: date
    target_on: date
    signed_off_at: str | None
    behind: bool
    complete: bool
    held_hours: Decimal
    successors: list[SuccessorOut]


class SessionIn(Input):
    multiline = frozenset({"covered", "notes"})

    held_on: date
    hours: Decimal = Field(ge=0, le=24, max_digits=4, decimal_places=1)
    covered: str = Field("", max_length=4000)
    notes: str = Field("", max_length=8000)
    held: bool = True


class SessionOut(Schema):
    id: int
    plan: int
    held_on: date
    hours: Decimal
    held: bool


def _plan_out(plan: CapturePlan) -> dict:
    progress = plans.progress(plan, timezone.localdate())
    return {
        "id": plan.pk,
        "asset": plan.asset_id,
        "holder": plan.holder_id,
        "target_level": plan.target_level,
        "started_on": plan.started_on,
        "target_on": plan.target_on,
        "signed_off_at": plan.signed_off_at.isoformat() if plan.signed_off_at else None,
        "behind": progress.behind,
        "complete": progress.complete,
        "held_hours": progress.held_hours,
        "successors": [
            {
                "person": s.person_id,
                "name": s.name,
                "start_level": s.start,
                "level": s.level,
                "planned_level_today": round(s.expected, 2),
                "behind": s.behind,
            }
            for s in progress.successors
        ],
    }


@router.get("/orgs/{slug}/succession/people", response=list[PersonOut])
def list_people(request, slug: str):
    org = org_or_404(request, slug, "register", "view")
    return services.people(request.user, org)[:1000]


@router.post("/orgs/{slug}/succession/people", response={201: PersonOut})
def add_person(request, slug: str, payload: PersonIn):
    org = org_or_404(request, slug, "register", "add")
    return Status(
        201, services.add_person(request.user, org, name=payload.name, team=payload.team, leaves_on=payload.leaves_on)
    )


@router.get("/orgs/{slug}/succession/levels", response=MapOut)
def get_levels(request, slug: str):
    """The map the caller may see: people, columns with their bus factor, cells above 0."""
    org = org_or_404(request, slug, "register", "view")
    today = timezone.localdate()
    grid = services.grid(request.user, org)
    columns = services.skills_with_levels(request.user, org)
    return {
        "people": grid.people,
        "skills": [
            {"id": s.pk, "asset": s.asset_id, "title": s.asset.title, "bus_factor": services.bus_factor(s, today)}
            for s in columns
        ],
        "cells": [{"person": p, "skill": s, "level": lv} for (p, s), lv in sorted(grid.cells.items())],
    }


@router.post("/orgs/{slug}/succession/levels", response=list[ChangeOut])
def set_levels(request, slug: str, payload: CellsIn):
    """Set cells; only those whose level differs are written (each one audit event). Answers
    the changes made."""
    org = org_or_404(request, slug, "register", "change")
    wanted = {(c.person, c.skill): c.level for c in payload.cells}
    changed = services.set_levels(request.user, org, wanted, source="api")
    return [{"person": c.person.pk, "skill": c.skill.pk, "before": c.before, "after": c.after} for c in changed]


@router.get("/orgs/{slug}/succession/plans", response=list[PlanOut])
def list_plans(request, slug: str):
    org = org_or_404(request, slug, "register", "view")
    return [_plan_out(plan) for plan in plans.plans(request.user, org)[:200]]


@router.post("/orgs/{slug}/succession/plans", response={201: PlanOut})
def create_plan(request, slug: str, payload: PlanIn):
    org = org_or_404(request, slug, "register", "change")
    plan = plans.create_plan(
        request.user,
        org,
        payload.asset,
        holder_id=payload.holder,
        successor_ids=payload.successors,
        target_level=payload.target_level,
        target_on=payload.target_on,
        started_on=payload.started_on,
        note=payload.note,
    )
    return Status(201, _plan_out(plans.get_plan(request.user, org, plan.pk)))


@router.get("/orgs/{slug}/succession/plans/{plan_id}", response=PlanOut)
def get_plan(request, slug: str, plan_id: int):
    org = org_or_404(request, slug, "register", "view")
    return _plan_out(plans.get_plan(request.user, org, plan_id))


@router.post("/orgs/{slug}/succession/plans/{plan_id}/sessions", response={201: SessionOut})
def add_session(request, slug: str, plan_id: int, payload: SessionIn):
    org = org_or_404(request, slug, "register", "change")
    session = plans.add_session(
        request.user,
        org,
        plan_id,
        held_on=payload.held_on,
        hours=payload.hours,
        covered=payload.covered,
        notes=payload.notes,
        held=payload.held,
    )
    return Status(
        201,
        {"id": session.pk, "plan": plan_id, "held_on": session.held_on, "hours": session.hours, "held": session.held},
    )
