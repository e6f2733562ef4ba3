"""Disclosure control: partners, agreements and their files, disclosures through the gate,
the partner dossier. Duties and reminders are in ``duties.py``, hand-over copies in ``copies.py``.

Every function takes the acting user first, checks the permission matrix itself, writes
inside ``transaction.atomic`` and records the change in the audit chain of the same
transaction. Refusals a person should read raise ``ChizaiError``; the gate's refusals are
kept as refused disclosures (records of an attempt) and audited as such.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chizai.core import audit
from chizai.core.access import Denied, may, require, role_in
from chizai.core.services import ChizaiError
from chizai.core.validation import delete_or_refuse
from chizai.disclosure import duties, gate
from chizai.register import atrest
from chizai.register import sealed as sealed_files
from chizai.disclosure.models import (
    Agreement,
    Disclosure,
    DisclosureItem,
    DisclosureRecipient,
    Partner,
    PartnerContact,
    Stage,
)

if TYPE_CHECKING:
    from chizai.register.crypto import Sealed

logger = logging.getLogger(__name__)

PARTNER_FIELDS = ["name_ja", "name_en", "kind", "country", "corporate_number", "is_large_company", "notes"]
AGREEMENT_FIELDS = [
    "title",
    "type",
    "direction",
    "status",
    "signed_on",
    "effective_on",
    "expires_on",
    "term_months",
    "survival_months",
    "decision_due_on",
    "purpose",
    "purpose_stages",
    "categories",
    "permitted_recipients",
    "return_duty",
    "return_days",
    "certificate_required",
    "return_terms",
    "notes",
]
ACTIVE_STATUSES = ("negotiating", "signed")


def get_scoped(model, user, organization, pk, action: str = "view"):
    """One disclosure-part object of ``organization`` that ``user`` may ``action``, else 404."""
    obj = model.objects.restrict(user, action).filter(organization=organization, pk=pk).first()
    if obj is None:
        raise Http404("Not found.")
    return obj


def _snap(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


# --- partners ----------------------------------------------------------------------------


@transaction.atomic
def create_partner(actor, organization, **fields) -> Partner:
    require(actor, organization, "disclosure", "add")
    partner = Partner(organization=organization, created_by=actor, **fields)
    partner.full_clean()
    partner.save()
    audit.record(
        actor,
        organization,
        "disclosure.partner.create",
        obj=partner,
        summary=f"partner {partner.name_ja}",
        changes={"after": _snap(partner, PARTNER_FIELDS)},
    )
    return partner


@transaction.atomic
def update_partner(actor, organization, partner_id, **fields) -> Partner:
    require(actor, organization, "disclosure", "change")
    partner = get_scoped(Partner, actor, organization, partner_id, "change")
    before = _snap(partner, fields)
    for key, value in fields.items():
        setattr(partner, key, value)
    partner.full_clean()
    partner.save()
    audit.record(
        actor,
        organization,
        "disclosure.partner.update",
        obj=partner,
        summary=f"partner {partner.name_ja} changed",
        changes={"before": before, "after": fields},
    )
    return partner


@transaction.atomic
def delete_partner(actor, organization, partner_id) -> None:
    require(actor, organization, "disclosure", "delete")
    partner = get_scoped(Partner, actor, organization, partner_id, "delete")
    count = partner.disclosures.count()
    if count:
        raise ChizaiError(
            _("%(partner)s has %(count)d disclosure(s) on record; the partner is kept so the records stay complete.")
            % {"partner": partner.name_ja, "count": count}
        )
    if partner.agreements.exists():
        raise ChizaiError(
            _("%(partner)s has agreements on record; delete or keep them first.") % {"partner": partner.name_ja}
        )
    audit.record(
        actor,
        organization,
        "disclosure.partner.delete",
        obj=partner,
        summary=f"partner {partner.name_ja} deleted",
        changes={"before": _snap(partner, PARTNER_FIELDS)},
    )
    delete_or_refuse(partner, partner.name_ja)


@transaction.atomic
def add_contact(
    actor, organization, partner_id, *, name: str, department: str = "", email: str = "", phone: str = ""
) -> PartnerContact:
    require(actor, organization, "disclosure", "add")
    partner = get_scoped(Partner, actor, organization, partner_id)
    contact = PartnerContact(
        partner=partner, organization=organization, name=name, department=department, email=email, phone=phone
    )
    contact.full_clean()
    contact.save()
    audit.record(
        actor,
        organization,
        "disclosure.contact.create",
        obj=contact,
        summary=f"{name} at {partner.name_ja}",
        changes={"after": {"partner": partner.pk, "name": name, "department": department, "email": email}},
    )
    return contact


# --- agreements --------------------------------------------------------------------------


def check_dates(fields: dict) -> None:
    """Refuse dates that cannot all be true."""
    signed, effective, expires = fields.get("signed_on"), fields.get("effective_on"), fields.get("expires_on")
    if effective and expires and expires < effective:
        raise ChizaiError(
            _("The agreement would expire (%(expires)s) before it takes effect (%(effective)s).")
            % {"expires": expires, "effective": effective}
        )
    if signed and expires and expires < signed:
        raise ChizaiError(
            _("The agreement would expire (%(expires)s) before it is signed (%(signed)s).")
            % {"expires": expires, "signed": signed}
        )
    if fields.get("status") == Agreement.Status.SIGNED and not signed:
        raise ChizaiError(_("A signed agreement needs the date it was signed."))
    if signed and signed > timezone.localdate():
        raise ChizaiError(_("The signing date %(signed)s is in the future.") % {"signed": signed})
    for stage in fields.get("purpose_stages") or []:
        if stage not in Stage.values:
            raise ChizaiError(_("Unknown stage %(stage)s.") % {"stage": stage})


def _period(a) -> tuple[date, date]:
    start = a.effective_on or a.signed_on or date.min
    return start, a.expires_on or date.max


def conflicts(agreement: Agreement) -> list[str]:
    """Other live agreements with the same partner whose periods overlap, named, with what clashes."""
    start, end = _period(agreement)
    out = []
    others = (
        Agreement.objects.filter(
            organization_id=agreement.organization_id, partner_id=agreement.partner_id, status__in=ACTIVE_STATUSES
        )
        .exclude(pk=agreement.pk)
        .order_by("pk")
    )
    for other in others:
        o_start, o_end = _period(other)
        if o_start > end or start > o_end:
            continue
        what = []
        if other.type == agreement.type:
            what.append(_("same type, overlapping period"))
        if {other.direction, agreement.direction} == {"inbound", "outbound"}:
            what.append(_("opposite directions"))
        if other.return_duty != agreement.return_duty and "none" not in (other.return_duty, agreement.return_duty):
            what.append(_("different return/destruction duties"))
        if other.survival_months and agreement.survival_months and other.survival_months != agreement.survival_months:
            what.append(_("different survival periods"))
        if what:
            out.append(
                _("Overlaps with %(type)s “%(title)s” (#%(id)d, %(start)s – %(end)s): %(what)s.")
                % {
                    "type": other.type,
                    "title": other.title,
                    "id": other.pk,
                    "start": other.effective_on or other.signed_on or "…",
                    "end": other.expires_on or "…",
                    "what": ", ".join(what),
                }
            )
    return out


def _agreement_after(a: Agreement) -> dict:
    data = _snap(a, AGREEMENT_FIELDS)
    data["partner"] = a.partner_id
    return data


@transaction.atomic
def create_agreement(actor, organization, partner_id, **fields) -> tuple[Agreement, list[str]]:
    """Create an agreement; returns it and warnings about overlapping or contradictory ones."""
    require(actor, organization, "disclosure", "add")
    partner = get_scoped(Partner, actor, organization, partner_id)
    check_dates(fields)
    agreement = Agreement(organization=organization, partner=partner, created_by=actor, **fields)
    if not agreement.title:
        agreement.title = f"{agreement.type} {partner.name_ja}"
    agreement.full_clean()
    agreement.save()
    warnings = conflicts(agreement)
    audit.record(
        actor,
        organization,
        "disclosure.agreement.create",
        obj=agreement,
        summary=f"{agreement.type} with {partner.name_ja}",
        changes={"after": _agreement_after(agreement), "warnings": warnings},
    )
    duties.sync_obligations(organization)
    return agreement, warnings


@transaction.atomic
def update_agreement(actor, organization, agreement_id, **fields) -> tuple[Agreement, list[str]]:
    require(actor, organization, "disclosure", "change")
    agreement = get_scoped(Agreement, actor, organization, agreement_id, "change")
    merged = {**_snap(agreement, AGREEMENT_FIELDS), **fields}
    check_dates(merged)
    before = _snap(agreement, fields)
    for key, value in fields.items():
        setattr(agreement, key, value)
    agreement.full_clean()
    agreement.save()
    warnings = conflicts(agreement)
    action = (
        "disclosure.agreement.sign"
        if fields.get("status") == "signed" and before.get("status") != "signed"
        else "disclosure.agreement.update"
    )
    audit.record(
        actor,
        organization,
        action,
        obj=agreement,
        summary=f"{agreement.type} with {agreement.partner.name_ja} changed",
        changes={"before": before, "after": fields, "warnings": warnings},
    )
    duties.sync_obligations(organization)
    return agreement, warnings


def sign_agreement(
    actor, organization, agreement_id, signed_on: date, effective_on: date | None = None, expires_on: date | None = None
) -> tuple[Agreement, list[str]]:
    fields = {"status": Agreement.Status.SIGNED, "signed_on": signed_on}
    if effective_on:
        fields["effective_on"] = effective_on
    if expires_on:
        fields["expires_on"] = expires_on
    return update_agreement(actor, organization, agreement_id, **fields)


# --- the signed file and its review -----------------------------------------------------


def seal(data: bytes, prefix: str, organization) -> tuple[str, Sealed]:
    """Encrypt bytes with the register's envelope encryption and store them; (name, Sealed)."""
    from chizai.register.sealed import seal_bytes

    return seal_bytes(data, f"disclosure/{organization.pk}/{prefix}", organization)


def attach_file(actor, organization, agreement_id, *, filename: str, data: bytes, review: bool = True) -> Agreement:
    """Store the agreement file encrypted and run the reviewer on it; suggestions wait for a person."""
    require(actor, organization, "disclosure", "add")
    agreement = get_scoped(Agreement, actor, organization, agreement_id)
    if not data:
        raise ChizaiError(_("The file is empty; nothing was stored."))
    contract_review = None
    if review:
        from chizai.review.services import submit_review

        contract_review = submit_review(
            actor, organization, filename=filename, data=data, title=f"{agreement.title}", contract_type=agreement.type
        )
    stored, sealed = seal(data, "agreement", organization)
    try:
        with transaction.atomic():
            old = agreement.file_storage_name
            agreement.file_name, agreement.file_storage_name = filename[:255], stored
            agreement.file_sha256, agreement.file_size = sealed.sha256, sealed.size
            agreement.file_key_id, agreement.file_wrapped_key = sealed.key_id, sealed.wrapped_key
            if contract_review is not None:
                agreement.review = contract_review
                agreement.suggestions = suggestions_for(contract_review)
            agreement.save()
            audit.record(
                actor,
                organization,
                "disclosure.agreement.file",
                obj=agreement,
                summary=f"file {filename} attached",
                changes={
                    "after": {
                        "file": filename,
                        "sha256": sealed.sha256,
                        "size": sealed.size,
                        "review": contract_review.pk if contract_review else None,
                    }
                },
            )
            if old:
                sealed_files.delete_on_commit(old)  # the previous file goes only once the new one is recorded
    except BaseException:
        sealed_files.discard(stored)
        raise
    return agreement


def suggestions_for(contract_review) -> dict:
    """Field suggestions from a finished review (empty while the review still runs)."""
    from chizai.disclosure.extract import suggest

    contract_review.refresh_from_db()
    if contract_review.status != "done":
        return {}
    sme, labels = contract_review.sme_party or None, []
    try:
        from chizai.review.engine import load_document

        doc = load_document(contract_review.text, "contract.txt", lang=contract_review.language or "auto", sme=sme)
        labels, sme = [p.label for p in doc.parties], doc.sme_label
    except Exception:  # noqa: BLE001 - suggestions are optional; the person fills the form anyway
        logger.info("could not re-read review %s for party labels", contract_review.pk)
    return suggest(contract_review.text, contract_review.report, sme_label=sme, parties=labels)


def refresh_suggestions(actor, organization, agreement_id) -> Agreement:
    agreement = get_scoped(Agreement, actor, organization, agreement_id)
    if agreement.review_id and not agreement.suggestions:
        agreement.suggestions = suggestions_for(agreement.review)
        Agreement.objects.filter(pk=agreement.pk).update(
            **atrest.sealed_columns(Agreement, agreement.organization_id, suggestions=agreement.suggestions)
        )
    return agreement


def confirm_suggestions(actor, organization, agreement_id, **fields) -> tuple[Agreement, list[str]]:
    """A person accepts (possibly edited) values; who and when is kept with the agreement."""
    agreement, warnings = update_agreement(actor, organization, agreement_id, **fields)
    Agreement.objects.filter(pk=agreement.pk).update(confirmed_by=actor, confirmed_at=timezone.now())
    agreement.refresh_from_db()
    return agreement, warnings


def agreement_file(actor, organization, agreement_id) -> tuple[Agreement, bytes]:
    # The same people who may take register files away (viewers and advisers read the terms only).
    require(actor, organization, "disclosure", "add")
    agreement = get_scoped(Agreement, actor, organization, agreement_id, "add")
    if not agreement.file_storage_name:
        raise Http404("No file.")
    data = b"".join(
        sealed_files.download(
            actor,
            organization,
            agreement,
            storage_name=agreement.file_storage_name,
            wrapped_key=agreement.file_wrapped_key,
            key_id=agreement.file_key_id,
            sha256=agreement.file_sha256,
            action="disclosure.agreement.download",
            summary=f"{agreement.file_name} downloaded",
        )
    )
    return agreement, data


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
            changes={"failures": data["failures"]},
        )
    if result.overridden:
        audit.record(
            disclosure.override_by,
            org,
            "disclosure.gate.override",
            obj=disclosure,
            summary=f"{disclosure.reference} overridden: {disclosure.override_reason}"[:2000],
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
    before = _snap(disclosure, fields)
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
