from django import forms
from django.utils.translation import gettext_lazy as _

from chizai.core.validation import CleanInputMixin
from chizai.register.access import CLASSIFICATIONS
from chizai.register.models import Asset

FIELDS = [
    "title_ja",
    "title_en",
    "kind",
    "failed_result",
    "description",
    "origin",
    "partner_name",
    "classification",
    "protection_strategy",
    "protection_reason",
    "ts_marked",
    "ts_access_restricted",
    "ts_listed",
    "ts_useful",
    "ts_not_public",
    "business_value",
    "documented",
    "next_review",
    "right_number",
    "right_filed_on",
    "right_registered_on",
    "right_expires_on",
]


class AssetForm(CleanInputMixin, forms.ModelForm):
    limits = {"tags": "register.Asset.tags_text"}
    tags = forms.CharField(label=_("tags"), required=False, help_text=_("Separate tags with commas."))
    # Asked only when the classification goes down (極秘 → 社内限り): a lower class widens who
    # may read the asset and lets it pass the disclosure gate more easily, so it is never a slip.
    confirm_lowering = forms.BooleanField(label=_("Yes, lower the classification"), required=False)

    class Meta:
        model = Asset
        fields = FIELDS
        widgets = {
            "next_review": forms.DateInput(attrs={"type": "date"}),
            "right_filed_on": forms.DateInput(attrs={"type": "date"}),
            "right_registered_on": forms.DateInput(attrs={"type": "date"}),
            "right_expires_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "protection_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lowering: tuple[str, str] | None = None  # (from, to) names, when a confirmation is asked
        self.original_classification = self.instance.classification if self.instance and self.instance.pk else ""
        if self.instance and self.instance.pk:
            self.fields["tags"].initial = ", ".join(self.instance.tags)

    def lowers_classification(self) -> bool:
        before, after = self.original_classification, self.cleaned_data.get("classification")
        if not before or not after or before not in CLASSIFICATIONS or after not in CLASSIFICATIONS:
            return False
        return CLASSIFICATIONS.index(after) < CLASSIFICATIONS.index(before)

    def clean(self):
        cleaned = super().clean() or self.cleaned_data
        if self.lowers_classification() and not cleaned.get("confirm_lowering"):
            names = dict(Asset.Classification.choices)
            before, after = self.original_classification, cleaned["classification"]
            self.lowering = (str(names[before]), str(names[after]))
            raise forms.ValidationError(
                _(
                    "You are lowering the classification from %(before)s to %(after)s: more people will be able "
                    "to read this asset and it can be disclosed more easily. Tick the confirmation and save again."
                )
                % {"before": names[before], "after": names[after]},
                code="confirm_lowering",
            )
        return cleaned

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in FIELDS}
        data["tags"] = self.cleaned_data.get("tags", "")
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("file"))
    file_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class HolderForm(CleanInputMixin, forms.Form):
    limits = {"name": "register.Holder.name", "note": "register.Holder.note"}
    name = forms.CharField(label=_("name"), max_length=120)
    username = forms.CharField(label=_("user name (if the person has an account)"), max_length=150, required=False)
    leaves_on = forms.DateField(
        label=_("retirement / leave date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class GrantForm(CleanInputMixin, forms.Form):
    username = forms.CharField(label=_("user name"), max_length=150)


class ReclassifyForm(CleanInputMixin, forms.Form):
    classification = forms.ChoiceField(label=_("new classification"), choices=Asset.Classification.choices)
    asset_ids = forms.CharField(widget=forms.HiddenInput, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
    confirm_lowering = forms.BooleanField(
        label=_("I confirm lowering the classification where the file has a lower one"), required=False
    )


class FilterForm(CleanInputMixin, forms.Form):
    RISKS = [("", _("All")), ("high", _("High")), ("medium", _("Medium")), ("low", _("Low"))]
    q = forms.CharField(label=_("Title contains"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *Asset.Kind.choices])
    classification = forms.ChoiceField(
        label=_("Classification"), required=False, choices=[("", _("All")), *Asset.Classification.choices]
    )
    origin = forms.ChoiceField(label=_("Origin"), required=False, choices=[("", _("All")), *Asset.Origin.choices])
    risk = forms.ChoiceField(label=_("Succession risk"), required=False, choices=RISKS)
    holder = forms.CharField(label=_("Holder"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False)
    review_due = forms.BooleanField(label=_("Only assets due for review"), required=False)
    # kept across a new filter; a key outside listing.SORTS is ignored there
    sort = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
