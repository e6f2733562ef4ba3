"""Text out of uploaded files, for search: PDF, DOCX, XLSX, TXT and Markdown.

Works on a plaintext stream the caller decrypts; returns (text, note). A file whose text
cannot be read (password-protected, corrupt, a scan without a text layer) is still
stored — it is evidence — and the note says why it is not searchable.
"""
from __future__ import annotations

from pathlib import PurePath

from django.utils.translation import gettext as _

MAX_TEXT = 2_000_000  # characters kept per file; beyond this search would gain little


def kind_of(name: str, head: bytes) -> str:
    suffix = PurePath(name).suffix.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") and suffix in (".docx", ".xlsx"):
        return suffix[1:]
    if suffix in (".txt", ".md", ".csv", ".markdown"):
        return "text"
    return "other"


def extract(name: str, handle) -> tuple[str, str]:
    """``handle``: a seekable binary file positioned at 0 (a decrypted temporary file)."""
    kind = kind_of(name, handle.read(8))
    handle.seek(0)
    try:
        if kind == "pdf":
            text = _pdf(handle)
        elif kind == "docx":
            text = _docx(handle)
        elif kind == "xlsx":
            text = _xlsx(handle)
        elif kind == "text":
            text = _plain(handle.read(MAX_TEXT * 4))
        else:
            return "", _("No text extracted: this file type is stored but not searched.")
    except _Encrypted:
        return "", _("No text extracted: the file is password-protected.")
    except Exception:  # noqa: BLE001 - a damaged file must not stop the upload
        return "", _("No text extracted: the file could not be read (damaged or unsupported).")
    if not text.strip():
        return "", _("No text extracted: the file has no text layer.")
    return text[:MAX_TEXT], ""


class _Encrypted(Exception):
    pass


def _pdf(handle) -> str:
    from pypdf import PdfReader

    reader = PdfReader(handle)
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                raise _Encrypted
        except Exception as exc:
            raise _Encrypted from exc
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _docx(handle) -> str:
    import docx

    document = docx.Document(handle)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _xlsx(handle) -> str:
    import openpyxl

    book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    parts = []
    for sheet in book.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells = [str(v) for v in row if v is not None]
            if cells:
                parts.append(" ".join(cells))
    book.close()
    return "\n".join(parts)


def _plain(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best else ""
