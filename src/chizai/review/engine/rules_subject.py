"""Who a sentence binds, on party-masked clause text (the rules' ``subject`` filter).

A one-way rule only matters when the clause binds the SME (or the other side, depending
on the rule); mutual wording defuses it. The reading, in order: someone let in to act
("X shall allow Y to visit", 「乙は、甲が立ち入ることを認める」) is the one who acts; a
trigger inside 「甲及び乙は」 is mutual; else the nearest subject before the trigger in
its sentence (は beats が), else the first after it, else the clause's own subject.
Whoever bears a cost ("shall be borne by the Startup", 「費用は乙の負担とし」) is bound; the
が-subject of a condition or of a relative clause on the topic is not the sentence's.
"""

from __future__ import annotations

import re

from .ja_grammar import JA_CONDITION, JA_RELATIVE_TOPIC, JUDGED_THING
from .rules_compile import LARGE_CH, SME_CH

# someone lets the other side act: "X shall allow Y's engineers to visit", 「乙は、甲が立ち入ることを認める」
_ALLOWED = {
    "en": re.compile(
        rf"\b(?:allow|permit|let|enable|authori[sz]e|entitle|invite)s?\s+(?:the\s+)?(?P<p>[{SME_CH}{LARGE_CH}]+)", re.I
    ),
    # 「甲が…ことを認める」 (not 「甲が必要と認める」, which is a judgement), 「甲による立入検査を受け入れる」
    # 「乙は、甲又は甲の指定する者が…視察することに協力しなければならない」: the visitor acts
    "ja": re.compile(
        rf"(?P<p>[{SME_CH}{LARGE_CH}]+)(?:(?:又は|または|もしくは|および|及び)[^、。が]{{0,15}}?)?"
        rf"(?:が[^。]{{0,40}}?ことを(?:認める|許可する|許諾する|承諾する|受け入れる|拒まない|拒んではならない)"
        rf"|が[^。]{{0,40}}?ことに(?:協力|応じ)"
        rf"|(?:による|の)[^。、]{{0,12}}?(?:立入|立ち入り|視察|見学|監査|調査|検査)(?:を)?(?:受け入れる|拒まない|拒んではならない|に応じる|に協力する))"
    ),
}

_PASSIVE_GIVER = re.compile(
    rf"\b(?:is|are|shall\s+be|will\s+be|be)\s+(?:\w+ly\s+)?(?:supplied|provided|furnished|delivered|lent|loaned|made\s+available|disclosed|given|consigned)"
    rf"\s+(?:\w+\s+){{0,2}}?by\s+(?:the\s+)?(?P<p>[{SME_CH}{LARGE_CH}]+)",
    re.I,
)
# whoever bears the cost is bound by the clause about it
_BEARER = {
    "ja": re.compile(rf"(?P<p>[{SME_CH}{LARGE_CH}]+)の(?:負担|費用負担)(?:と|に|で)"),
    "en": re.compile(
        rf"\b(?:be|been|is|are)\s+(?:\w+ly\s+)?(?:borne|paid|covered|absorbed)\s+(?:\w+ly\s+)?by\s+(?:the\s+)?(?P<p>[{SME_CH}{LARGE_CH}]+)",
        re.I,
    ),
}


# the subject of a noun clause is not the sentence's: "the fact that the Company is evaluating …
# constitute Confidential Information", "whether the Startup has …"
_EMBEDDED_EN = re.compile(r"\b(?:(?:the\s+)?fact|circumstance|whether)\s+(?:that\s+)?(?:the\s+)?$", re.I)
# …nor that of a subordinate clause: "shall make such modifications as Buyer may require", "if Buyer shall so request"
_SUBORDINATE_EN = re.compile(r"\b(?:as|if|when|whenever|unless|until|once|where|after|before)\s+(?:the\s+)?$", re.I)


def _embedded(lang: str, text: str, m: re.Match) -> bool:
    if lang != "en" or m.group("m"):
        return False
    before = max(0, m.start() - 30)
    return bool(_EMBEDDED_EN.search(text, before, m.start()) or _SUBORDINATE_EN.search(text, before, m.start()))


def _kind(m: re.Match) -> str:
    return "MUTUAL" if m.group("m") else ("SME" if m.group("s") else "LARGE")


def _side(party: str) -> str:
    return "SME" if SME_CH in party else "LARGE"


def clause_subject(subject_rx: re.Pattern, lang: str, text: str) -> str:
    """The clause's own subject: in Japanese the first は-topic (or mutual phrase), else the
    earliest が-subject; in English the first subject."""
    best = None
    for m in subject_rx.finditer(text):
        if _embedded(lang, text, m) or _subordinate_ga(lang, text, m):
            continue
        kind = _kind(m)
        if lang != "ja" or kind == "MUTUAL" or text[m.end() : m.end() + 1] == "は":
            return kind
        if best is None:
            best = kind  # earliest が-subject, kept unless a は-subject follows
    return best or "NONE"


def _subordinate_ga(lang: str, text: str, m: re.Match) -> bool:
    """The が-subject of a condition or of a relative clause on the topic («甲が…決定した場合に»)."""
    return (
        lang == "ja"
        and not m.group("m")
        and text[m.end() : m.end() + 1] == "が"
        and bool(
            JA_CONDITION.match(text, m.end() + 1)
            or JA_RELATIVE_TOPIC.match(text, m.end() + 1)
            or JUDGED_THING.match(text, m.end() + 1)
        )
    )


def subject_kinds(subject_rx: re.Pattern, lang: str, text: str) -> list[tuple[str, bool]]:
    """(kind, strong) for each party subject in text, in order; strong = は / mutual /
    English / a cost bearer."""
    out = []
    for m in subject_rx.finditer(text):
        kind = _kind(m)
        particle = text[m.end() : m.end() + 1]
        if _subordinate_ga(lang, text, m):
            continue
        if _embedded(lang, text, m):
            continue
        out.append((m.start(), kind, lang != "ja" or kind == "MUTUAL" or particle == "は"))
    for m in _BEARER[lang].finditer(text):
        out.append((m.start("p"), _side(m.group("p")), True))
    if lang == "en":
        # the giver of a passive hand-over acts: "Golden samples are supplied by Purchaser free of charge"
        for m in _PASSIVE_GIVER.finditer(text):
            out.append((m.start("p"), _side(m.group("p")), True))
    out.sort()
    return [(kind, strong) for _, kind, strong in out]


def bound_at(subject_rx: re.Pattern, lang: str, text: str, pos: int) -> str | None:
    """Who the sentence of ``text`` holding ``pos`` binds; None when the sentence names
    nobody (the caller falls back to the clause's subject)."""
    if lang == "ja":
        # a 。 inside a parenthetical («（…検査費を含む。）は、») does not end the sentence
        starts = [m.end() for m in _JA_STOP.finditer(text, 0, pos)]
        s0 = starts[-1] if starts else 0
        end = _JA_STOP.search(text, pos)
        s1 = end.start() if end else len(text)
    else:
        s0 = max(text.rfind(ch, 0, pos) for ch in ".;") + 1
        ends = [e for e in (text.find(ch, pos) for ch in ".;") if e != -1]
        s1 = min(ends) if ends else len(text)
    allowed = _ALLOWED[lang].search(text, s0, s1)
    if allowed is not None and allowed.start() < pos:
        return _side(allowed.group("p"))
    # a trigger that starts inside 「甲及び乙は」 is bound by the mutual phrase
    for m in subject_rx.finditer(text, s0, s1):
        if m.group("m") and m.start() <= pos < m.end():
            return "MUTUAL"
        if m.start() > pos:
            break
    before = subject_kinds(subject_rx, lang, text[s0:pos])
    strong = [k for k, st in before if st]
    if strong:
        return strong[-1]
    if before:
        return before[-1][0]
    rest = text[pos:s1]
    if lang == "ja":
        # 「…量産単価に含めて回収するものとし、甲は、…代金を支払わない」: a topic after 「ものとし、」 opens a clause
        # of its own; it does not bind what came before it
        cut = _JA_NEW_CLAUSE.search(rest)
        if cut is not None:
            rest = rest[: cut.start()]
    after = subject_kinds(subject_rx, lang, rest)
    if after:
        return next((k for k, st in after if st), after[0][0])
    if lang == "ja" and rest != text[pos:s1] and not subject_kinds(subject_rx, lang, text[s0:pos]):
        return "NONE"  # the clause of the trigger names nobody; the later topic is another clause's
    return None


_JA_STOP = re.compile(r"。(?![^()（）\n]{0,40}[)）])")
# the end of a Japanese clause that the next topic does not reach back over
_JA_NEW_CLAUSE = re.compile(r"(?:ものとし|こととし|とし)、")
