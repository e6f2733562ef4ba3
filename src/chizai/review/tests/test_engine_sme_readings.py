"""What the SME scorer reads from who pays, makes, keeps and hands over what: each reading
with its look-alike (a denied payment, a request, a retention, a royalty, work done for oneself)."""

from __future__ import annotations

from chizai.review.engine import detect
from chizai.review.engine.direction import flows

JA_HEAD = (
    "丹後モールド株式会社（以下「甲」という。）と大洋電機株式会社（以下「乙」という。）とは、次のとおり合意する。\n"
)


def _evidence(text: str, lang: str, types: list[str]) -> dict[str, list[tuple[str, str]]]:
    parties = detect.find_parties(text, lang)
    choice = detect.assess_sme(parties, text, types, lang)
    return {c["label"]: [(e["kind"], e["text"]) for e in c["evidence"]] for c in choice.candidates}


def _has(text: str, lang: str, types: list[str], label: str, kind: str) -> bool:
    """Whether the scorer holds evidence of ``kind`` for the party ``label``."""
    return any(k == kind for k, _ in _evidence(text, lang, types)[label])


def test_a_payment_the_contract_denies_pays_no_one():
    paid = _evidence(JA_HEAD + "第5条\n乙は、甲に対し、本業務の対価を支払う。\n", "ja", ["PROTO"])
    denied = _evidence(JA_HEAD + "第5条\n前項の権利の帰属について、乙は、甲に対し対価を支払わない。\n", "ja", ["PROTO"])
    assert any(kind == "pays" for kind, _ in paid["甲"])
    assert not any(kind == "pays" for kind, _ in denied["甲"])


def test_asking_for_a_transfer_runs_the_other_way():
    text = "乙は、本評価の終了後、甲に対し本金型の譲渡を求めることができる。"
    got = [(f.kind, f.source, f.target) for f in flows(text, ["甲", "乙"])]
    assert ("rights", "甲", "乙") in got and ("rights", "乙", "甲") not in got
    given = [(f.kind, f.source, f.target) for f in flows("乙は、甲に対し本金型を譲渡する。", ["甲", "乙"])]
    assert ("rights", "乙", "甲") in given


def test_keeping_what_is_ones_own_passes_nothing():
    kept = "甲が本覚書の締結前から保有し、又は独自に開発した成形技術は甲に帰属する。"
    moved = "本評価の過程で生じた発明は、甲に帰属する。"
    assert not [f for f in flows(kept, ["甲", "乙"]) if f.kind == "rights"]
    assert [f for f in flows(moved, ["甲", "乙"]) if f.kind == "rights"]
    assert not [f for f in flows("Samples remain the property of Asagiri.", ["Asagiri", "Lyra"]) if f.kind == "rights"]
    assert [f for f in flows("All Results shall be the property of Lyra.", ["Asagiri", "Lyra"]) if f.kind == "rights"]


def test_a_duty_with_an_adverb_or_an_aside_is_still_a_flow():
    text = (
        "Licensee shall promptly disclose each Improvement to Licensor. "
        "Licensee shall, at Licensor's request, assign to Licensor all patents claiming Improvements."
    )
    got = {(f.kind, f.source, f.target) for f in flows(text, ["Licensor", "Licensee"])}
    assert {("information", "Licensee", "Licensor"), ("rights", "Licensee", "Licensor")} <= got


EN_LICENCE = (
    "PATENT LICENCE AGREEMENT\nThis Agreement is made between:\n"
    '(1) ALDERMOOR INSTRUMENTS PLC, of London ("Licensor"); and\n'
    '(2) PELLING MICROFLUIDICS LIMITED, of Cambridge ("Licensee").\n'
    "1. Licensor grants to Licensee a non-exclusive licence under the Licensed Patents.\n"
    "2. Licensee shall pay Licensor an initial fee of GBP 40,000 and a royalty of six per cent of Net Sales.\n"
)


def test_a_royalty_is_no_fee_for_work_and_a_plc_is_the_larger_side():
    ev = _evidence(EN_LICENCE, "en", ["LIC"])
    assert not any(kind == "pays" for kind, _ in ev["Licensor"])
    assert ("size", "ALDERMOOR INSTRUMENTS PLC") in ev["Licensor"]
    fee = _evidence(
        EN_LICENCE.replace("and a royalty of six per cent of Net Sales", "for the development work"), "en", ["LIC"]
    )
    assert any(kind == "pays" for kind, _ in fee["Licensor"])


def test_making_something_for_itself_is_no_work_for_the_other_side():
    made_for_other = _evidence(JA_HEAD + "第3条\n甲が試作金型を製作して、乙に納入する。\n", "ja", ["PROTO"])
    made_for_self = _evidence(
        JA_HEAD + "第3条\n本指導に用いる治具は、乙が自己の費用で製作し、乙の所有とする。\n", "ja", ["PROTO"]
    )
    assert any(kind == "perform" for kind, _ in made_for_other["甲"])
    assert not any(kind == "perform" for kind, _ in made_for_self["乙"])


def test_an_exchange_the_opening_calls_mutual_is_no_one_way_disclosure():
    head = (
        "株式会社ツツミ包装（以下「甲」という。）と東和製菓株式会社（以下「乙」という。）は、本検討に際して"
        "{how}情報の取扱いについて、次のとおり契約を締結する。\n"
        "第４条\n２　乙は、甲の求めに応じ、製品サンプルを甲に無償で提供する。\n"
    )
    mutual = _evidence(head.format(how="相互に開示する"), "ja", ["NDA"])
    one_way = _evidence(head.format(how="乙が開示する"), "ja", ["NDA"])
    assert ("technology", "one-way disclosure") not in mutual.get("乙", [])
    assert ("technology", "one-way disclosure") in one_way.get("乙", [])


def test_the_price_of_a_licence_pays_no_work():
    text = JA_HEAD + "第4条（対価）\n乙は、甲に対し、前条の実施許諾の対価として、次の金員を支払う。\n"
    assert not any(kind == "pays" for kind, _ in _evidence(text, "ja", ["LIC"])["甲"])
    work = JA_HEAD + "第4条（対価）\n乙は、甲に対し、本業務の対価として、次の金員を支払う。\n"
    assert any(kind == "pays" for kind, _ in _evidence(work, "ja", ["DEV"])["甲"])


def test_a_group_of_companies_and_a_change_of_control_tell_size():
    group = JA_HEAD + "第1条（定義）\n「関係会社」とは、会社法第2条第3号に定める甲の子会社をいう。\n"
    got = _evidence(group, "ja", ["LIC"])
    assert ("size", "甲の子会社") in got["甲"] and not any(k == "size" for k, _ in got["乙"])
    both = JA_HEAD + "第1条（定義）\n甲の子会社及び乙の子会社は、本契約の当事者ではない。\n"
    assert not any(k == "size" for c in _evidence(both, "ja", ["LIC"]).values() for k, _ in c)
    en = (
        'This Agreement is made between Sonaris Ltd (the "Company") and Veltrane Aerospace Inc. (the "Partner").\n'
        '1.3 "Change of Control" means any event by which a person acquires control (as defined in Section 1.1) of the Company.\n'
    )
    got = _evidence(en, "en", ["JRD"])
    assert any(k == "size" for k, _ in got["Company"]) and not any(k == "size" for k, _ in got["Partner"])


def test_a_company_formed_to_commercialise_research_is_small():
    en = (
        'This Agreement is made between Sonaris Ltd (the "Company") and Veltrane Aerospace Inc. (the "Partner").\n'
        "(A) The Company was formed in 2021 to commercialise printed transducer arrays.\n"
    )
    assert ("size", "Company was formed in 2021 to commercialise") in _evidence(en, "en", ["JRD"])["Company"]


def test_the_party_evaluated_as_a_source_or_whose_plant_is_visited_is_the_supplier():
    text = (
        "株式会社東邦車輌製作所（以下「東邦車輌」という。）と水瀬ブレーキ工業株式会社（以下「ミナセ」という。）は、"
        "東邦車輌が制輪子の調達先としてミナセを評価するため、ミナセ本社工場の見学を行うことに関し、次のとおり契約する。\n"
    )
    got = _evidence(text, "ja", ["NDA"])
    assert any(kind == "commission" for kind, _ in got["ミナセ"])
    assert not any(kind == "commission" for kind, _ in got["東邦車輌"])


def test_a_lump_sum_the_licensee_pays_is_the_price_of_the_licence():
    text = (
        "東邦インキ化学株式会社（以下「許諾者」という。）と株式会社ミヤケ（以下「実施権者」という。）は、次のとおり合意する。\n"
        "第5条（対価）\n実施権者は、許諾者に対し、本契約締結の対価として、一時金800万円を支払う。\n"
    )
    assert not any(kind == "pays" for kind, _ in _evidence(text, "ja", ["LIC"])["許諾者"])


def test_orders_a_party_takes_from_its_own_customers_are_no_commission():
    head = JA_HEAD + "第1条（目的）\n乙は、甲の試作品を評価する。\n"
    own = _evidence(
        head + "第6条\n乙は、本評価の結果を、乙が受注し又は計画する他の水処理案件の設計に利用することができる。\n",
        "ja",
        ["PROTO"],
    )
    assert not any(kind == "commission" for kind, _ in own["乙"])
    taken = _evidence(head + "第6条\n乙は、甲から本業務を受託する。\n", "ja", ["PROTO"])
    assert any(kind == "commission" for kind, _ in taken["乙"])


def test_the_buyer_asks_for_quotations_and_qualifies_suppliers():
    text = (
        'This Agreement is made between Castellan Imaging Systems, Inc. ("Castellan") and Brenner Optical Coatings LLC ("Brenner").\n'
        "WHEREAS, Castellan designs and manufactures camera modules and is qualifying suppliers of coated optical lenses;\n"
        "WHEREAS, Brenner applies thin-film coatings to glass lenses using proprietary deposition processes;\n"
        '1. "RFQ Submissions" means samples and test reports that Brenner furnishes in response to any request for quotation issued by Castellan.\n'
    )
    got = _evidence(text, "en", ["NDA"])
    assert any(kind == "commission" for kind, _ in got["Brenner"])
    assert any(kind == "technology" and "proprietary" in t for kind, t in got["Brenner"])
    assert any(kind == "role_label" for kind, _ in got["Castellan"])
    # "whether Castellan intends to award" is no evaluation of Castellan's own product
    later = _evidence(
        text + "7. Castellan shall notify Brenner whether Castellan intends to award production.\n", "en", ["NDA"]
    )
    assert not any(kind == "technology" and "intends" in t for kind, t in later["Castellan"])


def test_a_change_of_control_of_everyone_but_one_party_is_not_said_of_that_party():
    text = (
        'This Agreement is made between Voltaris Energy SE ("Voltaris" or the "Coordinator") and Nordfelt Coatings Oy ("Nordfelt").\n'
        "12.2 If any Party other than the Coordinator undergoes a change of control, the Coordinator may terminate that Party's participation.\n"
    )
    assert not any(kind == "size" for kind, _ in _evidence(text, "en", ["JRD"])["Coordinator"])


def test_a_public_research_body_is_the_other_side():
    text = (
        'National Institute of Industrial Surface Science, a national research and development agency (hereinafter referred to as "Institute"), '
        'and Kuroishi Hydraulics Co., Ltd. (hereinafter referred to as "Kuroishi") hereby enter into this Agreement.\n'
        "Article 3 (Expenses)\n1. Kuroishi shall pay to Institute the research expenses set out in Appendix 1.\n"
        "Article 4 (Samples)\n1. Kuroishi shall deliver swash plate samples to Institute for the Joint Research.\n"
    )
    got = _evidence(text, "en", ["JRD"])
    assert any(kind == "size" for kind, _ in got["Institute"])
    choice = detect.assess_sme(detect.find_parties(text, "en"), text, ["JRD"], "en")
    assert choice.label == "Kuroishi"
    spin_out = _evidence(
        "株式会社東大発ベンチャー（以下「乙」という。）と大手電機株式会社（以下「甲」という。）は、次のとおり合意する。\n乙は、東京大学発のベンチャー企業である。\n",
        "ja",
        ["JRD"],
    )
    assert not any(kind == "size" and weight_text.startswith("大学") for kind, weight_text in spin_out["乙"])


def test_the_product_under_development_is_the_other_sides():
    text = (
        "株式会社ルミネス光学（以下「甲」という。）と大和ランプ工業株式会社（以下「乙」という。）とは、"
        "乙が開発中の前照灯モジュールに用いる二次レンズの試作品製作及び評価に関し、次のとおり契約する。\n"
    )
    assert any(kind == "brand" for kind, _ in _evidence(text, "ja", ["PROTO"])["乙"])


def test_a_licensees_initial_fee_pays_no_work():
    text = (
        'This Agreement is made between Hollins Graphic Systems Inc. (the "Licensor") and Calder Roller Company (the "Licensee").\n'
        "4.1 Licensee shall pay an initial fee of USD 50,000 within thirty days.\n"
    )
    assert not any(kind == "pays" for kind, _ in _evidence(text, "en", ["LIC"])["Licensor"])


def test_work_given_to_someone_else_after_telling_the_other_side_commissions_neither():
    text = (
        "東邦繊機株式会社（以下「許諾者」という。）と有限会社ミヤマ畳機械製作所（以下「実施権者」という。）とは、次のとおり合意する。\n"
        "第５条（製造委託）\n実施権者は、許諾者に書面で通知したうえで、関係会社に許諾製品の部品の製造を委託することができる。\n"
    )
    got = _evidence(text, "ja", ["LIC"])
    assert not any(kind == "commission" for kinds in got.values() for kind, _ in kinds)
    ordered = _evidence(JA_HEAD + "第５条（製造委託）\n甲は、乙に対し、本製品の部品の製造を委託する。\n", "ja", ["MFG"])
    assert any(kind == "commission" for kind, _ in ordered["乙"])


def test_the_product_the_other_side_brings_its_technology_to_is_the_larger_side():
    text = (
        "株式会社ミナセ鍍金（以下「甲」という。）と東邦サーキット工業株式会社（以下「乙」という。）は、"
        "乙が製造する多層プリント配線板への甲の無電解めっき技術の適用の検討に関し、次のとおり契約する。\n"
    )
    got = _evidence(text, "ja", ["NDA"])
    assert any(kind == "brand" for kind, _ in got["乙"])
    assert not any(kind == "perform" for kind, _ in got["乙"])
    vaccine = (
        "大洋バイオファーマ株式会社（以下「大洋」という。）と株式会社三峰ラバーテック（以下「三峰」という。）は、"
        "大洋が開発中の凍結乾燥ワクチン用バイアルに使用するブチルゴム栓の試作について、次のとおり契約する。\n"
    )
    assert any(kind == "brand" for kind, _ in _evidence(vaccine, "ja", ["PROTO"])["大洋"])
    supplier = (
        "株式会社ミナセ膜工業（以下「甲」という。）と東亜計器株式会社（以下「乙」という。）とは、"
        "甲が製造するガスメーター用ダイヤフラムの評価に関し、次のとおり契約する。\n"
    )
    assert not any(kind == "brand" for kind, _ in _evidence(supplier, "ja", ["NDA"])["甲"])


def test_the_side_whose_product_takes_the_part_is_the_larger_one():
    adopted = (
        "株式会社ミナセ膜工業（以下「甲」という。）と東亜計器株式会社（以下「乙」という。）とは、"
        "甲が製造するダイヤフラム（以下「本製品」という。）の乙のガスメーターへの採用の検討のために、次のとおり契約する。\n"
    )
    got = _evidence(adopted, "ja", ["NDA"])
    assert any(kind == "brand" for kind, _ in got["乙"]) and not any(kind == "brand" for kind, _ in got["甲"])
    mounted = (
        "株式会社ミズホセラミックス（以下「ミズホ」という。）と大洋住設機器株式会社（以下「大洋」という。）とは、"
        "大洋の家庭用浄水器に搭載するセラミックろ過エレメントの共同研究開発に関し、次のとおり契約する。\n"
    )
    assert _has(mounted, "ja", ["JRD"], "大洋", "brand")
    # the SME's technology applied to the other side's product names the other side, not the SME
    applied = (
        "株式会社ミナセ鍍金（以下「甲」という。）と東邦サーキット工業株式会社（以下「乙」という。）は、"
        "甲の技術を乙の配線板に用いる検討に関し、次のとおり契約する。\n"
    )
    assert not _has(applied, "ja", ["NDA"], "甲", "brand")
    # a licensee's product says nothing of its size
    licensed = (
        "株式会社サタケ精機（以下「許諾者」という。）と有限会社ミノリ精米機（以下「実施権者」という。）は、"
        "実施権者の精米機に搭載する研削ロールの特許の実施許諾に関し、次のとおり契約する。\n"
    )
    assert not any(kind == "brand" for kinds in _evidence(licensed, "ja", ["LIC"]).values() for kind, _ in kinds)


def test_equipment_a_party_owns_and_lends_is_no_technology_of_its_own():
    lent = JA_HEAD + "第４条\n乙は、本製品の評価のため、乙が保有する試験治具を甲に無償で貸与する。\n"
    assert not _has(lent, "ja", ["NDA"], "乙", "technology")
    owned = JA_HEAD + "第４条\n乙は、乙が保有する成形技術を用いて本製品を評価する。\n"
    assert _has(owned, "ja", ["NDA"], "乙", "technology")


def test_a_fee_for_work_with_no_payee_named_goes_to_the_other_side():
    paid = JA_HEAD + "第２条\n２　乙は、別紙に定める試作費を、納入月の翌月末日までに支払う。\n"
    assert _has(paid, "ja", ["PROTO"], "甲", "pays")
    damages = JA_HEAD + "第９条\n乙は、甲の損害に係る代金を支払う。\n"
    assert not _has(damages, "ja", ["PROTO"], "甲", "pays")
    not_paid = JA_HEAD + "第２条\n乙は、本試作の試作費を支払わない。\n"
    assert not _has(not_paid, "ja", ["PROTO"], "甲", "pays")


def test_one_sides_head_count_within_the_sme_limits_names_the_sme():
    text = (
        "三峰メタル株式会社（以下「許諾者」という。）と株式会社岡谷圧延（以下「実施権者」という。）とは、次のとおり契約する。\n"
        "実施権者は、従業員約７０名で、銅箔の圧延加工を行う事業者である。\n"
    )
    assert _has(text, "ja", ["LIC"], "実施権者", "size")
    # a paragraph number after the word is no head count
    numbered = (
        "北陸キャリブレーション株式会社（以下「ライセンサー」という。）と日東計装株式会社（以下「ライセンシー」という。）とは、次のとおり契約する。\n"
        "第５条 ライセンシーは、本ノウハウを、その役員及び従業員並びに第２条第４項の子会社に限り開示することができる。\n"
    )
    assert not _has(numbered, "ja", ["LIC"], "ライセンシー", "size")
    large = JA_HEAD + "乙は、従業員約２，５００名を擁する。\n"
    assert not _has(large, "ja", ["MFG"], "乙", "size")
