"""Engine input errors reach the user in the user's language, details (file name, sizes) kept."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from chizai.review.input_errors import input_error_message, review_error
from chizai.review.models import ContractReview

LATIN_WORD = re.compile(r"\b(?!PDF|DOCX|TXT|Markdown|Word|OCR|MB|docx|doc|Tesseract|dpi)[A-Za-z]{3,}\b")


@pytest.mark.parametrize(
    "code,message,details",
    [
        ("empty", "契約.txt: the file is empty.", ["契約.txt"]),
        ("too_large", "big.pdf: the file is 25.3 MB; the limit is 20 MB.", ["big.pdf", "25.3", "20"]),
        ("too_large", "a.txt: the text has 612,000 characters; the limit is 500,000. Split …", ["612,000", "500,000"]),
        ("unsupported_type", "x.rtf: the file type '.rtf' is not supported. Use PDF…", ["x.rtf", ".rtf"]),
        ("encrypted_pdf", "secret.pdf: the PDF is password-protected. Remove…", ["secret.pdf"]),
        ("broken_docx", "d.docx: the Word file could not be read (BadZipFile).", ["d.docx"]),
        ("unknown_language", "de.txt: only Japanese and English contracts can be reviewed; it reads German.", []),
        ("ocr_unavailable", "scan.pdf: this looks like a scanned document, and OCR is not installed …", ["scan.pdf"]),
        ("ocr_too_many_pages", "scan.pdf: the scan has 412 pages; OCR reads at most 300. …", ["scan.pdf"]),
        ("broken_image", "photo.jpg: the image is damaged or not an image (UnidentifiedImageError).", ["photo.jpg"]),
    ],
)
def test_each_code_in_both_languages_with_its_details(code, message, details):
    with translation.override("ja"):
        ja = input_error_message(code, message)
    with translation.override("en"):
        en = input_error_message(code, message)
    assert ja != en
    for detail in details:
        assert detail in ja and detail in en
    stripped = ja
    for detail in details + [message.split(":")[0]]:
        stripped = stripped.replace(detail, "")
    assert not LATIN_WORD.search(stripped), ja


def test_unknown_code_falls_back_to_the_engine_text():
    with translation.override("ja"):
        assert input_error_message("brand_new", "x: something new") == "x: something new"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", ".xyz形式のファイルには対応していません"), ("en", "files of type .xyz are not supported")],
)
def test_upload_form_answers_in_the_readers_language(owner, org, language, expected):
    client = Client()
    client.force_login(owner)
    response = client.post(
        f"/o/{org.slug}/reviews/",
        {"file": SimpleUploadedFile("契約.xyz", "秘密保持契約書".encode()), "contract_type": "auto", "lang": "auto"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body and "契約.xyz" in body


@pytest.mark.django_db
def test_worker_failure_is_shown_in_each_readers_language(org, owner):
    review = ContractReview.objects.create(
        organization=org,
        title="t",
        filename="scan.pdf",
        content_sha256="0" * 64,
        status="failed",
        error="stored at the time",
        options={"input_error": {"code": "scanned_pdf", "message": "scan.pdf: the PDF has no text layer"}},
    )
    with translation.override("ja"):
        ja = review_error(review)
    with translation.override("en"):
        en = review_error(review)
    assert "scan.pdf" in ja and "OCR" in ja and "no text layer" in en and ja != en
