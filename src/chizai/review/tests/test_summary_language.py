"""The review page's summary and disclaimer follow the reader's language, not the contract's
(issue 14): an English contract read in Japanese and a Japanese one read in English."""

import re
from types import SimpleNamespace

import pytest

from chizai.review import summary
from chizai.review.engine.rules_data import finding_texts, load_catalogue

KANA_KANJI = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _rule_id() -> str:
    return next(r.id for r in load_catalogue().rules if (finding_texts(r.id, "ja") or {}).get("title"))


def _review(language: str):
    """What the summary reads of a stored review (a model instance needs its organisation's key)."""
    rule = _rule_id()
    return SimpleNamespace(
        language=language,
        filename="契約書.docx",
        report={
            "file": "契約書.docx",
            "language": language,
            "contract_type": ["JRD"],
            "sme_party": "乙" if language == "ja" else "Supplier",
            "findings": [
                {
                    "rule_id": rule,
                    "severity": "HIGH",
                    "title": "stored",
                    "clause": "第5条" if language == "ja" else "Section 5",
                }
            ],
            "checklist": [],
        },
    )


def _outside_markup(html: str) -> str:
    """The text a reader sees outside parts marked as data or as another language."""
    return re.sub(r'<span (?:lang="[a-z]+"|data-i18n-exempt)>[^<]*</span>', "", html)


def test_japanese_contract_summary_in_english():
    html = str(summary.summary_html(_review("ja"), "en"))
    assert "30-second summary" in html and "1 findings" in html
    assert "Contract type: Joint R&amp;D /" in html  # by name, not the code JRD
    assert finding_texts(_rule_id(), "en")["title"] in html
    assert '<span lang="ja">第5条</span>' in html and '<span lang="ja">乙</span>' in html
    assert not KANA_KANJI.search(_outside_markup(html)), html


def test_english_contract_summary_in_japanese():
    html = str(summary.summary_html(_review("en"), "ja"))
    assert "30秒サマリー" in html and "JRD" not in html
    assert finding_texts(_rule_id(), "ja")["title"] in html
    assert '<span lang="en">Section 5</span>' in html
    assert not re.search(r"[a-z]{3,} [a-z]{3,}", _outside_markup(html)), html


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_disclaimer_in_one_language(lang):
    text = summary.disclaimer(lang)
    assert bool(KANA_KANJI.search(text)) == (lang == "ja")
