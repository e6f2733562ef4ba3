"""Zip bombs in the register (issue 11, R3): refused at upload, never inflated by the search
indexer, reported by the Excel import; a damaged file or a plain .zip is still stored.

The subprocess measurements (time and peak memory of the process) use the helpers of
``review/tests/test_archive_bomb.py``; the tests below them check behaviour in-process, on
both databases.
"""

from __future__ import annotations

import io
from pathlib import Path
from unittest import mock

import pytest

from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.register import excel, extract, services
from chizai.register.models import FileVersion, SearchChunk
from chizai.review.tests.test_archive_bomb import LIMIT_PEAK_MB, LIMIT_SECONDS, bombs, check_report  # noqa: F401
from chizai.review.tests.test_archive_probes import legit_docx, legit_xlsx, run_probe

PROBES = "chizai.review.tests.test_archive_probes:"


# --- measured in a fresh interpreter (the probes are in review/tests/test_archive_probes.py) -----


def test_upload_refuses_the_bomb_fast_with_flat_memory(bombs, tmp_path):  # noqa: F811
    report = run_probe(PROBES + "register_upload_probe", bombs["docx"], bombs["xlsx"], home=tmp_path)
    assert report["warm"]["outcome"].startswith("accepted"), report
    check_report(report, ["upload_docx", "upload_xlsx"])
    assert all("zip bomb" in report[entry]["outcome"] for entry in ("upload_docx", "upload_xlsx")), report


def test_indexer_skips_a_stored_bomb_fast_with_flat_memory(bombs, tmp_path):  # noqa: F811
    report = run_probe(PROBES + "register_index_probe", bombs["docx"], home=tmp_path)
    assert report["warm"]["outcome"] == "accepted: 2", report  # the same process still indexes a legit file
    assert report["index"]["seconds"] < LIMIT_SECONDS, report
    # flat, measured from the warm baseline (the tokenizer dictionary alone is ~190 MB, so an
    # absolute ceiling would measure the dictionary): indexing the asset's other rows costs some
    # MB; inflating the bomb would cost 1,000
    assert report["index"]["peak_mb"] - report["before"]["peak_mb"] < 32, report
    assert "zip bomb" in report["index_note"], report


def test_excel_import_reports_the_bomb_fast_with_flat_memory(bombs, tmp_path):  # noqa: F811
    report = run_probe(PROBES + "register_excel_probe", bombs["xlsx"], home=tmp_path)
    assert report["warm"]["outcome"] == "accepted: True", report
    result = report["excel_import"]
    assert result["seconds"] < LIMIT_SECONDS and result["peak_mb"] < LIMIT_PEAK_MB, report
    assert "zip bomb" in result["outcome"], report


# --- behaviour, in-process -------------------------------------------------------------------


@pytest.fixture
def asset(org, owner):
    return services.create_asset(owner, org, title_ja="作業標準", classification="confidential")


def _stored(path) -> list[Path]:
    return [p for p in Path(path).rglob("*") if p.is_file()]


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_upload_of_a_bomb_is_refused_and_leaves_nothing(org, owner, asset, bombs, storage_dir, kind):  # noqa: F811
    with open(bombs[kind], "rb") as handle, pytest.raises(ChizaiError) as refused:
        services.upload_version(owner, org, asset.pk, handle, name=f"手順書.{kind}")
    message = str(refused.value)
    assert "zip bomb" in message and "256 MB" in message and ".zip" in message
    assert not FileVersion.objects.exists() and not _stored(storage_dir)
    assert not AuditEvent.objects.filter(action__startswith="register.file").exists()


def test_the_same_bomb_named_zip_is_stored_unopened(org, owner, asset, bombs):  # noqa: F811
    """Only what the register opens (DOCX, XLSX) is measured; a .zip is evidence kept as is."""
    with open(bombs["docx"], "rb") as handle:
        version = services.upload_version(owner, org, asset.pk, handle, name="archive.zip")
    assert version.content_type == "application/zip"
    services.index_asset(asset.pk)
    version.refresh_from_db()
    assert "not searched" in version.extracted_note


def test_a_damaged_docx_is_still_stored_as_evidence(org, owner, asset):
    version = services.upload_version(
        owner, org, asset.pk, io.BytesIO(b"PK\x03\x04 not really a zip"), name="壊れた.docx"
    )
    services.index_asset(asset.pk)
    version.refresh_from_db()
    assert "could not be read" in version.extracted_note


def test_the_indexer_never_opens_a_stored_bomb(org, owner, asset, bombs, monkeypatch):  # noqa: F811
    with open(bombs["docx"], "rb") as handle, mock.patch.object(extract, "unpack_refusal", return_value=""):
        version = services.upload_version(owner, org, asset.pk, handle, name="old.docx")
    monkeypatch.setattr(extract, "_docx", mock.Mock(side_effect=AssertionError("python-docx was given the bomb")))
    services.index_asset(asset.pk)
    version.refresh_from_db()
    assert version.extracted_note.startswith("No text extracted:") and "zip bomb" in version.extracted_note
    assert not SearchChunk.objects.filter(version=version).exists()
    assert not extract._docx.called


def test_excel_import_reports_a_bomb_without_opening_it(org, owner, bombs, monkeypatch):  # noqa: F811
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", mock.Mock(side_effect=AssertionError("openpyxl was given the bomb")))
    with open(bombs["xlsx"], "rb") as handle:
        result = excel.import_register(owner, org, handle)
    assert not result.ok and len(result.errors) == 1 and "zip bomb" in result.errors[0][2]


def test_the_limit_comes_from_the_environment(org, owner, asset, monkeypatch):
    workbook = legit_xlsx([[f"測定 {n} " + "Ra 1.6 μm; " * 400] for n in range(300)])  # ~1.3 MB unpacked
    monkeypatch.setenv("CHIZAI_ARCHIVE_MAX_UNPACKED_BYTES", str(1024 * 1024))
    with pytest.raises(ChizaiError, match="more than 1 MB"):
        services.upload_version(owner, org, asset.pk, io.BytesIO(workbook), name="測定.xlsx")
    monkeypatch.delenv("CHIZAI_ARCHIVE_MAX_UNPACKED_BYTES")
    assert services.upload_version(owner, org, asset.pk, io.BytesIO(workbook), name="測定.xlsx").size == len(workbook)


def test_a_measured_upload_is_stored_whole_and_indexed(org, owner, asset):
    data = legit_docx("第3条（焼入れ条件）保持時間は90分とする。")
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(data), name="条件.docx")
    assert version.size == len(data)
    services.index_asset(asset.pk)
    assert SearchChunk.objects.filter(version=version).exists()


@pytest.mark.parametrize("lang, words", [("en", "zip bomb"), ("ja", "zip爆弾")])
def test_the_web_upload_and_import_show_the_refusal_in_the_user_language(org, owner, asset, bombs, lang, words):  # noqa: F811
    from django.test import Client

    client = Client(headers={"accept-language": lang})
    client.force_login(owner)
    with open(bombs["docx"], "rb") as handle:
        response = client.post(f"/o/{org.slug}/register/{asset.pk}/upload/", {"file": handle}, follow=True)
    assert response.status_code == 200 and words in response.content.decode()
    with open(bombs["xlsx"], "rb") as handle:
        response = client.post(f"/o/{org.slug}/register/import/", {"file": handle})
    assert response.status_code == 200 and words in response.content.decode()
    assert not FileVersion.objects.exists()
