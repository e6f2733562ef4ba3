"""The contribution ledger of a deal: who put in what (hours, materials, equipment, know-how,
failed runs), evidence files sealed like register versions, the agreed weights and the shares
they give (``shares.py`` computes them).

Like ``services.py``: every function takes the acting user first, checks the matrix row
``deals`` (``core.access``), writes inside ``transaction.atomic`` and audits in the same
transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from chizai.core import audit
from chizai.core.access import NotFound, require
from chizai.core.services import ChizaiError
from chizai.core.validation import field_values, save_or_refuse
from chizai.deals import shares as shares_mod
from chizai.deals.models import ContributionEntry, Deal
from chizai.register import sealed
from chizai.register import services as register_services
from chizai.register.models import Asset

ENTRY_FIELDS = (
    "party",
    "kind",
    "made_on",
    "description",
    "value",
    "valuation_basis",
    "failed_run",
    "evidence_note",
    "evidence_asset_id",
)
EVIDENCE_FIELDS = ("evidence_name", "evidence_size", "evidence_sha256")


def add_contribution(
    actor,
    deal: Deal,
    *,
    party: str,
    kind: str,
    made_on: date,
    description: str,
    value,
    valuation_basis: str = "",
    failed_run: bool = False,
    evidence_asset: Asset | None = None,
    evidence_file=None,
    evidence_note: str = "",
) -> ContributionEntry:
    """Record a contribution. An evidence file (an upload or any file object with a name) is
    sealed with the register's upload limit after the entry passed its checks and before
    anything is written; if writing fails, the stored object is removed again."""
    require(actor, deal.organization, "deals", "change")
    if (
        evidence_asset is not None
        and not Asset.objects.restrict(actor, "view")
        .filter(organization=deal.organization, pk=evidence_asset.pk)
        .exists()
    ):
        raise NotFound()
    entry = ContributionEntry(
        organization=deal.organization,
        deal=deal,
        party=party,
        kind=kind,
        made_on=made_on,
        description=description,
        value=_decimal(value, "value"),
        valuation_basis=valuation_basis,
        failed_run=failed_run,
        evidence_asset=evidence_asset,
        evidence_note=evidence_note,
        created_by=actor,
    )
    if entry.value < 0:
        raise ChizaiError(_("A contribution cannot have a negative value."))
    if evidence_file is not None:
        _seal_evidence(entry, evidence_file)
    try:
        with transaction.atomic():
            save_or_refuse(entry)
            audit.record(
                actor,
                deal.organization,
                "deals.contribution.create",
                obj=entry,
                summary=f"contribution recorded: {party} {kind} {entry.value}",
                data={"party": party, "kind": kind, "value": entry.value},
                changes={"after": {**field_values(entry, ENTRY_FIELDS), **field_values(entry, EVIDENCE_FIELDS)}},
            )
    except BaseException:
        if entry.evidence_storage_name:
            sealed.discard(entry.evidence_storage_name)
        raise
    return entry


def _seal_evidence(entry: ContributionEntry, upload) -> None:
    name = sealed.clean_name(getattr(upload, "name", ""))
    stored, result = sealed.store(
        upload, f"deals/{entry.organization_id}/evidence", entry.organization, max_size=sealed.max_upload_bytes()
    )
    entry.evidence_name, entry.evidence_storage_name = name, stored
    entry.evidence_content_type = register_services.sniff_content_type(name, result.head)
    entry.evidence_size, entry.evidence_sha256 = result.size, result.sha256
    entry.evidence_key_id, entry.evidence_wrapped_key = result.key_id, result.wrapped_key


def downloadable_evidence(user, entries) -> set[int]:
    """Ids of the entries whose evidence file ``user`` may download: an entry linked to an
    asset follows the register's layered access to that asset's files (re-checked on every
    download, so a later reclassification applies at once); others follow the deal."""
    entries = [e for e in entries if e.evidence_storage_name]
    linked = {e.evidence_asset_id for e in entries if e.evidence_asset_id}
    allowed = (
        set(Asset.objects.restrict(user, "download").filter(pk__in=linked).values_list("pk", flat=True))
        if linked
        else set()
    )
    return {e.pk for e in entries if e.evidence_asset_id is None or e.evidence_asset_id in allowed}


def download_evidence(actor, entry: ContributionEntry):
    """The evidence file's verified plaintext blocks; every download is audited. Anyone the
    register would not let download the linked asset's files gets 404, as if there were no file."""
    require(actor, entry.organization, "deals", "view")
    if entry.pk not in downloadable_evidence(actor, [entry]):
        raise Http404("No such file.")
    return sealed.download(
        actor,
        entry.organization,
        entry,
        storage_name=entry.evidence_storage_name,
        wrapped_key=entry.evidence_wrapped_key,
        key_id=entry.evidence_key_id,
        sha256=entry.evidence_sha256,
        action="deals.evidence.download",
        summary=f"evidence {entry.evidence_name} downloaded",
        changes={
            "after": {"deal": entry.deal_id, "asset": entry.evidence_asset_id, "sha256": entry.evidence_sha256},
            "data": {"name": entry.evidence_name},
        },
    )


@transaction.atomic
def delete_contribution(actor, entry: ContributionEntry) -> None:
    require(actor, entry.organization, "deals", "change")
    before = {**field_values(entry, ENTRY_FIELDS), **field_values(entry, EVIDENCE_FIELDS)}
    audit.record(
        actor,
        entry.organization,
        "deals.contribution.delete",
        obj=entry,
        summary=f"contribution removed: {entry.description}",
        data={"text": entry.description},
        changes={"before": before},
    )
    sealed.delete_on_commit(entry.evidence_storage_name)
    entry.delete()


def _decimal(value, field: str) -> Decimal:
    try:
        return Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ChizaiError(_("%(field)s is not a number.") % {"field": field}) from exc


@transaction.atomic
def set_weights(actor, deal: Deal, weights: dict, *, agreed: bool = False) -> Deal:
    require(actor, deal.organization, "deals", "change")
    clean = {}
    for kind in ContributionEntry.Kind.values:
        value = _decimal(weights.get(kind, shares_mod.DEFAULT_WEIGHTS[kind]), kind)
        if value < 0:
            raise ChizaiError(_("Weights cannot be negative."))
        clean[kind] = str(value)
    before = {"weights": deal.contribution_weights, "agreed": deal.weights_agreed}
    deal.contribution_weights, deal.weights_agreed = clean, agreed
    deal.save(update_fields=["contribution_weights", "weights_agreed", "updated_at"])
    audit.record(
        actor,
        deal.organization,
        "deals.weights.update",
        obj=deal,
        summary=f"contribution weights set for {deal.title}",
        data={"deal": deal.title},
        changes={"before": before, "after": {"weights": clean, "agreed": agreed}},
    )
    return deal


def weights_of(deal: Deal) -> dict[str, Decimal]:
    stored = deal.contribution_weights or {}
    return {kind: Decimal(str(stored.get(kind, default))) for kind, default in shares_mod.DEFAULT_WEIGHTS.items()}


def deal_shares(deal: Deal) -> shares_mod.Shares:
    entries = [shares_mod.Entry(e.party, e.kind, e.value) for e in deal.contributions.all()]
    return shares_mod.contribution_shares(entries, weights_of(deal))
