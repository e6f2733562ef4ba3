"""The rule catalogue compiled for one language, and party labels masked in clause text.

Labels (甲/乙, Supplier/Buyer …) are replaced by private-use characters of the same length,
so the catalogue compiles once per language whatever the parties are called, and offsets
in the masked text are offsets in the clause.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .document import Document
from .rules_data import Catalogue, ChecklistItem, Rule, labels_with_gaps, load_catalogue, substitute
from .rules_patterns import PatSet, alt

_JA_SME_DEFAULT, _JA_LARGE_DEFAULT = ("乙",), ("甲",)
_EN_SME_DEFAULT = ("Supplier", "Seller", "Contractor", "Vendor", "Startup", "Partner", "Licensor")
_EN_LARGE_DEFAULT = ("Buyer", "Purchaser", "Customer", "Company", "Licensee")
_JA_LARGE_OF = {
    "受託者": "委託者",
    "受注者": "発注者",
    "中小受託事業者": "委託事業者",
    "下請事業者": "親事業者",
    "乙": "甲",
    "甲": "乙",
    "供給者": "買主",
    "委託者": "受託者",
    "発注者": "受注者",
}
_EN_LARGE_OF = {
    "Supplier": "Buyer",
    "Seller": "Buyer",
    "Contractor": "Company",
    "Licensor": "Licensee",
    "Licensee": "Licensor",
    "Startup": "Company",
    "Partner": "Company",
    "Vendor": "Customer",
}


@dataclass
class CompiledRule:
    rule: Rule
    trigger: PatSet | None
    near: list[PatSet | re.Pattern[str]]  # a never-matching regex when a group lacks this language
    not_near: PatSet | None
    absent: PatSet | None
    requires_doc: PatSet | None
    or_absent: PatSet | None = None
    # detection.absent_not_in: a sentence that says the opposite does not supply the protection
    absent_not_in: PatSet | None = None
    # detection.absent_not_in_terms: nor one that uses a term defined this way (a "mutual" duty over
    # information defined as what the other side discloses to the SME)
    absent_not_in_terms: PatSet | None = None
    # detection.not_near_in_unit: safeguards that count only in the hit's own paragraph
    not_near_in_unit: PatSet | None = None
    # detection.not_in_sentence: the trigger's own sentence is about something else
    not_in_sentence: PatSet | None = None
    raise_near: PatSet | None = None
    # detection.balanced_by: the safeguards, and how many make the clause balanced
    safeguards: tuple[PatSet, ...] = ()
    safeguards_needed: int = 0


@dataclass
class CompiledCheck:
    item: ChecklistItem
    present: PatSet | None
    weak: PatSet | None
    requires_doc: PatSet | None = None


@dataclass
class CompiledCatalogue:
    rules: list[CompiledRule]
    checks: list[CompiledCheck]
    subject: re.Pattern
    mutual: PatSet | None
    consideration: PatSet | None
    no_consideration: PatSet | None
    neg_after: PatSet | None
    neg_before: PatSet | None


def party_labels(doc: Document) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The SME's and the other side's labels in this document (defaults when unknown)."""
    lang = doc.language
    sme = doc.sme_label or next((p.label for p in doc.parties if p.role == "SME"), None)
    large = [p.label for p in doc.parties if p.role == "LARGE" and p.label and p.label != sme]
    if not large and sme:
        large = [p.label for p in doc.parties if p.label and p.label != sme]
    if not large and sme:
        other = (_JA_LARGE_OF if lang == "ja" else _EN_LARGE_OF).get(sme)
        large = [other] if other else []
    sme_labels = (sme,) if sme else (_JA_SME_DEFAULT if lang == "ja" else _EN_SME_DEFAULT)
    large_labels = tuple(dict.fromkeys(large)) or (_JA_LARGE_DEFAULT if lang == "ja" else _EN_LARGE_DEFAULT)
    return sme_labels, tuple(x for x in large_labels if x not in sme_labels)


# Party labels in the clause text are overwritten, character for character, with two
# private-use characters before matching. Offsets do not move, and the catalogue is
# compiled once per language instead of once per pair of party names (compiling ~300
# regexes costs about a second; a new upload usually brings new names).
SME_CH, LARGE_CH = "\ue000", "\ue001"


_HEADING_LINE = {
    "ja": re.compile(
        r"^\s*第\s*(?:[0-9]+|[一二三四五六七八九十百〇]+)\s*条(?:の\s*(?:[0-9]+|[一二三四五六七八九十]+))?"
        r"\s*(?:\([^)\n]{0,40}\))?[ \t]*\n"
    ),
    "en": re.compile(
        r"^\s*(?:(?:Article|Section|Clause|ARTICLE|SECTION)\s+)?[0-9]+(?:\.[0-9]+)*\.?"
        r"[ \t]+(?:\([^)\n]{0,40}\)|[A-Z][^.;:\n]{0,70})[ \t]*\n"
    ),
}


def blank_heading(norm: str, lang: str) -> str:
    """Blank a clause's own heading line (「第8条（知的財産権）」, "4. Technical Assistance"):
    a title is not an obligation, and a trigger that starts in it would report the
    title as the matched text. Same length, so offsets do not move."""
    m = _HEADING_LINE[lang].match(norm)
    if not m or m.end() >= len(norm):
        return norm
    return " " * (m.end() - 1) + norm[m.end() - 1 :]


# a word before a party's label that makes it another entity of the same kind
_OTHER_ENTITY_EN = re.compile(
    r"\b(?:Alternative|Alternate|Other|Second|Substitute|Replacement|Back-?up|Secondary|Additional|Approved|"
    r"Third[- ]Party|End|Prospective|Potential|Successor|New)\s+$"
)


_OTHER_ENTITY_JA = ("他の", "別の", "新たな")


def label_masker(lang: str, sme: tuple[str, ...], large: tuple[str, ...]):
    """A function that masks party labels in a text, longest label first (so that
    "SINA Leju" is not read as "SINA" plus a word when both are parties)."""
    kind = {**{x: LARGE_CH for x in large}, **{x: SME_CH for x in sme}}
    if lang == "en":
        # the capitals of US boilerplate («COMPANY'S AGGREGATE LIABILITY SHALL NOT EXCEED …») name the same party
        kind = {**{x.upper(): k for x, k in kind.items() if len(x) > 2}, **kind}
    alt = "|".join(re.escape(x) for x in sorted(kind, key=len, reverse=True))
    # English labels are masked case-sensitively: "Supplier" is the party, "an
    # alternate supplier" is not
    rx = re.compile(rf"(?<!\w)(?:{alt})(?!\w)" if lang == "en" else f"(?:{alt})")
    if lang != "en":

        def mask_ja(m: re.Match) -> str:
            # 「本特許の他の実施権者」「別の受託者」: another entity of the same kind, not the party
            if m.string[max(0, m.start() - 3) : m.start()].endswith(_OTHER_ENTITY_JA):
                return m.group(0)
            return kind[m.group(0)] * (m.end() - m.start())

        return lambda text: rx.sub(mask_ja, text)

    def mask(m: re.Match) -> str:
        # "any Alternative Supplier", "an End Customer": another entity, not the party
        if _OTHER_ENTITY_EN.search(m.string, max(0, m.start() - 16), m.start()):
            return m.group(0)
        return kind[m.group(0)] * (m.end() - m.start())

    return lambda text: rx.sub(mask, text)


@functools.lru_cache(maxsize=4)
def compile_catalogue(lang: str) -> CompiledCatalogue:
    cat: Catalogue = load_catalogue()
    # possessive: one masked label is one party, so {PARTY}{PARTY} cannot split it in two
    labels = {"SME": f"(?:{SME_CH}++)", "LARGE": f"(?:{LARGE_CH}++)"}
    labels["PARTY"] = f"(?:{labels['SME']}|{labels['LARGE']})"
    labels = labels_with_gaps(labels, lang)
    voc = {k: v.get(lang, []) for k, v in cat.vocab.items()}
    mutual_pats = [substitute(p, labels) for p in voc.get("mutual", [])]
    mutual_alt = "|".join(f"(?:{p})" for p in mutual_pats) or "(?!x)x"
    if lang == "ja":
        subject = re.compile(rf"(?P<m>{mutual_alt})|(?P<s>{labels['SME']})(?=は|が)|(?P<l>{labels['LARGE']})(?=は|が)")
    else:
        verbs = "|".join(voc.get("subject_verbs", [])) or "shall|will|may|must"
        # "Customer, Customer's customers and their designated representatives may enter …": the
        # party heads a list of its own people, who act for it ("Buyer, its customers and certification
        # bodies may enter …", "Buyer, its customers and the surveyors of any classification society may" likewise)
        own_people = (
            r"(?:,?(?:\s+[^,.;]{0,60}?)?\s+(?:and|or)\s+(?:its|their)\s+(?:[\w-]+\s+){0,3}?[\w-]+,?"
            r"|,\s+(?:its|their)\s+(?:[\w-]+\s+){0,3}?[\w-]+(?:,?\s+(?:and|or)\s+(?:[\w-]+\s+){0,6}?[\w-]+)?,?"
            # "Varnholt, or any auditor appointed by Varnholt, may …"
            r"|,\s+(?:and|or)\s+(?:any|a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:auditors?|inspectors?|consultants?|representatives?|agents?|persons?|third\s+part(?:y|ies))"
            r"\s+(?:appointed|designated|nominated|engaged|authori[sz]ed|chosen)\s+by\s+(?:the\s+)?[^\s,.;]+,)?"
        )
        # the party's own people act for it: "Strand's engineers and quality staff may visit …"
        its_people = (
            r"(?:['’]s\s+(?:[\w-]+\s+){0,3}?(?:engineers|staff|personnel|employees|representatives|auditors|agents|"
            r"inspectors|team|technicians|officers)(?:\s+(?:and|or)\s+(?:[\w-]+\s+){0,2}?(?:engineers|staff|personnel|"
            r"employees|representatives|auditors|agents|inspectors|technicians))?)?"
        )
        subject = re.compile(
            rf"(?P<m>{mutual_alt})|(?P<s>{labels['SME']})(?={its_people}(?:'s)?{own_people}\s+(?:{verbs})\b)"
            rf"|(?P<l>{labels['LARGE']})(?={its_people}{own_people}\s+(?:{verbs})\b)",
            re.I,
        )
    rules = []
    for r in cat.all_rules():
        d = r.detection
        rules.append(
            CompiledRule(
                rule=r,
                trigger=alt(r.patterns.get(lang), labels),
                near=[p for p in (alt(g.get(lang), labels) for g in d["near"]) if p is not None]
                if all(g.get(lang) for g in d["near"])
                else [re.compile(r"(?!x)x")]
                if d["near"]
                else [],
                not_near=alt(d["not_near"].get(lang), labels),
                absent=alt(d["absent"].get(lang), labels),
                requires_doc=alt(d["requires_doc"].get(lang), labels),
                or_absent=alt(d["or_absent"].get(lang), labels),
                absent_not_in=alt(d["absent_not_in"].get(lang), labels),
                absent_not_in_terms=alt(d["absent_not_in_terms"].get(lang), labels),
                not_in_sentence=alt(d["not_in_sentence"].get(lang), labels),
                not_near_in_unit=alt(d["not_near_in_unit"].get(lang), labels),
                raise_near=alt(r.adjust.get("raise_if_near", {}).get(lang), labels),
                safeguards=tuple(
                    p for p in (alt([x], labels) for x in d["balanced_by"].get(lang, [])) if p is not None
                ),
                safeguards_needed=d["balanced_by"].get("min", 0) if d["balanced_by"].get(lang) else 0,
            )
        )
    checks = [
        CompiledCheck(
            item=i,
            present=alt(i.present.get(lang), labels),
            weak=alt(i.weak.get(lang), labels),
            requires_doc=alt(i.requires_doc.get(lang), labels),
        )
        for i in cat.checklist
    ]
    return CompiledCatalogue(
        rules=rules,
        checks=checks,
        subject=subject,
        mutual=alt(voc.get("mutual"), labels),
        consideration=alt(voc.get("consideration"), labels),
        no_consideration=alt(voc.get("no_consideration"), labels),
        neg_after=alt(voc.get("negation_after"), labels),
        neg_before=alt(voc.get("negation_before"), labels),
    )
