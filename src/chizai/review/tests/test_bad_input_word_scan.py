"""Bad input on the reviewer's Word and scan paths (issue 15, "Bad input"): a password-protected
DOCX or PDF, a DOCX with 500 comments, a DOCX whose tracked changes conflict, a 300+ page scan,
a corrupt OCR language pack. Each gets a clear message; a job that fails, fails cleanly with
its reason shown and nothing half-stored. Every input is built here."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import time
from pathlib import Path

import docx
import pytest
from django.test import Client
from django.utils import translation
from lxml import etree

from chizai.core import jobs
from chizai.core.models import AuditEvent, Job
from chizai.core.services import ChizaiError
from chizai.review import services
from chizai.review.engine import ReviewInputError, ocr
from chizai.review.engine.docx_changes import rejected_text
from chizai.review.engine.extract import extract_text
from chizai.review.models import ContractReview

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
needs_tesseract = pytest.mark.skipif(
    ocr.missing() is not None, reason=f"OCR cannot run here: {ocr.missing()} (apt: {ocr.APT_COMMAND})"
)


# ------------------------------------------------------------------------- inputs


def _cfb_encrypted_docx() -> bytes:
    """What Word writes for a password-protected .docx: not a ZIP but an OLE compound file
    holding the streams EncryptionInfo and EncryptedPackage (empty here; the reader must refuse
    the file by its container, never try the password)."""
    free, end, fat_sect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 0x1000, end, 0, end, 0)
    struct.pack_into("<I", header, 76, 0)  # the FAT is sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, free)
    fat = struct.pack("<II", fat_sect, end) + struct.pack("<I", free) * 126

    def entry(name: str, kind: int, left: int, right: int, child: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        out = bytearray(128)
        out[: len(raw)] = raw
        struct.pack_into("<HBBIII", out, 64, len(raw), kind, 1, left, right, child)
        struct.pack_into("<IQ", out, 116, end if name else 0, 0)
        return bytes(out)

    directory = (
        entry("Root Entry", 5, nostream, nostream, 1)
        + entry("EncryptionInfo", 2, nostream, 2, nostream)
        + entry("EncryptedPackage", 2, nostream, nostream, nostream)
        + entry("", 0, nostream, nostream, nostream)
    )
    return bytes(header) + fat + directory


def _text_pdf(text: str, password: str | None = None) -> bytes:
    from pypdf import PdfWriter
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=A4)
    page.setFont("HeiseiKakuGo-W5", 11)
    for n, line in enumerate(text.splitlines()):
        page.drawString(60, 780 - 16 * n, line)
    page.save()
    if password is None:
        return buf.getvalue()
    writer = PdfWriter(clone_from=io.BytesIO(buf.getvalue()))
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


NDA = [
    "秘密保持契約書",
    "甲株式会社（以下「甲」という。）と乙株式会社（以下「乙」という。）は、次のとおり契約を締結する。",
    "第1条（目的）乙は、甲乙間の取引に関連して甲に技術情報を開示する。",
    "第2条（秘密保持）乙は、甲から開示された情報を秘密として保持しなければならない。",
    "第3条（有効期間）本契約の有効期間は、締結日から1年間とする。",
]


def _blank_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_with_comments(count: int) -> tuple[bytes, list]:
    document = docx.Document()
    document.add_paragraph(NDA[0])
    document.add_paragraph(NDA[1])
    clauses = [
        document.add_paragraph(f"第{i}条 乙は、甲から開示された情報{i}を第三者に開示してはならない。")
        for i in range(1, 251)
    ]
    for i in range(count):
        document.add_comment(clauses[i % len(clauses)].runs, text=f"確認{i}: 期間は?", author=f"購買部{i % 3}")
    return _docx_bytes(document), clauses


def _run(text: str, tag: str = "t"):
    r = etree.Element(W + "r")
    t = etree.SubElement(r, W + tag)
    t.text = text
    t.set(XML_SPACE, "preserve")
    return r


_ids = iter(range(1, 100000))


def _mark(kind: str, author: str, *children):
    el = etree.Element(W + kind)
    el.attrib.update({W + "id": str(next(_ids)), W + "author": author, W + "date": "2026-11-20T10:00:00Z"})
    el.extend(children)
    return el


def _paragraph(document, *pieces):
    p = document.add_paragraph()._p
    for piece in pieces:
        p.append(_run(piece) if isinstance(piece, str) else piece)
    return p


def ins(author: str, *children):
    return _mark("ins", author, *[_run(c) if isinstance(c, str) else c for c in children])


def dele(author: str, text: str):
    return _mark("del", author, _run(text, "delText"))


# The draft before anyone's pen, and the redline two people at the customer made of it.
DRAFT = [
    "Supply Agreement",
    "1. Supplier shall deliver the drawings within 30 days after the order.",
    "2. Buyer shall pay within 60 days.",
    "3. Supplier keeps the know-how.",
]
ACCEPTED = [
    "Supply Agreement",
    "1. Supplier shall deliver the drawings and the CAD data within 10 days after the order.",
    "2. Buyer shall pay within 90 days after inspection.",
    "3. Supplier keeps.",
]


def _conflicting_redline() -> bytes:
    """Legal inserts, Purchasing deletes part of Legal's insertion (Word nests that deletion in
    the insertion) and changes what Legal changed; deletions at the start and the end of an
    insertion; a deletion next to an insertion by the other author."""
    document = docx.Document()
    _paragraph(document, DRAFT[0])
    _paragraph(
        document,
        "1. Supplier shall deliver the drawings ",
        ins("Legal", "and the ", dele("Purchasing", "native "), "CAD data "),
        "within ",
        dele("Legal", "30"),
        ins("Purchasing", "10"),
        " days after the order.",
    )
    _paragraph(
        document,
        "2. Buyer shall pay within ",
        dele("Purchasing", "60"),
        ins("Legal", dele("Purchasing", "120"), "90"),  # a deletion at the start of an insertion
        " days",
        ins("Purchasing", " after inspection", dele("Legal", " and approval")),  # and at its end
        ".",
    )
    _paragraph(document, "3. Supplier keeps", dele("Legal", " the"), dele("Purchasing", " know-how"), ".")
    return _docx_bytes(document)


# ------------------------------------------------------------------------- helpers


def _nothing_stored(settings) -> None:
    assert not ContractReview.objects.exists()
    assert not Job.objects.filter(kind="review.run").exists()
    assert not AuditEvent.objects.filter(action__startswith="review.").exists()
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert not stored, stored


def _refused(owner, org, data: bytes, filename: str) -> dict[str, str]:
    """The refusal's message in English and in Japanese (the same refusal twice)."""
    messages = {}
    for lang in ("en", "ja"):
        with translation.override(lang), pytest.raises(ChizaiError) as refused:
            services.submit_review(owner, org, filename=filename, data=data)
        messages[lang] = str(refused.value)
    return messages


# ------------------------------------------------------------------------- password-protected


def test_a_password_protected_docx_is_refused_before_anything_is_stored(owner, org, settings):
    data = _cfb_encrypted_docx()
    with pytest.raises(ReviewInputError) as engine:
        extract_text(data, "秘密保持契約書.docx")
    assert engine.value.code == "encrypted_docx" and "password-protected" in engine.value.message
    messages = _refused(owner, org, data, "秘密保持契約書.docx")
    assert messages["en"].startswith("秘密保持契約書.docx: ") and "password-protected" in messages["en"]
    assert "パスワード" in messages["ja"]
    _nothing_stored(settings)


def test_a_password_protected_docx_without_its_extension_is_named_as_protected(owner, org, settings):
    """A protected Word file saved without ``.docx`` (mail gateways strip it) is not an "old .doc"."""
    with pytest.raises(ReviewInputError) as engine:
        extract_text(_cfb_encrypted_docx(), "contract")
    assert engine.value.code == "encrypted_docx" and "password-protected" in engine.value.message
    assert "password-protected" in _refused(owner, org, _cfb_encrypted_docx(), "contract")["en"]
    _nothing_stored(settings)


def test_a_password_protected_pdf_is_refused_before_anything_is_stored(owner, org, settings):
    data = _text_pdf("\n".join(NDA), password="himitsu")
    with pytest.raises(ReviewInputError) as engine:
        extract_text(data, "nda.pdf")
    assert engine.value.code == "encrypted_pdf"
    messages = _refused(owner, org, data, "nda.pdf")
    assert "password-protected" in messages["en"] and "パスワード" in messages["ja"]
    _nothing_stored(settings)


def test_a_pdf_locked_only_against_editing_is_read(owner, org):
    """An owner password without a user password opens in every viewer: not refused."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(_text_pdf("\n".join(NDA))))
    writer.encrypt(user_password="", owner_password="no-editing")
    out = io.BytesIO()
    writer.write(out)
    read = extract_text(out.getvalue(), "nda.pdf")
    assert "秘密として保持" in read.text and any("encrypted" in w for w in read.warnings)
    review = services.submit_review(owner, org, filename="nda.pdf", data=out.getvalue())
    assert review.status == ContractReview.Status.DONE, review.error


# ------------------------------------------------------------------------- 500 comments


def test_a_docx_with_500_comments_reads_every_comment_on_its_clause(owner, org):
    data, _clauses = _docx_with_comments(500)
    started = time.perf_counter()
    read = extract_text(data, "nda-500.docx")
    seconds = time.perf_counter() - started
    assert len(read.comments) == 500 and seconds < 10
    assert sorted(int(c["id"]) for c in read.comments) == list(range(500))
    for comment in read.comments:
        n = int(comment["id"])
        clause = n % 250 + 1
        assert comment["text"] == f"確認{n}: 期間は?" and comment["author"] == f"購買部{n % 3}"
        assert comment["anchor"] == f"第{clause}条 乙は、甲から開示された情報{clause}を第三者に開示してはならない。"
        assert read.text[comment["offset"] :].startswith(comment["anchor"])
    assert "確認" not in read.text  # comments are not contract wording

    review = services.submit_review(owner, org, filename="nda-500.docx", data=data)
    if review.status != ContractReview.Status.DONE:
        assert jobs.execute(review.job_id) == "succeeded"
        review.refresh_from_db()
    assert review.status == ContractReview.Status.DONE, review.error
    # the SME's answer on top of the customer's 500 comments: every comment kept, ids distinct
    out, _mime, _name = services.commented_docx(owner, review, "ja")
    again = extract_text(out, "answer.docx")
    ids = [c["id"] for c in again.comments]
    assert len(ids) == len(set(ids)) == 500 + len(review.report["findings"])
    assert sum(1 for c in again.comments if c["text"].startswith("確認")) == 500


# ------------------------------------------------------------------------- conflicting changes


def test_conflicting_tracked_changes_read_as_accepted_and_as_rejected():
    read = extract_text(_conflicting_redline(), "supply.docx")
    assert read.text == "\n".join(ACCEPTED)
    assert rejected_text(read.text, read.revisions) == "\n".join(DRAFT)
    by_author = {(r["kind"], r["text"], r["author"]) for r in read.revisions}
    assert {
        ("inserted", "and the CAD data ", "Legal"),
        ("deleted", "native ", "Purchasing"),
        ("deleted", "30", "Legal"),
        ("inserted", "10", "Purchasing"),
        ("deleted", "120", "Purchasing"),
        ("inserted", "90", "Legal"),
        ("deleted", " and approval", "Legal"),
        ("inserted", " after inspection", "Purchasing"),
    } <= by_author
    for rev in read.revisions:  # every change knows the paragraph it sits in
        assert rev["paragraph"] in ACCEPTED


def test_a_review_of_a_conflicting_redline_lists_both_authors_changes(owner, org):
    review = services.submit_review(owner, org, filename="supply.docx", data=_conflicting_redline())
    if review.status != ContractReview.Status.DONE:
        assert jobs.execute(review.job_id) == "succeeded"
        review.refresh_from_db()
    assert review.status == ContractReview.Status.DONE, review.error
    changes = review.report["changes"]
    assert changes["authors"] == ["Legal", "Purchasing"] and changes["compared"]
    listed = [c for clause in changes["clauses"] for c in clause["changes"]]
    assert ("inserted", "10", "Purchasing") in {(c["kind"], c["text"], c["author"]) for c in listed}


# ------------------------------------------------------------------------- scans


@needs_tesseract
def test_a_scan_over_300_pages_is_refused_in_the_request(owner, org, settings):
    pages = ocr.MAX_PAGES + 1
    started = time.perf_counter()
    messages = _refused(owner, org, _blank_pdf(pages), "scan-301.pdf")
    assert time.perf_counter() - started < 30  # refused by preflight, no page rasterised
    assert "more than OCR reads at once" in messages["en"] and "scan-301.pdf" in messages["en"]
    assert str(pages) in messages["en"] and str(ocr.MAX_PAGES) in messages["en"]
    assert str(pages) in messages["ja"] and "OCR" in messages["ja"]
    _nothing_stored(settings)


def _scan_png() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    fonts = sorted(Path("/usr/share/fonts/opentype/noto").glob("NotoSansCJK-Regular.tt*"))
    if not fonts:
        pytest.skip("no Noto CJK font under /usr/share/fonts/opentype/noto (apt: fonts-noto-cjk)")
    font = ImageFont.truetype(str(fonts[0]), 36)
    page = Image.new("RGB", (1654, 1200), "white")
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(NDA):
        draw.text((120, 160 + 72 * n), line[:40], font=font, fill="black")
    out = io.BytesIO()
    page.save(out, "PNG")
    return out.getvalue()


def _system_tessdata() -> Path:
    out = subprocess.run([ocr.TESSERACT, "--list-langs"], capture_output=True, text=True, check=False).stdout
    return Path(out.split('"')[1])  # List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (n):


def _tessdata(tmp_path, broken: dict[str, bytes]) -> Path:
    """A tessdata directory like the system's, with the packs in ``broken`` replaced."""
    system, tessdata = _system_tessdata(), tmp_path / "tessdata"
    tessdata.mkdir()
    for lang in ("jpn", "eng", "osd"):
        if lang in broken:
            (tessdata / f"{lang}.traineddata").write_bytes(broken[lang])
        else:
            shutil.copy(system / f"{lang}.traineddata", tessdata)
    (tessdata / "configs").symlink_to(system / "configs")  # the "tsv" output config
    return tessdata


def _failed_cleanly(owner, org, review) -> str:
    """The job ran once and gave up (no retry can mend the input); nothing of a result kept;
    the reason shown on the review page in the reader's language. Returns the English page."""
    assert review.status == ContractReview.Status.QUEUED and review.job_id  # OCR is left to the worker
    assert jobs.execute(review.job_id) == "succeeded"  # the handler recorded the failure itself
    review.refresh_from_db()
    assert review.status == ContractReview.Status.FAILED
    assert review.options["input_error"]["code"] == "ocr_language_broken"
    assert review.text == "" and not review.report and not review.high_count
    assert Job.objects.get(pk=review.job_id).attempts == 1
    assert not AuditEvent.objects.filter(action="review.complete").exists()
    client = Client()
    client.force_login(owner)
    url = f"/o/{org.slug}/reviews/{review.pk}/"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.cookies["django_language"] = "ja"
    japanese = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "OCR language data on this server is damaged" in english
    assert "OCR" in japanese and "damaged" not in japanese
    return english


@needs_tesseract
def test_a_corrupt_language_pack_fails_the_job_cleanly_with_its_reason(owner, org, monkeypatch, tmp_path):
    garbage = b"this is not a language model" * 100
    monkeypatch.setenv("TESSDATA_PREFIX", str(_tessdata(tmp_path, {"jpn": garbage, "eng": garbage})))
    review = services.submit_review(owner, org, filename="scan.png", data=_scan_png())
    _failed_cleanly(owner, org, review)


@needs_tesseract
def test_a_truncated_japanese_pack_fails_the_job_cleanly(owner, org, monkeypatch, tmp_path):
    truncated = (_system_tessdata() / "jpn.traineddata").read_bytes()[:4096]
    monkeypatch.setenv("TESSDATA_PREFIX", str(_tessdata(tmp_path, {"jpn": truncated})))
    review = services.submit_review(owner, org, filename="scan.png", data=_scan_png())
    _failed_cleanly(owner, org, review)
