"""What extraction gives the reviewer: the text and what the file held besides it. A module
of its own so that each format's reader (extract_docx.py, ocr.py's callers) can build one
without importing the dispatcher in extract.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ocr


@dataclass
class ExtractedText:
    text: str
    warnings: list[str] = field(default_factory=list)
    pages: int | None = None
    format: str = "text"  # pdf, docx, text, markdown
    # What a Word redline holds besides its accepted text (extract_docx.py); empty otherwise.
    # revisions: [{kind: inserted|deleted, text, author, date, move, offset, paragraph}]
    revisions: list[dict] = field(default_factory=list)
    # comments: [{id, author, date, text, anchor, offset}]; headers: [{kind: header|footer, text}]
    comments: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    # A scan read by OCR (ocr.py): every page's lines with word boxes and confidence.
    ocr: ocr.OcrResult | None = None
