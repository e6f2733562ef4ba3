"""Suggestions read from contracts (pure: engine + extract, no database)."""

from pathlib import Path

from chizai.disclosure.extract import suggest
from chizai.review.engine import load_document, review_document

HERE = Path(__file__).parent


def _suggest(text: str, filename: str = "nda.txt") -> dict:
    doc = load_document(text, filename)
    return suggest(
        text, review_document(doc).to_dict(), sme_label=doc.sme_label, parties=[p.label for p in doc.parties]
    )


def values(s: dict) -> dict:
    return {k: v["value"] for k, v in s.items() if k != "findings"}


def test_english_mutual_nda():
    v = values(_suggest((HERE / "nda_en.txt").read_text()))
    assert v["purpose_stages"] == ["inquiry", "quotation", "prototype"]
    assert "employees and directors" in v["permitted_recipients"]
    assert v["survival_months"] == 60 and v["term_months"] == 24
    assert v["return_duty"] == "return_or_destroy" and v["return_days"] == 30 and v["certificate_required"] is True
    assert v["direction"] == "mutual" and v["type"] == "NDA"


def test_one_way_nda_where_we_only_receive():
    text = (
        (HERE / "nda_ja.txt")
        .read_text()
        .replace("乙が甲に開示", "甲が乙に開示")
        .replace("乙が甲に対して開示", "甲が乙に対して開示")
    )
    v = values(_suggest(text))
    assert v["direction"] == "inbound"


def test_headings_are_not_taken_for_terms_and_each_value_keeps_its_sentence():
    s = _suggest((HERE / "nda_ja.txt").read_text())
    assert s["survival_months"]["source"] == "第2条から第4条の規定は、本契約終了後3年間存続する。"
    assert not s["purpose"]["value"].startswith("第1条")


def test_contract_without_these_clauses_suggests_nothing_for_them():
    s = _suggest("売買契約書\n\n甲は乙に対し、製品を納入する。乙は甲に代金を支払う。\n")
    assert not {"purpose", "survival_months", "return_duty", "permitted_recipients"} & set(s)
    assert set(s["findings"]) == {"high", "medium", "low", "titles"}
