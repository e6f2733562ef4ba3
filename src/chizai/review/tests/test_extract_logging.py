"""Parts of a Word file that cannot be read are left out of the text, never silently:
the extractor logs which file and what went wrong (the engine uses ``logging`` only)."""

import io
import logging


def _docx_with_footnotes(xml: bytes) -> bytes:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    d = docx.Document()
    d.add_paragraph("Supplier shall deliver the Products.")
    ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    d.part.relate_to(Part(PackURI("/word/footnotes.xml"), ctype, xml, d.part.package), RT.FOOTNOTES)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_damaged_footnotes_keep_the_body_and_are_logged(caplog):
    from chizai.review.engine.extract import extract_text

    data = _docx_with_footnotes(b"<w:footnotes xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'>")
    with caplog.at_level(logging.WARNING, logger="chizai.review.engine.extract"):
        text = extract_text(data, "notes.docx").text
    assert "Supplier shall deliver the Products." in text and "Footnotes" not in text
    assert any("notes.docx" in r.getMessage() and "footnotes" in r.getMessage() for r in caplog.records)


def test_a_document_without_lists_logs_nothing(caplog):
    import docx

    from chizai.review.engine.extract import extract_text

    d = docx.Document()
    d.add_paragraph("Supplier shall deliver the Products.")
    buf = io.BytesIO()
    d.save(buf)
    with caplog.at_level(logging.WARNING, logger="chizai.review.engine.extract"):
        extract_text(buf.getvalue(), "plain.docx")
    assert not caplog.records
