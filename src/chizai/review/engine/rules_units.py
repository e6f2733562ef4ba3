"""Clause units of the rules engine: the smallest non-sentence segments, never longer than
LONG_UNIT characters, with the article text each may draw on, and spans mapped back to
the original text."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .document import Document, Segment


@dataclass
class Unit:
    idx: int  # position in the unit list
    seg: Segment
    norm: str
    low: str  # lower-cased norm, for the literal prefilter
    ref: str | None
    article: str | None
    start: int  # offset in the joined string
    _subject: str | None = field(default=None, repr=False)


def clause_units(doc: Document) -> list[Segment]:
    """Smallest non-sentence clause segments: the "same clause" of NEAR().

    Sentences are folded into their parent so that a carve-out in the next sentence
    (「ただし、…この限りでない」) still sits in the same unit as the trigger.
    """
    segs = doc.segments
    parents = {s.parent for s in segs if s.parent is not None}
    # an annex numbered into terms («A2. …», «B3. …») is read term by term: its own lead-in is
    # not a reason to read the whole annex as one clause
    itemised = {s.parent for s in segs if s.parent is not None and s.kind != "sentence"}
    chosen: dict[int, Segment] = {}
    for i, s in enumerate(segs):
        if s.is_commentary or s.kind in ("title", "signature", "commentary", "heading"):
            continue
        if i in parents:
            continue
        if s.kind == "sentence" and s.parent is not None and 0 <= s.parent < len(segs):
            p = segs[s.parent]
            if p.is_commentary:
                continue
            if p.kind == "annex" and s.parent in itemised:
                chosen.setdefault(i, s)
                continue
            chosen.setdefault(s.parent, p)
            continue
        chosen.setdefault(i, s)
    return [chosen[k] for k in sorted(chosen)]


LONG_UNIT = 4000  # characters; beyond this a "clause" is a segmentation failure
LOCAL = 1500  # …and NEAR looks this far either side of the trigger instead
CHUNK = 1200  # characters; the size an oversized block is cut into


def split_oversized(doc: Document, segs: list[Segment]) -> list[Segment]:
    """Units of at most LONG_UNIT characters.

    A longer "clause" is a segmentation failure (numbering the segmenter did not see, a
    schedule pasted as one paragraph, OCR text without breaks). Read as one clause, NEAR
    would join words pages apart, and every pattern would scan the whole block once per
    rule. Such a block is cut at sentence ends and blank lines into pieces of about
    CHUNK characters, each keeping the block's reference.
    """
    out: list[Segment] = []
    for s in segs:
        off = seg_norm_offset(doc, s) if len(s.norm) > LONG_UNIT else None
        if off is None:
            out.append(s)
            continue
        n = s.norm
        cuts = {m.end() for m in BREAK.finditer(n)}
        pieces: list[tuple[int, int]] = []
        start = prev = 0
        for c in sorted(cuts | {len(n)}):
            if c - start > CHUNK and prev > start:
                pieces.append((start, prev))
                start = prev
            prev = c
        pieces.append((start, len(n)))
        for a, b in pieces:
            while b - a > LONG_UNIT:  # no break at all: cut at a space
                sp = n.rfind(" ", a + CHUNK // 2, a + CHUNK)
                cut = sp + 1 if sp > 0 else a + CHUNK
                out.append(piece(doc, s, off, a, cut))
                a = cut
            out.append(piece(doc, s, off, a, b))
    return out


# the end of a sentence (not of an abbreviation such as "Inc." or "U.S.": the next word starts
# a sentence), or a blank line; never a semicolon or colon, which join a lead-in to its list
BREAK = re.compile(r"(?<=[。．！？])|(?<=[a-z0-9)\]][.!?])[\"”’]?\s+(?=[A-Z0-9(\"“])|\n\s*\n")


def piece(doc: Document, s: Segment, off: int, a: int, b: int) -> Segment:
    o_start, o_end = doc.norm_span_to_orig(off + a, off + b)
    return Segment(
        kind=s.kind,
        start=o_start,
        end=o_end,
        text=doc.text[o_start:o_end],
        norm=s.norm[a:b],
        ref=s.ref,
        article=f"{s.article or s.ref}@{a}",
        heading=s.heading,
        parent=s.parent,
        is_commentary=s.is_commentary,
    )


def article_contexts(units: list[Unit]) -> list[str]:
    """For each unit, the text of its article: where a carve-out or a price for the clause
    may stand. An article longer than 2 x LONG_UNIT gives each unit its neighbours only."""
    by_article: dict[str | None, list[Unit]] = {}
    for u in units:
        by_article.setdefault(u.article, []).append(u)
    ctx = [""] * len(units)
    for group in by_article.values():
        whole = " " + " ".join(u.norm for u in group)
        if len(whole) <= 2 * LONG_UNIT:
            for u in group:
                ctx[u.idx] = whole
            continue
        for k, u in enumerate(group):
            near = [v.norm for v in group[max(0, k - 1) : k + 2] if v is u or len(v.norm) <= LOCAL]
            ctx[u.idx] = " " + " ".join(near)
    return ctx


def seg_norm_offset(doc: Document, seg: Segment) -> int | None:
    """Where seg.norm starts inside doc.norm, or None when it is not a plain slice."""
    k = bisect.bisect_left(doc.norm_to_orig, seg.start)
    if k < len(doc.norm) and doc.norm[k : k + len(seg.norm)] == seg.norm:
        return k
    pos = doc.norm.find(seg.norm[:40], max(0, k - 50)) if seg.norm else -1
    if pos >= 0 and doc.norm[pos : pos + len(seg.norm)] == seg.norm:
        return pos
    return None


def orig_span(doc: Document, seg: Segment, a: int, b: int) -> tuple[int, int]:
    """Map [a, b) of seg.norm to original offsets, always inside doc.text."""
    off = seg_norm_offset(doc, seg)
    if off is None:
        return seg.start, max(seg.start, min(seg.end, len(doc.text)))
    return doc.norm_span_to_orig(off + a, off + b)
