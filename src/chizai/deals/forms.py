from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chizai.core.validation import CleanInputMixin
from chizai.deals.models import (
    ConsiderationItem,
    Contact,
    ContributionEntry,
    Deal,
    NegotiationPoint,
    Party,
    Stakeholder,
)
from chizai.disclosure.models import Partner
from chizai.register.models import Asset

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DealForm(CleanInputMixin, forms.Form):
    """A plain form (not a ModelForm) because the partner may be a new one, created by the
    service only when the rest is valid."""

    limits = {"title": "deals.Deal.title", "new_partner": "disclosure.Partner.name_ja", "summary": "deals.Deal.summary"}

    title = forms.CharField(label=_("Title"), max_length=200)
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), label=_("Partner"), required=False)
    new_partner = forms.CharField(label=_("…or a new partner (name in Japanese)"), max_length=200, required=False)
    new_partner_kind = forms.ChoiceField(
        label=_("Kind of the new partner"), choices=Partner.Kind.choices, initial=Partner.Kind.TIER1, required=False
    )
    kind = forms.ChoiceField(label=_("Type"), choices=Deal.Kind.choices, initial=Deal.Kind.JOINT_RD)
    stage = forms.ChoiceField(label=_("Stage"), choices=Deal.Stage.choices, initial=Deal.Stage.PREPARING)
    next_meeting = forms.DateField(label=_("Next formal meeting"), required=False, widget=DATE)
    summary = forms.CharField(
        label=_("What the deal is about"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, partners=None, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    name: getattr(instance, name)
                    for name in ("title", "partner", "kind", "stage", "next_meeting", "summary")
                },
            )
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["partner"])
        field.queryset = partners if partners is not None else Partner.objects.none()
        field.label_from_instance = lambda partner: partner.display_name  # type: ignore[method-assign,assignment]
        # names and texts as the user entered them (the pages' language check, issue 14)
        for name in ("partner", "summary"):
            self.fields[name].widget.attrs["data-i18n-exempt"] = ""

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("partner") and not (data.get("new_partner") or "").strip():
            raise forms.ValidationError(_("Choose a partner or name a new one."))
        return data


class DraftForm(CleanInputMixin, forms.Form):
    limits = {"note": "deals.DealDraft.note"}

    file = forms.FileField(label=_("Contract draft (PDF with text, DOCX, TXT, Markdown)"), required=False)
    text = forms.CharField(label=_("…or paste the text"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    from_party = forms.ChoiceField(label=_("Drafted by"), choices=Party.choices, initial=Party.THEIRS)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    sme = forms.CharField(
        label=_("Our label in the contract (Party B, Supplier …; empty = detect)"), max_length=50, required=False
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if bool(data.get("file")) == bool((data.get("text") or "").strip()):
            raise forms.ValidationError(_("Upload a file or paste the text (one of the two)."))
        return data


class PointForm(CleanInputMixin, forms.ModelForm):
    class Meta:
        model = NegotiationPoint
        fields = [
            "title",
            "clause",
            "our_position",
            "our_ask",
            "fallback",
            "give_in_return",
            "counterparty_position",
            "agreed_wording",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("our_ask", "fallback", "give_in_return", "counterparty_position", "agreed_wording")
        }


class StatusForm(CleanInputMixin, forms.Form):
    limits = {"agreed_wording": "deals.NegotiationPoint.agreed_wording"}

    status = forms.ChoiceField(label=_("New status"), choices=NegotiationPoint.Status.choices)
    agreed_wording = forms.CharField(
        label=_("Agreed wording"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class StakeholderForm(CleanInputMixin, forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = ["side", "name", "role", "stance", "influence", "consult_before_meeting", "consulted_on", "notes"]
        widgets = {"consulted_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}


class ContactForm(CleanInputMixin, forms.ModelForm):
    limits = {"followup_text": "deals.FollowUp.text", "followup_owner": "deals.FollowUp.owner"}

    consulted = forms.BooleanField(
        label=_("This was the prior consultation (nemawashi) with these people"), required=False
    )
    followup_text = forms.CharField(label=_("Follow-up"), max_length=300, required=False)
    followup_owner = forms.CharField(label=_("Who"), max_length=120, required=False)
    followup_due = forms.DateField(label=_("Due"), required=False, widget=DATE)

    class Meta:
        model = Contact
        fields = ["kind", "held_on", "stakeholders", "said"]
        widgets = {
            "held_on": DATE,
            "said": forms.Textarea(attrs={"rows": 3}),
            "stakeholders": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, deal=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["stakeholders"])
        field.queryset = deal.stakeholders.all() if deal else Stakeholder.objects.none()


class ContributionForm(CleanInputMixin, forms.ModelForm):
    # Not a model field: the service seals the upload (register.sealed) into the entry's evidence columns.
    evidence_file = forms.FileField(label=_("evidence file"), required=False)

    class Meta:
        model = ContributionEntry
        fields = [
            "party",
            "kind",
            "made_on",
            "description",
            "value",
            "valuation_basis",
            "failed_run",
            "evidence_asset",
            "evidence_file",
            "evidence_note",
        ]
        widgets = {"made_on": DATE}

    def __init__(self, *args, assets=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["evidence_asset"])
        field.queryset = assets if assets is not None else Asset.objects.none()


class WeightsForm(forms.Form):
    agreed = forms.BooleanField(label=_("The parties have agreed on these weights"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in ContributionEntry.Kind.choices:
            self.fields[kind] = forms.DecimalField(label=label, min_value=0, max_digits=8, decimal_places=3)
        self.order_fields([*ContributionEntry.Kind.values, "agreed"])


class ItemForm(CleanInputMixin, forms.ModelForm):
    class Meta:
        model = ConsiderationItem
        fields = [
            "category",
            "item_kind",
            "title",
            "included",
            "method",
            "quantity",
            "unit_price",
            "rate_percent",
            "base_yen",
            "rate_basis",
            "amount_yen",
            "cost_yen",
            "margin_percent",
            "savings_yen",
            "share_percent",
            "assumptions",
        ]
        widgets = {"rate_basis": forms.Textarea(attrs={"rows": 2}), "assumptions": forms.Textarea(attrs={"rows": 2})}


class AssetsForm(forms.Form):
    assets: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Assets involved"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, assets=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assets"]).queryset = assets


class DisclosuresForm(forms.Form):
    disclosures: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Disclosures involved"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, disclosures=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["disclosures"]).queryset = disclosures
