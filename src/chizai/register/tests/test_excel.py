"""Excel round trip: export, edit, import; any bad row imports nothing and names row and field."""

import io

import openpyxl
import pytest
from django.test import Client

from chizai.core.models import AuditEvent
from chizai.register import excel, services
from chizai.register.models import Asset


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _bytes(book) -> io.BytesIO:
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def exported(org, owner):
    services.create_asset(
        owner, org, title_ja="切削条件", kind="process_conditions", tags=["切削"], business_value="high"
    )
    services.create_asset(owner, org, title_ja="=危険な題名", classification="confidential")
    return _book(excel.export_register(owner, org))


def test_export_then_import_unchanged_changes_nothing(org, owner, exported):
    from chizai.core.models import Job

    jobs_before = Job.objects.count()
    result = excel.import_register(owner, org, _bytes(exported))
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert not AuditEvent.objects.filter(action="register.asset.update").exists()
    assert Job.objects.count() == jobs_before
    assert Asset.objects.count() == 2
    assert Asset.objects.filter(title_ja="=危険な題名").exists()
    assert AuditEvent.objects.filter(action="register.export.xlsx").count() == 1


def test_import_creates_rows_without_id_and_updates_rows_with_one(org, owner, exported):
    sheet = exported.active
    sheet.cell(row=2, column=2, value="切削条件 第2版")
    sheet.append(
        [
            None,
            "新しい配合",
            "",
            "recipe",
            "no",
            "",
            "background",
            "",
            "internal",
            "undecided",
            "",
            "",
            "",
            "",
            "",
            "",
            "medium",
            "yes",
            "配合, 樹脂",
            "2027-04-01",
        ]
    )
    result = excel.import_register(owner, org, _bytes(exported))
    assert result.ok and (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert AuditEvent.objects.filter(action="register.asset.update").count() == 1
    created = Asset.objects.get(title_ja="新しい配合")
    assert created.tags == ["配合", "樹脂"] and created.documented and str(created.next_review) == "2027-04-01"
    assert Asset.objects.filter(title_ja="切削条件 第2版").exists()


def test_any_bad_row_imports_nothing_and_names_each_row_and_field(org, owner, exported):
    sheet = exported.active
    sheet.cell(row=2, column=2, value="変更されてはいけない")
    sheet.append([None, "良い行", "", "recipe"])
    sheet.append(
        [
            None,
            "悪い行",
            "",
            "spaceship",
            "maybe",
            "",
            "joint",
            "",
            "internal",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "31/31/2027",
        ]
    )
    sheet.append([99999, "他人の行"])
    result = excel.import_register(owner, org, _bytes(exported))
    assert not result.ok
    problems = {(row, column) for row, column, _message in result.errors}
    assert {(5, "kind"), (5, "failed_result"), (5, "next_review"), (6, "id")} <= problems
    assert Asset.objects.count() == 2 and not Asset.objects.filter(title_ja="変更されてはいけない").exists()


def test_joint_row_without_partner_is_reported(org, owner, exported):
    exported.active.append([None, "共同成果", "", "know_how", "", "", "joint", ""])
    result = excel.import_register(owner, org, _bytes(exported))
    assert not result.ok and (4, "partner_name") in {(r, c) for r, c, _m in result.errors}


def test_formulas_are_refused(org, owner, exported):
    exported.active.cell(row=2, column=3, value='=HYPERLINK("http://evil")')
    result = excel.import_register(owner, org, _bytes(exported))
    assert not result.ok and result.errors[0][:2] == (2, "title_en")


def test_wrong_columns_are_refused(org, owner):
    book = openpyxl.Workbook()
    book.active.append(["id", "title", "kind"])
    result = excel.import_register(owner, org, _bytes(book))
    assert not result.ok and "missing columns" in result.errors[0][2]


def test_not_a_workbook(org, owner):
    result = excel.import_register(owner, org, io.BytesIO(b"not excel"))
    assert not result.ok and "not a readable" in result.errors[0][2]


def test_rows_the_user_may_not_edit_are_refused(org, people):
    secret = services.create_asset(people["owner"], org, title_ja="極秘", classification="secret")
    book = openpyxl.Workbook()
    book.active.append(excel.COLUMNS)
    book.active.append([secret.pk, "乗っ取り"])
    result = excel.import_register(people["engineer"], org, _bytes(book))
    assert not result.ok and result.errors[0][:2] == (2, "id")
    assert Asset.objects.get(pk=secret.pk).title_ja == "極秘"


def test_web_import_shows_the_report(org, owner, exported):
    exported.active.append([None, "", "", "bad-kind"])
    client = Client()
    client.force_login(owner)
    upload = _bytes(exported)
    upload.name = "register.xlsx"
    response = client.post(f"/o/{org.slug}/register/import/", {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200 and "bad-kind" not in body and "kind" in body
    assert client.get(f"/o/{org.slug}/register/export.xlsx").status_code == 200


@pytest.mark.parametrize(
    ("language", "title_header", "secret_label", "yes"),
    [("ja", "名称 (日本語)", "極秘", "はい"), ("en", "title (Japanese)", "Secret", "yes")],
)
def test_the_sheet_reads_like_the_register_in_the_exporters_language(
    org, owner, language, title_header, secret_label, yes
):
    from django.utils import translation

    services.create_asset(owner, org, title_ja="焼入れ条件", classification="secret", documented=True)
    with translation.override(language):
        book = _book(excel.export_register(owner, org))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert any(title_header in (h or "") for h in header) and "title_ja" not in header
    row = {h: c.value for h, c in zip(header, sheet[2], strict=True)}
    assert any(secret_label in str(v) for v in row.values()) and "secret" not in row.values()
    assert yes in row.values()
    assert sheet.freeze_panes == "C2"
    assert sheet.data_validations.dataValidation, "choice columns have drop-down lists"
    assert book["lists"].sheet_state == "hidden"
    # and it comes back unchanged, in any language the importer reads
    for reader in ("ja", "en"):
        with translation.override(reader):
            result = excel.import_register(owner, org, _bytes(book))
        assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 1), result.errors


def test_columns_in_another_order_and_names_of_either_language_import(org, owner):
    from django.utils import translation

    with translation.override("en"):
        english = {c: excel.column_label(c) for c in excel.COLUMNS}
    header = list(reversed(excel.COLUMNS))
    book = openpyxl.Workbook()
    book.active.append([english[c] if i % 2 else c for i, c in enumerate(header)])
    values = {
        "title_ja": "新しい治具",
        "kind": "drawing",
        "classification": "Confidential",
        "documented": "はい",
        "business_value": "High (critical)",
    }
    book.active.append([values.get(c) for c in header])
    result = excel.import_register(owner, org, _bytes(book))
    assert result.ok and result.created == 1, result.errors
    created = Asset.objects.get(title_ja="新しい治具")
    assert (created.kind, created.classification, created.documented, created.business_value) == (
        "drawing",
        "confidential",
        True,
        "high",
    )
    partial = openpyxl.Workbook()
    partial.active.append(["classification", "名称 (日本語)", "kind"])
    result = excel.import_register(owner, org, _bytes(partial))
    assert not result.ok and "missing columns" in result.errors[0][2]
