"""The skills map as the Excel sheet factories already keep (星取表), and back.

Export: people down, assets across; a title row, a legend row, then the header row (氏名,
所属, 退職予定日, one column per asset), each level cell coloured and chosen from a drop-down
of the scale; the header and the name column frozen. Japanese marks and headers, or English
words when the reader's language is English; import reads either.

Import changes levels only (people and columns are managed on the site). It finds the header
row by its first cell (氏名 / Name), matches people by name and columns by asset title (either
language) and reads each cell with ``levels.parse``. Nothing is written by ``preview``: it
returns every change and every problem — merged cells, an unknown person or asset, a level
off the scale, a name twice — by Excel coordinate (C7). ``apply`` writes the previewed
changes only when there was no problem and the map has not changed since (each cell's level
before is checked again). Between the two, the view keeps the changes (ids and levels, no
text) in the user's session.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chizai.core import audit, exports
from chizai.core.access import require
from chizai.core.services import ChizaiError
from chizai.register import extract
from chizai.succession import levels, services
from chizai.succession.models import Skill

HEADER_ROW = 3
FIRST_SKILL_COLUMN = 4  # A name, B team, C leave date
MAX_ROWS, MAX_COLUMNS = 2_000, 500
NAME_HEADERS = {"氏名", "name", "名前"}


def _english() -> bool:
    return (translation.get_language() or "ja").startswith("en")


def _fold(text) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip().lower()


def export_map(actor, organization) -> bytes:
    """The map ``actor`` may see as an .xlsx; audited (it lists who can do which secret process)."""
    import openpyxl  # noqa: PLC0415 - openpyxl is slow to import and only the export and import need it
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    require(actor, organization, "register", "export")
    grid = services.grid(actor, organization)
    english = _english()
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]  # the one a new workbook has (book.active)
    sheet.title = "Skills map" if english else "スキルマップ"
    title = "Skills map" if english else "スキルマップ（星取表）"
    sheet.cell(1, 1, exports.cell(f"{title} — {organization.display_name}")).font = Font(bold=True, size=13)
    legend = "  ".join(f"{levels.MARKS[lv]} {levels.WORDS[lv]}" for lv in reversed(levels.LEVELS))
    sheet.cell(2, 1, exports.cell(legend))
    # The Japanese headers are the words factories write on their sheets, fixed here rather
    # than left to the catalogue, since import looks for 氏名.
    fixed = ["Name", "Team", "Leave date"] if english else ["氏名", "所属", "退職予定日"]
    headers = fixed + [s.asset.title for s in grid.skills]
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(HEADER_ROW, column, exports.cell(text))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column >= FIRST_SKILL_COLUMN:
            sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 12
    fills = {lv: PatternFill("solid", fgColor=colour) for lv, colour in levels.COLOURS.items()}
    for row, person in enumerate(grid.people, start=HEADER_ROW + 1):
        sheet.cell(row, 1, exports.cell(person.name))
        sheet.cell(row, 2, exports.cell(person.team))
        if person.leaves_on:
            sheet.cell(row, 3, person.leaves_on).number_format = "yyyy-mm-dd"
        for column, skill in enumerate(grid.skills, start=FIRST_SKILL_COLUMN):
            level = grid.level(person.pk, skill.pk)
            cell = sheet.cell(row, column, str(levels.WORDS[level]) if english else levels.MARKS[level])
            cell.fill = fills[level]
            cell.alignment = Alignment(horizontal="center")
    if grid.skills and grid.people:
        options = [str(levels.WORDS[lv]) if english else levels.MARKS[lv] for lv in levels.LEVELS]
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        validation.error = _("Choose a level of the scale.")
        sheet.add_data_validation(validation)
        last = get_column_letter(FIRST_SKILL_COLUMN + len(grid.skills) - 1)
        validation.add(f"D{HEADER_ROW + 1}:{last}{HEADER_ROW + len(grid.people)}")
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 2).coordinate  # header rows and the name column stay in view
    out = io.BytesIO()
    book.save(out)
    audit.record(
        actor,
        organization,
        "succession.map.export",
        object_type="succession.skill",
        summary=f"skills map exported ({len(grid.people)} people × {len(grid.skills)} assets)",
        data={"people": len(grid.people), "skills": len(grid.skills)},
        changes={"after": {"people": len(grid.people), "skills": len(grid.skills)}},
    )
    return out.getvalue()


@dataclass(frozen=True)
class PlannedChange:
    coordinate: str
    person_id: int
    person: str
    skill_id: int
    skill: str
    before: int
    after: int

    @property
    def before_label(self) -> str:
        return levels.label(self.before)

    @property
    def after_label(self) -> str:
        return levels.label(self.after)


@dataclass
class Preview:
    changes: list[PlannedChange] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (coordinate or "", message)
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def pending(self) -> list[list[int]]:
        """What the session keeps until the user confirms: ids and levels only."""
        return [[c.person_id, c.skill_id, c.before, c.after] for c in self.changes]


def _open(source):
    import openpyxl  # noqa: PLC0415 - see export_map

    refusal = extract.unpack_refusal(source)
    if refusal:
        raise ChizaiError(refusal)
    try:
        # not read_only: merged ranges are only known to a fully loaded sheet (the map is small)
        return openpyxl.load_workbook(source, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for non-workbooks
        raise ChizaiError(_("This is not a readable .xlsx file.")) from None


def _header_row(sheet) -> int | None:
    for row in range(1, min(sheet.max_row, 20) + 1):
        if _fold(sheet.cell(row, 1).value) in NAME_HEADERS:
            return row
    return None


def _by_name(items, names) -> dict[str, list]:
    found: dict[str, list] = {}
    for item in items:
        for name in names(item):
            if name:
                found.setdefault(_fold(name), []).append(item)
    return {k: list({id(i): i for i in v}.values()) for k, v in found.items()}


def preview(actor, organization, source) -> Preview:
    """What importing ``source`` would change, and every problem; writes nothing."""
    from openpyxl.utils import get_column_letter

    require(actor, organization, "register", "change")
    result = Preview()
    sheet = _open(source).worksheets[0]
    if sheet.max_row > MAX_ROWS or sheet.max_column > MAX_COLUMNS:
        result.problems.append(("", _("The sheet is too large for a skills map.")))
        return result
    header = _header_row(sheet)
    if header is None:
        result.problems.append(("A1", _("No header row: the first column of the header must say 氏名 or Name.")))
        return result
    for merged in sheet.merged_cells.ranges:
        if merged.max_row >= header:
            result.problems.append((merged.coord, _("Merged cells: unmerge them so each cell holds one value.")))
    grid = services.grid(actor, organization)
    editable = {s.pk for s in services.skills(actor, organization, "change")}
    skills = _by_name(grid.skills, lambda s: (s.asset.title_ja, s.asset.title_en))
    people = _by_name(grid.people, lambda p: (p.name,))
    columns: dict[int, Skill] = {}
    seen_columns: dict[int, str] = {}
    for column in range(FIRST_SKILL_COLUMN, sheet.max_column + 1):
        coordinate = f"{get_column_letter(column)}{header}"
        title = sheet.cell(header, column).value
        if title is None or not str(title).strip():
            continue
        matches = skills.get(_fold(title), [])
        if len(matches) != 1:
            message = _("Unknown asset “%(title)s”: add it to the map on the site first.")
            if matches:
                message = _("“%(title)s” names more than one asset on the map.")
            result.problems.append((coordinate, message % {"title": title}))
            continue
        skill = matches[0]
        if skill.pk in seen_columns:
            result.problems.append(
                (coordinate, _("This asset already has a column (%(other)s).") % {"other": seen_columns[skill.pk]})
            )
            continue
        seen_columns[skill.pk] = coordinate
        if skill.pk not in editable:
            result.problems.append((coordinate, _("You may not change the levels of “%(title)s”.") % {"title": title}))
            continue
        columns[column] = skill
    seen_people: dict[int, int] = {}
    for row in range(header + 1, sheet.max_row + 1):
        name = sheet.cell(row, 1).value
        if name is None or not str(name).strip():
            if any(sheet.cell(row, c).value not in (None, "") for c in columns):
                result.problems.append((f"A{row}", _("Levels without a name.")))
            continue
        matches = people.get(_fold(name), [])
        if not matches:
            result.problems.append(
                (f"A{row}", _("Unknown person “%(name)s”: add them on the site first.") % {"name": name})
            )
            continue
        person = matches[0]
        if person.pk in seen_people:
            result.problems.append(
                (
                    f"A{row}",
                    _("%(name)s appears twice (also row %(row)s).") % {"name": name, "row": seen_people[person.pk]},
                )
            )
            continue
        seen_people[person.pk] = row
        for column, skill in columns.items():
            coordinate = f"{get_column_letter(column)}{row}"
            value = sheet.cell(row, column).value
            if isinstance(value, datetime | date) or (isinstance(value, str) and value.startswith("=")):
                result.problems.append(
                    (coordinate, _("“%(value)s” is not a level (◎ ○ △ －, or 0 to 3).") % {"value": value})
                )
                continue
            try:
                after = levels.parse(value)
            except levels.BadLevel as exc:
                result.problems.append(
                    (coordinate, _("“%(value)s” is not a level (◎ ○ △ －, or 0 to 3).") % {"value": exc})
                )
                continue
            before = grid.level(person.pk, skill.pk)
            if before == after:
                result.unchanged += 1
            else:
                result.changes.append(
                    PlannedChange(coordinate, person.pk, person.name, skill.pk, skill.asset.title, before, after)
                )
    return result


@transaction.atomic
def apply(actor, organization, pending: list[list[int]], today: date | None = None) -> int:
    """Write previewed changes; refused (nothing written) when any cell moved since the preview."""
    require(actor, organization, "register", "change")
    wanted = {(p, s): after for p, s, _before, after in pending}
    befores = {(p, s): before for p, s, before, _after in pending}
    grid = services.grid(actor, organization)
    for (person_id, skill_id), before in befores.items():
        if grid.level(person_id, skill_id) != before:
            raise ChizaiError(_("The skills map changed since the preview: upload the sheet again."))
    changed = services.set_levels(actor, organization, wanted, source="excel", today=today or timezone.localdate())
    return len(changed)
