"""Review texts in the reader's language, for the templates: ``{% load review_text %}``."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

from chizai.review import summary
from chizai.review.feedback import SEVERITY_LABELS
from chizai.review.forms import LANG_CHOICES, TYPE_CHOICES
from chizai.review.engine.rules_data import finding_texts

register = template.Library()


def _reader() -> str:
    return "ja" if (get_language() or "").startswith("ja") else "en"


@register.simple_tag
def review_summary(review):
    """The review's 30-second summary rebuilt in the reader's language (review/summary.py)."""
    return summary.summary_html(review, _reader())


@register.simple_tag
def review_disclaimer():
    return summary.disclaimer(_reader())


@register.simple_tag
def finding_title(finding: dict, contract_lang: str = ""):
    """A stored finding's title in the reader's language from the catalogue; a rule the
    catalogue does not hold keeps its stored title, marked with the contract's language."""
    title = (finding_texts(finding.get("rule_id", ""), _reader()) or {}).get("title")
    if title:
        return title
    if contract_lang and contract_lang != _reader():
        return format_html('<span lang="{}">{}</span>', contract_lang, finding.get("title", ""))
    return finding.get("title", "")


@register.simple_tag
def finding_text(finding: dict, name: str, contract_lang: str = ""):
    """A stored finding's reason, balanced wording or question in the reader's language."""
    text = (finding_texts(finding.get("rule_id", ""), _reader()) or {}).get(name)
    if text:
        return text
    if contract_lang and contract_lang != _reader():
        return format_html('<span lang="{}">{}</span>', contract_lang, finding.get(name, ""))
    return finding.get(name, "")


@register.simple_tag
def severity_label(code: str) -> str:
    """HIGH / MEDIUM / LOW by name in the reader's language."""
    return str(SEVERITY_LABELS.get(code, code))


@register.simple_tag
def contract_type_names(codes):
    """Contract types by name in the reader's language, each code in a tooltip (NDA, MFG …)."""
    names = dict(TYPE_CHOICES)
    return format_html_join(", ", '<abbr title="{}">{}</abbr>', ((code, names.get(code, code)) for code in codes or []))


@register.simple_tag
def language_name(code: str) -> str:
    """A contract's language (ja / en) by name in the reader's language."""
    return str(dict(LANG_CHOICES).get(code, code))
