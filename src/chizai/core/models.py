from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from chizai.core import industries
from chizai.core.audit_labels import action_label
from chizai.core.querysets import OrganizationQuerySet, OrgScopedQuerySet

PREFECTURES = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
]
PREFECTURES_EN = dict(
    zip(
        PREFECTURES,
        [
            "Hokkaido",
            "Aomori",
            "Iwate",
            "Miyagi",
            "Akita",
            "Yamagata",
            "Fukushima",
            "Ibaraki",
            "Tochigi",
            "Gunma",
            "Saitama",
            "Chiba",
            "Tokyo",
            "Kanagawa",
            "Niigata",
            "Toyama",
            "Ishikawa",
            "Fukui",
            "Yamanashi",
            "Nagano",
            "Gifu",
            "Shizuoka",
            "Aichi",
            "Mie",
            "Shiga",
            "Kyoto",
            "Osaka",
            "Hyogo",
            "Nara",
            "Wakayama",
            "Tottori",
            "Shimane",
            "Okayama",
            "Hiroshima",
            "Yamaguchi",
            "Tokushima",
            "Kagawa",
            "Ehime",
            "Kochi",
            "Fukuoka",
            "Saga",
            "Nagasaki",
            "Kumamoto",
            "Oita",
            "Miyazaki",
            "Kagoshima",
            "Okinawa",
        ],
        strict=True,
    )
)


def prefecture_name(prefecture: str) -> str:
    """A prefecture as the reader reads it (stored in Japanese, as official records write it)."""
    if (get_language() or "ja").startswith("en"):
        return PREFECTURES_EN.get(prefecture, prefecture)
    return prefecture


def prefecture_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(p, prefecture_name(p)) for p in PREFECTURES]


class Organization(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        SUPPORT = "support", _("Support organisation")

    class SizeClass(models.TextChoices):
        MICRO = "micro", _("Micro (up to 20 people)")
        SMALL = "small", _("Small (21-100 people)")
        MEDIUM = "medium", _("Medium (101-300 people)")
        LARGE = "large", _("Large (over 300 people)")

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    corporate_number = models.CharField(
        _("corporate number"),
        max_length=13,
        blank=True,
        validators=[RegexValidator(r"^\d{13}$", _("A corporate number has 13 digits."))],
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    industry = models.CharField(_("industry"), max_length=120, blank=True)
    size_class = models.CharField(_("size"), max_length=10, choices=SizeClass.choices, default=SizeClass.SMALL)
    prefecture = models.CharField(_("prefecture"), max_length=10, blank=True, choices=[(p, p) for p in PREFECTURES])
    default_language = models.CharField(_("default language"), max_length=5, choices=settings.LANGUAGES, default="ja")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "ja").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ja

    @property
    def prefecture_name(self) -> str:
        return prefecture_name(self.prefecture)

    @property
    def industry_name(self) -> str:
        """The industry in the reader's language (``core.industries``)."""
        return industries.name(self.industry)[0]

    @property
    def industry_html(self):
        """``industry_name`` for a page: text not recognised as an industry is marked as entered."""
        return industries.html(self.industry)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        ENGINEER = "engineer", _("Engineer")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()
    permission_app = "core"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")]
        ordering = ["organization__slug", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization.slug} ({self.role})"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An invitation by link. Only the token's hash is stored; the link is shown once."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()
    permission_app = "core"

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class EngagementQuerySet(OrgScopedQuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(status=AdvisoryEngagement.Status.ACTIVE, started_at__lte=now).filter(
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now)
        )


class AdvisoryEngagement(models.Model):
    """An organisation's owner lets one adviser see it, until the owner ends it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="engagements")
    adviser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="engagements")
    adviser_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="client_engagements"
    )
    scope = models.TextField(_("scope"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EngagementQuerySet.as_manager()
    permission_app = "core"

    class Meta:
        ordering = ["-started_at"]


class AuditEvent(models.Model):
    """One link of a per-organisation hash chain. Rows are never updated or deleted.

    ``hash`` = SHA-256 over the canonical JSON of the event and ``prev_hash``.
    The actor is kept as id and user name (not a foreign key) so that deleting a
    user never has to touch the chain.
    """

    chain = models.CharField(max_length=40, db_index=True)
    seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.TextField(blank=True)
    changes = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    client_ip = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = OrgScopedQuerySet.as_manager()
    permission_app = "audit"

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]
        indexes = [models.Index(fields=["organization", "-created_at"], name="audit_org_time")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only and cannot be deleted.")

    @property
    def action_label(self) -> str:
        return action_label(self.action)


class AuditChainHead(models.Model):
    """Checkpoint of each chain's newest link, kept outside the event table.

    ``mac`` is an HMAC with the secret key over (chain, position, seq, hash), so nobody
    without the key can make or move a checkpoint. ``position`` numbers the chains in the
    order they were opened; the row ``audit:registry`` (position 0) counts them in ``seq``
    and holds the database's random registry id in ``hash`` (see ``chizai.core.audit``).
    """

    chain = models.CharField(max_length=40, unique=True)
    position = models.PositiveIntegerField(null=True, unique=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    mac = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class LoginAttempt(models.Model):
    username = models.CharField(max_length=150, db_index=True)
    client_ip = models.CharField(max_length=64, db_index=True, blank=True)
    succeeded = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now, db_index=True)


class ApiToken(models.Model):
    """A personal API token. The secret is shown once; only its hash is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class Job(models.Model):
    """Durable record of one piece of background work (review, extraction, indexing, reminders).

    The task queue only carries "run job N"; this row is the truth. A worker takes a job
    with a conditional UPDATE, keeps a lease while it works, and another worker takes
    the job over when the lease runs out (a killed worker loses nothing).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=80)
    params = models.JSONField(default=dict)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=4)
    run_after = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()
    permission_app = "core"

    class Meta:
        ordering = ["-created_at"]
        # what every worker's claim asks for: the due rows of a status, oldest first
        indexes = [models.Index(fields=["status", "run_after"], name="core_job_due_idx")]

    def backoff(self) -> timedelta:
        return timedelta(seconds=min(15 * 2 ** max(self.attempts - 1, 0), 3600))


class WorkerHeartbeat(models.Model):
    """One running ``chizai worker``: it updates ``seen_at`` while it lives (see ``jobs.queue_health``).

    A worker killed without a chance to clean up leaves its row behind with an old ``seen_at``;
    that is how a dead worker is told from a live one.
    """

    name = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    jobs_done = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class FormSubmission(models.Model):
    """One sent web form, named by the hidden ``_once`` token its page carried.

    A second send of the same page (a double click, Back and send again, a retry after a
    timeout) finds this row and gets the first send's result instead of doing the work twice.
    Rows older than a day are removed as new ones arrive (``core.submissions``).
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    result_url = models.CharField(max_length=500, blank=True)
    finished = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.path} {self.token[:8]}"
