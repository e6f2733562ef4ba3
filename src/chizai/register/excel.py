"""The register as an Excel workbook, and back: create or update by id, all or nothing.

Row 1 holds the column keys (``COLUMNS``), so a sheet edited in Excel comes back in the
same layout. Every row is checked before anything is written; any bad row — wrong type,
unknown choice, a formula, an id the user may not edit — means nothing is imported and
the report names each row and field.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from chizai.core import audit, exports
from chizai.core.access import require
from chizai.core.services import ChizaiError
from chizai.register import extract, services
from chizai.register.models import Asset

COLUMNS = [
    "id", "title_ja", "title_en", "kind", "failed_result", "description", "origin", "partner_name", "classification",
    "protection_strategy", "protection_reason", "ts_marked", "ts_access_restricted", "ts_listed", "ts_useful",
    "ts_not_public", "business_value", "documented", "tags", "next_review", "right_number", "right_filed_on",
    "right_registered_on", "right_expires_on",
]
BOOLEANS = {"failed_result", "ts_marked", "ts_access_restricted", "ts_listed", "ts_useful", "ts_not_public", "documented"}
DATES = {"next_review", "right_filed_on", "right_registered_on", "right_expires_on"}
CHOICES = {
    "kind": Asset.Kind, "origin": Asset.Origin, "classification": Asset.Classification,
    "protection_strategy": Asset.Strategy, "business_value": Asset.Value,
}
TRUE = {"1", "true", "yes", "y", "はい", "○", "✓"}
FALSE = {"0", "false", "no", "n", "いいえ", "", "×", "-"}
MAX_ROWS = 20_000


def export_register(actor, organization) -> bytes:
    import openpyxl

    require(actor, organization, "register", "export")
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]  # the one a new workbook has (book.active)
    sheet.title = "register"
    sheet.append(COLUMNS)
    assets = Asset.objects.restrict(actor, "export").filter(organization=organization).order_by("pk")
    count = 0
    for asset in assets.iterator(chunk_size=1000):
        row = []
        for column in COLUMNS:
            value = ", ".join(asset.tags) if column == "tags" else asset.pk if column == "id" else getattr(asset, column)
            row.append(exports.cell(value))
        sheet.append(row)
        count += 1
    with transaction.atomic():
        audit.record(actor, organization, "register.export.xlsx", summary=f"register exported ({count} assets)",
                     changes={"after": {"assets": count}})
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class ImportResult:
    ok: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)


def _bool(value):
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(_("expected yes/no (TRUE/FALSE, 1/0)"))


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise ValueError(_("expected a date (YYYY-MM-DD)")) from None


def _text(value) -> str:
    text = "" if value is None else str(value).strip()
    return text[1:] if text.startswith("'") else text


def _parse_row(cells: dict) -> tuple[dict, list[tuple[str, str]]]:
    fields, errors = {}, []
    for column in COLUMNS[1:]:
        value = cells.get(column)
        try:
            if column in BOOLEANS:
                fields[column] = _bool(value)
            elif column in DATES:
                fields[column] = _date(value)
            elif column in CHOICES:
                text = _text(value)
                choices = CHOICES[column]
                if not text:
                    fields[column] = cast(models.Field, Asset._meta.get_field(column)).default
                elif text in choices.values:
                    fields[column] = text
                else:
                    raise ValueError(_("must be one of: %(choices)s") % {"choices": ", ".join(choices.values)})
            else:
                fields[column] = _text(value)
        except ValueError as exc:
            errors.append((column, str(exc)))
    return fields, errors


def import_register(actor, organization, source) -> ImportResult:
    import openpyxl

    require(actor, organization, "register", "add")
    refusal = extract.unpack_refusal(source)
    if refusal:
        return ImportResult(False, errors=[(0, "", refusal)])
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for non-workbooks
        return ImportResult(False, errors=[(0, "", _("This is not a readable .xlsx file."))])
    sheet = book.worksheets[0]
    rows = sheet.iter_rows()
    header = [(_text(c.value)) for c in next(rows, [])]
    while header and not header[-1]:
        header.pop()
    if header != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        detail = "; ".join(filter(None, [
            _("missing columns: %(cols)s") % {"cols": ", ".join(missing)} if missing else "",
            _("unknown columns: %(cols)s") % {"cols": ", ".join(extra)} if extra else "",
            _("columns out of order") if not missing and not extra else "",
        ]))
        return ImportResult(False, errors=[(1, "", _("The first row must name the columns of an export. ") + detail)])
    errors: list[tuple[int, str, str]] = []
    parsed: list[tuple[int, int | None, dict]] = []
    editable_ids = set(Asset.objects.restrict(actor, "change").filter(organization=organization).values_list("pk", flat=True))
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            errors.append((number, "", _("Too many rows (the limit is %(max)d).") % {"max": MAX_ROWS}))
            break
        cells = {}
        for column, cell in zip(COLUMNS, row, strict=False):
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                errors.append((number, column, _("formulas are not accepted; paste values only")))
            cells[column] = cell.value
        if all(v in (None, "") for v in cells.values()):
            continue
        raw_id = cells.get("id")
        asset_id = None
        if raw_id not in (None, ""):
            try:
                asset_id = int(str(raw_id).strip())
            except ValueError:
                errors.append((number, "id", _("must be a number, or empty for a new asset")))
            else:
                if asset_id not in editable_ids:
                    errors.append((number, "id", _("no asset with this id that you may edit")))
        fields, field_errors = _parse_row(cells)
        errors.extend((number, column, message) for column, message in field_errors)
        if not field_errors:
            candidate = Asset(organization=organization, **{k: v for k, v in fields.items() if k != "tags"})
            try:
                services.validate_asset(candidate)
            except ValidationError as exc:
                for column, messages in exc.message_dict.items():
                    errors.extend((number, column, m) for m in messages)
        parsed.append((number, asset_id, fields))
    book.close()
    if errors:
        return ImportResult(False, errors=errors)
    result = ImportResult(True)
    try:
        with transaction.atomic():
            for number, asset_id, fields in parsed:
                try:
                    if asset_id is None:
                        services.create_asset(actor, organization, **fields)
                        result.created += 1
                    else:
                        _asset, changed = services.change_asset(actor, organization, asset_id, **fields)
                        if changed:
                            result.updated += 1
                        else:
                            result.unchanged += 1
                except (ChizaiError, ValidationError, PermissionDenied, Http404) as exc:
                    raise _RowFailed(number, exc) from None
    except _RowFailed as failed:
        return ImportResult(False, errors=[(failed.row, "", str(failed.error))])
    return result


class _RowFailed(Exception):
    def __init__(self, row: int, error: Exception):
        super().__init__(row, error)
        self.row = row
        self.error = error
