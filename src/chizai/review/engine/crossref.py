"""A clause that extends a grant made in another clause, named by its number.

«On expiry or termination … the licence in Clause 2.2 shall continue as a perpetual,
irrevocable and fully paid-up licence», 「第２条第１項の許諾は、本契約の終了後も存続する」: the
sentence names no licensee and no subject matter; both are the named clause's. The reader
(clauses.py) reads one clause at a time, so this module, given the views of the other
clauses, adds to the naming clause a licence act with the named grant's receiver, objects
and origin, and this sentence's own limits, width and consideration.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable

from . import concepts
from .clauses import Act, ClauseView, consideration_of, states_a_duration

# "the licence in Clause 2.2", "the licences granted under Section 5", 「第２条第１項の許諾」「第３条に基づく実施権」
_GRANT_REF = {
    "en": re.compile(
        r"\b(?:the\s+|any\s+)?(?:licen[cs]es?|rights?)\s+(?:granted\s+|set\s+out\s+)?(?:in|under|pursuant\s+to|by)\s+"
        r"(?:Clause|Section|Article|paragraph)\s+(?P<ref>\d+(?:\.\d+)*)",
        re.I,
    ),
    "ja": re.compile(
        r"第(?P<art>[0-9]+)条(?:第(?P<para>[0-9]+)項)?(?:の|に基づく|に定める|による)(?:実施|使用|利用)?"
        r"(?:許諾|実施権|使用権|利用権|ライセンス)"
    ),
}
# …and the sentence keeps that grant going: it continues, survives, becomes perpetual
_CONTINUES = {
    "en": re.compile(
        r"\b(?:shall|will)\s+(?:continue|survive|remain\s+in\s+(?:force|effect)|become|be\s+converted)\b"
        r"|\bshall\s+not\s+(?:terminate|lapse|end)\b",
        re.I,
    ),
    "ja": re.compile(
        r"存続|継続|なお(?:その)?効力|効力を(?:失わ|有)|消滅しない|終了しない|取消(?:し)?不能|永久|無期限"
    ),
}


# …or widens it to something new: «当該改良は、追加の対価なく、第２条第１項の許諾の対象に含まれるものとする»,
# "Improvements shall be included in the licence granted under Section 2.1"
_SCOPE_REF = {
    "en": re.compile(
        r"\b(?:included|incorporated)\s+(?:automatically\s+|also\s+)?in(?:to)?\s+(?:the\s+scope\s+of\s+)?the\s+(?:licen[cs]es?\s+(?:granted\s+)?|(?:[\w-]+\s+){0,3}?(?:licen[cs]ed|granted)\s+)"
        r"(?:in|under|by)\s+(?:Clause|Section|Article|paragraph)\s+(?P<ref>\d+(?:\.\d+)*)"
        # "… shall automatically be included in the Licensed Technology and licensed to the Licensee on the terms of Clause 2"
        # (or plainly "… form part of the Licensed Technology and be licensed to Licensee under clause 2.1")
        r"|\blicen[cs]ed\s+(?:to\s+(?:the\s+)?\S+\s+)?(?:on|under|upon)\s+(?:the\s+(?:same\s+)?terms\s+of\s+)?(?:Clause|Section|Article|paragraph)\s+(?P<ref2>\d+(?:\.\d+)*)",
        re.I,
    ),
    "ja": re.compile(
        r"第(?P<art>[0-9]+)条(?:第(?P<para>[0-9]+)項)?(?:の|に基づく|に定める)(?:実施)?(?:許諾|実施権|使用権|ライセンス)の(?:対象|範囲)に"
        r"(?:含まれる|含む|含める|加える|加わる)"
    ),
}


def _number(lang: str, ref: str | None) -> tuple[str, ...]:
    """A unit reference as numbers («Section 2.2» → ("2", "2"), 「第２条第１項」 → ("2", "1"))."""
    if not ref:
        return ()
    ref = unicodedata.normalize("NFKC", ref)
    if lang == "ja":
        m = re.search(r"第([0-9]+)条(?:第([0-9]+)項)?", ref)
        return tuple(x for x in m.groups() if x) if m else ()
    m = re.search(r"(\d+(?:\.\d+)*)", ref)
    return tuple(m.group(1).split(".")) if m else ()


def named(lang: str, wanted: tuple[str, ...], ref: str | None) -> bool:
    """Whether a unit with reference ``ref`` is (inside) the clause numbered ``wanted``."""
    got = _number(lang, ref)
    return bool(wanted) and got[: len(wanted)] == wanted


def _references(rx: re.Pattern, lang: str, text: str):
    """(match, its sentence, the clause number it names) for each reference of ``rx`` in ``text``."""
    lex = concepts.lexicon(lang)
    for m in rx.finditer(text):
        s0, s1 = concepts.sentence_span(lex, text, m.start())
        ref = m.groupdict().get("ref") or m.groupdict().get("ref2") or ""
        wanted = tuple(x for x in m.group("art", "para") if x) if lang == "ja" else tuple(ref.split("."))
        yield m, text[s0:s1], m.start() - s0, wanted


def named_grants(lang: str, text: str, grants_in: Callable[[tuple[str, ...]], list[Act]]) -> list[Act]:
    """Licence acts the clause ``text`` makes through another clause's grant, named by number
    (``grants_in(number)`` gives that clause's licence acts): keeping the grant going takes this
    sentence's limits and width; bringing new things into it takes this sentence's objects."""
    if lang not in _GRANT_REF:
        return []
    lex = concepts.lexicon(lang)
    out = []
    for m, sentence, at, wanted in _references(_GRANT_REF[lang], lang, text):
        if not _CONTINUES[lang].search(sentence, at + len(m.group(0))):
            continue
        cons = consideration_of(lex, sentence)
        limits = frozenset(concepts.tags(lex, sentence, "limits"))
        wide = set(concepts.tags(lex, sentence, "wide"))
        if cons == "waived" and limits & {"after_term", "survival"} and not states_a_duration(lang, sentence):
            wide.add("perpetual")  # kept going free after the contract, with no end date
        out += [_through(grant, m, cons, limits=limits, wide=grant.wide | wide) for grant in grants_in(wanted)]
    for m, sentence, _at, wanted in _references(_SCOPE_REF[lang], lang, text):
        objects = frozenset(concepts.tags(lex, sentence))
        cons = consideration_of(lex, sentence)
        out += [_through(grant, m, cons, objects=objects or grant.objects) for grant in grants_in(wanted)]
    return out


def _through(grant: Act, m: re.Match, cons: str, **changed) -> Act:
    """The named grant, made by this clause at ``m`` with this sentence's consideration."""
    return dataclasses.replace(
        grant,
        start=m.start(),
        end=m.end(),
        negated=False,
        consideration=grant.consideration if cons == "none" else cons,
        **changed,
    )


def with_extended_grants(view: ClauseView, extra: list[Act]) -> ClauseView:
    if not extra:
        return view
    return ClauseView(acts=sorted([*view.acts, *extra], key=lambda a: a.start), objects=view.objects, terms=view.terms)
