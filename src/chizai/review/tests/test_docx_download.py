"""The commented Word file from the web page and the API (issue 15): the comments come back
on the cited clause in the chosen language, a DOCX upload keeps its own paragraphs, the
download is audited like the other exports and refused to a viewer."""

import io

import docx
from django.test import Client

from chizai.core.models import AuditEvent
from chizai.review import services
from chizai.review.engine.extract import extract_text
from chizai.review.tests.test_review_web import NDA_JA, fake_engine, owner_client  # noqa: F401 - fixtures

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_download_from_the_review_page_is_audited_and_in_the_chosen_language(owner_client, org, owner, fake_engine):  # noqa: F811
    review = services.submit_review(owner, org, filename="nda.txt", text=NDA_JA)
    page = owner_client.get(f"/o/{org.slug}/reviews/{review.pk}/").content.decode()
    assert 'id="docx-comments"' in page
    got = owner_client.get(f"/o/{org.slug}/reviews/{review.pk}/export/docx-comments/?lang=ja")
    assert got.status_code == 200 and got["Content-Type"] == DOCX_TYPE
    ex = extract_text(got.content, "out.docx")
    [comment] = ex.comments
    assert "甲乙間の取引全般" in comment["anchor"] and comment["text"].startswith("[重要度 高]")
    assert comment["author"] == org.name_ja
    assert [r["text"] for r in ex.revisions if r["kind"] == "inserted"]
    english = owner_client.get(f"/o/{org.slug}/reviews/{review.pk}/export/docx-comments/?lang=en")
    assert extract_text(english.content, "en.docx").comments[0]["text"].startswith("[High]")
    assert AuditEvent.objects.filter(action="review.export", summary__contains="commented docx").count() == 2


def test_a_docx_upload_is_annotated_in_place_and_the_api_serves_it(org, owner, fake_engine):  # noqa: F811
    source = docx.Document()
    for line in NDA_JA.split("\n"):
        source.add_paragraph(line)
    source.add_paragraph("原本の末尾")
    buf = io.BytesIO()
    source.save(buf)
    review = services.submit_review(owner, org, filename="nda.docx", data=buf.getvalue())
    client = Client()
    client.force_login(owner)
    got = client.get(f"/api/reviews/{review.pk}/commented.docx?lang=en")
    assert got.status_code == 200, got.content[:300]
    ex = extract_text(got.content, "out.docx")
    assert "原本の末尾" in ex.text and "甲乙間の取引全般" in ex.comments[0]["anchor"]


def test_a_viewer_cannot_download_it(org, members, fake_engine):  # noqa: F811
    review = services.submit_review(members["owner"], org, filename="nda.txt", text=NDA_JA)
    client = Client()
    client.force_login(members["viewer"])
    assert client.get(f"/o/{org.slug}/reviews/{review.pk}/export/docx-comments/?lang=ja").status_code == 403
