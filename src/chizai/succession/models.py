"""Succession: the skills map (people × know-how assets, a level per cell) and capture plans.

A ``Skill`` is a know-how asset of the register put on the map (a column of the 星取表); a
``Person`` is a member of staff by name (a row), optionally linked to a user. Everything that
belongs to an asset — its column, its levels, its plans and what they hold — is visible
exactly when the asset is (``ViaAssetQuerySet``), so a 極秘 process does not appear on the map
of someone who may not see it. People are the organisation's and follow the register's
row of the role matrix (``permission_app = "register"``): the map is part of the register.

The veteran's notes, what a session covered and the answers to the interview prompts are the
tacit know-how itself, so they are sealed with the organisation's text key like contract text.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chizai.core.models import Organization
from chizai.core.querysets import OrgScopedQuerySet
from chizai.register.atrest import SealedField
from chizai.register.models import Asset, ViaAssetQuerySet
from chizai.succession import levels

LEVEL_VALIDATORS = [MinValueValidator(levels.NONE), MaxValueValidator(levels.TEACH)]


class Level(models.IntegerChoices):
    NONE = levels.NONE, _("none")
    WITH_HELP = levels.WITH_HELP, _("can do with help")
    ALONE = levels.ALONE, _("can do alone")
    TEACH = levels.TEACH, _("can teach")


class Person(models.Model):
    """A member of staff on the skills map."""

    permission_app = "register"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    team = models.CharField(_("team"), max_length=120, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    leaves_on = models.DateField(_("retirement / leave date"), null=True, blank=True)
    position = models.PositiveIntegerField(_("order on the map"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="succ_person_unique_name")]

    def __str__(self) -> str:
        return self.name


class SkillQuerySet(ViaAssetQuerySet):
    asset_path = "asset"


class Skill(models.Model):
    """An asset as a column of the skills map."""

    permission_app = "register"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # register.risk reads the map through this reverse name (asset.skill.levels).
    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, related_name="skill")
    position = models.PositiveIntegerField(_("order on the map"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SkillQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.asset.title


class LevelQuerySet(ViaAssetQuerySet):
    asset_path = "skill__asset"


class SkillLevel(models.Model):
    """One cell of the map. No row means level 0 (none): a cell set back to 0 is deleted."""

    permission_app = "register"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="levels")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, validators=LEVEL_VALIDATORS)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LevelQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "skill"], name="succ_one_level_per_cell")]


class LevelChange(models.Model):
    """Every change of a cell, dated: the plan's progress chart draws levels over time from these."""

    permission_app = "register"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="changes")
    before = models.PositiveSmallIntegerField(choices=Level.choices)
    after = models.PositiveSmallIntegerField(choices=Level.choices)
    changed_on = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LevelQuerySet.as_manager()

    class Meta:
        ordering = ["changed_on", "pk"]
        indexes = [models.Index(fields=["skill", "person", "changed_on"], name="succ_change_cell_day")]


class PlanQuerySet(ViaAssetQuerySet):
    asset_path = "asset"


class CapturePlan(models.Model):
    """How one at-risk asset's know-how is passed on: who learns it, to which level, by when."""

    permission_app = "register"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="capture_plans")
    holder = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="plans_held", verbose_name=_("holder (the veteran)")
    )
    target_level = models.PositiveSmallIntegerField(
        _("target level"), choices=Level.choices, default=levels.ALONE, validators=LEVEL_VALIDATORS
    )
    started_on = models.DateField(_("started on"))
    target_on = models.DateField(_("target date"))
    note = models.TextField(_("note"), blank=True)
    signed_off_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed off by")
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    sign_off_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["target_on", "pk"]

    def __str__(self) -> str:
        return self.asset.title


class ViaPlanQuerySet(ViaAssetQuerySet):
    asset_path = "plan__asset"


class PlanSuccessor(models.Model):
    """A successor of a plan, with the level they had when the plan began (the plan line's start)."""

    permission_app = "register"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(CapturePlan, on_delete=models.CASCADE, related_name="successors")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    start_level = models.PositiveSmallIntegerField(choices=Level.choices, default=levels.NONE)

    objects = ViaPlanQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "person"], name="succ_one_successor_entry")]


class OjtSession(models.Model):
    """On-the-job training, planned or held."""

    permission_app = "register"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(CapturePlan, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    held = models.BooleanField(_("held"), default=True)
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )
    successors = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name=_("successors present"))
    covered_sealed = models.BinaryField(default=b"", editable=False)
    covered = SealedField("covered_sealed", "succession.OjtSession.covered")
    notes_sealed = models.BinaryField(default=b"", editable=False)
    notes = SealedField("notes_sealed", "succession.OjtSession.notes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ViaPlanQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "pk"]


class DocLayer(models.Model):
    """A document the plan produces: a basic SOP for all staff (社内限り) or a master document for
    key staff (秘密 / 極秘). Each has its own classification; its title is shown only to those
    the classification admits, and a linked register asset only through the register's access."""

    class Kind(models.TextChoices):
        BASIC = "basic_sop", _("Basic SOP for all staff")
        MASTER = "master", _("Master document for key staff")

    permission_app = "register"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(CapturePlan, on_delete=models.CASCADE, related_name="layers")
    kind = models.CharField(_("layer"), max_length=20, choices=Kind.choices, default=Kind.BASIC)
    title = models.CharField(_("title"), max_length=200)
    classification = models.CharField(
        _("classification"), max_length=20, choices=Asset.Classification.choices, default="internal"
    )
    document = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("register entry")
    )
    done = models.BooleanField(_("written"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ViaPlanQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "pk"]


class InterviewAnswer(models.Model):
    """The veteran's answer to one interview prompt (``prompts.PROMPTS``), per plan."""

    permission_app = "register"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(CapturePlan, on_delete=models.CASCADE, related_name="answers")
    prompt = models.CharField(max_length=40)
    answer_sealed = models.BinaryField(default=b"", editable=False)
    answer = SealedField("answer_sealed", "succession.InterviewAnswer.answer")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ViaPlanQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "prompt"], name="succ_one_answer_per_prompt")]
