"""Partners (the companies information goes to) and, with issue 5, agreements, disclosures,
hand-over copies and duties. Partner lives here because every later part refers to it:
the register (joint-development origin), disclosures and deals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from chizai.core.models import Organization
from chizai.core.querysets import OrgScopedQuerySet
from chizai.register.atrest import SealedField


class SealedSuggestions(SealedField):
    """A sealed JSON value that reads as ``{}`` when none was stored, as the JSONField did."""

    def opened(self, organization, blob, text_keys=None):
        value = super().opened(organization, blob, text_keys)
        return {} if value is None else value


class Partner(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer / OEM")
        TIER1 = "tier1", _("Tier-1 supplier")
        TRADING = "trading", _("Trading company")
        SUPPLIER = "supplier", _("Supplier / subcontractor")
        UNIVERSITY = "university", _("University / research institute")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="partners")
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CUSTOMER)
    country = models.CharField(_("country"), max_length=60, default="日本")
    corporate_number = models.CharField(_("corporate number"), max_length=13, blank=True)
    is_large_company = models.BooleanField(_("large company"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name_ja"]
        constraints = [models.UniqueConstraint(fields=["organization", "name_ja"], name="partner_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name_ja

    @property
    def display_name(self) -> str:
        if (get_language() or "ja").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ja


class PartnerContact(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    department = models.CharField(_("department"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    """Where in the business the information goes out; an agreement covers some of these."""

    INQUIRY = "inquiry", _("Inquiry")
    QUOTATION = "quotation", _("Quotation")
    PROTOTYPE = "prototype", _("Prototype")
    JOINT_STUDY = "joint_study", _("Joint study")
    MASS_PRODUCTION = "mass_production", _("Mass production")
    AFTER_SALES = "after_sales", _("After-sales")


class Agreement(models.Model):
    class Type(models.TextChoices):
        NDA = "NDA", _("NDA")
        MFG = "MFG", _("Manufacturing / master supply")
        PROTO = "PROTO", _("Prototype / PoC")
        JRD = "JRD", _("Joint R&D")
        DEV = "DEV", _("Commissioned development")
        LIC = "LIC", _("Licence")

    class Direction(models.TextChoices):
        MUTUAL = "mutual", _("Mutual")
        OUTBOUND = "outbound", _("We disclose")
        INBOUND = "inbound", _("We receive")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        NEGOTIATING = "negotiating", _("Negotiating")
        SIGNED = "signed", _("Signed")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    class ReturnDuty(models.TextChoices):
        NONE = "none", _("No duty stated")
        RETURN = "return", _("Return")
        DESTROY = "destroy", _("Destroy")
        EITHER = "return_or_destroy", _("Return or destroy")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="agreements")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(_("title"), max_length=200)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.NDA)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.MUTUAL)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    term_months = models.PositiveIntegerField(_("term (months)"), null=True, blank=True)
    survival_months = models.PositiveIntegerField(_("survival after the end (months)"), null=True, blank=True)
    decision_due_on = models.DateField(_("decision due (answer to the draft)"), null=True, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    # The stages the purpose clause covers; the gate compares a disclosure's stage with it.
    purpose_stages = models.JSONField(_("purposes covered"), default=list, blank=True)
    # Asset kinds (register) the agreement's definition of information covers; empty = all.
    categories = models.JSONField(_("categories of information covered"), default=list, blank=True)
    permitted_recipients = models.TextField(_("permitted recipients"), blank=True)
    return_duty = models.CharField(
        _("return / destruction"), max_length=20, choices=ReturnDuty.choices, default=ReturnDuty.NONE
    )
    return_days = models.PositiveIntegerField(_("days to return after the end or a request"), null=True, blank=True)
    certificate_required = models.BooleanField(_("certificate of destruction required"), default=False)
    return_terms = models.TextField(_("return / destruction terms"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The signed file, encrypted at rest with the register's envelope encryption.
    file_name = models.CharField(max_length=255, blank=True)
    file_storage_name = models.CharField(max_length=300, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    file_key_id = models.CharField(max_length=32, blank=True)
    file_wrapped_key = models.CharField(max_length=200, blank=True)
    review = models.ForeignKey(
        "review.ContractReview", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the reviewer suggested, kept as it was so the person's confirmation can be compared.
    # It quotes the contract, so it is sealed with the organisation's text key like
    # review.ContractReview.report: read and write ``suggestions`` (a dict), never the column.
    suggestions_sealed = models.BinaryField(null=True, blank=True, editable=False)
    suggestions = SealedSuggestions("suggestions_sealed", "disclosure.Agreement.suggestions", kind="json")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["partner__name_ja", "-effective_on", "pk"]
        indexes = [models.Index(fields=["organization", "partner"], name="dis_agreement_partner")]

    def __str__(self) -> str:
        return f"{self.type} {self.partner.name_ja} ({self.title})"

    @property
    def survival_ends_on(self):
        if self.expires_on is None or not self.survival_months:
            return None
        return add_months(self.expires_on, self.survival_months)


def add_months(day, months: int):
    import calendar
    from datetime import date

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Disclosure(models.Model):
    class Method(models.TextChoices):
        FILE = "file", _("Electronic file")
        PAPER = "paper", _("Paper copy")
        ORAL = "oral", _("Oral (meeting)")
        PLANT_VISIT = "plant_visit", _("Plant visit")
        SAMPLE = "sample", _("Sample")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        REFUSED = "refused", _("Refused by the gate")
        DISCLOSED = "disclosed", _("Disclosed")

    FILE_METHODS = {Method.FILE, Method.PAPER}

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="disclosures")
    # PROTECT: a partner or agreement with disclosures on record is kept (the records are evidence).
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="disclosures")
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.QUOTATION)
    purpose = models.TextField(_("purpose"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.FILE)
    disclosed_on = models.DateField(_("date"))
    minutes = models.TextField(_("minutes (what was shown or said)"), blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approver"),
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    second_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("second person"),
    )
    second_confirmed_at = models.DateTimeField(null=True, blank=True)
    gate = models.JSONField(default=dict, blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_due_on = models.DateField(_("return / destruction due"), null=True, blank=True)
    return_requested_on = models.DateField(_("return requested on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    destroyed_on = models.DateField(_("destruction confirmed on"), null=True, blank=True)
    certificate_received_on = models.DateField(_("certificate received on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_on", "-pk"]
        indexes = [models.Index(fields=["organization", "partner", "disclosed_on"], name="dis_disclosure_partner")]

    def __str__(self) -> str:
        return f"D-{self.pk} {self.partner.name_ja} {self.disclosed_on}"

    @property
    def reference(self) -> str:
        return f"D-{self.pk:05d}"

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_reason)


class DisclosureItem(models.Model):
    """One thing handed over: a file version from the register, or a described item."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey(
        "register.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="disclosure_items"
    )
    version = models.ForeignKey(
        "register.FileVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="disclosure_items"
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    # What the asset was at the time of the hand-over (it may be reclassified later).
    title = models.CharField(max_length=200, blank=True)
    classification = models.CharField(max_length=20, blank=True)
    # What it was when the disclosure was requested: the gate never judges it below this.
    requested_classification = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=30, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]


class DisclosureRecipient(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(PartnerContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class HandoverCopy(models.Model):
    """A per-recipient copy: stamped PDF or zip with a manifest; kept encrypted, hash recorded."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="copies")
    item = models.ForeignKey(DisclosureItem, on_delete=models.PROTECT, related_name="copies")
    recipient = models.ForeignKey(DisclosureRecipient, on_delete=models.PROTECT, related_name="copies")
    fingerprint = models.CharField(max_length=32, unique=True)
    filename = models.CharField(max_length=255)
    kind = models.CharField(max_length=8)  # pdf | zip
    pages = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    storage_name = models.CharField(max_length=300)
    key_id = models.CharField(max_length=32)
    wrapped_key = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]


class Obligation(models.Model):
    """A dated duty derived from an agreement or a disclosure (recomputed, keyed by ``key``)."""

    class Kind(models.TextChoices):
        RETURN_DUE = "return_due", _("Return or destruction due")
        CERTIFICATE = "certificate_due", _("Certificate of destruction to receive")
        SURVIVAL_END = "survival_end", _("Confidentiality survival ends")
        EXPIRY = "agreement_expiry", _("Agreement expires")
        DECISION = "decision_deadline", _("Decision deadline")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    title = models.CharField(_("title"), max_length=300)
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.CASCADE, related_name="obligations"
    )
    disclosure = models.ForeignKey(
        Disclosure, null=True, blank=True, on_delete=models.CASCADE, related_name="obligations"
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="dis_obligation_key_unique")]

    def __str__(self) -> str:
        return f"{self.due_on} {self.title}"

    @property
    def label(self) -> str:
        """What the duty is, in the reader's language (``title`` is the stored bilingual text
        that reminders and calendar feeds carry to people whose language is not known)."""
        if self.disclosure_id and self.disclosure is not None:
            subject = f"{self.disclosure.reference} {self.disclosure.partner.display_name}"
        elif self.agreement_id and self.agreement is not None:
            subject = f"{self.agreement.title} {self.agreement.partner.display_name}"
        else:
            return self.title
        return f"{subject}: {self.get_kind_display()}"

    @property
    def label_html(self) -> str:
        """``label`` for a page: the subject (reference, agreement title, partner as entered)
        marked as entered, the duty itself in the reader's language; a duty with neither
        disclosure nor agreement shows its stored bilingual title, marked as entered."""
        if self.disclosure_id and self.disclosure is not None:
            return format_html(
                "{} <span data-i18n-exempt>{}</span>: {}",
                self.disclosure.reference,
                self.disclosure.partner.display_name,
                self.get_kind_display(),
            )
        if self.agreement_id and self.agreement is not None:
            return format_html(
                "<span data-i18n-exempt>{} {}</span>: {}",
                self.agreement.title,
                self.agreement.partner.display_name,
                self.get_kind_display(),
            )
        return format_html("<span data-i18n-exempt>{}</span>", self.title)


class ReminderDelivery(models.Model):
    """One reminder e-mail to one person for one obligation on one day.

    The unique constraint makes "the same reminder" one row whatever the number of
    workers; a worker claims the row with a conditional UPDATE before sending and marks
    it sent afterwards, so a second worker never sends it again, and a worker killed
    before sending leaves a claim that runs out for the next one.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    remind_on = models.DateField()
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["obligation", "user", "remind_on"], name="dis_reminder_once")]

    @property
    def message_id(self) -> str:
        # Stable per delivery: a mail server (or the reader) can drop a duplicate if a
        # worker dies between the server's acceptance and our "sent" mark.
        return f"<chizai-reminder-{self.pk}@chizai>"


class CalendarFeed(models.Model):
    """A personal ICS feed: the token is in the URL, only its hash is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()
