"""The deal's documents: the quotation annex (PDF or DOCX) and the negotiation brief (PDF).

Labels go through gettext under ``translation.override(lang)``, so the Japanese and the
English document come from the same code and the app's catalogues. The PDFs use
``chizai.pdfkit`` (embedded IPAexGothic, subset by reportlab; page template and styles), so
they open anywhere.
"""

from __future__ import annotations

import io
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _

from chizai import pdfkit
from chizai.core.exports import deep_clean
from chizai.deals import ledger, services
from chizai.deals.models import ConsiderationItem, Deal, NegotiationPoint, Party, Stakeholder
from chizai.pdfkit import paragraph as _p
from chizai.pdfkit import styles as _pdf_styles


def yen(amount: int) -> str:
    return f"¥{amount:,}"


def _num(value) -> str:
    return f"{value.normalize():,f}" if value is not None else "—"


def method_detail(item: ConsiderationItem) -> str:
    """How the line's amount is reached, written out (the assumptions in numbers)."""
    m = item.method
    if m == "price":
        return f"{_num(item.quantity)} × ¥{_num(item.unit_price)}"
    if m == "royalty":
        return _("%(rate)s %% × base ¥%(base)s") % {"rate": _num(item.rate_percent), "base": _num(item.base_yen)}
    if m == "lump_sum":
        return _("lump sum")
    if m == "cost":
        return _("cost ¥%(cost)s + margin %(margin)s %%") % {
            "cost": _num(item.cost_yen),
            "margin": _num(item.margin_percent),
        }
    if m == "savings":
        return _("%(share)s %% of savings ¥%(savings)s") % {
            "share": _num(item.share_percent),
            "savings": _num(item.savings_yen),
        }
    return _("not handed over")


def _title(deal: Deal) -> str:
    partner = deal.partner
    name = partner.name_en if translation.get_language() == "en" and partner.name_en else partner.name_ja
    org = deal.organization
    own = org.name_en if translation.get_language() == "en" and org.name_en else org.name_ja
    return f"{deal.title} — {own} / {name}"


def annex_content(deal: Deal) -> dict:
    """Everything the annex says, as plain strings (shared by the PDF and the DOCX)."""
    from chizai.deals.services import worksheet_rows

    rows, totals = worksheet_rows(deal)
    goods = [(i, y) for i, y in rows if i.category == "goods" and i.included and i.method != "none"]
    knowledge = [(i, y) for i, y in rows if i.category == "knowledge" and i.included and i.method != "none"]
    excluded = [i for i, _y in rows if not i.included or i.method == "none"]
    return {
        "title": _("Quotation annex: price of deliverables and consideration for IP and know-how"),
        "deal": _title(deal),
        "date": date.today().isoformat(),
        "goods": [(i.title, i.get_item_kind_display(), method_detail(i), yen(y), i.assumptions) for i, y in goods],
        "knowledge": [
            (
                i.title,
                i.get_item_kind_display(),
                method_detail(i),
                yen(y),
                "\n".join(
                    s
                    for s in (
                        i.rate_basis and _("Basis for the rate: %(basis)s") % {"basis": i.rate_basis},
                        i.assumptions,
                    )
                    if s
                ),
            )
            for i, y in knowledge
        ],
        "total_goods": yen(totals.goods),
        "total_knowledge": yen(totals.knowledge),
        "included": [f"{i.title} ({i.get_item_kind_display()})" for i, _y in knowledge],
        "excluded": [f"{i.title} ({i.get_item_kind_display()})" for i in excluded],
        "excluded_rule": _(
            "Nothing that is not listed above as included — no patent or other right, know-how, "
            "processing condition, drawing or data — is assigned or licensed under this quotation. "
            "The price of the goods does not include any consideration for intellectual property or know-how."
        ),
        "rounding": _(
            "Each line is rounded down to whole yen; totals are the sums of the rounded lines. "
            "Goods and knowledge are priced separately. Amounts exclude consumption tax."
        ),
    }


def _table(header: list[str], rows: list[list[str]], widths, styles):
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    data = [[_p(h, styles["base"]) for h in header]] + [[_p(c, styles["base"]) for c in row] for row in rows]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _build_pdf(story, title: str) -> bytes:
    buf = io.BytesIO()
    doc = pdfkit.a4_document(buf, title=title)
    doc.build(story)
    return buf.getvalue()


def annex_pdf(deal: Deal, lang: str) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    with translation.override(lang):
        c = annex_content(deal)
        s = _pdf_styles()
        head = [_("Item"), _("Kind of item"), _("Method"), _("Amount"), _("Assumptions")]
        story = [
            _p(c["title"], s["h1"]),
            _p(c["deal"], s["base"]),
            _p(c["date"], s["small"]),
            Spacer(1, 4 * mm),
            _p(_("1. Goods (deliverables)"), s["h2"]),
            _table(
                head,
                [list(r) for r in c["goods"]] + [[_("Total for goods"), "", "", c["total_goods"], ""]],
                [40, 25, 40, 25, 48],
                s,
            ),
            _p(_("2. Consideration for IP and know-how"), s["h2"]),
            _table(
                head,
                [list(r) for r in c["knowledge"]] + [[_("Total for knowledge"), "", "", c["total_knowledge"], ""]],
                [40, 25, 40, 25, 48],
                s,
            ),
            _p(_("3. Rights included"), s["h2"]),
        ]
        story += [_p(f"• {line}", s["base"]) for line in c["included"]] or [_p(_("None"), s["base"])]
        story.append(_p(_("4. Rights not included"), s["h2"]))
        story += [_p(f"• {line}", s["base"]) for line in c["excluded"]]
        story += [_p(c["excluded_rule"], s["base"]), Spacer(1, 4 * mm), _p(c["rounding"], s["small"])]
        return _build_pdf(story, c["title"])


def annex_docx(deal: Deal, lang: str) -> bytes:
    import docx

    with translation.override(lang):
        c = deep_clean(annex_content(deal))  # a NUL stored before input was checked must not break the file
        document = docx.Document()
        document.add_heading(c["title"], level=1)
        document.add_paragraph(c["deal"])
        document.add_paragraph(c["date"])
        head = [_("Item"), _("Kind of item"), _("Method"), _("Amount"), _("Assumptions")]
        for heading, rows, total_label, total in (
            (_("1. Goods (deliverables)"), c["goods"], _("Total for goods"), c["total_goods"]),
            (_("2. Consideration for IP and know-how"), c["knowledge"], _("Total for knowledge"), c["total_knowledge"]),
        ):
            document.add_heading(heading, level=2)
            table = document.add_table(rows=1, cols=len(head))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, head, strict=False):
                cell.text = text
            for row in list(rows) + [(total_label, "", "", total, "")]:
                for cell, text in zip(table.add_row().cells, row, strict=False):
                    cell.text = str(text)
        document.add_heading(_("3. Rights included"), level=2)
        for line in c["included"] or [_("None")]:
            document.add_paragraph(line, style="List Bullet")
        document.add_heading(_("4. Rights not included"), level=2)
        for line in c["excluded"]:
            document.add_paragraph(line, style="List Bullet")
        document.add_paragraph(c["excluded_rule"])
        document.add_paragraph(c["rounding"])
        buf = io.BytesIO()
        document.save(buf)
        return buf.getvalue()


def brief_content(deal: Deal, viewer=None) -> dict:
    """What the negotiation brief says (strings), in the active language."""
    points = list(deal.points.all())
    lang = translation.get_language() or "ja"
    must = [p for p in points if p.our_position == NegotiationPoint.Position.MUST]
    open_points = [p for p in points if p.status == NegotiationPoint.Status.OPEN]
    latest = services.latest_draft(deal)
    questions, seen = [], set()
    for p in open_points:
        if p.question and p.question not in seen:
            questions.append(p.question)
            seen.add(p.question)
    if latest is not None and latest.review.status == "done":
        for f in latest.review.findings:
            q = f.get("question")
            if q and q not in seen:
                questions.append(q)
                seen.add(q)
    people = list(deal.stakeholders.all())
    _rows, totals = services.worksheet_rows(deal)
    share = ledger.deal_shares(deal)
    changes = services.draft_changes(deal)
    last_change = changes[-1] if changes and changes[-1]["diff"] else None
    return {
        "title": _("Negotiation brief"),
        "deal": _title(deal),
        "facts": f"{deal.get_kind_display()} · {deal.get_stage_display()} · "
        + (
            _("next meeting %(date)s") % {"date": deal.next_meeting.isoformat()}
            if deal.next_meeting
            else _("no meeting date set")
        ),
        "must": [
            [p.title, p.our_ask, p.fallback or "—", p.give_in_return or "—", p.get_status_display()] for p in must
        ],
        "open": [
            [
                p.title,
                p.get_our_position_display(),
                p.counterparty_position or "—",
                "\n".join(f"{s.suggestion}: {s.example}" for s in services.measurable_prompts(p, lang)) or "—",
            ]
            for p in open_points
        ],
        "people": [
            [
                p.get_side_display(),
                p.name,
                p.role,
                p.get_stance_display(),
                p.get_influence_display(),
                (p.consulted_on.isoformat() if p.consulted_on else _("to consult"))
                if p.consult_before_meeting
                else "—",
            ]
            for p in sorted(people, key=lambda p: (p.side != Party.OURS, p.name))
        ],
        "followups": [
            f"{f.text} ({f.owner or '—'}, {f.due_on.isoformat() if f.due_on else '—'})"
            for f in deal.followups.filter(done_at__isnull=True)
        ],
        "goods": yen(totals.goods),
        "knowledge": yen(totals.knowledge),
        "shares": [
            f"{Party(k).label if k in Party.values else k}: {(v * 100).quantize(v.__class__('0.01'))} %"
            for k, v in share.shares.items()
        ]
        if deal.contributions.exists()
        else [],
        "questions": questions,
        "appeared": [f"{f['rule_id']} {f['title']}" for f in last_change["diff"]["appeared"]] if last_change else [],
        "gone": [f"{f['rule_id']} {f['title']}" for f in last_change["diff"]["gone"]] if last_change else [],
        "assets": [a.title for a in services.visible_assets(viewer, deal)] if viewer is not None else [],
        "stance_note": _(
            "Stakeholders marked 'to consult' have not been consulted before the meeting yet (nemawashi)."
        ),
    }


def stakeholder_drawing(people, width: float = 500, height: float = 260):
    """The stakeholder map for the PDF, from the same layout as the web SVG."""
    from reportlab.graphics.shapes import Circle, Drawing, Rect, String
    from reportlab.lib import colors

    from chizai.deals import chart

    font = pdfkit.japanese_font()
    labels = {**dict(Stakeholder.Stance.choices), **dict(Stakeholder.Influence.choices)}
    left, top = 70, 20
    cell_w = (width - 80) / len(chart.STANCES)
    cell_h = (height - 50) / len(chart.INFLUENCES)
    drawing = Drawing(width, height)
    flip = lambda y: height - y  # noqa: E731 - reportlab's origin is bottom-left, the layout's top-left
    for i, stance in enumerate(chart.STANCES):
        for j in range(len(chart.INFLUENCES)):
            drawing.add(
                Rect(
                    left + i * cell_w,
                    flip(top + (j + 1) * cell_h),
                    cell_w,
                    cell_h,
                    # types-reportlab declares Rect's **kw without Unpack[...]
                    fillColor=colors.HexColor("#f7f7f7" if (i + j) % 2 else "#ffffff"),  # type: ignore[arg-type]
                    strokeColor=colors.HexColor("#cccccc"),  # type: ignore[arg-type]
                )
            )
        drawing.add(
            String(
                left + i * cell_w + cell_w / 2, 8, str(labels[stance]), fontName=font, fontSize=8, textAnchor="middle"
            )
        )
    for j, influence in enumerate(reversed(chart.INFLUENCES)):
        drawing.add(String(2, flip(top + j * cell_h + cell_h / 2), str(labels[influence]), fontName=font, fontSize=8))
    for spot in chart.stakeholder_layout(people, int(width), int(height)):
        x, y = spot["x"], flip(spot["y"] - 4)
        if spot["pending"]:
            drawing.add(Circle(x, y, 7, fillColor=None, strokeColor=colors.HexColor("#c0392b"), strokeDashArray=[2, 2]))
        drawing.add(
            Circle(
                x, y, 3.5, fillColor=colors.HexColor(chart.SIDE_COLOURS.get(spot["side"], "#555555")), strokeColor=None
            )
        )
        drawing.add(String(x + 9, y - 3, spot["name"], fontName=font, fontSize=8))
    return drawing


def brief_pdf(deal: Deal, lang: str, viewer=None) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    with translation.override(lang):
        c = brief_content(deal, viewer)
        s = _pdf_styles()

        def bullets(lines):
            return [_p(f"• {line}", s["base"]) for line in lines] or [_p(_("None"), s["base"])]

        story = [
            _p(c["title"], s["h1"]),
            _p(c["deal"], s["base"]),
            _p(c["facts"], s["small"]),
            Spacer(1, 3 * mm),
            _p(_("Our must-haves and fallbacks"), s["h2"]),
        ]
        story.append(
            _table(
                [_("Point"), _("What we ask for"), _("Fallback"), _("What we can give in return"), _("Status")],
                c["must"],
                [38, 42, 36, 36, 26],
                s,
            )
            if c["must"]
            else _p(_("None"), s["base"])
        )
        story.append(_p(_("Open points"), s["h2"]))
        story.append(
            _table(
                [_("Point"), _("Our position"), _("Counterparty's stated position"), _("Make it measurable")],
                c["open"],
                [44, 24, 50, 60],
                s,
            )
            if c["open"]
            else _p(_("None"), s["base"])
        )
        if c["appeared"] or c["gone"]:
            story.append(_p(_("Since the previous draft"), s["h2"]))
            story += [_p(_("New findings"), s["base"])] + bullets(c["appeared"])
            story += [_p(_("Findings that went away"), s["base"])] + bullets(c["gone"])
        story.append(_p(_("Stakeholders"), s["h2"]))
        people = list(deal.stakeholders.all())
        if people:
            story.append(stakeholder_drawing(people))
            story.append(
                _p(
                    _(
                        "Left to right: opposed to champion; bottom to top: influence. Blue: our side, orange: the "
                        "counterparty; a dashed red ring: still to consult before the formal meeting."
                    ),
                    s["small"],
                )
            )
        story.append(
            _table(
                [_("Side"), _("Name"), _("Role"), _("Stance"), _("Influence"), _("Consulted")],
                c["people"],
                [24, 32, 44, 26, 20, 32],
                s,
            )
            if c["people"]
            else _p(_("None"), s["base"])
        )
        story.append(_p(c["stance_note"], s["small"]))
        story.append(_p(_("Open follow-ups"), s["h2"]))
        story += bullets(c["followups"])
        story.append(_p(_("Consideration summary"), s["h2"]))
        story.append(
            _p(
                _("Goods (deliverables): %(goods)s · Knowledge (IP and know-how): %(knowledge)s — priced separately.")
                % {"goods": c["goods"], "knowledge": c["knowledge"]},
                s["base"],
            )
        )
        if c["shares"]:
            story.append(_p(_("Contribution shares: %(shares)s") % {"shares": ", ".join(c["shares"])}, s["base"]))
        if c["assets"]:
            story.append(_p(_("Assets involved"), s["h2"]))
            story += bullets(c["assets"])
        story.append(_p(_("Questions to ask"), s["h2"]))
        story += bullets(c["questions"])
        return _build_pdf(story, c["title"])
