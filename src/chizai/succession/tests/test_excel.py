"""The skills map's Excel round-trip: export → import changes nothing; one changed cell is one
change and one audit event; bad sheets are previewed with each problem at its cell."""

import io

import openpyxl
import pytest
from django.utils import translation

from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.succession import excel, services


def exported(owner, org, language="ja"):
    with translation.override(language):
        return openpyxl.load_workbook(io.BytesIO(excel.export_map(owner, org)))


def as_file(book) -> io.BytesIO:
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def level_events(org):
    return AuditEvent.objects.filter(organization=org, action="succession.level.set").count()


def test_the_sheet_reads_like_a_factory_star_chart(org, owner, small_map):
    sheet = exported(owner, org).active
    assert [c.value for c in sheet[3]][:5] == ["氏名", "所属", "退職予定日", "切削条件", "研削手順"]
    names = [sheet.cell(row, 1).value for row in range(4, 7)]
    assert names == ["山本 勝", "田中 翔", "伊藤 彩"]
    assert [sheet.cell(4, c).value for c in (4, 5)] == ["◎", "○"]
    assert sheet.cell(5, 4).value == "△" and sheet.cell(6, 4).value == "－"
    assert sheet.cell(4, 4).fill.fgColor.rgb.endswith("C6EFCE")  # ◎ green
    assert sheet.freeze_panes == "B4"
    validation = sheet.data_validations.dataValidation[0]
    assert validation.formula1 == '"－,△,○,◎"' and "D4:E6" in str(validation.sqref)
    english = exported(owner, org, "en").active
    assert english.cell(3, 1).value == "Name" and english.cell(3, 4).value == "Cutting conditions"
    assert english.cell(4, 4).value == "can teach"
    assert AuditEvent.objects.filter(organization=org, action="succession.map.export").count() == 2


@pytest.mark.parametrize("language", ["ja", "en"])
def test_export_then_import_changes_nothing(org, owner, small_map, language):
    before = level_events(org)
    with translation.override(language):
        result = excel.preview(owner, org, as_file(exported(owner, org, language)))
    assert result.ok, result.problems
    assert result.changes == [] and result.unchanged == 6
    assert excel.apply(owner, org, result.pending()) == 0
    assert level_events(org) == before


def test_one_changed_cell_is_one_change_and_one_audit_event(org, owner, small_map):
    book = exported(owner, org)
    book.active["D5"] = "○"  # 田中 翔 on 切削条件: △ → ○
    result = excel.preview(owner, org, as_file(book))
    assert result.ok
    assert [(c.coordinate, c.person, c.before, c.after) for c in result.changes] == [("D5", "田中 翔", 1, 2)]
    before = level_events(org)
    assert services.grid(owner, org).level(small_map["young"].pk, small_map["cutting"].pk) == 1  # preview wrote nothing
    assert excel.apply(owner, org, result.pending()) == 1
    assert level_events(org) == before + 1
    assert services.grid(owner, org).level(small_map["young"].pk, small_map["cutting"].pk) == 2
    event = AuditEvent.objects.filter(organization=org, action="succession.level.set").order_by("-seq").first()
    assert event.changes["source"] == "excel"


def test_digits_words_blank_and_cross_are_read(org, owner, small_map):
    book = exported(owner, org)
    sheet = book.active
    sheet["D4"], sheet["E4"], sheet["D5"], sheet["E6"] = 3, "can do alone", None, "×"
    result = excel.preview(owner, org, as_file(book))
    assert result.ok
    assert {(c.coordinate, c.after) for c in result.changes} == {("D5", 0), ("E6", 0)}


def test_bad_sheet_names_every_problem_by_cell_and_writes_nothing(org, owner, small_map):
    book = exported(owner, org)
    sheet = book.active
    sheet["F3"] = "存在しない工程"
    sheet["A7"], sheet["D7"] = "知らない人", "◎"
    sheet["D6"] = 4  # a 1–4 scale is refused, not guessed
    sheet["E5"] = "たぶん"
    sheet.merge_cells("D4:E4")
    result = excel.preview(owner, org, as_file(book))
    problems = dict(result.problems)
    assert set(problems) >= {"F3", "A7", "D6", "E5", "D4:E4"}
    assert "Unknown asset" in problems["F3"] and "Unknown person" in problems["A7"]
    assert "not a level" in problems["D6"] and "Merged" in problems["D4:E4"]
    assert not result.ok


def test_a_map_changed_since_the_preview_is_not_overwritten(org, owner, small_map):
    book = exported(owner, org)
    book.active["D5"] = "○"
    result = excel.preview(owner, org, as_file(book))
    services.set_levels(owner, org, {(small_map["young"].pk, small_map["cutting"].pk): 3})
    with pytest.raises(ChizaiError):
        excel.apply(owner, org, result.pending())
    assert services.grid(owner, org).level(small_map["young"].pk, small_map["cutting"].pk) == 3


def test_not_a_workbook(org, owner, small_map):
    with pytest.raises(ChizaiError):
        excel.preview(owner, org, io.BytesIO(b"PK\x03\x04 not really"))
    with pytest.raises(ChizaiError):
        excel.preview(owner, org, io.BytesIO(b"plain text"))
