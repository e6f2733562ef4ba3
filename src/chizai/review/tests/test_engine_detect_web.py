"""The web and API ask the user to confirm an uncertain SME party before showing findings,
and review again with the answer."""

import pytest
from django.test import Client

from chizai.core import services as core_services
from chizai.review import services
from chizai.review.engine.document import Finding
from chizai.review.models import ContractReview

# a mutual NDA between two companies named by their own names: nothing in the text says
# which one is the SME, so the reviewer must ask
MUTUAL_EN = """MUTUAL CONFIDENTIALITY AGREEMENT

This Agreement is made on 1 May 2026 between Alder Optics Co., Ltd., a company incorporated in Japan ("Alder"),
and Birch Photonics Corporation, a company incorporated in Japan ("Birch").

1. Each party may disclose confidential information to the other for the purpose of discussing a possible
cooperation. The receiving party shall keep the information secret and shall use it only for that purpose.

2. This Agreement ends two years after the date above.
"""


def fake_evaluate(doc):
    start = doc.text.index("shall keep the information secret")
    return (
        [
            Finding(
                rule_id="NDA-07",
                severity="MEDIUM",
                title="Short term",
                reason="r",
                basis=[],
                balanced="b",
                question="q",
                clause="1",
                span=(start, start + 10),
                text=doc.text[start : start + 10],
            )
        ],
        [],
    )


@pytest.fixture
def fake_engine(monkeypatch):
    monkeypatch.setattr("chizai.review.engine.pipeline.rules_evaluator", lambda: fake_evaluate)


def test_uncertain_sme_is_asked_before_findings_and_the_answer_reruns(owner, org, fake_engine):
    client = Client()
    client.force_login(owner)
    review = services.submit_review(owner, org, filename="mutual.txt", text=MUTUAL_EN)
    assert review.status == "done"
    assert review.report["detection"]["uncertain"] == ["sme"]
    assert services.open_questions(review) == ["sme"]
    page = client.get(f"/o/{org.slug}/reviews/{review.pk}/").content.decode()
    assert 'id="detection-question"' in page
    assert "Alder Optics Co., Ltd." in page and "Birch Photonics Corporation" in page
    assert "<mark" not in page  # findings wait for the answer
    shown = client.get(f"/o/{org.slug}/reviews/{review.pk}/?findings=1").content.decode()
    assert "<mark" in shown
    response = client.post(f"/o/{org.slug}/reviews/{review.pk}/", {"sme": "Birch", "contract_type": "auto"})
    assert response.status_code == 302
    again = ContractReview.objects.exclude(pk=review.pk).get()
    assert again.options["sme"] == "Birch" and again.sme_party == "Birch"
    assert services.open_questions(again) == []
    page = client.get(response["Location"]).content.decode()
    assert 'id="detection-question"' not in page and "<mark" in page


def test_answer_must_name_something(owner, org, fake_engine):
    client = Client()
    client.force_login(owner)
    review = services.submit_review(owner, org, filename="mutual.txt", text=MUTUAL_EN)
    response = client.post(f"/o/{org.slug}/reviews/{review.pk}/", {"sme": "", "contract_type": "auto"})
    assert response.status_code == 400
    assert ContractReview.objects.count() == 1


def test_viewer_sees_findings_and_cannot_answer(org, members, fake_engine):
    review = services.submit_review(members["owner"], org, filename="mutual.txt", text=MUTUAL_EN)
    client = Client()
    client.force_login(members["viewer"])
    page = client.get(f"/o/{org.slug}/reviews/{review.pk}/").content.decode()
    assert "<mark" in page and '<form method="post">' not in page
    assert client.post(f"/o/{org.slug}/reviews/{review.pk}/", {"sme": "Birch"}).status_code == 403


def test_api_says_what_needs_confirmation(org, owner, fake_engine):
    _token, secret = core_services.create_api_token(owner, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = client.post(
        "/api/reviews/json", {"org": org.slug, "text": MUTUAL_EN}, content_type="application/json"
    ).json()
    assert body["needs_confirmation"] == ["sme"]
    assert body["report"]["detection"]["note"] and "Alder" in body["report"]["detection"]["note"][0]
    answered = client.post(
        "/api/reviews/json",
        {"org": org.slug, "text": MUTUAL_EN, "sme": "Alder Optics"},
        content_type="application/json",
    ).json()
    assert answered["needs_confirmation"] == [] and answered["report"]["sme_party"] == "Alder"


def test_exported_report_carries_the_note(owner, org, fake_engine):
    review = services.submit_review(owner, org, filename="mutual.txt", text=MUTUAL_EN)
    body, _type, _name = services.export_review(owner, review, "html")
    assert b'class="detection-note"' in body


UNTITLED_EN = (
    'Alder Optics Co., Ltd. ("Alder") and Birch Photonics Corporation ("Birch") agree as follows.\n'
    "1. Each party shall act in good faith and keep its promises under this document at all times, "
    "and shall tell the other of any change of address within ten days of that change.\n\n"
    "2. Birch shall deliver the goods. The recipient shall keep the information secret.\n"
)


def test_uncertain_type_is_asked_in_japanese_too(owner, org, fake_engine):
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(owner)
    review = services.submit_review(owner, org, filename="untitled.txt", text=UNTITLED_EN)
    assert "type" in services.open_questions(review)
    page = client.get(f"/o/{org.slug}/reviews/{review.pk}/").content.decode()
    assert "指摘を読む前に確認してください" in page and "契約類型の判定が不確かです" in page
    response = client.post(f"/o/{org.slug}/reviews/{review.pk}/", {"sme": "Birch", "contract_type": "MFG"})
    assert response.status_code == 302
    again = ContractReview.objects.exclude(pk=review.pk).get()
    assert again.contract_types == ["MFG"] and again.options["type"] == "MFG"
    assert services.open_questions(again) == []
