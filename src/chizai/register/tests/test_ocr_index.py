"""Scanned drawings and documents in the register are read by OCR in the indexing job and
found by search like any other file; whatever OCR cannot do is a note, never a lost upload."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.utils import translation

from chizai.core import jobs
from chizai.core.models import Job
from chizai.register import extract, services
from chizai.register.models import FileVersion, SearchChunk
from chizai.review.engine import ReviewInputError, ocr

NOTO = Path("/usr/share/fonts/opentype/noto")
needs_tesseract = pytest.mark.skipif(
    ocr.missing() is not None, reason=f"OCR cannot run here: {ocr.missing()} (apt: {ocr.APT_COMMAND})"
)


def _font_path() -> Path:
    for name in ("NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc"):
        if (NOTO / name).exists():
            return NOTO / name
    pytest.skip(f"no Noto CJK font under {NOTO} (apt: fonts-noto-cjk)")


def _scanned_page(lines: list[str]):
    """An A4 page at 200 dpi with ``lines`` drawn on it: an image, no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(_font_path()), 36)  # about 13 pt at 200 dpi
    page = Image.new("RGB", (1654, 2339), "white")
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        draw.text((160, 220 + n * 72), line, font=font, fill="black")
    return page


# Mostly Japanese, as a Japanese drawing register's scans are: Tesseract's OSD reads a page
# whose script it takes for Latin with the English model alone (ocr.ocr_page_image).
LINES = [
    "金型図面の保管規程",
    "第1条 本規程は試作部品の管理を定める。",
    "第2条 図面は施錠した書庫に保管する。",
    "第3条 持ち出しには部長の承認を要する。",
    "第4条 本規程の改廃は取締役会が行う。",
    "Calibration record of the press",
]


def _as_pdf(page) -> bytes:
    out = io.BytesIO()
    page.save(out, "PDF", resolution=200)
    return out.getvalue()


def _as_png(page) -> bytes:
    out = io.BytesIO()
    page.save(out, "PNG")
    return out.getvalue()


def _index_all() -> None:
    for job in Job.objects.filter(kind=services.INDEX_JOB, status=Job.Status.QUEUED):
        assert jobs.execute(job.pk) == "succeeded"


def _upload(owner, org, data: bytes, name: str) -> FileVersion:
    asset = services.create_asset(owner, org, title_ja="受領書類", classification="internal")
    return services.upload_version(owner, org, asset.pk, io.BytesIO(data), name=name)


@needs_tesseract
@pytest.mark.parametrize("kind", ["pdf", "png"])
def test_a_scan_is_read_by_ocr_and_found_by_search(org, owner, kind):
    page = _scanned_page(LINES)
    data = _as_pdf(page) if kind == "pdf" else _as_png(page)
    version = _upload(owner, org, data, f"scan.{kind}")
    assert not SearchChunk.objects.filter(version=version).exists()  # nothing read in the request
    _index_all()
    version.refresh_from_db()
    assert version.indexed_at is not None
    assert version.extracted_note.startswith("Text read by OCR")
    for word in ("金型", "図面", "Calibration", "press"):
        hits = services.search_assets(owner, org, word)
        assert [h.asset_id for h in hits] == [version.file.asset_id], word
    # the OCR'd text is sealed like any extracted text: neither the words nor their tokens in clear
    chunks = SearchChunk.objects.filter(version=version)
    assert chunks.exists()
    for chunk in chunks:
        stored = bytes(chunk.sealed) + repr(chunk.tokens).encode()
        assert "金型".encode() not in stored and b"Calibration" not in stored and b"press" not in stored


@needs_tesseract
def test_the_index_job_shows_ocr_progress(org, owner, monkeypatch):
    seen = []
    real = jobs.heartbeat
    monkeypatch.setattr(
        jobs, "heartbeat", lambda job, progress=None, note=None: (seen.append(note), real(job, progress, note))
    )
    _upload(owner, org, _as_png(_scanned_page(LINES)), "drawing.png")
    _index_all()
    assert "OCR: page 1 of 1" in seen


def test_without_tesseract_a_scan_is_stored_and_its_note_says_ocr_is_missing(org, owner, monkeypatch):
    monkeypatch.setattr(ocr, "TESSERACT", "/nonexistent/tesseract")
    from PIL import Image

    version = _upload(owner, org, _as_png(Image.new("RGB", (200, 100), "white")), "photo.png")
    _index_all()
    version.refresh_from_db()
    assert version.indexed_at is not None and "OCR (Tesseract) is not installed" in version.extracted_note
    assert services.plaintext_to_tempfile(version).read().startswith(b"\x89PNG")  # the evidence is kept
    with translation.override("ja"):
        shown = extract.note_text(version.extracted_note)
    assert shown != version.extracted_note and "OCR" in shown and "インストール" in shown


def _result(confidences: list[float]) -> ocr.OcrResult:
    pages = []
    for number, conf in enumerate(confidences, 1):
        word = ocr.OcrWord("試作", 10, 10, 80, 40, conf)
        pages.append(ocr.OcrPage(number, 1000, 1400, [ocr.OcrLine("試作", [word], 1)], conf))
    return ocr.OcrResult(pages)


def test_the_note_names_the_pages_ocr_could_not_read_reliably(org, owner, monkeypatch):
    monkeypatch.setattr(ocr, "missing", lambda: None)
    low = ocr.LOW_CONFIDENCE - 20
    monkeypatch.setattr(ocr, "ocr_pdf", lambda data, name, **kw: _result([90, 88, low, 91, low]))
    version = _upload(owner, org, _blank_pdf(5), "scan.pdf")
    _index_all()
    version.refresh_from_db()
    assert version.extracted_note == "Text read by OCR; pages 3, 5 could not be read reliably."
    assert [h.asset_id for h in services.search_assets(owner, org, "試作")] == [version.file.asset_id]
    with translation.override("en"):
        assert extract.note_text(version.extracted_note) == version.extracted_note
    with translation.override("ja"):
        shown = extract.note_text(version.extracted_note)
    assert "3, 5" in shown and "OCR" in shown and "could not" not in shown


def test_one_unreliable_page_is_named_in_the_singular(monkeypatch):
    monkeypatch.setattr(ocr, "missing", lambda: None)
    monkeypatch.setattr(ocr, "ocr_image", lambda data, name, **kw: _result([ocr.LOW_CONFIDENCE - 1]))
    text, note = extract.scan_text("a.png", io.BytesIO(b"\x89PNG"), pdf=False)
    assert text == "試作" and note == "Text read by OCR; page 1 could not be read reliably."


def _blank_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@needs_tesseract
def test_a_scan_over_the_page_limit_is_stored_with_the_limit_in_its_note(org, owner):
    version = _upload(owner, org, _blank_pdf(ocr.MAX_PAGES + 1), "archive-scan.pdf")
    _index_all()
    version.refresh_from_db()
    assert version.extracted_note == (
        f"No text extracted: the scan has {ocr.MAX_PAGES + 1} pages; OCR reads at most {ocr.MAX_PAGES}."
    )
    with translation.override("ja"):
        assert str(ocr.MAX_PAGES + 1) in extract.note_text(version.extracted_note)


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (RuntimeError("tesseract crashed"), extract.NOTE_OCR_FAILED),
        (ReviewInputError("ocr_timeout", "x.png: reading a page took longer"), extract.NOTE_OCR_TIMEOUT),
        (ReviewInputError("ocr_language_broken", "x.png: cannot be loaded"), extract.NOTE_OCR_LANGUAGE),
        (ReviewInputError("ocr_page_too_large", "x.png: page 1 is an image of"), extract.NOTE_OCR_TOO_LARGE),
    ],
)
def test_an_ocr_failure_keeps_the_upload_and_the_job_succeeds(org, owner, monkeypatch, failure, expected):
    from PIL import Image

    def fail(data, name, **kw):
        raise failure

    monkeypatch.setattr(ocr, "missing", lambda: None)
    monkeypatch.setattr(ocr, "ocr_image", fail)
    version = _upload(owner, org, _as_png(Image.new("RGB", (300, 200), "white")), "stamp.png")
    _index_all()  # asserts the job succeeded
    version.refresh_from_db()
    assert version.extracted_note == expected and version.indexed_at is not None
    assert not SearchChunk.objects.filter(version=version).exists()
    assert FileVersion.objects.filter(pk=version.pk).exists()
    with translation.override("ja"):
        assert extract.note_text(expected) != expected  # every note has its Japanese


@needs_tesseract
def test_a_corrupt_language_pack_is_a_note_not_a_failed_job(org, owner, monkeypatch, tmp_path):
    tessdata = tmp_path / "tessdata"
    tessdata.mkdir()
    system = Path(_system_tessdata())
    for lang in ("eng", "osd"):
        shutil.copy(system / f"{lang}.traineddata", tessdata)
    (tessdata / "configs").symlink_to(system / "configs")  # the "tsv" output config
    (tessdata / "jpn.traineddata").write_bytes((system / "jpn.traineddata").read_bytes()[:4096])
    monkeypatch.setenv("TESSDATA_PREFIX", str(tessdata))
    version = _upload(owner, org, _as_png(_scanned_page(LINES)), "seal.png")
    _index_all()
    version.refresh_from_db()
    assert version.extracted_note == extract.NOTE_OCR_LANGUAGE


def _system_tessdata() -> str:
    import subprocess

    out = subprocess.run([ocr.TESSERACT, "--list-langs"], capture_output=True, text=True, check=False).stdout
    return out.split('"')[1]  # List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (n):


def test_unknown_notes_are_shown_as_stored():
    assert extract.note_text("テキストを抽出できませんでした") == "テキストを抽出できませんでした"


def test_the_asset_page_shows_the_note_in_the_readers_language(org, owner, monkeypatch):
    from django.test import Client

    monkeypatch.setattr(ocr, "missing", lambda: None)
    monkeypatch.setattr(ocr, "ocr_pdf", lambda data, name, **kw: _result([90, ocr.LOW_CONFIDENCE - 5, 95]))
    version = _upload(owner, org, _blank_pdf(3), "scan.pdf")
    _index_all()
    client = Client()
    client.force_login(owner)
    url = f"/o/{org.slug}/register/{version.file.asset_id}/"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Text read by OCR; page 2 could not be read reliably." in english
    client.cookies["django_language"] = "ja"
    japanese = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "2 ページ目は正確に読み取れなかった可能性があります" in japanese and "could not be read" not in japanese
