"""Quotes and reading notes: what a finding relies on, and what the text did not let us read.

A rule's span is what matched, often a phrase cut mid-word; the reader needs the whole
sentence to judge it. ``attach_quotes`` gives every finding with a span the sentence(s)
around it, from the segmenter's sentence segments, so the quote is the same sentence the
HTML view shows and never starts or stops inside a word.

``reading_notes`` says what the layout hid from the reviewer (no clause numbers, OCR-like
text, a second language), in the report's language.
"""

from __future__ import annotations

import bisect
import re

from .document import Document, Finding
from .messages import msg
from .normalize import broken_lines, spaced_out

_HYPHEN_BREAK = re.compile(r"[a-z]-\n[ \t]*[a-z]")

MIN_BROKEN = 3  # hyphenated line ends; typed contracts have none, typeset PDFs a few
MAX_QUOTE = 2000  # a "sentence" longer than this has no punctuation to end it


def _widen_to_word(text: str, a: int, b: int) -> tuple[int, int]:
    """Move [a, b) outwards so it does not start or end inside a Latin word."""
    while 0 < a < len(text) and text[a - 1].isascii() and text[a - 1].isalnum() and text[a].isalnum():
        a -= 1
    while 0 < b < len(text) and text[b].isascii() and text[b].isalnum() and text[b - 1].isalnum():
        b += 1
    return a, b


def _sentence_bounds(doc: Document) -> tuple[list[int], list[tuple[int, int]]]:
    sents = sorted((s.start, s.end) for s in doc.segments if s.kind == "sentence")
    return [a for a, _ in sents], sents


def _enclosing(starts: list[int], spans: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    k = bisect.bisect_right(starts, pos) - 1
    if k >= 0 and spans[k][0] <= pos < spans[k][1]:
        return spans[k]
    return None


def _line_bounds(text: str, a: int, b: int) -> tuple[int, int]:
    """The line(s) around [a, b), trimmed: used when no sentence covers the span (a title,
    a heading, a signature line)."""
    la = text.rfind("\n", 0, a) + 1
    lb = text.find("\n", b)
    lb = len(text) if lb == -1 else lb
    while la < a and text[la] in " \t\u3000":
        la += 1
    while lb > b and text[lb - 1] in " \t\u3000":
        lb -= 1
    return la, lb


def quote_bounds(doc: Document, span: tuple[int, int], index=None) -> tuple[int, int]:
    """The whole sentence(s) containing ``span``: always inside the text, always around it."""
    text = doc.text
    n = len(text)
    a = max(0, min(span[0], n))
    b = max(a, min(span[1], n))
    starts, spans = index if index is not None else _sentence_bounds(doc)
    first = _enclosing(starts, spans, a)
    last = _enclosing(starts, spans, max(a, b - 1))
    if first is None or last is None:
        qa, qb = _line_bounds(text, a, b)
        if first is not None:
            qa = min(qa, first[0])
        if last is not None:
            qb = max(qb, last[1])
    else:
        qa, qb = first[0], last[1]
    qa, qb = min(qa, a), max(qb, b)
    if qb - qa > MAX_QUOTE:
        # no sentence end for pages (OCR, tables): keep the lines around the match instead
        qa, qb = _line_bounds(text, a, b)
        if qb - qa > MAX_QUOTE:
            qa, qb = max(0, a - MAX_QUOTE // 2), min(n, b + MAX_QUOTE // 2)
    return _widen_to_word(text, qa, qb)


def _innermost_ref(doc: Document, starts: list[int], span: tuple[int, int]) -> str | None:
    """The ref of the innermost clause segment covering ``span`` (an item inside a
    paragraph): the segments are nested, so the covering one that starts last is it."""
    a, b = span
    k = bisect.bisect_right(starts, a) - 1
    for seg in doc.segments[max(0, k - 400) : k + 1][::-1]:
        if (
            seg.kind not in ("sentence", "title", "heading", "signature")
            and not seg.is_commentary
            and seg.start <= a
            and b <= seg.end
            and seg.ref
        ):
            return seg.ref
    return None


def attach_quotes(doc: Document, findings: list[Finding]) -> None:
    """Fill ``quote`` and ``quote_span`` of every finding that has a span (in place), and
    cite the innermost clause: the rules read a paragraph with its items as one unit, so
    a match inside 「（１）」 is cited as 「第5条第2項第1号」, not 「第5条第2項」."""
    index = None
    seg_starts: list[int] = []
    for f in findings:
        if not f.span:
            continue
        if index is None:
            index = _sentence_bounds(doc)
            seg_starts = [s.start for s in doc.segments]
        qa, qb = quote_bounds(doc, f.span, index)
        f.quote_span = (qa, qb)
        f.quote = doc.text[qa:qb]
        inner = _innermost_ref(doc, seg_starts, f.span)
        if inner and f.clause and inner != f.clause and inner.startswith(f.clause):
            f.clause = inner


# ------------------------------------------------------------------ reading notes


def looks_ocr(text: str) -> bool:
    """Spaces between Japanese characters, short lines cut mid-sentence, or words
    hyphenated across lines: what OCR leaves behind."""
    return spaced_out(text) or broken_lines(text) or len(_HYPHEN_BREAK.findall(text)) >= MIN_BROKEN


# The refs structure.py gives when it finds no number to cite (messages "paragraph_ref").
_UNNUMBERED_REF = re.compile(r"^(?:前文|Preamble|第\d+段落|Paragraph \d+)$")


def has_numbering(doc: Document) -> bool:
    """True when some clause is cited by a number the text prints (an article, a
    paragraph, an item), not only by 前文 or its position."""
    return any(s.ref and not _UNNUMBERED_REF.match(s.ref) for s in doc.segments if s.kind != "sentence")


def reading_notes(doc: Document, lang: str, *, languages: list[str] | None = None) -> list[dict]:
    """``[{code, message}]``: what the report could not read as a contract is normally read."""
    notes: list[dict] = []

    def add(code: str) -> None:
        notes.append({"code": code, "message": msg(lang, "reading_" + code)})

    if languages and len(languages) > 1:
        add("bilingual")
    if not has_numbering(doc):
        add("no_numbering")
    if looks_ocr(doc.text):
        add("ocr")
    return notes
