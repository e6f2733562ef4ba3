"""Where the two language versions of a bilingual contract say different things (issue 15).

Pure library, no Django. ``bilingual.py`` reviews the Japanese and the English view and
merges their findings; here the two versions of each article (paired by article number,
``bilingual.clause_key``) are compared on what a translation must never change: the numbers
that carry a period, a sum or a rate (30日 / thirty (30) days, 5年間 / five years, 4% / four
percent, 500万円 / JPY 5,000,000) and which party a clause names (乙 in one version, Party A
in the other). Wording is not compared: the two languages never match word for word.

A difference is reported, not resolved: which version prevails is for the contract's
language clause and the people signing it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from .direction import subject_of
from .document import Document
from .lines import to_int

_KANJI_DIGITS = "〇一二三四五六七八九十百"
_JA_NUM = rf"[0-9,]+(?:\.[0-9]+)?|[{_KANJI_DIGITS}]+"
# 「30日」「5年間」「3か月」「4%」「500万円」; a date (2026年4月1日) is not a period: the year is
# four digits and a day follows a month, both skipped below.
_JA_FACT = re.compile(
    rf"(?<![0-9月])({_JA_NUM})\s*(万円|円|か月|ヶ月|ケ月|カ月|ヵ月|箇月|年|営業日|日|週間|時間|%|パーセント)(?![0-9])"
)
_EN_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "hundred": 100,
}
_EN_NUM = r"[0-9][0-9,]*(?:\.[0-9]+)?|" + "|".join(sorted(_EN_WORDS, key=len, reverse=True))
# "thirty (30) days": the word and the figure in brackets are one number
_EN_DOUBLE = re.compile(rf"\b({'|'.join(_EN_WORDS)})\s*\(([0-9]+)\)", re.IGNORECASE)
_EN_FACT = re.compile(
    rf"\b({_EN_NUM})[\s-]*(business days?|working days?|calendar days?|days?|weeks?|months?|years?|hours?|percent|per cent|%)",
    re.IGNORECASE,
)
_EN_MONEY = re.compile(r"(?:JPY|¥|yen)\s*([0-9][0-9,]*)", re.IGNORECASE)

_UNITS = {
    "円": "yen",
    "万円": "yen",
    "年": "year",
    "営業日": "business day",
    "日": "day",
    "週間": "week",
    "時間": "hour",
    "%": "percent",
    "パーセント": "percent",
}


def _unit_en(word: str) -> str:
    w = word.lower().rstrip("s")
    if w in ("business day", "working day"):
        return "business day"
    if w == "calendar day":
        return "day"
    if w in ("percent", "per cent", "%"):
        return "percent"
    return w


def _value(num: str) -> float | None:
    num = num.replace(",", "")
    if num.lower() in _EN_WORDS:
        return float(_EN_WORDS[num.lower()])
    try:
        return float(num)
    except ValueError:
        n = to_int(num)
        return float(n) if n is not None else None


def facts_ja(text: str) -> Counter:
    """The periods, sums and rates of a Japanese text as (value, unit) pairs."""
    out: Counter = Counter()
    for m in _JA_FACT.finditer(unicodedata.normalize("NFKC", text)):
        value, unit = _value(m.group(1)), m.group(2)
        if value is None or (unit == "年" and value >= 1900):
            continue  # a year of a date
        if unit == "万円":
            value *= 10_000
        out[(value, "month" if "月" in unit else _UNITS[unit])] += 1
    return out


def facts_en(text: str) -> Counter:
    """The periods, sums and rates of an English text as (value, unit) pairs."""
    text = _EN_DOUBLE.sub(lambda m: m.group(2), unicodedata.normalize("NFKC", text))
    out: Counter = Counter()
    for m in _EN_FACT.finditer(text):
        value = _value(m.group(1))
        if value is not None and not (m.group(2).lower().startswith("year") and value >= 1900):
            out[(value, _unit_en(m.group(2)))] += 1
    for m in _EN_MONEY.finditer(text):
        value = _value(m.group(1))
        if value is not None:
            out[(value, "yen")] += 1
    return out


def _articles(doc: Document, key) -> dict[int, tuple[str, str]]:
    """Article number → (reference as printed, text) for the document's top-level clauses."""
    out: dict[int, tuple[str, str]] = {}
    for seg in doc.segments:
        if seg.parent is not None or seg.is_commentary or not seg.ref:
            continue
        k = key(seg.ref)
        if k and k[0] not in out:
            out[k[0]] = (seg.ref, seg.text)
    return out


def _mentions(text: str, labels: list[str], language: str) -> set[int]:
    found = set()
    for index, label in enumerate(labels):
        if not label:
            continue
        pattern = re.escape(label) if language == "ja" else rf"\b{re.escape(label)}\b"
        if re.search(pattern, text):
            found.add(index)
    return found


_UNITS_JA = {
    "yen": "円",
    "year": "年",
    "month": "か月",
    "week": "週間",
    "day": "日",
    "business day": "営業日",
    "hour": "時間",
    "percent": "%",
}


def _show(fact: tuple[float, str], language: str) -> str:
    value, unit = fact
    number = f"{value:,.0f}" if value == int(value) else f"{value:g}"
    if language == "ja":
        return number + _UNITS_JA.get(unit, unit)
    return f"{number}%" if unit == "percent" else f"{number} {unit}{'s' if value != 1 and unit != 'yen' else ''}"


def differences(ja: Document, en: Document, key) -> list[dict]:
    """Per article present in both versions, the periods/sums/rates found in one version only,
    and a party named alone in one version where the other names only the other party.

    ``key`` is ``bilingual.clause_key`` (passed in: bilingual.py imports this module).
    Returns ``[{ja_clause, en_clause, kind: number|party, ja: [...], en: [...]}]``.
    """
    out: list[dict] = []
    ja_articles, en_articles = _articles(ja, key), _articles(en, key)
    ja_labels = [p.label for p in ja.parties]
    en_labels = [p.label for p in en.parties]
    # the parties pair up in the order the preamble defines them (甲 ↔ Party A, 乙 ↔ Party B)
    pair_parties = len(ja_labels) == len(en_labels) == 2
    for number in sorted(set(ja_articles) & set(en_articles)):
        (ja_ref, ja_text), (en_ref, en_text) = ja_articles[number], en_articles[number]
        fj, fe = facts_ja(ja_text), facts_en(en_text)
        only_ja, only_en = sorted((fj - fe).elements()), sorted((fe - fj).elements())
        if only_ja or only_en:
            out.append(
                {
                    "ja_clause": ja_ref,
                    "en_clause": en_ref,
                    "kind": "number",
                    "ja": [_show(f, "ja") for f in only_ja],
                    "en": [_show(f, "en") for f in only_en],
                }
            )
        if pair_parties:
            # the party the article binds (「乙は」 / "Party A shall"), else the only party it names
            sj, se = subject_of(ja_text, ja_labels), subject_of(en_text, en_labels)
            if sj is not None and se is not None:
                mj, me = {ja_labels.index(sj)}, {en_labels.index(se)}
            else:
                mj, me = _mentions(ja_text, ja_labels, "ja"), _mentions(en_text, en_labels, "en")
            if len(mj) == 1 and len(me) == 1 and mj != me:  # 乙 in one version, Party A in the other
                out.append(
                    {
                        "ja_clause": ja_ref,
                        "en_clause": en_ref,
                        "kind": "party",
                        "ja": [ja_labels[i] for i in mj],
                        "en": [en_labels[i] for i in me],
                    }
                )
    return out


def message(diff: dict, language: str) -> str:
    """One difference in the report's language."""
    ja_side = "、".join(diff["ja"]) or "-"
    en_side = ", ".join(diff["en"]) or "-"
    if language == "ja":
        what = "数値・期間・金額" if diff["kind"] == "number" else "当事者"
        return (
            f"{diff['ja_clause']} と {diff['en_clause']} で{what}が一致しません"
            f"(日本語版のみ: {ja_side} / 英語版のみ: {en_side})。どちらの版が優先するかを確認し、訳を揃えてください。"
        )
    what = "a number, period or sum" if diff["kind"] == "number" else "the party"
    return (
        f"{diff['en_clause']} and {diff['ja_clause']} differ in {what} (only in the Japanese: {ja_side}; "
        f"only in the English: {en_side}). Check which version prevails and align the translation."
    )
