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
from chizai.register.atrest import SealedField


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
    # The contract text and the report (which quotes the clauses it found) are sealed with
    # the organisation's text key: read and write ``text`` and ``report``, never the columns.
    text_sealed = models.BinaryField(default=b"", editable=False)
    text = SealedField("text_sealed", "review.ContractReview.text")
    content_sha256 = models.CharField(max_length=64, db_index=True)
    options = models.JSONField(default=dict)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
        verbose_name=_("previous version"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=2, blank=True)
    contract_types = models.JSONField(default=list)
    sme_party = models.CharField(max_length=50, blank=True)
    report_sealed = models.BinaryField(null=True, blank=True, editable=False)
    report = SealedField("report_sealed", "review.ContractReview.report", kind="json")
    # A scan read by OCR: every page's word boxes with their offsets into ``text`` and how the
    # page was turned (engine.ocr.OcrResult.layout), sealed like the text it locates; None
    # for a file that had a text layer. The page images are rasterised again from the
    # sealed source when asked for (ocr_layout.render_page), so no second copy is kept.
    layout_sealed = models.BinaryField(null=True, blank=True, editable=False)
    layout = SealedField("layout_sealed", "review.ContractReview.layout", kind="json")
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


class ReviewFeedback(models.Model):
    """A labelled example from the organisation: a finding marked wrong (or right), or a
    finding the reviewer missed. Used on the organisation's later reviews of the same clause
    text (``clause_hash``, see ``engine.feedback.clause_hash``) and exported as rule cases."""

    class Verdict(models.TextChoices):
        WRONG = "wrong", _("Wrong")
        MISSED = "missed", _("Missed")
        RIGHT = "right", _("Right")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="review_feedback")
    review = models.ForeignKey(
        ContractReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    rule_id = models.CharField(_("rule"), max_length=20)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    clause_ref = models.CharField(_("clause"), max_length=100, blank=True)
    language = models.CharField(max_length=2, blank=True)
    clause_hash = models.CharField(max_length=64, db_index=True)
    # the clause text is contract text: sealed with the organisation's text key like ContractReview.text
    text_sealed = models.BinaryField(default=b"", editable=False)
    text = SealedField("text_sealed", "review.ReviewFeedback.text")
    reason = models.CharField(_("reason"), max_length=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "clause_hash"], name="review_feedback_clause")]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.verdict}"
