"""What extraction gives the reviewer: the text and what the file held besides it. A module
of its own so that each format's reader (extract_docx.py, ocr.py's callers) can build one
without importing the dispatcher in extract.py."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
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


_captured: contextvars.ContextVar[list[ExtractedText] | None] = contextvars.ContextVar("chizai_extracted", default=None)


@contextlib.contextmanager
def capturing() -> Iterator[list[ExtractedText]]:
    """Collect every ``ExtractedText`` that ``extract.extract_text`` returns inside the block.

    The web side keeps what a file held besides its text (the OCR layout, a redline's
    changes) while the engine's ``load_document`` hands on only the text; a context variable,
    like ``ocr.reporting``, so no layer in between has to pass it along.
    """
    found: list[ExtractedText] = []
    token = _captured.set(found)
    try:
        yield found
    finally:
        _captured.reset(token)


def captured(result: ExtractedText) -> ExtractedText:
    """Hand ``result`` to the innermost ``capturing()`` block, if any; returns it."""
    found = _captured.get()
    if found is not None:
        found.append(result)
    return result
