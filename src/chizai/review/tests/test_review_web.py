"""The web and API fronts of the reviewer: storing, running (inline and in the worker),
showing, exporting and comparing reviews. The rules engine is replaced by a small fake
where a test needs known findings; one test runs the real engine end to end."""

from pathlib import Path

import pytest
from django.test import Client
from django.utils.html import escape

from chizai.core import jobs, services as core_services
from chizai.core.models import AuditEvent, Job
from chizai.review import services
from chizai.review.engine.document import ChecklistResult, Finding
from chizai.review.engine.rules_data import basis_names, finding_texts
from chizai.review.models import ContractReview

SHARED = Path(__file__).resolve().parents[5] / "shared" / "data"
NDA_JA = """秘密保持契約書

甲株式会社（以下「甲」という。）と乙株式会社（以下「乙」という。）は、次のとおり契約を締結する。

第1条（目的）
乙は、甲乙間の取引全般に関連して甲に技術情報を開示する。

第2条（秘密保持）
乙は、甲から開示された情報を秘密として保持しなければならない。
"""


def fake_evaluate(doc):
    start = doc.text.index("甲乙間の取引全般")
    return (
        [
            Finding(
                rule_id="NDA-03",
                severity="HIGH",
                title="目的が広すぎる",
                reason="理由",
                basis=["OI-NDA"],
                balanced="目的を特定する",
                question="目的を限定できますか",
                clause="第1条",
                span=(start, start + 8),
                text=doc.text[start : start + 8],
            )
        ],
        [ChecklistResult(id="NDA-CL-01", item="目的", status="weak", clause="第1条")],
    )


@pytest.fixture
def fake_engine(monkeypatch):
    monkeypatch.setattr("chizai.review.engine.pipeline.rules_evaluator", lambda: fake_evaluate)


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


def test_paste_review_inline_shows_highlighted_finding(owner_client, org, fake_engine):
    response = owner_client.post(f"/o/{org.slug}/reviews/", {"text": NDA_JA, "contract_type": "auto", "lang": "auto"})
    assert response.status_code == 302
    review = ContractReview.objects.get()
    assert review.status == "done" and review.high_count == 1
    assert review.report["findings"][0]["rule_id"] == "NDA-03"
    assert review.report["disclaimer"]
    page = owner_client.get(response["Location"]).content.decode()
    assert '<mark class="sev-HIGH" id="t0"><a href="#f0">甲乙間の取引全般</a></mark>' in page
    assert finding_texts("NDA-03", "ja")["question"] in page  # the catalogue's words, in the reader's language
    assert AuditEvent.objects.filter(action="review.view", object_id=str(review.pk)).exists()


@pytest.mark.parametrize(("language", "other"), [("ja", "en"), ("en", "ja")])
def test_findings_read_in_the_readers_language_whatever_the_contracts(owner_client, org, fake_engine, language, other):
    owner_client.post(f"/o/{org.slug}/reviews/", {"text": NDA_JA, "contract_type": "auto", "lang": "auto"})
    review = ContractReview.objects.get()
    page = owner_client.get(f"/o/{org.slug}/reviews/{review.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    mine, theirs = finding_texts("NDA-03", language), finding_texts("NDA-03", other)
    for part in ("title", "reason", "balanced", "question"):
        assert escape(mine[part]) in page and escape(theirs[part]) not in page, part
    assert escape(basis_names()["OI-NDA"][language]) in page and escape(basis_names()["OI-NDA"][other]) not in page
    assert '<abbr title="OI-NDA">' in page
    assert (">HIGH<" not in page and ">weak<" not in page) if language == "ja" else ">不十分<" not in page


def test_every_basis_key_of_the_catalogue_has_a_name_in_both_languages():
    from chizai.review.engine.rules_data import load_catalogue

    names = basis_names()
    used = {key for rule in load_catalogue().all_rules() for key in rule.basis}
    assert used <= set(names), sorted(used - set(names))
    assert all(n["ja"] != n["en"] for n in names.values())


def test_upload_file_and_duplicate_submission(owner_client, org, owner, fake_engine):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("nda.txt", NDA_JA.encode("cp932"), content_type="text/plain")
    owner_client.post(f"/o/{org.slug}/reviews/", {"file": upload, "contract_type": "NDA", "lang": "auto"})
    first = ContractReview.objects.get()
    assert first.status == "done" and "甲乙間の取引全般" in first.text  # Shift_JIS decoded
    again = services.submit_review(owner, org, filename="nda.txt", data=NDA_JA.encode("cp932"), contract_type="NDA")
    assert again.pk == first.pk and ContractReview.objects.count() == 1


@pytest.mark.parametrize(
    "data,filename,needle",
    [
        (b"", "empty.txt", "empty"),
        (b"\x00\x01\x02\xff" * 200, "blob.bin", "not"),
        (b"%PDF-1.4 garbage", "broken.pdf", ""),
        (b"Dieser Vertrag regelt die Geheimhaltung zwischen den Parteien und gilt ab heute.", "de.txt", "neither"),
    ],
)
def test_bad_input_gets_a_message_and_stores_nothing(owner_client, org, data, filename, needle, fake_engine):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_client.post(
        f"/o/{org.slug}/reviews/",
        {"file": SimpleUploadedFile(filename, data), "contract_type": "auto", "lang": "auto"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and needle in body
    assert ContractReview.objects.count() == 0 and Job.objects.count() == 0


def test_large_contract_runs_in_the_worker(owner, org, fake_engine, settings, monkeypatch):
    monkeypatch.setattr(services, "INLINE_LIMIT_CHARS", 10)
    review = services.submit_review(owner, org, filename="nda.txt", text=NDA_JA)
    assert review.status == "queued" and review.job_id
    assert jobs.execute(review.job_id) == "succeeded"
    review.refresh_from_db()
    assert review.status == "done" and review.high_count == 1


def test_engine_failure_is_retried_and_visible(owner, org, monkeypatch):
    monkeypatch.setattr(services, "INLINE_LIMIT_CHARS", 10)

    def broken(doc):
        raise RuntimeError("rule data unreadable")

    monkeypatch.setattr("chizai.review.engine.pipeline.rules_evaluator", lambda: broken)
    review = services.submit_review(owner, org, filename="nda.txt", text=NDA_JA)
    assert jobs.execute(review.job_id) == "retrying"
    review.refresh_from_db()
    assert review.status == "queued" and "rule data unreadable" in review.error


def test_export_html_and_pdf_are_audited(owner_client, org, owner, fake_engine):
    review = services.submit_review(owner, org, filename="nda.txt", text=NDA_JA)
    html = owner_client.get(f"/o/{org.slug}/reviews/{review.pk}/export/html/")
    assert html.status_code == 200 and "甲乙間の取引全般" in html.content.decode()
    pdf = owner_client.get(f"/o/{org.slug}/reviews/{review.pk}/export/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="review.export").count() == 2


def test_viewer_cannot_submit_or_export(org, members, fake_engine):
    review = services.submit_review(members["owner"], org, filename="nda.txt", text=NDA_JA)
    client = Client()
    client.force_login(members["viewer"])
    assert (
        client.post(
            f"/o/{org.slug}/reviews/", {"text": NDA_JA + "x", "contract_type": "auto", "lang": "auto"}
        ).status_code
        == 403
    )
    assert client.get(f"/o/{org.slug}/reviews/{review.pk}/").status_code == 200
    assert client.get(f"/o/{org.slug}/reviews/{review.pk}/export/pdf/").status_code == 403


def test_compare_versions_shows_what_changed(owner_client, org, owner, monkeypatch):
    def evaluate_v1(doc):
        return fake_evaluate(doc)

    def evaluate_v2(doc):
        return (
            [
                Finding(
                    rule_id="NDA-08",
                    severity="MEDIUM",
                    title="返還なし",
                    reason="r",
                    basis=[],
                    balanced="b",
                    question="q",
                )
            ],
            [],
        )

    monkeypatch.setattr("chizai.review.engine.pipeline.rules_evaluator", lambda: evaluate_v1)
    v1 = services.submit_review(owner, org, filename="nda.txt", text=NDA_JA)
    monkeypatch.setattr("chizai.review.engine.pipeline.rules_evaluator", lambda: evaluate_v2)
    v2_text = NDA_JA.replace("取引全般に関連して", "新型ポンプの共同評価のために")
    v2 = services.submit_review(owner, org, filename="nda.txt", text=v2_text, previous=v1)
    result = services.compare(v1, v2)
    assert [f["rule_id"] for f in result["appeared"]] == ["NDA-08"]
    assert [f["rule_id"] for f in result["gone"]] == ["NDA-03"]
    assert any("新型ポンプ" in line for change in result["text_changes"] for line in change["added"])
    page = owner_client.get(f"/o/{org.slug}/reviews/{v2.pk}/compare/{v1.pk}/").content.decode()
    assert "NDA-08" in page and "新型ポンプ" in page


def test_api_create_and_get(org, owner, fake_engine):
    _token, secret = core_services.create_api_token(owner, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post("/api/reviews/json", {"org": org.slug, "text": NDA_JA}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "done" and body["report"]["findings"][0]["rule_id"] == "NDA-03"
    fetched = client.get(f"/api/reviews/{body['id']}").json()
    assert fetched["id"] == body["id"]
    bad = client.post("/api/reviews/json", {"org": org.slug, "text": ""}, content_type="application/json")
    assert bad.status_code == 422
    from django.core.files.uploadedfile import SimpleUploadedFile

    multipart = client.post(
        "/api/reviews", {"org": org.slug, "file": SimpleUploadedFile("n.txt", (NDA_JA + "\n").encode())}
    )
    assert multipart.status_code == 201 and multipart.json()["filename"] == "n.txt"


def test_real_engine_end_to_end_on_a_dev_contract(owner, org):
    data = (SHARED / "review-dev" / "ja-nda-01.txt").read_bytes()
    review = services.submit_review(owner, org, filename="ja-nda-01.txt", data=data)
    assert review.status == "done", review.error
    assert review.language == "ja" and "NDA" in review.contract_types
    ids = {f["rule_id"] for f in review.findings}
    assert "NDA-03" in ids  # the purpose 「甲乙間の取引全般」 is far too wide
    for finding in review.findings:
        if finding["span"]:
            start, end = finding["span"]
            assert review.text[start:end] == finding["text"] or finding["text"] in review.text


def test_uploaded_contract_is_encrypted_at_rest(owner, org, settings, fake_engine):
    marker = "極秘加工条件マーカー-ZX81"
    data = (NDA_JA + f"\n第3条（特記）\n乙の{marker}は秘密とする。\n").encode("utf-8")
    review = services.submit_review(owner, org, filename="nda.txt", data=data)
    assert review.status == "done" and review.source_storage_name
    root = Path(settings.MEDIA_ROOT)
    stored = list(root.rglob("*"))
    assert any(p.is_file() for p in stored)
    for path in stored:
        if path.is_file():
            assert marker.encode("utf-8") not in path.read_bytes()


def test_failed_save_leaves_no_encrypted_file(owner, org, settings, fake_engine, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("chizai.review.services.audit.record", broken)
    with pytest.raises(RuntimeError):
        services.submit_review(owner, org, filename="nda.txt", data=NDA_JA.encode())
    assert ContractReview.objects.count() == 0
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
