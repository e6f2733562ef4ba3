"""Operations of the adviser workspace.

Two kinds of organisation meet here. In a *support* organisation, members whose role has
``advisers.work`` act as advisers; they reach a *client* company only through an active
``core.AdvisoryEngagement`` granted by that client's owner (role "adviser" in the client).
Every adviser read of client data is one ``advisers.read`` event in the client's chain;
every write is audited there too. Support-organisation records (criteria, weights,
ratings, directory) are audited in the support organisation's chain.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chizai.advisers import diagnostic as diag
from chizai.advisers import figures, priority
from chizai.advisers.models import (
    ActionItem,
    Diagnostic,
    EngagementRecord,
    Referral,
    SkillHandover,
    SupportProgramme,
    VisitLog,
)
from chizai.core import audit, exports, industries
from chizai.core.access import NotFound, require, role_in
from chizai.core.models import AdvisoryEngagement, Organization
from chizai.core.services import ChizaiError

READ = "advisers.read"


def require_kind(organization: Organization, kind: str) -> None:
    """Support pages exist only under a support organisation and client pages only under a
    company; anything else is refused as if it did not exist."""
    if organization.kind != kind:
        raise NotFound()


def require_support(actor, support: Organization, *actions: str) -> None:
    """``support`` is a support organisation where ``actor`` may do one of ``actions``; else 404/403."""
    require_kind(support, Organization.Kind.SUPPORT)
    require(actor, support, "advisers", *(actions or ("work",)))


def require_client(actor, client: Organization, action: str = "view") -> str:
    """The actor's role in the client if it allows ``advisers.<action>``; a client unseen is 404."""
    require_kind(client, Organization.Kind.COMPANY)
    return require(actor, client, "advisers", action)


def engagements_of(actor, support: Organization | None = None):
    """The actor's active engagements (for ``support``, or granted without naming one)."""
    qs = AdvisoryEngagement.objects.active().filter(adviser=actor, organization__is_active=True)
    if support is not None:
        qs = qs.filter(Q(adviser_organization=support) | Q(adviser_organization__isnull=True))
    return qs.select_related("organization", "adviser_organization").order_by("organization__slug")


def active_engagement(actor, client: Organization):
    return AdvisoryEngagement.objects.active().filter(adviser=actor, organization=client).first()


def record_read(actor, client: Organization, what: str, obj=None, data: dict | None = None) -> None:
    """One audit event in the client's chain for an adviser's read (members are not logged);
    ``data`` names what was read for the audit page (``audit_sentences``: ``advisers.read``)."""
    if role_in(actor, client) == "adviser":
        audit.record(
            actor,
            client,
            READ,
            obj=obj,
            object_type="" if obj else "advisers.client",
            object_id="" if obj else client.pk,
            summary=f"adviser read: {what}",
            data=data or {},
        )


@transaction.atomic
def read_client(actor, client: Organization, what: str, data: dict | None = None) -> str:
    """Check the actor may read the advisers' records of ``client`` and audit an adviser's read."""
    role = require_client(actor, client, "view")
    record_read(actor, client, what, data=data)
    return role


def support_of(actor, client: Organization) -> Organization | None:
    engagement = active_engagement(actor, client)
    return engagement.adviser_organization if engagement else None


# --- portfolio -------------------------------------------------------------------------------

PORTFOLIO_SORTS = {spec.key for spec in figures.FIGURES} | {"name", "prefecture", "industry"}


def portfolio(
    actor,
    support: Organization,
    *,
    prefecture: str = "",
    industry: str = "",
    query: str = "",
    sort: str = "name",
    descending: bool = False,
) -> list[dict]:
    """One row per client with an active engagement for this adviser; each row read is audited."""
    require_support(actor, support, "work")
    rows = []
    for engagement in engagements_of(actor, support):
        client = engagement.organization
        if prefecture and client.prefecture != prefecture:
            continue
        if industry and industry.lower() not in f"{client.industry} {client.industry_name}".lower():
            continue
        if query and query.lower() not in f"{client.name_ja} {client.name_en} {client.slug}".lower():
            continue
        with transaction.atomic():
            values = figures.all_figures(client)
            read = [k for k, v in values.items() if v is not None]
            record_read(
                actor,
                client,
                "portfolio figures (" + ", ".join(read) + ")",
                data={"variant": "portfolio", "n": len(read)},
            )
        rows.append({"client": client, "engagement": engagement, "figures": values})
    sort = sort if sort in PORTFOLIO_SORTS else "name"

    def key(row):
        if sort in ("name", "prefecture", "industry"):
            value = {
                "name": row["client"].display_name,
                "prefecture": row["client"].prefecture,
                "industry": row["client"].industry,
            }[sort]
            return (0, value)
        value = row["figures"].get(sort)
        # clients without the figure go last whichever way the list is sorted
        return (1, 0) if value is None else (0, value)

    present = [r for r in rows if key(r)[0] == 0]
    missing = [r for r in rows if key(r)[0] == 1]
    present.sort(key=key, reverse=descending)
    return present + missing


# --- engagement records and follow-up --------------------------------------------------------


def _client_write(actor, client: Organization, action: str = "add") -> Organization | None:
    require_client(actor, client, action)
    return support_of(actor, client)


@transaction.atomic
def save_engagement_record(
    actor,
    client: Organization,
    *,
    scope: str,
    started_on: date,
    ended_on: date | None,
    hours_planned: Decimal,
    topics: str,
) -> EngagementRecord:
    support = _client_write(actor, client, "change")
    engagement = active_engagement(actor, client)
    if engagement is None:
        raise ChizaiError(_("Only the adviser with an active engagement keeps its record."))
    record = EngagementRecord.objects.filter(engagement=engagement).first()
    before = None
    if record is None:
        record = EngagementRecord(
            engagement=engagement, organization=client, support_organization=support, created_by=actor
        )
    else:
        before = {
            "scope": record.scope,
            "started_on": record.started_on,
            "ended_on": record.ended_on,
            "hours_planned": record.hours_planned,
            "topics": record.topics,
        }
    record.scope, record.started_on, record.ended_on = scope, started_on, ended_on
    record.hours_planned, record.topics = hours_planned, topics
    record.save()
    audit.record(
        actor,
        client,
        "advisers.engagement_record.save",
        obj=record,
        summary="engagement record saved",
        data={},
        changes={
            "before": before,
            "after": {
                "scope": scope,
                "started_on": started_on,
                "ended_on": ended_on,
                "hours_planned": hours_planned,
                "topics": topics,
            },
        },
    )
    return record


@transaction.atomic
def add_action(actor, client: Organization, *, title: str, side: str, due_on: date | None = None) -> ActionItem:
    support = _client_write(actor, client, "add")
    item = ActionItem.objects.create(
        organization=client, support_organization=support, created_by=actor, title=title, side=side, due_on=due_on
    )
    audit.record(
        actor,
        client,
        "advisers.action.create",
        obj=item,
        summary=f"action: {title}",
        data={"title": title},
        changes={"after": {"title": title, "side": side, "due_on": due_on}},
    )
    return item


@transaction.atomic
def set_action_status(actor, client: Organization, item: ActionItem, status: str) -> ActionItem:
    _client_write(actor, client, "change")
    if item.organization_id != client.pk:
        raise Http404
    if status not in ActionItem.Status.values:
        raise ChizaiError(_("Unknown status."))
    before = item.status
    item.status = status
    item.done_on = timezone.localdate() if status == ActionItem.Status.DONE else None
    item.save(update_fields=["status", "done_on"])
    audit.record(
        actor,
        client,
        "advisers.action.update",
        obj=item,
        summary=f"action {item.pk}: {before} → {status}",
        data={"title": item.title, "before": before, "after": status},
        changes={"before": {"status": before}, "after": {"status": status}},
    )
    return item


@transaction.atomic
def log_visit(
    actor,
    client: Organization,
    *,
    visited_on: date,
    kind: str,
    hours: Decimal,
    summary: str,
    next_contact_on: date | None = None,
) -> VisitLog:
    support = _client_write(actor, client, "add")
    visit = VisitLog.objects.create(
        organization=client,
        support_organization=support,
        created_by=actor,
        visited_on=visited_on,
        kind=kind,
        hours=hours,
        summary=summary,
        next_contact_on=next_contact_on,
    )
    audit.record(
        actor,
        client,
        "advisers.visit.create",
        obj=visit,
        summary=f"{kind} on {visited_on}",
        data={"kind": kind, "date": visited_on},
        changes={"after": {"visited_on": visited_on, "kind": kind, "hours": hours, "next_contact_on": next_contact_on}},
    )
    return visit


# The tasks whose hand-over is tracked; the keys are stored, the labels shown.
SKILLS = {
    "inventory": ("知的資産の棚卸しと更新", "Keeping the inventory up to date"),
    "classification": ("秘密区分の判断", "Deciding classification levels"),
    "nda": ("秘密保持契約の締結と管理", "Concluding and tracking NDAs"),
    "contract_review": ("契約書の知財条項の確認", "Checking IP clauses in contracts"),
    "filing_decision": ("出願か秘匿かの判断", "Deciding between filing and secrecy"),
    "evidence": ("先使用の証拠の保存", "Keeping evidence of possession"),
    "negotiation": ("技術の対価の交渉", "Negotiating a price for know-how"),
}


def skill_label(key: str, lang: str | None = None) -> str:
    from django.utils.translation import get_language

    ja, en = SKILLS.get(key, (key, key))
    return en if (lang or get_language() or "ja").startswith("en") else ja


@transaction.atomic
def note_skill(actor, client: Organization, *, skill: str, level: int, noted_on: date | None = None) -> SkillHandover:
    support = _client_write(actor, client, "add")
    if skill not in SKILLS:
        raise ChizaiError(_("Unknown skill."))
    entry = SkillHandover.objects.create(
        organization=client,
        support_organization=support,
        created_by=actor,
        skill=skill,
        level=int(level),
        noted_on=noted_on or timezone.localdate(),
    )
    audit.record(
        actor,
        client,
        "advisers.skill.note",
        obj=entry,
        summary=f"{skill}: level {level}",
        data={"skill": {"ja": skill_label(skill, "ja"), "en": skill_label(skill, "en")}, "level": int(level)},
        changes={"after": {"skill": skill, "level": int(level), "noted_on": entry.noted_on}},
    )
    return entry


def skill_progress(client: Organization) -> list[dict]:
    """Per skill: the latest level and its history (oldest first), to show hand-over over time."""
    history: dict[str, list[SkillHandover]] = {}
    for entry in SkillHandover.objects.filter(organization=client).order_by("noted_on", "pk"):
        history.setdefault(entry.skill, []).append(entry)
    return [
        {"skill": key, "label": skill_label(key), "latest": entries[-1], "history": entries}
        for key, entries in history.items()
    ]


def self_sufficiency_series(client: Organization) -> list[tuple[str, int]]:
    """(date, percent of tracked skills the client does alone as of that date), one point per
    date on which a hand-over was noted — the firm becoming self-sufficient over time."""
    levels: dict[str, int] = {}
    series: list[tuple[str, int]] = []
    for entry in SkillHandover.objects.filter(organization=client).order_by("noted_on", "pk"):
        levels[entry.skill] = entry.level
        percent = round(100 * sum(1 for v in levels.values() if v == SkillHandover.Level.CLIENT) / len(levels))
        label = entry.noted_on.isoformat()
        if series and series[-1][0] == label:
            series[-1] = (label, percent)
        else:
            series.append((label, percent))
    return series


def workspace(actor, client: Organization) -> dict:
    """Everything the advisers part holds about one client (adviser reads are audited)."""
    require_client(actor, client, "view")
    with transaction.atomic():
        data = {
            "engagement": active_engagement(actor, client),
            "records": list(EngagementRecord.objects.filter(organization=client).select_related("engagement__adviser")),
            "actions": list(ActionItem.objects.filter(organization=client)),
            "visits": list(VisitLog.objects.filter(organization=client)),
            "skills": skill_progress(client),
            "self_sufficiency": self_sufficiency_series(client),
            "diagnostics": list(Diagnostic.objects.filter(organization=client)),
            "referrals": list(Referral.objects.filter(organization=client).select_related("programme")),
            "figures": figures.all_figures(client),
        }
        hours = sum((v.hours for v in data["visits"]), Decimal(0))
        data["hours_used"] = hours
        record_read(actor, client, "client workspace", data={"variant": "workspace"})
    return data


# --- diagnostics -----------------------------------------------------------------------------


@transaction.atomic
def start_diagnostic(actor, client: Organization) -> Diagnostic:
    """A draft diagnostic, prefilled from what chizai knows (that read is audited)."""
    support = _client_write(actor, client, "add")
    proposed = diag.prefill(client)
    record_read(
        actor,
        client,
        f"diagnostic prefill ({len(proposed)} answers proposed)",
        data={"variant": "prefill", "n": len(proposed)},
    )
    scores, overall = diag.score(proposed)
    item = Diagnostic.objects.create(
        organization=client,
        support_organization=support,
        created_by=actor,
        answers=proposed,
        scores=scores,
        overall=overall,
        questions_version=diag.catalogue()["version"],
    )
    audit.record(
        actor,
        client,
        "advisers.diagnostic.create",
        obj=item,
        summary="diagnostic started",
        data={},
        changes={"after": {"prefilled": sorted(proposed)}},
    )
    return item


@transaction.atomic
def save_diagnostic(
    actor,
    client: Organization,
    item: Diagnostic,
    *,
    answers: dict,
    conducted_on: date | None = None,
    notes: str | None = None,
    final: bool = False,
) -> Diagnostic:
    _client_write(actor, client, "change")
    if item.organization_id != client.pk:
        raise Http404
    if item.status == Diagnostic.Status.FINAL:
        raise ChizaiError(_("A final diagnostic is kept as it was; start a new one to record progress."))
    try:
        cleaned = diag.clean_answers(answers)
    except ValueError as exc:
        raise ChizaiError(str(exc)) from exc
    for qid, answer in cleaned.items():
        old = item.answers.get(qid) or {}
        # an answer still equal to the prefilled proposal keeps that mark, so the report says where it came from
        if old.get("prefilled") and old.get("value") == answer["value"] and old.get("evidence") == answer["evidence"]:
            answer["prefilled"] = True
    before = {"scores": item.scores, "overall": item.overall, "status": item.status}
    item.answers = cleaned
    item.scores, item.overall = diag.score(cleaned)
    if conducted_on:
        item.conducted_on = conducted_on
    if notes is not None:
        item.notes = notes
    if final:
        item.status = Diagnostic.Status.FINAL
    item.save()
    audit.record(
        actor,
        client,
        "advisers.diagnostic.save",
        obj=item,
        summary=f"diagnostic saved ({item.status})",
        data={"status": item.status},
        changes={"before": before, "after": {"scores": item.scores, "overall": item.overall, "status": item.status}},
    )
    return item


def read_diagnostic(actor, client: Organization, pk: int) -> tuple[Diagnostic, Diagnostic | None]:
    """The diagnostic and the final one before it (for progress); the read is audited."""
    require_client(actor, client, "view")
    item = Diagnostic.objects.restrict(actor, "view").filter(organization=client, pk=pk).first()
    if item is None:
        raise Http404
    previous = (
        Diagnostic.objects.filter(organization=client, status=Diagnostic.Status.FINAL)
        .filter(Q(conducted_on__lt=item.conducted_on) | Q(conducted_on=item.conducted_on, pk__lt=item.pk))
        .order_by("-conducted_on", "-pk")
        .first()
    )
    with transaction.atomic():
        record_read(actor, client, f"diagnostic {item.pk}", obj=item, data={"variant": "diagnostic", "n": item.pk})
    return item, previous


def export_diagnostic_pdf(actor, client: Organization, pk: int) -> bytes:
    from chizai.advisers.report import diagnostic_pdf

    item, previous = read_diagnostic(actor, client, pk)
    data = diagnostic_pdf(client, item, previous)
    audit.record(
        actor, client, "advisers.diagnostic.export", obj=item, summary="diagnostic report exported as PDF", data={}
    )
    return data


# --- referrals -------------------------------------------------------------------------------


@transaction.atomic
def refer(
    actor, client: Organization, *, programme: SupportProgramme, reason: str, referred_on: date | None = None
) -> Referral:
    support = _client_write(actor, client, "add")
    if support is None or programme.organization_id != support.pk:
        raise ChizaiError(_("Choose a programme from your support organisation's directory."))
    referral = Referral.objects.create(
        organization=client,
        support_organization=support,
        created_by=actor,
        programme=programme,
        reason=reason,
        referred_on=referred_on or timezone.localdate(),
    )
    audit.record(
        actor,
        client,
        "advisers.referral.create",
        obj=referral,
        summary=f"referred to {programme.key}",
        data={"programme": programme.name_ja or programme.key},
        changes={"after": {"programme": programme.key, "reason": reason}},
    )
    return referral


@transaction.atomic
def set_referral_outcome(actor, client: Organization, referral: Referral, *, outcome: str, note: str = "") -> Referral:
    _client_write(actor, client, "change")
    if referral.organization_id != client.pk:
        raise Http404
    if outcome not in Referral.Outcome.values:
        raise ChizaiError(_("Unknown outcome."))
    before = {"outcome": referral.outcome, "outcome_note": referral.outcome_note}
    referral.outcome, referral.outcome_note = outcome, note
    referral.save(update_fields=["outcome", "outcome_note"])
    audit.record(
        actor,
        client,
        "advisers.referral.outcome",
        obj=referral,
        summary=f"referral outcome: {outcome}",
        data={"outcome": outcome},
        changes={"before": before, "after": {"outcome": outcome, "outcome_note": note}},
    )
    return referral


def directory(actor, support: Organization):
    """The support organisation's programmes; members with work or view rights read it."""
    require_support(actor, support, "work", "view")
    return SupportProgramme.objects.filter(organization=support)


@transaction.atomic
def save_programme(
    actor, support: Organization, *, key: str, programme: SupportProgramme | None = None, **fields
) -> SupportProgramme:
    require_support(actor, support, "publish")
    if programme is not None and programme.organization_id != support.pk:
        raise Http404
    before = None
    if programme is None:
        programme = SupportProgramme(organization=support, key=key)
    else:
        before = {name: getattr(programme, name) for name in fields}
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean(validate_unique=programme.pk is None)
    programme.save()
    audit.record(
        actor,
        support,
        "advisers.programme.save",
        obj=programme,
        summary=f"programme {key} saved",
        data={"programme": key},
        changes={"before": before, "after": fields},
    )
    return programme


def seed_directory(actor, support: Organization) -> int:
    """Add the bundled programmes (data/programmes.yaml) that the directory lacks."""
    import yaml

    from chizai.advisers.diagnostic import DATA

    entries = yaml.safe_load((DATA.parent / "programmes.yaml").read_text(encoding="utf-8"))
    existing = set(SupportProgramme.objects.filter(organization=support).values_list("key", flat=True))
    added = 0
    for entry in entries:
        if entry["key"] in existing:
            continue
        fields = {k: v for k, v in entry.items() if k != "key"}
        save_programme(actor, support, key=entry["key"], **fields)
        added += 1
    return added


# --- network figures ---------------------------------------------------------------------------

# A mean over fewer clients than this is not shown: with one or two clients a "mean" is
# that client's own score.
MIN_GROUP = 3


def _period(day: date) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def network(actor, support: Organization) -> dict:
    """Aggregates over every client this support organisation has served; no per-client field.

    Only counts, shares and means over at least ``MIN_GROUP`` clients leave this function.
    """
    require_support(actor, support, "view")
    engagements = AdvisoryEngagement.objects.filter(adviser_organization=support)
    client_ids = set(engagements.values_list("organization_id", flat=True))
    active_ids = set(engagements.active().values_list("organization_id", flat=True))
    clients = list(
        Organization.objects.filter(pk__in=client_ids, kind=Organization.Kind.COMPANY).values(
            "pk", "prefecture", "industry"
        )
    )
    by_prefecture: dict[str, int] = {}
    by_industry: dict[str, int] = {}
    for c in clients:
        by_prefecture[c["prefecture"] or "—"] = by_prefecture.get(c["prefecture"] or "—", 0) + 1
        industry = industries.name(c["industry"])[0] if c["industry"] else "—"
        by_industry[industry] = by_industry.get(industry, 0) + 1
    regional = sum(1 for c in clients if priority.region_value(c["prefecture"]))

    periods: dict[str, dict[int, int]] = {}
    first_last: dict[int, list[int]] = {}
    for client_id, day, overall in (
        Diagnostic.objects.filter(
            support_organization=support, status=Diagnostic.Status.FINAL, organization_id__in=client_ids
        )
        .order_by("conducted_on", "pk")
        .values_list("organization_id", "conducted_on", "overall")
    ):
        periods.setdefault(_period(day), {})[client_id] = overall  # a client's latest in the period
        first_last.setdefault(client_id, []).append(overall)
    progress = []
    for period in sorted(periods):
        scores = list(periods[period].values())
        mean = round(sum(scores) / len(scores)) if len(scores) >= MIN_GROUP else None
        progress.append({"period": period, "clients": len(scores), "mean": mean})
    repeated = [v[-1] - v[0] for v in first_last.values() if len(v) >= 2]
    improvement = round(sum(repeated) / len(repeated)) if len(repeated) >= MIN_GROUP else None

    referral_outcomes = {o: 0 for o in Referral.Outcome.values}
    for outcome in Referral.objects.filter(support_organization=support).values_list("outcome", flat=True):
        referral_outcomes[outcome] += 1
    actions = ActionItem.objects.filter(support_organization=support)
    skills_alone = 0
    latest: dict[tuple[int, str], int] = {}
    for org_id, skill, level in (
        SkillHandover.objects.filter(support_organization=support)
        .order_by("noted_on", "pk")
        .values_list("organization_id", "skill", "level")
    ):
        latest[(org_id, skill)] = level
    skills_alone = sum(1 for level in latest.values() if level == SkillHandover.Level.CLIENT)
    return {
        "clients": len(clients),
        "active_clients": len(active_ids & {c["pk"] for c in clients}),
        "by_prefecture": sorted(by_prefecture.items(), key=lambda kv: (-kv[1], kv[0])),
        "by_industry": sorted(by_industry.items(), key=lambda kv: (-kv[1], kv[0])),
        "regional": regional,
        "regional_share": round(100 * regional / len(clients)) if clients else None,
        "progress": progress,
        "clients_repeated": len(repeated),
        "mean_improvement": improvement,
        "referral_outcomes": referral_outcomes,
        "actions_done": actions.filter(status=ActionItem.Status.DONE).count(),
        "actions_open": actions.filter(status=ActionItem.Status.OPEN).count(),
        "skills_tracked": len(latest),
        "skills_alone": skills_alone,
        "min_group": MIN_GROUP,
    }


def network_csv(actor, support: Organization) -> str:
    import io

    data = network(actor, support)
    out = io.StringIO()
    writer = exports.csv_writer(out)
    writer.writerow(["section", "key", "value"])
    writer.writerow(["clients", "all", data["clients"]])
    writer.writerow(["clients", "active", data["active_clients"]])
    writer.writerow(["clients", "outside big cities", data["regional"]])
    for key, count in data["by_prefecture"]:
        writer.writerow(["prefecture", key, count])
    for key, count in data["by_industry"]:
        writer.writerow(["industry", key, count])
    for row in data["progress"]:
        writer.writerow(["diagnostics", f"{row['period']} clients", row["clients"]])
        writer.writerow(["diagnostics", f"{row['period']} mean score", "" if row["mean"] is None else row["mean"]])
    writer.writerow(
        [
            "diagnostics",
            "mean improvement first to latest",
            "" if data["mean_improvement"] is None else data["mean_improvement"],
        ]
    )
    for key, count in data["referral_outcomes"].items():
        writer.writerow(["referrals", key, count])
    writer.writerow(["actions", "done", data["actions_done"]])
    writer.writerow(["actions", "open", data["actions_open"]])
    writer.writerow(["skills", "tracked", data["skills_tracked"]])
    writer.writerow(["skills", "client alone", data["skills_alone"]])
    audit.record(
        actor,
        support,
        "advisers.network.export",
        object_type="advisers.network",
        summary="network figures exported as CSV",
        data={},
    )
    return "\ufeff" + out.getvalue()
