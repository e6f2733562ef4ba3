"""The adviser workspace: what an IP-management support professional records about each client.

Records *about a client* (engagement record, action items, visits, skill hand-over,
diagnostics, referrals) belong to the client organisation (``organization``), so the
client's owner and manager can read them and the adviser reaches them only through an
active engagement (role "adviser" in ``roles_by_org``). ``support_organization`` names the
support organisation the work was done for; network figures aggregate over it.

Records that are the support organisation's own (criteria and weights, its ratings of
candidates, its directory of programmes) belong to the support organisation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chizai.core.models import AdvisoryEngagement, Organization
from chizai.core.querysets import OrgScopedQuerySet


class ClientRecord(models.Model):
    """Common fields of everything recorded about one client."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    support_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class EngagementRecord(ClientRecord):
    """The adviser's working record of one ``core.AdvisoryEngagement`` (the access grant)."""

    engagement = models.OneToOneField(AdvisoryEngagement, on_delete=models.CASCADE, related_name="record")
    scope = models.TextField(_("scope"), blank=True)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    hours_planned = models.DecimalField(_("hours planned"), max_digits=6, decimal_places=1, default=0)
    topics = models.CharField(_("topics"), max_length=400, blank=True, help_text=_("Separate topics with commas."))

    class Meta:
        ordering = ["-started_on"]

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.replace("、", ",").split(",") if t.strip()]


class ActionItem(ClientRecord):
    class Side(models.TextChoices):
        CLIENT = "client", _("Client")
        ADVISER = "adviser", _("Adviser")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    title = models.CharField(_("action"), max_length=300)
    side = models.CharField(_("who"), max_length=10, choices=Side.choices, default=Side.CLIENT)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["status", "due_on", "pk"]

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on is not None and self.due_on < timezone.localdate()


class VisitLog(ClientRecord):
    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        ONLINE = "online", _("Online meeting")
        PHONE = "phone", _("Phone")

    visited_on = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VISIT)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    summary = models.TextField(_("summary"), blank=True)
    next_contact_on = models.DateField(_("next contact"), null=True, blank=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]


class SkillHandover(ClientRecord):
    """One observation of how far the client does one IP-management task without help."""

    class Level(models.IntegerChoices):
        ADVISER = 0, _("Adviser does it")
        TOGETHER = 1, _("Done together")
        CLIENT = 2, _("Client does it alone")

    skill = models.CharField(_("skill"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.ADVISER)
    noted_on = models.DateField(_("noted on"), default=timezone.localdate)

    class Meta:
        ordering = ["skill", "-noted_on", "-pk"]


class Diagnostic(ClientRecord):
    """One run of the IP-management diagnostic (questions in ``diagnostic.yaml``).

    ``answers``: {question_id: {"value": 0..4, "evidence": text}};
    ``scores``: {area_id: 0..100}, computed by ``diagnostic.score`` when saved.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")

    conducted_on = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)
    overall = models.PositiveSmallIntegerField(default=0)
    notes = models.TextField(_("notes"), blank=True)
    questions_version = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-conducted_on", "-pk"]


class SupportProgramme(models.Model):
    """An entry of the support organisation's directory of programmes and organisations."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government programme")
        CONSULTATION = "consultation", _("Consultation desk")
        EXPERT = "expert", _("Professional association")
        CHAMBER = "chamber", _("Chamber of commerce")
        INSTITUTE = "institute", _("Public research institute")
        FINANCE = "finance", _("Financing")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=60)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    url = models.URLField(_("web address"), blank=True)
    prefecture = models.CharField(_("prefecture"), max_length=10, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "key"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="adv_programme_key_unique")]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "ja").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ja


class Referral(ClientRecord):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        USED = "used", _("Used")
        HELPED = "helped", _("Used and it helped")
        NOT_USED = "not_used", _("Not used")

    programme = models.ForeignKey(SupportProgramme, on_delete=models.PROTECT, related_name="referrals")
    referred_on = models.DateField(_("referred on"), default=timezone.localdate)
    reason = models.TextField(_("reason"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_note = models.TextField(_("outcome note"), blank=True)

    class Meta:
        ordering = ["-referred_on", "-pk"]


class PriorityCriterion(models.Model):
    """A criterion of the support organisation's published prioritisation.

    ``source``: "rating" (the adviser rates 0..4 per client), "region" (1 outside the
    metropolitan prefectures, else 0), or "figure:<name>" (from ``figures.py``, captured
    when an adviser rates the client).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=40)
    label_ja = models.CharField(_("label (Japanese)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    source = models.CharField(_("source"), max_length=40, default="rating")
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    position = models.PositiveSmallIntegerField(default=0)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "key"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="adv_criterion_key_unique")]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "ja").startswith("en") and self.label_en:
            return self.label_en
        return self.label_ja


class PriorityRating(models.Model):
    """The support organisation's rating of one candidate client: {criterion key: 0..1}."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    values = models.JSONField(default=dict)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    rated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "client"], name="adv_rating_unique")]


class WeightsPublication(models.Model):
    """A published set of weights, kept so any earlier selection can be re-explained."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    weights = models.JSONField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
