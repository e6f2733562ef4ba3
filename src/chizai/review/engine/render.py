"""Render reports as text, JSON, HTML or PDF.

JSON is exactly ``Report.to_dict()`` (a list for several files) — the stable
interface documented in docs/review.md. HTML and PDF need the reviewed document
(``Report.document``) to show the contract text; without it they show findings only.
"""

from __future__ import annotations

import html
import io
import json
import os
import re

from chizai import pdfkit

from .document import Report
from .messages import msg
from .feedback import explain_why

FORMATS = ("text", "json", "html", "pdf")
FONT_FILE = pdfkit.FONT_FILE  # the font and its registration live in chizai.pdfkit (shared by every report)
FONT_NAME = pdfkit.FONT_NAME

_ANSI = {
    "HIGH": "\033[1;31m",
    "MEDIUM": "\033[33m",
    "LOW": "\033[36m",
    "bold": "\033[1m",
    "dim": "\033[2m",
    "reset": "\033[0m",
}
_COLOURS = {"HIGH": "#c62828", "MEDIUM": "#ef6c00", "LOW": "#1565c0"}


def render(reports: Report | list[Report], fmt: str = "text", *, color: bool = False) -> str | bytes:
    """Dispatch on ``fmt``; PDF returns bytes, the others str."""
    items = reports if isinstance(reports, list) else [reports]
    if fmt == "text":
        return render_text(items, color=color)
    if fmt == "json":
        return render_json(reports)
    if fmt == "html":
        return render_html(items)
    if fmt == "pdf":
        return render_pdf(items)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


# ---------------------------------------------------------------------------- text


def render_text(reports: list[Report], *, color: bool = False) -> str:
    def c(key: str, s: str) -> str:
        return f"{_ANSI[key]}{s}{_ANSI['reset']}" if color else s

    out: list[str] = []
    for r in reports:
        lang = r.language
        out.append(c("bold", f"== {msg(lang, 'report_title')}: {r.file}"))
        out.append(r.summary)
        for line in _detection_note(r):
            out.append(c("MEDIUM", f"! {line}"))
        for w in _warnings(r):
            out.append(c("dim", f"! {w}"))
        for note in r.reading:
            out.append(c("MEDIUM", f"! {note['message']}"))
        out.append("")
        if r.findings:
            out.append(c("bold", msg(lang, "heading_findings")))
            for i, f in enumerate(r.findings, 1):
                sev = c(f.severity, f"[{msg(lang, 'severity_' + f.severity)}]")
                out.append(f"{i:>2}. {sev} {f.rule_id} {f.title} — {_clause_label(f, lang)}")
                for quoted in _quotes(f):
                    before, match, after = (re.sub(r"\s+", " ", x) for x in _shorten(*quoted[1:]))
                    hl = c("bold", match) if color else ("【" + match + "】" if lang == "ja" else "»" + match + "«")
                    joined = (before + hl + after).strip()
                    out.append(f"    「{joined}」" if lang == "ja" else f'    "{joined}"')
                out.append(f"    {msg(lang, 'label_reason')}: {f.reason}")
                out.append(f"    {msg(lang, 'label_why')}: {explain_why(f.why, lang, f.rule_id)}")
                if f.balanced:
                    out.append(f"    {msg(lang, 'label_balanced')}: {f.balanced}")
                if f.question:
                    out.append(f"    {msg(lang, 'label_question')}: {f.question}")
                if f.basis:
                    out.append(c("dim", f"    {msg(lang, 'label_basis')}: {', '.join(f.basis)}"))
            out.append("")
        if r.checklist:
            out.append(c("bold", msg(lang, "heading_checklist")))
            for item in r.checklist:
                mark = {"present": "✓", "missing": "✗", "weak": "△"}.get(item.status, "?")
                status = msg(lang, "status_" + item.status)
                line = f"  {mark} {item.id} {item.item}: {status}" + (f" ({item.clause})" if item.clause else "")
                out.append(c("HIGH", line) if item.status == "missing" and color else line)
            out.append("")
        out.append(c("dim", r.disclaimer))
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------- json


def render_json(reports: Report | list[Report]) -> str:
    data = [r.to_dict() for r in reports] if isinstance(reports, list) else reports.to_dict()
    return json.dumps(data, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------------------- html

_CSS = """
body{font-family:"Hiragino Sans","Noto Sans CJK JP","Yu Gothic",Meiryo,sans-serif;margin:0;color:#222;background:#fafafa}
header{padding:12px 20px;background:#263238;color:#fff}
h1{font-size:1.2em;margin:0}
.report{margin:16px 20px 40px}
.summary{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:10px 14px;border-radius:6px}
.cols{display:flex;gap:16px;align-items:flex-start;margin-top:14px}
.text{flex:1 1 55%;background:#fff;border:1px solid #ddd;padding:12px;white-space:pre-wrap;line-height:1.7;max-height:80vh;overflow:auto;font-size:.92em}
.findings{flex:1 1 45%}
.finding{background:#fff;border:1px solid #ddd;border-left:6px solid #999;padding:8px 12px;margin-bottom:10px;border-radius:4px}
.finding.HIGH{border-left-color:#c62828}.finding.MEDIUM{border-left-color:#ef6c00}.finding.LOW{border-left-color:#1565c0}
.sev{font-weight:bold;padding:0 6px;border-radius:3px;color:#fff}
.sev.HIGH{background:#c62828}.sev.MEDIUM{background:#ef6c00}.sev.LOW{background:#1565c0}
mark.HIGH{background:#ffcdd2}mark.MEDIUM{background:#ffe0b2}mark.LOW{background:#bbdefb}
mark{padding:0 1px}
.commentary{color:#888}
table{border-collapse:collapse;background:#fff;margin-top:10px}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:.92em}
.missing{color:#c62828;font-weight:bold}.weak{color:#ef6c00}.present{color:#2e7d32}
.warning{color:#8d6e00;font-size:.9em;margin:4px 0}
.reading-note{background:#e3f2fd;border:1px solid #64b5f6;padding:6px 10px;border-radius:4px;margin:6px 0}
.detection-note{background:#fff8e1;border:1px solid #ffb300;padding:6px 10px;border-radius:4px;margin:6px 0}
.disclaimer{white-space:pre-wrap;margin-top:16px;font-size:.85em;color:#555;border-top:1px solid #ccc;padding-top:8px}
dt{font-weight:bold;font-size:.85em;color:#555;margin-top:4px}dd{margin:0 0 0 10px}
@media (max-width:900px){.cols{flex-direction:column}}
"""


def _warnings(r: Report) -> list[str]:
    """Extraction notes (encoding guessed, pages without text) worth showing the reader."""
    doc = r.document
    return list(getattr(doc, "warnings", None) or [])


def _detection_note(r: Report) -> list[str]:
    """The note asking the reader to confirm an uncertain SME party or contract type."""
    return list((r.detection or {}).get("note") or [])


def _clause_label(f, lang: str) -> str:
    """「第5条」, or 「第5条 / Article 5」 when the other language's version says the same."""
    own = f.clause or msg(lang, "no_clause")
    other = (f.parallel or {}).get("clause")
    return f"{own} / {other}" if other and other != f.clause else own


def _quotes(f) -> list[tuple[str, str, str, str]]:
    """(label key, before, match, after) of the finding's sentence, then of its
    other-language version; the match alone for reports stored before quotes existed."""
    out = []
    for key, d in (
        ("label_quote", {"quote": f.quote, "quote_span": f.quote_span, "span": f.span, "text": f.text}),
        ("label_parallel", f.parallel or {}),
    ):
        quote, qs, span = d.get("quote"), d.get("quote_span"), d.get("span")
        if quote and qs and span and qs[0] <= span[0] <= span[1] <= qs[1]:
            a, b = span[0] - qs[0], span[1] - qs[0]
            out.append((key, quote[:a], quote[a:b], quote[b:]))
        elif d.get("text"):
            out.append((key, "", d["text"], ""))
    return out


def _shorten(before: str, match: str, after: str, limit: int = 240) -> tuple[str, str, str]:
    """Keep a long sentence readable around the match, cutting only at white space or
    Japanese punctuation so no word is cut in half."""
    room = max(0, limit - len(match)) // 2
    if len(before) > room:
        cut = len(before) - room
        k = min((i for i in (before.find(ch, cut) for ch in " 、。,") if i != -1), default=-1)
        before = "…" + before[k + 1 :] if k != -1 else before
    if len(after) > room:
        k = max(after.rfind(ch, 0, room) for ch in " 、。,")
        after = after[: k + 1] + "…" if k > 0 else after
    return before, match, after


def _e(s) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def _highlighted_text(r: Report) -> str:
    doc = r.document
    if doc is None:
        return ""
    text = doc.text
    spans = []
    for i, f in enumerate(r.findings):
        # a bilingual finding marks both versions of the clause; "p" keeps the ids unique
        for span, suffix in ((f.span, ""), ((f.parallel or {}).get("span"), "p")):
            if span and 0 <= span[0] < span[1] <= len(text):
                spans.append((span[0], span[1], i, f.severity, suffix))
    spans.sort()
    # commentary is greyed so the reader sees it is not reviewed
    comm = [(s.start, s.end) for s in doc.segments if s.is_commentary and s.parent is None]
    marks: list[tuple[int, int, str]] = []  # (pos, order, html) insert points
    last_end = -1
    for start, end, i, sev, suffix in spans:
        if start < last_end:
            continue  # overlapping spans: the first (most severe order) wins
        marks.append((start, 1, f'<mark class="{sev}" id="t{i}{suffix}" title="{_e(r.findings[i].rule_id)}">'))
        marks.append((end, 0, "</mark>"))
        last_end = end
    for start, end in comm:
        marks.append((start, 2, '<span class="commentary">'))
        marks.append((end, -1, "</span>"))
    marks.sort(key=lambda m: (m[0], m[1]))
    out = []
    pos = 0
    for p, _order, tag in marks:
        out.append(_e(text[pos:p]))
        pos = p
        out.append(tag)
    out.append(_e(text[pos:]))
    return "".join(out)


def render_html(reports: list[Report]) -> str:
    lang = reports[0].language if reports else "en"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(msg(lang, 'report_title'))}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{_e(msg(lang, 'report_title'))}</h1></header>",
    ]
    for r in reports:
        L = r.language
        parts.append('<section class="report">')
        parts.append(f"<h2>{_e(os.path.basename(r.file))}</h2>")
        parts.append(
            f"<p>{_e(msg(L, 'label_language'))}: {_e(r.language)} · {_e(msg(L, 'label_type'))}: "
            f"{_e(', '.join(r.contract_type))} · {_e(msg(L, 'label_sme'))}: {_e(r.sme_party or '-')} · "
            f"{_e(msg(L, 'label_elapsed'))}: {r.elapsed_ms:.0f} ms</p>"
        )
        parts.append(f'<h3>{_e(msg(L, "heading_summary"))}</h3><div class="summary">{_e(r.summary)}</div>')
        for line in _detection_note(r):
            parts.append(f'<p class="detection-note" role="note">{_e(line)}</p>')
        for w in _warnings(r):
            parts.append(f'<p class="warning">{_e(w)}</p>')
        for note in r.reading:
            parts.append(f'<p class="reading-note" role="note">{_e(note["message"])}</p>')
        parts.append('<div class="cols">')
        if r.document is not None:
            parts.append(f'<div class="text"><h3>{_e(msg(L, "heading_contract"))}</h3>{_highlighted_text(r)}</div>')
        parts.append(f'<div class="findings"><h3>{_e(msg(L, "heading_findings"))} ({len(r.findings)})</h3>')
        for i, f in enumerate(r.findings):
            parts.append(f'<div class="finding {_e(f.severity)}">')
            parts.append(
                f'<div><span class="sev {_e(f.severity)}">{_e(msg(L, "severity_" + f.severity))}</span> '
                f"<b>{_e(f.rule_id)}</b> {_e(f.title)} — "
                + (f'<a href="#t{i}">{_e(_clause_label(f, L))}</a>' if f.span else _e(_clause_label(f, L)))
                + "</div><dl>"
            )
            for key, before, match, after in _quotes(f):
                parts.append(
                    f'<dt>{_e(msg(L, key))}</dt><dd class="quote">{_e(before)}'
                    f'<mark class="{_e(f.severity)}">{_e(match)}</mark>{_e(after)}</dd>'
                )
            parts.append(f"<dt>{_e(msg(L, 'label_reason'))}</dt><dd>{_e(f.reason)}</dd>")
            parts.append(
                f'<dt>{_e(msg(L, "label_why"))}</dt><dd class="why">{_e(explain_why(f.why, L, f.rule_id))}</dd>'
            )
            if f.balanced:
                parts.append(f"<dt>{_e(msg(L, 'label_balanced'))}</dt><dd>{_e(f.balanced)}</dd>")
            if f.question:
                parts.append(f"<dt>{_e(msg(L, 'label_question'))}</dt><dd>{_e(f.question)}</dd>")
            if f.basis:
                parts.append(f"<dt>{_e(msg(L, 'label_basis'))}</dt><dd>{_e(', '.join(f.basis))}</dd>")
            parts.append("</dl></div>")
        parts.append("</div></div>")
        if r.checklist:
            parts.append(
                f"<h3>{_e(msg(L, 'heading_checklist'))}</h3><table><tr><th>ID</th><th>{_e(msg(L, 'label_item'))}</th>"
                f"<th>{_e(msg(L, 'label_status'))}</th><th>{_e(msg(L, 'label_clause'))}</th></tr>"
            )
            for c in r.checklist:
                parts.append(
                    f'<tr><td>{_e(c.id)}</td><td>{_e(c.item)}</td><td class="{_e(c.status)}">'
                    f"{_e(msg(L, 'status_' + c.status))}</td><td>{_e(c.clause or '')}</td></tr>"
                )
            parts.append("</table>")
        parts.append(f'<div class="disclaimer"><b>{_e(msg(L, "heading_disclaimer"))}</b><br>{_e(r.disclaimer)}</div>')
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------- pdf


def render_pdf(reports: list[Report]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

    styles = pdfkit.styles()
    base, h1, h2, small = styles["base"], styles["h1"], styles["h2"], styles["small"]
    quote = ParagraphStyle(
        "quote", parent=base, leftIndent=8, textColor=colors.HexColor("#444444"), backColor=colors.HexColor("#f3f3f3")
    )

    def p(s: str, style=base) -> Paragraph:
        return pdfkit.paragraph(s, style)

    story: list[Flowable] = []
    for n, r in enumerate(reports):
        L = r.language
        if n:
            story.append(PageBreak())
        story.append(p(f"{msg(L, 'report_title')}: {os.path.basename(r.file)}", h1))
        story.append(p(r.summary))
        for line in _detection_note(r):
            story.append(p(line, quote))
        for note in r.reading:
            story.append(p(note["message"], quote))
        story.append(Spacer(1, 4 * mm))
        if r.findings:
            story.append(p(msg(L, "heading_findings"), h2))
            for i, f in enumerate(r.findings, 1):
                sev = ParagraphStyle(
                    f"sev{i}", parent=base, textColor=colors.HexColor(_COLOURS.get(f.severity, "#000000"))
                )
                story.append(
                    p(f"{i}. [{msg(L, 'severity_' + f.severity)}] {f.rule_id} {f.title} — {_clause_label(f, L)}", sev)
                )
                for quoted in _quotes(f):
                    before, match, after = (
                        html.escape(x).replace("\n", "<br/>") for x in _shorten(*quoted[1:], limit=600)
                    )
                    story.append(Paragraph(f"{before}<u><b>{match}</b></u>{after}", quote))
                story.append(p(f"{msg(L, 'label_reason')}: {f.reason}"))
                story.append(p(f"{msg(L, 'label_why')}: {explain_why(f.why, L, f.rule_id)}"))
                if f.balanced:
                    story.append(p(f"{msg(L, 'label_balanced')}: {f.balanced}"))
                if f.question:
                    story.append(p(f"{msg(L, 'label_question')}: {f.question}"))
                if f.basis:
                    story.append(p(f"{msg(L, 'label_basis')}: {', '.join(f.basis)}", small))
                story.append(Spacer(1, 2 * mm))
        if r.checklist:
            story.append(p(msg(L, "heading_checklist"), h2))
            rows = [[p("ID"), p(msg(L, "label_item")), p(msg(L, "label_status")), p(msg(L, "label_clause"))]]
            for c in r.checklist:
                rows.append([p(c.id), p(c.item), p(msg(L, "status_" + c.status)), p(c.clause or "")])
            t = Table(rows, colWidths=[22 * mm, 90 * mm, 22 * mm, 40 * mm], repeatRows=1)
            t.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(t)
        story.append(Spacer(1, 5 * mm))
        story.append(p(msg(L, "heading_disclaimer"), h2))
        story.append(p(r.disclaimer, small))
    buf = io.BytesIO()
    doc = pdfkit.a4_document(buf, title=msg(reports[0].language if reports else "en", "report_title"))
    doc.build(story)
    return buf.getvalue()
