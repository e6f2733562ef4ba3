from django import forms
from django.utils.translation import gettext_lazy as _

TYPE_CHOICES = [("auto", _("Detect automatically")), ("NDA", _("NDA (秘密保持契約)")), ("MFG", _("Manufacturing / master supply")),
                ("PROTO", _("Prototype / PoC")), ("JRD", _("Joint R&D")), ("DEV", _("Commissioned development")), ("LIC", _("Licence"))]
LANG_CHOICES = [("auto", _("Detect automatically")), ("ja", _("Japanese")), ("en", _("English"))]


class ReviewForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("Contract file (PDF with text, DOCX, TXT, Markdown)"), required=False)
    text = forms.CharField(label=_("…or paste the text"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    contract_type = forms.ChoiceField(label=_("Contract type"), choices=TYPE_CHOICES, initial="auto")
    sme = forms.CharField(label=_("Your label in the contract (乙, 甲, Supplier …; empty = detect)"), max_length=50, required=False)
    lang = forms.ChoiceField(label=_("Language"), choices=LANG_CHOICES, initial="auto")
    previous = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        has_file = bool(data.get("file"))
        has_text = bool((data.get("text") or "").strip())
        if has_file == has_text:
            raise forms.ValidationError(_("Upload a file or paste the text (one of the two)."))
        return data
