"""Cells for files people open in Excel, LibreOffice or Word: the one place text is made safe
to export (every CSV writer and the XLSX/DOCX exports go through it).

Why: a cell starting with ``= + - @`` (or a tab or carriage return before one, per OWASP's
CSV-injection advice) is run as a formula by spreadsheet programs, so such text is kept as
text with a leading apostrophe. Control characters other than tab and line breaks are not
allowed in XML (XLSX, DOCX) and would make the whole file fail, so they are dropped; old
rows stored before input was checked must not break an organisation's export.
"""

from __future__ import annotations

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A plain number such as "-3" or "+1.5" is data, not a formula: it stays as it is.
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?")


def clean_text(value: str) -> str:
    """``value`` without the characters XML (and so XLSX/DOCX) cannot hold."""
    return _NOT_XML.sub("", value)


def cell(value):
    """One exported cell: text cleaned and never read as a formula; other values unchanged."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def cells(values) -> list:
    return [cell(v) for v in values]


def deep_clean(value):
    """Text anywhere in nested lists, tuples and dicts cleaned for XML (for DOCX/PDF content)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {k: deep_clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(deep_clean(v) for v in value)
    return value


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``cell``; returns what the writer returns
    (so it also works with a pass-through "file" for streaming)."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self._writer.writerow(cells(row))

    def writerows(self, rows):
        for row in rows:
            self._writer.writerow(cells(row))


def csv_writer(out, **kwargs) -> SafeWriter:
    return SafeWriter(out, **kwargs)
