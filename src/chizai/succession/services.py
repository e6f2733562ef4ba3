"""The skills map: people, the assets on the map, and the level in each cell.

Plain functions taking the actor and the organisation; only these (and ``plans``) write the
succession models. Writes need the register's ``change`` (the map is part of the register,
models name ``permission_app = "register"``), and a cell of an asset only for someone who may
change that asset (a 極秘 process stays out of reach of who may not edit it). Each changed
cell is one audit event and one dated ``LevelChange`` (the plan charts draw from those).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chizai.core import audit
from chizai.core.access import require, role_in
from chizai.core.services import ChizaiError
from chizai.core.validation import field_values, save_or_refuse
from chizai.register import risk
from chizai.register import services as register_services
from chizai.register.models import Asset
from chizai.succession import levels
from chizai.succession.models import LevelChange, Person, Skill, SkillLevel

PERSON_FIELDS = ["name", "team", "leaves_on", "position"]


# --- people ------------------------------------------------------------------------------


def people(user, organization):
    return Person.objects.restrict(user, "view").filter(organization=organization)


def get_person(user, organization, person_id, action: str = "view") -> Person:
    person = Person.objects.restrict(user, action).filter(organization=organization, pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    return person


def _check_user(organization, user) -> None:
    if user is not None and role_in(user, organization) is None:
        raise ChizaiError(_("A person with an account must belong to this organisation."))


@transaction.atomic
def add_person(actor, organization, *, name: str, team: str = "", leaves_on=None, user=None, position=None) -> Person:
    require(actor, organization, "register", "add")
    _check_user(organization, user)
    name = name.strip()
    if not name:
        raise ChizaiError(_("Name the person."))
    if Person.objects.filter(organization=organization, name=name).exists():
        raise ChizaiError(_("%(name)s is already on the skills map.") % {"name": name})
    if position is None:
        position = Person.objects.filter(organization=organization).count()
    person = Person(
        organization=organization, name=name, team=team.strip(), leaves_on=leaves_on, user=user, position=position
    )
    save_or_refuse(person)
    audit.record(
        actor,
        organization,
        "succession.person.create",
        obj=person,
        summary=f"{person.name} added to the skills map",
        data={"name": person.name},
        changes={"after": field_values(person, PERSON_FIELDS)},
    )
    return person


@transaction.atomic
def update_person(actor, organization, person_id, **fields) -> Person:
    require(actor, organization, "register", "change")
    person = get_person(actor, organization, person_id, "change")
    before = field_values(person, PERSON_FIELDS)
    if "user" in fields:
        _check_user(organization, fields["user"])
    for name, value in fields.items():
        setattr(person, name, value.strip() if isinstance(value, str) else value)
    if not person.name:
        raise ChizaiError(_("Name the person."))
    if Person.objects.filter(organization=organization, name=person.name).exclude(pk=person.pk).exists():
        raise ChizaiError(_("%(name)s is already on the skills map.") % {"name": person.name})
    save_or_refuse(person)
    after = field_values(person, PERSON_FIELDS)
    if after != before:
        audit.record(
            actor,
            organization,
            "succession.person.update",
            obj=person,
            summary=f"{person.name} changed on the skills map",
            data={"name": person.name},
            changes={"before": before, "after": after},
        )
    return person


# --- skills (the map's columns) ------------------------------------------------------------


def skills(user, organization, action: str = "view"):
    return Skill.objects.restrict(user, action).filter(organization=organization).select_related("asset")


@transaction.atomic
def add_skill(actor, organization, asset_id) -> Skill:
    """Put an asset on the map (idempotent: an asset already there is returned as it is)."""
    require(actor, organization, "register", "change")
    asset = register_services.get_asset(actor, organization, asset_id, "change")
    existing = Skill.objects.filter(asset=asset).first()
    if existing is not None:
        return existing
    skill = Skill.objects.create(
        organization=organization, asset=asset, position=Skill.objects.filter(organization=organization).count()
    )
    audit.record(
        actor,
        organization,
        "succession.skill.add",
        obj=skill,
        summary=f"{asset.title_ja} put on the skills map",
        data={"title": asset.title_ja},
        changes={"after": {"asset": asset.pk}},
    )
    return skill


@transaction.atomic
def remove_skill(actor, organization, skill_id) -> None:
    require(actor, organization, "register", "change")
    skill = skills(actor, organization, "change").filter(pk=skill_id).first()
    if skill is None:
        raise Http404("No such skill.")
    if skill.asset.capture_plans.exists():
        raise ChizaiError(_("This asset has a capture plan; its column stays on the map."))
    cells = {str(p): lvl for p, lvl in skill.levels.values_list("person_id", "level")}
    audit.record(
        actor,
        organization,
        "succession.skill.remove",
        obj=skill,
        summary=f"{skill.asset.title_ja} taken off the skills map",
        data={"title": skill.asset.title_ja},
        changes={"before": {"asset": skill.asset_id, "levels": cells}},
    )
    skill.delete()


# --- the grid ----------------------------------------------------------------------------------


@dataclass
class Grid:
    people: list[Person]
    skills: list[Skill]
    cells: dict[tuple[int, int], int] = field(default_factory=dict)  # (person id, skill id) -> level > 0

    def level(self, person_id: int, skill_id: int) -> int:
        return self.cells.get((person_id, skill_id), levels.NONE)


def grid(user, organization) -> Grid:
    """Everyone on the map and the columns ``user`` may see, with the recorded levels."""
    shown = list(skills(user, organization))
    cells = {
        (p, s): lvl
        for p, s, lvl in SkillLevel.objects.filter(organization=organization, skill__in=shown).values_list(
            "person_id", "skill_id", "level"
        )
    }
    return Grid(list(people(user, organization)), shown, cells)


@dataclass(frozen=True)
class Change:
    person: Person
    skill: Skill
    before: int
    after: int


def changes_for(actor, organization, wanted: dict[tuple[int, int], int]) -> list[Change]:
    """The cells of ``wanted`` ({(person id, skill id): level}) that differ from the map, checked:
    every person and column must be the organisation's and editable by ``actor``."""
    person_ids = {p for p, _s in wanted}
    skill_ids = {s for _p, s in wanted}
    found_people = {p.pk: p for p in people(actor, organization).filter(pk__in=person_ids)}
    found_skills = {s.pk: s for s in skills(actor, organization, "change").filter(pk__in=skill_ids)}
    if set(found_people) != person_ids or set(found_skills) != skill_ids:
        raise ChizaiError(_("Some cells name a person or an asset that is not on your skills map."))
    current = {
        (p, s): lvl
        for p, s, lvl in SkillLevel.objects.filter(skill_id__in=skill_ids, person_id__in=person_ids).values_list(
            "person_id", "skill_id", "level"
        )
    }
    out = []
    for (person_id, skill_id), level in sorted(wanted.items()):
        if level not in levels.LEVELS:
            raise ChizaiError(_("A level must be 0 to 3."))
        before = current.get((person_id, skill_id), levels.NONE)
        if before != level:
            out.append(Change(found_people[person_id], found_skills[skill_id], before, level))
    return out


@transaction.atomic
def set_levels(
    actor, organization, wanted: dict[tuple[int, int], int], *, source: str = "grid", today: date | None = None
) -> list[Change]:
    """Write the cells that changed (nothing else), each audited and dated; returns them."""
    require(actor, organization, "register", "change")
    today = today or timezone.localdate()
    changed = changes_for(actor, organization, wanted)
    for change in changed:
        cell = dict(organization=organization, person=change.person, skill=change.skill)
        if change.after == levels.NONE:
            SkillLevel.objects.filter(person=change.person, skill=change.skill).delete()
        else:
            SkillLevel.objects.update_or_create(**cell, defaults={"level": change.after})
        LevelChange.objects.create(**cell, before=change.before, after=change.after, changed_on=today, changed_by=actor)
        audit.record(
            actor,
            organization,
            "succession.level.set",
            obj=change.skill,
            summary=(
                f"level of {change.person.name} in {change.skill.asset.title_ja}: "
                f"{levels.MARKS[change.before]} → {levels.MARKS[change.after]} ({source})"
            ),
            data={
                "name": change.person.name,
                "title": change.skill.asset.title_ja,
                "before": levels.MARKS[change.before],
                "after": levels.MARKS[change.after],
            },
            changes={
                "person": change.person.pk,
                "before": {"level": change.before},
                "after": {"level": change.after},
                "source": source,
            },
        )
    return changed


def set_level(actor, organization, person_id: int, skill_id: int, level: int) -> Change | None:
    changed = set_levels(actor, organization, {(person_id, skill_id): level}, source="api")
    return changed[0] if changed else None


# --- what the map says ---------------------------------------------------------------------


def bus_factor(skill: Skill, today: date | None = None) -> int:
    """People at level ≥ 2 on ``skill`` not leaving within 12 months (``register.risk.bus_factor``)."""
    today = today or timezone.localdate()
    return risk.bus_factor(((row.level, row.person.leaves_on) for row in skill.levels.all()), today)


def skills_with_levels(user, organization):
    """The visible columns with their levels and people prefetched (one query each)."""
    return skills(user, organization).prefetch_related(
        Prefetch("levels", queryset=SkillLevel.objects.select_related("person"))
    )


@dataclass(frozen=True)
class Teaching:
    skill: Skill
    bus_factor: int
    teachers: list[Person]  # level 3
    learners: list[tuple[Person, str]]  # (person, mark) below level 2, those already learning (level 1) first


def who_teaches_whom(user, organization, today: date | None = None) -> list[Teaching]:
    """Per column: who can teach (level 3) and who could learn (level below 2, staying on)."""
    today = today or timezone.localdate()
    everyone = list(people(user, organization))
    out = []
    for skill in skills_with_levels(user, organization):
        by_person = {row.person_id: row.level for row in skill.levels.all()}
        teachers = [p for p in everyone if by_person.get(p.pk) == levels.TEACH]
        learners: list[tuple[Person, int]] = sorted(
            (
                (p, by_person.get(p.pk, levels.NONE))
                for p in everyone
                if by_person.get(p.pk, levels.NONE) < levels.ALONE and risk.staying(p.leaves_on, today)
            ),
            key=lambda pair: (-pair[1], pair[0].position, pair[0].name),
        )
        marked = [(p, levels.MARKS[level]) for p, level in learners]
        out.append(Teaching(skill, bus_factor(skill, today), teachers, marked))
    return out


def _with_people(assets):
    return assets.prefetch_related(
        "holders", Prefetch("skill__levels", queryset=SkillLevel.objects.select_related("person"))
    ).select_related("skill")


def without_successor(user, organization, today: date | None = None) -> list[Asset]:
    """Assets whose holder (named in the register, or at level ≥ 2 on the map) leaves within
    12 months while nobody staying can do it alone: the home page's first succession item."""
    today = today or timezone.localdate()
    horizon = today + risk.HORIZON
    leaving = Q(holders__leaves_on__lte=horizon) | Q(
        skill__levels__level__gte=levels.ALONE, skill__levels__person__leaves_on__lte=horizon
    )
    assets = Asset.objects.restrict(user, "view").filter(organization=organization).filter(leaving).distinct()
    return [a for a in _with_people(assets) if risk.capable_staying(a, today) == 0]


def at_risk(user, organization, today: date | None = None) -> list[tuple[Asset, risk.Risk]]:
    """Visible assets with a medium or high succession risk, most urgent first (the risk page's order)."""
    today = today or timezone.localdate()
    assets = list(_with_people(Asset.objects.restrict(user, "view").filter(organization=organization)))
    scored = [(a, risk.succession_risk(a, today)) for a in assets]
    scored = [(a, r) for a, r in scored if r.level != risk.LOW]
    return sorted(scored, key=lambda pair: risk.urgency(pair[0], today))


# --- figures for the adviser portfolio (no access check: advisers.services checks and audits) --


def _important(organization):
    return Asset.objects.filter(organization=organization).filter(
        Q(business_value=Asset.Value.HIGH)
        | Q(classification__in=[Asset.Classification.CONFIDENTIAL, Asset.Classification.SECRET])
    )


def readiness(organization, today: date | None = None) -> int | None:
    """Percent of the important know-how (high business value, or 秘密 / 極秘) that at least two
    people staying beyond 12 months can do alone (``register.risk.capable_staying`` ≥ 2: the
    skills map where the asset is on it, the holders otherwise). None with no important asset."""
    today = today or timezone.localdate()
    assets = list(_with_people(_important(organization)))
    if not assets:
        return None
    ready = sum(1 for a in assets if risk.capable_staying(a, today) >= 2)
    return round(100 * ready / len(assets))


def plan_coverage(organization, today: date | None = None) -> tuple[int, int]:
    """(important assets with fewer than two capable people staying, how many of them have a capture plan)."""
    today = today or timezone.localdate()
    exposed = [a for a in _with_people(_important(organization)) if risk.capable_staying(a, today) < 2]
    planned = set(
        Asset.objects.filter(pk__in=[a.pk for a in exposed], capture_plans__isnull=False).values_list("pk", flat=True)
    )
    return len(exposed), len(planned)
