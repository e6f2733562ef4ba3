"""Text out of uploaded files, for search: PDF, DOCX, XLSX, TXT and Markdown, and scans.

Works on a plaintext stream the caller decrypts; returns (text, note). A file whose text
cannot be read (password-protected, corrupt, a scan OCR cannot read) is still stored — it
is evidence — and the note says why it is not searchable.

A PDF without a text layer and an image (PNG, JPEG, TIFF: a scanned drawing or document)
are read by the reviewer's OCR (``chizai.review.engine.ocr``: Tesseract, Japanese and
English, its page, pixel and time limits) when Tesseract is installed. This runs in the
indexing job, never in the request; ``reporting_to(job)`` keeps the job's lease alive and
shows "OCR: page n of N" while it reads.

The note is stored in English (the worker writes it for no particular reader) and
``note_text`` renders it in the reader's language.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from chizai import safearchive
from chizai.conf.env import env_int
from chizai.core import jobs
from chizai.review.engine import ReviewInputError, ocr

logger = logging.getLogger(__name__)

MAX_TEXT = 2_000_000  # characters kept per file; beyond this search would gain little
# Larger than the reviewer's: measurement workbooks of a few hundred thousand rows are
# ordinary evidence here, and openpyxl reads their sheets streaming.
DEFAULT_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
OFFICE_KINDS = ("docx", "xlsx")
# PNG, JPEG, TIFF (little- and big-endian): what a scanner or a phone writes
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
LOW_CONFIDENCE_PAGES_LISTED = 40  # pages named in a note (it has 300 characters)

# Notes, stored in English (msgids) and translated when read (``note_text``).
NOTE_ENCRYPTED = gettext_noop("No text extracted: the file is password-protected.")
NOTE_NOT_SEARCHED = gettext_noop("No text extracted: this file type is stored but not searched.")
NOTE_DAMAGED = gettext_noop("No text extracted: the file could not be read (damaged or unsupported).")
NOTE_NO_TEXT = gettext_noop("No text extracted: the file has no text layer.")
NOTE_BOMB = gettext_noop(
    "No text extracted: the file unpacks to more than %(mb)d MB or is packed suspiciously densely "
    '(a possible "zip bomb"), so it was not opened.'
)
NOTE_OCR_MISSING = gettext_noop(
    "No text extracted: this is a scan, and OCR (Tesseract) is not installed on this server."
)
NOTE_OCR_READ = gettext_noop("Text read by OCR from the scan.")
NOTE_OCR_NOTHING = gettext_noop("No text extracted: OCR found no text in the scan.")
NOTE_OCR_FAILED = gettext_noop("No text extracted: the scan could not be read by OCR.")
NOTE_OCR_TOO_MANY = gettext_noop("No text extracted: the scan has %(pages)d pages; OCR reads at most %(limit)d.")
NOTE_OCR_TOO_LARGE = gettext_noop("No text extracted: a page of the scan is too large an image for OCR.")
NOTE_OCR_TIMEOUT = gettext_noop("No text extracted: reading a page of the scan took too long.")
NOTE_OCR_LANGUAGE = gettext_noop("No text extracted: the OCR language data on this server is missing or damaged.")
NOTE_OCR_SHAKY = (
    "Text read by OCR; page %(pages)s could not be read reliably.",
    "Text read by OCR; pages %(pages)s could not be read reliably.",
)


def kind_of(name: str, head: bytes) -> str:
    suffix = PurePath(name).suffix.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(IMAGE_MAGIC):
        return "image"
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
    if kind in OFFICE_KINDS and unpack_refusal(handle):
        return "", NOTE_BOMB % {"mb": max_unpacked_bytes() // (1024 * 1024)}
    try:
        if kind == "pdf":
            text = _pdf(handle)
        elif kind == "docx":
            text = _docx(handle)
        elif kind == "xlsx":
            text = _xlsx(handle)
        elif kind == "text":
            text = _plain(handle.read(MAX_TEXT * 4))
        elif kind == "image":
            return scan_text(name, handle, pdf=False)
        else:
            return "", NOTE_NOT_SEARCHED
    except _Encrypted:
        return "", NOTE_ENCRYPTED
    except Exception:  # noqa: BLE001 - a damaged file must not stop the upload
        return "", NOTE_DAMAGED
    if not text.strip():
        return scan_text(name, handle, pdf=True) if kind == "pdf" else ("", NOTE_NO_TEXT)
    return text[:MAX_TEXT], ""


def scan_text(name: str, handle, *, pdf: bool) -> tuple[str, str]:
    """(text, note) of a scan read by OCR. Whatever goes wrong becomes the note: the file
    stays stored (it is evidence) and the indexing job succeeds."""
    if ocr.missing() is not None:
        return "", NOTE_OCR_MISSING
    handle.seek(0)
    data = handle.read()  # at most the register's upload limit; the OCR writes it to a file for pdftoppm
    try:
        result = ocr.ocr_pdf(data, name) if pdf else ocr.ocr_image(data, name)
    except ReviewInputError as exc:
        return "", _ocr_refusal(exc)
    except Exception:  # noqa: BLE001 - an OCR fault must not lose the upload or fail the job
        logger.warning("OCR of %s failed", name, exc_info=True)
        return "", NOTE_OCR_FAILED
    text = result.text
    if not text.strip():
        return "", NOTE_OCR_NOTHING
    shaky = [page.number for page in result.pages if not page.lines or page.confidence < ocr.LOW_CONFIDENCE]
    if not shaky:
        return text[:MAX_TEXT], NOTE_OCR_READ
    listed = ", ".join(str(n) for n in shaky[:LOW_CONFIDENCE_PAGES_LISTED])
    if len(shaky) > LOW_CONFIDENCE_PAGES_LISTED:
        listed += " …"
    singular, plural = NOTE_OCR_SHAKY
    return text[:MAX_TEXT], (singular if len(shaky) == 1 else plural) % {"pages": listed}


_TOO_MANY = re.compile(r"has (?P<pages>\d+) pages; OCR reads at most (?P<limit>\d+)")


def _ocr_refusal(exc: ReviewInputError) -> str:
    if exc.code == "ocr_too_many_pages" and (found := _TOO_MANY.search(exc.message)):
        return NOTE_OCR_TOO_MANY % {"pages": int(found["pages"]), "limit": int(found["limit"])}
    return {
        "encrypted_pdf": NOTE_ENCRYPTED,
        "broken_pdf": NOTE_DAMAGED,
        "broken_image": NOTE_DAMAGED,
        "ocr_unavailable": NOTE_OCR_MISSING,
        "ocr_language_missing": NOTE_OCR_LANGUAGE,
        "ocr_language_broken": NOTE_OCR_LANGUAGE,
        "ocr_page_too_large": NOTE_OCR_TOO_LARGE,
        "ocr_timeout": NOTE_OCR_TIMEOUT,
    }.get(exc.code, NOTE_OCR_FAILED)


@contextlib.contextmanager
def reporting_to(job) -> Iterator[None]:
    """While a scan is read inside the block: "OCR: page n of N" on ``job``, its lease renewed
    each page (a long scan outlasts one lease)."""

    def page_read(page: int, pages: int) -> None:
        jobs.heartbeat(job, 90 * page // max(1, pages), f"OCR: page {page} of {pages}")

    with ocr.reporting(page_read):
        yield


_NOTE_BOMB = re.compile(r"^No text extracted: the file unpacks to more than (?P<mb>\d+) MB")
_NOTE_TOO_MANY = re.compile(
    r"^No text extracted: the scan has (?P<pages>\d+) pages; OCR reads at most (?P<limit>\d+)\.$"
)
_NOTE_SHAKY = re.compile(r"^Text read by OCR; pages? (?P<pages>[\d, …]+) could not be read reliably\.$")
_FIXED_NOTES = {
    NOTE_ENCRYPTED,
    NOTE_NOT_SEARCHED,
    NOTE_DAMAGED,
    NOTE_NO_TEXT,
    NOTE_OCR_MISSING,
    NOTE_OCR_READ,
    NOTE_OCR_NOTHING,
    NOTE_OCR_FAILED,
    NOTE_OCR_TOO_LARGE,
    NOTE_OCR_TIMEOUT,
    NOTE_OCR_LANGUAGE,
}


def note_text(note: str) -> str:
    """A stored note in the active language. A note this module did not write (one stored
    translated before notes were kept in English) is shown as it is."""
    if note in _FIXED_NOTES:
        return _(note)
    if found := _NOTE_BOMB.match(note):
        return _(NOTE_BOMB) % {"mb": int(found["mb"])}
    if found := _NOTE_TOO_MANY.match(note):
        return _(NOTE_OCR_TOO_MANY) % {"pages": int(found["pages"]), "limit": int(found["limit"])}
    if found := _NOTE_SHAKY.match(note):
        pages = found["pages"]
        count = len(re.findall(r"\d+", pages)) + (1 if "…" in pages else 0)
        # the same two sentences as NOTE_OCR_SHAKY, written out for makemessages
        sentence = ngettext(
            "Text read by OCR; page %(pages)s could not be read reliably.",
            "Text read by OCR; pages %(pages)s could not be read reliably.",
            count,
        )
        return sentence % {"pages": pages}
    return note


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
