from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chizai.core.validation import CleanInputMixin, text_error
from chizai.disclosure.models import Agreement, Disclosure, DisclosureRecipient, Partner, Stage
from chizai.disclosure.picker import asset_label, version_label

DATE = forms.DateInput(attrs={"type": "date"})


def _kind_choices():
    from chizai.register.models import Asset

    return Asset.Kind.choices


def mark_names_as_entered(*fields: forms.Field) -> None:
    """Partner names and agreement titles in a select: shown in the reader's language where an
    English name exists, and marked as data shown as entered (the pages' language check)."""
    for field in fields:
        field.widget.attrs["data-i18n-exempt"] = ""
        if isinstance(field, forms.ModelChoiceField):
            field.label_from_instance = _display_label  # type: ignore[method-assign]


def _display_label(obj) -> str:
    if hasattr(obj, "display_name"):  # a partner
        return obj.display_name
    if hasattr(obj, "partner"):  # an agreement
        return f"{obj.type} {obj.partner.display_name} ({obj.title})"
    return str(obj)


class PartnerForm(CleanInputMixin, forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name_ja", "name_en", "kind", "country", "corporate_number", "is_large_company", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2, "data-i18n-exempt": ""})}


class ContactForm(CleanInputMixin, forms.Form):
    limits = {name: f"disclosure.PartnerContact.{name}" for name in ("name", "department", "email", "phone")}

    name = forms.CharField(label=_("name"), max_length=120)
    department = forms.CharField(label=_("department"), max_length=120, required=False)
    email = forms.EmailField(label=_("e-mail"), required=False)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)


class AgreementForm(CleanInputMixin, forms.ModelForm):
    purpose_stages = forms.MultipleChoiceField(
        label=_("purposes covered"), choices=Stage.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label=_("categories of information covered (none = all)"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    file = forms.FileField(label=_("Contract file (reviewed on upload)"), required=False)

    class Meta:
        model = Agreement
        fields = [
            "partner",
            "title",
            "type",
            "direction",
            "status",
            "signed_on",
            "effective_on",
            "expires_on",
            "term_months",
            "survival_months",
            "decision_due_on",
            "purpose",
            "purpose_stages",
            "categories",
            "permitted_recipients",
            "return_duty",
            "return_days",
            "certificate_required",
            "return_terms",
            "notes",
        ]
        widgets = {
            "signed_on": DATE,
            "effective_on": DATE,
            "expires_on": DATE,
            "decision_due_on": DATE,
            # the agreement's own wording and notes as entered (the pages' language check, issue 14)
            "purpose": forms.Textarea(attrs={"rows": 2, "data-i18n-exempt": ""}),
            "permitted_recipients": forms.Textarea(attrs={"rows": 2, "data-i18n-exempt": ""}),
            "return_terms": forms.Textarea(attrs={"rows": 2, "data-i18n-exempt": ""}),
            "notes": forms.Textarea(attrs={"rows": 2, "data-i18n-exempt": ""}),
        }

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["categories"]).choices = _kind_choices()
        if partners is not None:
            cast(forms.ModelChoiceField, self.fields["partner"]).queryset = partners
        mark_names_as_entered(self.fields["partner"])


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("signed on"), widget=DATE)
    effective_on = forms.DateField(label=_("effective from"), widget=DATE, required=False)
    expires_on = forms.DateField(label=_("expires on"), widget=DATE, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Contract file (PDF with text, DOCX, TXT, Markdown)"))


class DisclosureForm(CleanInputMixin, forms.Form):
    limits = {
        "description": "disclosure.DisclosureItem.description",
        "purpose": "disclosure.Disclosure.purpose",
        "minutes": "disclosure.Disclosure.minutes",
        "note": "disclosure.Disclosure.note",
        "override_reason": "disclosure.Disclosure.override_reason",
    }

    partner = forms.ModelChoiceField(label=_("partner"), queryset=Partner.objects.none())
    agreement = forms.ModelChoiceField(
        label=_("agreement (empty = the best fitting one)"), queryset=Agreement.objects.none(), required=False
    )
    stage = forms.ChoiceField(label=_("stage"), choices=Stage.choices)
    purpose = forms.CharField(label=_("purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    method = forms.ChoiceField(label=_("method"), choices=Disclosure.Method.choices)
    disclosed_on = forms.DateField(label=_("date"), widget=DATE)
    versions = forms.MultipleChoiceField(
        label=_("file versions"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    assets = forms.MultipleChoiceField(
        label=_("assets shown without a file (oral, visit, sample)"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=_("or describe what was disclosed"), required=False, max_length=300)
    recipients = forms.CharField(
        label=_("recipients (one per line: name, e-mail)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.CharField(
        label=_("minutes (what was shown or said)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    return_due_on = forms.DateField(label=_("return / destruction due"), widget=DATE, required=False)
    override_reason = forms.CharField(
        label=_("override reason (owner only)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, partners, agreements, versions, assets, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["partner"]).queryset = partners
        cast(forms.ModelChoiceField, self.fields["agreement"]).queryset = agreements
        mark_names_as_entered(self.fields["partner"], self.fields["agreement"])
        cast(forms.ChoiceField, self.fields["versions"]).choices = [(str(v.pk), version_label(v)) for v in versions]
        cast(forms.ChoiceField, self.fields["assets"]).choices = [(str(a.pk), asset_label(a)) for a in assets]

    def clean_recipients(self) -> str:
        value = self.cleaned_data["recipients"]
        for entry in _recipients(value):
            message = text_error(entry["name"], max_length=DisclosureRecipient._meta.get_field("name").max_length)
            if message:
                raise forms.ValidationError(f"{entry['name'][:40]}…: {message}")
        return value

    def recipient_list(self) -> list[dict]:
        return _recipients(self.cleaned_data["recipients"])


def _recipients(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if parts and parts[0]:
            out.append({"name": parts[0], "email": parts[1] if len(parts) > 1 and "@" in parts[1] else ""})
    return out


class ReasonForm(CleanInputMixin, forms.Form):
    limits = {"reason": "disclosure.Disclosure.override_reason"}

    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    return_requested_on = forms.DateField(label=_("return requested on"), widget=DATE, required=False)
    returned_on = forms.DateField(label=_("returned on"), widget=DATE, required=False)
    destroyed_on = forms.DateField(label=_("destruction confirmed on"), widget=DATE, required=False)
    certificate_received_on = forms.DateField(label=_("certificate received on"), widget=DATE, required=False)


class TraceForm(forms.Form):
    file = forms.FileField(label=_("A copy found somewhere (PDF or zip)"))
