"""The PDF toolkit of every report chizai writes (the contract review, the deal annex and
brief, the disclosure dossier and watermarked copies, the adviser's diagnostic): the
embedded Japanese font, the A4 page template and the shared paragraph styles.

Why here, at the top of the package: the pure review engine (``chizai.review.engine``, no
Django import) renders PDFs too, so the toolkit must not import Django either, and no app
should reach into another app's folder for the font. Like ``chizai.safearchive``, this is a
plain module that the engine and the apps both import.

reportlab is imported inside the functions, not at the top: importing the engine (and the
``chizai`` command) must not pay for loading reportlab when no PDF is made.

The font is IPAexGothic (IPA Font License v1.0, next to the file). It ships in the engine's
``fonts/`` folder because the engine is usable on its own; this module is the one place
that knows where. reportlab subsets TrueType fonts on embedding, so a PDF carries only the
glyphs it uses, not the whole 6 MB font.
"""

from __future__ import annotations

import html
import threading
from pathlib import Path

FONT_NAME = "IPAexGothic"
FONT_FILE = Path(__file__).resolve().parent / "review" / "engine" / "fonts" / "ipaexg.ttf"

_register_lock = threading.Lock()


def japanese_font() -> str:
    """Register IPAexGothic with reportlab once per process; its font name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _register_lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE)))
    return FONT_NAME


def styles() -> dict:
    """The paragraph styles of the A4 reports: ``base`` (9.5 pt, lines wrapped the Japanese
    way), ``h1``, ``h2`` and ``small`` (grey), all in the Japanese font."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("base", fontName=japanese_font(), fontSize=9.5, leading=14, alignment=TA_LEFT, wordWrap="CJK")
    return {
        "base": base,
        "h1": ParagraphStyle("h1", parent=base, fontSize=15, leading=20, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=17, spaceBefore=8, spaceAfter=4),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#555555")),
    }


def paragraph(text, style):
    """Plain text as a reportlab Paragraph: markup escaped, line breaks kept."""
    from reportlab.platypus import Paragraph

    return Paragraph(html.escape(str(text or "")).replace("\n", "<br/>"), style)


def a4_document(buffer, *, title: str, side_margin_mm: float = 16, author: str = "chizai"):
    """The page template of the reports: A4 portrait, 16 mm top and bottom margins."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=side_margin_mm * mm,
        rightMargin=side_margin_mm * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=author,
    )
