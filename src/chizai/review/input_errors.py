"""What the user reads when the review engine cannot read their file, in the user's language.

The engine stays free of Django: it raises ``ReviewInputError(code, message)`` with a stable
code and an English message. Here each code becomes a translated sentence; the details the
engine's message carries (the file's name, its size and the limit, the unsupported
extension) are read back from that message and put into the sentence as parameters. A code
this module does not know falls back to the engine's English text rather than hiding it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_NAME = re.compile(r"^(?P<name>[^\n:]{1,255}): ")
_MB = re.compile(r"the file is (?P<size>[\d.]+) MB; the limit is (?P<limit>[\d.]+) MB")
_CHARS = re.compile(r"the text has (?P<size>[\d,]+) characters; the limit is (?P<limit>[\d,]+)")
_EXT = re.compile(r"the file type '(?P<ext>[^']*)' is not supported")
_TYPE = re.compile(r"unknown contract type '(?P<type>[^']*)'")
_PAGES = re.compile(r"the scan has (?P<pages>[\d,]+) pages; OCR reads at most (?P<limit>[\d,]+)")


def _sentences() -> dict[str, str]:
    # Built per call so that each sentence is translated in the language active now.
    return {
        "empty": _("%(name)s: the file is empty or has no text to review."),
        "encrypted_pdf": _(
            "%(name)s: this PDF is password-protected. Remove the password (or export an unprotected copy) "
            "and upload it again."
        ),
        "scanned_pdf": _(
            "%(name)s: this PDF has no text layer (it looks scanned). Run OCR on it first, or upload the Word file."
        ),
        "broken_pdf": _("%(name)s: the PDF file is damaged or not a PDF."),
        "binary": _(
            "%(name)s: this file does not look like a contract text. Upload a PDF with text, a DOCX, TXT or "
            "Markdown file."
        ),
        "unsupported_type": _(
            "%(name)s: this file type is not supported. Upload a PDF with text, a DOCX, TXT or Markdown file."
        ),
        "broken_docx": _(
            "%(name)s: this Word file is damaged and cannot be read. Save it again from Word and upload the new copy."
        ),
        "encrypted_docx": _(
            "%(name)s: this Word file is password-protected or in the old .doc format. Save an unprotected .docx copy."
        ),
        "unpacked_too_large": _(
            '%(name)s: this Word file unpacks to far more data than a contract holds (a possible "zip bomb"), '
            "so it was refused without being opened. Save it again from Word and upload the new copy."
        ),
        "unknown_language": _("%(name)s: the contract is in neither Japanese nor English, so it cannot be reviewed."),
        "too_large": _("%(name)s: the file is too large to review."),
        "not_found": _("%(name)s: the file could not be found or read."),
        # a scan read by OCR (engine/ocr.py)
        "ocr_unavailable": _(
            "%(name)s: this looks like a scanned document, and OCR is not installed on this server. "
            "Ask the administrator to install Tesseract (see the installation guide), or upload the Word or text version."
        ),
        "ocr_language_missing": _(
            "%(name)s: the OCR language data for Japanese or English is not installed on this server. "
            "Ask the administrator to install it."
        ),
        "ocr_language_broken": _(
            "%(name)s: the OCR language data on this server is damaged and cannot be loaded. "
            "Ask the administrator to reinstall it."
        ),
        "ocr_too_many_pages": _(
            "%(name)s: the scan has more pages than OCR reads at once. Upload the contract itself without its "
            "attachments, or its Word or text version."
        ),
        "ocr_page_too_large": _("%(name)s: a page of this scan is far too large an image. Scan at 300 dpi or less."),
        "ocr_timeout": _("%(name)s: reading a page of the scan took too long, so the scan was not read."),
        "ocr_failed": _("%(name)s: the scan could not be read by OCR."),
        "broken_image": _("%(name)s: the image is damaged or is not an image."),
    }


def input_error_message(code: str, message: str) -> str:
    """The engine's error ``code`` as a sentence in the active language, with its details kept."""
    found = _NAME.match(message or "")
    name = found["name"] if found else _("the file")
    if code == "too_large":
        if size := _MB.search(message):
            return _("%(name)s: the file is %(size)s MB; the limit is %(limit)s MB.") % {
                "name": name,
                **size.groupdict(),
            }
        if size := _CHARS.search(message):
            return _(
                "%(name)s: the text has %(size)s characters; the limit is %(limit)s. "
                "Split the contract or review the main part only."
            ) % {"name": name, **size.groupdict()}
    if code == "unsupported_type" and (ext := _EXT.search(message)):
        return _(
            "%(name)s: files of type %(ext)s are not supported. Upload a PDF with text, a DOCX, TXT or Markdown file."
        ) % {"name": name, "ext": ext["ext"]}
    if code == "ocr_too_many_pages" and (pages := _PAGES.search(message)):
        return _(
            "%(name)s: the scan has %(pages)s pages, more than OCR reads at once (%(limit)s). Upload the contract "
            "itself without its attachments, or its Word or text version."
        ) % {"name": name, **pages.groupdict()}
    if code == "bad_type" and (kind := _TYPE.search(message)):
        return _("Unknown contract type %(type)s; choose one from the list or automatic detection.") % {
            "type": kind["type"]
        }
    sentence = _sentences().get(code)
    return sentence % {"name": name} if sentence else message


def review_error(review) -> str:
    """A failed review's reason in the reader's language: an input error is rendered again from
    its code (the background worker stored it in no particular reader's language)."""
    stored = (review.options or {}).get("input_error")
    if isinstance(stored, dict) and stored.get("code"):
        return input_error_message(str(stored["code"]), str(stored.get("message", "")))
    return review.error


_OCR_PAGE = re.compile(r"^OCR: page (?P<page>\d+) of (?P<pages>\d+)$")


def progress_text(note: str) -> str:
    """The worker's progress note on a review (services.run_review_job writes it in English,
    into the job row every reader shares) in the reader's language."""
    m = _OCR_PAGE.match(note or "")
    if m:
        return _("Reading the scan: page %(page)s of %(pages)s") % {"page": m["page"], "pages": m["pages"]}
    known = {
        "reading the contract": _("Reading the contract"),
        "checking the clauses": _("Checking the clauses"),
        "reading the counterparty's changes": _("Reading the counterparty's changes"),
    }
    return known.get(note, note)
