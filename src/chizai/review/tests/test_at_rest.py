"""R5: contract text under review and the report's clause quotes are sealed in the database."""

import pytest

from chizai.core.services import ChizaiError
from chizai.register.tests.test_at_rest import leaked
from chizai.review import services
from chizai.review.models import ContractReview
from chizai.review.tests.test_review_web import NDA_JA, fake_evaluate

MARKER = "鱈守秘義務特則"
CONTRACT = NDA_JA.replace("甲乙間の取引全般", "甲乙間の取引全般" + MARKER)


@pytest.fixture(autouse=True)
def _fake_engine(monkeypatch):
    # The fake engine quotes "甲乙間の取引全般" (clause 1) in its one finding.
    monkeypatch.setattr("chizai.review.engine.pipeline.rules_evaluator", lambda: fake_evaluate)


@pytest.mark.parametrize("as_file", [False, True])
def test_contract_text_and_quotes_are_not_in_the_database(org, owner, as_file):
    if as_file:
        review = services.submit_review(owner, org, filename="nda.txt", data=CONTRACT.encode("utf-8"))
    else:
        review = services.submit_review(owner, org, filename="nda.txt", text=CONTRACT)
    review = ContractReview.objects.get(pk=review.pk)
    assert review.status == ContractReview.Status.DONE
    quote = review.findings[0]["text"]
    assert quote == "甲乙間の取引全般" and MARKER in review.text
    assert leaked([MARKER, quote, "第2条（秘密保持）"]) == []


def test_sealed_review_reads_back_everywhere_it_is_used(org, owner):
    v1 = services.submit_review(owner, org, filename="nda.txt", text=CONTRACT)
    v2 = services.submit_review(
        owner, org, filename="nda.txt", text=CONTRACT + "\n第3条（期間）\n本契約は1年間有効とする。\n", previous=v1
    )
    v1, v2 = ContractReview.objects.get(pk=v1.pk), ContractReview.objects.get(pk=v2.pk)
    assert MARKER in v1.text and v1.report["findings"][0]["rule_id"] == "NDA-03"
    report = services.report_object(v1)
    assert report.document.text == v1.text and report.findings[0].text == v1.findings[0]["text"]
    changes = services.compare(v1, v2)
    assert any("本契約は1年間有効とする。" in change["added"] for change in changes["text_changes"])
    body, _type, _name = services.export_review(owner, v1, "html")
    assert MARKER.encode() in body


def test_sealed_text_of_another_organisation_does_not_open(org, other_org, owner):
    from chizai.core.tests.factories import MembershipFactory

    MembershipFactory(organization=other_org, user=owner, role="owner")
    mine = services.submit_review(owner, org, filename="nda.txt", text=CONTRACT)
    theirs = services.submit_review(owner, other_org, filename="other.txt", text=NDA_JA)
    ContractReview.objects.filter(pk=theirs.pk).update(text_sealed=ContractReview.objects.get(pk=mine.pk).text_sealed)
    with pytest.raises(ChizaiError):
        _ = ContractReview.objects.get(pk=theirs.pk).text


def test_report_sealed_cannot_pass_for_the_text(org, owner):
    review = services.submit_review(owner, org, filename="nda.txt", text=CONTRACT)
    ContractReview.objects.filter(pk=review.pk).update(
        text_sealed=ContractReview.objects.get(pk=review.pk).report_sealed
    )
    with pytest.raises(ChizaiError):
        _ = ContractReview.objects.get(pk=review.pk).text


def test_constructor_and_create_accept_plain_values(org, owner):
    review = ContractReview.objects.create(
        organization=org,
        created_by=owner,
        title="t",
        filename="f.txt",
        text=CONTRACT,
        content_sha256="0" * 64,
        report={"findings": [], "summary": MARKER},
    )
    again = ContractReview.objects.get(pk=review.pk)
    assert again.text == CONTRACT and again.report["summary"] == MARKER
    assert leaked([MARKER]) == []
