"""Partners (the companies information goes to) and, with issue 5, agreements, disclosures,
hand-over copies and duties. Partner lives here because every later part refers to it:
the register (joint-development origin), disclosures and deals."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chizai.core.models import Organization
from chizai.core.querysets import OrgScopedQuerySet


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
