"""The review report's HTML and PDF exports in one language (issue 14): the reader's, or the
one asked for with ?lang=, whatever the contract's. Rule texts, labels, summary and the
disclaimer follow it; the contract's own words (clause numbers, quotes) stay as written."""

import io

import pytest
from django.test import Client
from django.utils.html import escape
from pypdf import PdfReader

from chizai.review import services
from chizai.review.engine.document import ChecklistResult, Finding
from chizai.review.engine.messages import msg
from chizai.review.engine.rules_data import checklist_text, finding_texts

NDA_JA = """秘密保持契約書

甲株式会社（以下「甲」という。）と乙株式会社（以下「乙」という。）は、次のとおり契約を締結する。

第1条（目的）
乙は、甲乙間の取引全般に関連して甲に技術情報を開示する。
"""
RULE, ITEM = "NDA-03", "NDA-CL-01"


def _evaluate(doc):
    start = doc.text.index("甲乙間の取引全般")
    texts = finding_texts(RULE, "ja")
    finding = Finding(
        rule_id=RULE,
        severity="HIGH",
        title=texts["title"],
        reason=texts["reason"],
        basis=["OI-NDA"],
        balanced=texts["balanced"],
        question=texts["question"],
        clause="第1条",
        span=(start, start + 8),
        text=doc.text[start : start + 8],
    )
    return [finding], [ChecklistResult(id=ITEM, item=checklist_text(ITEM, "ja"), status="weak", clause="第1条")]


@pytest.fixture
def review(monkeypatch, org, owner):
    monkeypatch.setattr("chizai.review.engine.pipeline.rules_evaluator", lambda: _evaluate)
    return services.submit_review(owner, org, filename="nda.txt", text=NDA_JA)


@pytest.fixture
def client(owner):
    client = Client()
    client.force_login(owner)
    return client


def test_japanese_contract_exported_in_english(client, org, review):
    html = client.get(f"/o/{org.slug}/reviews/{review.pk}/export/html/?lang=en").content.decode()
    assert escape(finding_texts(RULE, "en")["title"]) in html and escape(finding_texts(RULE, "ja")["title"]) not in html
    assert escape(checklist_text(ITEM, "en")) in html and "30-second summary" in html
    assert escape(msg("en", "disclaimer")[:60]) in html and escape(msg("ja", "disclaimer")[:30]) not in html
    assert "第1条" in html  # the contract's clause number as written


def test_english_reader_gets_english_pdf_and_japanese_reader_japanese(client, org, review):
    def pdf_text(language):
        client.cookies["django_language"] = language
        body = client.get(f"/o/{org.slug}/reviews/{review.pk}/export/pdf/").content
        return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(body)).pages)

    english = pdf_text("en")
    assert "Contract review" in english and "Attorneys Act" in english.replace("\n", " ")
    japanese = pdf_text("ja")
    assert "Attorneys Act" not in japanese.replace("\n", " ")  # the disclaimer was in both languages before
    assert "Contract review" not in japanese
