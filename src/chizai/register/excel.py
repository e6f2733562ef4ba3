"""The register as an Excel workbook, and back: create or update by id, all or nothing.

The sheet reads like the register page in the exporter's language: row 1 names the columns
(「題名（日本語）」, "title (Japanese)"), choices are written by name with a drop-down list,
yes/no as はい/いいえ, the header row and the title column frozen. Import takes the column
names and choice names of either language, or the internal keys (``COLUMNS``, ``secret``)
of sheets made before, in any column order. Every row is checked before anything is
written; any bad row — wrong type, unknown choice, a formula, an id the user may not edit —
means nothing is imported and the report names each row and field.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chizai.core import audit, exports
from chizai.core.access import require
from chizai.core.services import ChizaiError
from chizai.register.lowering import LoweringNotConfirmed, require_confirmed_lowering
from chizai.register import extract, services
from chizai.register.models import Asset

COLUMNS = [
    "id",
    "title_ja",
    "title_en",
    "kind",
    "failed_result",
    "description",
    "origin",
    "partner_name",
    "classification",
    "protection_strategy",
    "protection_reason",
    "ts_marked",
    "ts_access_restricted",
    "ts_listed",
    "ts_useful",
    "ts_not_public",
    "business_value",
    "documented",
    "tags",
    "next_review",
    "right_number",
    "right_filed_on",
    "right_registered_on",
    "right_expires_on",
]
BOOLEANS = {
    "failed_result",
    "ts_marked",
    "ts_access_restricted",
    "ts_listed",
    "ts_useful",
    "ts_not_public",
    "documented",
}
DATES = {"next_review", "right_filed_on", "right_registered_on", "right_expires_on"}
CHOICES = {
    "kind": Asset.Kind,
    "origin": Asset.Origin,
    "classification": Asset.Classification,
    "protection_strategy": Asset.Strategy,
    "business_value": Asset.Value,
}
TRUE = {"1", "true", "yes", "y", "はい", "○", "✓"}
FALSE = {"0", "false", "no", "n", "いいえ", "", "×", "-"}
MAX_ROWS = 20_000


def _language() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


def column_label(column: str) -> str:
    """A column's name in the active language (the model field's verbose name)."""
    if column == "id":
        return "ID"
    name = "tags_text" if column == "tags" else column
    return str(cast(models.Field, Asset._meta.get_field(name)).verbose_name)


def _yes_no(value: bool) -> str:
    return (_("yes") if value else _("no")) if _language() == "en" else ("はい" if value else "いいえ")


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """(column name -> key, per choice column: choice name -> value), for both languages and the keys."""
    headers: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {column: {} for column in CHOICES}
    for language in ("ja", "en"):
        with translation.override(language):
            for column in COLUMNS:
                headers[_fold(column_label(column))] = column
            for column, enum in CHOICES.items():
                for value, label in enum.choices:
                    choices[column][_fold(str(label))] = value
    for column in COLUMNS:
        headers[_fold(column)] = column
    for column, enum in CHOICES.items():
        for value in enum.values:
            choices[column][_fold(value)] = value
    return headers, choices


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def export_register(actor, organization) -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    require(actor, organization, "register", "export")
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]  # the one a new workbook has (book.active)
    sheet.title = _("register")[:31]
    sheet.append([column_label(column) for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"  # the header row and the id and title columns stay in view
    lists = book.create_sheet("lists")  # the drop-down choices; hidden, so nobody edits them by mistake
    lists.sheet_state = "hidden"
    labels = {column: {value: str(label) for value, label in enum.choices} for column, enum in CHOICES.items()}
    for index, column in enumerate([*CHOICES, "_yes_no"], start=1):
        options = [_yes_no(True), _yes_no(False)] if column == "_yes_no" else list(labels[column].values())
        for number, option in enumerate(options, start=1):
            lists.cell(row=number, column=index, value=option)
        letter = get_column_letter(index)
        targets = [c for c in COLUMNS if (c in BOOLEANS if column == "_yes_no" else c == column)]
        validation = DataValidation(
            type="list", formula1=f"=lists!${letter}$1:${letter}${len(options)}", allow_blank=True
        )
        for target in targets:
            target_letter = get_column_letter(COLUMNS.index(target) + 1)
            validation.add(f"{target_letter}2:{target_letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = (
            40 if column in ("title_ja", "title_en", "description") else 16
        )
    assets = Asset.objects.restrict(actor, "export").filter(organization=organization).order_by("pk")
    count = 0
    for asset in assets.iterator(chunk_size=1000):
        row = []
        for column in COLUMNS:
            value = (
                ", ".join(asset.tags) if column == "tags" else asset.pk if column == "id" else getattr(asset, column)
            )
            if column in CHOICES:
                value = labels[column].get(value, value)
            elif column in BOOLEANS:
                value = _yes_no(bool(value))
            row.append(exports.cell(value))
        sheet.append(row)
        count += 1
    with transaction.atomic():
        audit.record(
            actor,
            organization,
            "register.export.xlsx",
            summary=f"register exported ({count} assets)",
            data={"n": count},
            changes={"after": {"assets": count}},
        )
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
    lowering: bool = False  # refused only because rows lower a classification without confirmation


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
                if not text:
                    fields[column] = cast(models.Field, Asset._meta.get_field(column)).default
                elif _fold(text) in _names()[1][column]:
                    fields[column] = _names()[1][column][_fold(text)]
                else:
                    names = ", ".join(str(label) for label in CHOICES[column].labels)
                    raise ValueError(_("must be one of: %(choices)s") % {"choices": names})
            else:
                fields[column] = _text(value)
        except ValueError as exc:
            errors.append((column, str(exc)))
    return fields, errors


def import_register(actor, organization, source, *, confirm_lowering: bool = False) -> ImportResult:
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
    known, _choice_names = _names()
    keys = [known.get(_fold(name)) for name in header]
    if sorted(k for k in keys if k) != sorted(COLUMNS) or len([k for k in keys if k]) != len(set(k for k in keys if k)):
        missing = [column_label(c) for c in COLUMNS if c not in keys]
        extra = [name for name, key in zip(header, keys, strict=True) if key is None and name]
        detail = "; ".join(
            filter(
                None,
                [
                    _("missing columns: %(cols)s") % {"cols": ", ".join(missing)} if missing else "",
                    _("unknown columns: %(cols)s") % {"cols": ", ".join(extra)} if extra else "",
                    _("a column is named twice") if not missing and not extra else "",
                ],
            )
        )
        return ImportResult(False, errors=[(1, "", _("The first row must name the columns of an export. ") + detail)])
    errors: list[tuple[int, str, str]] = []
    parsed: list[tuple[int, int | None, dict]] = []
    editable_ids = set(
        Asset.objects.restrict(actor, "change").filter(organization=organization).values_list("pk", flat=True)
    )
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            errors.append((number, "", _("Too many rows (the limit is %(max)d).") % {"max": MAX_ROWS}))
            break
        cells = {}
        for column, cell in zip(keys, row, strict=False):
            if column is None:
                continue
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
    # rows that lower an asset's classification need the importer's confirmation, as on the form
    targets = {
        asset_id: fields["classification"]
        for _n, asset_id, fields in parsed
        if asset_id and fields.get("classification")
    }
    row_of = {asset_id: number for number, asset_id, _f in parsed if asset_id}
    try:
        require_confirmed_lowering(actor, organization, targets, confirm_lowering)
    except LoweringNotConfirmed as refused:
        labels = dict(Asset.Classification.choices)
        return ImportResult(
            False,
            lowering=True,
            errors=[
                (
                    row_of[asset.pk],
                    "classification",
                    _("lowers %(title)s from %(before)s to %(after)s: tick the confirmation to import it")
                    % {"title": asset.title_ja, "before": labels[before], "after": labels[after]},
                )
                for asset, before, after in refused.lowered
            ],
        )
    result = ImportResult(True)
    try:
        with transaction.atomic():
            for number, asset_id, fields in parsed:
                try:
                    if asset_id is None:
                        services.create_asset(actor, organization, **fields)
                        result.created += 1
                    else:
                        _asset, changed = services.change_asset(
                            actor, organization, asset_id, confirmed_lowering=confirm_lowering, **fields
                        )
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
