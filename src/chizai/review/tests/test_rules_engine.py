"""Behaviour of ``rules.evaluate`` beyond single rules: spans, commentary, dedupe,
severity adjustment, robustness on random text and the speed budget."""

from __future__ import annotations

import time
import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chizai.review.engine.document import ReviewInputError
from chizai.review.engine.pipeline import load_document, review_document
from chizai.review.engine.rules import evaluate
from chizai.review.engine.rules_testing import long_contract, make_document


def _check_findings(doc, findings):
    for f in findings:
        if f.span is None:
            assert f.clause is None and f.text is None, f.rule_id
        else:
            a, b = f.span
            assert 0 <= a <= b <= len(doc.text), (f.rule_id, f.span)
            assert f.text == doc.text[a:b]
        assert f.severity in ("HIGH", "MEDIUM", "LOW")


def test_spans_point_into_original_text_through_the_pipeline():
    # full-width digits, a clause broken over two lines and 及び: the normalised text
    # differs from the original, the span must not
    text = (
        "秘密保持契約書\n\n株式会社Ａ（以下「甲」という。）と株式会社Ｂ（以下「乙」という。）は次のとおり契約する。\n\n"
        "第１条（秘密保持）\n乙は、甲から開示された技術情報を秘密として保持し、第三者に開示してはならない。\n\n"
        "第２条（試作品）\n乙は、試作品を甲に無償で提供するものとし、その費用は乙の負担とし、\n量産品の発注があっても精算しない。\n"
    )
    doc = load_document(text, "nda.txt", sme="乙", contract_type="NDA")
    findings, _ = evaluate(doc)
    _check_findings(doc, findings)
    f = next(f for f in findings if f.rule_id == "NDA-01")
    assert f.text.startswith("乙は、甲から開示")
    assert f.clause == "第１条"  # cited as printed (full-width), so the reader can search for it


def test_document_level_findings_have_no_location():
    doc = make_document("第1条（秘密保持）\n甲及び乙は、相手方の秘密情報を秘密として保持する。", "ja", ["NDA"], "乙")
    findings, checklist = evaluate(doc)
    nda04 = [f for f in findings if f.rule_id == "NDA-04"]
    assert nda04 and all(f.span is None and f.clause is None and f.text is None for f in nda04)
    assert {c.id for c in checklist} >= {"CL-NDA-07"}


@pytest.mark.parametrize(
    ("lang", "sme", "clause", "want"),
    [
        (
            "ja",
            "乙",
            "第8条（本検討）\n甲及び乙は、本検討を行っている事実を、自己の金融機関及び顧問に伝えることができる。",
            "present",
        ),
        (
            "en",
            "Maker",
            "8. Talks\nEither party may disclose to its lenders and advisers the existence of these discussions.",
            "present",
        ),
        ("ja", "乙", "第8条（協力）\n甲及び乙は、本検討に誠実に協力する。", "missing"),
    ],
)
def test_a_clause_that_allows_mentioning_the_talks_fills_the_checklist_item(lang, sme, clause, want):
    _, checklist = evaluate(make_document(clause, lang, ["NDA"], sme))
    assert next(c.status for c in checklist if c.id == "CL-NDA-04") == want


def test_one_finding_per_rule_per_clause():
    text = "第2条（試作品）\n乙は、試作品を甲に無償で提供し、サンプルも無償で提供する。\n第3条（評価品）\n乙は、評価用サンプルを無償で提供する。"
    findings, _ = evaluate(make_document(text, "ja", ["PROTO"], "乙"))
    pro01 = [f for f in findings if f.rule_id == "PRO-01"]
    assert len(pro01) == 2 and len({f.clause for f in pro01}) == 2


def test_commentary_never_raises_findings():
    text = (
        "# 試作契約\n\n## 第1条（試作品）\n\n乙は、甲の注文に基づき試作品を製作し、甲は代金を支払う。\n\n"
        "### ＜解説＞\n\n乙は、試作品を甲に無償で提供する。提出した見積資料は甲が自由に利用できる。\n"
    )
    doc = make_document(text, "ja", ["PROTO"], "乙")
    assert any(s.is_commentary for s in doc.segments)
    findings, _ = evaluate(doc)
    assert not [f for f in findings if f.rule_id in ("PRO-01", "MFG-05", "A11")]


def test_commentary_through_the_pipeline():
    text = (
        "# 秘密保持契約書\n\n## 前文\n\n甲と乙は、新素材の評価を甲乙共同で行うこと（以下「本目的」という。）に関し契約する。\n\n"
        "## 第1条（秘密保持）\n\n```\n第1条　甲及び乙は、相手方の秘密情報を秘密として保持する。\n```\n\n"
        "### ＜解説＞\n\n- 乙は、甲から開示された情報を秘密として保持し、第三者に開示してはならないとする例もある。\n"
    )
    doc = load_document(text, "model.md", sme="乙", contract_type="NDA")
    findings, _ = evaluate(doc)
    commentary = [(s.start, s.end) for s in doc.segments if s.is_commentary]
    for f in findings:
        if f.span:
            assert not any(a <= f.span[0] < b for a, b in commentary), f.rule_id


def test_consideration_lowers_and_combination_raises_severity():
    base = "第6条（成果の帰属）\n本研究の成果に係る知的財産権は、すべて甲に帰属する。"
    high = [f for f in evaluate(make_document(base, "ja", ["JRD"], "乙"))[0] if f.rule_id == "JRD-01"]
    paid = base + "甲は、その対価として乙に金500万円を支払う。"
    low = [f for f in evaluate(make_document(paid, "ja", ["JRD"], "乙"))[0] if f.rule_id == "JRD-01"]
    assert high[0].severity == "HIGH" and low[0].severity == "MEDIUM"
    marked = "2. Definitions\nConfidential Information means information marked as confidential.\n6. Samples\nEach Party may provide samples."
    nda05 = [f for f in evaluate(make_document(marked, "en", ["NDA"], "Supplier"))[0] if f.rule_id == "NDA-05"]
    assert nda05[0].severity == "HIGH"  # raised: samples change hands without an analysis ban


def test_no_contract_type_runs_every_rule_without_checklist():
    doc = make_document("乙は、試作品を甲に無償で提供する。", "ja", [], "乙")
    findings, checklist = evaluate(doc)
    assert "PRO-01" in {f.rule_id for f in findings} and checklist == []


_alphabet = st.sampled_from(
    list("甲乙はがをにの、。「」（）()第条1２３\n 秘密情報無償提供帰属譲渡保証しないただしこの限りでないabcXYZ.;,")
    + [
        "Supplier",
        "Buyer",
        " shall ",
        " not ",
        "free of charge",
        "hereby assigns",
        "Confidential Information",
        "except",
        "Each Party",
        "甲及び乙は",
        "を除き",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_alphabet, max_size=80).map("".join),
    st.sampled_from(["ja", "en"]),
    st.lists(st.sampled_from(["NDA", "MFG", "PROTO", "JRD", "DEV", "LIC"]), max_size=2),
    st.sampled_from([None, "乙", "甲", "Supplier"]),
)
def test_random_text_on_fallback_document(text, lang, types, sme):
    doc = make_document(text, lang, types, sme)
    findings, checklist = evaluate(doc)
    _check_findings(doc, findings)
    assert all(c.status in ("present", "missing", "weak") for c in checklist)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_alphabet, min_size=5, max_size=120).map("".join))
def test_random_text_through_the_pipeline(text):
    try:
        doc = load_document(text, "random.txt")
    except ReviewInputError:
        return  # too short, binary-looking or unknown language: rejected before rules
    report = review_document(doc)
    _check_findings(doc, report.findings)


# Issue 12's bar is 300 ms of rule evaluation (500 ms end to end) for 60,000 characters on one core;
# bench/review_speed.py measures it and docs/benchmarks.md keeps the figures (ja 0.27 / en 0.24 s CPU on
# a quiet host). This test guards the order of magnitude only, at twice the bar: on the 2-core CI host
# the suite's second worker and Chromium share the physical core, and the same code measured 0.27 s
# quiet and 0.45 s inside the parallel suite (2026-12-06), so a test at the bar itself fails on load,
# not on the engine. A blow-up (a regex that backtracks, a quadratic pass) still fails it.
GUARD = 2.0


def test_sixty_thousand_characters_within_budget():
    for lang in ("ja", "en"):
        text = long_contract(lang, 60_000)
        assert len(text) == 60_000
        review_document(load_document(text[:3000], "warm.txt"))  # compile once, as a server would
        best_eval = best_total = float("inf")
        for _ in range(5):
            t0 = time.process_time()
            doc = load_document(text, f"long-{lang}.txt")
            t1 = time.process_time()
            review_document(doc)
            t2 = time.process_time()
            best_eval, best_total = min(best_eval, t2 - t1), min(best_total, t2 - t0)
        assert best_eval < 0.30 * GUARD, (lang, best_eval)
        assert best_total < 0.5 * GUARD, (lang, best_total)


def test_catalogue_high_if_notes():
    """「MEDIUM (HIGH if …)」 in the catalogue: residuals, photography, formulations."""

    def sev(text, lang, types, sme, rid):
        return [f.severity for f in evaluate(make_document(text, lang, types, sme))[0] if f.rule_id == rid]

    assert sev(
        "5. Residuals\nEither Party may use Residuals retained in the unaided memory of its staff.",
        "en",
        ["NDA"],
        "Supplier",
        "NDA-09",
    ) == ["HIGH"]
    assert sev(
        "第1条（例外）\n次の情報は秘密情報に含まれない。\n(1) 受領者が独自に開発した情報", "ja", ["NDA"], "乙", "NDA-09"
    ) == ["MEDIUM"]
    assert sev(
        "第6条（立入り）\n甲は、乙の工場に立ち入り、製造工程を写真で記録することができる。",
        "ja",
        ["MFG"],
        "乙",
        "NDA-15",
    ) == ["HIGH"]
    assert sev(
        "第6条（立入り）\n甲は、事前に通知して乙の工場に立ち入ることができる。", "ja", ["MFG"], "乙", "NDA-15"
    ) == ["MEDIUM"]
    assert sev("第3条（試料）\n乙は、甲に樹脂材料の試料を提供する。", "ja", ["PROTO"], "乙", "NDA-10") == ["HIGH"]


_TERMINATION = (
    "共同研究開発契約書\n\n第1条（目的）\n甲及び乙は、土壌センサの共同研究を行う。\n\n"
    "第14条（解除）\n1　{who}は、{whom}が次の各号のいずれかに該当したときは、書面で通知することにより本契約を解除することができる。\n"
    "（1）本契約に違反し、相当の期間を定めた催告を受けてもなお是正しないとき\n"
    "（2）{whom}の議決権の過半数を有する株主に変更が生じたとき\n"
)


def test_an_item_is_bound_by_its_lead_in():
    # «（2）…株主に変更が生じたとき» names nobody; the lead-in says who may end the contract
    mutual = load_document(_TERMINATION.format(who="各当事者", whom="相手方"), "jrd.txt", sme="乙", contract_type="JRD")
    one_sided = load_document(_TERMINATION.format(who="甲", whom="乙"), "jrd.txt", sme="乙", contract_type="JRD")
    assert "JRD-13" not in {f.rule_id for f in review_document(mutual).findings}
    assert "JRD-13" in {f.rule_id for f in review_document(one_sided).findings}


def test_a_missing_background_list_is_a_gap_in_an_evaluation_and_a_loss_in_joint_research():
    text = "第7条（成果の帰属）\n本研究の成果に係る一切の権利は、無償で甲に帰属する。"
    severities = {}
    for kind in ("PROTO", "JRD"):
        findings, _ = evaluate(make_document(text, "ja", [kind], "乙"))
        severities[kind] = next(f.severity for f in findings if f.rule_id == "JRD-05")
    assert severities == {"PROTO": "MEDIUM", "JRD": "HIGH"}


def test_a_document_level_absence_is_raised_by_the_clause_that_triggers_it():
    # NDA-10's "HIGH for materials" is judged where the samples are handed over, not by the word
    # "material" anywhere in the contract
    coating = "第3条（試料）\n乙は、甲に塗料の試料を提供する。\n\n第9条（材料）\n材料は乙が調達する。"
    plain = "第3条（試作品）\n乙は、甲に試作品を納入する。\n\n第9条（材料）\n材料は乙が調達する。"

    def sev(text: str) -> list[str]:
        return [f.severity for f in evaluate(make_document(text, "ja", ["PROTO"], "乙"))[0] if f.rule_id == "NDA-10"]

    assert sev(coating) == ["HIGH"]
    assert sev(plain) == ["MEDIUM"]


@pytest.mark.parametrize(
    "text, name",
    [
        (
            'NON-DISCLOSURE AGREEMENT\n\nThis Agreement is made between Big Robots Inc. ("Company") and '
            'Small Ceramics Co., Ltd. ("Supplier").\n\n2. OBLIGATIONS\n\n2.1 Each Party shall keep the other '
            "Party's Confidential Information in confidence and use it only for the Purpose.\n\n3. EXCLUSIONS\n\n"
            "3.1 The obligations in Section 2 do not apply to information that the recipient can show by "
            "contemporaneous written records:\n(a) is or becomes public through no fault of the recipient;\n"
            "(b) was lawfully known to the recipient before disclosure.\n\n3.2 In addition, where Company is the "
            "recipient, the obligations in Section 2 do not apply to:\n(c) general know-how retained in the unaided "
            "memory of Company personnel, which Company may use for any purpose.\n",
            "nda.txt",
        ),
        (
            "秘密保持契約書\n\n株式会社大洋装置（以下「甲」という。）と清流工業株式会社（以下「乙」という。）は、次のとおり契約する。\n\n"
            "第２条（秘密保持）\n受領者は、開示者の秘密情報を本目的以外の目的に使用してはならない。\n\n"
            "第５条（適用除外）\n１　前各条の規定は、次の各号のいずれかに該当することを受領者が書面により立証できる情報には適用しない。\n"
            "（１）開示の時点で既に公知であった情報\n（２）開示後に受領者の責めによらず公知となった情報\n"
            "２　前項のほか、受領者の役員又は従業員が秘密情報に接した結果、その記憶に残った一般的な知識及びノウハウを、"
            "受領者が自己の事業に使用することは妨げられない。\n",
            "nda-ja.txt",
        ),
    ],
)
def test_a_proof_requirement_heading_another_list_does_not_cover_the_residuals(text, name):
    # the written-records lead-in of 3.1 / 第１項 qualifies its own list, not the residuals of the next paragraph
    doc = load_document(text, name, sme="Supplier" if name == "nda.txt" else "乙", contract_type="NDA")
    findings, _ = evaluate(doc)
    assert "NDA-09" in {f.rule_id for f in findings}
    # the same lead-in still covers an exclusion in its own list
    own_list = text.split("\n\n3.2 In addition")[0].replace(
        "before disclosure.", "before disclosure;\n(c) is independently developed by the recipient."
    )
    own_list = own_list.split("２　前項のほか")[0].replace(
        "公知となった情報\n", "公知となった情報\n（３）受領者が独自に開発した情報\n"
    )
    sme = "Supplier" if name == "nda.txt" else "乙"
    again, _ = evaluate(load_document(own_list, name, sme=sme, contract_type="NDA"))
    assert "NDA-09" not in {f.rule_id for f in again}


def test_engine_sources_hold_no_control_characters():
    # a "\b" written into a non-raw string becomes a backspace, and the pattern silently never matches
    from pathlib import Path

    engine = Path(__file__).resolve().parents[1] / "engine"
    bad = [
        str(p.relative_to(engine))
        for p in [*engine.glob("*.py"), *engine.glob("data/**/*.yaml")]
        if any(ch in p.read_text(encoding="utf-8") for ch in "\x07\x08\x0b\x0c")
    ]
    assert bad == []
