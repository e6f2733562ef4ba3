"""Register operations: assets, holders, grants, files, evidence, search indexing.

Every function takes the acting user first and reaches assets only through
``Asset.objects.restrict`` (so the role × classification table of ``register.access``
applies to the web, the API and the CLI alike), writes inside ``transaction.atomic`` and
records the change, with before/after, in the audit chain of the same transaction.
"""
from __future__ import annotations

import logging
import os
import tempfile
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from chizai.core import audit, jobs
from chizai.core.services import ChizaiError
from chizai.register import access, crypto, evidence, extract, keys, search
from chizai.register.models import Asset, AssetFile, AssetGrant, FileVersion, Holder, SearchChunk

logger = logging.getLogger(__name__)

EDITABLE = [
    "title_ja", "title_en", "kind", "failed_result", "description", "origin", "partner_name", "classification",
    "protection_strategy", "protection_reason", "ts_marked", "ts_access_restricted", "ts_listed", "ts_useful",
    "ts_not_public", "business_value", "documented", "tags_text", "next_review", "right_number", "right_filed_on",
    "right_registered_on", "right_expires_on",
]
DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024


def max_upload_bytes() -> int:
    from chizai.conf.env import env_int

    return getattr(settings, "CHIZAI_REGISTER_MAX_UPLOAD_BYTES", None) or env_int("CHIZAI_REGISTER_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD)


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


def _clean(asset: Asset) -> None:
    if asset.origin == Asset.Origin.JOINT and not asset.partner_name.strip():
        raise ValidationError({"partner_name": _("Name the partner of the joint development.")})
    if asset.failed_result and asset.kind != Asset.Kind.TEST_DATA:
        raise ValidationError({"failed_result": _("Only test data can be marked as a failed / negative result.")})
    asset.full_clean(exclude=["organization", "created_by"])


def _may_classify(user, organization, classification: str) -> None:
    """Nobody may file an asset at a level they could not then edit (it would vanish from them)."""
    from chizai.core.services import role_in

    role = role_in(user, organization)
    if "edit" not in access.capabilities(role, classification, named=classification == "secret"):
        raise ChizaiError(_("You may not classify an asset as %(level)s.") % {"level": classification})


@transaction.atomic
def create_asset(actor, organization, **fields) -> Asset:
    from chizai.core.services import _require

    _require(actor, organization, "add", app="register")
    if "tags" in fields:
        fields["tags_text"] = normalise_tags(fields.pop("tags"))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"unknown asset fields: {sorted(unknown)}")
    asset = Asset(organization=organization, created_by=actor, **fields)
    _may_classify(actor, organization, asset.classification)
    _clean(asset)
    asset.save()
    if asset.classification == "secret":
        # The creator stays able to reach what they filed as 極秘.
        AssetGrant.objects.get_or_create(organization=organization, asset=asset, user=actor)
    audit.record(actor, organization, "register.asset.create", obj=asset, summary=f"asset {asset.title_ja} created",
                 changes={"after": snapshot(asset)})
    schedule_index(actor, asset)
    return asset


@transaction.atomic
def update_asset(actor, organization, asset_id, **fields) -> Asset:
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
    if asset.classification != before["classification"]:
        _require_reclassify(actor, organization, asset.classification)
        _keep_named(actor, organization, asset)
    _clean(asset)
    asset.save()
    after = snapshot(asset)
    changed = {k for k in after if after[k] != before[k]}
    audit.record(actor, organization, "register.asset.update", obj=asset, summary=f"asset {asset.title_ja} changed",
                 changes={"before": {k: before[k] for k in changed}, "after": {k: after[k] for k in changed}})
    schedule_index(actor, asset)
    return asset


def _require_reclassify(actor, organization, classification: str) -> None:
    from chizai.core.services import _require

    _require(actor, organization, "reclassify", app="register")
    _may_classify(actor, organization, classification)


def _keep_named(actor, organization, asset: Asset) -> None:
    """Whoever makes an asset 極秘 stays named on it, or it would vanish from them."""
    if asset.classification == "secret":
        AssetGrant.objects.get_or_create(organization=organization, asset=asset, user=actor)


@transaction.atomic
def reclassify(actor, organization, asset_ids: list[int], classification: str) -> int:
    """Bulk reclassification; all or nothing, one audit event per asset."""
    if classification not in access.CLASSIFICATIONS:
        raise ChizaiError(_("Unknown classification."))
    _require_reclassify(actor, organization, classification)
    assets = list(Asset.objects.restrict(actor, "reclassify").filter(organization=organization, pk__in=asset_ids)
                  .select_for_update())
    if len(assets) != len(set(asset_ids)):
        raise Http404("No such asset.")
    for asset in assets:
        before = asset.classification
        if before == classification:
            continue
        asset.classification = classification
        asset.save(update_fields=["classification", "updated_at"])
        _keep_named(actor, organization, asset)
        audit.record(actor, organization, "register.asset.reclassify", obj=asset,
                     summary=f"{asset.title_ja}: {before} → {classification}",
                     changes={"before": {"classification": before}, "after": {"classification": classification}})
    return len(assets)


@transaction.atomic
def delete_asset(actor, organization, asset_id) -> None:
    from chizai.core.services import _require

    _require(actor, organization, "delete", app="register")
    asset = get_asset(actor, organization, asset_id, "delete")
    names = list(FileVersion.objects.filter(file__asset=asset).values_list("storage_name", flat=True))
    audit.record(actor, organization, "register.asset.delete", obj=asset, summary=f"asset {asset.title_ja} deleted",
                 changes={"before": snapshot(asset)})
    asset.delete()
    # Stored objects go only once the rows are gone for good.
    transaction.on_commit(lambda: [default_storage.delete(n) for n in names])


@transaction.atomic
def add_holder(actor, organization, asset_id, *, name: str, user=None, leaves_on: date | None = None, note: str = "") -> Holder:
    asset = get_asset(actor, organization, asset_id, "change")
    if user is not None:
        from chizai.core.querysets import roles_by_org

        if organization.pk not in roles_by_org(user):
            raise ChizaiError(_("A holder with an account must belong to this organisation."))
    if not name.strip():
        raise ChizaiError(_("Name the holder."))
    holder = Holder.objects.create(organization=organization, asset=asset, user=user, name=name.strip(),
                                   leaves_on=leaves_on, note=note)
    audit.record(actor, organization, "register.holder.add", obj=holder, summary=f"{holder.name} holds {asset.title_ja}",
                 changes={"after": {"asset": asset.pk, "name": holder.name, "user": getattr(user, "username", None),
                                    "leaves_on": leaves_on}})
    return holder


@transaction.atomic
def remove_holder(actor, organization, holder_id) -> None:
    holder = Holder.objects.restrict(actor, "change").filter(organization=organization, pk=holder_id).first()
    if holder is None:
        raise Http404("No such holder.")
    audit.record(actor, organization, "register.holder.remove", obj=holder, summary=f"{holder.name} removed",
                 changes={"before": {"asset": holder.asset_id, "name": holder.name, "leaves_on": holder.leaves_on}})
    holder.delete()


@transaction.atomic
def grant(actor, organization, asset_id, user) -> AssetGrant:
    """Name ``user`` on an asset (what lets non-owners reach a 極秘 one)."""
    from chizai.core.querysets import roles_by_org

    asset = get_asset(actor, organization, asset_id, "change")
    if roles_by_org(user).get(organization.pk) in (None, "adviser"):
        raise ChizaiError(_("Only members of this organisation can be named on an asset."))
    obj, _created = AssetGrant.objects.get_or_create(organization=organization, asset=asset, user=user)
    audit.record(actor, organization, "register.grant.add", obj=obj, summary=f"{user.get_username()} named on {asset.title_ja}",
                 changes={"after": {"asset": asset.pk, "user": user.get_username()}})
    return obj


def record_read(actor, organization, asset: Asset) -> None:
    """Audit a read of a confidential or secret asset's content."""
    if asset.classification in access.AUDITED_READS:
        with transaction.atomic():
            audit.record(actor, organization, "register.asset.read", obj=asset,
                         summary=f"{asset.classification} asset {asset.title_ja} read")


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


def _upload_source(source):
    """What ``encrypt_stream`` reads: the file object itself when it can ``readinto`` (an
    upload Django spooled to disk or memory, a file opened by the CLI), else its chunks."""
    if hasattr(source, "readinto"):
        return source
    return source.chunks(crypto.CHUNK) if hasattr(source, "chunks") else iter(lambda: source.read(crypto.CHUNK), b"")


class _SealedFile(File):
    """Lets FileSystemStorage move the finished ciphertext into place instead of copying it."""

    def __init__(self, handle, path: str, name: str):
        super().__init__(handle, name=name)
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


def upload_version(actor, organization, asset_id, source, *, name: str, file_id: int | None = None) -> FileVersion:
    """Encrypt and store one upload as a new version, then timestamp it.

    The ciphertext goes to a local temporary file first, then to the storage under a
    random name; the database rows are written only after that completed, and on any
    failure afterwards the stored object is deleted, so no partial version survives.
    """
    asset = get_asset(actor, organization, asset_id, "change")
    name = (name or "").strip().replace("/", "_").replace("\\", "_")[:255] or "file"
    limit = max_upload_bytes()
    sealed_file = tempfile.NamedTemporaryFile(prefix="chizai-upload-", suffix=".enc", delete=False,
                                              dir=getattr(settings, "FILE_UPLOAD_TEMP_DIR", None))
    try:
        with sealed_file:
            try:
                sealed = crypto.encrypt_stream(_upload_source(source), sealed_file, organization, max_size=limit)
            except ValueError:
                raise ChizaiError(_("The file is larger than the limit of %(mb)d MB.") % {"mb": limit // (1024 * 1024)}) from None
            except OSError as exc:
                raise ChizaiError(_("The upload was interrupted; nothing was stored. (%(error)s)") % {"error": exc}) from None
            except crypto.KeyError_ as exc:
                raise ChizaiError(str(exc)) from None
            if sealed.size == 0:
                raise ChizaiError(_("The file is empty; nothing was stored."))
            sealed_file.flush()
        storage_name = f"register/{organization.pk}/{crypto.random_name()}.enc"
        with open(sealed_file.name, "rb") as handle:
            stored_name = default_storage.save(storage_name, _SealedFile(handle, sealed_file.name, storage_name))
    finally:
        # Local storage moved the file into place; anywhere else it was copied and is removed here.
        if os.path.exists(sealed_file.name):
            os.remove(sealed_file.name)
    try:
        token, stamp_error = None, None
        if evidence.tsa_url():
            try:
                token = evidence.request_token(sealed.sha256)
            except evidence.TimestampError as exc:
                stamp_error = exc
        if stamp_error is not None:
            raise ChizaiError(_("The time-stamping authority failed, so nothing was stored: %(error)s") % {"error": stamp_error})
        version = _record_version(actor, organization, asset, name, file_id, stored_name, sealed,
                                  sniff_content_type(name, sealed.head), token)
    except BaseException:
        default_storage.delete(stored_name)
        raise
    return version


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
    # The evidence chain is per organisation; the audit chain's head lock already
    # serialises writers on PostgreSQL, and SQLite writes one at a time.
    last = FileVersion.objects.filter(organization=organization).order_by("-chain_seq").first()
    seq = (last.chain_seq if last else 0) + 1
    prev = last.chain_hash if last else evidence.GENESIS
    version = FileVersion.objects.create(
        organization=organization, file=asset_file, number=number, storage_name=stored_name, original_name=name,
        content_type=content_type, size=sealed.size, sha256=sealed.sha256, key_id=sealed.key_id,
        wrapped_key=sealed.wrapped_key, uploaded_by=actor, chain_seq=seq, chain_prev=prev,
        chain_hash=evidence.chain_link(prev, sealed.sha256, seq),
        stamp=FileVersion.Stamp.TIMESTAMPED if token else FileVersion.Stamp.UNTIMESTAMPED,
        tsa_url=evidence.tsa_url() if token else "", tsa_response=token.response if token else None,
        tsa_time=token.gen_time if token else None, tsa_serial=token.serial if token else "",
        tsa_chain_verified=bool(token and token.chain_verified),
    )
    audit.record(actor, organization, "register.version.upload", obj=version,
                 summary=f"{name} v{number} uploaded to {asset.title_ja}",
                 changes={"after": {"asset": asset.pk, "file": asset_file.pk, "version": number, "size": sealed.size,
                                    "sha256": sealed.sha256, "stamp": version.stamp}})
    schedule_index(actor, asset)
    return version


def _open_verified(version: FileVersion):
    """Check the whole ciphertext before anything is sent, so a tampered file is refused cleanly."""
    try:
        with default_storage.open(version.storage_name, "rb") as handle:
            sha256 = crypto.plaintext_sha256(handle, version.wrapped_key, version.key_id, version.organization_id)
    except crypto.KeyError_ as exc:
        raise ChizaiError(str(exc)) from None
    except crypto.IntegrityError_ as exc:
        raise ChizaiError(_("This file cannot be served: %(error)s") % {"error": exc}) from None
    except FileNotFoundError:
        raise ChizaiError(_("This file cannot be served: its stored content is missing.")) from None
    if sha256 != version.sha256:
        raise ChizaiError(_("This file cannot be served: its content does not match the recorded SHA-256."))

    def stream():
        with default_storage.open(version.storage_name, "rb") as handle:
            yield from crypto.decrypt_stream(handle, version.wrapped_key, version.key_id, version.organization_id)

    return stream()


def get_version(user, organization, version_id, action: str = "view") -> FileVersion:
    version = (FileVersion.objects.restrict(user, action).filter(organization=organization, pk=version_id)
               .select_related("file__asset").first())
    if version is None:
        raise Http404("No such file version.")
    return version


def download(actor, organization, version_id):
    """(version, plaintext iterator) after checking access and integrity; every download is audited."""
    version = get_version(actor, organization, version_id, "download")
    stream = _open_verified(version)
    with transaction.atomic():
        audit.record(actor, organization, "register.version.download", obj=version,
                     summary=f"{version.original_name} v{version.number} downloaded",
                     changes={"after": {"asset": version.file.asset_id, "sha256": version.sha256}})
    return version, stream


def plaintext_to_tempfile(version: FileVersion):
    """Decrypted content in a temporary file (for text extraction and evidence export)."""
    handle = tempfile.TemporaryFile(prefix="chizai-plain-")
    for block in _open_verified(version):
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

def schedule_index(actor, asset: Asset):
    """Re-index in the background once the change commits (a dedupe key per pending state)."""
    return jobs.enqueue(actor, asset.organization, "register.index", {"asset_id": asset.pk})


def _meta_text(asset: Asset) -> str:
    return " ".join([asset.title_ja, asset.title_en, asset.get_kind_display(), asset.partner_name,
                     " ".join(asset.tags), asset.right_number])


@transaction.atomic
def index_asset(asset_id: int) -> dict:
    """Rebuild one asset's chunks: fields, then the newest version of each file."""
    asset = Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        return {"asset_id": asset_id, "chunks": 0, "note": "asset gone"}
    SearchChunk.objects.filter(asset=asset).delete()
    rows = [SearchChunk(organization_id=asset.organization_id, asset=asset, level="meta", text=_meta_text(asset),
                        tokens=" ".join(search.tokens(_meta_text(asset))))]
    body = "\n".join(filter(None, [asset.description, asset.protection_reason]))
    for piece in search.chunks(body):
        rows.append(SearchChunk(organization_id=asset.organization_id, asset=asset, level="text", text=piece,
                                tokens=" ".join(search.tokens(piece))))
    for asset_file in asset.files.all():
        version = asset_file.versions.order_by("-number").first()
        if version is None:
            continue
        try:
            with plaintext_to_tempfile(version) as handle:
                text, note = extract.extract(version.original_name, handle)
        except ChizaiError as exc:
            text, note = "", str(exc)[:300]
        if note != version.extracted_note:
            FileVersion.objects.filter(pk=version.pk).update(extracted_note=note)
        for piece in search.chunks(text):
            rows.append(SearchChunk(organization_id=asset.organization_id, asset=asset, version=version, level="text",
                                    text=piece, tokens=" ".join(search.tokens(piece))))
    SearchChunk.objects.bulk_create(rows, batch_size=500)
    return {"asset_id": asset_id, "chunks": len(rows)}


def index_handler(job) -> dict:
    return index_asset(int(job.params["asset_id"]))


def search_assets(user, organization, query: str, limit: int = 20) -> list[search.Hit]:
    from chizai.core.services import _require

    _require(user, organization, "view", app="register")
    return search.search(user, organization, query, limit=limit)


# --- listing ---------------------------------------------------------------------------

def filter_assets(user, organization, *, q: str = "", kind: str = "", classification: str = "", origin: str = "",
                  holder: str = "", tag: str = "", review_due: bool = False, risk: str = "", today: date | None = None):
    """The assets ``user`` may see, filtered; risk is computed, so it filters in Python last."""
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
        assets = assets.filter(pk__in=Holder.objects.filter(organization=organization, name__icontains=holder).values("asset_id"))
    if tag:
        assets = assets.filter(tags_text__icontains=f",{tag.strip()},")
    if review_due:
        assets = assets.filter(next_review__lte=today)
    assets = assets.prefetch_related("holders")
    if risk:
        return [a for a in assets if risk_module.succession_risk(a, today).level == risk]
    return assets
