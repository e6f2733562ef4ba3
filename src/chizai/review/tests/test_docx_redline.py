"""Word in (issue 15): tracked changes read as accepted, comments, text boxes, headers and
style-linked list numbering, on DOCX files the tests write themselves (and one LibreOffice wrote)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from chizai.review.engine.extract import extract_text

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
V = "urn:schemas-microsoft-com:vml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_ids = iter(range(100, 100000))


def _run(text: str, tag: str = "t"):
    r = etree.Element(W + "r")
    t = etree.SubElement(r, W + tag)
    t.text = text
    t.set(XML_SPACE, "preserve")
    return r


def _change(kind: str, text: str, author: str, date: str):
    el = etree.Element(W + ("ins" if kind == "inserted" else "del"))
    el.attrib.update({W + "id": str(next(_ids)), W + "author": author, W + "date": date})
    el.append(_run(text, "t" if kind == "inserted" else "delText"))
    return el


def _redline_paragraph(document, pieces):
    """A paragraph of (kind, text) pieces: kind is plain, inserted or deleted."""
    p = document.add_paragraph()._p
    for kind, text, *who in pieces:
        p.append(
            _run(text) if kind == "plain" else _change(kind, text, *(who or ["Buyer Legal", "2026-11-01T09:00:00Z"]))
        )
    return p


def _text_box(document, text: str):
    """A DrawingML text box with the VML fallback Word writes beside it (same text twice)."""
    p = document.add_paragraph()._p
    r = etree.SubElement(p, W + "r")
    alt = etree.SubElement(r, f"{{{MC}}}AlternateContent", nsmap={"mc": MC, "wps": WPS, "v": V})
    choice = etree.SubElement(alt, f"{{{MC}}}Choice", Requires="wps")
    drawing = etree.SubElement(choice, W + "drawing")
    txbx = etree.SubElement(etree.SubElement(drawing, f"{{{WPS}}}wsp"), f"{{{WPS}}}txbx")
    content = etree.SubElement(txbx, W + "txbxContent")
    content.append(etree.fromstring(f'<w:p xmlns:w="{W_NS}"><w:r><w:t>{text}</w:t></w:r></w:p>'))
    fallback = etree.SubElement(alt, f"{{{MC}}}Fallback")
    vtext = etree.SubElement(
        etree.SubElement(etree.SubElement(fallback, W + "pict"), f"{{{V}}}shape"), f"{{{V}}}textbox"
    )
    vtext.append(etree.fromstring(etree.tostring(content)))


def _fixture() -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "CONFIDENTIAL — Draft 3"
    document.sections[0].footer.paragraphs[0].text = "Page footer text"
    document.add_paragraph("Master Purchase Agreement")
    _redline_paragraph(
        document,
        [
            ("plain", "1. Supplier shall deliver the drawings "),
            ("inserted", "and all CAD data "),
            ("plain", "within "),
            ("deleted", "thirty (30)", "Buyer Legal", "2026-11-02T10:00:00Z"),
            ("inserted", "ten (10)", "Buyer Legal", "2026-11-02T10:00:00Z"),
            ("plain", " days."),
        ],
    )
    commented = document.add_paragraph()
    first = commented.add_run("2. All inventions belong to Buyer.")
    document.add_comment(first, text="We cannot accept this.", author="Sato", initials="S")
    _text_box(document, "Stamp: Approved by purchasing")
    _redline_paragraph(document, [("deleted", "3. Supplier may refuse.", "Tanaka", "2026-11-03T00:00:00Z")])
    document.add_paragraph("4. Governing law: Japan.")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


EXPECTED_TEXT = (
    "Master Purchase Agreement\n"
    "1. Supplier shall deliver the drawings and all CAD data within ten (10) days.\n"
    "2. All inventions belong to Buyer.\n"
    "\n"  # the paragraph that anchors the text box has no text of its own
    "Stamp: Approved by purchasing\n"
    "\n"  # the deleted paragraph reads empty once accepted
    "4. Governing law: Japan."
)


def _changes(ex):
    return [(r["kind"], r["text"], r["author"], r["date"], r["paragraph"]) for r in ex.revisions]


EXPECTED_CHANGES = [
    (
        "inserted",
        "and all CAD data ",
        "Buyer Legal",
        "2026-11-01T09:00:00Z",
        "1. Supplier shall deliver the drawings and all CAD data within ten (10) days.",
    ),
    (
        "deleted",
        "thirty (30)",
        "Buyer Legal",
        "2026-11-02T10:00:00Z",
        "1. Supplier shall deliver the drawings and all CAD data within ten (10) days.",
    ),
    (
        "inserted",
        "ten (10)",
        "Buyer Legal",
        "2026-11-02T10:00:00Z",
        "1. Supplier shall deliver the drawings and all CAD data within ten (10) days.",
    ),
    ("deleted", "3. Supplier may refuse.", "Tanaka", "2026-11-03T00:00:00Z", ""),
]


def test_tracked_changes_comments_text_boxes_and_headers_come_back_exactly():
    ex = extract_text(_fixture(), "redline.docx")
    assert ex.text == EXPECTED_TEXT
    assert _changes(ex) == EXPECTED_CHANGES
    assert [(c["author"], c["text"], c["anchor"]) for c in ex.comments] == [
        ("Sato", "We cannot accept this.", "2. All inventions belong to Buyer.")
    ]
    assert ex.headers == [
        {"kind": "header", "text": "CONFIDENTIAL — Draft 3"},
        {"kind": "footer", "text": "Page footer text"},
    ]
    assert "CONFIDENTIAL" not in ex.text and "cannot accept" not in ex.text
    assert ex.text.count("Stamp: Approved") == 1  # the VML fallback is not read a second time
    inserted = ex.revisions[0]
    assert ex.text[inserted["offset"] : inserted["offset"] + len(inserted["text"])] == inserted["text"]


def test_plain_text_extraction_keeps_the_old_shape():
    ex = extract_text(b"Article 1. Text.", "a.txt")
    assert ex.revisions == [] and ex.comments == [] and ex.headers == []


_NUMBERING = f"""<w:numbering xmlns:w="{W_NS}">
<w:abstractNum w:abstractNumId="1"><w:styleLink w:val="ContractList"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="第%1条"/><w:pStyle w:val="ArticleHeading"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/><w:pStyle w:val="ArticleBody"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="2"><w:numStyleLink w:val="ContractList"/></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="2"/></w:num>
</w:numbering>"""


def _numbered_by_styles() -> bytes:
    """Numbering only through styles: the paragraph styles point at a list that borrows its
    levels from a numbering style (w:numStyleLink), the way Word's multilevel lists do."""
    document = docx.Document()
    styles = document.styles.element
    for sid, based, numpr in (
        ("ContractList", None, '<w:numPr><w:numId w:val="1"/></w:numPr>'),
        ("ArticleHeading", None, '<w:numPr><w:numId w:val="2"/></w:numPr>'),
        ("ArticleBody", "ArticleHeading", '<w:numPr><w:ilvl w:val="1"/></w:numPr>'),
    ):
        kind = "numbering" if sid == "ContractList" else "paragraph"
        based_xml = f'<w:basedOn w:val="{based}"/>' if based else ""
        styles.append(
            etree.fromstring(
                f'<w:style xmlns:w="{W_NS}" w:type="{kind}" w:styleId="{sid}"><w:name w:val="{sid}"/>'
                f"{based_xml}<w:pPr>{numpr}</w:pPr></w:style>"
            )
        )
    numbering_el = document.part.numbering_part.element  # the default template has one
    for child in list(numbering_el):
        numbering_el.remove(child)
    for child in etree.fromstring(_NUMBERING):
        numbering_el.append(child)
    for style, text in (
        ("ArticleHeading", "Confidentiality"),
        ("ArticleBody", "Keep it secret."),
        ("ArticleBody", "Return it on request."),
        ("ArticleHeading", "Term"),
        ("ArticleBody", "One year."),
    ):
        document.add_paragraph(text, style=style)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_numbering_through_styles_and_num_style_link_prints_the_labels():
    text = extract_text(_numbered_by_styles(), "styled.docx").text
    assert text.splitlines()[-5:] == [
        "第1条　Confidentiality",
        "1. Keep it secret.",
        "2. Return it on request.",
        "第2条　Term",
        "1. One year.",
    ]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_redline_saved_by_libreoffice_reads_the_same(tmp_path: Path):
    src = tmp_path / "in" / "redline.docx"
    src.parent.mkdir()
    src.write_bytes(_fixture())
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    ex = extract_text((out / "redline.docx").read_bytes(), "lo.docx")
    body = [line for line in ex.text.splitlines() if line.strip()]
    # the test's text box is a bare shape without a drawing anchor, which LibreOffice drops on import
    assert body == [line for line in EXPECTED_TEXT.splitlines() if line.strip() and not line.startswith("Stamp")]
    assert [(k, t, a) for k, t, a, _d, _p in _changes(ex)] == [(k, t, a) for k, t, a, _d, _p in EXPECTED_CHANGES]
    assert [(c["author"], c["text"], c["anchor"]) for c in ex.comments] == [
        ("Sato", "We cannot accept this.", "2. All inventions belong to Buyer.")
    ]


_piece = st.tuples(
    st.sampled_from(["plain", "inserted", "deleted"]),
    st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=12),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_piece, min_size=1, max_size=12))
def test_random_insert_and_delete_runs_read_as_accepted(pieces):
    document = docx.Document()
    document.add_paragraph("Contract")
    _redline_paragraph(document, pieces)
    buf = io.BytesIO()
    document.save(buf)
    ex = extract_text(buf.getvalue(), "random.docx")
    accepted = "".join(text for kind, text in pieces if kind != "deleted")
    assert ex.text == "Contract\n" + accepted
    wanted = [(k, t) for k, t in pieces if k != "plain" and t.strip()]
    assert [(r["kind"], r["text"]) for r in ex.revisions] == wanted
