"""Deals fixtures. The reviewer's rules are replaced by a small fake whose findings follow
the wording, so draft-to-draft tests know exactly what must appear and go away."""

import pytest

from chizai.deals import services
from chizai.disclosure.models import Partner
from chizai.review.engine.document import Finding

DRAFT_1 = """共同開発契約書

甲株式会社（以下「甲」という。）と乙株式会社（以下「乙」という。）は、次のとおり契約を締結する。

第1条（目的）
甲及び乙は、甲乙間の取引全般に関連して本開発を行う。

第5条（成果の帰属）
本開発の成果は、甲に帰属する。
"""
DRAFT_2 = (
    DRAFT_1.replace("甲乙間の取引全般に関連して", "樹脂ギアの加工精度向上のために")
    + """
第8条（競業の制限）
乙は、本契約終了後5年間、類似の開発を行ってはならない。
"""
)


def _finding(doc, needle, rule_id, severity, clause, title):
    start = doc.text.index(needle)
    return Finding(
        rule_id=rule_id,
        severity=severity,
        title=title,
        reason="理由",
        basis=["guideline"],
        balanced=f"{title}の均衡案",
        question=f"{title}について確認できますか",
        clause=clause,
        span=(start, start + len(needle)),
        text=doc.text[start : start + len(needle)],
    )


def fake_evaluate(doc):
    findings = []
    if "取引全般" in doc.text:
        findings.append(_finding(doc, "甲乙間の取引全般", "NDA-03", "HIGH", "第1条", "目的が広すぎる"))
    if "甲に帰属" in doc.text:
        findings.append(_finding(doc, "甲に帰属", "JRD-01", "HIGH", "第5条", "成果が一方に帰属"))
    if "競業" in doc.text:
        findings.append(_finding(doc, "類似の開発を行ってはならない", "JRD-09", "MEDIUM", "第8条", "競業禁止"))
    return findings, []


@pytest.fixture
def fake_engine(monkeypatch):
    monkeypatch.setattr("chizai.review.engine.pipeline.rules_evaluator", lambda: fake_evaluate)


@pytest.fixture
def partner(org, owner):
    return Partner.objects.create(
        organization=org,
        name_ja="東海オートパーツ株式会社",
        name_en="Tokai Auto Parts",
        kind=Partner.Kind.TIER1,
        created_by=owner,
    )


@pytest.fixture
def deal(org, owner, partner):
    return services.create_deal(owner, org, partner=partner, title="樹脂ギア共同開発", kind="joint_rd")


@pytest.fixture
def two_drafts(deal, owner, fake_engine):
    first = services.add_draft(owner, deal, text=DRAFT_1, filename="v1.txt")
    second = services.add_draft(owner, deal, text=DRAFT_2, filename="v2.txt")
    return first, second
