"""The web side of the contract reviewer: a stored review of one contract version.

The analysis itself is `chizai.review.engine` (pure library); this model keeps what the
user submitted, the engine's report as JSON, and the link to the previous version of the
same contract so changes between drafts can be shown.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chizai.core.models import Job, Organization
from chizai.core.querysets import OrgScopedQuerySet


class ContractReview(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Reviewing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="contract_reviews")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    # the uploaded file, encrypted at rest with the register's envelope encryption
    source_storage_name = models.CharField(max_length=300, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    source_key_id = models.CharField(max_length=64, blank=True)
    source_wrapped_key = models.TextField(blank=True)
    text = models.TextField(blank=True)
    content_sha256 = models.CharField(max_length=64, db_index=True)
    options = models.JSONField(default=dict)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_versions",
                                 verbose_name=_("previous version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=2, blank=True)
    contract_types = models.JSONField(default=list)
    sme_party = models.CharField(max_length=50, blank=True)
    report = models.JSONField(null=True, blank=True)
    high_count = models.PositiveIntegerField(default=0)
    medium_count = models.PositiveIntegerField(default=0)
    low_count = models.PositiveIntegerField(default=0)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="review_org_time")]

    def __str__(self) -> str:
        return self.title

    @property
    def findings(self) -> list[dict]:
        return (self.report or {}).get("findings", [])
