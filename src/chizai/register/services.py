"""Register operations: assets, holders, grants, files, evidence, search indexing.

Every function takes the acting user first and reaches assets only through
``Asset.objects.restrict`` (so the role × classification table of ``register.access``
applies to the web, the API and the CLI alike), writes inside ``transaction.atomic`` and
records the change, with before/after, in the audit chain of the same transaction.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import date

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chizai.core import audit, jobs
from chizai.core.access import require, role_in
from chizai.core.models import Job, Organization
from chizai.core.services import ChizaiError
from chizai.core.validation import delete_or_refuse
from chizai.register import access, atrest, crypto, evidence, extract, keys, listing, sealed, search
from chizai.register.models import Asset, AssetFile, AssetGrant, FileVersion, Holder, SearchChunk, clip_storage_names
from chizai.register.lowering import LoweringNotConfirmed, lowerings
from chizai.register.risk import HORIZON as SUCCESSION_HORIZON

logger = logging.getLogger(__name__)

EDITABLE = [
    "title_ja",
    "title_en",
    "kind",
    "failed_result",
    "description",
    "origin",
    "partner_name",
    "classification",
    "protection_strategy",
    "protection_reason",
    "ts_marked",
    "ts_access_restricted",
    "ts_listed",
    "ts_useful",
    "ts_not_public",
    "business_value",
    "documented",
    "tags_text",
    "next_review",
    "right_number",
    "right_filed_on",
    "right_registered_on",
    "right_expires_on",
]


def get_asset(user, organization, asset_id, action: str = "view") -> Asset:
    """The asset if ``user`` may do ``action`` on it, else 404 (never 403: existence must not leak)."""
    asset = Asset.objects.restrict(user, action).filter(organization=organization, pk=asset_id).first()
    if asset is None:
        raise Http404("No such asset.")
    return asset


def normalise_tags(value) -> str:
    if isinstance(value, str):
        value = value.replace("、", ",").split(",")
    tags = [t.strip() for t in value or [] if t and t.strip()]
    return "," + ",".join(dict.fromkeys(tags)) + "," if tags else ""


def snapshot(asset: Asset) -> dict:
    return {name: getattr(asset, name) for name in EDITABLE}


def validate_asset(asset: Asset) -> None:
    """The register's rules for an asset's fields (also run on each row of an Excel import)."""
    if asset.origin == Asset.Origin.JOINT and not asset.partner_name.strip():
        raise ValidationError({"partner_name": _("Name the partner of the joint development.")})
    if asset.failed_result and asset.kind != Asset.Kind.TEST_DATA:
        raise ValidationError({"failed_result": _("Only test data can be marked as a failed / negative result.")})
    asset.full_clean(exclude=["organization", "created_by"])


def _may_classify(user, organization, classification: str) -> None:
    """Nobody may file an asset at a level they could not then edit (it would vanish from them)."""
    role = role_in(user, organization)
    if "edit" not in access.capabilities(role, classification, named=classification == "secret"):
        raise ChizaiError(_("You may not classify an asset as %(level)s.") % {"level": classification})


@transaction.atomic
def create_asset(actor, organization, **fields) -> Asset:
    require(actor, organization, "register", "add")
    if "tags" in fields:
        fields["tags_text"] = normalise_tags(fields.pop("tags"))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"unknown asset fields: {sorted(unknown)}")
    asset = Asset(organization=organization, created_by=actor, **fields)
    _may_classify(actor, organization, asset.classification)
    validate_asset(asset)
    asset.save()
    if asset.classification == "secret":
        # The creator stays able to reach what they filed as 極秘.
        AssetGrant.objects.get_or_create(organization=organization, asset=asset, user=actor)
    audit.record(
        actor,
        organization,
        "register.asset.create",
        obj=asset,
        summary=f"asset {asset.title_ja} created",
        data={"title": asset.title_ja},
        changes={"after": snapshot(asset)},
    )
    schedule_index(actor, asset)
    return asset


@transaction.atomic
def update_asset(actor, organization, asset_id, *, confirmed_lowering: bool = False, **fields) -> Asset:
    return change_asset(actor, organization, asset_id, confirmed_lowering=confirmed_lowering, **fields)[0]


def change_asset(actor, organization, asset_id, *, confirmed_lowering: bool = False, **fields) -> tuple[Asset, bool]:
    """Set the given fields; (asset, whether anything changed). Saving values the asset
    already has writes nothing: no audit event, no re-index (an unchanged Excel re-import).
    A lower classification is marked in the event (``changes["lowered"]``), with whether the
    person confirmed it on the edit form."""
    asset = get_asset(actor, organization, asset_id, "change")
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if "tags" in fields:
        fields["tags_text"] = normalise_tags(fields.pop("tags"))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"unknown asset fields: {sorted(unknown)}")
    before = snapshot(asset)
    for name, value in fields.items():
        setattr(asset, name, value)
    validate_asset(asset)  # also brings typed-in values to the field's type (dates, numbers) before comparing
    if snapshot(asset) == before:
        return asset, False
    if asset.classification != before["classification"]:
        _require_reclassify(actor, organization, asset.classification)
        _keep_named(actor, organization, asset)
    asset.save()
    after = snapshot(asset)
    changed = {k for k in after if after[k] != before[k]}
    changes = {"before": {k: before[k] for k in changed}, "after": {k: after[k] for k in changed}}
    summary = f"asset {asset.title_ja} changed"
    if "classification" in changed:
        levels = access.CLASSIFICATIONS
        if levels.index(asset.classification) < levels.index(before["classification"]):
            changes["lowered"] = {"confirmed": confirmed_lowering}
            summary += f" (classification lowered {before['classification']} → {asset.classification})"
        summary += _open_disclosures_note(asset, changes)
    audit.record(
        actor,
        organization,
        "register.asset.update",
        obj=asset,
        summary=summary,
        data={"title": asset.title_ja},
        changes=changes,
    )
    schedule_index(actor, asset)
    return asset, True


def _require_reclassify(actor, organization, classification: str) -> None:
    require(actor, organization, "register", "reclassify")
    _may_classify(actor, organization, classification)


def _keep_named(actor, organization, asset: Asset) -> None:
    """Whoever makes an asset 極秘 stays named on it, or it would vanish from them."""
    if asset.classification == "secret":
        AssetGrant.objects.get_or_create(organization=organization, asset=asset, user=actor)


def _open_disclosures_note(asset: Asset, changes: dict) -> str:
    """Name the asset's pending or refused disclosures in its reclassification event: lowering
    a class is how a refused hand-over could be pushed through (the gate keeps the class
    recorded at request time; the audit chain keeps the link)."""
    item_model = apps.get_model("disclosure", "DisclosureItem")
    rows = (
        item_model.objects.filter(asset=asset, disclosure__status__in=("pending", "refused"))
        .values_list("disclosure_id", "disclosure__status")
        .distinct()
        .order_by("disclosure_id")
    )
    open_ones = [{"disclosure": pk, "reference": f"D-{pk:05d}", "status": status} for pk, status in rows]
    if not open_ones:
        return ""
    changes["open_disclosures"] = open_ones
    return " (open disclosures: " + ", ".join(f"{d['reference']} {d['status']}" for d in open_ones) + ")"


@transaction.atomic
def reclassify(
    actor, organization, asset_ids: list[int], classification: str, *, confirmed_lowering: bool = False
) -> int:
    """Bulk reclassification; all or nothing, one audit event per asset. Lowering any asset
    needs ``confirmed_lowering`` (LoweringNotConfirmed otherwise), and its event says so."""
    if classification not in access.CLASSIFICATIONS:
        raise ChizaiError(_("Unknown classification."))
    _require_reclassify(actor, organization, classification)
    assets = list(
        Asset.objects.restrict(actor, "reclassify")
        .filter(organization=organization, pk__in=asset_ids)
        .select_for_update()
    )
    if len(assets) != len(set(asset_ids)):
        raise Http404("No such asset.")
    lowered_rows = lowerings(assets, {a.pk: classification for a in assets})
    if lowered_rows and not confirmed_lowering:
        raise LoweringNotConfirmed(lowered_rows)
    lowered = {a.pk for a, _before, _after in lowered_rows}
    for asset in assets:
        before = asset.classification
        if before == classification:
            continue
        asset.classification = classification
        asset.save(update_fields=["classification", "updated_at"])
        _keep_named(actor, organization, asset)
        changes = {"before": {"classification": before}, "after": {"classification": classification}}
        if asset.pk in lowered:
            changes["lowered"] = {"confirmed": True}
        summary = f"{asset.title_ja}: {before} → {classification}" + _open_disclosures_note(asset, changes)
        audit.record(
            actor,
            organization,
            "register.asset.reclassify",
            obj=asset,
            summary=summary,
            data={"title": asset.title_ja, "before": before, "after": classification},
            changes=changes,
        )
    return len(assets)


@transaction.atomic
def delete_asset(actor, organization, asset_id) -> None:
    require(actor, organization, "register", "delete")
    asset = get_asset(actor, organization, asset_id, "delete")
    names = list(FileVersion.objects.filter(file__asset=asset).values_list("storage_name", flat=True))
    names += [n for clip in asset.clips.all() for n in clip_storage_names(clip)]
    audit.record(
        actor,
        organization,
        "register.asset.delete",
        obj=asset,
        summary=f"asset {asset.title_ja} deleted",
        data={"title": asset.title_ja},
        changes={"before": snapshot(asset)},
    )
    delete_or_refuse(asset, asset.title_ja)
    sealed.delete_on_commit(*names)


@transaction.atomic
def add_holder(
    actor, organization, asset_id, *, name: str, user=None, leaves_on: date | None = None, note: str = ""
) -> Holder:
    asset = get_asset(actor, organization, asset_id, "change")
    if user is not None and role_in(user, organization) is None:
        raise ChizaiError(_("A holder with an account must belong to this organisation."))
    if not name.strip():
        raise ChizaiError(_("Name the holder."))
    holder = Holder.objects.create(
        organization=organization, asset=asset, user=user, name=name.strip(), leaves_on=leaves_on, note=note
    )
    audit.record(
        actor,
        organization,
        "register.holder.add",
        obj=holder,
        summary=f"{holder.name} holds {asset.title_ja}",
        data={"name": holder.name, "title": asset.title_ja},
        changes={
            "after": {
                "asset": asset.pk,
                "name": holder.name,
                "user": getattr(user, "username", None),
                "leaves_on": leaves_on,
            }
        },
    )
    return holder


@transaction.atomic
def remove_holder(actor, organization, holder_id) -> None:
    holder = Holder.objects.restrict(actor, "change").filter(organization=organization, pk=holder_id).first()
    if holder is None:
        raise Http404("No such holder.")
    audit.record(
        actor,
        organization,
        "register.holder.remove",
        obj=holder,
        summary=f"{holder.name} removed",
        data={"name": holder.name},
        changes={"before": {"asset": holder.asset_id, "name": holder.name, "leaves_on": holder.leaves_on}},
    )
    holder.delete()


@transaction.atomic
def grant(actor, organization, asset_id, user) -> AssetGrant:
    """Name ``user`` on an asset (what lets non-owners reach a 極秘 one)."""
    asset = get_asset(actor, organization, asset_id, "change")
    if role_in(user, organization) in (None, "adviser"):
        raise ChizaiError(_("Only members of this organisation can be named on an asset."))
    obj, _created = AssetGrant.objects.get_or_create(organization=organization, asset=asset, user=user)
    audit.record(
        actor,
        organization,
        "register.grant.add",
        obj=obj,
        summary=f"{user.get_username()} named on {asset.title_ja}",
        data={"user": user.get_username(), "title": asset.title_ja},
        changes={"after": {"asset": asset.pk, "user": user.get_username()}},
    )
    return obj


def record_read(actor, organization, asset: Asset) -> None:
    """Audit a read of a confidential or secret asset's content."""
    if asset.classification in access.AUDITED_READS:
        with transaction.atomic():
            audit.record(
                actor,
                organization,
                "register.asset.read",
                obj=asset,
                summary=f"{asset.classification} asset {asset.title_ja} read",
                data={"cls": asset.classification, "title": asset.title_ja},
            )


# --- files: encrypted, versioned, evidenced ---------------------------------------------

DANGEROUS_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "application/javascript", "text/javascript")


def sniff_content_type(name: str, head: bytes) -> str:
    """From the bytes first, the name second; what a browser could run is never claimed."""
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        lower = name.lower()
        if lower.endswith(".docx"):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if lower.endswith(".xlsx"):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "application/zip"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if name.lower().endswith((".txt", ".md", ".csv")):
        return "text/plain"
    return "application/octet-stream"


def upload_version(actor, organization, asset_id, source, *, name: str, file_id: int | None = None) -> FileVersion:
    """Encrypt and store one upload as a new version (``sealed.store``), then timestamp it.

    The database rows are written only once the sealed object is in the storage. If they
    are not committed, the stored object is deleted, so no partial version survives; once
    they are committed it is never deleted, even when something after the commit (the
    job's dispatch) fails, since a committed version without its file would be lost data.
    """
    asset = get_asset(actor, organization, asset_id, "change")
    name = sealed.clean_name(name)
    refusal = extract.unpack_refusal(source, name)
    if refusal:
        raise ChizaiError(
            refusal + " " + _("If it is genuine, put it in a .zip archive: that is stored, but not searched.")
        )
    stored_name, result = sealed.store(
        source, f"register/{organization.pk}", organization, max_size=sealed.max_upload_bytes()
    )
    committed: list[bool] = []
    try:
        token, stamp_error = None, None
        if evidence.tsa_url():
            try:
                token = evidence.request_token(result.sha256)
            except evidence.TimestampError as exc:
                stamp_error = exc
        if stamp_error is not None:
            raise ChizaiError(
                _("The time-stamping authority failed, so nothing was stored: %(error)s") % {"error": stamp_error}
            )
        with transaction.atomic():
            # Registered first, so it runs before any other commit hook (the job dispatch)
            # that could raise after the rows are already committed.
            transaction.on_commit(lambda: committed.append(True))
            version = _record_version(
                actor,
                organization,
                asset,
                name,
                file_id,
                stored_name,
                result,
                sniff_content_type(name, result.head),
                token,
            )
    except BaseException:
        if not committed and not _version_row_exists(stored_name):
            default_storage.delete(stored_name)
        raise
    return version


def _version_row_exists(stored_name: str) -> bool:
    """Whether a version row names ``stored_name``; True when that cannot be known.

    Asked only when no commit was seen: a failed COMMIT (a lost connection) may still
    have committed, and keeping an orphan object is the lesser harm than losing a file.
    """
    try:
        return FileVersion.objects.filter(storage_name=stored_name).exists()
    except Exception:  # noqa: BLE001 - whatever the database says, the answer is "unknown"
        logger.warning("could not tell whether %s was committed; the stored object is kept", stored_name, exc_info=True)
        return True


def _lock_evidence_chain(organization) -> None:
    """Serialise writers of one organisation's evidence chain until the transaction ends.

    The organisation row is the lock: it exists for every organisation (no chain-head row
    to create, and so no race creating it), and the lock is held only for the short
    transaction that appends one link. ``FOR NO KEY UPDATE`` conflicts with itself but not
    with the ``FOR KEY SHARE`` that every insert referencing the organisation takes, so
    other writes of the organisation (audit events, jobs, chunks) do not wait on uploads.
    SQLite ignores it and needs none: it admits one writer at a time (``IMMEDIATE``).
    """
    Organization.objects.select_for_update(no_key=True).filter(pk=organization.pk).values_list("pk", flat=True).first()


@transaction.atomic
def _record_version(actor, organization, asset, name, file_id, stored_name, sealed, content_type, token) -> FileVersion:
    Asset.objects.select_for_update().filter(pk=asset.pk).first()
    if file_id is not None:
        asset_file = AssetFile.objects.filter(asset=asset, pk=file_id).first()
        if asset_file is None:
            raise Http404("No such file.")
    else:
        asset_file = AssetFile.objects.create(organization=organization, asset=asset, name=name)
    number = (asset_file.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    # The evidence chain is per organisation: the last link is read only under its lock,
    # or two uploads to assets of one organisation would both extend the same link.
    _lock_evidence_chain(organization)
    last = FileVersion.objects.filter(organization=organization).order_by("-chain_seq").first()
    seq = (last.chain_seq if last else 0) + 1
    prev = last.chain_hash if last else evidence.GENESIS
    version = FileVersion.objects.create(
        organization=organization,
        file=asset_file,
        number=number,
        storage_name=stored_name,
        original_name=name,
        content_type=content_type,
        size=sealed.size,
        sha256=sealed.sha256,
        key_id=sealed.key_id,
        wrapped_key=sealed.wrapped_key,
        uploaded_by=actor,
        chain_seq=seq,
        chain_prev=prev,
        chain_hash=evidence.chain_link(prev, sealed.sha256, seq),
        stamp=FileVersion.Stamp.TIMESTAMPED if token else FileVersion.Stamp.UNTIMESTAMPED,
        tsa_url=evidence.tsa_url() if token else "",
        tsa_response=token.response if token else None,
        tsa_time=token.gen_time if token else None,
        tsa_serial=token.serial if token else "",
        tsa_chain_verified=bool(token and token.chain_verified),
    )
    audit.record(
        actor,
        organization,
        "register.version.upload",
        obj=version,
        summary=f"{name} v{number} uploaded to {asset.title_ja}",
        data={"name": name, "n": number, "title": asset.title_ja},
        changes={
            "after": {
                "asset": asset.pk,
                "file": asset_file.pk,
                "version": number,
                "size": sealed.size,
                "sha256": sealed.sha256,
                "stamp": version.stamp,
            }
        },
    )
    schedule_index(actor, asset)
    return version


def open_verified(version: FileVersion):
    """The decrypted blocks of a stored version, checked against its SHA-256 (no access check:
    callers have checked it; no audit event: use ``download`` for a user's download)."""
    return sealed.open_stream(
        version.storage_name, version.wrapped_key, version.key_id, version.sha256, version.organization_id
    )


def get_version(user, organization, version_id, action: str = "view") -> FileVersion:
    version = (
        FileVersion.objects.restrict(user, action)
        .filter(organization=organization, pk=version_id)
        .select_related("file__asset")
        .first()
    )
    if version is None:
        raise Http404("No such file version.")
    return version


def download(actor, organization, version_id):
    """(version, plaintext iterator) after checking access and integrity; every download is audited."""
    version = get_version(actor, organization, version_id, "download")
    stream = sealed.download(
        actor,
        organization,
        version,
        storage_name=version.storage_name,
        wrapped_key=version.wrapped_key,
        key_id=version.key_id,
        sha256=version.sha256,
        action="register.version.download",
        summary=f"{version.original_name} v{version.number} downloaded",
        changes={
            "after": {"asset": version.file.asset_id, "sha256": version.sha256},
            "data": {"name": version.original_name, "n": version.number},
        },
    )
    return version, stream


def plaintext_to_tempfile(version: FileVersion):
    """Decrypted content in a temporary file (for text extraction and evidence export)."""
    handle = tempfile.TemporaryFile(prefix="chizai-plain-")  # noqa: SIM115 - returned open; the caller closes it
    for block in open_verified(version):
        handle.write(block)
    handle.seek(0)
    return handle


def rewrap_keys(actor=None) -> keys.Rewrapped:
    """Re-wrap every organisation key under the current master key and move legacy data keys
    onto their organisation's key (``keys.rewrap_master``); files are not rewritten."""
    try:
        return keys.rewrap_master(actor)
    except crypto.KeyError_ as exc:
        raise ChizaiError(str(exc)) from None


def rotate_org_key(actor, organization):
    """A new key for ``organization``; its data keys are re-wrapped, files untouched (``keys.rotate_org_key``)."""
    try:
        return keys.rotate_org_key(actor, organization)
    except crypto.KeyError_ as exc:
        raise ChizaiError(str(exc)) from None


# --- search index ----------------------------------------------------------------------

INDEX_JOB = "register.index"


def schedule_index(actor, asset: Asset):
    """Have the asset's stale index brought up to date once the change commits.

    At most one index job per asset waits in the queue: a change made while one is queued
    joins it (the job indexes whatever is stale when it runs, ``index_asset``). One that is
    already running may have read the asset before this change, so a new one is queued.
    Callers hold the asset row lock (uploads, edits), so two of them cannot both find none.
    """
    waiting = (
        Job.objects.filter(kind=INDEX_JOB, status=Job.Status.QUEUED, params__asset_id=asset.pk).order_by("pk").first()
    )
    if waiting is not None:
        return waiting
    return jobs.enqueue(actor, asset.organization, INDEX_JOB, {"asset_id": asset.pk})


def _meta_text(asset: Asset) -> str:
    return " ".join(
        [
            asset.title_ja,
            asset.title_en,
            asset.get_kind_display(),
            asset.partner_name,
            " ".join(asset.tags),
            asset.right_number,
        ]
    )


def _field_chunks(text_keys, asset: Asset) -> list[SearchChunk]:
    rows = [search.chunk(text_keys, asset, "meta", _meta_text(asset))]
    body = "\n".join(filter(None, [asset.description, asset.protection_reason]))
    rows += [search.chunk(text_keys, asset, "text", piece) for piece in search.chunks(body)]
    return rows


def _file_chunks(text_keys, asset: Asset, version: FileVersion) -> tuple[list[SearchChunk], str]:
    try:
        with plaintext_to_tempfile(version) as handle:
            text, note = extract.extract(version.original_name, handle)
    except ChizaiError as exc:
        text, note = "", str(exc)[:300]
    return [search.chunk(text_keys, asset, "text", piece, version) for piece in search.chunks(text)], note


def _newest_versions(asset: Asset, *, stale_only: bool) -> list[FileVersion]:
    newest: dict[int, FileVersion] = {}
    for version in FileVersion.objects.filter(file__asset=asset).order_by("file_id", "-number"):
        newest.setdefault(version.file_id, version)
    return [v for v in newest.values() if not stale_only or v.indexed_at is None]


def index_asset(asset_id: int, *, full: bool = False) -> dict:
    """Bring one asset's search chunks up to date; ``full`` rebuilds them all (migrations).

    Otherwise only what is stale is done: the field chunks when the asset changed since they
    were built, and each file whose newest version is not yet indexed (its previous
    version's chunks are dropped). Text is extracted and sealed outside any transaction;
    the swap of old chunks for new happens in one short transaction under the asset's row
    lock, so a search sees the old chunks or the new ones, never neither.
    """
    # Wait for any upload or edit that holds the asset's lock to commit: it may have found
    # this job still queued and counted on it (``schedule_index``).
    with transaction.atomic():
        asset = Asset.objects.select_for_update().filter(pk=asset_id).first()
    if asset is None:
        return {"asset_id": asset_id, "chunks": 0, "note": "asset gone"}
    text_keys = atrest.for_organization(asset.organization_id)
    fields = _field_chunks(text_keys, asset) if full or asset.meta_indexed_for != asset.updated_at else None
    files = [
        (version, *_file_chunks(text_keys, asset, version)) for version in _newest_versions(asset, stale_only=not full)
    ]
    return _swap_chunks(asset, fields, files, full=full)


@transaction.atomic
def _swap_chunks(read: Asset, fields: list | None, files: list, *, full: bool) -> dict:
    asset = Asset.objects.select_for_update().filter(pk=read.pk).first()
    if asset is None:
        return {"asset_id": read.pk, "chunks": 0, "note": "asset gone"}
    rows, done = [], 0
    if full:
        SearchChunk.objects.filter(asset=asset).delete()
    # Built from a state that has changed since: the job the change queued builds them anew.
    if fields is not None and asset.updated_at == read.updated_at:
        if not full:
            SearchChunk.objects.filter(asset=asset, version__isnull=True).delete()
        rows += fields
        Asset.objects.filter(pk=asset.pk).update(meta_indexed_for=read.updated_at)
    newest = dict(
        FileVersion.objects.filter(file__asset=asset).order_by("file_id", "number").values_list("file_id", "pk")
    )
    now = timezone.now()
    for version, chunks, note in files:
        if newest.get(version.file_id) != version.pk:
            continue  # a newer version came meanwhile; its own job indexes it
        if not full:
            SearchChunk.objects.filter(asset=asset, version__file_id=version.file_id).delete()
        rows += chunks
        FileVersion.objects.filter(pk=version.pk).update(indexed_at=now, extracted_note=note)
        done += 1
    SearchChunk.objects.bulk_create(rows, batch_size=500)
    return {"asset_id": asset.pk, "chunks": len(rows), "files": done, "fields": fields is not None, "full": full}


def queue_full_reindex(organization=None) -> int:
    """Queue a rebuild of every asset's search chunks (all organisations, or one).

    For operators: after a restore from files only, a changed extractor or a suspected
    index fault. Each asset gets one ``full`` job; an asset whose rebuild is already
    queued is not queued twice. Returns the number of jobs queued.
    """
    assets = Asset.objects.all() if organization is None else Asset.objects.filter(organization=organization)
    waiting = set(
        Job.objects.filter(kind=INDEX_JOB, status=Job.Status.QUEUED, params__full=True).values_list(
            "params__asset_id", flat=True
        )
    )
    queued = 0
    with transaction.atomic():
        for asset in assets.select_related("organization").order_by("pk").iterator():
            if asset.pk in waiting:
                continue
            jobs.enqueue(None, asset.organization, INDEX_JOB, {"asset_id": asset.pk, "full": True})
            queued += 1
    return queued


def index_handler(job) -> dict:
    with extract.reporting_to(job):  # a scan is read by OCR: progress and lease page by page
        return index_asset(int(job.params["asset_id"]), full=bool(job.params.get("full")))


def search_assets(user, organization, query: str, limit: int = 20) -> list[search.Hit]:
    require(user, organization, "register", "view")
    return search.search(user, organization, query, limit=limit)


# --- listing ---------------------------------------------------------------------------


def filter_assets(
    user,
    organization,
    *,
    q: str = "",
    kind: str = "",
    classification: str = "",
    origin: str = "",
    holder: str = "",
    tag: str = "",
    review_due: bool = False,
    risk: str = "",
    today: date | None = None,
    sort: str = "",
):
    """The assets ``user`` may see, filtered and sorted (``listing.SORTS`` keys only); risk is
    computed, so it filters in Python last, keeping the order."""
    from django.db.models import Q

    from chizai.register import risk as risk_module

    today = today or date.today()
    assets = Asset.objects.restrict(user, "view").filter(organization=organization)
    if q:
        assets = assets.filter(Q(title_ja__icontains=q) | Q(title_en__icontains=q))
    if kind:
        assets = assets.filter(kind=kind)
    if classification:
        assets = assets.filter(classification=classification)
    if origin:
        assets = assets.filter(origin=origin)
    if holder:
        assets = assets.filter(
            pk__in=Holder.objects.filter(organization=organization, name__icontains=holder).values("asset_id")
        )
    if tag:
        assets = assets.filter(tags_text__icontains=f",{tag.strip()},")
    if review_due:
        assets = assets.filter(next_review__lte=today)
    assets = listing.apply_sort(assets, sort).prefetch_related("holders")
    if risk:
        return [a for a in assets if risk_module.succession_risk(a, today).level == risk]
    return assets


def succession_at_risk(organization, *, user=None, today: date | None = None):
    """Important entries (high business value, or 秘密 / 極秘) whose know-how a departure would
    take away: held by one person only, or by someone leaving within 12 months. A queryset;
    only what ``user`` may view when given. The one query behind the organisation home's item
    and the adviser portfolio's "Succession risks"."""
    today = today or timezone.localdate()
    assets = Asset.objects.restrict(user, "view") if user is not None else Asset.objects.all()
    important = assets.filter(organization=organization).filter(
        Q(business_value=Asset.Value.HIGH)
        | Q(classification__in=[Asset.Classification.CONFIDENTIAL, Asset.Classification.SECRET])
    )
    single = important.annotate(holder_count=Count("holders")).filter(holder_count=1).values("pk")
    leaving = Holder.objects.filter(organization=organization, leaves_on__lte=today + SUCCESSION_HORIZON).values(
        "asset_id"
    )
    return important.filter(Q(pk__in=single) | Q(pk__in=leaving))
