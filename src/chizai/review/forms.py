from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chizai.core.validation import CleanInputMixin

TYPE_CHOICES = [
    ("auto", _("Detect automatically")),
    ("NDA", _("NDA")),
    ("MFG", _("Manufacturing / master supply")),
    ("PROTO", _("Prototype / PoC")),
    ("JRD", _("Joint R&D")),
    ("DEV", _("Commissioned development")),
    ("LIC", _("Licence")),
]
LANG_CHOICES = [("auto", _("Detect automatically")), ("ja", _("Japanese")), ("en", _("English"))]


class ReviewForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("Contract file (PDF, scanned PDF or photo, DOCX, TXT, Markdown)"), required=False)
    text = forms.CharField(label=_("…or paste the text"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    contract_type = forms.ChoiceField(label=_("Contract type"), choices=TYPE_CHOICES, initial="auto")
    sme = forms.CharField(
        label=_("Your label in the contract (Party B, Supplier …; empty = detect)"), max_length=50, required=False
    )
    lang = forms.ChoiceField(label=_("Language"), choices=LANG_CHOICES, initial="auto")
    previous = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        has_file = bool(data.get("file"))
        has_text = bool((data.get("text") or "").strip())
        if has_file == has_text:
            raise forms.ValidationError(_("Upload a file or paste the text (one of the two)."))
        return data


class DetectionChoiceForm(forms.Form):
    """The user's answer when the reviewer is unsure which party is the SME or what type
    the contract is: the review runs again with these as --sme / --type."""

    sme = forms.ChoiceField(label=_("Which party is your company?"), required=False, widget=forms.RadioSelect)
    sme_other = forms.CharField(label=_("…or type your label as the contract writes it"), max_length=50, required=False)
    contract_type = forms.ChoiceField(label=_("Contract type"), choices=TYPE_CHOICES, initial="auto")

    def __init__(self, *args, detection: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        detection = detection or {}
        parties = detection.get("parties") or []
        cast(forms.ChoiceField, self.fields["sme"]).choices = [
            (p["label"], f"{p['label']} — {p['name']}" if p.get("name") else p["label"]) for p in parties
        ]
        sme = (detection.get("sme") or {}).get("label")
        if sme:
            self.fields["sme"].initial = sme
        codes = (detection.get("types") or {}).get("codes") or []
        if "type" in (detection.get("uncertain") or []) and codes:
            self.fields["contract_type"].initial = codes[0]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        data["sme"] = (data.get("sme_other") or "").strip() or data.get("sme") or ""
        if not data["sme"] and data.get("contract_type") in (None, "", "auto"):
            raise forms.ValidationError(_("Choose your party or the contract type."))
        return data


class FeedbackForm(CleanInputMixin, forms.Form):
    """Mark a finding wrong / right (``finding``), or add a finding the reviewer missed
    (``rule_id`` and the clause ``text``); a reason either way."""

    limits = {
        "reason": "review.ReviewFeedback.reason",
        "rule_id": "review.ReviewFeedback.rule_id",
        "clause_ref": "review.ReviewFeedback.clause_ref",
    }

    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=[("wrong", _("Wrong")), ("missed", _("Missed")), ("right", _("Right"))]
    )
    finding = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=10_000)
    rule_id = forms.CharField(label=_("Rule"), required=False)
    text = forms.CharField(
        label=_("Clause text (select it in the contract or paste it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    clause_ref = forms.CharField(label=_("Clause"), required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
