"""A disclosure the contract denies (「…を乙に開示する義務を負わない」) is no sign of whose technology it is."""

from __future__ import annotations

from chizai.review.engine import detect

TEXT = (
    "秘密保持契約書\n\n株式会社北斗重工（以下「北斗」という。）と株式会社ササキ熱処理（以下「ササキ」という。）とは、"
    "ササキが保有する真空浸炭処理技術の北斗製品への適用可能性の検討に関し、次のとおり契約を締結する。\n\n"
    "第1条（試料）\n１　ササキは、北斗の求めに応じて、試験片を北斗に提供する。\n"
    "２　北斗は、前項の分析及び評価の結果をササキに開示する義務を負わない。\n"
)


def test_a_denied_disclosure_does_not_make_the_other_side_the_technology_holder():
    parties = detect.find_parties(TEXT, "ja")
    choice = detect.assess_sme(parties, TEXT, ["NDA"], "ja")
    assert choice.label == "ササキ"
    evidence = {e["text"] for c in choice.candidates if c["label"] == "北斗" for e in c["evidence"]}
    assert "one-way disclosure" not in evidence


def test_an_affirmed_one_way_disclosure_still_counts():
    text = TEXT.replace("開示する義務を負わない", "開示する").replace(
        "１　ササキは、北斗の求めに応じて、試験片を北斗に提供する。\n", ""
    )
    parties = detect.find_parties(text, "ja")
    choice = detect.assess_sme(parties, text, ["NDA"], "ja")
    evidence = {e["text"] for c in choice.candidates if c["label"] == "北斗" for e in c["evidence"]}
    assert "one-way disclosure" in evidence
