"""The 30-second summary and the disclaimer of a stored review in the reader's language.

The engine writes both in the contract's language when it reviews (report["summary"],
report["disclaimer"], which the exports keep). The review page instead rebuilds them from the
stored report in the language of the person reading: the same message templates
(engine.messages), the rule titles and checklist items from the catalogue in that language.
What comes from the contract itself (its file name, the party label, clause numbers) is
marked as such: the file name as data shown as entered, the party and clause labels with the
contract's own ``lang``.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from chizai.review.engine.messages import msg
from chizai.review.engine.pipeline import build_summary
from chizai.review.engine.rules_data import checklist_text, finding_texts
from chizai.review.forms import TYPE_CHOICES
from chizai.review.models import ContractReview

TOP = 3
TYPE_NAMES = dict(TYPE_CHOICES)  # contract types by name (lazy: in the language active when shown)


def _line(lang: str, key: str, **parts) -> str:
    """One message template in ``lang`` with its parts (already escaped or marked) filled in."""
    return str(conditional_escape(msg(lang, key))).format(**{k: conditional_escape(v) for k, v in parts.items()})


def _type_names(codes: list[str], lang: str) -> str:
    with translation.override(lang):
        return ", ".join(str(TYPE_NAMES.get(code, code)) for code in codes) or "-"


def summary_html(review: ContractReview, lang: str) -> SafeString:
    """The summary of ``review`` in ``lang``, one line per <br>, as the engine lays it out."""
    report = review.report or {}
    source = report.get("language") or review.language or "ja"
    quoted = (lambda text: format_html('<span lang="{}">{}</span>', source, text)) if source != lang else str
    findings = report.get("findings") or []
    counts = {"HIGH": 0, "MEDIUM": 0, "LOW": 0}
    for f in findings:
        counts[f.get("severity", "")] = counts.get(f.get("severity", ""), 0) + 1
    file_name = format_html("<span data-i18n-exempt>{}</span>", report.get("file") or review.filename)
    sme = report.get("sme_party")
    lines = [
        _line(lang, "summary_head", file=file_name),
        _line(
            lang,
            "summary_type",
            types=_type_names(report.get("contract_type") or [], lang),
            sme=quoted(sme) if sme else msg(lang, "summary_sme_unknown"),
        ),
        _line(
            lang, "summary_counts", total=len(findings), high=counts["HIGH"], medium=counts["MEDIUM"], low=counts["LOW"]
        ),
    ]
    if findings:
        lines.append(_line(lang, "summary_top"))
        for n, f in enumerate(findings[:TOP], 1):
            title = (finding_texts(f.get("rule_id", ""), lang) or {}).get("title")
            lines.append(
                _line(
                    lang,
                    "summary_top_item",
                    n=n,
                    severity=msg(lang, f"severity_{f.get('severity', '')}"),
                    title=title if title else quoted(f.get("title", "")),
                    clause=quoted(f["clause"]) if f.get("clause") else msg(lang, "no_clause"),
                )
            )
    else:
        lines.append(_line(lang, "summary_none"))
    checklist = report.get("checklist") or []
    missing = [c for c in checklist if c.get("status") in ("missing", "weak")]
    if missing:
        sep = "、" if lang == "ja" else "; "
        wrap = "{}（{}）" if lang == "ja" else "{} ({})"
        items = sep.join(
            wrap.format(
                conditional_escape(checklist_text(c.get("id", ""), lang) or quoted(c.get("item", ""))),
                conditional_escape(msg(lang, "status_" + c["status"])),
            )
            for c in missing
        )
        lines.append(str(conditional_escape(msg(lang, "summary_missing"))).format(items=items))
    elif checklist:
        lines.append(_line(lang, "summary_missing_none"))
    return mark_safe("<br>".join(lines))  # noqa: S308 — every part is escaped or built by format_html above


def disclaimer(lang: str) -> str:
    """The legal caveat in the reader's language (the exports carry it in both)."""
    return msg(lang, "disclaimer")


def localize_report(report, lang: str):
    """An engine Report (services.report_object) made to read in one language, ``lang``, for the
    HTML and PDF exports: the rule texts and checklist items from the catalogue in ``lang``
    (a rule the catalogue does not hold keeps its stored texts), the labels (the renderers
    follow ``report.language``), the summary rebuilt and the disclaimer in ``lang`` only. The
    contract's own words (quotes, clause numbers, party labels) stay as written."""
    for finding in report.findings:
        texts = finding_texts(finding.rule_id, lang)
        if texts:
            finding.title, finding.reason = texts["title"], texts["reason"]
            finding.balanced, finding.question = texts["balanced"], texts["question"]
    for item in report.checklist:
        item.item = checklist_text(item.id, lang) or item.item
    report.language = lang
    report.summary = build_summary(report)
    report.disclaimer = disclaimer(lang)
    return report
