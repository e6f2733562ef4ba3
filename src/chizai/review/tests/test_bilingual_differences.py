"""Bilingual contracts whose two versions say different things (issue 15, part 4): a period, a
sum or a party in one version and not the other is reported; a faithful translation is not."""

from __future__ import annotations

import io
from collections import Counter

import docx

from chizai.review.engine import review_bytes, review_text
from chizai.review.engine.bilingual_diff import facts_en, facts_ja

PREAMBLE = (
    "業務委託契約書 / SERVICE AGREEMENT\n\n"
    "株式会社甲野（以下「甲」という。）と株式会社乙山（以下「乙」という。）は、次のとおり契約する。\n"
    'Kono Corp. ("Party A") and Otsuyama Inc. ("Party B") agree as follows.\n\n'
)
ARTICLES = [
    (
        "第1条（秘密保持）\n乙は、甲の秘密情報を第三者に開示してはならない。",
        "Article 1 (Confidentiality)\nParty B shall not disclose Party A's confidential information to any third party.",
    ),
    (
        "第2条（支払）\n甲は、乙に対し、検収後30日以内に委託料500万円を支払う。",
        "Article 2 (Payment)\nParty A shall pay Party B the fee of JPY 5,000,000 within thirty (30) days after acceptance.",
    ),
    (
        "第3条（有効期間）\n本契約の有効期間は、2026年4月1日から5年間とする。",
        "Article 3 (Term)\nThis Agreement remains in force for five (5) years from 1 April 2026.",
    ),
    (
        "第4条（遅延損害金）\n甲は、支払を遅延したときは、年14.6%の遅延損害金を支払う。",
        "Article 4 (Late Payment)\nParty A shall pay late-payment interest at 14.6% per year on any overdue amount.",
    ),
]


def _text(articles) -> str:
    return PREAMBLE + "\n\n".join(f"{ja}\n{en}" for ja, en in articles) + "\n"


def _differences(report) -> list[dict]:
    return [r for r in report.reading if r["code"] == "bilingual_difference"]


def test_a_faithful_translation_raises_no_warning():
    report = review_text(_text(ARTICLES), "faithful.txt")
    assert report.languages == ["ja", "en"]
    assert _differences(report) == []


def test_a_changed_period_a_changed_sum_and_a_swapped_party_are_each_reported():
    articles = list(ARTICLES)
    articles[0] = (
        articles[0][0],
        articles[0][1].replace("Party B shall not disclose Party A's", "Party A shall not disclose Party B's"),
    )
    articles[1] = (articles[1][0], articles[1][1].replace("thirty (30) days", "sixty (60) days"))
    articles[2] = (articles[2][0].replace("5年間", "3年間"), articles[2][1])
    report = review_text(_text(articles), "drifted.txt")
    found = {(d["ja_clause"], d["en_clause"], d["kind"]): (d["ja"], d["en"]) for d in _differences(report)}
    assert found == {
        ("第1条", "Article 1", "party"): (["乙"], ["Party A"]),
        ("第2条", "Article 2", "number"): (["30日"], ["60 days"]),
        ("第3条", "Article 3", "number"): (["3年"], ["5 years"]),
    }
    # said in the report's language, in the summary too
    assert "第2条 と Article 2 で数値・期間・金額が一致しません" in report.summary
    data = report.to_dict()
    assert [r["kind"] for r in data["reading"] if r["code"] == "bilingual_difference"] == ["party", "number", "number"]


def test_two_column_word_table_is_compared_too():
    d = docx.Document()
    d.add_paragraph("業務委託契約書 / SERVICE AGREEMENT")
    table = d.add_table(rows=0, cols=2)
    rows = [
        (
            "株式会社甲野（以下「甲」という。）と株式会社乙山（以下「乙」という。）は、次のとおり契約する。",
            'Kono Corp. ("Party A") and Otsuyama Inc. ("Party B") agree as follows.',
        ),
        ("第2条（支払）", "Article 2 (Payment)"),
        (
            "甲は、乙に対し、検収後30日以内に委託料500万円を支払う。",
            "Party A shall pay Party B the fee of JPY 3,000,000 within thirty (30) days after acceptance.",
        ),
        ("第3条（有効期間）", "Article 3 (Term)"),
        (
            "本契約の有効期間は、2026年4月1日から5年間とする。",
            "This Agreement remains in force for five (5) years from 1 April 2026.",
        ),
    ]
    for ja, en in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = ja, en
    buf = io.BytesIO()
    d.save(buf)
    report = review_bytes(buf.getvalue(), "table.docx")
    assert [(x["ja_clause"], x["ja"], x["en"]) for x in _differences(report)] == [
        ("第2条", ["5,000,000円"], ["3,000,000 yen"])
    ]


def test_numbers_are_read_as_periods_sums_and_rates_not_dates():
    assert facts_ja("2026年4月1日から五年間、検収後30日以内、3か月前までに、500万円、年14.6%") == Counter(
        {(5.0, "year"): 1, (30.0, "day"): 1, (3.0, "month"): 1, (5_000_000.0, "yen"): 1, (14.6, "percent"): 1}
    )
    assert facts_en(
        "from 1 April 2026 for five (5) years, within thirty (30) days, three months' notice, JPY 5,000,000, 14.6 percent"
    ) == Counter({(5.0, "year"): 1, (30.0, "day"): 1, (3.0, "month"): 1, (5_000_000.0, "yen"): 1, (14.6, "percent"): 1})
