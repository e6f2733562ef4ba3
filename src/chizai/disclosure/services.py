"""Disclosure control: disclosures through the gate and the partner dossier. Partners,
agreements and their files are in ``agreements.py`` (offered here too); duties and
reminders are in ``duties.py``, hand-over copies in ``copies.py``.

Every function takes the acting user first, checks the permission matrix itself, writes
inside ``transaction.atomic`` and records the change in the audit chain of the same
transaction. Refusals a person should read raise ``ChizaiError``; the gate's refusals are
kept as refused disclosures (records of an attempt) and audited as such.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chizai.core import audit
from chizai.core.access import Denied, may, require, role_in
from chizai.core.services import ChizaiError
from chizai.disclosure import duties, gate

# Partners and agreements live in agreements.py; they stay part of this service interface
# (agreements.py imports nothing from here, so there is no cycle).
from chizai.disclosure.agreements import (  # noqa: F401 - re-exported
    ACTIVE_STATUSES,
    AGREEMENT_FIELDS,
    PARTNER_FIELDS,
    field_values,
    add_contact,
    agreement_file,
    attach_file,
    check_dates,
    confirm_suggestions,
    conflicts,
    create_agreement,
    create_partner,
    delete_partner,
    get_scoped,
    refresh_suggestions,
    seal,
    sign_agreement,
    suggestions_for,
    update_agreement,
    update_partner,
)
from chizai.disclosure.models import (
    Agreement,
    Disclosure,
    DisclosureItem,
    DisclosureRecipient,
    Partner,
    PartnerContact,
    Stage,
)

logger = logging.getLogger(__name__)


# --- disclosures and the gate -----------------------------------------------------------


def agreement_facts(a: Agreement) -> gate.AgreementFacts:
    return gate.AgreementFacts(
        id=a.pk,
        type=a.type,
        partner_id=a.partner_id,
        partner_name=a.partner.name_ja,
        status=a.status,
        direction=a.direction,
        effective_on=a.effective_on,
        expires_on=a.expires_on,
        purpose_stages=tuple(a.purpose_stages or ()),
        categories=tuple(a.categories or ()),
    )


def asset_facts(asset, requested_classification: str = "") -> gate.AssetFacts:
    return gate.AssetFacts(
        id=asset.pk,
        title=asset.title_ja,
        classification=asset.classification,
        kind=asset.kind,
        strategy=asset.protection_strategy,
        right_filed=bool(asset.right_filed_on or asset.right_number),
        requested_classification=requested_classification,
    )


def _is_owner(user, organization) -> bool:
    return user is not None and role_in(user, organization) == "owner"


def evaluate(disclosure: Disclosure, *, today: date | None = None) -> gate.GateResult:
    """Run the gate over a disclosure as it stands (assets as they are now, never below what
    was recorded when it was requested)."""
    organization = disclosure.organization
    assets = []
    for item in disclosure.items.select_related("asset"):
        if item.asset is not None:
            assets.append(asset_facts(item.asset, item.requested_classification))
    agreements = tuple(
        agreement_facts(a)
        for a in Agreement.objects.filter(organization=organization, partner=disclosure.partner).select_related(
            "partner"
        )
    )
    request = gate.GateRequest(
        partner_id=disclosure.partner_id,
        partner_name=disclosure.partner.name_ja,
        stage=disclosure.stage,
        today=today or disclosure.disclosed_on,
        assets=tuple(assets),
        agreements=agreements,
        agreement_id=disclosure.agreement_id,
        owner_approved=bool(disclosure.approved_at and _is_owner(disclosure.approver, organization)),
        second_person_confirmed=bool(
            disclosure.second_confirmed_at
            and disclosure.second_person_id
            and disclosure.second_person_id != disclosure.approver_id
        ),
        override_reason=disclosure.override_reason,
        override_by_owner=_is_owner(disclosure.override_by, organization),
    )
    return gate.check(request)


def _apply_gate(actor, disclosure: Disclosure, *, action: str) -> gate.GateResult:
    """Evaluate, set the status and audit the outcome (refusals and overrides included)."""
    result = evaluate(disclosure)
    data = result.to_dict()
    if result.allowed:
        status = Disclosure.Status.DISCLOSED
    elif all(f.code in ("owner_approval", "second_person") for f in result.failures):
        status = Disclosure.Status.PENDING
    else:
        status = Disclosure.Status.REFUSED
    if result.allowed and disclosure.agreement_id is None and result.agreement_id:
        disclosure.agreement_id = result.agreement_id
    disclosure.status, disclosure.gate = status, data
    disclosure.save(update_fields=["status", "gate", "agreement"])
    if status == Disclosure.Status.DISCLOSED:
        _record_as_handed_over(disclosure)
    org = disclosure.organization
    summary = f"{disclosure.reference} to {disclosure.partner.name_ja}: {status}"
    audit.record(
        actor,
        org,
        action,
        obj=disclosure,
        summary=summary,
        data={"ref": disclosure.reference, "partner": disclosure.partner.name_ja, "status": status},
        changes={
            "after": {"status": status, "agreement": disclosure.agreement_id, "stage": disclosure.stage},
            "gate": {"failures": data["failures"], "waived": data["waived"]},
        },
    )
    if status == Disclosure.Status.REFUSED:
        audit.record(
            actor,
            org,
            "disclosure.gate.refused",
            obj=disclosure,
            summary=f"{disclosure.reference} refused: " + "; ".join(f.en for f in result.failures)[:1500],
            data={"ref": disclosure.reference},
            changes={"failures": data["failures"]},
        )
    if result.overridden:
        audit.record(
            disclosure.override_by,
            org,
            "disclosure.gate.override",
            obj=disclosure,
            summary=f"{disclosure.reference} overridden: {disclosure.override_reason}"[:2000],
            data={"ref": disclosure.reference, "reason": disclosure.override_reason},
            changes={"reason": disclosure.override_reason, "waived": data["waived"]},
        )
    return result


def _record_as_handed_over(disclosure: Disclosure) -> None:
    """Items show what each asset was when it went out (it may have been reclassified since the request)."""
    for item in disclosure.items.select_related("asset").filter(asset__isnull=False):
        asset = item.asset
        if asset is None:  # excluded by the filter
            continue
        item.title, item.classification, item.kind = asset.title_ja, asset.classification, asset.kind
        item.save(update_fields=["title", "classification", "kind"])


@transaction.atomic
def create_disclosure(
    actor,
    organization,
    *,
    partner_id,
    stage: str,
    purpose: str,
    disclosed_on: date,
    method: str = Disclosure.Method.FILE,
    agreement_id=None,
    version_ids=(),
    asset_ids=(),
    descriptions=(),
    recipients=(),
    minutes: str = "",
    note: str = "",
    override_reason: str = "",
    return_due_on: date | None = None,
) -> Disclosure:
    """Record a hand-over and run the gate. ``recipients``: names, or dicts with name/email/contact_id.

    The gate's refusal is kept as a refused disclosure: the attempt itself is evidence.
    """
    from chizai.register.models import Asset, FileVersion

    require(actor, organization, "disclosure", "add")
    partner = get_scoped(Partner, actor, organization, partner_id)
    agreement = get_scoped(Agreement, actor, organization, agreement_id) if agreement_id else None
    if agreement is not None and agreement.partner_id != partner.pk:
        raise ChizaiError(
            _("The agreement %(agreement)s is not with %(partner)s.")
            % {"agreement": agreement.title, "partner": partner.name_ja}
        )
    if stage not in Stage.values:
        raise ChizaiError(_("Unknown stage %(stage)s.") % {"stage": stage})
    if disclosed_on > timezone.localdate() + timedelta(days=366):
        raise ChizaiError(_("The date %(date)s is too far in the future.") % {"date": disclosed_on})
    if override_reason and not may(actor, organization, "disclosure", "override"):
        raise Denied(_("Only an owner may override the gate."))
    versions = list(
        FileVersion.objects.restrict(actor, "download")
        .filter(organization=organization, pk__in=list(version_ids))
        .select_related("file__asset")
    )
    if len(versions) != len(set(version_ids)):
        raise Http404("No such file version.")
    described = list(Asset.objects.restrict(actor, "view").filter(organization=organization, pk__in=list(asset_ids)))
    if len(described) != len(set(asset_ids)):
        raise Http404("No such asset.")
    if not versions and not described and not any(d.strip() for d in descriptions):
        raise ChizaiError(_("Say what is disclosed: choose file versions or assets, or describe it."))
    if (
        method in (Disclosure.Method.ORAL, Disclosure.Method.PLANT_VISIT, Disclosure.Method.SAMPLE)
        and not minutes.strip()
    ):
        raise ChizaiError(_("An oral, plant-visit or sample disclosure needs minutes of what was shown or said."))
    names = [r if isinstance(r, dict) else {"name": r} for r in recipients]
    names = [r for r in names if (r.get("name") or "").strip()]
    if not names:
        raise ChizaiError(_("Name at least one recipient."))
    disclosure = Disclosure.objects.create(
        organization=organization,
        partner=partner,
        agreement=agreement,
        stage=stage,
        purpose=purpose,
        method=method,
        disclosed_on=disclosed_on,
        minutes=minutes,
        note=note,
        requested_by=actor,
        return_due_on=return_due_on,
        override_reason=override_reason.strip(),
        override_by=actor if override_reason.strip() else None,
    )
    if may(actor, organization, "disclosure", "approve"):
        disclosure.approver, disclosure.approved_at = actor, timezone.now()
        disclosure.save(update_fields=["approver", "approved_at"])
    for version in versions:
        asset = version.file.asset
        DisclosureItem.objects.create(
            organization=organization,
            disclosure=disclosure,
            asset=asset,
            version=version,
            title=asset.title_ja,
            classification=asset.classification,
            kind=asset.kind,
            requested_classification=asset.classification,
            sha256=version.sha256,
            description=f"{version.original_name} v{version.number}",
        )
    for asset in described:
        DisclosureItem.objects.create(
            organization=organization,
            disclosure=disclosure,
            asset=asset,
            title=asset.title_ja,
            classification=asset.classification,
            kind=asset.kind,
            requested_classification=asset.classification,
            description=asset.title_ja,
        )
    for text in descriptions:
        if text.strip():
            DisclosureItem.objects.create(
                organization=organization,
                disclosure=disclosure,
                description=text.strip()[:300],
                title=text.strip()[:200],
            )
    for r in names:
        contact = None
        if r.get("contact_id"):
            contact = PartnerContact.objects.filter(
                organization=organization, partner=partner, pk=r["contact_id"]
            ).first()
        DisclosureRecipient.objects.create(
            organization=organization,
            disclosure=disclosure,
            contact=contact,
            name=r["name"].strip()[:120],
            email=r.get("email") or (contact.email if contact else ""),
        )
    _apply_gate(actor, disclosure, action="disclosure.create")
    duties.sync_obligations(organization)
    return disclosure


@transaction.atomic
def approve(actor, organization, disclosure_id) -> Disclosure:
    """The owner's approval of a secret hand-over (a manager's approval counts for confidential only)."""
    require(actor, organization, "disclosure", "approve")
    disclosure = get_scoped(Disclosure, actor, organization, disclosure_id, "approve")
    if disclosure.status == Disclosure.Status.DISCLOSED:
        raise ChizaiError(_("This disclosure is already done."))
    _refuse_approval_that_cannot_help(disclosure)
    if disclosure.second_person_id == actor.pk:
        raise ChizaiError(_("You confirmed as the second person; the approval must come from someone else."))
    disclosure.approver, disclosure.approved_at = actor, timezone.now()
    disclosure.save(update_fields=["approver", "approved_at"])
    _apply_gate(actor, disclosure, action="disclosure.approve")
    return disclosure


APPROVAL_CODES = ("owner_approval", "second_person")


def _refuse_approval_that_cannot_help(disclosure: Disclosure) -> None:
    """An approval of a disclosure refused for another reason (no fitting NDA, say) would be
    recorded and change nothing; say why instead, and record nothing."""
    if disclosure.status != Disclosure.Status.REFUSED:
        return
    blocking = [f for f in evaluate(disclosure).failures if f.code not in APPROVAL_CODES]
    if blocking:
        english = (get_language() or "ja").startswith("en")
        reasons = "; ".join((f.en if english else f.ja).rstrip("。.") for f in blocking)
        raise ChizaiError(
            _(
                "Approval cannot let this disclosure through: %(reasons)s. Resolve that first, "
                "or an owner may override the gate with a reason."
            )
            % {"reasons": reasons}
        )


def still_waiting_for(disclosure: Disclosure) -> list[str]:
    """What a pending disclosure still needs, in the reader's language."""
    english = (get_language() or "ja").startswith("en")
    return [f.get("en" if english else "ja", "") for f in (disclosure.gate or {}).get("failures", [])]


@transaction.atomic
def confirm_second(actor, organization, disclosure_id) -> Disclosure:
    """The second person of the two-person rule: anyone who may approve, other than the approver."""
    require(actor, organization, "disclosure", "approve")
    disclosure = get_scoped(Disclosure, actor, organization, disclosure_id, "approve")
    if disclosure.status == Disclosure.Status.DISCLOSED:
        raise ChizaiError(_("This disclosure is already done."))
    _refuse_approval_that_cannot_help(disclosure)
    if actor.pk == disclosure.approver_id:
        raise ChizaiError(_("The second person must be someone other than the approver."))
    disclosure.second_person, disclosure.second_confirmed_at = actor, timezone.now()
    disclosure.save(update_fields=["second_person", "second_confirmed_at"])
    _apply_gate(actor, disclosure, action="disclosure.second_person")
    return disclosure


@transaction.atomic
def override(actor, organization, disclosure_id, reason: str) -> Disclosure:
    """An owner lets a refused disclosure through, with a reason kept in the audit chain."""
    require(actor, organization, "disclosure", "override")
    disclosure = get_scoped(Disclosure, actor, organization, disclosure_id, "override")
    if not reason.strip():
        raise ChizaiError(_("An override needs a reason."))
    if disclosure.status == Disclosure.Status.DISCLOSED:
        raise ChizaiError(_("This disclosure is already done."))
    disclosure.override_reason, disclosure.override_by = reason.strip(), actor
    disclosure.save(update_fields=["override_reason", "override_by"])
    _apply_gate(actor, disclosure, action="disclosure.override_requested")
    duties.sync_obligations(organization)
    return disclosure


RETURN_FIELDS = ("return_requested_on", "returned_on", "destroyed_on", "certificate_received_on", "return_due_on")


@transaction.atomic
def record_return(actor, organization, disclosure_id, **fields) -> Disclosure:
    """What came back: a return request, the return, a destruction, the certificate."""
    require(actor, organization, "disclosure", "change")
    disclosure = get_scoped(Disclosure, actor, organization, disclosure_id, "change")
    unknown = set(fields) - set(RETURN_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    for value in fields.values():
        if value and value < disclosure.disclosed_on:
            raise ChizaiError(
                _("%(date)s is before the disclosure itself (%(disclosed)s).")
                % {"date": value, "disclosed": disclosure.disclosed_on}
            )
    before = field_values(disclosure, fields)
    if fields.get("return_requested_on") and not fields.get("return_due_on") and not disclosure.return_due_on:
        days = disclosure.agreement.return_days if disclosure.agreement and disclosure.agreement.return_days else 30
        fields["return_due_on"] = fields["return_requested_on"] + timedelta(days=days)
    for key, value in fields.items():
        setattr(disclosure, key, value)
    disclosure.save(update_fields=list(fields))
    audit.record(
        actor,
        organization,
        "disclosure.return",
        obj=disclosure,
        summary=f"{disclosure.reference}: return/destruction recorded",
        data={"ref": disclosure.reference},
        changes={"before": before, "after": fields},
    )
    duties.sync_obligations(organization)
    return disclosure


# --- partner dossier ----------------------------------------------------------------------


def dossier(actor, organization, partner_id, fmt: str) -> tuple[bytes, str, str]:
    """(body, content type, file name); the export itself is audited."""
    from chizai.disclosure import dossier as builder

    require(actor, organization, "disclosure", "export")
    partner = get_scoped(Partner, actor, organization, partner_id, "export")
    data = builder.collect(organization, partner)
    data["visible_assets"] = visible_asset_ids(actor, organization)
    if fmt == "csv":
        body, ctype = builder.build_csv(organization, partner, data), "text/csv; charset=utf-8"
    elif fmt == "pdf":
        body, ctype = builder.build_pdf(organization, partner, data), "application/pdf"
    else:
        raise Http404("Unknown format.")
    with transaction.atomic():
        audit.record(
            actor,
            organization,
            "disclosure.dossier.export",
            obj=partner,
            object_type="disclosure.partner.dossier",
            summary=f"dossier for {partner.name_ja} ({fmt})",
            data={"partner": partner.name_ja, "fmt": fmt},
            changes={
                "after": {
                    "format": fmt,
                    "sha256": hashlib.sha256(body).hexdigest(),
                    "disclosures": len(data["disclosures"]),
                }
            },
        )
    return body, ctype, f"dossier-{partner.pk}.{fmt}"


def visible_asset_ids(user, organization) -> set[int]:
    """Assets the person may see in the register; other items are shown without their title."""
    from chizai.register.models import Asset

    return set(Asset.objects.restrict(user, "view").filter(organization=organization).values_list("pk", flat=True))
