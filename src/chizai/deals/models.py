"""Deals: one negotiation with one partner, and what is prepared for it.

A deal collects the contract drafts (each a reviewed ``ContractReview``), the negotiation
points, the people on both sides and the contacts with them, the joint-development
contribution ledger and the consideration worksheet. Every row names its organisation so
``restrict`` isolates tenants exactly as in the other parts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chizai.core.models import Organization
from chizai.core.querysets import OrgScopedQuerySet
from chizai.disclosure.models import Partner
from chizai.register.atrest import SealedField
from chizai.register.models import Asset
from chizai.review.models import ContractReview


class Party(models.TextChoices):
    OURS = "ours", _("Our side")
    THEIRS = "theirs", _("Counterparty")


class Deal(models.Model):
    class Kind(models.TextChoices):
        ORDER = "order", _("Order")
        PROTOTYPE = "prototype", _("Prototype")
        JOINT_RD = "joint_rd", _("Joint R&D")
        LICENCE = "licence", _("Licence")
        COMMISSIONED = "commissioned", _("Commissioned development")

    class Stage(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        NEGOTIATING = "negotiating", _("Negotiating")
        AGREED = "agreed", _("Agreed in principle")
        SIGNED = "signed", _("Signed")
        DROPPED = "dropped", _("Dropped")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="deals")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="deals", verbose_name=_("partner"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.JOINT_RD)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PREPARING)
    summary = models.TextField(_("what the deal is about"), blank=True)
    next_meeting = models.DateField(_("next formal meeting"), null=True, blank=True)
    # kind -> weight as a decimal string; the parties agree on these, so they are kept with
    # the deal and every change is audited.
    contribution_weights = models.JSONField(default=dict, blank=True)
    weights_agreed = models.BooleanField(_("weights agreed with the counterparty"), default=False)
    # Read only through Asset.objects.restrict, so a secret asset stays hidden from a
    # deal viewer whose role may not see it.
    assets = models.ManyToManyField(Asset, blank=True, related_name="deals", verbose_name=_("assets involved"))
    disclosures = models.ManyToManyField(
        "disclosure.Disclosure", blank=True, related_name="deals", verbose_name=_("disclosures involved")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-updated_at"], name="deal_org_updated")]

    def __str__(self) -> str:
        return self.title


class DealDraft(models.Model):
    """One version of the contract as exchanged, in the order the versions came."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="drafts")
    review = models.ForeignKey(ContractReview, on_delete=models.PROTECT, related_name="deal_drafts")
    number = models.PositiveIntegerField(_("draft number"))
    from_party = models.CharField(_("drafted by"), max_length=10, choices=Party.choices, default=Party.THEIRS)
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()
    permission_app = "deals"

    class Meta:
        ordering = ["deal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "number"], name="deal_draft_number_unique"),
            models.UniqueConstraint(fields=["deal", "review"], name="deal_draft_review_unique"),
        ]


class NegotiationPoint(models.Model):
    class Position(models.TextChoices):
        MUST = "must", _("Must-have")
        PREFERRED = "preferred", _("Preferred")
        TRADEABLE = "tradeable", _("Tradeable")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        AGREED = "agreed", _("Agreed")
        CONCEDED = "conceded", _("Conceded")
        PARKED = "parked", _("Parked")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="points")
    title = models.CharField(_("point"), max_length=300)
    # Identifies the review finding a point came from (rule + clause), so converting the
    # same finding again, from this draft or a later one, finds the existing point.
    finding_key = models.CharField(max_length=64, blank=True)
    rule_id = models.CharField(max_length=40, blank=True)
    severity = models.CharField(max_length=10, blank=True)
    clause = models.CharField(_("clause"), max_length=200, blank=True)
    # The contract wording the point came from is contract text: sealed with the organisation's
    # text key like review.ContractReview.text (read and write ``contract_text``, never the column).
    contract_text_sealed = models.BinaryField(default=b"", editable=False)
    contract_text = SealedField("contract_text_sealed", "deals.NegotiationPoint.contract_text")
    source_review = models.ForeignKey(
        ContractReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.TextField(_("question to ask"), blank=True)
    balanced = models.TextField(_("what a balanced clause covers"), blank=True)
    our_position = models.CharField(
        _("our position"), max_length=10, choices=Position.choices, default=Position.PREFERRED
    )
    our_ask = models.TextField(_("what we ask for"), blank=True)
    fallback = models.TextField(_("fallback"), blank=True)
    give_in_return = models.TextField(_("what we can give in return"), blank=True)
    counterparty_position = models.TextField(_("counterparty's stated position"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    agreed_wording = models.TextField(_("agreed wording"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedQuerySet.as_manager()
    permission_app = "deals"

    class Meta:
        ordering = ["deal", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "finding_key"], condition=~models.Q(finding_key=""), name="deal_point_one_per_finding"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Stakeholder(models.Model):
    class Stance(models.TextChoices):
        CHAMPION = "champion", _("Champion")
        SUPPORTIVE = "supportive", _("Supportive")
        NEUTRAL = "neutral", _("Neutral")
        SCEPTICAL = "sceptical", _("Sceptical")
        OPPOSED = "opposed", _("Opposed")

    class Influence(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stakeholders")
    side = models.CharField(_("side"), max_length=10, choices=Party.choices, default=Party.THEIRS)
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=160, blank=True)
    stance = models.CharField(_("stance"), max_length=12, choices=Stance.choices, default=Stance.NEUTRAL)
    influence = models.CharField(_("influence"), max_length=8, choices=Influence.choices, default=Influence.MEDIUM)
    consult_before_meeting = models.BooleanField(_("consult before the formal meeting (nemawashi)"), default=False)
    consulted_on = models.DateField(_("consulted on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = OrgScopedQuerySet.as_manager()
    permission_app = "deals"

    class Meta:
        ordering = ["deal", "side", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def nemawashi_pending(self) -> bool:
        return self.consult_before_meeting and self.consulted_on is None


class Contact(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        EMAIL = "email", _("E-mail message")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MEETING)
    held_on = models.DateField(_("date"))
    stakeholders = models.ManyToManyField(Stakeholder, blank=True, related_name="contacts", verbose_name=_("with"))
    said = models.TextField(_("what was said"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()
    permission_app = "deals"

    class Meta:
        ordering = ["deal", "-held_on", "-pk"]


class FollowUp(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="followups")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="followups")
    text = models.CharField(_("follow-up"), max_length=300)
    owner = models.CharField(_("who"), max_length=120, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()
    permission_app = "deals"

    class Meta:
        ordering = ["deal", "done_at", "due_on", "pk"]


def keep_evidence_files_guarded(collector, field, sub_objs, using):
    """on_delete of ``evidence_asset``: an entry whose evidence file is guarded by the asset's
    access rules keeps the asset from being deleted (without it, the file would fall back to
    everyone who may view the deal); an entry without a file just loses the link."""
    guarded = sub_objs.exclude(evidence_storage_name="")
    if guarded.exists():
        models.PROTECT(collector, field, guarded, using)
    models.SET_NULL(collector, field, sub_objs.filter(evidence_storage_name=""), using)


class ContributionEntry(models.Model):
    """One thing a party put into a joint development, valued in yen-equivalent."""

    class Kind(models.TextChoices):
        MONEY = "money", _("Money")
        HOURS = "hours", _("People-hours")
        EQUIPMENT = "equipment", _("Equipment")
        MATERIALS = "materials", _("Materials")
        BACKGROUND_IP = "background_ip", _("Background IP brought in")
        IDEAS = "ideas", _("Ideas / inventive contribution")
        EXPERIMENTS = "experiments", _("Experiments and data")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contributions")
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    made_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    value = models.DecimalField(_("value (yen equivalent)"), max_digits=14, decimal_places=0)
    valuation_basis = models.CharField(_("how the value was set"), max_length=300, blank=True)
    failed_run = models.BooleanField(_("failed run / negative result"), default=False)
    # The evidence file is sealed like every stored file (``register.sealed``): only
    # ciphertext in the storage, its data key wrapped by the organisation key.
    evidence_name = models.CharField(_("evidence file"), max_length=255, blank=True)
    evidence_storage_name = models.CharField(max_length=300, blank=True)
    evidence_content_type = models.CharField(max_length=120, blank=True)
    evidence_size = models.PositiveBigIntegerField(default=0)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_key_id = models.CharField(max_length=32, blank=True)
    evidence_wrapped_key = models.CharField(max_length=200, blank=True)
    evidence_asset = models.ForeignKey(
        Asset,
        null=True,
        blank=True,
        on_delete=keep_evidence_files_guarded,
        related_name="+",
        verbose_name=_("evidence in the register"),
    )
    evidence_note = models.CharField(_("evidence"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()
    permission_app = "deals"

    class Meta:
        ordering = ["deal", "made_on", "pk"]

    @property
    def has_evidence_file(self) -> bool:
        return bool(self.evidence_storage_name)


class ConsiderationItem(models.Model):
    """One line of the consideration worksheet: a deliverable or a piece of knowledge."""

    class Category(models.TextChoices):
        GOODS = "goods", _("Goods (deliverables)")
        KNOWLEDGE = "knowledge", _("Knowledge (IP and know-how)")

    class ItemKind(models.TextChoices):
        PRODUCT = "product", _("Product / prototype")
        DRAWING = "drawing", _("Drawings")
        DATA = "data", _("Data")
        KNOW_HOW = "know_how", _("Know-how")
        RIGHT = "right", _("Rights (assignment)")
        LICENCE = "licence", _("Licence")
        SERVICE = "service", _("Service / work")

    class Method(models.TextChoices):
        PRICE = "price", _("Unit price × quantity")
        ROYALTY = "royalty", _("Royalty (rate × base)")
        LUMP_SUM = "lump_sum", _("Lump sum")
        COST = "cost", _("Cost approach (cost + margin)")
        SAVINGS = "savings", _("Share of savings")
        NOT_PRICED = "none", _("Not handed over")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="consideration_items")
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    item_kind = models.CharField(_("kind of item"), max_length=10, choices=ItemKind.choices)
    title = models.CharField(_("item"), max_length=200)
    included = models.BooleanField(_("included in this deal"), default=True)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3, null=True, blank=True)
    unit_price = models.DecimalField(_("unit price (yen)"), max_digits=14, decimal_places=2, null=True, blank=True)
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=7, decimal_places=4, null=True, blank=True)
    base_yen = models.DecimalField(_("base (yen)"), max_digits=16, decimal_places=0, null=True, blank=True)
    rate_basis = models.TextField(_("basis for the rate"), blank=True)
    amount_yen = models.DecimalField(_("amount (yen)"), max_digits=16, decimal_places=0, null=True, blank=True)
    cost_yen = models.DecimalField(_("development cost (yen)"), max_digits=16, decimal_places=0, null=True, blank=True)
    margin_percent = models.DecimalField(_("margin (%)"), max_digits=7, decimal_places=4, null=True, blank=True)
    savings_yen = models.DecimalField(
        _("expected savings (yen)"), max_digits=16, decimal_places=0, null=True, blank=True
    )
    share_percent = models.DecimalField(
        _("our share of savings (%)"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    assumptions = models.TextField(_("assumptions"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()
    permission_app = "deals"

    class Meta:
        ordering = ["deal", "category", "pk"]
