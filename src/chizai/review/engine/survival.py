"""Clauses that outlive the contract because a survival clause names them: 「第6条、第7条及び
第10条は、本契約終了後も効力を有する」, "Articles 5, 6 and 8 survive termination". A restriction
in such an article binds after the term even though its own words say nothing about time, so the
reader (rules.py) adds ``after_term`` to the restrictions of the articles named. Read once per
document on top of the clause representation (clauses.py), like commission.py."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable

from .clauses import ClauseView
from .lines import to_int

# the sentence says the named provisions go on after the contract ends
_SURVIVES = {
    "ja": re.compile(
        r"(?:終了|満了|失効|解除|解約)(?:し(?:た)?)?(?:後|のち)(?:も|においても|であっても|も引き続き|も、?なお)"
        r"|なお(?:その)?(?:効力|有効)|存続する|引き続き(?:その)?(?:効力|有効)"
    ),
    "en": re.compile(
        r"(?<!not\s)(?<!never\s)\bsurviv\w*"
        r"|\b(?:continue|remain)s?\s+in\s+(?:full\s+)?(?:force|effect)\s+(?:\w+\s+){0,3}?(?:after|following|notwithstanding)\b",
        re.I,
    ),
}
# a survival clause that limits how long the named provisions go on does not make them open-ended,
# but they still bind after the term: ``after_term`` is what the restriction rules ask about
# article numbers in digits or kanji (「第十条」 is article 10)
_JA_NUM = r"(\d+|[一二三四五六七八九十百〇]+)"
_JA_ARTICLE = re.compile(rf"第\s*{_JA_NUM}\s*条(?:の{_JA_NUM})?")
_JA_RANGE = re.compile(rf"第\s*{_JA_NUM}\s*条\s*(?:から|ないし|乃至|～|〜)\s*第\s*{_JA_NUM}\s*条")
_EN_LIST = re.compile(
    r"(?:\b(?:Sections?|Articles?|Clauses?|Paragraphs?)\s+|§§?\s*)((?:\d+(?:\.\d+)*(?:\s?\([a-z0-9]+\))*(?:\s*(?:,|and|or|&|to|through|-|–)\s*)?)+)",
    re.I,
)
_EN_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_EN_RANGE = re.compile(r"(\d+)\s*(?:to|through|-|–)\s*(\d+)(?!\.\d)")
# a range longer than this is not a list of surviving provisions but a misread number
_MAX_RANGE = 40


def _sentences(lang: str, text: str) -> list[str]:
    return re.split(r"(?<=。)" if lang == "ja" else r"(?<=[.;])\s+", text)


def _ja_article(m: re.Match) -> str:
    """「第十二条の二」 → "12の2": one spelling whatever numerals the drafter used."""
    main, sub = to_int(m.group(1)), to_int(m.group(2)) if m.group(2) else None
    return f"{main}" + (f"の{sub}" if sub else "")


def named_articles(lang: str, sentence: str) -> set[str]:
    """The article numbers a sentence names, as top-level numbers ("6", "12の2"), ranges expanded."""
    out: set[str] = set()
    if lang == "ja":
        for m in _JA_RANGE.finditer(sentence):
            a, b = to_int(m.group(1)) or 0, to_int(m.group(2)) or 0
            if 0 < b - a <= _MAX_RANGE:
                out.update(str(n) for n in range(a, b + 1))
        for m in _JA_ARTICLE.finditer(sentence):
            out.add(_ja_article(m))
        return out
    for m in _EN_LIST.finditer(sentence):
        listed = m.group(1)
        for r in _EN_RANGE.finditer(listed):
            a, b = int(r.group(1)), int(r.group(2))
            if 0 < b - a <= _MAX_RANGE:
                out.update(str(n) for n in range(a, b + 1))
        out.update(n.split(".")[0] for n in _EN_NUMBER.findall(listed))
    return out


def surviving_articles(lang: str, texts: Iterable[str]) -> set[str]:
    """Article numbers that a survival clause somewhere in ``texts`` (the document's units) names."""
    rx = _SURVIVES.get(lang, _SURVIVES["en"])
    out: set[str] = set()
    for text in texts:
        for sentence in _sentences(lang, text):
            if rx.search(sentence):
                out |= named_articles(lang, sentence)
    return out


def article_number(ref: str | None) -> str | None:
    """The top-level article number of a unit's reference ("第6条第3項" → "6", "Article 7.2" → "7")."""
    if not ref:
        return None
    ref = unicodedata.normalize("NFKC", ref)
    m = _JA_ARTICLE.search(ref)
    if m:
        return _ja_article(m)
    m = re.search(r"(\d+)", ref)
    return m.group(1) if m else None


# what makes a restriction a non-compete: the same, similar or competing things, or work for others.
# The restriction reading (concepts.yaml ``restrict``) also catches bans on analysis or disclosure
# whose survival is ordinary; only a surviving non-compete binds the SME's business after the term.
_COMPETING = {
    "ja": re.compile(
        r"同一|類似|競合|競業|同種|代替|第三者のため|第三者(?:に|へ)(?:対し(?:て)?)?(?:販売|供給|納入)|他社"
    ),
    "en": re.compile(
        r"\b(?:similar|identical|competing|compet\w*|substitut\w*|equivalent|same\s+or\s+similar)\b"
        r"|\b(?:for|to)\s+(?:any\s+)?(?:third\s+part\w*|other\s+(?:customers?|companies|parties))",
        re.I,
    ),
}


def outlives_the_term(lang: str, text: str, view: ClauseView) -> ClauseView:
    """The non-compete restrictions of a clause (``text``) in a surviving article bind after the term."""
    rx = _COMPETING.get(lang, _COMPETING["en"])

    def competing(a) -> bool:
        s0 = max(text.rfind("。" if lang == "ja" else ".", 0, a.start) + 1, 0)
        return a.kind == "restrict" and not a.negated and rx.search(text, s0, a.end + 80) is not None

    if not any(competing(a) for a in view.acts):
        return view
    acts = [dataclasses.replace(a, limits=a.limits | {"after_term"}) if competing(a) else a for a in view.acts]
    return dataclasses.replace(view, acts=acts)
