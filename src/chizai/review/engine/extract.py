"""Turn an uploaded file (PDF, DOCX, TXT, Markdown) into plain text.

Everything a user can upload ends up here, so every failure must become a
``ReviewInputError`` with a stable code and a message a non-lawyer understands;
no parser exception may leak out.
"""

from __future__ import annotations

import io
import logging
import re

from . import ocr
from .extracted import ExtractedText, captured
from .document import ReviewInputError
from .extract_docx import DOCX_MAX_UNPACKED_BYTES, encrypted_ooxml, extract_docx  # noqa: F401 - the limit stays importable here

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_CHARS = 2_000_000

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
    ".gif": "images are not supported",
    ".zip": "archives are not supported",
    ".html": "HTML is not supported; paste the text or save it as .txt",
    ".htm": "HTML is not supported; paste the text or save it as .txt",
}

# C0 controls other than tab/newline/form feed carry no meaning in a contract and
# confuse the segmenter; they are dropped before anything is measured.
_CTRL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


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
        result = extract_docx(data, name)
    elif ext in ocr.IMAGE_EXTS or _is_image(head):
        result = _extract_image(data, name)
    elif ext in KNOWN_UNSUPPORTED:
        raise ReviewInputError("unsupported_type", f"{name}: {KNOWN_UNSUPPORTED[ext]}. Use PDF, DOCX, TXT or Markdown.")
    elif encrypted_ooxml(data):  # a protected .docx whose name lost its extension: not an "old .doc"
        raise ReviewInputError("encrypted_docx", f"{name}: the Word file is password-protected.")
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
    return captured(result)


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
    if _scanned(pages):
        reason = ocr.missing()
        if reason is None:
            return _from_ocr(ocr.ocr_pdf(data, name), "pdf")
        log.info("%s: a scanned PDF is refused because OCR cannot run: %s", name, reason)
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


def _scanned(pages: list[str]) -> bool:
    """Too little text for the number of pages: a scan without a text layer."""
    n = len(pages)
    visible = sum(len(re.sub(r"\s+", "", p)) for p in pages)
    return bool(n and visible < 20 * max(1, min(n, 3)) and visible < 200)


# ---------------------------------------------------------------------------- scans (OCR)

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def _is_image(head: bytes) -> bool:
    return head.startswith(_IMAGE_MAGIC)


def _from_ocr(result: ocr.OcrResult, fmt: str) -> ExtractedText:
    if not result.text.strip():
        raise ReviewInputError("empty", f"{result.name}: OCR found no text in the scan.")
    return ExtractedText(result.text, list(result.warnings), len(result.pages), fmt, ocr=result)


def _extract_image(data: bytes, name: str) -> ExtractedText:
    reason = ocr.missing()
    if reason is not None:
        raise ReviewInputError(
            "unsupported_type",
            f"{name}: images are not supported here because OCR is not installed ({reason}). "
            "Use PDF, DOCX, TXT or Markdown.",
        )
    return _from_ocr(ocr.ocr_image(data, name), "image")


def needs_ocr(data: bytes, filename: str) -> bool:
    """Whether reading ``data`` means OCR (an image, or a PDF without a text layer).

    Cheap (no page is rasterised): the web request asks this to leave the OCR to the worker.
    Damaged or protected files answer False so that the ordinary reading reports them.
    """
    name = filename or "document"
    head = bytes(data[:8])
    ext = _ext(name)
    if ext in ocr.IMAGE_EXTS or _is_image(head):
        return True
    if not (head.startswith(b"%PDF") or ext == ".pdf"):
        return False
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return False
        return _scanned([page.extract_text() or "" for page in reader.pages])
    except Exception as exc:  # pypdf raises many types on damaged files; extract_text says what is wrong
        log.info("%s: not checked for OCR (%s: %s)", name, type(exc).__name__, exc)
        return False
