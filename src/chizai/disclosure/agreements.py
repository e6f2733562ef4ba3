"""Disclosure control, the counterpart side: partners and their contacts, agreements (dates,
conflicts, signing) and the signed file with its review. Disclosures through the gate and
the partner dossier are in ``services.py``, which offers these functions too.

Every function takes the acting user first, checks the permission matrix itself, writes
inside ``transaction.atomic`` and records the change in the audit chain of the same
transaction.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from chizai.core import audit
from chizai.core.access import require
from chizai.core.services import ChizaiError
from chizai.core.validation import delete_or_refuse
from chizai.disclosure import duties
from chizai.register import atrest
from chizai.register import sealed as sealed_files
from chizai.disclosure.models import (
    Agreement,
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


def field_values(obj, fields) -> dict:
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
        data={"name": partner.name_ja},
        changes={"after": field_values(partner, PARTNER_FIELDS)},
    )
    return partner


@transaction.atomic
def update_partner(actor, organization, partner_id, **fields) -> Partner:
    require(actor, organization, "disclosure", "change")
    partner = get_scoped(Partner, actor, organization, partner_id, "change")
    before = field_values(partner, fields)
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
        data={"name": partner.name_ja},
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
        data={"name": partner.name_ja},
        changes={"before": field_values(partner, PARTNER_FIELDS)},
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
        data={"name": name, "partner": partner.name_ja},
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


def conflicts(agreement: Agreement, *, html: bool = False) -> list[str]:
    """Other live agreements with the same partner whose periods overlap, named, with what clashes.

    With ``html`` each warning is for a page: the other agreement's type by its name and its
    title marked as entered (``data-i18n-exempt``), so the sentence is in one language."""
    start, end = _period(agreement)
    out: list[str] = []
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
            sentence = _("Overlaps with %(type)s “%(title)s” (#%(id)d, %(start)s – %(end)s): %(what)s.")
            values = {
                "type": other.type,
                "title": other.title,
                "id": other.pk,
                "start": other.effective_on or other.signed_on or "…",
                "end": other.expires_on or "…",
                "what": _(", ").join(what),
            }
            if html:
                values = {key: conditional_escape(str(value)) for key, value in values.items() if key != "id"}
                values["id"] = other.pk
                values["type"] = conditional_escape(other.get_type_display())
                values["title"] = format_html("<span data-i18n-exempt>{}</span>", other.title)
                out.append(mark_safe(conditional_escape(sentence) % values))
            else:
                out.append(sentence % values)
    return out


def _agreement_after(a: Agreement) -> dict:
    data = field_values(a, AGREEMENT_FIELDS)
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
        data={"type": agreement.type, "partner": partner.name_ja},
        changes={"after": _agreement_after(agreement), "warnings": warnings},
    )
    duties.sync_obligations(organization)
    return agreement, warnings


@transaction.atomic
def update_agreement(actor, organization, agreement_id, **fields) -> tuple[Agreement, list[str]]:
    require(actor, organization, "disclosure", "change")
    agreement = get_scoped(Agreement, actor, organization, agreement_id, "change")
    merged = {**field_values(agreement, AGREEMENT_FIELDS), **fields}
    check_dates(merged)
    before = field_values(agreement, fields)
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
        data={"type": agreement.type, "partner": agreement.partner.name_ja},
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
                data={"name": filename},
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
            changes={"after": {"sha256": agreement.file_sha256}, "data": {"name": agreement.file_name}},
        )
    )
    return agreement, data
