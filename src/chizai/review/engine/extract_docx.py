"""Read a Word (DOCX) contract as it would read with every tracked change accepted.

Besides the text, the reader reports what the redline holds: the tracked changes (who
inserted or deleted what, when, in which paragraph), the comments with the text they are
anchored on, and the headers and footers. Those stay out of the clause text (a comment
is not contract wording), while text boxes, tables and footnotes are read in place.
Mirrors of the same content in ``mc:AlternateContent`` fallbacks are skipped so a text
box is read once.

Every failure becomes a ``ReviewInputError``; nothing from the parser leaks out.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any

from chizai import safearchive

from .docx_numbering import W, Numbering
from .document import ReviewInputError
from .extracted import ExtractedText

# the messages keep the logger of the module they were split from, which callers filter on
log = logging.getLogger("chizai.review.engine.extract")

# DEFAULT_MAX_CHARS of text is some 30 MB of WordprocessingML; beyond twice that plus room
# for images python-docx would only build a tree of hundreds of MB to refuse it afterwards.
DOCX_MAX_UNPACKED_BYTES = 96 * 1024 * 1024
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_INS = {W + "ins", W + "moveTo"}
_DEL = {W + "del", W + "moveFrom"}
# parts of a run or paragraph that carry no text of their own
_SKIP = {W + "pPr", W + "rPr", W + "instrText", W + "delInstrText", _MC + "Fallback", W + "footnoteReference"}


@dataclass
class DocxParagraph:
    """Where one body paragraph (w:p element) landed in the extracted text."""

    element: Any
    start: int
    end: int


@dataclass
class DocxReading:
    text: str
    revisions: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    paragraphs: list[DocxParagraph] = field(default_factory=list)


class _Reader:
    def __init__(self, document, numbering: Numbering):
        self.document = document
        self.numbering = numbering
        self.out: list[str] = []
        self.pos = 0
        self.revisions: list[dict] = []
        self.paragraphs: list[DocxParagraph] = []
        self.anchors: dict[str, list[int]] = {}  # comment id -> [start, end]
        self._para_start = 0
        self._inserting = 0  # depth of the w:ins elements being read

    def emit(self, s: str) -> None:
        if s:
            self.out.append(s)
            self.pos += len(s)

    # -- runs -------------------------------------------------------------------------

    def _change(self, el, kind: str, text: str) -> None:
        if not text.strip():
            return
        self.revisions.append(
            {
                "kind": kind,
                "text": text,
                "author": el.get(W + "author") or "",
                "date": el.get(W + "date") or "",
                "move": el.tag in (W + "moveTo", W + "moveFrom"),
                "offset": self.pos if kind == "deleted" else self.pos - len(text),
                "paragraph_start": self._para_start,
                # made inside another author's (or the same author's) insertion: Word nests a
                # deletion of inserted text in the w:ins. The draft never held it, so rejecting
                # the changes drops it with the insertion instead of putting it back.
                "in_insertion": self._inserting > 0,
            }
        )

    def inline(self, el, boxes: list) -> None:
        """Emit the accepted text of ``el``'s children; text boxes are queued in ``boxes``."""
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == W + "t":
                self.emit(child.text or "")
            elif tag == W + "tab":
                self.emit("\t")
            elif tag in (W + "br", W + "cr"):
                self.emit("\n")
            elif tag == W + "noBreakHyphen":
                self.emit("-")
            elif tag in _INS:
                start = self.pos
                self._inserting += 1
                try:
                    self.inline(child, boxes)
                finally:
                    self._inserting -= 1
                self._change(child, "inserted", self._since(start))
            elif tag in _DEL:
                self._change(child, "deleted", _deleted_text(child))
            elif tag == W + "commentRangeStart":
                self.anchors.setdefault(child.get(W + "id", ""), [self.pos, self.pos])[0] = self.pos
            elif tag == W + "commentRangeEnd":
                self.anchors.setdefault(child.get(W + "id", ""), [self.pos, self.pos])[1] = self.pos
            elif tag == W + "txbxContent":
                boxes.append(child)
            else:
                self.inline(child, boxes)

    def _since(self, start: int) -> str:
        # the emitted pieces are short; walk back only as far as ``start``
        need, acc = self.pos - start, []
        for piece in reversed(self.out):
            if need <= 0:
                break
            acc.append(piece[-need:])
            need -= len(piece)
        return "".join(reversed(acc))

    # -- blocks -----------------------------------------------------------------------

    def paragraph(self, p, *, numbered: bool = True, line_end: str = "\n") -> None:
        from docx.text.paragraph import Paragraph

        start = self._para_start = self.pos
        label = ""
        if numbered:
            para = Paragraph(p, self.document)
            label = self.numbering.label(para)
            if label == "・" and _style_name(para).lower().startswith(("heading", "title", "toc")):
                label = ""  # headings carry decorative bullet glyphs that are not contract text
        has_text = any((t.text or "").strip() for t in _accepted_texts(p))
        if label and has_text:
            sep = "" if label.endswith(("　", " ", "\t")) or label == "・" else ("　" if not label.isascii() else " ")
            self.emit(label + sep)
        boxes: list = []
        self.inline(p, boxes)
        self.paragraphs.append(DocxParagraph(p, start, self.pos))
        self.emit(line_end)
        for box in boxes:  # a text box reads after the paragraph it is anchored in
            self.blocks(box)

    def table(self, tbl) -> None:
        self.emit("\n")
        for tr in tbl.iter(W + "tr"):
            if _ancestor_table(tr) is not tbl:
                continue
            first = True
            for tc in tr.findall(W + "tc"):
                if not first:
                    self.emit(" | ")
                first = False
                paras = [p for p in tc.iter(W + "p") if _accepted_texts(p)]
                for i, p in enumerate(paras):
                    self.paragraph(p, numbered=False, line_end=" " if i < len(paras) - 1 else "")
            self.emit("\n")
        self.emit("\n")

    def blocks(self, container) -> None:
        for child in container:
            if child.tag == W + "p":
                self.paragraph(child)
            elif child.tag == W + "tbl":
                self.table(child)
            elif child.tag in (W + "sdt", W + "customXml"):
                content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
                if content is not None:
                    self.blocks(content)
            elif child.tag in _INS:  # a whole inserted block
                self.blocks(child)


def _accepted_texts(p) -> list:
    out = []
    for t in p.iter(W + "t"):
        node, ok = t.getparent(), True
        while node is not None and node is not p:
            if node.tag in _DEL or node.tag == _MC + "Fallback" or node.tag == W + "txbxContent":
                ok = False
                break
            node = node.getparent()
        if ok:
            out.append(t)
    return out


def _deleted_text(el) -> str:
    parts = []
    for node in el.iter(W + "delText", W + "t", W + "tab"):
        parts.append("\t" if node.tag == W + "tab" else (node.text or ""))
    return "".join(parts)


def _ancestor_table(el):
    node = el.getparent()
    while node is not None and node.tag != W + "tbl":
        node = node.getparent()
    return node


def _style_name(para) -> str:
    try:
        return para.style.name if para.style is not None else ""
    except Exception as exc:
        log.warning("a paragraph's style could not be read (%s: %s)", type(exc).__name__, exc)
        return ""


def _part_paragraph_text(root) -> list[str]:
    out = []
    for p in root.iter(W + "p"):
        texts = _accepted_texts(p)
        out.append("".join(t.text or "" for t in texts))
    return out


def _related_roots(document, suffix: str) -> list:
    from lxml import etree

    roots = []
    for rel in document.part.rels.values():
        if rel.reltype.endswith(suffix) and not rel.is_external:
            roots.append(etree.fromstring(rel.target_part.blob))
    return roots


def read_comments(document, anchors: dict[str, list[int]], text: str, name: str = "") -> list[dict]:
    out: list[dict] = []
    try:
        for root in _related_roots(document, "/comments"):
            for c in root.iter(W + "comment"):
                cid = c.get(W + "id", "")
                start, end = anchors.get(cid, [0, 0])
                out.append(
                    {
                        "id": cid,
                        "author": c.get(W + "author") or "",
                        "date": c.get(W + "date") or "",
                        "text": "\n".join(_part_paragraph_text(c)).strip(),
                        "anchor": text[start:end],
                        "offset": start,
                    }
                )
    except Exception as exc:  # a damaged comments part: the body still counts
        log.warning("%s: the Word comments could not be read (%s: %s)", name, type(exc).__name__, exc)
    out.sort(key=lambda c: c["offset"])
    return out


def read_headers(document, name: str = "") -> list[dict]:
    out: list[dict] = []
    seen: set[str] = set()
    try:
        for section in document.sections:
            for kind in ("header", "first_page_header", "even_page_header", "footer", "first_page_footer"):
                part_owner = getattr(section, kind)
                if part_owner.is_linked_to_previous:
                    continue
                element = part_owner._element
                key = str(id(part_owner.part))
                if key in seen:
                    continue
                seen.add(key)
                text = "\n".join(t for t in _part_paragraph_text(element) if t.strip())
                if text:
                    out.append({"kind": "footer" if "footer" in kind else "header", "text": text})
    except Exception as exc:
        log.warning("%s: the Word headers/footers could not be read (%s: %s)", name, type(exc).__name__, exc)
    return out


def footnotes(document, name: str = "") -> list[str]:
    out: list[str] = []
    try:
        for root in _related_roots(document, "/footnotes"):
            for fn in root.iter(W + "footnote"):
                if fn.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                text = "".join(t.text or "" for p in fn.iter(W + "p") for t in _accepted_texts(p)).strip()
                if text:
                    out.append(f"[{fn.get(W + 'id')}] {text}")
    except Exception as exc:  # a damaged footnotes part: keep the notes read so far
        log.warning(
            "%s: the Word footnotes could not be read after %d notes (%s: %s)", name, len(out), type(exc).__name__, exc
        )
    return out


_CFB_MAGIC = b"\xd0\xcf\x11\xe0"
# the stream a password-protected Office Open XML file keeps its encrypted ZIP in, as the
# compound file's directory spells it (UTF-16); an old binary .doc has no such stream
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def encrypted_ooxml(data: bytes) -> bool:
    """Whether ``data`` is a password-protected Word/Excel/PowerPoint file (an OLE compound
    file holding an ``EncryptedPackage`` stream) rather than a ZIP or an old binary file."""
    return bytes(data[:4]) == _CFB_MAGIC and _ENCRYPTED_PACKAGE in data


def open_docx(data: bytes, name: str):
    """The python-docx Document of ``data`` after the archive checks; ReviewInputError otherwise."""
    try:
        import docx  # python-docx
    except ImportError as exc:  # pragma: no cover
        raise ReviewInputError("unsupported_type", f"{name}: DOCX support is not installed ({exc}).") from exc
    try:
        # python-docx inflates every part into memory whole: measure them streaming first.
        names = safearchive.check(data, max_bytes=DOCX_MAX_UNPACKED_BYTES).names
        if "word/document.xml" not in names:
            raise ReviewInputError("broken_docx", f"{name}: this is not a Word document (no word/document.xml).")
        if "EncryptedPackage" in names:
            raise ReviewInputError("encrypted_docx", f"{name}: the Word file is password-protected.")
    except safearchive.ArchiveError as exc:
        if exc.over_limit:
            raise ReviewInputError(
                "unpacked_too_large",
                f"{name}: the Word file unpacks to more than {DOCX_MAX_UNPACKED_BYTES // (1024 * 1024)} MB "
                f"or is packed suspiciously densely ({exc.detail}); it was not opened.",
            ) from None
        if encrypted_ooxml(data):
            raise ReviewInputError(
                "encrypted_docx",
                f"{name}: the Word file is password-protected. Save an unprotected .docx copy.",
            ) from exc
        if data[:4] == _CFB_MAGIC:
            raise ReviewInputError(
                "encrypted_docx",
                f"{name}: the Word file is password-protected or in the old .doc format; "
                "save an unprotected .docx copy.",
            ) from exc
        raise ReviewInputError("broken_docx", f"{name}: the Word file is damaged (not a valid ZIP/DOCX).") from exc
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise ReviewInputError(
            "broken_docx", f"{name}: the Word file could not be read ({type(exc).__name__})."
        ) from exc


def read_document(document, name: str = "document") -> DocxReading:
    """Read an opened python-docx Document (also used by docx_out to find clauses)."""
    reader = _Reader(document, Numbering(document, name))
    try:
        reader.blocks(document.element.body)
        notes = footnotes(document, name)
        if notes:
            reader.emit("\n脚注 / Footnotes\n" + "\n".join(notes) + "\n")
    except ReviewInputError:
        raise
    except Exception as exc:
        raise ReviewInputError(
            "broken_docx", f"{name}: the Word file could not be read ({type(exc).__name__})."
        ) from exc
    text = "".join(reader.out)
    if text.endswith("\n"):
        text = text[:-1]
    for rev in reader.revisions:
        start = rev.pop("paragraph_start")
        end = text.find("\n", start)
        rev["paragraph"] = text[start : end if end >= 0 else len(text)].strip()
    return DocxReading(
        text=text,
        revisions=reader.revisions,
        comments=read_comments(document, reader.anchors, text, name),
        headers=read_headers(document, name),
        paragraphs=reader.paragraphs,
    )


def extract_docx(data: bytes, name: str):
    """``extract.extract_text`` for .docx: the accepted text plus the redline's contents."""
    reading = read_document(open_docx(data, name), name)
    warnings: list[str] = []
    if reading.revisions:
        warnings.append(f"{len(reading.revisions)} tracked changes were read as accepted")
    return ExtractedText(
        reading.text,
        warnings,
        None,
        "docx",
        revisions=reading.revisions,
        comments=reading.comments,
        headers=reading.headers,
    )
