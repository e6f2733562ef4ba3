"""The diagnostic report the client keeps: a bilingual (ja/en) PDF made with reportlab.

Japanese needs an embedded font: ``chizai.pdfkit`` registers IPAexGothic (one file for every
report) and gives the A4 page template.
"""

from __future__ import annotations

import io
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Line, Polygon, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from chizai import pdfkit
from chizai.advisers import diagnostic as diag


def _styles():
    font = pdfkit.japanese_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=13),
        "small": ParagraphStyle("small", fontName=font, fontSize=7.5, leading=10, textColor=colors.grey),
    }


def _radar(scores: dict, previous: dict | None, size: float = 90 * mm) -> Drawing:
    drawing = Drawing(size, size)
    areas = diag.areas()
    c = size / 2
    radius = size * 0.30

    def pts(values):
        # reportlab's y axis points up, SVG's down: mirror y to draw the same chart
        flat = []
        for x, y in diag.radar_points(values, c, c, radius):
            flat += [x, size - y]
        return flat

    for ring in (25, 50, 75, 100):
        drawing.add(Polygon(pts([ring] * len(areas)), fillColor=None, strokeColor=colors.lightgrey, strokeWidth=0.5))
    outer = diag.radar_points([100] * len(areas), c, c, radius)
    for (x, y), area in zip(outer, areas, strict=False):
        drawing.add(Line(c, c, x, size - y, strokeColor=colors.lightgrey, strokeWidth=0.5))
        lx, ly = c + (x - c) * 1.25, size - (c + (y - c) * 1.15)
        anchor: Literal["middle", "start", "end"] = "middle" if abs(lx - c) < 3 else ("start" if lx > c else "end")
        drawing.add(String(lx, ly, area["ja"], fontName=pdfkit.japanese_font(), fontSize=6.5, textAnchor=anchor))
    if previous:
        drawing.add(
            Polygon(
                pts([previous.get(a["id"]) or 0 for a in areas]),
                fillColor=None,
                strokeColor=colors.grey,
                strokeWidth=0.8,
                strokeDashArray=[3, 2],
            )
        )
    drawing.add(
        Polygon(
            pts([scores.get(a["id"]) or 0 for a in areas]),
            fillColor=colors.Color(0.12, 0.39, 0.78, 0.25),
            strokeColor=colors.Color(0.12, 0.39, 0.78),
            strokeWidth=1.2,
        )
    )
    return drawing


def diagnostic_pdf(client, item, previous=None) -> bytes:
    s = _styles()
    levels = {lv["value"]: lv for lv in diag.catalogue()["levels"]}
    buffer = io.BytesIO()
    doc = pdfkit.a4_document(
        buffer, title=f"知財経営診断 / IP management diagnostic — {client.name_ja}", side_margin_mm=18
    )
    story = [
        Paragraph("知財経営診断 報告書 / IP management diagnostic report", s["title"]),
        Paragraph(escape(f"{client.name_ja}" + (f" / {client.name_en}" if client.name_en else "")), s["h2"]),
        Paragraph(
            escape(
                f"実施日 / Date: {item.conducted_on:%Y-%m-%d}　　総合 / Overall: {item.overall} / 100"
                + (f"　　前回 / Previous ({previous.conducted_on:%Y-%m-%d}): {previous.overall}" if previous else "")
            ),
            s["body"],
        ),
        Spacer(1, 4 * mm),
        _radar(item.scores, previous.scores if previous else None),
        Paragraph("実線: 今回、破線: 前回 / solid: this diagnostic, dashed: the previous one", s["small"]),
        Paragraph("分野別の点数 / Scores by area", s["h2"]),
    ]
    rows = [
        [
            Paragraph("分野 / Area", s["body"]),
            Paragraph("点数 / Score", s["body"]),
            Paragraph("前回 / Previous", s["body"]),
        ]
    ]
    for area in diag.areas():
        current = item.scores.get(area["id"])
        before = previous.scores.get(area["id"]) if previous else None
        rows.append(
            [
                Paragraph(escape(f"{area['ja']} / {area['en']}"), s["body"]),
                Paragraph("—" if current is None else str(current), s["body"]),
                Paragraph("—" if before is None else str(before), s["body"]),
            ]
        )
    table = Table(rows, colWidths=[110 * mm, 30 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    story.append(Paragraph("回答と根拠 / Answers and evidence", s["h2"]))
    for area in diag.areas():
        story.append(Paragraph(escape(f"{area['ja']} / {area['en']}"), s["body"]))
        rows = []
        for question in area["questions"]:
            answer = item.answers.get(question["id"])
            level = levels.get(answer["value"]) if answer else None
            level_text = f"{answer['value']} {level['ja']} / {level['en']}" if level else "未回答 / not answered"
            evidence = answer.get("evidence", "") if answer else ""
            if answer and answer.get("prefilled"):
                evidence = f"[chizai] {evidence}"
            rows.append(
                [
                    Paragraph(escape(f"{question['ja']}\n{question['en']}").replace("\n", "<br/>"), s["body"]),
                    Paragraph(escape(level_text), s["body"]),
                    Paragraph(escape(evidence), s["body"]),
                ]
            )
        t = Table(rows, colWidths=[75 * mm, 35 * mm, 64 * mm])
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [t, Spacer(1, 2 * mm)]
    if item.notes:
        story += [Paragraph("所見 / Notes", s["h2"]), Paragraph(escape(item.notes).replace("\n", "<br/>"), s["body"])]
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            "[chizai] の付いた根拠は chizai に記録された情報から提案されたものです。/ Evidence marked [chizai] was proposed "
            "from what chizai records about the firm. この報告書は法的助言ではありません。/ This report is not legal advice.",
            s["small"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
