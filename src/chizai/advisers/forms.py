from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chizai.advisers.models import ActionItem, Referral, SkillHandover, VisitLog
from chizai.advisers.services import SKILLS, skill_label
from chizai.core.models import prefecture_choices
from chizai.core.validation import CleanInputMixin

DATE = forms.DateInput(attrs={"type": "date"})


class PortfolioFilterForm(CleanInputMixin, forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    prefecture = forms.ChoiceField(label=_("Prefecture"), required=False, choices=prefecture_choices)
    industry = forms.CharField(label=_("Industry"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    desc = forms.BooleanField(required=False, widget=forms.HiddenInput)


class EngagementRecordForm(CleanInputMixin, forms.Form):
    limits = {"scope": "advisers.EngagementRecord.scope", "topics": "advisers.EngagementRecord.topics"}

    scope = forms.CharField(
        label=_("Scope"), widget=forms.Textarea(attrs={"rows": 2, "data-i18n-exempt": ""}), required=False
    )
    started_on = forms.DateField(label=_("Started on"), widget=DATE)
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE, required=False)
    hours_planned = forms.DecimalField(label=_("Hours planned"), min_value=0, max_digits=6, decimal_places=1, initial=0)
    topics = forms.CharField(
        label=_("Topics"), required=False, max_length=400, help_text=_("Separate topics with commas.")
    )


class ActionForm(CleanInputMixin, forms.Form):
    limits = {"title": "advisers.ActionItem.title"}

    title = forms.CharField(label=_("Action item"), max_length=300)
    side = forms.ChoiceField(label=_("Who"), choices=ActionItem.Side.choices)
    due_on = forms.DateField(label=_("Due on"), widget=DATE, required=False)


class VisitForm(CleanInputMixin, forms.Form):
    limits = {"summary": "advisers.VisitLog.summary"}

    visited_on = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitLog.Kind.choices)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_digits=5, decimal_places=1, initial=1)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2, "data-i18n-exempt": ""}), required=False
    )
    next_contact_on = forms.DateField(label=_("Next contact"), widget=DATE, required=False)


class SkillForm(forms.Form):
    # a callable: each skill by its name in the reader's language, computed per request
    skill = forms.ChoiceField(label=_("Skill"), choices=lambda: [(k, skill_label(k)) for k in SKILLS])
    level = forms.TypedChoiceField(label=_("Level"), coerce=int, choices=SkillHandover.Level.choices)


class ReferralForm(CleanInputMixin, forms.Form):
    limits = {"reason": "advisers.Referral.reason"}

    programme: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Programme"), queryset=None)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes


class OutcomeForm(CleanInputMixin, forms.Form):
    limits = {"note": "advisers.Referral.outcome_note"}

    referral = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Referral.Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ProgrammeForm(CleanInputMixin, forms.Form):
    limits = {
        name: f"advisers.SupportProgramme.{name}"
        for name in ("key", "name_ja", "name_en", "description_ja", "description_en", "url", "prefecture")
    }

    key = forms.SlugField(label=_("Key"), max_length=60)
    name_ja = forms.CharField(label=_("Name (Japanese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    description_ja = forms.CharField(
        label=_("Description (Japanese)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    url = forms.URLField(label=_("Web address"), required=False, assume_scheme="https")
    prefecture = forms.CharField(label=_("Prefecture"), max_length=10, required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        from chizai.advisers.models import SupportProgramme

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = SupportProgramme.Kind.choices
