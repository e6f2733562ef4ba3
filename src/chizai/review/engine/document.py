"""Data shapes shared by every layer of the contract reviewer.

The reviewer is a pure library: nothing under ``chizai.review.engine`` imports Django,
so the CLI can start fast and the web, API and worker are thin fronts on it.

Offsets (``start``/``end``) always index into ``Document.text`` — the original text as
extracted, never the normalised one — so a finding can be highlighted where it sits.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Literal

SegmentKind = Literal[
    "title",
    "preamble",
    "heading",
    "article",
    "paragraph",
    "item",
    "sentence",
    "signature",
    "annex",
    "commentary",
]


@dataclass(frozen=True)
class Segment:
    """A piece of the contract: an article, paragraph, item or sentence.

    ``ref`` is the human clause reference (「第5条第2項」, "Section 7.1(a)") or None.
    ``norm`` is the normalised text used for matching (NFKC and variant folding); its
    characters map to ``Document.text[start:end]`` through ``Document.norm_to_orig``.
    ``is_commentary`` is True for model-contract commentary (解説, コメント, options),
    which is not contract text and must never raise a finding.
    """

    kind: SegmentKind
    start: int
    end: int
    text: str
    norm: str
    ref: str | None = None
    article: str | None = None
    heading: str | None = None
    parent: int | None = None  # index of the enclosing segment in Document.segments
    is_commentary: bool = False


@dataclass
class Party:
    label: str  # as written: 甲, 乙, 委託者, Buyer, Supplier …
    name: str | None = None  # company name when the text gives one
    role: Literal["SME", "LARGE", "UNKNOWN"] = "UNKNOWN"
    aliases: list[str] = field(default_factory=list)  # other labels of the same party ("Indus", "we")
    sides: list[str] = field(default_factory=list)  # what its labels say: supplier, client, licensor …


@dataclass
class Document:
    text: str  # original extracted text
    norm: str  # normalised text, same length mapping via norm_to_orig
    norm_to_orig: list[int]  # norm index -> original index (len(norm) + 1 entries)
    language: Literal["ja", "en"]
    segments: list[Segment] = field(default_factory=list)
    contract_types: list[str] = field(default_factory=list)  # NDA, MFG, PROTO, JRD, DEV, LIC
    parties: list[Party] = field(default_factory=list)
    sme_label: str | None = None
    filename: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Added after the first draft; all have defaults so older callers still work.
    title: str | None = None
    pages: int | None = None  # PDF page count, None for other formats
    source_format: str | None = None  # pdf, docx, text, markdown
    load_ms: float = 0.0  # time spent in load_document, added to Report.elapsed_ms
    # How sure the detection is (types, parties, SME); see detect.detection_summary.
    detection: dict | None = None

    def clause_segments(self) -> list[Segment]:
        """Segments that are contract text (commentary excluded)."""
        return [s for s in self.segments if not s.is_commentary]

    def orig_to_norm(self, pos: int) -> int:
        """First normalised index whose source is at or after original ``pos``."""
        return bisect.bisect_left(self.norm_to_orig, pos, 0, len(self.norm))

    def norm_span_to_orig(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``norm`` back to a span of ``text`` (end exclusive).

        The end maps through the last character inside the span so a match that
        stops before a dropped line break does not swallow it.
        """
        n = len(self.norm)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        o_start = self.norm_to_orig[start]
        o_end = self.norm_to_orig[end - 1] + 1 if end > start else o_start
        return o_start, max(o_start, min(o_end, len(self.text)))

    def segment_at(self, pos: int, kinds: tuple[str, ...] | None = None) -> Segment | None:
        """The innermost segment covering original position ``pos``."""
        best = None
        for seg in self.segments:
            if (
                seg.start <= pos < seg.end
                and (kinds is None or seg.kind in kinds)
                and (best is None or (seg.end - seg.start) <= (best.end - best.start))
            ):
                best = seg
        return best


@dataclass
class Finding:
    rule_id: str
    severity: Literal["HIGH", "MEDIUM", "LOW"]
    title: str
    reason: str
    basis: list[str]
    balanced: str
    question: str
    clause: str | None = None
    span: tuple[int, int] | None = None
    text: str | None = None
    # what the clause does, as the clause representation read it (clauses.ClauseView.explain)
    why: dict | None = None
    # The whole sentence(s) the finding relies on, so the reader never sees a phrase cut
    # mid-word; quote_span indexes Document.text and always contains span (layout.attach_quotes).
    quote: str | None = None
    quote_span: tuple[int, int] | None = None
    # The same rule on the other language's version of the clause in a bilingual contract:
    # {language, clause, span, text, quote, quote_span} (bilingual.merge).
    parallel: dict | None = None


@dataclass
class ChecklistResult:
    id: str
    item: str
    status: Literal["present", "missing", "weak"]
    clause: str | None = None


@dataclass
class Report:
    file: str
    language: Literal["ja", "en"]
    contract_type: list[str]
    sme_party: str | None
    findings: list[Finding]
    checklist: list[ChecklistResult]
    elapsed_ms: float
    summary: str = ""
    disclaimer: str = ""
    # What the statistical layer changed (withdrawn absence findings), for people and the HTML report.
    notes: list[str] = field(default_factory=list)
    # Types, parties and SME with confidence and evidence; "uncertain" lists what the user should confirm.
    detection: dict | None = None
    # Languages the text was reviewed in: two for a bilingual contract (bilingual.py).
    languages: list[str] = field(default_factory=list)
    # What could not be read well, [{code, message}] in the report's language (layout.reading_notes).
    reading: list[dict] = field(default_factory=list)
    # The reviewed document, kept for the HTML/PDF renderers; not part of to_dict().
    document: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        """The stable JSON interface (see docs/review.md)."""
        return {
            "file": self.file,
            "language": self.language,
            "contract_type": list(self.contract_type),
            "sme_party": self.sme_party,
            "findings": [
                {
                    "rule_id": f.rule_id,
                    "severity": f.severity,
                    "title": f.title,
                    "clause": f.clause,
                    "span": list(f.span) if f.span else None,
                    "text": f.text,
                    "reason": f.reason,
                    "basis": list(f.basis),
                    "balanced": f.balanced,
                    "question": f.question,
                    "quote": f.quote,
                    "quote_span": list(f.quote_span) if f.quote_span else None,
                    "parallel": f.parallel,
                    "why": f.why,
                }
                for f in self.findings
            ],
            "checklist": [{"id": c.id, "item": c.item, "status": c.status, "clause": c.clause} for c in self.checklist],
            "elapsed_ms": self.elapsed_ms,
            "detection": self.detection,
            "languages": list(self.languages) or [self.language],
            "reading": [dict(r) for r in self.reading],
        }


class ReviewInputError(Exception):
    """Input the reviewer cannot read: the message is shown to the user as is.

    ``code`` is a stable machine key (encrypted_pdf, scanned_pdf, empty, binary,
    unsupported_type, too_large, unknown_language, broken_docx …).
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
