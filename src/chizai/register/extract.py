"""Text out of uploaded files, for search: PDF, DOCX, XLSX, TXT and Markdown.

Works on a plaintext stream the caller decrypts; returns (text, note). A file whose text
cannot be read (password-protected, corrupt, a scan without a text layer) is still
stored — it is evidence — and the note says why it is not searchable.
"""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from chizai import safearchive
from chizai.conf.env import env_int

MAX_TEXT = 2_000_000  # characters kept per file; beyond this search would gain little
# Larger than the reviewer's: measurement workbooks of a few hundred thousand rows are
# ordinary evidence here, and openpyxl reads their sheets streaming.
DEFAULT_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
OFFICE_KINDS = ("docx", "xlsx")


def kind_of(name: str, head: bytes) -> str:
    suffix = PurePath(name).suffix.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") and suffix in (".docx", ".xlsx"):
        return suffix[1:]
    if suffix in (".txt", ".md", ".csv", ".markdown"):
        return "text"
    return "other"


def max_unpacked_bytes() -> int:
    """What a DOCX or XLSX may unpack to before the register refuses to open it."""
    return getattr(settings, "CHIZAI_ARCHIVE_MAX_UNPACKED_BYTES", None) or env_int(
        "CHIZAI_ARCHIVE_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES
    )


def unpack_refusal(handle, name: str | None = None) -> str:
    """Why the zip container in ``handle`` (a seekable binary file, left where it was) must not
    be opened, translated; "" when it may. With ``name``, only what ``kind_of`` calls DOCX or
    XLSX is measured: the files the register opens. A damaged file is not refused here (it is
    stored as evidence and its note says it could not be read). A stream that cannot seek is
    not measured; the indexer measures the stored copy before opening it."""
    if not _seekable(handle):
        return ""
    if name is not None:
        start = handle.tell()
        head = handle.read(8)
        handle.seek(start)
        if kind_of(name, head) not in OFFICE_KINDS:
            return ""
    try:
        safearchive.check(handle, max_bytes=max_unpacked_bytes())
    except safearchive.ArchiveError as exc:
        if exc.over_limit:
            return _(
                "The file unpacks to more than %(mb)d MB or is packed suspiciously densely (a possible "
                '"zip bomb"), so it was not opened.'
            ) % {"mb": max_unpacked_bytes() // (1024 * 1024)}
    return ""


def _seekable(handle) -> bool:
    try:
        return bool(handle.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def extract(name: str, handle) -> tuple[str, str]:
    """``handle``: a seekable binary file positioned at 0 (a decrypted temporary file)."""
    kind = kind_of(name, handle.read(8))
    handle.seek(0)
    # python-docx and openpyxl inflate parts whole; a bomb must not reach them
    refusal = unpack_refusal(handle) if kind in OFFICE_KINDS else ""
    if refusal:
        return "", _("No text extracted: %(reason)s") % {"reason": refusal}
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
