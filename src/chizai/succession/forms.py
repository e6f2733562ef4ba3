from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chizai.core.validation import CleanInputMixin
from chizai.register.models import Asset
from chizai.succession import levels, prompts
from chizai.succession.models import DocLayer, Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonForm(CleanInputMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "team", "leaves_on"]
        widgets = {"leaves_on": DATE}
        labels = {"name": _("Name"), "team": _("Team"), "leaves_on": _("Retirement / leave date")}


class AddSkillForm(forms.Form):
    asset = forms.ModelChoiceField(queryset=Asset.objects.none(), label=_("Asset to put on the map"))

    def __init__(self, *args, assets=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["asset"]).queryset = (
            assets if assets is not None else Asset.objects.none()
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Skills map (.xlsx)"))


class PlanForm(CleanInputMixin, forms.Form):
    limits = {"note": "succession.CapturePlan.note"}

    holder = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Holder (the veteran)"))
    successors = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), label=_("Successors"), widget=forms.CheckboxSelectMultiple
    )
    target_level = forms.TypedChoiceField(
        label=_("Target level"),
        coerce=int,
        choices=[(levels.ALONE, _("2: can do alone")), (levels.TEACH, _("3: can teach"))],
        initial=levels.ALONE,
    )
    started_on = forms.DateField(label=_("Starts on"), widget=DATE)
    target_on = forms.DateField(label=_("Target date"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("holder", "successors"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = (
                people if people is not None else Person.objects.none()
            )


class SessionForm(CleanInputMixin, forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    held = forms.BooleanField(label=_("Held (untick for a planned session)"), required=False, initial=True)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_value=24, decimal_places=1, max_digits=4)
    covered = forms.CharField(label=_("What was covered"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(
        label=_("The veteran's notes"), max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LayerForm(CleanInputMixin, forms.Form):
    limits = {"title": "succession.DocLayer.title"}

    kind = forms.ChoiceField(label=_("Layer"), choices=DocLayer.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Asset.Classification.choices, initial=Asset.Classification.INTERNAL
    )
    document = forms.ModelChoiceField(queryset=Asset.objects.none(), label=_("Register entry"), required=False)
    done = forms.BooleanField(label=_("Written"), required=False)

    def __init__(self, *args, assets=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["document"])
        field.queryset = assets if assets is not None else Asset.objects.none()


def _answer_fields() -> dict:
    return {
        prompt.key: forms.CharField(
            label=cast(str, prompt.text), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 3})
        )
        for prompt in prompts.PROMPTS
    }


# One text area per interview prompt; built from the data so a new prompt needs no form change.
AnswersForm = type("AnswersForm", (CleanInputMixin, forms.Form), _answer_fields())
