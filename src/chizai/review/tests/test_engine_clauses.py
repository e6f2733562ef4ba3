"""The clause representation (clauses.py): who receives what, over which objects, on
what terms — read the same way whatever words the drafter chose."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chizai.review.engine import clauses, concepts
from chizai.review.engine.rules_compile import LARGE_CH, SME_CH

S, L = SME_CH, LARGE_CH


def acts(lang: str, text: str, terms: dict | None = None, article: str = "") -> list[clauses.Act]:
    return clauses.read_clause(lang, text, article, terms or {}).acts


def only(lang: str, text: str, kind: str, **kw) -> clauses.Act:
    got = [a for a in acts(lang, text, **kw) if a.kind == kind]
    assert len(got) == 1, got
    return got[0]


@pytest.mark.parametrize(
    "text",
    [
        f"成果物に関する一切の権利は{L}に帰属する。",
        f"成果物の著作権は{L}の所有とする。",
        f"{S}は、成果物の著作権を{L}に譲渡したものとみなす。",
        f"成果物に関する権利は{L}が承継する。",
    ],
)
def test_japanese_ownership_moves_to_the_other_side(text):
    act = only("ja", text, "own")
    assert act.to == "LARGE" and not act.negated and {"results", "ip", "all_rights"} & act.objects


@pytest.mark.parametrize(
    "text",
    [
        f"All Deliverables shall vest in the {L * 5} upon creation.",
        f"All Deliverables belong to the {L * 5}.",
        f"All Deliverables shall be the exclusive property of the {L * 5}.",
        f"The {S * 8} hereby assigns all Deliverables to the {L * 5}.",
        f"Title to the Deliverables passes to the {L * 5} on delivery.",
    ],
)
def test_english_ownership_moves_to_the_other_side(text):
    act = only("en", text, "own")
    assert act.to == "LARGE" and "results" in act.objects


@pytest.mark.parametrize(
    "text, duty",
    [
        (f"{S}は、{L}に対し、試験データを提出する。", True),
        (f"{S}は、{L}に試験データを提出しなければならない。", True),
        (f"{S}が開示する技術に関する権利は{S}に帰属する。", False),  # names a thing
        (f"{S}が{L}に提供する場合には、事前に通知する。", False),  # names a condition
    ],
)
def test_an_attributive_verb_is_not_a_duty_to_hand_over(text, duty):
    assert any(a.kind == "provide" for a in acts("ja", text)) is duty


@pytest.mark.parametrize(
    "lang, text",
    [
        ("en", "All Joint Inventions shall be jointly owned by the Parties."),
        ("en", f"The {S * 8} and the {L * 5} shall jointly own the Results."),
        ("en", f"Results made together are owned jointly by {S * 8} and {L * 5}."),
        ("ja", f"共同で生じた発明は、{S}及び{L}の共有とする。"),
        ("ja", "本研究の成果は、両当事者の共有とする。"),
    ],
)
def test_joint_ownership_goes_to_both_sides(lang, text):
    assert any(a.to == "MUTUAL" for a in acts(lang, text) if a.kind == "own" and not a.negated)


@pytest.mark.parametrize(
    "text, kind, to",
    [
        (f"{L * 5} shall have all right, title and interest in the Deliverables.", "own", "LARGE"),
        (f"{L * 5} shall be the sole and exclusive owner of all Deliverables.", "own", "LARGE"),
        (f"Ownership of the tooling designs shall vest solely in {L * 5}.", "own", "LARGE"),
        (
            f"{S * 8} hereby grants {L * 5} or its customers a non-exclusive right to use the software.",
            "license",
            "LARGE",
        ),
        (f"{L * 5} is hereby granted a royalty-free licence under the Background Patents.", "license", "LARGE"),
        (f"{L * 5} is authorised to reproduce the drawings for its own plants.", "license", "LARGE"),
        (
            f"{S * 8} will not at any time during the term or thereafter attack the validity of the patents.",
            "no_assert",
            "SME",
        ),
        (f"{S * 8} acknowledges the validity of the patents of {L * 5}.", "no_assert", "SME"),
        (
            f"During the term, neither {S * 8} nor its affiliates will represent a manufacturer of similar products.",
            "restrict",
            "SME",
        ),
        (f"{S * 8} shall not, directly or indirectly, distribute competing products.", "restrict", "SME"),
        (f"{L * 5} shall purchase the Products exclusively from {S * 8}.", "restrict", "LARGE"),
    ],
)
def test_english_acts_in_the_wordings_of_filed_contracts(text, kind, to):
    assert any(a.to == to and not a.negated for a in acts("en", text) if a.kind == kind), acts("en", text)


@pytest.mark.parametrize(
    "text, kind, to",
    [
        (f"{S}は、本製品と同種の製品を第三者から購入してはならない。", "restrict", "SME"),
        (f"{S}は、本部品を専ら{L}に販売するものとする。", "restrict", "SME"),
        (f"{S}は、本特許について無効審判を請求しない。", "no_assert", "SME"),
        (f"本件の成果は{L}に属するものとする。", "own", "LARGE"),
    ],
)
def test_japanese_acts_in_other_wordings(text, kind, to):
    assert any(a.to == to for a in acts("ja", text) if a.kind == kind), acts("ja", text)


@pytest.mark.parametrize(
    "lang, text",
    [
        # normalised text, as the rules engine reads it (又は → または)
        ("ja", f"本契約に基づく開示は、{S}の特許権その他の権利を{L}に譲渡し、または許諾するものではない。"),
        ("ja", f"{S}の技術に関する権利は{L}に移転しない。"),
        ("en", f"No patent or know-how of the {S * 8} shall be assigned to the {L * 5}."),
    ],
)
def test_negated_transfers_are_read_as_negated(lang, text):
    assert all(a.negated for a in acts(lang, text) if a.kind == "own" and a.to == "LARGE")


@pytest.mark.parametrize(
    "lang, text, status",
    [
        ("ja", f"成果物の権利は{L}に帰属し、{S}は対価を請求しない。", "waived"),
        ("ja", f"成果物の権利は{L}に帰属し、その対価は本件代金をもって充当されたものとする。", "included"),
        ("ja", f"成果物の権利は、{L}が{S}に別途の対価を支払うことにより{L}に移転する。", "paid"),
        ("ja", f"成果物の権利は{L}に帰属する。", "none"),
        ("en", f"All Deliverables vest in the {L * 5} without compensation.", "waived"),
        ("en", f"All Deliverables vest in the {L * 5} at no additional cost.", "included"),
        ("en", f"All Deliverables vest in the {L * 5}; the Fee constitutes full and final consideration.", "included"),
        ("en", f"All Deliverables vest in the {L * 5} against a separate assignment fee.", "paid"),
        ("en", f"All Deliverables vest in the {L * 5}.", "none"),
    ],
)
def test_consideration_is_read_in_the_sentence(lang, text, status):
    assert only(lang, text, "own").consideration == status


def test_another_paragraphs_free_grant_is_not_this_transfers_consideration():
    article = f"前項の権利を{L}に無償で譲渡することを求めることができる。"
    act = only("ja", f"成果物の著作権は委託料全額の支払いと同時に{L}に移転する。", "own", article=article)
    assert act.consideration == "paid"


def test_defined_terms_carry_what_their_definition_names():
    lex = concepts.lexicon("ja")
    terms = concepts.defined_terms(lex, "「本成果」とは、本研究により得られた発明、ノウハウおよびデータをいう。")
    assert {"ip", "knowhow", "data"} <= terms["本成果"]
    act = only("ja", f"本成果は{L}に帰属する。", "own", terms=terms)
    assert "knowhow" in act.objects

    lex = concepts.lexicon("en")
    terms = concepts.defined_terms(lex, '"Deliverables" means the parts and all know-how used to make them.')
    assert "knowhow" in terms["Deliverables"]


def test_the_receivers_own_material_is_not_a_transfer():
    lex = concepts.lexicon("ja")
    terms = concepts.defined_terms(lex, f"「本デザイン」とは、{L}が作成して{S}に交付する図案をいう。")
    act = only("ja", f"本デザインに関する権利は{L}に帰属する。", "own", terms=terms)
    assert act.origin == "LARGE"
    assert only("ja", f"{L}が貸与した図面は{L}の所有とする。", "own").origin == "LARGE"
    assert only("en", f"The {L * 5}'s drawings shall be the property of the {L * 5}.", "own").origin == "LARGE"


def test_remaining_property_is_retention_not_a_transfer():
    got = acts("en", f"The {L * 5} Data remain the property of the {L * 5}.")
    assert [a.kind for a in got] == ["retain"]


def test_a_later_topic_names_who_uses_the_suggestion():
    act = only("ja", f"{S}が{L}に対して行った提案は、{L}が無償で利用することができる。", "license")
    assert act.to == "LARGE"
    act = only("ja", f"{S}は、{L}が必要と認める資料を{L}の求めに応じて提出する。", "provide")
    assert act.to == "LARGE" and "on_request" in act.limits


def test_frames_match_on_the_act_and_its_terms():
    view = clauses.read_clause("ja", f"成果物の権利は{L}に帰属し、{S}は対価を請求しない。", "", {})
    frame = {"act": ["own"], "to": ["LARGE"], "objects": ["results"], "consideration": ["waived", "none"]}
    assert clauses.frame_matches(view, frame) is not None
    assert clauses.frame_matches(view, {**frame, "consideration": ["paid"]}) is None
    assert clauses.frame_matches(view, {**frame, "to": ["SME"]}) is None
    assert clauses.frame_matches(view, {**frame, "objects": ["prototypes"]}) is None
    assert clauses.frame_matches(view, {**frame, "objects": ["prototypes"]}, ignore_objects=True) is not None


_ALPHABET = st.sampled_from(list("甲乙は、。のにをが帰属譲渡対価無償「」()（）成果ノウハウabc .;\"'") + [S, L, "\n"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=_ALPHABET, max_size=300), lang=st.sampled_from(["ja", "en"]))
def test_any_text_reads_without_error_and_spans_stay_inside(text, lang):
    lex = concepts.lexicon(lang)
    terms = concepts.defined_terms(lex, text)
    view = clauses.read_clause(lang, text, text, terms)
    for a in view.acts:
        assert 0 <= a.start <= a.end <= len(text)
        assert a.to in clauses.PARTY_KINDS
        assert a.consideration in ("paid", "waived", "included", "none")


# read on CUAD's lawyer-labelled clauses (bench/review_act_coverage.py)
def test_a_licence_granted_to_two_parties_at_once():
    act = only(
        "en",
        f"{S * 5} hereby grants {L * 4} and {L * 4} Limited a non-exclusive, worldwide, irrevocable "
        "royalty-free license to any Invention.",
        "license",
    )
    assert act.to == "LARGE"


@pytest.mark.parametrize(
    "text",
    [
        f"{S * 5} and {L * 4} shall have an undivided interest in Joint Intellectual Property.",
        f"Patent applications on Joint Inventions shall be assigned jointly to {S * 5} and {L * 4}.",
        "Each Party will assign, and does hereby assign, to the other Party its rights in the applicable Inventions.",
    ],
)
def test_shared_or_crossed_ownership_goes_to_both_sides(text):
    assert only("en", text, "own").to == "MUTUAL"


def test_a_japanese_definitions_list_defines_its_terms():
    text = (
        "第１条（定義）\n本契約において使用する用語の意味は、次のとおりとする。\n"
        "一　「本件業務」　本システムの設計及びテストの各業務\n"
        "三　「知的財産権」　特許権、著作権（著作権法第２７条に規定する権利を含む。）その他の知的財産権並びにノウハウ\n"
    )
    terms = concepts.defined_terms(concepts.lexicon("ja"), text)
    assert {"ip", "knowhow"} <= terms["知的財産権"]
    # a sentence that merely starts with a bracketed word is no definition
    assert "甲" not in concepts.defined_terms(concepts.lexicon("ja"), "一　「甲」は、乙に通知する。\n")
