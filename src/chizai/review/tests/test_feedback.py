"""Explain and learn: why a finding fired, and the organisation's feedback on findings
(marked wrong, added as missed), kept per organisation, used on its later reviews of the
same clause text, and exported as rule cases."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core.exceptions import PermissionDenied
from django.test import Client

from chizai.cli import main as cli_main
from chizai.core import services as core_services
from chizai.core.models import AuditEvent
from chizai.core.tests.factories import MembershipFactory, UserFactory
from chizai.review import feedback, services
from chizai.review.engine.document import Finding
from chizai.review.engine.feedback import clause_hash, explain_why
from chizai.review.engine.rules_data import load_catalogue
from chizai.review.engine.rules_testing import make_document
from chizai.review.engine.rules import evaluate
from chizai.review.models import ReviewFeedback

CLAUSE = "乙は、甲に対し、金型図面を無償で提供する。"
HEAD = "製造委託契約書\n\n東亜株式会社（以下「甲」という。）と株式会社ひかり（以下「乙」という。）は、次のとおり契約する。\n\n"
V1 = HEAD + "第1条（図面）\n" + CLAUSE + "\n第2条（秘密保持）\n甲及び乙は、相手方の秘密情報を保持する。\n"
# the next contract: other clauses, the same drawings clause (typed with other spacing / full-width)
V2 = (
    HEAD
    + "第1条（目的）\n本契約は部品の製造委託について定める。\n第2条（図面）\n乙は、甲に対し、 金型図面を無償で提供する。\n"
)
MISSED_CLAUSE = "甲及び乙は、相手方の秘密情報を保持する。"
WHY = {
    "acts": [
        {
            "kind": "provide",
            "to": "LARGE",
            "negated": False,
            "objects": ["drawings"],
            "consideration": "waived",
            "limits": [],
            "wide": [],
            "origin": "NONE",
        }
    ],
    "terms": [],
}


def fake_evaluate(doc):
    start = doc.text.index("乙は、甲に対し")
    end = doc.text.index("。", start) + 1
    return [
        Finding(
            rule_id="MFG-01",
            severity="HIGH",
            title="図面の無償提供",
            reason="理由",
            basis=["SME-GL"],
            balanced="対価を定める",
            question="対価は？",
            clause="第1条",
            span=(start, end),
            text=doc.text[start:end],
            why=WHY,
        )
    ], []


@pytest.fixture
def fake_engine(monkeypatch):
    monkeypatch.setattr("chizai.review.engine.pipeline.rules_evaluator", lambda: fake_evaluate)


def _client(user, lang="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def _review(owner, org, text, title="c"):
    return services.submit_review(owner, org, filename=f"{title}.txt", text=text, title=title)


def test_explain_why_builds_one_sentence_per_language():
    why = {
        "acts": [
            {
                "kind": "own",
                "to": "LARGE",
                "negated": False,
                "objects": ["results", "knowhow"],
                "consideration": "waived",
                "limits": [],
                "wide": [],
                "origin": "NONE",
            }
        ],
        "terms": ["本成果"],
    }
    assert (
        explain_why(why, "ja")
        == "この条項では、成果物・ノウハウの権利が相手方に移り、対価は『不要』とされています（定義語「本成果」を含む）。"
    )
    assert explain_why(why, "en") == (
        "Here ownership of results and know-how moves to the other side, and no payment is made "
        '(defined term "本成果").'
    )
    paid = {**why, "acts": [{**why["acts"][0], "consideration": "paid", "kind": "license"}], "terms": []}
    assert "gets a licence" in explain_why(paid, "en") and "separate payment" in explain_why(paid, "en")
    assert "JRD-01" in explain_why(None, "en", "JRD-01") and "wording" in explain_why(None, "en", "JRD-01")
    assert "一致" in explain_why(None, "ja", "JRD-01")


def test_why_is_in_the_report_and_the_exports(org, owner, fake_engine):
    review = _review(owner, org, V1)
    assert review.report["findings"][0]["why"] == WHY
    page = _client(owner).get(f"/o/{org.slug}/reviews/{review.pk}/").content.decode()
    assert explain_why(WHY, "en", "MFG-01") in page
    page_ja = _client(owner, "ja").get(f"/o/{org.slug}/reviews/{review.pk}/").content.decode()
    assert explain_why(WHY, "ja", "MFG-01") in page_ja
    html, _type, _name = services.export_review(owner, review, "html")
    assert explain_why(WHY, review.language, "MFG-01") in html.decode()


def test_marked_wrong_is_recorded_sealed_audited_and_moved_apart_on_the_next_review(org, owner, fake_engine):
    client = _client(owner)
    first = _review(owner, org, V1, "v1")
    response = client.post(
        f"/o/{org.slug}/reviews/{first.pk}/feedback/",
        {"verdict": "wrong", "finding": 0, "reason": "the drawings are paid for in the price"},
    )
    assert response.status_code == 302
    fb = ReviewFeedback.objects.get()
    assert (fb.rule_id, fb.verdict, fb.clause_ref, fb.organization_id, fb.created_by) == (
        "MFG-01",
        "wrong",
        "第1条",
        org.pk,
        owner,
    )
    assert fb.text == CLAUSE and fb.clause_hash == clause_hash(CLAUSE)
    assert CLAUSE.encode() not in bytes(fb.text_sealed)  # sealed at rest
    event = AuditEvent.objects.get(action="review.feedback")
    assert event.organization_id == org.pk and event.object_id == str(fb.pk)

    # the same review shows it apart at once; the next contract with the same clause too
    second = _review(owner, org, V2, "v2")
    assert second.findings[0]["rule_id"] == "MFG-01"
    view = feedback.annotate(second, "en")
    assert view["shown"] == [] and [f["rule_id"] for f in view["marked_wrong"]] == ["MFG-01"]
    assert view["marked_wrong"][0]["marked"]["reason"] == "the drawings are paid for in the price"
    page = client.get(f"/o/{org.slug}/reviews/{second.pk}/").content.decode()
    marked = page[page.index('id="marked-wrong"') :]
    assert "Marked wrong by your organisation on " + fb.created_at.strftime("%Y-%m-%d") in marked
    assert "MFG-01" in marked and "the drawings are paid for in the price" in marked
    assert 'id="f0"' in marked  # the highlight in the contract text still leads to it


def test_other_rule_or_other_clause_is_not_hidden(org, owner, fake_engine):
    first = _review(owner, org, V1, "v1")
    feedback.record_feedback(owner, org, first, verdict="wrong", finding_index=0, reason="no")
    ReviewFeedback.objects.update(rule_id="MFG-02")  # a judgement on another rule does not hide MFG-01
    second = _review(owner, org, V2, "v2")
    assert [f["rule_id"] for f in feedback.annotate(second, "ja")["shown"]] == ["MFG-01"]


def test_added_missed_finding_shows_on_later_reviews_of_the_same_clause(org, owner, fake_engine):
    rule = "NDA-05" if "NDA-05" in feedback.rule_ids() else feedback.rule_ids()[0]
    first = _review(owner, org, V1, "v1")
    response = _client(owner).post(
        f"/o/{org.slug}/reviews/{first.pk}/feedback/",
        {"verdict": "missed", "rule_id": rule, "text": MISSED_CLAUSE, "reason": "one-sided"},
    )
    assert response.status_code == 302
    fb = ReviewFeedback.objects.get(verdict="missed")
    assert fb.rule_id == rule and fb.text == MISSED_CLAUSE
    later = _review(owner, org, V1.replace("第2条", "第5条"), "later")
    added = feedback.annotate(later, "en")["added"]
    assert [(a["rule_id"], a["text"]) for a in added] == [(rule, MISSED_CLAUSE)]
    page = _client(owner).get(f"/o/{org.slug}/reviews/{later.pk}/").content.decode()
    assert 'id="added-findings"' in page and "one-sided" in page
    # a contract without that clause shows nothing added
    assert feedback.annotate(_review(owner, org, V2, "v2"), "en")["added"] == []


def test_refusals(org, owner, fake_engine):
    review = _review(owner, org, V1)
    with pytest.raises(core_services.ChizaiError):
        feedback.record_feedback(owner, org, review, verdict="missed", rule_id="NOPE-99", text=CLAUSE, reason="x")
    with pytest.raises(core_services.ChizaiError):
        feedback.record_feedback(owner, org, review, verdict="wrong", finding_index=7, reason="x")
    with pytest.raises(core_services.ChizaiError):
        feedback.record_feedback(owner, org, review, verdict="wrong", finding_index=0, reason="  ")
    assert not ReviewFeedback.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "engineer"])
def test_permission_refused_without_change(org, members, owner, fake_engine, role):
    review = _review(owner, org, V1)
    user = members[role]
    response = _client(user).post(
        f"/o/{org.slug}/reviews/{review.pk}/feedback/", {"verdict": "wrong", "finding": 0, "reason": "x"}
    )
    assert response.status_code in (403, 404)
    page = _client(user).get(f"/o/{org.slug}/reviews/{review.pk}/").content.decode()
    assert 'name="verdict"' not in page  # no feedback form offered
    with pytest.raises(PermissionDenied):
        feedback.record_feedback(user, org, review, verdict="wrong", finding_index=0, reason="x")
    _t, secret = core_services.create_api_token(user, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    answer = api.post(
        f"/api/reviews/{review.pk}/feedback",
        {"verdict": "wrong", "finding": 0, "reason": "x"},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert not ReviewFeedback.objects.exists()


def test_api_records_and_lists(org, owner, fake_engine):
    review = _review(owner, org, V1)
    _t, secret = core_services.create_api_token(owner, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    answer = api.post(
        f"/api/reviews/{review.pk}/feedback",
        {"verdict": "wrong", "finding": 0, "reason": "paid"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["rule_id"] == "MFG-01" and body["text"] == CLAUSE and body["review"] == review.pk
    assert [x["id"] for x in api.get(f"/api/orgs/{org.slug}/review-feedback").json()] == [body["id"]]
    findings = api.get(f"/api/reviews/{review.pk}/findings?lang=ja").json()
    assert findings["shown"] == [] and findings["marked_wrong"][0]["why_text"] == explain_why(WHY, "ja", "MFG-01")
    bad = api.post(
        f"/api/reviews/{review.pk}/feedback",
        {"verdict": "wrong", "finding": 0, "reason": "a\x00b"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert AuditEvent.objects.filter(action="review.feedback").count() == 1


def test_another_organisation_cannot_see_or_use_it(org, other_org, owner, fake_engine):
    review = _review(owner, org, V1)
    feedback.record_feedback(owner, org, review, verdict="wrong", finding_index=0, reason="ours")
    rival = UserFactory(username="rival-owner")
    MembershipFactory(organization=other_org, user=rival, role="owner")
    # not reachable through the web or the API
    assert (
        _client(rival)
        .post(f"/o/{org.slug}/reviews/{review.pk}/feedback/", {"verdict": "wrong", "finding": 0, "reason": "x"})
        .status_code
        == 404
    )
    assert (
        _client(rival)
        .post(f"/o/{other_org.slug}/reviews/{review.pk}/feedback/", {"verdict": "wrong", "finding": 0, "reason": "x"})
        .status_code
        == 404
    )
    _t, secret = core_services.create_api_token(rival, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert (
        api.post(
            f"/api/reviews/{review.pk}/feedback",
            {"verdict": "wrong", "finding": 0, "reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert api.get(f"/api/orgs/{org.slug}/review-feedback").status_code == 404
    assert api.get(f"/api/reviews/{review.pk}/findings").status_code == 404
    assert api.get(f"/api/orgs/{other_org.slug}/review-feedback").json() == []
    with pytest.raises(PermissionDenied):  # the service refuses a review of another organisation
        feedback.record_feedback(rival, other_org, review, verdict="wrong", finding_index=0, reason="x")
    # not used: the rival's review of the same clause shows the finding as usual
    theirs = _review(rival, other_org, V1)
    view = feedback.annotate(theirs, "en")
    assert [f["rule_id"] for f in view["shown"]] == ["MFG-01"] and view["marked_wrong"] == []
    assert ReviewFeedback.objects.filter(organization=other_org).count() == 0


def test_export_writes_rule_cases(org, owner, fake_engine, tmp_path, capsys):
    review = _review(owner, org, V1)
    rule = feedback.rule_ids()[0]
    feedback.record_feedback(owner, org, review, verdict="wrong", finding_index=0, reason="paid in the price")
    feedback.record_feedback(owner, org, review, verdict="missed", rule_id=rule, text=MISSED_CLAUSE, reason="one-sided")
    out = tmp_path / "fb.jsonl"
    with pytest.raises(SystemExit) as done:
        cli_main(["review-feedback", "export", "--org", org.slug, "--out", str(out)])
    assert done.value.code in (0, None)
    assert "2 example(s)" in capsys.readouterr().out
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for raw in out.read_text(encoding="utf-8").splitlines():  # a line pasted under `cases:` of a rule_cases YAML
        assert yaml.safe_load("cases:\n  - " + raw)["cases"][0] == json.loads(raw)
    case_keys = {"rule", "lang", "types", "sme", "expect", "text", "why"}  # test_rules_cases.CASE_KEYS
    assert all(set(line) <= case_keys for line in lines)
    assert [(x["rule"], x["expect"], x["text"], x["lang"]) for x in lines] == [
        ("MFG-01", "no-fire", CLAUSE, "ja"),
        (rule, "fire", MISSED_CLAUSE, "ja"),
    ]
    ids = {r.id for r in load_catalogue().rules} | {a.id for a in load_catalogue().ambiguous}
    for line in lines[1:]:  # usable as a rule case: the rule exists and the text can be evaluated
        assert line["rule"] in ids
        evaluate(make_document(line["text"], line["lang"], line["types"] or None, line["sme"]))
    assert AuditEvent.objects.filter(action="review.feedback.export", organization=org).exists()
    with pytest.raises(SystemExit) as missing:
        cli_main(["review-feedback", "export", "--org", "nobody", "--out", str(out)])
    assert missing.value.code == 2
