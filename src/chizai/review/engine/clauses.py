"""Clause representation: what each clause does, not which words it uses.

For every clause unit of the rules engine this module reads, from the concept lexicon
``data/concepts.yaml``:

- **acts**: who ends up holding what — ownership (``own``: vests in, belongs to, is
  assigned to, 「…に帰属する」「…の所有とする」「…に譲渡したものとみなす」) or a right to use
  (``license``), with the receiving party (SME, LARGE, MUTUAL when both) and whether the
  act is negated (「帰属しない」, "no … shall pass");
- **objects**: what the clause is about (IP, results, know-how, data, drawings,
  improvements, background technology, "all rights", suggestions, prototypes), with
  **defined terms resolved**: a term defined as including know-how («「本成果」とは…ノウハウ
  を含む…をいう», ``"Deliverables" means … all know-how``) carries that object wherever
  the clause uses the term;
- **consideration**: paid (a stated, separate payment), waived (「対価を請求しない」,
  "without further compensation"), included (the goods' price or the fee is deemed to
  cover it) or none (the clause says nothing) — read in the sentence, then the clause,
  then the article;
- **limits** (a purpose, something kept out of the grant) and **wide** (perpetual,
  irrevocable, sublicensable, exclusive, any purpose).

Rules use it through ``frames`` conditions in the catalogue (docs/rules.md): e.g. IPR-01
is "ownership of IP, results or know-how moves to the other side, and the consideration
is waived, included in the price, or not mentioned". The same condition holds whatever
words the drafter chose, as long as the lexicon knows the concept; widening a concept
helps every rule that uses it.

Pure library (no Django). Patterns run on the party-masked normalised text of the rules
engine, so offsets are those of ``rules_units.Unit.norm``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import act_scope, ja_grammar
from .concepts import (
    BOTH_CH,
    Lexicon,
    has_concept,
    lexicon,
    origin_of,
    party_kind,
    sentence_span,
    sentences,
    tags,
)
from .rules_compile import LARGE_CH, SME_CH
from .rules_patterns import passes

# first found wins within one text; "included" before "waived": 「委託料以外に何らの対価も請求できない」
# waives everything beyond a price that is said to cover it
CONSIDERATION_ORDER = ("paid", "included", "waived")
PARTY_KINDS = ("SME", "LARGE", "MUTUAL", "NONE")


@dataclass(frozen=True)
class Act:
    """One thing a clause does: ``to`` receives ``kind`` (ownership, a licence) over
    ``objects``, against ``consideration``, within ``limits``/``wide``. Objects and
    consideration are read in the act's own sentence (a pronoun such as 「これ」 or
    "such" sends the reader back to the clause)."""

    kind: str  # own | license
    to: str  # SME | LARGE | MUTUAL | NONE: who receives the right
    start: int
    end: int
    negated: bool = False
    objects: frozenset[str] = frozenset()
    consideration: str = "none"
    limits: frozenset[str] = frozenset()
    wide: frozenset[str] = frozenset()
    origin: str = "NONE"  # whose material the object was, when the sentence says so


@dataclass
class ClauseView:
    acts: list[Act] = field(default_factory=list)
    objects: frozenset[str] = frozenset()  # of the whole clause
    terms: tuple[str, ...] = ()  # defined terms the clause uses

    def explain(self, act: Act | None = None) -> dict:
        """The parts of the representation a finding relied on (shown to the user)."""
        chosen = [act] if act is not None else self.acts
        return {
            "acts": [
                {
                    "kind": a.kind,
                    "to": a.to,
                    "negated": a.negated,
                    "objects": sorted(a.objects),
                    "consideration": a.consideration,
                    "limits": sorted(a.limits),
                    "wide": sorted(a.wide),
                    "origin": a.origin,
                }
                for a in chosen
            ],
            "terms": list(self.terms),
        }


# whoever takes a role in turn is either party: "Each party retains …", "The Disclosing Party
# retains …" in a mutual text (where a one-way text names Discloser and Recipient as its
# parties, they are masked as party labels before the reader sees them)
_EITHER_SIDE = {
    "ja": "(?:各当事者|いずれの当事者)",
    "en": "(?:(?:each|either)\\s+(?:party|of\\s+the\\s+parties)|(?:the\\s+)?(?:disclosing|receiving)\\s+party|(?:the\\s+)?(?:discloser|recipient))",
}
_EITHER_SIDE_RX = {lang: re.compile(p, re.I) for lang, p in _EITHER_SIDE.items()}
# the roles that make the second reading worth its cost: "each party" wordings are mostly
# read by patterns written for the words themselves, and long contracts repeat them in every
# confidentiality clause (read twice, a 60,000-character contract took a sixth longer)
_NEVER = re.compile(r"(?!x)x")
_ROLE_ONLY_RX = {
    "ja": _NEVER,
    "en": re.compile(r"\b(?:disclosing|receiving)\s+party|\bdiscloser\b|\brecipient\b", re.I),
}
# a relative clause about people ("to its customers who have purchased the same Product and
# Services") describes them, not what is handed over: its words are no object of the act
_PERSON_CLAUSE = {"en": re.compile(r"\b(?:who|whom|whose)\b[^.;,()]*", re.I)}


def mask_rotating_roles(lang: str, text: str) -> str:
    """``text`` with each rotating role ("each party", "the Disclosing Party" in a mutual text)
    replaced by BOTH_CH of the same length, so {PARTY} matches it and it reads as MUTUAL."""
    return _EITHER_SIDE_RX.get(lang, _EITHER_SIDE_RX["en"]).sub(lambda m: BOTH_CH * len(m.group()), text)


def _other(kind: str) -> str:
    return {"SME": "LARGE", "LARGE": "SME"}.get(kind, kind)


# "…, including …" / "such as …" to the end of the sentence or the next semicolon: examples
# (English only: a Japanese illustration comes before what it illustrates)
_ILLUSTRATION = re.compile(r"\b(?:including|such\s+as|for\s+example|e\.g\.)\b[^;]*", re.I)


def _negated_act(lang: str, text: str, a: int, b: int) -> bool:
    if lang == "ja":
        return ja_grammar.negated_tail(text[b : b + 40])
    head = text[max(0, a - 90) : a]
    cut = max(head.rfind("."), head.rfind(";"))
    head = head[cut + 1 :] if cut >= 0 else head
    return (
        bool(re.search(r"\b(?:not|no|never|nothing|neither|nor)\b(?!\s+(?:later|less))[^,]*$", head, re.I))
        or bool(re.match(r"\s+(?:not|no)\b", text[b : b + 8], re.I))
        # a choice left open is no act: "… shall state … whether any Foreground IP … is to be assigned to Customer or licensed"
        or bool(_LEFT_OPEN.search(head))
        # a participle inside a carve-out names another clause's act: "… except to the extent they form part of the
        # Foreground IP assigned to Customer" (not "Except for Pre-Existing Materials, Provider assigns …")
        or bool(_CARVE_OUT_BEFORE.search(head) and not _AUXILIARY_BEFORE.search(head))
    )


_CARVE_OUT_BEFORE = re.compile(r"\bexcept\s+(?:to\s+the\s+extent|insofar\s+as|where|for)\b[^.;,]*$", re.I)
_AUXILIARY_BEFORE = re.compile(
    r"\b(?:shall|will|may|must|is|are|be|been|being|hereby|herewith|agrees?\s+to|to)\s+(?:\w+\s+)?$", re.I
)
_LEFT_OPEN = re.compile(r"\bwhether\s+(?!or\s+not\b)[^.;,]{0,80}?\b(?:is|are)\s+to\s+be\s+$", re.I)


# a price in name only ("for a nominal consideration of GBP 1", 「名目的な対価」「金１円」) waives it
_NOMINAL = re.compile(
    r"\bnominal\s+(?:consideration|sum|fee|amount|price|payment)\b"
    r"|\b(?:consideration|price|sum|fee)\s+of\s+(?:GBP|USD|EUR|JPY|US\$|\$|£|€|¥)\s*1(?:\.00)?(?![\d,.])"
    r"|名目的な?(?:対価|金額|代金)|(?:対価|代金|譲渡価格)(?:を|は|として)?、?金?[1１]円",
    re.I,
)


def _consideration(lex: Lexicon, *texts: str) -> str:
    for text in texts:
        if _NOMINAL.search(text):
            return "waived"
        low = text.lower() if lex.prefilter else None
        for status in CONSIDERATION_ORDER:
            if has_concept(lex.consideration[status], text, low):
                return status
    return "none"


def states_a_duration(lang: str, text: str) -> bool:
    """Whether ``text`` gives a length of time («5年間», "three (3) years")."""
    return bool(_DURATION[lang].search(text))


def consideration_of(lex: Lexicon, text: str) -> str:
    """paid, waived, included or none: what ``text`` says the consideration is."""
    return _consideration(lex, text)


_ANAPHORA = {
    # not 「その他」 (other), 「そのもの」 (itself), 「その後」 (afterwards), 「その都度」 (each time)
    "ja": re.compile(r"これ|それ|その(?!他|ほか|もの|後|都度)|当該|前項|前号|前各号|同項|上記|前記|本項"),
    "en": re.compile(
        r"\b(?<!as\s)(?:such|the\s+foregoing|thereof|therein|thereto|them|it|these|those|same|the\s+above"
        r"|(?:the\s+)?preceding\s+(?:Paragraph|Article|Section|Clause|sub-?clause))\b",
        re.I,
    ),
}


# the giver's own people as the receivers: 「自己の従業員に対し」, "its own employees"
_OWN_STAFF = {
    "ja": re.compile(
        r"(?:自己|自ら|自社|当該当事者)の(?:従業員|社員|作業者|技術者|要員|担当者|従事者|作業員)(?:等)?(?:に対し|に対して|へ|に)"
    ),
    "en": re.compile(
        r"\b(?:to|for)\s+(?:all\s+)?(?:of\s+)?its\s+own\s+(?:employees|personnel|staff|workers|operators|engineers)\b",
        re.I,
    ),
}


# a Japanese sentence that goes on after a first clause of its own (「…2倍とし、その結果を報告する」):
# its 「その」 points into that first clause, not back to earlier paragraphs
_JA_OWN_ANTECEDENT = re.compile(r"(?:し|て|で|とし|ため|うえ|上)、$")


def _points_back(lang: str, sentence: str) -> bool:
    """Whether the sentence refers to something said before it (not inside itself)."""
    found = list(_ANAPHORA[lang].finditer(sentence))
    if lang != "ja":
        return bool(found)
    return any(_JA_OWN_ANTECEDENT.search(sentence[max(0, m.start() - 4) : m.start()]) is None for m in found)


# a keeping made subject to a later paragraph of the same article
_SUBJECT_TO_LATER = {
    "en": re.compile(r"\bsubject\s+to\s+(?:Section|Clause|Article|paragraph)\s+[0-9.]+", re.I),
    "ja": re.compile(r"(?:次項|次条|後記)(?:の規定)?に(?:従い|定める場合を除き|かかわらず)"),
}


def _before(article_text: str, text: str) -> str:
    """The part of the article that comes before this clause."""
    at = article_text.find(text)
    return article_text[:at] if at > 0 else ""


def _after(article_text: str, text: str) -> str:
    """The part of the article that comes after this clause."""
    at = article_text.find(text)
    return article_text[at + len(text) :] if at >= 0 and text else ""


def _recalled_consideration(lex: Lexicon, lang: str, elsewhere: list[str], objects: set[str]) -> str:
    """The consideration stated in another paragraph of the article about the same thing
    (「前項の技術指導に要する費用は乙の負担とする」, "The cost of such assistance is borne by
    Supplier"): the sentence must point back and name one of the act's objects."""
    if not objects:
        return "none"
    for part in elsewhere:
        for sentence in sentences(lex, part):
            if _ANAPHORA[lang].search(sentence) and tags(lex, sentence) & objects:
                cons = _consideration(lex, sentence)
                if cons != "none":
                    return cons
    return "none"


# a later sentence about the grant just made: 「この許諾は本契約終了後も存続する」, "the licence
# shall survive termination" widens that grant, not something else
_GRANT_RECALLED = {
    # 「当該権利」, or the grant named by where it was made: 「前項により取得した使用権」
    "ja": re.compile(
        r"(?:この|本|当該|(?:前|本|同)(?:項|条)の|上記の)(?:許諾|実施権|使用権|利用権|ライセンス)|当該権利"
        # named by number: 「第1項の許諾」, 「前項の権利を再許諾する」
        r"|(?:前項|前条|同項|第[0-9一二三四五六七八九十]+条(?:第[0-9一二三四五六七八九十]+項)?|第[0-9一二三四五六七八九十]+項)(?:に定める|の)"
        r"(?:許諾|実施権|使用権|利用権|ライセンス|権利)"
        r"|(?:前項|前条|同項|第[0-9一二三四五六七八九十]+(?:項|条))(?:の規定)?(?:により|に基づき|に基づいて|で|において)"
        r"[^。]{0,12}?(?:許諾|実施権|使用権|利用権|ライセンス|権利)"
    ),
    # "the licence", "such right", "the rights set forth in / granted under Section 5.2"
    "en": re.compile(
        r"\b(?:(?:such|this|that|which)\s+(?:\w+\s+){0,2}?(?:licen[cs]e|right)|the\s+(?:\w+\s+){0,2}?licen[cs]e)s?\b"
        r"|\bthe\s+(?:\w+\s+){0,2}?rights?\s+(?:granted|set\s+(?:forth|out)|described|conferred|provided)\s+"
        r"(?:(?:in|under|by|pursuant\s+to)\s+(?:this\s+)?(?:section|clause|article|paragraph)|hereunder|above|herein)",
        re.I,
    ),
}


def _recalled_grant_tags(lex: Lexicon, lang: str, text: str, end: int, section: str = "wide") -> set[str]:
    """``section`` tags (``wide`` or ``limits``) of the sentences after ``end`` in the clause that
    refer back to a grant: 「第1項の許諾は、…の目的に限る」 narrows it as 「…存続する」 widens it."""
    got: set[str] = set()
    for sentence in sentences(lex, text, end):
        if _GRANT_RECALLED[lang].search(sentence):
            got |= tags(lex, sentence, section)
    return got


_CONDITION_CARRIED = {
    "ja": re.compile(r"(?:[0-9]+[.．]\s*)?(?:この|その|前項の|上記の)(?:場合|とき)"),
    "en": re.compile(
        r"(?:[0-9.]+\s+)?(?:in\s+(?:such|that|this|either)\s+(?:case|event)|upon\s+such|thereupon|in\s+that\s+case)",
        re.I,
    ),
}


# a stated length of time («終了後３年間», "for two years after termination")
_DURATION = {
    "ja": re.compile(r"[0-9０-９一二三四五六七八九十]+\s*(?:年|か月|ヶ月|ケ月|箇月|カ月|日)(?:間|を経過|以内|まで)"),
    "en": re.compile(
        r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s*(?:\(\d+\)\s*)?(?:years?|months?|days?)\b",
        re.I,
    ),
}

# a proviso that hands over what the sentence before it kept: "Contractor retains its Materials;
# provided, however, that any of them incorporated into a deliverable shall be treated as Work
# Product", 「…は乙に帰属する。ただし、本成果物に組み込まれたものは本成果物とみなす。」
_TAKEN_BACK = {
    "en": re.compile(
        r"^[\s,;]*(?:provided,?\s+(?:however,?\s+)?that|except\s+that|save\s+that|notwithstanding\s+the\s+foregoing,?|however,)"
        r"(?:[^.;]|\.(?=\d)){0,200}?\b(?:(?:shall|will)\s+be|are|is)\s+(?:deemed|treated\s+as|considered|regarded\s+as)\b"
        r"(?:[^.;]|\.(?=\d)){0,40}?(?:Work\s+Product|Deliverables?|Results?|Developments?|Foreground|property|owned|assigned)",
        re.I,
    ),
    "ja": re.compile(r"^[\s。]*ただし、[^。]{0,120}?(?:[成果物品]|データ|資料|発明)(?:と|として)(?:みな|取り扱)"),
}


def _taken_back(lang: str, text: str, end: int, s1: int) -> bool:
    """Whether the rest of the sentence, or a proviso sentence right after it, hands over what was kept."""
    rx = _TAKEN_BACK.get(lang)
    if rx is None:
        return False
    rest = text[end:s1]
    cut = max(rest.rfind(";"), rest.rfind("；"))
    return bool(rx.search(rest[cut + 1 :] if cut >= 0 else "") or rx.search(text[s1 : s1 + 220]))


def read_clause(lang: str, text: str, article_text: str, terms: dict[str, frozenset[str]]) -> ClauseView:
    """The representation of one clause unit (``text``: its masked normalised text).

    A clause that names a rotating role ("each party", "the Disclosing Party") is read a second
    time with those words masked as BOTH_CH, and the acts only that reading finds are added (the
    first reading keeps the wordings written for the words themselves, "Each Party will assign …
    to the other Party"); positions are the same in both, the mask keeps the length."""
    view = _read_clause_once(lang, text, article_text, terms)
    if not _ROLE_ONLY_RX.get(lang, _ROLE_ONLY_RX["en"]).search(text):
        return view
    masked = _read_clause_once(lang, mask_rotating_roles(lang, text), article_text, terms)

    def same(a: Act, b: Act) -> bool:
        return a.kind == b.kind and b.start < a.end and a.start < b.end

    # the masked reading knows whom the act names; the first one may have read it without a party
    extra = [a for a in masked.acts if not any(same(a, b) and b.to != "NONE" for b in view.acts)]
    if not extra:
        return view
    kept = [b for b in view.acts if not (b.to == "NONE" and any(same(a, b) for a in extra))]
    return ClauseView(
        acts=sorted([*kept, *extra], key=lambda a: a.start),
        objects=view.objects or masked.objects,
        terms=view.terms,
    )


# what follows a term that is the object of the act, or the thing whose evaluation yields it
_JA_OBJECT_AFTER_TERM = re.compile(
    r"(?:を|(?:および|または|ならびに|もしくは|、)[^、。を]{0,20}?を|の(?:評価|試験|分析|解析|測定|検査|検証)(?:の結果|結果|により|によって|で|から))"
)


def _read_clause_once(lang: str, text: str, article_text: str, terms: dict[str, frozenset[str]]) -> ClauseView:
    lex = lexicon(lang)
    # longest first: «本研究» inside «本研究成果» is not a use of «本研究»
    used = tuple(sorted((t for t in terms if t in text), key=len, reverse=True))

    def terms_in(chunk: str) -> list[tuple[int, str]]:
        """(position, term) of each defined term ``chunk`` uses, a shorter term inside a longer one not counted."""
        found = []
        for t in used:
            at = chunk.find(t)
            if at >= 0:
                found.append((at, t))
                chunk = chunk.replace(t, "\0" * len(t))
        return found

    def objects_of(chunk: str) -> set[str]:
        got = tags(lex, chunk)
        for _, t in terms_in(chunk):
            got |= {x for x in terms[t] if not x.startswith(("origin:", "limit:"))}
        return got

    def termorigin_of(chunk: str) -> str:
        """Whose material the sentence's subject is, when a defined term says so."""
        kinds = {x[7:] for _, t in terms_in(chunk) for x in terms[t] if x.startswith("origin:")}
        return kinds.pop() if len(kinds) == 1 else "NONE"

    def object_origin_of(chunk: str) -> str:
        """Whose material the first defined term of ``chunk`` is (the object right after an English
        verb; in Japanese a term marked as the object or as what was evaluated: 「本サンプルを」
        「本サンプルの評価により得られたデータ」, not 「本目的のために」)."""
        if lang == "ja":
            # every term of the object phrase (「試作品および評価データを」): one origin, or none said
            kinds = {
                x[7:]
                for at, t in terms_in(chunk)
                if _JA_OBJECT_AFTER_TERM.match(chunk, at + len(t))
                for x in terms[t]
                if x.startswith("origin:")
            }
            return kinds.pop() if len(kinds) == 1 else "NONE"
        found = [(at, -len(t), t) for at, t in terms_in(chunk)]
        if not found:
            return "NONE"
        first = min(found)[2]
        kinds = {x[7:] for x in terms[first] if x.startswith("origin:")}
        return kinds.pop() if len(kinds) == 1 else "NONE"

    found: list[Act] = []
    by_acts: list[Act] = []
    seen: set[tuple[str, str, bool, int]] = set()
    low = text.lower()
    has_party = SME_CH in text or LARGE_CH in text or BOTH_CH in text
    for kind, rx, gate, needs_party in lex.acts:
        # a pattern runs only where its mandatory literals occur (most clauses have none)
        if (needs_party and not has_party) or not passes(gate, low):
            continue
        for m in rx.finditer(text):
            groups = m.groupdict()
            if groups.get("to"):
                to = party_kind(ja_grammar.nearest_subject(lang, m, "to"))
            elif groups.get("by"):
                to = _other(party_kind(ja_grammar.nearest_subject(lang, m, "by")))
            elif groups.get("both"):
                # the wording itself says both hold it: "shall be jointly owned", "neither party shall"
                to = "MUTUAL"
            elif groups.get("who"):
                # a receiver named in words the party detection does not know ("us", "the
                # other party"): MUTUAL when both sides are named, else NONE
                to = party_kind(m.group("who"))
            else:
                to = "NONE"
            s0, s1 = sentence_span(lex, text, m.start())
            sentence = text[s0:s1]
            if kind == "provide" and groups.get("by") and _OWN_STAFF[lang].search(sentence):
                # training its own staff at its own cost (「自己の従業員に対し品質教育を実施する」) gives nothing away
                to = party_kind(ja_grammar.nearest_subject(lang, m, "by"))
            negated = _negated_act(lang, text, m.start(), m.end())
            if kind in ("retain", "own") and to in ("SME", "MUTUAL") and _taken_back(lang, text, m.end(), s1):
                negated = True  # a keeping that its own proviso hands over is no keeping
            key = (kind, to, negated, s0)
            if key in seen:
                continue
            seen.add(key)
            objects = objects_of(_PERSON_CLAUSE.get(lang, _NEVER).sub(" ", sentence))
            goods_only = kind == "own" and objects <= {"prototypes"} and act_scope.title_to_goods_only(lang, sentence)
            if goods_only:
                objects = set()  # title to the things themselves: nothing else moves with it
            elif ":" in text[m.end() : s1] or "：" in text[m.end() : s1]:
                # "X warrants that: (a) …; (b) …; (c) the Work Product does not infringe …": the
                # items after the colon are what the act is about, each its own sentence
                objects |= objects_of(text[s1:]) or objects_of(_after(article_text, text))
            if not goods_only and _points_back(lang, sentence):
                # what was said before: earlier in this clause, else earlier in its article
                # (never a later sentence: "This section does not transfer any patent" after
                # the tooling clause is not what the tooling clause is about)
                objects |= objects_of(text[:s0]) or objects_of(_before(article_text, text))
            # whose material it was; the party the act names is not its own origin ("shall be
            # owned by the Company" is the act, not a sign that the Company made the thing)
            party_at = m.span("to") if groups.get("to") else m.span("by") if groups.get("by") else None
            origin = origin_of(
                lex, sentence, None if party_at is None else (party_at[0] - s0, party_at[1] - s0), m.start() - s0
            )
            if origin == "NONE":
                origin = termorigin_of(text[s0 : m.start()])
            if origin == "NONE" and kind in ("provide", "license", "pass_on"):
                # English puts the object after the verb: "may disclose the Know-How in …"; Japanese
                # between the subject and the verb: 「乙は、本サンプルの評価により得られたデータを…利用する」
                origin = object_origin_of(text[m.end() : s1] if lang == "en" else text[m.start() : m.end()])
            if origin == "NONE" and _ANAPHORA[lang].search(sentence):
                origin = origin_of(lex, text[:s0])
            # the clause, not the whole article: another paragraph's 「無償」 is about something else
            cons = _consideration(lex, sentence)
            if cons == "none":
                cons = _consideration(lex, text)
            if cons == "none" and has_concept(
                lex.consideration["paid"], article_text, article_text.lower() if lex.prefilter else None
            ):
                cons = "paid"  # a royalty in the next paragraph pays for this grant
            if cons == "none" and article_text != text:
                cons = _recalled_consideration(
                    lex,
                    lang,
                    [_after(article_text, text), _before(article_text, text)],
                    objects - {"information", "price"},
                )
            limits = tags(lex, sentence, "limits")
            limits |= {x[6:] for _, t in terms_in(sentence) for x in terms[t] if x.startswith("limit:")}
            # 「…解除することができる。この場合、乙は…譲渡する」: the condition is the sentence before
            if _CONDITION_CARRIED[lang].match(sentence.lstrip()) and s0 > 0:
                p0, _ = sentence_span(lex, text, max(0, s0 - 2))
                limits |= tags(lex, text[p0:s0], "limits")
            # «The Licensee may disclose the Know-How to … Approved Manufacturers …. The Licensee shall not be required to obtain
            # any confidentiality undertaking»: the clause says what goes with the passing on
            if kind in ("license", "pass_on"):
                limits |= {"unprotected", "bound_secret"} & tags(lex, text, "limits")
            # «Submissions shall not constitute Confidential Information of Kiyora. Corvelle … may use …
            # Submissions for any purpose»: the same things, declared open the sentence before
            if (
                kind == "license"
                and s0 > 0
                and "declared_open" in tags(lex, text[:s0], "limits")
                and any(t in sentence and t in text[:s0] for t in used)
            ):
                limits.add("declared_open")
            if (
                kind == "warrant"
                and "cause" not in limits
                and act_scope.carve_out_elsewhere(
                    lex, lang, [text[:s0], text[s1:], _before(article_text, text), _after(article_text, text)]
                )
            ):
                limits.add("cause")
            if kind == "warrant" and "cause" in limits and act_scope.carve_out_hollowed(lang, article_text):
                # the carve-out taken back: «前項ただし書は、受注者が…調査…を報告した場合に限り適用する», "provided that
                # the Contractor has not modified, interpreted or implemented the Specification"
                limits.discard("cause")
            if {"purpose", "other_makers"} <= limits and act_scope.purpose_is_sourcing(lang, sentence):
                # "(b) for procuring Products … from any other manufacturer": a purpose that is second sourcing
                # limits nothing the other makers could not take
                limits.discard("purpose")
            wide = tags(lex, sentence, "wide")
            if lang == "en" and "any_purpose" in wide and "purpose" in limits:
                # "for any purpose, including … for the purpose of quotation": an example of the
                # wide use, not a limit on it
                limits = (limits - {"purpose"}) | (tags(lex, _ILLUSTRATION.sub(" ", sentence), "limits") & {"purpose"})
            if (
                kind in ("own", "retain")
                and "hollowed" not in limits
                and _SUBJECT_TO_LATER[lang].search(sentence)
                and "hollowed" in tags(lex, _after(article_text, text), "limits")
            ):
                # «Contractor retains its Background Know-How, subject to Section 7.3» where 7.3 takes whatever of it the
                # deliverables embody: the keeping is hollow
                limits.add("hollowed")
            if kind == "own" and "background_excepted" not in limits and s1 < len(text):
                # the next sentence takes the SME's own material out of this transfer: «… assigns to Customer all
                # rights in the Customer Results. The Provider Methods are excluded from this assignment.»
                n0, n1 = sentence_span(lex, text, s1 + 1)
                following = text[n0:n1]
                if act_scope.takes_the_smes_own_out(lang, following):
                    limits.add("background_excepted")
            if kind == "provide" and (rest := act_scope.support_topic_removed(lang, sentence)) is not None:
                # an explanation or guidance about a thing is support, not the thing: «本試作品の構造…について説明を行い»
                objects = objects_of(rest) | {"support"}
            elif kind == "provide" and act_scope.is_support_work(lang, sentence):
                # «これを超える説明は、…行う»: the explanation itself, whatever the pointer points back to
                objects = {"support"}
            if kind == "provide" and act_scope.work_verb(lang, m.group(0)):
                # work done with the SME's own method hands the method over to no one: «shall perform the
                # Services … using the Analytical Method»; what follows "using" is the means, not the object
                objects = objects_of(act_scope.without_means(_PERSON_CLAUSE.get(lang, _NEVER).sub(" ", sentence)))
            if kind == "provide" and act_scope.core_withheld(lang, article_text):
                # the article keeps the core back: «提供者は、…別紙２に掲げる技術資料を提供する» beside
                # «提供者は、本接着剤の組成、配合及び製造方法を開示する義務を負わない»
                limits.add("keep")
            if (
                kind == "license"
                and "purpose" in limits
                and "sublicensable" in wide
                and act_scope.purpose_is_exploitation(lang, sentence)
            ):
                # «本成果を実施するために必要な範囲で…乙の指定する第三者に実施させることができる»: the
                # "purpose" is the other side's whole exploitation of the results, by anyone it names
                limits.discard("purpose")
            if kind == "license":
                wide |= _recalled_grant_tags(lex, lang, text, s1)
                limits |= _recalled_grant_tags(lex, lang, text, s1, "limits")
                later = _after(article_text, text)
                if later:
                    wide |= _recalled_grant_tags(lex, lang, later, 0)
                    limits |= _recalled_grant_tags(lex, lang, later, 0, "limits")
                if (
                    cons == "waived"
                    and "after_term" in limits
                    and not negated
                    and not states_a_duration(lang, sentence)
                ):
                    # free use that goes on after the contract with no end date is a perpetual licence
                    # («終了した後も、…本ノウハウを…無償で継続して使用することができる»)
                    wide.add("perpetual")
            act = Act(
                kind,
                to,
                m.start(),
                m.end(),
                negated,
                frozenset(objects),
                cons,
                frozenset(limits),
                frozenset(wide),
                origin,
            )
            found.append(act)
            if not groups.get("to") and groups.get("by"):
                by_acts.append(act)
    # "… remains the property of X" is X keeping what it had, not ownership moving to X
    found = [
        a
        for a in found
        if not (a.kind == "own" and any(b.kind == "retain" and b.start < a.end and a.start < b.end for b in found))
    ]
    # an explicit receiver ("… vests in Buyer") beats a giver read across a long gap
    explicit = [a for a in found if a.to != "NONE"]
    found = [
        a
        for a in found
        if not (
            a in by_acts
            and any(
                b is not a and b not in by_acts and b.kind == a.kind and b.start < a.end and a.start < b.end
                for b in explicit
            )
        )
    ]
    found.sort(key=lambda a: a.start)
    # the clause's own objects only when something happens in it (most clauses: nothing)
    return ClauseView(acts=found, objects=frozenset(objects_of(text)) if found else frozenset(), terms=used)


# --------------------------------------------------------------------------- frames


def frame_matches(
    view: ClauseView,
    frame: dict,
    acts: list[Act] | None = None,
    ignore_objects: bool = False,
    unread_terms_ok: bool = False,
) -> Act | None:
    """The act of ``view`` (or of ``acts``) that satisfies ``frame`` (a rule's ``frames``
    entry), or None. ``ignore_objects``: judge everything but the objects (the lexicon may
    not know the object's name; it does know who receives it and on what terms).
    ``unread_terms_ok``: an act whose consideration the reader found no words for
    (``none``) passes a frame that wants it free or covered: a pattern may know a wording
    of the waiver the lexicon does not («精算は本発注時», "reflected in later pricing")."""
    kinds = frame.get("act") or []
    to = frame.get("to") or list(PARTY_KINDS)
    for a in view.acts if acts is None else acts:
        if a.kind not in kinds or a.to not in to or a.negated != bool(frame.get("negated", False)):
            continue
        if not ignore_objects and frame.get("objects") and not (a.objects & set(frame["objects"])):
            continue
        if frame.get("objects_not") and a.objects & set(frame["objects_not"]):
            continue
        if (
            frame.get("consideration")
            and a.consideration not in frame["consideration"]
            and not (unread_terms_ok and a.consideration == "none" and "paid" not in frame["consideration"])
        ):
            continue
        if frame.get("without") and (a.limits | a.wide) & set(frame["without"]):
            continue
        if frame.get("with") and not ((a.limits | a.wide) & set(frame["with"])):
            continue
        if frame.get("origin_not") and a.origin in frame["origin_not"]:
            continue
        if frame.get("origin") and a.origin not in frame["origin"]:
            continue
        return a
    return None
