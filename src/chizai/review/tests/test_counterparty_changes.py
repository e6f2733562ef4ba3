"""The counterparty's tracked changes next to the findings (issue 15, Word in): per clause with
author and date, findings the changes caused or removed, on Word files written here."""

from __future__ import annotations

import io
import itertools

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from chizai.review.engine import ReviewInputError, load_document, review_document
from chizai.review.engine.docx_changes import counterparty_changes, rejected_text
from chizai.review.engine.extract import extract_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_ids = itertools.count(500)

KEEP = "Each party retains all rights in its own Confidential Information."
TAKE = (
    "All improvements, inventions and know-how made by Supplier shall belong exclusively to Buyer without compensation."
)


def _run(text: str, tag: str = "t"):
    r = etree.Element(W + "r")
    t = etree.SubElement(r, W + tag)
    t.text = text
    t.set(XML_SPACE, "preserve")
    return r


def _paragraph(document, pieces):
    """A paragraph of (kind, text[, author, date]) pieces: kind is plain, inserted or deleted."""
    p = document.add_paragraph()._p
    for kind, text, *who in pieces:
        if kind == "plain":
            p.append(_run(text))
            continue
        author, date = who or ("Buyer Legal", "2026-11-20T09:00:00Z")
        el = etree.SubElement(p, W + ("ins" if kind == "inserted" else "del"))
        el.attrib.update({W + "id": str(next(_ids)), W + "author": author, W + "date": date})
        el.append(_run(text, "t" if kind == "inserted" else "delText"))


def _nda(clause_2: list) -> bytes:
    document = docx.Document()
    for line in (
        "Mutual Non-Disclosure Agreement",
        'This Agreement is made between Alpha Manufacturing Co., Ltd. ("Supplier") and Big Buyer Corporation ("Buyer").',
        "1. Confidential Information",
        "1.1 Each party shall keep the other party's Confidential Information secret and shall not disclose it "
        "to any third party.",
        "2. Intellectual Property",
    ):
        document.add_paragraph(line)
    _paragraph(document, [("plain", "2.1 "), *clause_2])
    for line in (
        "3. Term",
        "3.1 This Agreement remains in force for three (3) years.",
        "4. Governing Law",
        "4.1 This Agreement is governed by the laws of Japan.",
    ):
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


# The buyer's pen: the SME's clause struck out, an assignment of everything written in.
BUYER_REDLINE = [("deleted", KEEP, "Buyer Legal", "2026-11-20T09:00:00Z"), ("inserted", TAKE)]
# The SME's answer to that: the assignment struck out, its own clause back.
SME_REDLINE = [
    ("deleted", TAKE, "Alpha Legal", "2026-11-22T10:30:00Z"),
    ("inserted", KEEP, "Alpha Legal", "2026-11-22T10:30:00Z"),
]


def _engine(data: bytes):
    ex = extract_text(data, "nda.docx")
    doc = load_document(data, "nda.docx", sme="Supplier")
    report = review_document(doc)

    def before(text):
        return review_document(load_document(text, "before.txt", lang=doc.language, sme=doc.sme_label))

    return ex, doc, report, counterparty_changes(doc, report, ex.revisions, before)


def test_a_change_that_writes_in_an_assignment_causes_the_finding_and_names_its_author():
    ex, doc, report, changes = _engine(_nda(BUYER_REDLINE))
    assert TAKE in doc.text and KEEP not in doc.text  # reviewed as accepted
    assert rejected_text(ex.text, ex.revisions) == ex.text.replace(TAKE, KEEP)
    assert changes["clauses"] == [
        {
            "clause": "Section 2.1",
            "changes": [
                {"kind": "deleted", "text": KEEP, "author": "Buyer Legal", "date": "2026-11-20T09:00:00Z"},
                {"kind": "inserted", "text": TAKE, "author": "Buyer Legal", "date": "2026-11-20T09:00:00Z"},
            ],
        }
    ]
    caused = {(report.findings[i].rule_id, report.findings[i].clause) for i in changes["caused"]}
    assert ("IPR-01", "Section 2.1") in caused
    # findings on clauses the pen did not touch are not put down to it
    assert all(
        report.findings[i].clause == "Section 2.1" or report.findings[i].clause is None for i in changes["caused"]
    )
    assert "IPR-01" not in {r["rule_id"] for r in changes["removed"]}
    assert changes["authors"] == ["Buyer Legal"]


def test_a_change_that_strikes_the_assignment_out_removes_the_finding():
    ex, doc, report, changes = _engine(_nda(SME_REDLINE))
    assert "IPR-01" not in {f.rule_id for f in report.findings}
    assert ("IPR-01", "Section 2.1") in {(r["rule_id"], r["clause"]) for r in changes["removed"]}
    assert not any(report.findings[i].rule_id == "IPR-01" for i in changes["caused"])


_piece = st.tuples(
    st.sampled_from(["plain", "inserted", "deleted"]), st.text(alphabet="abcXYZ甲乙条.,", min_size=1, max_size=8)
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_piece, min_size=1, max_size=8))
def test_rejecting_the_changes_gives_back_the_text_before_them(pieces):
    document = docx.Document()
    _paragraph(document, pieces)
    document.add_paragraph("end.")
    buf = io.BytesIO()
    document.save(buf)
    ex = extract_text(buf.getvalue(), "r.docx")
    before = "".join(t for kind, t in pieces if kind != "inserted") + "\nend."
    assert rejected_text(ex.text, ex.revisions) == before


@pytest.mark.django_db
def test_the_report_shows_the_changes_next_to_the_finding_in_the_web_and_the_api(client, owner, org):
    from django.urls import reverse

    from chizai.core import jobs
    from chizai.review import services

    review = services.submit_review(owner, org, filename="nda.docx", data=_nda(BUYER_REDLINE), sme="Supplier")
    if review.status != "done":
        assert jobs.execute(review.job_id) == "succeeded"
        review.refresh_from_db()
    assert review.status == "done", review.error
    report = review.report
    caused = [f for f in report["findings"] if f.get("change") == "caused"]
    assert ("IPR-01", "Section 2.1") in {(f["rule_id"], f["clause"]) for f in caused}
    client.force_login(owner)
    page = client.get(reverse("review_detail", args=[org.slug, review.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="change-caused"' in html and "Buyer Legal" in html and "2026-11-20" in html
    ipr = next(f for f in page.context["fb"]["shown"] if f["rule_id"] == "IPR-01")
    assert [c["kind"] for c in ipr["near_changes"]] == ["deleted", "inserted"]
    api = client.get(f"/api/reviews/{review.pk}")
    assert api.status_code == 200
    data = api.json()["report"]
    assert data["changes"]["clauses"][0]["clause"] == "Section 2.1"
    assert any(f.get("change") == "caused" and f["rule_id"] == "IPR-01" for f in data["findings"])


def test_a_redline_that_wrote_the_whole_text_lists_the_changes_without_comparing():
    document = docx.Document()
    _paragraph(document, [("inserted", "1. Supplier shall deliver the goods.")])
    _paragraph(document, [("inserted", "2. Buyer shall pay within thirty (30) days.")])
    buf = io.BytesIO()
    document.save(buf)
    ex = extract_text(buf.getvalue(), "all-new.docx")
    doc = load_document(buf.getvalue(), "all-new.docx")
    report = review_document(doc)
    assert rejected_text(ex.text, ex.revisions).strip() == ""

    def before(text):
        try:
            return review_document(load_document(text, "before.txt"))
        except ReviewInputError:
            return None

    changes = counterparty_changes(doc, report, ex.revisions, before)
    assert changes["compared"] is False and changes["caused"] == [] and changes["removed"] == []
    assert [c["kind"] for entry in changes["clauses"] for c in entry["changes"]] == ["inserted", "inserted"]
