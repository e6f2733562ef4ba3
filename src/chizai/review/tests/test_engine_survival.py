"""Survival clauses: which articles they name, and that only a non-compete there gains ``after_term``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chizai.review.engine import survival
from chizai.review.engine.clauses import Act, ClauseView


def test_japanese_lists_and_ranges():
    s = "ただし、第6条、第7条及び第10条は、本契約終了後も効力を有する。"
    assert survival.surviving_articles("ja", [s]) == {"6", "7", "10"}
    assert survival.surviving_articles("ja", ["第9条から第11条までの規定は、本契約の終了後もなお効力を有する。"]) == {
        "9",
        "10",
        "11",
    }
    assert survival.surviving_articles("ja", ["第12条の2は、本契約終了後も存続する。"]) == {"12の2"}


def test_english_lists_ranges_and_subsections():
    text = "Articles 2, 6 to 12, 14, 15.3, 16 and 17 survive termination."
    assert survival.surviving_articles("en", [text]) == {"2", *map(str, range(6, 13)), "14", "15", "16", "17"}
    assert survival.surviving_articles("en", ["Sections 5, 6 and 7 survive."]) == {"5", "6", "7"}


def test_a_sentence_that_does_not_speak_of_survival_names_nothing():
    assert survival.surviving_articles("en", ["Sections 5 and 6 apply to all Orders."]) == set()
    assert survival.surviving_articles("ja", ["第5条及び第6条の規定は、個別契約に適用する。"]) == set()
    assert survival.surviving_articles("en", ["Section 5 shall not survive termination."]) == set()


def test_article_numbers_of_unit_references():
    assert survival.article_number("第6条第3項") == "6"
    assert survival.article_number("第12条の2") == "12の2"
    assert survival.article_number("Article 7.2") == "7"
    assert survival.article_number("Preamble") is None


def test_only_a_competing_restriction_outlives_the_term():
    text = "Developer shall not develop any product similar to the Deliverables for any third party."
    view = ClauseView(acts=[Act(kind="restrict", to="SME", start=10, end=30)])
    assert "after_term" in survival.outlives_the_term("en", text, view).acts[0].limits
    ban = "Developer shall not reverse engineer or research the composition of the Samples."
    view = ClauseView(acts=[Act(kind="restrict", to="SME", start=10, end=30)])
    assert survival.outlives_the_term("en", ban, view).acts[0].limits == frozenset()


@given(st.text(max_size=300))
def test_any_text_is_read_without_error(text):
    for lang in ("ja", "en"):
        assert isinstance(survival.surviving_articles(lang, [text]), set)
        survival.article_number(text)


def test_kanji_article_numbers_read_as_digits():
    sentence = "第六条、第七条及び第十条から第十二条までは、本契約終了後も効力を有する。"
    assert survival.named_articles("ja", sentence) == {"6", "7", "10", "11", "12"}
    assert survival.article_number("第十二条の二") == "12の2"
