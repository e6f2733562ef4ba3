"""The file an SME sends back: the contract as DOCX with each finding as a Word comment.

Each finding becomes a comment anchored on the paragraph that holds the clause it cites
(rule title, why, the question to ask, the basis) in the language chosen for the
counterparty; where the catalogue has balanced wording, that wording is proposed as a
tracked insertion (w:ins in the SME's name) in a new paragraph after the clause. A DOCX
source is annotated in place, keeping its formatting; any other source is rebuilt as a
plain DOCX from the reviewed text. Pure library: no Django.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re

from .docx_numbering import W
from .document import Report
from .extract_docx import DocxParagraph, open_docx, read_document
from .rules_data import basis_names, finding_texts

LABELS = {
    "ja": {"why": "理由", "question": "確認したい点", "basis": "根拠", "clause": "条項"},
    "en": {"why": "Why", "question": "Question to ask", "basis": "Basis", "clause": "Clause"},
}
SEVERITY = {
    "ja": {"HIGH": "重要度 高", "MEDIUM": "重要度 中", "LOW": "重要度 低"},
    "en": {"HIGH": "High", "MEDIUM": "Medium", "LOW": "Low"},
}
_SPACE_RE = re.compile(r"\s+")


def comment_text(finding, lang: str) -> str:
    """What the comment says, in ``lang``: the catalogue's texts, else the finding's own."""
    texts = finding_texts(finding.rule_id, lang) or {}
    labels = LABELS[lang]
    names = basis_names()
    basis = (
        "、".join(names.get(b, {}).get(lang, b) for b in finding.basis)
        if lang == "ja"
        else "; ".join(names.get(b, {}).get(lang, b) for b in finding.basis)
    )
    lines = [
        f"[{SEVERITY[lang].get(finding.severity, finding.severity)}] {texts.get('title') or finding.title}",
        f"{labels['why']}: {texts.get('reason') or finding.reason}",
        f"{labels['question']}: {texts.get('question') or finding.question}",
    ]
    if basis:
        lines.append(f"{labels['basis']}: {basis}")
    return "\n".join(line for line in lines if not line.endswith(": "))


def balanced_text(finding, lang: str) -> str:
    texts = finding_texts(finding.rule_id, lang) or {}
    return (texts.get("balanced") or finding.balanced or "").strip()


def _squash(s: str) -> str:
    return _SPACE_RE.sub("", s or "")


def _locate(finding, paragraphs: list[DocxParagraph], text: str) -> DocxParagraph | None:
    """The paragraph that holds the finding: by its offset, checked against its text."""
    span = finding.quote_span or finding.span
    needle = _squash(finding.text or finding.quote or "")[:40]
    if span is not None:
        for para in paragraphs:
            inside = para.start <= span[0] < max(para.end, para.start + 1)
            if inside and (not needle or needle[:12] in _squash(text[para.start : para.end])):
                return para
    if needle:  # the reviewed text differs from this file's (e.g. cleaned): find the words
        for para in paragraphs:
            if needle in _squash(text[para.start : para.end]):
                return para
        for para in paragraphs:
            if needle[:12] in _squash(text[para.start : para.end]):
                return para
        return None
    # a missing clause cites no wording: its comment sits on the contract's first line (the title)
    return next((para for para in paragraphs if text[para.start : para.end].strip()), None)


def _runs_of(p_element, document):
    """The runs of a paragraph in reading order, tracked insertions included (not deletions)."""
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    parent = Paragraph(p_element, document)  # runs need a story part to find the comments part
    runs = []
    for r in p_element.iter(W + "r"):
        node, ok = r.getparent(), True
        while node is not None and node is not p_element:
            if node.tag in (W + "del", W + "moveFrom", W + "txbxContent") or node.tag.endswith("}Fallback"):
                ok = False
                break
            node = node.getparent()
        if ok:
            runs.append(Run(r, parent))
    return runs


def _tracked_paragraph(after, text: str, author: str, date: str, rev_id: int):
    """A new paragraph after ``after`` whose text and paragraph mark are a tracked insertion."""
    from lxml import etree

    p = etree.SubElement(after.getparent(), W + "p")
    after.addnext(p)
    ppr_src = after.find(W + "pPr")
    ppr = copy.deepcopy(ppr_src) if ppr_src is not None else etree.SubElement(p, W + "pPr")
    for num in ppr.findall(W + "numPr"):  # the proposal is not a new list item
        ppr.remove(num)
    p.insert(0, ppr)
    rpr = ppr.find(W + "rPr")
    if rpr is None:
        rpr = etree.SubElement(ppr, W + "rPr")
    mark = etree.SubElement(rpr, W + "ins")
    mark.attrib.update({W + "id": str(rev_id), W + "author": author, W + "date": date})
    ins = etree.SubElement(p, W + "ins")
    ins.attrib.update({W + "id": str(rev_id + 1), W + "author": author, W + "date": date})
    run = etree.SubElement(ins, W + "r")
    t = etree.SubElement(run, W + "t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return p


def _plain_docx(text: str):
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    return document


def commented_docx(
    report: Report,
    *,
    source: bytes | None = None,
    lang: str = "ja",
    author: str = "chizai",
    now: dt.datetime | None = None,
) -> bytes:
    """The contract as DOCX bytes with a comment per finding and balanced wording tracked.

    ``source`` is the uploaded DOCX when there was one (it is annotated in place); else a
    plain DOCX is built from ``report.document.text``. ``lang`` (ja|en) is the comments'
    language, ``author`` the SME's name on comments and insertions.
    """
    if lang not in LABELS:
        raise ValueError(f"comment language must be ja or en, not {lang!r}")
    name = report.file or "document"
    text = report.document.text if report.document is not None else ""
    document = open_docx(source, name) if source else _plain_docx(text)
    reading = read_document(document, name)
    date = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    initials = "".join(w[0] for w in author.split() if w)[:3] or "C"
    rev_id = 9000  # clear of ids a source file is likely to use for its own revisions
    proposed: set[tuple[int, str]] = set()
    inserted_after: dict[int, object] = {}
    for finding in report.findings:
        para = _locate(finding, reading.paragraphs, reading.text)
        if para is None:
            continue
        runs = _runs_of(para.element, document)
        if not runs:
            continue
        document.add_comment(runs, text=comment_text(finding, lang), author=author, initials=initials)
        wording = balanced_text(finding, lang)
        key = (id(para.element), wording)
        if wording and key not in proposed:
            proposed.add(key)
            anchor = inserted_after.get(id(para.element), para.element)
            inserted_after[id(para.element)] = _tracked_paragraph(anchor, wording, author, date, rev_id)
            rev_id += 2
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
