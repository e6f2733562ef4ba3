"""Turn an uploaded file (PDF, DOCX, TXT, Markdown) into plain text.

Everything a user can upload ends up here, so every failure must become a
``ReviewInputError`` with a stable code and a message a non-lawyer understands;
no parser exception may leak out.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field

from chizai import safearchive

from .document import ReviewInputError

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_CHARS = 2_000_000
# DEFAULT_MAX_CHARS of text is some 30 MB of WordprocessingML; beyond twice that plus room
# for images python-docx would only build a tree of hundreds of MB to refuse it afterwards.
DOCX_MAX_UNPACKED_BYTES = 96 * 1024 * 1024

TEXT_EXTS = {".txt", ".text", ".md", ".markdown", ".mdown", ""}
MARKDOWN_EXTS = {".md", ".markdown", ".mdown"}
# Types people do try to upload; named so the message can say what to do instead.
KNOWN_UNSUPPORTED = {
    ".doc": "old Word .doc files are not supported; save the file as .docx or PDF",
    ".rtf": "RTF is not supported; save the file as .docx, PDF or plain text",
    ".xls": "spreadsheets are not supported",
    ".xlsx": "spreadsheets are not supported",
    ".ppt": "presentations are not supported",
    ".pptx": "presentations are not supported",
    ".odt": "OpenDocument text is not supported; save the file as .docx or PDF",
    ".png": "images are not supported; a scanned contract needs OCR first",
    ".jpg": "images are not supported; a scanned contract needs OCR first",
    ".jpeg": "images are not supported; a scanned contract needs OCR first",
    ".tif": "images are not supported; a scanned contract needs OCR first",
    ".tiff": "images are not supported; a scanned contract needs OCR first",
    ".gif": "images are not supported",
    ".zip": "archives are not supported",
    ".html": "HTML is not supported; paste the text or save it as .txt",
    ".htm": "HTML is not supported; paste the text or save it as .txt",
}

# C0 controls other than tab/newline/form feed carry no meaning in a contract and
# confuse the segmenter; they are dropped before anything is measured.
_CTRL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class ExtractedText:
    text: str
    warnings: list[str] = field(default_factory=list)
    pages: int | None = None
    format: str = "text"  # pdf, docx, text, markdown


def _ext(filename: str) -> str:
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." not in name:
        return ""
    return "." + name.rsplit(".", 1)[-1].lower()


def clean_text(text: str) -> str:
    """Unify line ends and drop control characters (also used for pasted text)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    if _CTRL_RE.search(text):
        text = _CTRL_RE.sub("", text)
    return text


def check_text(text: str, filename: str, max_chars: int = DEFAULT_MAX_CHARS) -> None:
    if not text.strip():
        raise ReviewInputError("empty", f"{filename}: the document contains no text to review.")
    if len(text) > max_chars:
        raise ReviewInputError(
            "too_large",
            f"{filename}: the text has {len(text):,} characters; the limit is {max_chars:,}. "
            "Split the contract or review the main part only.",
        )


def extract_text(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> ExtractedText:
    """Extract the text of ``data``; the file type comes from the name and the bytes."""
    name = filename or "document"
    if data is None or len(data) == 0:
        raise ReviewInputError("empty", f"{name}: the file is empty.")
    if len(data) > max_bytes:
        raise ReviewInputError(
            "too_large",
            f"{name}: the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.",
        )
    ext = _ext(name)
    head = bytes(data[:8])
    if head.startswith(b"%PDF") or ext == ".pdf":
        result = _extract_pdf(data, name)
    elif ext == ".docx" or (ext == "" and head.startswith(b"PK\x03\x04")):
        result = _extract_docx(data, name)
    elif ext in KNOWN_UNSUPPORTED:
        raise ReviewInputError("unsupported_type", f"{name}: {KNOWN_UNSUPPORTED[ext]}. Use PDF, DOCX, TXT or Markdown.")
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReviewInputError("unsupported_type", f"{name}: {KNOWN_UNSUPPORTED['.doc']}.")
    elif ext in TEXT_EXTS:
        text, warnings = decode_bytes(data, name)
        result = ExtractedText(text, warnings, None, "markdown" if ext in MARKDOWN_EXTS else "text")
    else:
        raise ReviewInputError(
            "unsupported_type",
            f"{name}: the file type '{ext}' is not supported. Use PDF, DOCX, TXT or Markdown.",
        )
    result.text = clean_text(result.text)
    check_text(result.text, name, max_chars)
    return result


# ---------------------------------------------------------------------------- text

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl / len(sample) > 0.05


def _utf16_without_bom(data: bytes) -> str | None:
    """Recognise UTF-16 without a BOM by what the decoded sample looks like.

    Such text is often valid UTF-8 too (「あ」 is the bytes ``42 30``), so it must be
    checked first; a decoding is accepted only when it reads as real text: mostly
    ASCII (English) or with a clear share of kana (Japanese).
    """
    if len(data) < 4:
        return None
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        chars = [c for c in text if not c.isspace()]
        if not chars:
            continue
        ascii_ratio = sum(1 for c in chars if " " < c < "\x7f") / len(chars)
        kana_ratio = sum(1 for c in chars if "\u3041" <= c <= "\u30ff") / len(chars)
        if ascii_ratio >= 0.6 or kana_ratio >= 0.15:
            try:
                return data[: len(data) // 2 * 2].decode(enc)
            except UnicodeDecodeError:
                return None
    return None


def _japanese_score(text: str) -> float:
    """How plausible a decoding is: common kana/kanji up, halfwidth kana and oddities down."""
    good, bad = 0, 0.0
    for ch in text[:20000]:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E:
            good += 1
        elif 0xFF61 <= o <= 0xFF9F or 0xE000 <= o <= 0xF8FF:
            bad += 1
        elif o < 128:
            pass
        else:
            bad += 0.5
    return good - 3 * bad


def decode_bytes(data: bytes, filename: str = "document") -> tuple[str, list[str]]:
    """Decode text bytes: BOMs first, then strict UTF-8, then the Japanese legacy codecs."""
    warnings: list[str] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), warnings
            except UnicodeDecodeError:
                break
    text16 = _utf16_without_bom(data)
    if text16 is not None and not _CTRL_RE.search(text16[:2000].replace("\x00", "")):
        warnings.append("decoded as UTF-16 without a byte-order mark")
        return text16, warnings
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        raise ReviewInputError(
            "binary", f"{filename}: this looks like a binary file, not text. Use PDF, DOCX, TXT or Markdown."
        )
    candidates = []
    for enc in ("cp932", "euc_jp", "shift_jis", "iso2022_jp"):
        try:
            candidates.append((enc, data.decode(enc)))
        except UnicodeDecodeError:
            continue
    if candidates:
        enc, text = max(candidates, key=lambda c: _japanese_score(c[1]))
        warnings.append(f"decoded as {enc}")
        return text, warnings
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception as exc:  # charset-normalizer is a best effort; fall through to replacement
        log.warning(
            "%s: charset-normalizer could not guess the encoding (%s: %s); undecodable bytes are replaced",
            filename,
            type(exc).__name__,
            exc,
        )
        best = None
    if best is not None:
        warnings.append(f"decoded as {best.encoding} (guessed)")
        return str(best), warnings
    warnings.append("the text encoding could not be recognised; undecodable bytes were replaced")
    return data.decode("utf-8", errors="replace"), warnings


# ---------------------------------------------------------------------------- PDF


def _extract_pdf(data: bytes, name: str) -> ExtractedText:
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - pypdf is a hard dependency
        raise ReviewInputError("unsupported_type", f"{name}: PDF support is not installed ({exc}).") from exc
    warnings: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty user password only to stop
            # editing; those can still be read, so only a real password is fatal.
            ok = 0
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf: PdfReadError, NotImplementedError (algorithm), DependencyError
                log.info(
                    "%s: the PDF could not be opened with an empty password (%s: %s)", name, type(exc).__name__, exc
                )
                ok = 0
            if not ok:
                raise ReviewInputError(
                    "encrypted_pdf",
                    f"{name}: the PDF is password-protected. Remove the password (or export an "
                    "unprotected copy) and upload it again.",
                )
            warnings.append("the PDF is encrypted without a user password; its text was read anyway")
        pages = []
        for page in reader.pages:
            try:
                pages.append(page.extract_text() or "")
            except Exception as exc:
                log.warning(
                    "%s: the text of page %d could not be read (%s: %s)", name, len(pages) + 1, type(exc).__name__, exc
                )
                pages.append("")
                warnings.append("text of one page could not be read")
    except ReviewInputError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise ReviewInputError(
            "broken_pdf", f"{name}: the PDF file is damaged or not a PDF ({type(exc).__name__})."
        ) from exc
    n = len(pages)
    visible = sum(len(re.sub(r"\s+", "", p)) for p in pages)
    if n and visible < 20 * max(1, min(n, 3)) and visible < 200:
        raise ReviewInputError(
            "scanned_pdf",
            f"{name}: the PDF has no text layer (it looks scanned). Run OCR on it first, "
            "or upload the Word/text version of the contract.",
        )
    if n == 0:
        raise ReviewInputError("empty", f"{name}: the PDF has no pages.")
    empty_pages = sum(1 for p in pages if not p.strip())
    if empty_pages:
        warnings.append(f"{empty_pages} of {n} pages have no text layer (scanned pages need OCR)")
    return ExtractedText("\n\n".join(p.strip("\n") for p in pages), warnings, n, "pdf")


# ---------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_KANJI_DIGITS = "〇一二三四五六七八九"
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"
_AIUEO = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"


def _roman(n: int) -> str:
    vals = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def _kanji_number(n: int) -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return _KANJI_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _KANJI_DIGITS[tens]) + "十" + (_KANJI_DIGITS[ones] if ones else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("decimal", "decimalZero"):
        return str(n) if fmt == "decimal" or n >= 10 else f"0{n}"
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt in (
        "japaneseCounting",
        "ideographTraditional",
        "chineseCounting",
        "japaneseLegal",
        "chineseCountingThousand",
        "ideographDigital",
        "japaneseDigitalTenThousand",
    ):
        return _kanji_number(n)
    if fmt == "iroha" or fmt == "irohaFullWidth":
        return _IROHA[(n - 1) % len(_IROHA)]
    if fmt == "aiueo" or fmt == "aiueoFullWidth":
        return _AIUEO[(n - 1) % len(_AIUEO)]
    if fmt == "bullet":
        return "・"
    if fmt == "none":
        return ""
    return str(n)


class _Numbering:
    """Enough of Word's numbering model to print list labels like 「第3条」, 「（２）」, 「①」."""

    def __init__(self, doc, name: str = ""):
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.num_to_abs: dict[str, str] = {}
        self.start_override: dict[tuple[str, int], int] = {}
        self.counters: dict[str, list[int]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        try:
            part = doc.part.numbering_part
            root = part.element
        except NotImplementedError:  # no numbering part: python-docx would have to create one
            root = None
        except Exception as exc:  # e.g. two numbering parts (ValueError), a part that is not XML
            log.warning(
                "%s: the Word numbering could not be read, list labels are left out (%s: %s)",
                name,
                type(exc).__name__,
                exc,
            )
            root = None
        if root is not None:
            for absn in root.iter(_W + "abstractNum"):
                aid = absn.get(_W + "abstractNumId")
                for lvl in absn.iter(_W + "lvl"):
                    il = int(lvl.get(_W + "ilvl", "0"))
                    fmt_el = lvl.find(_W + "numFmt")
                    txt_el = lvl.find(_W + "lvlText")
                    start_el = lvl.find(_W + "start")
                    fmt = fmt_el.get(_W + "val") if fmt_el is not None else "decimal"
                    txt = txt_el.get(_W + "val") if txt_el is not None else f"%{il + 1}."
                    start = int(start_el.get(_W + "val")) if start_el is not None else 1
                    self.levels[(aid, il)] = (fmt, txt or "", start)
            for num in root.iter(_W + "num"):
                nid = num.get(_W + "numId")
                a = num.find(_W + "abstractNumId")
                if a is not None:
                    self.num_to_abs[nid] = a.get(_W + "val")
                for ov in num.iter(_W + "lvlOverride"):
                    so = ov.find(_W + "startOverride")
                    if so is not None:
                        self.start_override[(nid, int(ov.get(_W + "ilvl", "0")))] = int(so.get(_W + "val"))
        try:
            for st in doc.styles:
                ppr = st.element.pPr
                if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
                    il = ppr.numPr.ilvl.val if ppr.numPr.ilvl is not None else 0
                    self.style_num[st.style_id] = (str(ppr.numPr.numId.val), int(il))
        except Exception as exc:
            log.warning(
                "%s: the numbering of Word styles could not be read, their list labels are left out (%s: %s)",
                name,
                type(exc).__name__,
                exc,
            )

    def label(self, paragraph) -> str:
        num_id = None
        ilvl = 0
        ppr = paragraph._p.pPr
        if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
            num_id = str(ppr.numPr.numId.val)
            ilvl = int(ppr.numPr.ilvl.val) if ppr.numPr.ilvl is not None else 0
        else:
            sid = paragraph._p.style
            if sid and sid in self.style_num:
                num_id, ilvl = self.style_num[sid]
        if num_id is None or num_id == "0" or num_id not in self.num_to_abs:
            return ""
        aid = self.num_to_abs[num_id]
        if (aid, ilvl) not in self.levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        ilvl = min(ilvl, 8)
        if counters[ilvl] == 0:
            counters[ilvl] = self.start_override.get((num_id, ilvl), self.levels[(aid, ilvl)][2])
        else:
            counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        fmt, text, _start = self.levels[(aid, ilvl)]
        if fmt == "bullet":
            return "・"

        def repl(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            if not (0 <= lv <= 8) or (aid, lv) not in self.levels:
                return ""
            value = counters[lv] or self.levels[(aid, lv)][2]
            return _format_number(value, self.levels[(aid, lv)][0] if lv != ilvl else fmt)

        return re.sub(r"%(\d)", repl, text)


def _extract_docx(data: bytes, name: str) -> ExtractedText:
    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover
        raise ReviewInputError("unsupported_type", f"{name}: DOCX support is not installed ({exc}).") from exc
    warnings: list[str] = []
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
        if data[:4] == b"\xd0\xcf\x11\xe0":
            raise ReviewInputError(
                "encrypted_docx",
                f"{name}: the Word file is password-protected or in the old .doc format; "
                "save an unprotected .docx copy.",
            ) from exc
        raise ReviewInputError("broken_docx", f"{name}: the Word file is damaged (not a valid ZIP/DOCX).") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except ReviewInputError:
        raise
    except Exception as exc:
        raise ReviewInputError(
            "broken_docx", f"{name}: the Word file could not be read ({type(exc).__name__})."
        ) from exc
    numbering = _Numbering(document, name)
    lines: list[str] = []
    try:
        body = document.element.body
        for child in body.iterchildren():
            tag = child.tag
            if tag == _W + "p":
                p = Paragraph(child, document)
                label = numbering.label(p)
                text = p.text
                try:
                    style_name = p.style.name if p.style is not None else ""
                except Exception as exc:
                    log.warning("%s: a paragraph's style could not be read (%s: %s)", name, type(exc).__name__, exc)
                    style_name = ""
                if label == "・" and style_name.lower().startswith(("heading", "title", "toc")):
                    # headings carry decorative bullet glyphs that are not contract text
                    label = ""
                if label and label != "・" and text.strip():
                    sep = "" if label.endswith(("　", " ", "\t")) else ("　" if not label.isascii() else " ")
                    text = f"{label}{sep}{text}"
                elif label == "・" and text.strip():
                    text = f"・{text}"
                lines.append(text)
            elif tag == _W + "tbl":
                table = Table(child, document)
                lines.append("")
                for row in table.rows:
                    cells = []
                    seen = set()
                    for cell in row.cells:
                        # merged cells come back once per grid column
                        if id(cell._tc) in seen:
                            continue
                        seen.add(id(cell._tc))
                        cells.append(cell.text.replace("\n", " ").strip())
                    lines.append(" | ".join(cells))
                lines.append("")
        notes = _docx_footnotes(document, name)
        if notes:
            lines.append("")
            lines.append("脚注 / Footnotes")
            lines.extend(notes)
    except ReviewInputError:
        raise
    except Exception as exc:
        raise ReviewInputError(
            "broken_docx", f"{name}: the Word file could not be read ({type(exc).__name__})."
        ) from exc
    return ExtractedText("\n".join(lines), warnings, None, "docx")


def _docx_footnotes(document, name: str = "") -> list[str]:
    out: list[str] = []
    try:
        for rel in document.part.rels.values():
            if not rel.reltype.endswith("/footnotes"):
                continue
            from lxml import etree

            root = etree.fromstring(rel.target_part.blob)
            for fn in root.iter(_W + "footnote"):
                if fn.get(_W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                text = "".join(t.text or "" for t in fn.iter(_W + "t")).strip()
                if text:
                    out.append(f"[{fn.get(_W + 'id')}] {text}")
    except Exception as exc:  # a damaged footnotes part: keep the notes read so far
        log.warning(
            "%s: the Word footnotes could not be read after %d notes (%s: %s)", name, len(out), type(exc).__name__, exc
        )
    return out
