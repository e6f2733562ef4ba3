"""Register API under /api/orgs/{slug}/assets: thin on services, reads only through restrict()."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from ninja import File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from chizai.core.api import org_or_404
from chizai.core.services import ChizaiError
from chizai.core.validation import Input, InUse
from chizai.register.lowering import LoweringNotConfirmed, require_confirmed_lowering
from chizai.register import clips, ranges, risk, sealed, services
from chizai.register.models import Asset, AssetClip, ClipChapter, FileVersion

router = Router(tags=["register"])


class HolderOut(Schema):
    id: int
    name: str
    leaves_on: date | None = None


class AssetOut(Schema):
    id: int
    title_ja: str
    title_en: str
    kind: str
    failed_result: bool
    origin: str
    partner_name: str
    classification: str
    protection_strategy: str
    business_value: str
    documented: bool
    ts_marked: bool
    ts_access_restricted: bool
    ts_listed: bool
    ts_useful: bool
    ts_not_public: bool
    tags: list[str]
    next_review: date | None = None
    right_number: str
    right_filed_on: date | None = None
    right_registered_on: date | None = None
    right_expires_on: date | None = None
    holders: list[HolderOut]
    risk_level: str
    risk_score: int
    readiness: str
    readiness_missing: list[str]
    updated_at: datetime

    @staticmethod
    def resolve_holders(obj):
        return list(obj.holders.all())

    @staticmethod
    def resolve_risk_level(obj):
        return risk.succession_risk(obj).level

    @staticmethod
    def resolve_risk_score(obj):
        return risk.succession_risk(obj).score

    @staticmethod
    def resolve_readiness(obj):
        return risk.trade_secret_readiness(obj).status

    @staticmethod
    def resolve_readiness_missing(obj):
        return risk.trade_secret_readiness(obj).missing


class AssetIn(Input):
    model = Asset
    limits = {"tags": "register.Asset.tags_text"}

    title_ja: str
    title_en: str = ""
    kind: Asset.Kind = Asset.Kind.KNOW_HOW
    failed_result: bool = False
    description: str = ""
    origin: Asset.Origin = Asset.Origin.BACKGROUND
    partner_name: str = ""
    classification: Asset.Classification = Asset.Classification.INTERNAL
    protection_strategy: Asset.Strategy = Asset.Strategy.UNDECIDED
    protection_reason: str = ""
    ts_marked: bool = False
    ts_access_restricted: bool = False
    ts_listed: bool = False
    ts_useful: bool = False
    ts_not_public: bool = False
    business_value: Asset.Value = Asset.Value.MEDIUM
    documented: bool = False
    tags: list[str] = []
    next_review: date | None = None
    right_number: str = ""
    right_filed_on: date | None = None
    right_registered_on: date | None = None
    right_expires_on: date | None = None


class AssetPatch(Input):
    model = Asset
    limits = {"tags": "register.Asset.tags_text"}

    title_ja: str | None = None
    title_en: str | None = None
    kind: Asset.Kind | None = None
    failed_result: bool | None = None
    description: str | None = None
    origin: Asset.Origin | None = None
    partner_name: str | None = None
    classification: Asset.Classification | None = None
    protection_strategy: Asset.Strategy | None = None
    protection_reason: str | None = None
    business_value: Asset.Value | None = None
    documented: bool | None = None
    tags: list[str] | None = None
    next_review: date | None = None
    # a lower classification than the asset has is refused (409) unless this is true
    confirm_lowering: bool = False


class TextOut(Schema):
    id: int
    description: str
    protection_reason: str


class VersionOut(Schema):
    id: int
    file_id: int
    file: str
    number: int
    size: int
    sha256: str
    content_type: str
    stamp: str
    tsa_time: datetime | None = None
    created_at: datetime

    @staticmethod
    def resolve_file(obj):
        return obj.file.name


class HitOut(Schema):
    asset_id: int
    title: str
    snippet: str
    score: float
    file: str | None = None


class ReclassifyIn(Input):
    asset_ids: list[int]
    classification: Asset.Classification
    # lowering any of the assets is refused (409) unless this is true
    confirm_lowering: bool = False


class CountOut(Schema):
    count: int


def _guard(call):
    """Service refusals become 400 with the message; permission refusals (core.access) are
    rendered by the API's one handler: 403, or 404 when the object must not be revealed."""
    try:
        return call()
    except ValidationError as exc:
        raise HttpError(400, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
    except (InUse, LoweringNotConfirmed) as exc:
        raise HttpError(409, str(exc)) from None
    except ChizaiError as exc:
        raise HttpError(400, str(exc)) from None


@router.get("/orgs/{slug}/assets", response=list[AssetOut])
@paginate(LimitOffsetPagination)
def list_assets(
    request,
    slug: str,
    kind: str = "",
    classification: str = "",
    origin: str = "",
    tag: str = "",
    holder: str = "",
    risk_level: str = "",
    review_due: bool = False,
    q: str = "",
):
    org = org_or_404(request, slug, "register", "view")
    return services.filter_assets(
        request.user,
        org,
        q=q,
        kind=kind,
        classification=classification,
        origin=origin,
        tag=tag,
        holder=holder,
        review_due=review_due,
        risk=risk_level,
    )


@router.post("/orgs/{slug}/assets", response={201: AssetOut})
def create_asset(request, slug: str, payload: AssetIn):
    org = org_or_404(request, slug, "register", "add")
    return Status(201, _guard(lambda: services.create_asset(request.user, org, **payload.dict())))


@router.get("/orgs/{slug}/assets/search", response=list[HitOut])
def search_assets(request, slug: str, q: str, limit: int = 20):
    org = org_or_404(request, slug, "register", "view")
    return [hit.__dict__ for hit in services.search_assets(request.user, org, q, limit=max(1, min(limit, 100)))]


@router.post("/orgs/{slug}/assets/reclassify", response=CountOut)
def reclassify(request, slug: str, payload: ReclassifyIn):
    org = org_or_404(request, slug, "register", "reclassify")
    return {
        "count": _guard(
            lambda: services.reclassify(
                request.user,
                org,
                payload.asset_ids,
                payload.classification,
                confirmed_lowering=payload.confirm_lowering,
            )
        )
    }


@router.get("/orgs/{slug}/assets/{asset_id}", response=AssetOut)
def get_asset(request, slug: str, asset_id: int):
    org = org_or_404(request, slug, "register", "view")
    return services.get_asset(request.user, org, asset_id, "view")


@router.get("/orgs/{slug}/assets/{asset_id}/text", response=TextOut)
def get_text(request, slug: str, asset_id: int):
    org = org_or_404(request, slug, "register", "view")
    asset = services.get_asset(request.user, org, asset_id, "text")
    services.record_read(request.user, org, asset)
    return asset


@router.patch("/orgs/{slug}/assets/{asset_id}", response=AssetOut)
def update_asset(request, slug: str, asset_id: int, payload: AssetPatch):
    org = org_or_404(request, slug, "register", "change")
    fields = payload.dict(exclude_unset=True)
    confirmed = bool(fields.pop("confirm_lowering", False))

    def change():
        if fields.get("classification"):
            require_confirmed_lowering(request.user, org, {asset_id: fields["classification"]}, confirmed)
        return services.update_asset(request.user, org, asset_id, confirmed_lowering=confirmed, **fields)

    return _guard(change)


@router.delete("/orgs/{slug}/assets/{asset_id}", response={204: None, 409: dict})
def delete_asset(request, slug: str, asset_id: int):
    org = org_or_404(request, slug, "register", "delete")
    _guard(lambda: services.delete_asset(request.user, org, asset_id))
    return Status(204, None)


@router.get("/orgs/{slug}/assets/{asset_id}/versions", response=list[VersionOut])
def list_versions(request, slug: str, asset_id: int):
    org = org_or_404(request, slug, "register", "view")
    asset = services.get_asset(request.user, org, asset_id, "view")
    return FileVersion.objects.restrict(request.user, "view").filter(file__asset=asset).select_related("file")


@router.post("/orgs/{slug}/assets/{asset_id}/files", response={201: VersionOut})
def upload(request, slug: str, asset_id: int, file: UploadedFile = File(...), file_id: int | None = None):
    org = org_or_404(request, slug, "register", "change")
    return Status(
        201,
        _guard(
            lambda: services.upload_version(request.user, org, asset_id, file, name=file.name or "", file_id=file_id)
        ),
    )


@router.get("/orgs/{slug}/assets/versions/{version_id}/download", response={200: None, 409: dict})
def download(request, slug: str, version_id: int):
    org = org_or_404(request, slug, "register", "download")
    try:
        version, stream = services.download(request.user, org, version_id)
    except ChizaiError as exc:
        return Status(409, {"detail": str(exc)})
    response = sealed.attachment(
        stream, name=version.original_name, content_type=version.content_type, size=version.size
    )
    response["X-Chizai-SHA256"] = version.sha256
    return response


# --- clips -----------------------------------------------------------------------------


class ChapterOut(Schema):
    id: int
    at_ms: int
    title: str
    note: str


class ClipOut(Schema):
    id: int
    asset_id: int
    title: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    chapters: list[ChapterOut]

    @staticmethod
    def resolve_chapters(obj):
        return list(obj.chapters.all())


class ChapterIn(Input):
    model = ClipChapter
    limits = {"at": "register.AssetClip.title"}

    at: str
    title: str
    note: str = ""


@router.get("/orgs/{slug}/assets/{asset_id}/clips", response=list[ClipOut])
def list_clips(request, slug: str, asset_id: int):
    org = org_or_404(request, slug, "register", "download")
    asset = services.get_asset(request.user, org, asset_id, "download")
    return AssetClip.objects.restrict(request.user, "download").filter(asset=asset).prefetch_related("chapters")


@router.post("/orgs/{slug}/assets/{asset_id}/clips", response={201: ClipOut})
def upload_clip(request, slug: str, asset_id: int, name: str, title: str = ""):
    """The clip is the raw request body (any content type but a form), sealed as it is read."""
    org = org_or_404(request, slug, "register", "change")
    declared = request.META.get("CONTENT_LENGTH")
    return Status(
        201,
        _guard(
            lambda: clips.upload_clip(
                request.user,
                org,
                asset_id,
                request,
                name=name,
                title=title,
                declared_size=int(declared) if declared and declared.isdigit() else None,
            )
        ),
    )


@router.get("/orgs/{slug}/assets/clips/{clip_id}/stream", response={200: None, 206: None, 409: dict, 416: None})
def stream_clip(request, slug: str, clip_id: int):
    """The clip, whole or one Range (206, 416 when unsatisfiable); every answer from byte 0 is audited."""
    org = org_or_404(request, slug, "register", "download")
    clip = clips.get_clip(request.user, org, clip_id, "download")
    try:
        response = ranges.respond(
            request,
            size=clip.size,
            etag=f'"{clip.sha256}"',
            content_type=clip.content_type,
            name=clip.original_name,
            read=lambda start, end: clips.read_range(clip, start, end),
        )
    except ChizaiError as exc:
        return Status(409, {"detail": str(exc)})
    if response.status_code == 200 or response.get("Content-Range", "").startswith("bytes 0-"):
        clips.record_play(request.user, org, clip)
    return response


@router.post("/orgs/{slug}/assets/clips/{clip_id}/chapters", response={201: ChapterOut})
def add_chapter(request, slug: str, clip_id: int, payload: ChapterIn):
    org = org_or_404(request, slug, "register", "change")
    return Status(
        201,
        _guard(
            lambda: clips.add_chapter(request.user, org, clip_id, at=payload.at, title=payload.title, note=payload.note)
        ),
    )


@router.delete("/orgs/{slug}/assets/clips/{clip_id}", response={204: None})
def delete_clip(request, slug: str, clip_id: int):
    org = org_or_404(request, slug, "register", "change")
    _guard(lambda: clips.delete_clip(request.user, org, clip_id))
    return Status(204, None)
