"""Zip bombs (issue 11, R3) at every entry point of the reviewer, agreements and deal drafts:
refused in under a second, with the whole process staying under 200 MB.

Each measurement runs in a fresh interpreter (``test_archive_probes.py``), so ``ru_maxrss``
is that process's own peak and not the test runner's. The bombs are built once per session;
the register's entry points are measured in ``register/tests/test_bomb.py`` with them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from chizai.review.tests.test_archive_probes import DOCX_PART, GIB, XLSX_PART, build_bombs, run_probe

LIMIT_SECONDS = 1.0
LIMIT_PEAK_MB = 200


@pytest.fixture(scope="session")
def bombs(tmp_path_factory) -> dict[str, Path]:
    return build_bombs(tmp_path_factory.getbasetemp() / "archive-bombs")


def test_the_bombs_are_what_the_report_describes(bombs):
    for kind, path in bombs.items():
        with zipfile.ZipFile(path) as z:
            part = z.getinfo(DOCX_PART[0] if kind == "docx" else XLSX_PART[0])
        assert part.file_size == GIB and path.stat().st_size < 5_000_000


def check_report(report: dict, entries: list[str]) -> None:
    """Every entry point refused the bomb in time, and the process stayed under the limit."""
    for entry in entries:
        result = report[entry]
        assert result["outcome"].startswith("refused"), (entry, result)
        assert result["seconds"] < LIMIT_SECONDS, (entry, result)
        assert result["peak_mb"] < LIMIT_PEAK_MB, (entry, result)


# --- the tests ----------------------------------------------------------------------------------


def test_engine_refuses_the_bomb_fast_with_flat_memory(bombs):
    report = run_probe("chizai.review.tests.test_archive_probes:engine_probe", bombs["docx"])
    assert report["warm"]["outcome"].startswith("accepted"), report
    check_report(report, ["extract_text", "load_document"])
    assert "unpacks to more than" in report["extract_text"]["outcome"]


def test_review_agreement_and_deal_uploads_refuse_the_bomb_fast_with_flat_memory(bombs, tmp_path):
    report = run_probe("chizai.review.tests.test_archive_probes:review_probe", bombs["docx"], home=tmp_path)
    assert report["warm"]["outcome"].startswith("accepted"), report
    check_report(report, ["review_validate", "review_submit", "agreement_file", "deal_draft"])
    for entry in ("review_validate", "review_submit", "agreement_file", "deal_draft"):
        assert "zip bomb" in report[entry]["outcome"], report[entry]
    assert report["stored"] == {"reviews": 0, "agreement_file": "", "drafts": 0}


@pytest.mark.parametrize("lang, words", [("en", "zip bomb"), ("ja", "zip爆弾")])
def test_the_review_page_shows_the_refusal_in_the_user_language(org, owner, bombs, lang, words):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from chizai.review.models import ContractReview

    client = Client()
    client.force_login(owner)
    upload = SimpleUploadedFile("契約書.docx", bombs["docx"].read_bytes())
    response = client.post(
        f"/o/{org.slug}/reviews/", {"file": upload, "contract_type": "auto", "lang": "auto"}, HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 400 and words in response.content.decode()
    assert not ContractReview.objects.exists()
