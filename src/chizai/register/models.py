"""The intellectual-capital register: assets, their holders, files and file versions.

Every model belongs to one organisation. ``Asset.objects.restrict(user, action)`` applies
the role × classification table of ``register.access``; the other models are read through
their asset (``for_assets``), so nothing reaches a user that their asset view would hide.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chizai.core import permissions
from chizai.core.models import Organization
from chizai.core.querysets import OrgScopedQuerySet, roles_by_org
from chizai.register import access


def visible_assets_condition(user, action: str = "view", *, asset_id: str = "pk") -> Q:
    """Which assets ``user`` may ``action``, as a condition on organization_id, classification
    and the asset's id (named ``asset_id``).

    ``AssetQuerySet.restrict`` applies it to assets; search applies the very same condition
    to index chunks, which carry their asset's organisation and classification, so a search
    needs no join to the asset table to stay inside the access rules.
    """
    capability = access.capability_for(action)
    # The role matrix still gates the register as a whole ("text" is a kind of view).
    matrix_action = "view" if action == "text" else action
    condition = Q(pk__in=[])
    for org_id, role in roles_by_org(user).items():
        if not permissions.allowed(role, "register", matrix_action):
            continue
        classes = access.classes_for(role, capability)
        if classes:
            condition |= Q(organization_id=org_id, classification__in=classes)
        if "secret" not in classes and access.named_secret_allows(role, capability):
            named = AssetGrant.objects.filter(user=user).values("asset_id")
            held = Holder.objects.filter(user=user).values("asset_id")
            condition |= Q(organization_id=org_id, classification="secret") & (
                Q(**{f"{asset_id}__in": named}) | Q(**{f"{asset_id}__in": held})
            )
    return condition


class AssetQuerySet(OrgScopedQuerySet):
    def restrict(self, user, action: str = "view"):
        return self.filter(visible_assets_condition(user, action))


class ViaAssetQuerySet(OrgScopedQuerySet):
    """Rows that belong to an asset are visible exactly when their asset is."""

    asset_path = "asset"

    def restrict(self, user, action: str = "view"):
        return self.filter(**{f"{self.asset_path}__in": Asset.objects.restrict(user, action).values("pk")})


class VersionQuerySet(ViaAssetQuerySet):
    asset_path = "file__asset"


class Asset(models.Model):
    class Kind(models.TextChoices):
        KNOW_HOW = "know_how", _("Know-how")
        PROCESS = "process_conditions", _("Processing conditions")
        DRAWING = "drawing", _("Drawing")
        CAD = "cad", _("CAD data")
        MOULD_DRAWING = "mould_drawing", _("Mould drawing")
        TEST_DATA = "test_data", _("Test data")
        QC = "qc_know_how", _("Quality-control know-how")
        SOP = "sop", _("Work standard")
        RECIPE = "recipe", _("Formulation / recipe")
        SOFTWARE = "software", _("Software")
        DATASET = "dataset", _("Dataset")
        CUSTOMER = "customer_info", _("Customer knowledge")
        PATENT = "patent", _("Patent")
        UTILITY = "utility_model", _("Utility model")
        DESIGN = "design", _("Design right")
        TRADEMARK = "trademark", _("Trademark")
        OTHER = "other", _("Other")

    class Origin(models.TextChoices):
        BACKGROUND = "background", _("Background technology")
        TRANSACTION = "transaction", _("Created for a transaction")
        JOINT = "joint", _("Result of joint development")

    class Classification(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")
        CONFIDENTIAL = "confidential", _("Confidential")
        SECRET = "secret", _("Secret")

    class Strategy(models.TextChoices):
        UNDECIDED = "undecided", _("Undecided")
        PATENT = "patent", _("Patent")
        SECRET = "keep_secret", _("Keep secret")
        PUBLISH = "publish_defensively", _("Publish defensively")

    class Value(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High (critical)")

    REGISTERED_KINDS = {Kind.PATENT, Kind.UTILITY, Kind.DESIGN, Kind.TRADEMARK}

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="assets")
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.KNOW_HOW)
    failed_result = models.BooleanField(_("failed / negative result"), default=False)
    description = models.TextField(_("description"), blank=True)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, default=Origin.BACKGROUND)
    partner_name = models.CharField(_("partner"), max_length=200, blank=True)
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices, default=Classification.INTERNAL
    )
    protection_strategy = models.CharField(
        _("protection strategy"), max_length=30, choices=Strategy.choices, default=Strategy.UNDECIDED
    )
    protection_reason = models.TextField(_("reason for the strategy"), blank=True)
    # 営業秘密の三要件: 秘密管理性 (marked, access restricted, listed), 有用性, 非公知性.
    ts_marked = models.BooleanField(_("marked as secret"), default=False)
    ts_access_restricted = models.BooleanField(_("access restricted"), default=False)
    ts_listed = models.BooleanField(_("listed in the secret register"), default=False)
    ts_useful = models.BooleanField(_("useful for the business"), default=False)
    ts_not_public = models.BooleanField(_("not publicly known"), default=False)
    business_value = models.CharField(_("business value"), max_length=10, choices=Value.choices, default=Value.MEDIUM)
    documented = models.BooleanField(_("documented"), default=False)
    # ",tag1,tag2," so that one tag is matched exactly with a plain LIKE on both databases.
    tags_text = models.CharField(_("tags"), max_length=500, blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    right_number = models.CharField(_("registration / application number"), max_length=60, blank=True)
    right_filed_on = models.DateField(_("filed on"), null=True, blank=True)
    right_registered_on = models.DateField(_("registered on"), null=True, blank=True)
    right_expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The ``updated_at`` of the state the title and description chunks were built from: the
    # index job rebuilds them only when it differs (a field edit), not on every upload.
    meta_indexed_for = models.DateTimeField(null=True, blank=True, editable=False)
    named_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="AssetGrant", related_name="granted_assets", blank=True
    )

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "classification"], name="reg_asset_org_class"),
            models.Index(fields=["organization", "kind"], name="reg_asset_org_kind"),
            models.Index(fields=["organization", "-updated_at"], name="reg_asset_org_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "ja").startswith("en") and self.title_en:
            return self.title_en
        return self.title_ja

    @property
    def tags(self) -> list[str]:
        return [t for t in self.tags_text.split(",") if t]

    @property
    def is_critical(self) -> bool:
        return self.business_value == self.Value.HIGH


class AssetGrant(models.Model):
    """An explicit per-asset grant: the person may see this asset even when it is 極秘."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ViaAssetQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["asset", "user"], name="reg_one_grant_per_user")]


class Holder(models.Model):
    """A person who holds the know-how: a user, or named staff without an account."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="holders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="held_assets"
    )
    name = models.CharField(_("name"), max_length=120)
    leaves_on = models.DateField(_("retirement / leave date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ViaAssetQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["organization", "name"], name="reg_holder_org_name")]

    def __str__(self) -> str:
        return self.name


class AssetFile(models.Model):
    """A document of an asset; its content lives in versions."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("file name"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ViaAssetQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class KeyQuerySet(OrgScopedQuerySet):
    def restrict(self, user, action: str = "view"):
        # Keys are read by the encryption code only; no role sees them on a page or the API.
        return self.none()


class OrganizationKey(models.Model):
    """The middle of the envelope: wraps each data key of one organisation's files, and is
    itself wrapped (AES-GCM, bound to organisation and kid) by the master key ``master_key_id``.

    One active key per organisation; a rotated key is retired, not deleted, so a row sealed
    while the rotation ran still opens until ``rewrap-keys`` moves it.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kid = models.CharField(max_length=32, unique=True)
    wrapped_key = models.CharField(max_length=200)
    master_key_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = KeyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(retired_at__isnull=True), name="reg_one_active_org_key"
            ),
        ]

    def __str__(self) -> str:
        return self.kid


class TextKey(models.Model):
    """The organisation's key for text kept in the database (search chunks, contract text).

    A random 256-bit secret, wrapped like a file's data key by the organisation key named by
    ``key_id``, so rotating keys re-wraps this row (``keys.SEALED``) and never re-indexes:
    the token digests in the search index must stay stable for queries to find them.
    ``register.atrest`` derives the cipher key and the search-token keys from it.
    """

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="+")
    key_id = models.CharField(max_length=32)
    wrapped_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = KeyQuerySet.as_manager()


class FileVersion(models.Model):
    """One encrypted, hashed, (optionally) time-stamped upload of a file."""

    class Stamp(models.TextChoices):
        TIMESTAMPED = "timestamped", _("RFC 3161 timestamp")
        UNTIMESTAMPED = "untimestamped", _("Not timestamped (local hash chain only)")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    file = models.ForeignKey(AssetFile, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=300, unique=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    # Envelope encryption: the data key, wrapped by the organisation key named by key_id
    # (by a master key directly on rows older than organisation keys).
    key_id = models.CharField(max_length=32)
    wrapped_key = models.CharField(max_length=200)
    extracted_note = models.CharField(max_length=300, blank=True)
    # When this version's text went into the search index; null while it waits for the
    # index job (which only extracts the newest version of each file that is still null).
    indexed_at = models.DateTimeField(null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Evidence of possession: the organisation's local hash chain over every version's
    # SHA-256, plus an RFC 3161 token when a TSA is configured.
    stamp = models.CharField(max_length=20, choices=Stamp.choices, default=Stamp.UNTIMESTAMPED)
    chain_seq = models.PositiveBigIntegerField()
    chain_prev = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
    tsa_url = models.CharField(max_length=300, blank=True)
    tsa_response = models.BinaryField(null=True, blank=True)
    tsa_time = models.DateTimeField(null=True, blank=True)
    tsa_serial = models.CharField(max_length=80, blank=True)
    tsa_chain_verified = models.BooleanField(default=False)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["file", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="reg_version_number_unique"),
            models.UniqueConstraint(fields=["organization", "chain_seq"], name="reg_evidence_chain_seq_unique"),
        ]

    @property
    def asset(self) -> Asset:
        return self.file.asset


class SearchChunk(models.Model):
    """A piece of searchable text, sealed, and its token digests, for both backends.

    ``level`` says which capability reading it needs: ``meta`` (titles, tags) or ``text``
    (descriptions and file contents), so a search shows only what the asset page would.
    Nothing of the text is readable without the organisation's keys (``register.atrest``):
    ``sealed`` is the text under AES-GCM, ``tokens`` the keyed digests of its SudachiPy
    tokens in sorted order, which is what the full-text index holds.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="chunks")
    version = models.ForeignKey(FileVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="chunks")
    level = models.CharField(max_length=4)
    # Always the asset's classification: database triggers (migration 0004) copy it on every
    # insert and follow every reclassification in the same transaction, so search can apply
    # the access rules to the chunk row itself and a chunk can never lag behind its asset.
    classification = models.CharField(max_length=20, default="", editable=False)
    sealed = models.BinaryField(default=b"")
    tokens = models.TextField()

    objects = ViaAssetQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["asset"], name="reg_chunk_asset")]


class ClipQuerySet(ViaAssetQuerySet):
    asset_path = "clip__asset"


class SealedMedia(models.Model):
    """What a sealed clip or poster records about its stored object: the bytes' type, size and
    digest, where the ciphertext is and the wrapped data key that opens it."""

    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=300, unique=True)
    key_id = models.CharField(max_length=32)
    wrapped_key = models.CharField(max_length=200)

    class Meta:
        abstract = True


class AssetClip(SealedMedia):
    """A video (or photo) of hands at work, sealed like a file version (``register.clips``).

    Served in ranges for seeking (``crypto.decrypt_range``): only the chunks a request covers
    are fetched and decrypted, each one authenticated.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="clips")
    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ViaAssetQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")


class ClipPoster(SealedMedia):
    """The still shown before a clip plays (a JPEG or PNG), sealed like the clip."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    clip = models.OneToOneField(AssetClip, on_delete=models.CASCADE, related_name="poster")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClipQuerySet.as_manager()


class ClipChapter(models.Model):
    """A mark in a clip: where (milliseconds from the start) and what the hands do there."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    clip = models.ForeignKey(AssetClip, on_delete=models.CASCADE, related_name="chapters")
    at_ms = models.PositiveBigIntegerField(_("time"))
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True, max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering = ["at_ms", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def seconds(self) -> float:
        return self.at_ms / 1000

    @property
    def timestamp(self) -> str:
        """m:ss (h:mm:ss past an hour), as people write chapter marks."""
        total = self.at_ms // 1000
        hours, rest = divmod(total, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def clip_storage_names(clip: AssetClip) -> list[str]:
    """The stored objects of a clip (its video and its poster), to delete with its rows."""
    poster = ClipPoster.objects.filter(clip=clip).values_list("storage_name", flat=True).first()
    return [clip.storage_name] + ([poster] if poster else [])
