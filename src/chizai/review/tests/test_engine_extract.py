"""Extraction: every supported format, every bad-input code."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from chizai.review.engine.document import ReviewInputError
from chizai.review.engine.extract import decode_bytes, extract_text

SHARED = Path(__file__).resolve().parents[4].parent / "shared" / "data"
METI_WORD = sorted((SHARED / "meti-oi-model-contracts" / "word").glob("*.docx"))

JA_SAMPLE = (
    "秘密保持契約書\n\n株式会社甲野（以下「甲」という。）と株式会社乙山（以下「乙」という。）は、次のとおり契約する。\n"
    "第1条（目的）\n乙は、甲から開示された情報を本目的以外に使用してはならない。\n"
)


def _code(exc_info) -> str:
    return exc_info.value.code


def _pdf(lines: list[str], *, japanese: bool = False) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from chizai.review.engine.render import FONT_FILE

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    font = "Helvetica"
    if japanese:
        pdfmetrics.registerFont(TTFont("IPAexGothicTest", str(FONT_FILE)))
        font = "IPAexGothicTest"
    c.setFont(font, 11)
    y = 800
    for line in lines:
        c.drawString(40, y, line)
        y -= 16
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.skipif(not METI_WORD, reason="shared METI data not present")
@pytest.mark.parametrize("path", METI_WORD, ids=lambda p: p.name)
def test_meti_docx_articles_and_commentary(path):
    from chizai.review.engine.pipeline import load_document

    data = path.read_bytes()
    ex = extract_text(data, path.name)
    assert ex.format == "docx"
    assert "第1条" in ex.text and "第2条" in ex.text
    doc = load_document(data, path.name)
    assert doc.language == "ja"
    articles = [s for s in doc.segments if s.kind == "article" and not s.is_commentary]
    assert len(articles) >= 8
    commentary = [s for s in doc.segments if s.is_commentary]
    assert commentary, "commentary must be flagged"
    # the commentary markers never sit in contract text, and article 2 body is contract text
    for s in doc.clause_segments():
        assert "＜解説＞" not in s.text and "＜ポイント＞" not in s.text
    assert any(
        s.kind in ("article", "paragraph") and s.ref and s.ref.startswith("第2条") for s in doc.clause_segments()
    )
    assert {p.label for p in doc.parties} >= {"甲", "乙"}


def test_docx_numbering_tables_and_footnotes(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("業務委託契約書")
    d.add_paragraph("第1条（目的）")
    d.add_paragraph("乙は、甲のために業務を行う。", style="List Number")
    d.add_paragraph("乙は、報告書を提出する。", style="List Number")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "品名"
    t.cell(0, 1).text = "単価"
    t.cell(1, 0).text = "部品A"
    t.cell(1, 1).text = "100円"
    buf = io.BytesIO()
    d.save(buf)
    ex = extract_text(buf.getvalue(), "c.docx")
    assert "第1条（目的）" in ex.text
    assert "1. 乙は、甲のために業務を行う。" in ex.text or "1 乙は" in ex.text or "1.乙は" in ex.text.replace(" ", "")
    assert "2" in ex.text.split("乙は、報告書")[0][-4:]
    assert "品名 | 単価" in ex.text and "部品A | 100円" in ex.text


def test_broken_docx():
    with pytest.raises(ReviewInputError) as e:
        extract_text(b"PK\x03\x04 this is not really a zip", "c.docx")
    assert _code(e) == "broken_docx"
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "x")
    with pytest.raises(ReviewInputError) as e:
        extract_text(buf.getvalue(), "c.docx")
    assert _code(e) == "broken_docx"


def test_pdf_text_layer_english_and_japanese():
    ex = extract_text(
        _pdf(["NON-DISCLOSURE AGREEMENT", "1. The Recipient shall keep the information secret."]), "a.pdf"
    )
    assert ex.format == "pdf" and ex.pages == 1
    assert "Recipient shall keep" in ex.text
    ex = extract_text(_pdf(["秘密保持契約書", "第1条 乙は秘密を保持する。"], japanese=True), "b.pdf")
    assert "秘密保持契約書" in ex.text.replace(" ", "")


def test_encrypted_pdf():
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(_pdf(["Secret contract text here for the test."])))
    w = PdfWriter()
    for p in reader.pages:
        w.add_page(p)
    w.encrypt(user_password="pw", owner_password="owner")
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(ReviewInputError) as e:
        extract_text(buf.getvalue(), "locked.pdf")
    assert _code(e) == "encrypted_pdf"
    assert "password" in e.value.message


def test_pdf_encrypted_with_empty_user_password_is_read():
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(_pdf(["The Supplier shall deliver the goods on time."])))
    w = PdfWriter()
    for p in reader.pages:
        w.add_page(p)
    w.encrypt(user_password="", owner_password="owner")
    buf = io.BytesIO()
    w.write(buf)
    ex = extract_text(buf.getvalue(), "open.pdf")
    assert "Supplier shall deliver" in ex.text
    assert ex.warnings


def test_scanned_pdf_without_text_layer():
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("RGB", (200, 100), "white")
    for x in range(20, 180):
        img.putpixel((x, 50), (0, 0, 0))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawImage(ImageReader(img), 50, 500, width=400, height=200)
    c.showPage()
    c.save()
    with pytest.raises(ReviewInputError) as e:
        extract_text(buf.getvalue(), "scan.pdf")
    # with Tesseract the scan is read (a drawn line holds no text); without, the OCR message (test_engine_ocr.py)
    assert _code(e) in ("scanned_pdf", "empty")
    assert "OCR" in e.value.message


def test_broken_pdf():
    with pytest.raises(ReviewInputError) as e:
        extract_text(b"%PDF-1.4\n garbage garbage", "bad.pdf")
    assert _code(e) in ("broken_pdf", "scanned_pdf", "empty")


@pytest.mark.parametrize(
    "enc", ["shift_jis", "cp932", "euc_jp", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]
)
def test_text_encodings(enc):
    data = JA_SAMPLE.encode(enc)
    ex = extract_text(data, "c.txt")
    assert ex.text.strip() == JA_SAMPLE.strip()


def test_utf16_without_bom_and_markdown():
    text, warnings = decode_bytes("Supplier shall keep secrets.\n".encode("utf-16-le"))
    assert text.startswith("Supplier shall")
    ex = extract_text("# 秘密保持契約書\n\n第1条（目的）\n乙は秘密を守る。\n".encode(), "c.md")
    assert ex.format == "markdown"


def test_empty_binary_unsupported_too_large():
    for data in (b"", b"   \n\t  \n"):
        with pytest.raises(ReviewInputError) as e:
            extract_text(data, "e.txt")
        assert _code(e) == "empty"
    with pytest.raises(ReviewInputError) as e:
        extract_text(bytes(range(256)) * 40, "blob.txt")
    assert _code(e) == "binary"
    with pytest.raises(ReviewInputError) as e:
        extract_text(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "scan.png")
    assert _code(e) in ("unsupported_type", "broken_image")  # an image goes to OCR when Tesseract is installed
    with pytest.raises(ReviewInputError) as e:
        extract_text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc")
    assert _code(e) == "unsupported_type"
    with pytest.raises(ReviewInputError) as e:
        extract_text(b"data", "thing.exe")
    assert _code(e) == "unsupported_type"
    with pytest.raises(ReviewInputError) as e:
        extract_text(b"a" * 2_000, "big.txt", max_bytes=1_000)
    assert _code(e) == "too_large"
    with pytest.raises(ReviewInputError) as e:
        extract_text(("甲は乙に支払う。" * 300_000).encode(), "big.txt")
    assert _code(e) == "too_large"


def test_control_characters_removed():
    ex = extract_text(b"The Buyer shall pay\x00 the\x07 Supplier.\r\nNext line.", "c.txt")
    assert "\x00" not in ex.text and "\x07" not in ex.text and "\r" not in ex.text


def test_docx_word_numbering_rebuilt():
    """Article and item numbers that exist only as Word list numbering come back as text."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from chizai.review.engine.pipeline import load_document

    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="第%1条"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimalFullWidth"/><w:lvlText w:val="（%2）"/></w:lvl>'
            '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/><w:lvlText w:val="%3"/></w:lvl>'
            "</w:abstractNum>"
        ),
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def para(text, ilvl):
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="90"/></w:numPr>')
        )

    d.add_paragraph("秘密保持契約書")
    d.add_paragraph("株式会社甲野（以下「甲」という。）と株式会社乙山（以下「乙」という。）は、次のとおり契約する。")
    para("（目的）", 0)
    para("甲は、乙に技術情報を開示する。", 1)
    para("乙は、秘密を守る。", 1)
    para("第三者に開示しない。", 2)
    para("（期間）", 0)
    para("本契約は1年間有効とする。", 1)
    buf = io.BytesIO()
    d.save(buf)
    text = extract_text(buf.getvalue(), "n.docx").text
    assert "第1条　（目的）" in text and "第2条　（期間）" in text
    assert "（２）　乙は、秘密を守る。" in text and "①　第三者に開示しない。" in text
    # numbering restarts under the next article
    assert "（１）　本契約は1年間有効とする。" in text
    doc = load_document(buf.getvalue(), "n.docx")
    refs = {s.ref for s in doc.segments if s.ref}
    assert {"第1条", "第1条第2号", "第2条"} <= refs


def test_japanese_pdf_contract_end_to_end():
    """A wrapped Japanese PDF: lines broken inside clauses are joined in ``norm``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from chizai.review.engine.pipeline import load_document
    from chizai.review.engine.render import FONT_FILE

    src = SHARED / "review-dev" / "ja-nda-02.txt"
    if not src.exists():
        pytest.skip("shared data missing")
    pdfmetrics.registerFont(TTFont("IPAexGothicTest2", str(FONT_FILE)))
    style = ParagraphStyle("b", fontName="IPAexGothicTest2", fontSize=10.5, leading=16, wordWrap="CJK")
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(
        [
            Paragraph(line.replace("&", "&amp;").replace("<", "&lt;") or "&nbsp;", style)
            for line in src.read_text(encoding="utf-8").split("\n")
        ]
    )
    doc = load_document(buf.getvalue(), "nda.pdf")
    assert doc.pages and doc.pages >= 2 and doc.source_format == "pdf"
    assert (doc.language, doc.contract_types[0], doc.sme_label) == ("ja", "NDA", "甲")
    refs = {s.ref for s in doc.segments if s.ref}
    assert {"第1条第1項第4号", "第5条第2項", "第10条第2項"} <= refs
    item = next(s for s in doc.segments if s.ref == "第1条第1項第2号" and s.kind == "item")
    assert "\n" not in item.norm and "情報を含む。)" in item.norm


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=600),
        st.binary(max_size=300).map(lambda b: b"%PDF-1.4\n" + b),
        st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    ),
    st.sampled_from(["a.txt", "a.md", "a.pdf", "a.docx", "a", "a.bin", "A.TXT"]),
)
def test_any_bytes_raise_only_review_input_error(data, name):
    from chizai.review.engine.pipeline import load_document

    try:
        doc = load_document(data, name)
    except ReviewInputError as exc:
        assert exc.code and exc.message
        return
    assert doc.text.strip()


def test_docx_footnotes_are_kept():
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    d = docx.Document()
    d.add_paragraph("Supplier shall deliver the Products.")
    xml = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        b'<w:footnote w:id="1"><w:p><w:r><w:t>Delivery terms follow Incoterms 2020.</w:t></w:r></w:p></w:footnote>'
        b"</w:footnotes>"
    )
    ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    d.part.relate_to(Part(PackURI("/word/footnotes.xml"), ctype, xml, d.part.package), RT.FOOTNOTES)
    buf = io.BytesIO()
    d.save(buf)
    text = extract_text(buf.getvalue(), "f.docx").text
    assert text.index("Supplier shall deliver") < text.index("[1] Delivery terms follow Incoterms 2020.")
