"""The concept lexicon the clause reader reads with (``data/concepts.yaml``): objects, acts,
consideration, limits and wide grants per language, compiled once with the party-label
placeholders filled in; the definitions a contract makes of its own terms (``defined_terms``,
appendices included), whose material a stretch of text names (``origin_of``, ``party_kind``) and
where its sentences end (``sentence_bounds``), all read with the lexicon.

Pure library (no Django); ``clauses.read_clause`` is its main user.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .rules_compile import LARGE_CH, SME_CH
from .rules_data import labels_with_gaps, substitute
from .rules_patterns import PatSet, anchors, fast_start

CONCEPTS_FILE = Path(__file__).with_name("data") / "concepts.yaml"
# entries kept per memo (tags of a sentence, sentence ends of a text) before it starts afresh
MEMO_SIZE = 4096
# stands for "either party" in the text the act patterns read (same length as the words it hides)
BOTH_CH = "\ue002"


@dataclass
class Lexicon:
    # each concept's alternatives with their literal anchors, so a text only meets the
    # alternatives that can match it (rules_patterns.PatSet)
    objects: dict[str, PatSet]
    acts: list[tuple[str, re.Pattern, tuple, bool]]  # kind, pattern, literal anchors, names a party
    consideration: dict[str, PatSet]
    limits: dict[str, PatSet]
    wide: dict[str, PatSet]
    origin: list[re.Pattern]
    definitions: list[re.Pattern]
    backward: tuple[re.Pattern, str]
    sentence_end: re.Pattern
    prefilter: bool = False
    # a sentence is read once per act it holds and once per section: same text, same tags
    tag_memo: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)


_DEFINITIONS = {
    "ja": [
        # 「本成果」とは、…をいう。 / …をいい、その主要なものを別紙に記載する。
        r"「(?P<term>[^「」。]{1,24})」とは、?(?P<def>(?:[^。]|。(?=[)）])){1,400}?)(?:をいう|をいい|を意味する|を意味し|とする)",
        # …and what it takes in besides: 「「本件技術」とは、…をいい、…許諾者が行った改良を含む。」
        r"「(?P<term>[^「」。]{1,24})」とは、?(?:[^。]|。(?=[)）])){1,400}?をいい、(?P<def>[^。]{1,200}?)(?:を含む|を含み|を含め|が含まれ)",
        # 「本成果」には、…を含む
        r"「?(?P<term>本[^「」。、はにをがの]{1,12})」?には、?(?P<def>[^。]{1,300}?)(?:を含む|が含まれ)",
        # a definitions article listing terms by item: 「三　「知的財産権」　特許権、…その他一切の権利」
        # (a bracketed number needs no space after it: 「（３）「バックグラウンド技術」　…」)
        r"(?m)^[\s\u3000]*(?:(?:[一二三四五六七八九十]+|[0-9０-９]+)[\s\u3000]+|[(（][0-9０-９一二三四五六七八九十]+[)）][\s\u3000]*)"
        r"「(?P<term>[^「」。]{1,24})」[\s\u3000]*(?:[:：][\s\u3000]*)?(?P<def>(?![とはにを])[^\n]{1,400})",
    ],
    "en": [
        r"[\"“](?P<term>[A-Z\ue000\ue001][\w\-\ue000\ue001 ]{1,40}?)[\"”]\s+(?:for\s+[^,.;\"”]{1,40}?\s+)?(?:means|shall\s+mean|refers\s+to|includes|shall\s+include|is\s+defined\s+as|consists\s+of|shall\s+consist\s+of|comprises),?\s+"
        # an enumerated definition goes on past the semicolons of its own items: «namely: (a) …; (b) …; and (g) …»
        # …and it stops where the next definition starts (a definitions list joined into one line)
        r"(?P<def>(?:(?!\s[\"“][A-Z\ue000\ue001][^\"”]{0,40}[\"”]\s+(?:means|shall\s+mean|has\s+the\s+meaning|refers\s+to|includes))"
        r"(?:[^;\n]|;\s*(?:and\s+|or\s+)?\([a-z0-9]{1,3}\))){1,700})",
        # a definitions list in the English style: «"Technical Documentation": drawings, …»
        # (also numbered: «1.1 "Background IPR": …», «(a) "Affiliate": …»)
        r"(?:^|(?<=[\n:;.)]))\s*(?:\d{1,2}(?:\.\d{1,2}){0,2}\.?\s+|\([a-z0-9]{1,3}\)\s*)?[\"“](?P<term>[A-Z\ue000\ue001][\w\-\ue000\ue001 ]{1,40}?)[\"”][ \t]*[:：][ \t]*"
        r"(?P<def>[^\n]{1,500}?)(?=\s+[\"“][A-Z\ue000\ue001][^\"”\n]{1,40}[\"”][ \t]*[:：]|\n|$)",
    ],
}
# Definitions that follow what they define: 「…（以下「本成果」という。）」, '… (the
# "Deliverables")'. The pattern finds the term; the definition is the text before it, back
# to the previous sentence or bracket (a regex that starts its capture at every position
# would cost time quadratic in the clause length).
_BACKWARD = {
    "ja": (r"[(（]?以下、?(?:単に)?「(?P<term>[^「」。]{1,24})」(?:と|という)", "。「」"),
    "en": (
        r"\((?:collectively,?\s+|each,?\s+|together,?\s+)?(?:the\s+|a\s+|an\s+)?[\"“]"
        r"(?P<term>[A-Z\ue000\ue001][\w\-\ue000\ue001 ]{1,40}?)[\"”]\)",
        ".;()\n",
    ),
}


# both sides named together rather than by their labels: 「両当事者」, "the Parties", "each party"
BOTH_SIDES = re.compile(
    r"両当事者|当事者双方|双方|両社|各当事者|いずれの当事者|(?:当該|それぞれの|その|開示した|保有する)当事者"
    r"|\b(?:the\s+)?(?:parties|both\s+parties|each\s+party|either\s+party|disclosing\s+party|receiving\s+party|discloser|recipient)\b",
    re.I,
)


@functools.lru_cache(maxsize=2)
def lexicon(lang: str) -> Lexicon:
    raw = yaml.safe_load(CONCEPTS_FILE.read_text(encoding="utf-8"))
    labels = {"SME": f"(?:{SME_CH}++)", "LARGE": f"(?:{LARGE_CH}++)"}
    # a rotating role is masked as BOTH_CH inside read_clause (mask_rotating_roles): one more
    # character class is as cheap as the two labels, where the words themselves in every
    # {PARTY} cost about a tenth of the review time
    labels["PARTY"] = f"(?:{labels['SME']}|{labels['LARGE']}|{BOTH_CH}++)"
    labels = labels_with_gaps(labels, lang)
    flags = re.I if lang == "en" else 0

    def group(section: str) -> dict[str, PatSet]:
        return {
            name: PatSet([substitute(p, labels) for p in spec.get(lang, [])] or ["(?!x)x"])
            for name, spec in raw[section].items()
        }

    acts = []
    for kind, spec in raw["acts"].items():
        for p in spec.get(lang, []):
            src = fast_start(substitute(p, labels))
            # a pattern that names a party can only match a clause that mentions one; one that
            # names both sides in words ("(?P<to>each\s+party)", 「双方」) needs no party name
            needs_party = ("(?P<to>" in p or "(?P<by>" in p) and not BOTH_SIDES.search(p.replace("\\s+", " "))
            acts.append((kind, re.compile(src, flags), anchors(src), needs_party))
    return Lexicon(
        objects=group("objects"),
        acts=acts,
        consideration=group("consideration"),
        limits=group("limits"),
        wide=group("wide"),
        origin=[re.compile(fast_start(substitute(p, labels)), flags) for p in raw["origin"].get(lang, [])],
        definitions=[re.compile(p, flags if lang == "ja" else 0) for p in _DEFINITIONS[lang]],
        backward=(re.compile(_BACKWARD[lang][0]), _BACKWARD[lang][1]),
        prefilter=lang == "en",
        sentence_end=re.compile(r"。(?![^()（）\n]{0,40}[)）])" if lang == "ja" else r"(?<!\d)[.;](?=\s|$)"),
    )


def has_concept(ps: PatSet, text: str, low: str | None) -> bool:
    """``low`` given: try only the alternatives whose literals occur (pays off for the
    English patterns with long gaps); None: one pass of the whole alternation (cheaper
    for Japanese, whose alternatives are mostly literals already)."""
    if low is None:
        return ps.search(text) is not None
    rx = ps.select(low)
    return rx is not None and rx.search(text) is not None


def tags(lex: Lexicon, text: str, section: str = "objects") -> set[str]:
    """The concepts of one section of the lexicon (objects, limits, wide…) that ``text`` states."""
    key = (section, text)
    got = lex.tag_memo.get(key)
    if got is None:
        low = text.lower() if lex.prefilter else None
        got = frozenset(name for name, ps in getattr(lex, section).items() if has_concept(ps, text, low))
        if len(lex.tag_memo) >= MEMO_SIZE:
            lex.tag_memo.clear()
        lex.tag_memo[key] = got
    return set(got)


def definition_spans(lex: Lexicon, text: str) -> list[tuple[str, int, int]]:
    """(term, start, end) of each definition in ``text``: where the words that define the
    term sit («"Technical Data" means …», 「「技術資料」とは、…をいう」, '… (the "Data")')."""
    out = []
    for rx in lex.definitions:
        out += [(m.group("term").strip(), m.start("def"), m.end("def")) for m in rx.finditer(text)]
    back, stops = lex.backward
    for m in back.finditer(text):
        start = max(0, m.start() - 300)
        cut = max(text.rfind(ch, start, m.start()) for ch in stops)
        out.append((m.group("term").strip(), max(start, cut + 1), m.start()))
    return [(t, a, b) for t, a, b in out if len(t) >= 2 and t.strip(SME_CH + LARGE_CH)]


def party_kind(text: str) -> str:
    """SME, LARGE, MUTUAL or NONE: whom a stretch of party-masked text names."""
    if BOTH_CH in text:
        return "MUTUAL"
    s, lg = SME_CH in text, LARGE_CH in text
    if s and lg or (not s and not lg and BOTH_SIDES.search(text)):
        return "MUTUAL"
    return "SME" if s else "LARGE" if lg else "NONE"


def origin_of(lex: Lexicon, text: str, skip: tuple[int, int] | None = None, act_at: int | None = None) -> str:
    """Whose material the text says the object is; ``skip``: the span of the party the act
    itself names, which cannot also be the origin. The first kind of origin statement found
    wins; with ``act_at``, where that kind names both sides in parallel («乙が単独でなしたものは
    乙に帰属し、甲が単独でなしたものは甲に帰属する») the one nearest before the act is its object's."""
    for orx in lex.origin:
        found = []
        for om in orx.finditer(text):
            b0, b1 = om.span("by")
            # («the Buyer may disclose its own drawings»: the subject's own material, though the act names it)
            if skip is not None and b0 < skip[1] and skip[0] < b1 and not om.groupdict().get("own"):
                continue
            found.append((om.start(), om.end(), party_kind(om.group("by"))))
        if not found:
            continue
        if act_at is not None and len({who for _, _, who in found}) > 1:
            before = [(start, who) for start, end, who in found if end <= act_at]
            if before:
                return max(before)[1]
        return found[0][2]
    return "NONE"


# a definition that only points to an appendix («"Technical Documents" means the documents listed
# in Appendix 3», 「別紙３に記載する資料をいう」): the appendix says what the term holds
_APPENDIX_REF = re.compile(
    r"\b(?:listed|set\s+(?:out|forth)|described|specified|contained|identified)\s+in\s+"
    r"(?:(?:Part|Section|Paragraph)\s+(?P<part>[A-Z0-9]{1,2})\s+of\s+)?"
    r"(?P<kind>Appendix|Annex|Schedule|Exhibit|Attachment)\s+(?P<num>[A-Z0-9]{1,3})\b"
    r"|(?P<jkind>別紙|別表|付属書類?)\s*(?P<jnum>[0-9０-９一二三四五六七八九十]{1,3})(?:に記載|に定める|記載の|に掲げる|のとおり)",
    re.I,
)


_APPENDIX_END = re.compile(
    r"\n[ \t\u3000#]*(?:Appendix|Annex|Schedule|Exhibit|Attachment|別紙|別表|付属書)\s*[0-9０-９一二三四五六七八九十A-Z]|\n[^\n]{0,30}(?:For\s+\w+\s*:|署名|記名押印|（甲）|（乙）)",
    re.I,
)


# only a set of documents or information is defined by pointing at an appendix this way; a
# product named by a parts list («別紙１に掲げる部品») is not the list's other contents
_DOCUMENT_SET = re.compile(
    r"資料|書類|文書|図面|データ|情報|documents?|documentation|materials|information|data|drawings", re.I
)


def _appendix_named(text: str, definition: str) -> str:
    if not _DOCUMENT_SET.search(definition):
        return ""
    return _appendix_body(text, definition)


# a list that holds nothing: "None.", 「なし」, "N/A"
# …or one still to be drawn up: "None listed at signature.", 「（本契約締結後、甲乙協議の上作成する。）」
_EMPTY_LIST = re.compile(
    r"\s*(?:[^\n.。]{1,60}?\s+)?(?:(?:none|nil|n/?a|not\s+applicable|なし|無し|該当なし|該当事項なし|ありません)"
    r"(?:\s+(?:listed|identified|specified|notified|at\s+(?:signature|signing|the\s+(?:Effective\s+)?Date)|as\s+at\s+the\s+\w+(?:\s+Date)?))*"
    r"|[(（]?\s*(?:記載なし|なし)?[。、]?\s*[^。\n]{0,20}?(?:本契約締結後|締結後|追って|後日|別途|開始後)[^。\n]{0,30}?"
    r"(?:作成|定める|記載|特定|追記|記入)(?:する|される)?(?:ものとする)?[。.]?\s*[)）]?"
    # («To be completed by the parties within 60 days after the date of this Agreement.», «To be agreed by the Steering
    # Committee within 60 days …», «[Blank at signature - to be completed under clause 6.3.]»)
    r"|\[?(?:(?:left\s+)?(?:blank|empty)(?:\s+at\s+(?:signature|signing))?\s*[-–—,;:]?\s*)?"
    r"to\s+be\s+(?:agreed|completed|listed|identified|determined|attached)(?:\s+(?:and|or)\s+(?:agreed|completed|listed|identified|determined|attached))?"
    r"(?:\s+(?:later|after\s+signature|by\s+the\s+(?:parties|[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,2})))?"
    r"(?:\s+(?:under|in\s+accordance\s+with|pursuant\s+to)\s+(?:clause|section|article)\s+[\d.]+)?"
    r"(?:\s+(?:within|after|following|no\s+later\s+than)\b[^\n.。]{0,60})?\s*[.。]?\s*\]?)\s*[.。]?[ \t]*(?:\n|$|[ \t]{2,})",
    re.I,
)


def _appendix_body(text: str, definition: str) -> str:
    """The text of the appendix a definition points at ("listed in Exhibit C"), '' when none."""
    m = _APPENDIX_REF.search(definition)
    if m is None:
        return ""
    kind, num = (m.group("kind"), m.group("num")) if m.group("kind") else (m.group("jkind"), m.group("jnum"))
    head = re.search(rf"(?:^|\n)[ \t\u3000#]*{re.escape(kind)}\s*{re.escape(num)}(?![0-9０-９A-Za-z])", text, re.I)
    if head is None:
        return ""
    start = head.end()
    part = m.group("part") if m.group("kind") else None
    if part:
        # "Part B of Schedule 1": the part's own heading inside the schedule
        sub = re.compile(rf"\n[ \t]*(?:Part|Section|Paragraph)\s+{re.escape(part)}\b", re.I).search(
            text, start, start + 4000
        )
        if sub is not None:
            start = sub.end()
    # up to the next appendix (or part), a signature line or 500 characters, whichever comes first
    body = text[start : start + 500]
    end = _APPENDIX_END.search(body)
    body = body[: end.start()] if end else body
    if part:
        nxt = re.search(r"\n[ \t]*(?:Part|Section|Paragraph)\s+[A-Z0-9]{1,2}\b", body)
        body = body[: nxt.start()] if nxt else body
    return body


# the items of an enumerated definition: «(a) …; (b) …», 「（１）…（２）…」
_DEFINITION_ITEM = re.compile(
    r";|\([a-z0-9]{1,3}\)\s|[(（][0-9０-９一二三四五六七八九十]{1,2}[)）]|、(?:および|ならびに|または|もしくは)"
)


def defined_terms(lex: Lexicon, text: str) -> dict[str, frozenset[str]]:
    """Each defined term with the objects its definition names; a term defined through
    other terms ("the Results and the Know-how") inherits theirs, one level deep. A term
    whose definition says whose material it is (「甲が作成して乙に交付する…」, "the
    Company's specification") also carries ``origin:SME`` / ``origin:LARGE``; a term that names
    other makers ("any manufacturer Buyer approves") carries ``limit:other_makers``."""
    definitions: dict[str, str] = {}
    appendices: dict[str, str] = {}
    for term, start, end in definition_spans(lex, text):
        said = text[start:end]
        listed = _appendix_named(text, said)
        # what a term defined by a list holds («"Contractor Background" means … listed in Exhibit C»; Exhibit C: "None.")
        body = _appendix_body(text, said)
        if body not in appendices.get(term, ""):  # the same definition found twice points at the same list
            appendices[term] = appendices.get(term, "") + body
        definitions[term] = definitions.get(term, "") + " " + said + " " + listed
    own = {t: tags(lex, d) | tags(lex, t) for t, d in definitions.items()}
    resolved: dict[str, frozenset[str]] = {}
    for term, got in own.items():
        inherited = set()
        for other, theirs in own.items():
            if other != term and other in definitions[term]:
                inherited |= theirs
        origin = origin_of(lex, definitions[term][:160])
        # a definition whose items come from both sides («(a) tooling furnished by Buyer …; (c) coiling programs …
        # that Supplier develops») has no one origin
        others = {origin_of(lex, part) for part in _DEFINITION_ITEM.split(definitions[term])} - {"NONE", origin}
        if origin in ("SME", "LARGE") and not others:
            inherited.add(f"origin:{origin}")
        if "background" in got and (
            "hollowed" in tags(lex, definitions[term], "limits")
            or bool(appendices.get(term))
            and _EMPTY_LIST.match(appendices[term]) is not None
        ):
            # a definition of the earlier technology that leaves the process know-how out of it
            inherited.add("limit:hollowed")
        if "to_rivals" in tags(lex, definitions[term], "limits"):
            # «"Programme Partners" means … and any other third party that Skyvane engages»: passing
            # something to the term passes it outside
            inherited.add("limit:to_rivals")
        if "other_makers" in tags(lex, definitions[term], "limits"):
            # «"Approved Source" means any manufacturer that Buyer … may at any time approve»:
            # handing something to the term hands it to other makers
            inherited.add("limit:other_makers")
        if got | inherited:
            resolved[term] = frozenset(got | inherited)
    return resolved


def sentence_bounds(lang: str, text: str, pos: int) -> tuple[int, int]:
    """Start and end of the sentence of ``text`` that holds ``pos``."""
    return sentence_span(lexicon(lang), text, pos)


def sentence_ends(lex: Lexicon, text: str) -> list[int]:
    """End offsets of the sentences of ``text``, computed once per text (the reader asks
    for the sentence around many positions of the same clause and article)."""
    key = ("\0ends", text)
    got = lex.tag_memo.get(key)
    if got is None:
        if len(lex.tag_memo) >= MEMO_SIZE:
            lex.tag_memo.clear()
        got = lex.tag_memo[key] = [m.end() for m in lex.sentence_end.finditer(text)]  # type: ignore[assignment]
    return got  # type: ignore[return-value]


def sentences(lex: Lexicon, text: str, start: int = 0) -> Iterator[str]:
    """The sentences of ``text`` from ``start`` on (the first one cut at ``start``)."""
    prev = 0
    for end in [*sentence_ends(lex, text), len(text)]:
        if end > start and end > prev:
            yield text[max(prev, start) : end]
        prev = end


def sentence_span(lex: Lexicon, text: str, pos: int) -> tuple[int, int]:
    ends = sentence_ends(lex, text)
    # the sentence holding pos starts at the last end at or before pos and ends at the first
    # end after it (terminators are one character long)
    i = bisect.bisect_right(ends, pos)
    return (ends[i - 1] if i else 0), (ends[i] if i < len(ends) else len(text))
