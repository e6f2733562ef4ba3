"""Deals as a service: the deal and its drafts, negotiation points, stakeholders and
contacts, the contribution ledger and the consideration worksheet, and the exports.

Every function takes the acting user first, checks the matrix row ``deals`` itself (the web
views, the API and the demo all come through here), writes inside ``transaction.atomic``
and records the change in the audit chain in the same transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import cast

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chizai.core import audit
from chizai.core.access import require, same_organization
from chizai.core.services import ChizaiError
from chizai.core.validation import field_values, save_or_refuse
from chizai.deals import shares as shares_mod
from chizai.deals import worksheet

# The contribution ledger lives in ledger.py; its operations stay part of this service
# interface too (ledger.py imports nothing from here, so there is no cycle).
from chizai.deals.ledger import (  # noqa: F401 - re-exported
    add_contribution,
    deal_shares,
    delete_contribution,
    download_evidence,
    downloadable_evidence,
    set_weights,
    weights_of,
)
from chizai.deals.models import (
    ConsiderationItem,
    Contact,
    Deal,
    DealDraft,
    FollowUp,
    NegotiationPoint,
    Stakeholder,
)
from chizai.register import sealed
from chizai.register.models import Asset
from chizai.review import services as review_services
from chizai.review.models import ContractReview


# --- deals ---------------------------------------------------------------------------

DEAL_FIELDS = ("title", "kind", "stage", "summary", "next_meeting", "partner_id")


@transaction.atomic
def create_deal(
    actor,
    organization,
    *,
    partner,
    title: str,
    kind: str = Deal.Kind.JOINT_RD,
    stage: str = Deal.Stage.PREPARING,
    summary: str = "",
    next_meeting: date | None = None,
) -> Deal:
    require(actor, organization, "deals", "add")
    same_organization(organization, partner)
    deal = Deal(
        organization=organization,
        partner=partner,
        title=title,
        kind=kind,
        stage=stage,
        summary=summary,
        next_meeting=next_meeting,
        created_by=actor,
        contribution_weights={k: str(v) for k, v in shares_mod.DEFAULT_WEIGHTS.items()},
    )
    save_or_refuse(deal)
    audit.record(
        actor,
        organization,
        "deals.deal.create",
        obj=deal,
        summary=f"deal created: {title}",
        data={"title": title},
        changes={"after": field_values(deal, DEAL_FIELDS)},
    )
    return deal


@transaction.atomic
def ensure_partner(actor, organization, *, name_ja: str, kind: str = "tier1", name_en: str = ""):
    """The organisation's partner of that name, created when it does not exist yet (the
    disclosure part owns partners; a deal often starts before anything is disclosed)."""
    from chizai.disclosure.models import Partner

    require(actor, organization, "deals", "add")
    name_ja = name_ja.strip()
    if not name_ja:
        raise ChizaiError(_("Name the partner."))
    partner, created = Partner.objects.get_or_create(
        organization=organization, name_ja=name_ja, defaults={"kind": kind, "name_en": name_en, "created_by": actor}
    )
    if created:
        audit.record(
            actor,
            organization,
            "deals.partner.create",
            obj=partner,
            summary=f"partner created: {name_ja}",
            data={"name": name_ja},
            changes={"after": {"name_ja": name_ja, "kind": kind, "name_en": name_en}},
        )
    return partner


@transaction.atomic
def update_deal(actor, deal: Deal, **fields) -> Deal:
    require(actor, deal.organization, "deals", "change")
    unknown = set(fields) - {"title", "kind", "stage", "summary", "next_meeting", "partner"}
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    same_organization(deal.organization, fields.get("partner"))
    before = field_values(deal, DEAL_FIELDS)
    for name, value in fields.items():
        setattr(deal, name, value)
    save_or_refuse(deal)
    audit.record(
        actor,
        deal.organization,
        "deals.deal.update",
        obj=deal,
        summary=f"deal changed: {deal.title}",
        data={"title": deal.title},
        changes={"before": before, "after": field_values(deal, DEAL_FIELDS)},
    )
    return deal


@transaction.atomic
def delete_deal(actor, deal: Deal) -> None:
    """Remove a deal and everything prepared in it; the reviews of its drafts stay in the
    reviewer, and the audit chain keeps what the deal was."""
    require(actor, deal.organization, "deals", "delete")
    audit.record(
        actor,
        deal.organization,
        "deals.deal.delete",
        obj=deal,
        summary=f"deal deleted: {deal.title}",
        data={"title": deal.title},
        changes={
            "before": {
                **field_values(deal, DEAL_FIELDS),
                "drafts": list(deal.drafts.values_list("review_id", flat=True)),
                "points": deal.points.count(),
                "contributions": deal.contributions.count(),
                "items": deal.consideration_items.count(),
            }
        },
    )
    sealed.delete_on_commit(
        *deal.contributions.exclude(evidence_storage_name="").values_list("evidence_storage_name", flat=True)
    )
    deal.delete()


def visible_assets(user, deal: Deal):
    """The deal's assets this user may see (a 極秘 asset stays hidden from most roles)."""
    return deal.assets.filter(
        pk__in=Asset.objects.restrict(user, "view").filter(organization=deal.organization).values("pk")
    )


@transaction.atomic
def set_assets(actor, deal: Deal, asset_ids) -> list[int]:
    """Link exactly the given visible assets; links to assets the actor cannot see stay,
    so someone without access to a secret asset cannot unlink it by accident."""
    require(actor, deal.organization, "deals", "change")
    visible = Asset.objects.restrict(actor, "view").filter(organization=deal.organization)
    wanted = set(visible.filter(pk__in=[int(a) for a in asset_ids]).values_list("pk", flat=True))
    seen = set(visible.filter(pk__in=deal.assets.values("pk")).values_list("pk", flat=True))
    deal.assets.remove(*(seen - wanted))
    deal.assets.add(*(wanted - seen))
    audit.record(
        actor,
        deal.organization,
        "deals.deal.assets",
        obj=deal,
        summary=f"assets linked to deal {deal.title}",
        data={"deal": deal.title},
        changes={"before": sorted(seen), "after": sorted(wanted)},
    )
    return sorted(wanted)


def visible_disclosures(user, deal: Deal):
    from chizai.disclosure.models import Disclosure

    return deal.disclosures.filter(
        pk__in=Disclosure.objects.restrict(user, "view").filter(organization=deal.organization).values("pk")
    ).select_related("partner")


@transaction.atomic
def set_disclosures(actor, deal: Deal, disclosure_ids) -> list[int]:
    """Link the deal to disclosures already on record (same rules as set_assets)."""
    from chizai.disclosure.models import Disclosure

    require(actor, deal.organization, "deals", "change")
    visible = Disclosure.objects.restrict(actor, "view").filter(organization=deal.organization)
    wanted = set(visible.filter(pk__in=[int(d) for d in disclosure_ids]).values_list("pk", flat=True))
    seen = set(visible.filter(pk__in=deal.disclosures.values("pk")).values_list("pk", flat=True))
    deal.disclosures.remove(*(seen - wanted))
    deal.disclosures.add(*(wanted - seen))
    audit.record(
        actor,
        deal.organization,
        "deals.deal.disclosures",
        obj=deal,
        summary=f"disclosures linked to deal {deal.title}",
        data={"deal": deal.title},
        changes={"before": sorted(seen), "after": sorted(wanted)},
    )
    return sorted(wanted)


# --- drafts --------------------------------------------------------------------------


def latest_draft(deal: Deal) -> DealDraft | None:
    return deal.drafts.select_related("review").order_by("-number").first()


def add_draft(
    actor,
    deal: Deal,
    *,
    filename: str = "draft.txt",
    data: bytes | None = None,
    text: str | None = None,
    title: str = "",
    from_party: str = "theirs",
    note: str = "",
    lang: str = "auto",
    sme: str | None = None,
    contract_type: str = "auto",
) -> DealDraft:
    """Submit the next version of the contract for review, chained to the previous draft
    (``previous=``) so the review side can show what changed."""
    require(actor, deal.organization, "deals", "change")
    last = latest_draft(deal)
    review = review_services.submit_review(
        actor,
        deal.organization,
        filename=filename,
        data=data,
        text=text,
        title=title or f"{deal.title} #{(last.number + 1) if last else 1}",
        contract_type=contract_type,
        sme=sme,
        lang=lang,
        previous=last.review if last else None,
    )
    return attach_review(actor, deal, review, from_party=from_party, note=note)


@transaction.atomic
def attach_review(
    actor, deal: Deal, review: ContractReview, *, from_party: str = "theirs", note: str = ""
) -> DealDraft:
    """Make an existing review the deal's next draft (the same review twice is one draft)."""
    require(actor, deal.organization, "deals", "change")
    same_organization(deal.organization, review)
    existing = deal.drafts.filter(review=review).first()
    if existing is not None:
        return existing
    Deal.objects.select_for_update().filter(pk=deal.pk).first()  # serialise draft numbering per deal
    last = latest_draft(deal)
    draft = DealDraft(
        organization=deal.organization,
        deal=deal,
        review=review,
        number=(last.number + 1) if last else 1,
        from_party=from_party,
        note=note,
    )
    save_or_refuse(draft)
    audit.record(
        actor,
        deal.organization,
        "deals.draft.add",
        obj=draft,
        summary=f"draft {draft.number} added to deal {deal.title}",
        data={"n": draft.number, "deal": deal.title},
        changes={"after": {"deal": deal.pk, "review": review.pk, "number": draft.number, "from_party": from_party}},
    )
    return draft


def draft_changes(deal: Deal) -> list[dict]:
    """For each draft after the first: what changed since the one before, and which
    findings appeared or went away (``review.services.compare``); None while either
    review is still running."""
    drafts = list(deal.drafts.select_related("review").order_by("number"))
    changes = []
    for old, new in zip(drafts, drafts[1:], strict=False):
        done = old.review.status == ContractReview.Status.DONE and new.review.status == ContractReview.Status.DONE
        changes.append(
            {"old": old, "new": new, "diff": review_services.compare(old.review, new.review) if done else None}
        )
    return changes


# --- negotiation points --------------------------------------------------------------

#: status -> statuses it may move to. A settled point (agreed, conceded) can only be
#: reopened, e.g. when the next draft changes it again; a parked one only taken up again.
TRANSITIONS: dict[str, frozenset[str]] = {
    NegotiationPoint.Status.OPEN: frozenset(
        {NegotiationPoint.Status.AGREED, NegotiationPoint.Status.CONCEDED, NegotiationPoint.Status.PARKED}
    ),
    NegotiationPoint.Status.PARKED: frozenset({NegotiationPoint.Status.OPEN}),
    NegotiationPoint.Status.AGREED: frozenset({NegotiationPoint.Status.OPEN}),
    NegotiationPoint.Status.CONCEDED: frozenset({NegotiationPoint.Status.OPEN}),
}

POINT_FIELDS = (
    "title",
    "our_position",
    "our_ask",
    "fallback",
    "give_in_return",
    "counterparty_position",
    "status",
    "agreed_wording",
    "clause",
)
EDITABLE_POINT_FIELDS = {
    "title",
    "our_position",
    "our_ask",
    "fallback",
    "give_in_return",
    "counterparty_position",
    "agreed_wording",
    "clause",
}
SEVERITY_POSITION = {
    "HIGH": NegotiationPoint.Position.MUST,
    "MEDIUM": NegotiationPoint.Position.PREFERRED,
    "LOW": NegotiationPoint.Position.TRADEABLE,
}


def finding_key(finding: dict) -> str:
    """Rule plus clause: the same finding converted twice, or found again in the next
    draft at the same clause, is one point."""
    clause = " ".join((finding.get("clause") or "").split())
    return hashlib.sha256(f"{finding['rule_id']}|{clause}".encode()).hexdigest()


def point_from_finding(actor, deal: Deal, review: ContractReview, index: int) -> tuple[NegotiationPoint, bool]:
    """Turn finding ``index`` of a draft's review into a negotiation point; returns
    (point, created). Idempotent: an existing point for the same finding is returned."""
    require(actor, deal.organization, "deals", "change")
    same_organization(deal.organization, review)
    if not deal.drafts.filter(review=review).exists():
        raise ChizaiError(_("This review is not one of the deal's drafts."))
    findings = review.findings
    if not 0 <= index < len(findings):
        raise ChizaiError(_("There is no such finding in this review."))
    finding = findings[index]
    key = finding_key(finding)
    existing = deal.points.filter(finding_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            point = NegotiationPoint(
                organization=deal.organization,
                deal=deal,
                title=finding.get("title", "")[:300],
                finding_key=key,
                rule_id=finding["rule_id"][:40],
                severity=finding.get("severity", "")[:10],
                # contract_text is a SealedField, a property Django accepts as a keyword; the plugin knows fields only
                clause=(finding.get("clause") or "")[:200],
                contract_text=finding.get("text") or "",  # type: ignore[misc]
                source_review=review,
                question=finding.get("question") or "",
                balanced=finding.get("balanced") or "",
                our_position=SEVERITY_POSITION.get(finding.get("severity", ""), NegotiationPoint.Position.PREFERRED),
                our_ask=finding.get("balanced") or "",
            )
            save_or_refuse(point)
            audit.record(
                actor,
                deal.organization,
                "deals.point.create",
                obj=point,
                summary=f"finding {point.rule_id} made a negotiation point in {deal.title}",
                data={"variant": "finding", "rule": point.rule_id, "deal": deal.title},
                changes={"after": {**field_values(point, POINT_FIELDS), "review": review.pk, "finding": index}},
            )
    except IntegrityError:  # converted at the same moment by someone else
        return deal.points.get(finding_key=key), False
    return point, True


@transaction.atomic
def add_point(actor, deal: Deal, *, title: str, **fields) -> NegotiationPoint:
    require(actor, deal.organization, "deals", "change")
    unknown = set(fields) - EDITABLE_POINT_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    point = NegotiationPoint(organization=deal.organization, deal=deal, title=title, **fields)
    save_or_refuse(point)
    audit.record(
        actor,
        deal.organization,
        "deals.point.create",
        obj=point,
        summary=f"negotiation point added: {title}",
        data={"title": title},
        changes={"after": field_values(point, POINT_FIELDS)},
    )
    return point


@transaction.atomic
def update_point(actor, point: NegotiationPoint, **fields) -> NegotiationPoint:
    """Edit a point's positions and wording; its status changes only through set_status."""
    require(actor, point.organization, "deals", "change")
    unknown = set(fields) - EDITABLE_POINT_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    before = field_values(point, POINT_FIELDS)
    for name, value in fields.items():
        setattr(point, name, value)
    if point.status == NegotiationPoint.Status.AGREED and not point.agreed_wording.strip():
        raise ChizaiError(_("An agreed point needs the agreed wording."))
    save_or_refuse(point)
    audit.record(
        actor,
        point.organization,
        "deals.point.update",
        obj=point,
        summary=f"negotiation point changed: {point.title}",
        data={"title": point.title},
        changes={"before": before, "after": field_values(point, POINT_FIELDS)},
    )
    return point


@transaction.atomic
def set_status(actor, point: NegotiationPoint, status: str, *, agreed_wording: str | None = None) -> NegotiationPoint:
    require(actor, point.organization, "deals", "change")
    point = NegotiationPoint.objects.select_for_update().get(pk=point.pk)
    if status not in TRANSITIONS.get(point.status, frozenset()):
        raise ChizaiError(
            _("A point that is %(old)s cannot become %(new)s.")
            % {
                "old": NegotiationPoint.Status(point.status).label,
                "new": NegotiationPoint.Status(status).label if status in NegotiationPoint.Status.values else status,
            }
        )
    before = {"status": point.status, "agreed_wording": point.agreed_wording}
    if agreed_wording is not None:
        point.agreed_wording = agreed_wording
    if status == NegotiationPoint.Status.AGREED and not point.agreed_wording.strip():
        raise ChizaiError(_("Write down the agreed wording before marking the point agreed."))
    point.status = status
    save_or_refuse(point)
    audit.record(
        actor,
        point.organization,
        "deals.point.status",
        obj=point,
        summary=f"negotiation point {before['status']} → {status}: {point.title}",
        data={"title": point.title, "before": before["status"], "after": status},
        changes={"before": before, "after": {"status": point.status, "agreed_wording": point.agreed_wording}},
    )
    return point


def measurable_prompts(point: NegotiationPoint, lang: str = "ja"):
    from chizai.deals.vague import suggest

    return suggest(
        "\n".join([point.contract_text, point.counterparty_position, point.agreed_wording, point.our_ask]), lang
    )


# --- stakeholders and contacts -------------------------------------------------------

STAKEHOLDER_FIELDS = ("side", "name", "role", "stance", "influence", "consult_before_meeting", "consulted_on", "notes")


@transaction.atomic
def add_stakeholder(actor, deal: Deal, *, name: str, **fields) -> Stakeholder:
    require(actor, deal.organization, "deals", "change")
    person = Stakeholder(organization=deal.organization, deal=deal, name=name, **fields)
    save_or_refuse(person)
    audit.record(
        actor,
        deal.organization,
        "deals.stakeholder.create",
        obj=person,
        summary=f"stakeholder added: {name}",
        data={"name": name},
        changes={"after": field_values(person, STAKEHOLDER_FIELDS)},
    )
    return person


@transaction.atomic
def update_stakeholder(actor, person: Stakeholder, **fields) -> Stakeholder:
    require(actor, person.organization, "deals", "change")
    if set(fields) - set(STAKEHOLDER_FIELDS):
        raise ValueError(f"not editable here: {sorted(set(fields) - set(STAKEHOLDER_FIELDS))}")
    before = field_values(person, STAKEHOLDER_FIELDS)
    for name, value in fields.items():
        setattr(person, name, value)
    save_or_refuse(person)
    audit.record(
        actor,
        person.organization,
        "deals.stakeholder.update",
        obj=person,
        summary=f"stakeholder changed: {person.name}",
        data={"name": person.name},
        changes={"before": before, "after": field_values(person, STAKEHOLDER_FIELDS)},
    )
    return person


def nemawashi_pending(deal: Deal):
    """Who still has to be consulted before the formal meeting."""
    return deal.stakeholders.filter(consult_before_meeting=True, consulted_on__isnull=True)


@transaction.atomic
def log_contact(
    actor,
    deal: Deal,
    *,
    kind: str,
    held_on: date,
    said: str,
    stakeholders=(),
    followups: Sequence[dict] = (),
    consulted: bool = False,
) -> Contact:
    """Record a meeting, call or visit. With ``consulted`` the stakeholders who took part
    count as consulted on that day (nemawashi done)."""
    require(actor, deal.organization, "deals", "change")
    people = list(stakeholders)
    same_organization(deal.organization, *people)
    if any(p.deal_id != deal.pk for p in people):
        raise ChizaiError(_("Those people are not stakeholders of this deal."))
    contact = Contact(
        organization=deal.organization, deal=deal, kind=kind, held_on=held_on, said=said, created_by=actor
    )
    save_or_refuse(contact)
    contact.stakeholders.set(people)
    created = []
    for item in followups:
        if (item.get("text") or "").strip():
            follow = FollowUp(
                organization=deal.organization,
                deal=deal,
                contact=contact,
                text=item["text"].strip(),
                owner=item.get("owner", ""),
                due_on=item.get("due_on"),
            )
            save_or_refuse(follow)
            created.append(follow.text)
    if consulted:
        Stakeholder.objects.filter(pk__in=[p.pk for p in people], consulted_on__isnull=True).update(
            consulted_on=held_on
        )
    audit.record(
        actor,
        deal.organization,
        "deals.contact.create",
        obj=contact,
        summary=f"{kind} on {held_on} logged for {deal.title}",
        data={"kind": kind, "date": held_on, "deal": deal.title},
        changes={
            "after": {
                "kind": kind,
                "held_on": held_on,
                "said": said,
                "with": [p.name for p in people],
                "followups": created,
                "consulted": consulted,
            }
        },
    )
    return contact


@transaction.atomic
def add_followup(actor, contact: Contact, *, text: str, owner: str = "", due_on: date | None = None) -> FollowUp:
    require(actor, contact.organization, "deals", "change")
    follow = FollowUp(
        organization=contact.organization, deal=contact.deal, contact=contact, text=text, owner=owner, due_on=due_on
    )
    save_or_refuse(follow)
    audit.record(
        actor,
        contact.organization,
        "deals.followup.create",
        obj=follow,
        summary=f"follow-up added: {text}",
        data={"text": text},
        changes={"after": {"text": text, "owner": owner, "due_on": due_on}},
    )
    return follow


@transaction.atomic
def set_followup_done(actor, follow: FollowUp, done: bool = True) -> FollowUp:
    require(actor, follow.organization, "deals", "change")
    before = follow.done_at
    if done and follow.done_at is None:
        follow.done_at = timezone.now()
    elif not done:
        follow.done_at = None
    follow.save(update_fields=["done_at"])
    audit.record(
        actor,
        follow.organization,
        "deals.followup.done" if done else "deals.followup.reopen",
        obj=follow,
        summary=f"follow-up {'done' if done else 'reopened'}: {follow.text}",
        data={"text": follow.text},
        changes={"before": {"done_at": before}, "after": {"done_at": follow.done_at}},
    )
    return follow


# --- consideration worksheet ---------------------------------------------------------

ITEM_FIELDS = (
    "category",
    "item_kind",
    "title",
    "included",
    "method",
    "quantity",
    "unit_price",
    "rate_percent",
    "base_yen",
    "rate_basis",
    "amount_yen",
    "cost_yen",
    "margin_percent",
    "savings_yen",
    "share_percent",
    "assumptions",
)
METHOD_FIELDS = {
    "price": ("quantity", "unit_price"),
    "royalty": ("rate_percent", "base_yen"),
    "lump_sum": ("amount_yen",),
    "cost": ("cost_yen", "margin_percent"),
    "savings": ("savings_yen", "share_percent"),
    "none": (),
}


def as_line(item: ConsiderationItem) -> worksheet.Line:
    return worksheet.Line(
        category=item.category,
        method=item.method,
        included=item.included,
        **{
            name: getattr(item, name)
            for name in (
                "quantity",
                "unit_price",
                "rate_percent",
                "base_yen",
                "amount_yen",
                "cost_yen",
                "margin_percent",
                "savings_yen",
                "share_percent",
            )
        },
    )


def _check_item(item: ConsiderationItem) -> None:
    if item.category == ConsiderationItem.Category.GOODS and item.method not in ("price", "lump_sum", "none"):
        raise ChizaiError(
            _("Goods are priced per unit or as a lump sum; royalties, cost and savings methods are for knowledge.")
        )
    if item.method == "royalty" and not item.rate_basis.strip():
        raise ChizaiError(
            _("State the basis for the royalty rate (comparable licences, industry survey, profit split…).")
        )
    try:
        worksheet.exact_amount(as_line(item))
    except worksheet.WorksheetError as exc:
        label = (
            cast(models.Field, ConsiderationItem._meta.get_field(str(exc))).verbose_name
            if str(exc) != "method"
            else _("method")
        )
        raise ChizaiError(_("The method chosen needs a (non-negative) %(field)s.") % {"field": label}) from exc


@transaction.atomic
def add_item(actor, deal: Deal, **fields) -> ConsiderationItem:
    require(actor, deal.organization, "deals", "change")
    if set(fields) - set(ITEM_FIELDS):
        raise ValueError(f"not editable here: {sorted(set(fields) - set(ITEM_FIELDS))}")
    item = ConsiderationItem(organization=deal.organization, deal=deal, **fields)
    _check_item(item)
    save_or_refuse(item)
    audit.record(
        actor,
        deal.organization,
        "deals.item.create",
        obj=item,
        summary=f"worksheet line added: {item.title}",
        data={"title": item.title},
        changes={"after": {**field_values(item, ITEM_FIELDS), "yen": worksheet.line_yen(as_line(item))}},
    )
    return item


@transaction.atomic
def delete_item(actor, item: ConsiderationItem) -> None:
    require(actor, item.organization, "deals", "change")
    audit.record(
        actor,
        item.organization,
        "deals.item.delete",
        obj=item,
        summary=f"worksheet line removed: {item.title}",
        data={"title": item.title},
        changes={"before": field_values(item, ITEM_FIELDS)},
    )
    item.delete()


def worksheet_rows(deal: Deal) -> tuple[list[tuple[ConsiderationItem, int]], worksheet.Totals]:
    items = list(deal.consideration_items.all())
    totals = worksheet.totals(as_line(i) for i in items)
    return list(zip(items, totals.lines, strict=False)), totals


def followups_due(user, organization, today: date | None = None):
    """Open follow-ups of the contact log ``user`` may view whose due date has come (today or before)."""
    today = today or timezone.localdate()
    return FollowUp.objects.restrict(user, "view").filter(
        organization=organization, done_at__isnull=True, due_on__lte=today
    )
