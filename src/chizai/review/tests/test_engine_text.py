"""Normalisation, structure and detection (pure functions, no files written)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chizai.review.engine.detect import detect_language, flows, subject_of, subjects_of
from chizai.review.engine.document import ReviewInputError
from chizai.review.engine.normalize import normalize
from chizai.review.engine.pipeline import load_document
from chizai.review.engine.structure import segment, split_sentences

SHARED = Path(__file__).resolve().parents[4].parent / "shared" / "data"
REVIEW_DEV = SHARED / "review-dev"

JA = """取引基本契約書

日輪工業株式会社（以下「甲」という。）と株式会社若葉製作所（以下「乙」という。）は、次のとおり契約を締結する。

第1条（目的）
本契約は、甲が乙に発注する部品の取引に適用する。

第5条（図面の提供）
１　乙は、甲の求めに応じて、図面及び加工条件を甲に提供する。
２　前項の提供は、次の各号に従う。
（１）甲は、提供を受けた図面を本目的以外に使用しない。
（２）甲は、第三者に開示しない。
第5条の2（対価）
甲は、前条の提供について別途対価を支払う。但し、金額は甲乙協議の上定める。

本契約締結の証として、本書2通を作成する。

2026年4月1日
甲　日輪工業株式会社　代表取締役（記名押印）
乙　株式会社若葉製作所　代表取締役（記名押印）

別紙1（対象部品）
部品A
"""

EN = """SUPPLY AGREEMENT

This Supply Agreement is made between Orion Corp. ("Buyer") and Sakai Precision Co., Ltd. ("Supplier").

1. Orders
1.1 Buyer shall issue purchase orders. Art. 5 applies, e.g. to prices of 1.5 yen.
1.2 Supplier may refuse an order.

7. Documentation
7.1 Supplier shall provide to Buyer:
(a) process sheets; and
(b) fixture drawings.

9. Confidentiality
9.2 Each Party shall keep the other's information confidential.

IN WITNESS WHEREOF the Parties have signed this Agreement.

Schedule 1
Parts list
"""


def _doc(text, name="t.txt", **kw):
    return load_document(text, name, **kw)


# ------------------------------------------------------------------ normalise


def test_variant_folding_and_width():
    norm, m = normalize("甲及び乙又は丙に係る情報を於いて但し乃至ＡＢＣ１２３")
    assert "および" in norm and "または" in norm and "かかる" in norm and "おいて" in norm
    assert "ただし" in norm and "ないし" in norm and "ABC123" in norm
    assert len(m) == len(norm) + 1


def test_line_breaks_inside_clauses_are_joined():
    text = "乙は、甲から開示された秘密情報を、本目的以外の目的のために使用してはならず、\nまた第三者に開示してはならない。\n第2条（期間）"
    norm, m = normalize(text)
    assert "ならず、また第三者" in norm
    assert "。\n第2条" in norm
    en = "The Supplier shall keep confidential all information which it\nreceives from the Buyer."
    assert "which it receives" in normalize(en)[0]


def test_norm_maps_back_to_original():
    text = "第１条　甲及び乙は、ｶﾞ協議する。"
    norm, m = normalize(text)
    i = norm.index("および")
    assert text[m[i] : m[i + 3]] == "及び"
    assert text[m[norm.index("1")]] == "１"
    assert text[m[norm.index("ガ")]] == "ｶ"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_normalize_mapping_properties(text):
    norm, m = normalize(text)
    assert len(m) == len(norm) + 1
    assert all(0 <= x <= len(text) for x in m)
    assert all(a <= b for a, b in zip(m, m[1:], strict=False))
    assert m[-1] == len(text)


_contractish = st.lists(
    st.sampled_from(
        [
            "第1条（目的）",
            "第2条の2",
            "２　前項",
            "（１）甲は",
            "①乙は",
            "一　号",
            "(a) item",
            "(i) roman",
            "Article 5",
            "Section 7.1",
            "1. Purpose",
            "1.1 The Supplier shall.",
            "別紙1",
            "Exhibit A",
            "＜解説＞",
            "【オプション1】",
            "本契約締結の証として",
            "IN WITNESS WHEREOF",
            "甲は、乙に対し、図面を開示する。",
            "Supplier shall provide drawings to Buyer. Art. 5 e.g. 1.5.",
            "",
            "\n",
            "。",
            "「以下「甲」という。」",
            "\x00\x07",
            "ｱｲｳ",
            "😀",
            "\u3000",
            "#",
            "```",
            "## 第3条（解説）",
        ]
    ),
    max_size=40,
).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_contractish, st.text(max_size=300)))
def test_structure_properties(text):
    norm, m = normalize(text)
    segs, _title = segment(text, norm, m, "ja")
    last = -1
    for i, s in enumerate(segs):
        assert 0 <= s.start < s.end <= len(text)
        assert s.text == text[s.start : s.end]
        assert s.start >= last
        last = s.start
        if s.parent is not None:
            p = segs[s.parent]
            assert s.parent < i
            assert p.start <= s.start and s.end <= p.end


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_contractish, st.text(max_size=300)))
def test_pipeline_raises_only_review_input_error(text):
    from chizai.review.engine.pipeline import review_document

    try:
        doc = load_document(text, "fuzz.txt")
    except ReviewInputError:
        return
    report = review_document(doc, evaluate=lambda d: ([], []))
    assert report.language in ("ja", "en")
    for s in doc.segments:
        assert 0 <= s.start <= s.end <= len(doc.text)


# ------------------------------------------------------------------ structure


def test_japanese_refs():
    doc = _doc(JA)
    refs = {s.ref for s in doc.segments if s.ref}
    assert {"第1条", "第5条", "第5条第1項", "第5条第2項", "第5条第2項第1号", "第5条第2項第2号", "第5条の2"} <= refs
    kinds = {s.kind for s in doc.segments}
    assert {"title", "preamble", "article", "paragraph", "item", "sentence", "signature", "annex"} <= kinds
    assert doc.title == "取引基本契約書"
    assert sum(1 for s in doc.segments if s.kind == "signature") == 1
    annex = next(s for s in doc.segments if s.kind == "annex")
    assert annex.ref == "別紙1"
    # 「以下「甲」という。」 does not end a sentence
    pre_sent = [s for s in doc.segments if s.kind == "sentence" and s.ref == "前文"]
    assert len(pre_sent) == 1
    # a finding located by position gets the innermost clause
    pos = JA.index("第三者に開示しない")
    assert doc.segment_at(pos, ("item",)).ref == "第5条第2項第2号"


def test_english_refs_and_sentences():
    doc = _doc(EN)
    refs = {s.ref for s in doc.segments if s.ref}
    assert {
        "Section 1",
        "Section 1.1",
        "Section 7.1",
        "Section 7.1(a)",
        "Section 7.1(b)",
        "Section 9",
        "Section 9.2",
        "Schedule 1",
    } <= refs
    s11 = [s for s in doc.segments if s.kind == "sentence" and s.ref == "Section 1.1"]
    # "Art. 5", "e.g." and "1.5" do not split sentences
    assert len(s11) == 2, [s.text for s in s11]
    assert any(s.kind == "signature" for s in doc.segments)


def test_article_style_refs():
    text = (
        'LICENCE AGREEMENT\n\nThis Agreement is made between A Corp. ("Licensor") and B Inc. ("Licensee").\n\n'
        "Article 1 (Grant)\n1.1 Licensor grants to Licensee a licence.\n1.2 The licence covers:\n(a) Japan; and\n(b) Korea.\n"
        "Article 2 (Royalty)\nLicensee shall pay a royalty of 3%.\n"
    )
    doc = _doc(text)
    refs = {s.ref for s in doc.segments if s.ref}
    assert {"Article 1", "Article 1.1", "Article 1.2", "Article 1.2(a)", "Article 2"} <= refs
    assert doc.contract_types[0] == "LIC" and doc.sme_label == "Licensor"


def test_translated_article_paragraphs_are_clauses():
    """«Article 5 (Ownership)\n1. …\n2. …»: the numbered paragraphs of a Japanese-style English
    contract are its 項, each a clause of its own, cited "Article 5.2"."""
    text = (
        'JOINT DEVELOPMENT AGREEMENT\n\nThis Agreement is made between Kiriyama Co., Ltd. ("Party A") and '
        'Tokai Corporation ("Party B").\n\n'
        "Article 5 (Ownership of Results)\n1. Results made jointly shall be jointly owned.\n"
        "2. Results made solely by either party shall belong to such party.\n(1) inventions; and\n(2) data.\n"
        "Article 6 (Term)\nThis Agreement remains in force for two years.\n"
    )
    doc = _doc(text)
    refs = {(s.ref, s.text.split("\n")[0]) for s in doc.segments if s.ref}
    assert ("Article 5.1", "1. Results made jointly shall be jointly owned.") in refs
    assert ("Article 5.2", "2. Results made solely by either party shall belong to such party.") in refs
    assert {"Article 5.2(1)", "Article 6"} <= {ref for ref, _ in refs}


def test_an_annex_numbered_into_terms_is_read_term_by_term():
    text = (
        'SUPPLY AGREEMENT\n\nThis Agreement is made between Corvane Pte. Ltd. ("Purchaser") and '
        'Sanko Co., Ltd. ("Vendor").\n\n1. PRICES\n1.1 Prices are set out in Annex A.\n1.2 Vendor shall invoice monthly.\n\n'
        "2. TERM\n2.1 This Agreement runs for three years.\n2.2 Either party may terminate on notice.\n\n"
        "ANNEX A - PRICES\nA1. Prices are in US dollars.\nA2. Prices are reduced by three percent on 1 January of each year.\n"
    )
    doc = _doc(text)
    refs = {s.ref for s in doc.segments if s.ref}
    assert {"ANNEX A A1", "ANNEX A A2"} <= refs


def test_split_sentences_abbreviations():
    text = "See Art. 5 and Sec. 3, e.g. prices. The Buyer pays 1.5 yen. Done!"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["See Art. 5 and Sec. 3, e.g. prices.", "The Buyer pays 1.5 yen.", "Done!"]
    ja = "甲は、乙（以下「乙」という。）に支払う。乙は受領する。"
    assert len(split_sentences(ja)) == 2


def test_meti_markdown_commentary():
    path = SHARED / "meti-oi-model-contracts" / "1-nda-materials.md"
    if not path.exists():
        pytest.skip("shared data missing")
    doc = load_document(path.read_bytes(), path.name)
    clause_text = "\n".join(s.text for s in doc.clause_segments() if s.parent is None)
    assert "受領者は、善良なる管理者" in clause_text
    assert "＜解説＞" not in clause_text and "【コラム】" not in clause_text
    # option clauses are alternatives, not the contract
    comm = "\n".join(s.text for s in doc.segments if s.is_commentary)
    assert "【オプション1" in comm and "想定シーン" in comm
    assert doc.contract_types[0] == "NDA"


# ------------------------------------------------------------------ detection


def test_review_dev_key_all_correct():
    key_path = REVIEW_DEV / "key.json"
    if not key_path.exists():
        pytest.skip("shared data missing")
    key = json.loads(key_path.read_text(encoding="utf-8"))
    wrong = []
    for k in key:
        doc = load_document((REVIEW_DEV / k["file"]).read_bytes(), k["file"])
        got = (doc.language, doc.contract_types[0], doc.sme_label)
        want = (k["language"], k["contract_type"], k["sme_party"])
        if got != want:
            wrong.append((k["file"], got, want))
    assert not wrong, wrong
    assert len(key) == 16


def test_sme_override_and_roles():
    doc = _doc(JA, sme="甲")
    assert doc.sme_label == "甲"
    roles = {p.label: p.role for p in doc.parties}
    assert roles == {"甲": "SME", "乙": "LARGE"}
    doc = _doc(EN)
    assert doc.sme_label == "Supplier"
    assert {p.label: p.name for p in doc.parties}["Buyer"] == "Orion Corp."


def test_language_detection():
    assert detect_language(JA) == "ja"
    assert detect_language(EN) == "en"
    german = (
        "Der Lieferant verpflichtet sich, alle Informationen vertraulich zu behandeln und nicht weiterzugeben. " * 3
    )
    with pytest.raises(ReviewInputError) as e:
        detect_language(german)
    assert e.value.code == "unknown_language"
    chinese = "甲方应当对乙方提供的技术资料承担保密义务，未经乙方书面同意，不得向任何第三方披露。" * 3
    with pytest.raises(ReviewInputError) as e:
        detect_language(chinese)
    assert e.value.code == "unknown_language" and "Chinese" in e.value.message
    with pytest.raises(ReviewInputError):
        _doc(german)


def test_subject_and_flows():
    parties = ["甲", "乙"]
    assert subject_of("乙は、甲の求めに応じて図面を提供しなければならない。", parties) == "乙"
    assert subject_of("甲が乙に開示した情報について、乙は秘密を保持する。", parties) == "乙"
    assert subject_of("甲及び乙は、相互に秘密を保持する。", parties) is None
    assert set(subjects_of("甲及び乙は、相互に秘密を保持する。", parties)) == {"甲", "乙"}
    assert subject_of("２　乙は、報告する。", parties) == "乙"
    # a 「が」 clause that only describes the topic noun is not the actor
    assert subject_of("乙が甲に提供した図面は、甲に帰属する。", parties) is None
    assert subject_of("乙が違反した場合は、直ちに甲に通知する。", parties) == "乙"
    assert subject_of("甲が必要と認めるときは、乙は立入検査に協力する。", parties) == "乙"
    en = ["Buyer", "Supplier"]
    assert subject_of("The Supplier shall deliver the drawings.", en) == "Supplier"
    assert subject_of("Each Party shall keep it secret.", en) is None
    f = flows("乙は、甲に対し、金型図面を無償で提供する。", parties)
    assert any(x.kind == "information" and x.source == "乙" and x.target == "甲" for x in f)
    f = flows("本成果に係る知的財産権は、甲に帰属する。", parties)
    assert any(x.kind == "rights" and x.target == "甲" for x in f)
    f = flows("Supplier shall provide to Buyer all process sheets.", en)
    assert any(x.kind == "information" and x.source == "Supplier" and x.target == "Buyer" for x in f)
    f = flows("All Results shall vest in Buyer.", en)
    assert any(x.kind == "rights" and x.target == "Buyer" for x in f)
    f = flows("Buyer shall pay to Supplier the price.", en)
    assert any(x.kind == "money" and x.source == "Buyer" for x in f)
    # a long condition between the topic and the receiver
    f = flows(
        "甲は、乙が本開発の遂行に必要と認めるときは、塗料の配合、分散条件その他乙が要求する情報を遅滞なく乙に提供する。",
        parties,
    )
    assert any(x.kind == "information" and x.source == "甲" and x.target == "乙" for x in f)
    f = flows("Results shall be owned solely by Buyer.", en)
    assert any(x.kind == "rights" and x.target == "Buyer" for x in f)
    # a description of what is already a party's is no flow of rights to it
    f = flows("Buyer may file applications on Results, including Results owned solely by Supplier.", en)
    assert not any(x.kind == "rights" for x in f)
    f = flows("Supplier's interest in all joint Results is hereby transferred to Buyer.", en)
    assert any(x.kind == "rights" and x.source == "Supplier" and x.target == "Buyer" for x in f)


def test_contract_type_override_and_mixed():
    from chizai.review.engine.detect import detect_contract_types

    assert detect_contract_types("", "共同研究開発及び特許ライセンス契約書") == ["JRD", "LIC"]
    assert detect_contract_types("", "JOINT DEVELOPMENT AGREEMENT") == ["JRD"]
    assert detect_contract_types("", "試作品製造委託契約書") == ["PROTO"]
    body = "Buyer shall issue purchase orders. Supplier shall deliver. " * 5
    assert detect_contract_types(body, "")[0] == "MFG"
    assert _doc(JA, contract_type="LIC").contract_types == ["LIC"]
    assert _doc(JA, contract_type="NDA,JRD").contract_types == ["NDA", "JRD"]
    with pytest.raises(ReviewInputError) as e:
        _doc(JA, contract_type="XYZ")
    assert e.value.code == "bad_type"


def test_very_large_valid_contract():
    """A long contract (about 270,000 characters, 2,500 articles) loads whole and quickly."""
    import time

    body = "".join(
        f"第{i}条（条項{i}）\n１　乙は、甲の事前の書面による承諾なく、秘密情報を第三者に開示してはならない。\n"
        f"２　前項の規定は、次の各号に該当する場合には適用しない。\n（１）法令に基づく場合\n（２）甲が同意した場合\n"
        for i in range(1, 2501)
    )
    text = (
        "秘密保持契約書\n\n株式会社甲野（以下「甲」という。）と株式会社乙山（以下「乙」という。）は、次のとおり契約する。\n\n"
        + body
    )
    assert len(text) > 250_000
    t0 = time.perf_counter()
    doc = _doc(text)
    elapsed = time.perf_counter() - t0
    assert sum(1 for s in doc.segments if s.kind == "article") == 2500
    assert any(s.ref == "第2500条第2項第2号" for s in doc.segments)
    assert elapsed < 10, elapsed
