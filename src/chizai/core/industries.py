"""Industries by code, named in the reader's language (issue 14: industries were free text
such as "精密機械加工 (precision machining)", the same two-language string on every page).

An organisation's ``industry`` holds a code from ``INDUSTRIES``. Values stored before (the
Japanese name, or "Japanese (English)") are recognised: a known name shows as its industry,
and "X (Y)" shows the part in the reader's language. Anything else is shown as entered,
marked so (``data-i18n-exempt``).
"""

from __future__ import annotations

import re

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

INDUSTRIES = {
    "precision_machining": _("Precision machining"),
    "die_and_mould": _("Die and mould making"),
    "industrial_machinery": _("Industrial machinery"),
    "metal_products": _("Metal products"),
    "plastic_moulding": _("Plastic moulding"),
    "fine_ceramics": _("Fine ceramics"),
    "electronic_components": _("Electronic components"),
    "automotive_parts": _("Automotive parts"),
    "chemicals": _("Chemicals"),
    "food": _("Food manufacturing"),
    "textiles": _("Textiles"),
    "software": _("Software and IT services"),
    "ip_support": _("IP management support"),
    "other": _("Other industry"),
}
# The Japanese names as they were typed before codes (matched, never shown from here).
JAPANESE_NAMES = {
    "精密機械加工": "precision_machining",
    "金型製造": "die_and_mould",
    "金型": "die_and_mould",
    "産業機械": "industrial_machinery",
    "金属製品": "metal_products",
    "樹脂成形": "plastic_moulding",
    "ファインセラミックス": "fine_ceramics",
    "電子部品": "electronic_components",
    "自動車部品": "automotive_parts",
    "化学": "chemicals",
    "食品製造": "food",
    "繊維": "textiles",
    "ソフトウェア": "software",
    "知財経営支援": "ip_support",
}
# "Japanese (English)": a Japanese name with its English in brackets
_BOTH = re.compile(r"^(?P<ja>[^()]*[\u3040-\u30ff\u3400-\u9fff][^()]*?)\s*\((?P<en>[ -~]+)\)$")


def choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(code, str(name)) for code, name in INDUSTRIES.items()]


def code_of(value: str) -> str | None:
    """The industry code a stored value stands for, if it is one we know."""
    value = (value or "").strip()
    if value in INDUSTRIES:
        return value
    match = _BOTH.match(value)
    return JAPANESE_NAMES.get(match["ja"].strip() if match else value)


def name(value: str) -> tuple[str, bool]:
    """(the industry in the reader's language, whether it is text shown as entered)."""
    code = code_of(value)
    if code is not None:
        return str(INDUSTRIES[code]), False
    match = _BOTH.match((value or "").strip())
    if match:
        english = (get_language() or "ja").startswith("en")
        return (match["en"] if english else match["ja"]).strip(), True
    return value or "", True


def html(value: str) -> SafeString:
    text, entered = name(value)
    if entered:
        return format_html("<span data-i18n-exempt>{}</span>", text)
    return format_html("{}", text)
