"""Bilingual contracts: review the Japanese and the English text, then merge per clause.

Japanese companies often sign one document carrying both versions: alternating lines
(「第5条（秘密保持）」 then "Article 5 (Confidentiality)") or a two-column Word table
that extract.py writes as ``日本語 | English`` rows. Reviewed as one language, half the
contract is read by the wrong rules. Here the text is split into two *views*, one per
language, each a string built from slices of the original with a map back to original
offsets; each view goes through the normal pipeline (``pipeline`` drives it), and the findings are
merged here:
the same rule on the two versions of one clause (same article number) is one finding
citing both (``Finding.parallel``).

A document is bilingual only when each language carries a substantial share of the
text, so a Japanese contract with English terms, or an English one with a Japanese
company name, is reviewed exactly as before.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from . import bilingual_diff
from .document import ChecklistResult, Document, Finding, Report
from .lines import to_int

_KANA = re.compile(r"[\u3040-\u30ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[A-Za-z]{2,}")
_CELL_SEP = re.compile(r" \| ")
_NUMBER = re.compile(r"[0-9０-９]+|[一二三四五六七八九十百〇]+")

# English takes about 2.5 letters for what Japanese says in one character; the shares
# are compared after that weighting.
EN_LETTERS_PER_JA_CHAR = 2.5
MIN_SHARE = 0.25  # each language at least a quarter of the weighted text
MIN_JA_CHARS = 60
MIN_EN_LETTERS = 150
_SEVERITY_RANK = {"HIGH": 0, "MEDIUM": 1, "LOW": 2}
_STATUS_RANK = {"present": 0, "weak": 1, "missing": 2}


@dataclass
class View:
    """One language's text with the original offset of each of its chunks."""

    language: str
    text: str
    chunks: list[tuple[int, int, int]]  # (view_start, orig_start, length), view_start ascending

    def to_orig(self, pos: int, *, end: bool = False) -> int:
        """Original offset of view offset ``pos``. An end offset maps through the
        character before it, and a start in a separator moves to the next chunk, so a
        span never grows over a line of the other language."""
        starts = [c[0] for c in self.chunks]
        probe = pos - 1 if end and pos > 0 else pos
        k = max(0, bisect.bisect_right(starts, probe) - 1)
        vs, orig, ln = self.chunks[k]
        if not end and probe >= vs + ln and k + 1 < len(self.chunks):
            return self.chunks[k + 1][1]
        off = min(max(probe - vs, 0), max(ln - 1, 0))
        return orig + off + (1 if end and ln and pos > 0 else 0)

    def span_to_orig(self, span: tuple[int, int]) -> tuple[int, int]:
        a = self.to_orig(span[0])
        b = self.to_orig(span[1], end=True) if span[1] > span[0] else a
        return a, max(a, b)


def _lang_of(piece: str) -> str | None:
    """ja, en, or None for pieces that belong to both (numbers, dates, rules, blank)."""
    cjk = len(_CJK.findall(piece))
    latin = len(_LATIN.findall(piece))
    if cjk and (_KANA.search(piece) or cjk >= 2) and cjk * EN_LETTERS_PER_JA_CHAR >= latin * 0.5:
        return "ja"
    if latin >= 4 and len(_WORD.findall(piece)) >= 1 and not cjk:
        return "en"
    return None


def _lines(text: str):
    """Per line, its pieces ``(start, end, language)``: the line, or each cell of a
    ``a | b`` table row."""
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        cells = [(pos, end)]
        if " | " in line:
            cells = []
            cur = pos
            for m in _CELL_SEP.finditer(line):
                cells.append((cur, pos + m.start()))
                cur = pos + m.end()
            cells.append((cur, end))
        yield [(a, b, _lang_of(text[a:b])) for a, b in cells]
        pos = end + 1


def split_views(text: str) -> tuple[View, View] | None:
    """The Japanese and English views of a bilingual text, or None when it is not one."""
    # cheap test first: most documents are plainly one language
    if not _KANA.search(text):
        return None
    latin = len(_LATIN.findall(text))
    if latin < MIN_EN_LETTERS:
        return None
    cjk = len(_CJK.findall(text))
    if cjk < MIN_JA_CHARS or latin < MIN_SHARE / 2 * (cjk * EN_LETTERS_PER_JA_CHAR + latin):
        return None  # English terms in a Japanese contract: far from a quarter even before lines are sorted
    lines = list(_lines(text))
    ja_chars = sum(len(_CJK.findall(text[a:b])) for line in lines for a, b, lang in line if lang == "ja")
    en_letters = sum(len(_LATIN.findall(text[a:b])) for line in lines for a, b, lang in line if lang == "en")
    weighted_ja = ja_chars * EN_LETTERS_PER_JA_CHAR
    total = weighted_ja + en_letters
    if ja_chars < MIN_JA_CHARS or en_letters < MIN_EN_LETTERS or not total:
        return None
    if weighted_ja / total < MIN_SHARE or en_letters / total < MIN_SHARE:
        return None
    return _build(text, lines, "ja"), _build(text, lines, "en")


def _build(text: str, lines, language: str) -> View:
    """The view keeps its language's pieces and the neutral ones, one output line per
    original line that has any; blank lines are kept (they separate blocks)."""
    out: list[str] = []
    chunks: list[tuple[int, int, int]] = []
    vpos = 0
    for line in lines:
        kept = [(a, b) for a, b, lang in line if lang in (None, language) and text[a:b].strip()]
        blank = not any(text[a:b].strip() for a, b, _ in line)
        if not kept and not blank:
            continue  # the other language's line
        if out:
            out.append("\n")
            vpos += 1
        for i, (a, b) in enumerate(kept):
            if i:
                out.append(" | ")
                vpos += 3
            chunks.append((vpos, a, b - a))
            out.append(text[a:b])
            vpos += b - a
    if not chunks:
        chunks.append((0, 0, 0))
    return View(language, "".join(out), chunks)


# ------------------------------------------------------------------ merging


def clause_key(ref: str | None) -> tuple[int, ...] | None:
    """The numbers of a reference: 「第五条第２項」 and "Article 5.2" both give (5, 2)."""
    if not ref:
        return None
    nums = [to_int(x) for x in _NUMBER.findall(ref)]
    return tuple(n for n in nums if n is not None) or None


def _common_prefix(a: tuple, b: tuple) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def merge_findings(primary: list[Finding], secondary: list[Finding], second_lang: str) -> list[Finding]:
    """One finding per rule and clause: a secondary finding on the same rule and article
    as a primary one becomes its ``parallel``; the others are kept as they are."""
    used: set[int] = set()
    for f in primary:
        fk = clause_key(f.clause)
        best, best_score = None, -1
        for j, g in enumerate(secondary):
            if j in used or g.rule_id != f.rule_id:
                continue
            gk = clause_key(g.clause)
            if fk is None or gk is None:
                if fk is None and gk is None and f.span is None and g.span is None:
                    score = 0  # document-level on both sides
                else:
                    continue
            else:
                if fk[0] != gk[0]:
                    continue
                score = _common_prefix(fk, gk)
            if score > best_score:
                best, best_score = j, score
        if best is None:
            continue
        used.add(best)
        g = secondary[best]
        if _SEVERITY_RANK.get(g.severity, 9) < _SEVERITY_RANK.get(f.severity, 9):
            f.severity = g.severity
        f.parallel = {
            "language": second_lang,
            "clause": g.clause,
            "span": list(g.span) if g.span else None,
            "text": g.text,
            "quote": g.quote,
            "quote_span": list(g.quote_span) if g.quote_span else None,
        }
    return primary + [g for j, g in enumerate(secondary) if j not in used]


def merge_checklists(primary: list[ChecklistResult], secondary: list[ChecklistResult]) -> list[ChecklistResult]:
    """An item found in either version is found; the primary's wording is kept."""
    other = {c.id: c for c in secondary}
    out = []
    for c in primary:
        o = other.pop(c.id, None)
        if o is not None and _STATUS_RANK[o.status] < _STATUS_RANK[c.status]:
            c = ChecklistResult(c.id, c.item, o.status, c.clause or o.clause)
        out.append(c)
    return out + list(other.values())


def map_finding(f: Finding, view: View, text: str) -> Finding:
    """Move a finding's spans from a view back onto the original ``text``."""
    if f.span:
        f.span = view.span_to_orig(f.span)
        f.text = text[f.span[0] : f.span[1]]
    if f.quote_span:
        f.quote_span = view.span_to_orig(f.quote_span)
        if f.span:
            f.quote_span = (min(f.quote_span[0], f.span[0]), max(f.quote_span[1], f.span[1]))
        f.quote = text[f.quote_span[0] : f.quote_span[1]]
    return f


def merge_reports(doc: Document, reports: dict[str, Report]) -> Report:
    """One report from the two views' reports (findings already mapped back onto ``doc``);
    the caller adds the summary."""
    primary_lang = doc.language
    first = reports[primary_lang]
    second_lang = "en" if primary_lang == "ja" else "ja"
    second = reports[second_lang]
    findings = merge_findings(first.findings, second.findings, second_lang)
    findings.sort(key=lambda f: (_SEVERITY_RANK.get(f.severity, 9), f.span[0] if f.span else 1 << 30))
    report = Report(
        file=first.file,
        language=primary_lang,
        contract_type=first.contract_type,
        sme_party=first.sme_party,
        findings=findings,
        checklist=merge_checklists(first.checklist, second.checklist),
        elapsed_ms=round(doc.load_ms + first.elapsed_ms + second.elapsed_ms, 1),
        notes=first.notes + second.notes,
        detection=first.detection,
        document=doc,
        languages=[primary_lang, second_lang],
    )
    report.disclaimer = first.disclaimer
    # the two versions compared on numbers and parties (bilingual_diff.py); kept as reading
    # notes (code bilingual_difference, with the data) and said in the summary's notes
    if first.document is not None and second.document is not None:
        ja_doc, en_doc = (
            (first.document, second.document) if primary_lang == "ja" else (second.document, first.document)
        )
        for diff in bilingual_diff.differences(ja_doc, en_doc, clause_key):
            text = bilingual_diff.message(diff, primary_lang)
            report.reading.append({"code": "bilingual_difference", "message": text, **diff})
            report.notes.append(text)
    return report
