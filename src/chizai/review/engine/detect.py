"""Language, contract type, parties, and which party is the SME.

Direction matters for almost every rule (catalogue §0.1, §0.4): the same clause is
harmless when it protects the SME and harmful when it binds it. This module finds
the party labels as the text defines them and decides which one is the SME (with
``parties``), and re-exports the direction helpers of ``direction`` (``subject_of``,
``flows``) that the rules engine uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .direction import Flow, flows, subject_of, subjects_of  # noqa: F401  (public API of detect)
from .document import Party, ReviewInputError
from .parties import ROLE_WORDS, PartyFound, find_parties_detailed, match_override
from .sme import SmeChoice, decide, gather_evidence

CONTRACT_TYPES = ("NDA", "MFG", "PROTO", "JRD", "DEV", "LIC")

# ------------------------------------------------------------------ language

_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\uff66-\uff9d]")
_CJK = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_EN_STOP = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "or",
        "a",
        "an",
        "by",
        "any",
        "be",
        "is",
        "are",
        "this",
        "that",
        "with",
        "for",
        "shall",
        "will",
        "may",
        "not",
        "such",
        "as",
        "on",
        "at",
        "from",
        "its",
        "it",
        "which",
        "all",
        "each",
        "other",
        "party",
        "parties",
        "agreement",
        "hereby",
        "under",
    ]
)


def language_scores(text: str) -> dict[str, float]:
    sample = text[:60000]
    kana = len(_KANA.findall(sample))
    cjk = len(_CJK.findall(sample))
    words = _LATIN_WORD.findall(sample)
    latin = sum(len(w) for w in words)
    stop = sum(1 for w in words if w.lower() in _EN_STOP)
    return {"kana": kana, "cjk": cjk, "latin": latin, "words": len(words), "en_stop": stop}


def detect_language(text: str, filename: str = "document") -> Literal["ja", "en"]:
    """'ja' or 'en'; anything else raises ``unknown_language``.

    Chinese shares the kanji, so Japanese is decided by kana: Japanese prose is
    roughly 30-60 % kana, Chinese has none. English is decided by function words,
    which keeps German, French or romanised text out.
    """
    s = language_scores(text)
    kana, cjk, latin = s["kana"], s["cjk"], s["latin"]
    if kana >= 5 and kana >= 0.08 * (kana + cjk) and (kana + cjk) * 2 >= 0.2 * latin:
        return "ja"
    if s["words"] >= 3 and s["en_stop"] >= max(1, 0.08 * s["words"]) and latin >= (kana + cjk):
        return "en"
    if cjk > 20 and kana < 0.08 * (kana + cjk):
        why = "it looks like Chinese (kanji without kana)"
    elif s["words"] >= 3:
        why = "it is written in a language other than Japanese or English"
    else:
        why = "there is too little text to tell the language"
    raise ReviewInputError(
        "unknown_language",
        f"{filename}: only Japanese and English contracts can be reviewed; {why}.",
    )


# ------------------------------------------------------------------ contract type

# (type, pattern) in priority order for titles: more specific names first, so that
# 「共同研究開発」 is JRD not DEV and 「試作品製造委託」 is PROTO not MFG.
_TITLE_RULES: list[tuple[str, re.Pattern]] = [
    (
        "NDA",
        re.compile(
            r"秘密保持|機密保持|守秘|機密情報の取扱|秘密情報の取扱|non[- ]?disclosure|\bNDA\b|"
            # "Confidentiality and Evaluation Agreement", "Secrecy Undertaking"
            r"(?:confidentiality|secrecy)(?:\s+(?:and|&)\s+[\w-]+(?:\s+[\w-]+)?)?\s+(?:agreement|undertaking|deed)",
            re.I,
        ),
    ),
    (
        "PROTO",
        re.compile(
            r"試作|技術検証|試験(?!研究)|PoC|proof of concept|評価用|サンプル提供|(?<!research and )evaluation|prototype|feasibility|trial|pilot|design partner|early access|beta test",
            re.I,
        ),
    ),
    (
        "JRD",
        re.compile(
            r"共同研究|共同開発|共同出願|joint (research|development|filing)|collaborat|research agreement|co-?development|research and development|"
            r"research and (?:option|licen[cs]e|evaluation) agreement|sponsored research|"
            # the agreement among the partners of a funded research project (EU / DESCA style)
            r"consortium agreement|コンソーシアム(?:契約|協定)",
            re.I,
        ),
    ),
    (
        "LIC",
        re.compile(
            r"ライセンス|実施許諾|使用許諾|利用許諾|特許権?譲渡|権利譲渡|licen[cs]e|patent assignment|ip assignment",
            re.I,
        ),
    ),
    (
        "DEV",
        re.compile(
            r"開発委託|開発業務|ソフトウェア開発|システム開発|受託開発|技術指導|技術支援|技術相談|コンサルティング|設計業務|設計委託|"
            r"development agreement|software development|development services|firmware|technical services|design services|engineering services|"
            r"consulting|independent contractor|design partner|professional services|services agreement|"
            r"保守|運用支援|maintenance",
            re.I,
        ),
    ),
    (
        "MFG",
        re.compile(
            r"製造委託|取引基本|売買基本|売買契約|基本取引|金型|OEM|外注|購買|調達|部品|加工|供給|注\s*文\s*書|発\s*注\s*書|注文約款|発注約款|"
            r"supply|purchase|manufactur|procurement|terms and conditions|distribut|outsourc",
            re.I,
        ),
    ),
]
# titles that name a commission without saying what is made (業務委託基本契約,
# 委託契約, Master Services/Agreement): the body decides between DEV and MFG
_GENERIC_COMMISSION = re.compile(
    r"業務委託|委託契約|委託基本契約|請負|master (?:services )?agreement|framework agreement|outsourcing", re.I
)
# the title of a guidance or advisory contract (a service whose know-how is often licensed as well)
_GUIDANCE_TITLE = re.compile(
    r"技術指導|技術顧問|顧問契約|技術援助|technical\s+(?:assistance|guidance|advisory)|consult", re.I
)
# a line that looks like the name of the document (cover pages put a letterhead first)
_TITLE_LINE = re.compile(
    r"契約書?|覚書|合意書|約款|注\s*文\s*書|発\s*注\s*書|agreement|terms|conditions|order|\bre:", re.I
)
# a line that tells the user what to do with the template, not its name
_INSTRUCTION = re.compile(r"(?:how|when|why|what)\b|(?:review|send|delete|remove|fill|complete|use|sign)\s", re.I)
# body keywords per type, used for mixed contracts and when the title says nothing
_BODY_KEYWORDS: dict[str, re.Pattern] = {
    "NDA": re.compile(
        r"秘密情報|秘密保持|confidential information|non-disclosure|開示者|受領者|discloser|recipient", re.I
    ),
    "MFG": re.compile(
        r"発注|受注|納入|納品|検収|個別契約|単価|金型|注文書|量産|purchase order|deliver(y|ies)|unit price|\bbuyer\b|\bsupplier\b|\bseller\b|forecast|mass production",
        re.I,
    ),
    "PROTO": re.compile(
        r"試作|技術検証|本検証|PoC|proof of concept|prototype|評価結果|sample|サンプル|evaluation", re.I
    ),
    "JRD": re.compile(
        r"共同研究|共同開発|共同発明|共有|役割分担|研究成果|joint(ly)? (research|develop)|jointly owned|background (ip|information)|バックグラウンド",
        re.I,
    ),
    "DEV": re.compile(
        r"開発委託|委託業務|成果物|委託料|検収|技術指導|指導料|deliverables?|development fee|acceptance test|specification|statement of work|services fee|consult",
        re.I,
    ),
    "LIC": re.compile(
        r"許諾|実施権|ライセンス|ロイヤルティ|実施料|使用権|licen[cs]e[ed]?|royalt(y|ies)|licensee|licensor|sublicen",
        re.I,
    ),
}


@dataclass
class TypeDetection:
    types: list[str]
    confidence: float  # of the primary type, 0..1
    evidence: dict[str, list[str]]  # type -> words that point to it (title first)
    title: str


def _title_line(text: str, title: str | None) -> str:
    """The document's name: the given title, else the first title-like line of the opening."""
    lines = [l.strip() for l in text.strip().splitlines()[:60] if l.strip()]
    named = [l for l in lines[:25] if len(l) <= 150 and _TITLE_LINE.search(l)]
    # a template's instructions page comes first ("How to set up an agreement"): a short
    # line that names a kind of contract is the title, wherever it sits in the opening
    typed = [
        l
        for l in lines
        if len(l) <= 80
        and _TITLE_LINE.search(l)
        and not _INSTRUCTION.match(l)
        and (any(p.search(l) for _t, p in _TITLE_RULES) or _GENERIC_COMMISSION.search(l))
    ]
    if named and typed and not any(p.search(named[0]) for _t, p in _TITLE_RULES):
        named = typed + named
    if title and (_TITLE_LINE.search(title) or not named):
        return title
    if named:
        return named[0]
    return " ".join(l for l in lines[:3] if len(l) <= 120)


def detect_contract_types_detailed(text: str, title: str | None = None) -> TypeDetection:
    """Types with the evidence and a confidence (title words are strong, body counts weaker)."""
    head = _title_line(text, title)
    primary = None
    title_types: list[str] = []
    evidence: dict[str, list[str]] = {}
    # some texts have no title line (whole paragraphs on one line): the opening
    # words usually carry the name of the agreement
    from_title = True
    for candidate in (head, text[:300]):
        from_title = candidate is head
        title_types = [typ for typ, pat in _TITLE_RULES if pat.search(candidate)]
        for typ, pat in _TITLE_RULES:
            m = pat.search(candidate)
            if m:
                evidence.setdefault(typ, []).append(f"title: {m.group(0)}")
        if title_types:
            primary = title_types[0]
            break
    # "Joint Development" also reads as "Development Agreement", and a prototype
    # order is a manufacturing order too: the more specific type covers the other
    for specific, general in (("JRD", "DEV"), ("PROTO", "MFG")):
        if specific in title_types and general in title_types:
            title_types.remove(general)
    body = text[:200000]
    scores = {t: len(p.findall(body)) for t, p in _BODY_KEYWORDS.items()}
    for t, p in _BODY_KEYWORDS.items():
        words = sorted({m.group(0).lower() for m in p.finditer(body[:60000])})[:5]
        if words:
            evidence.setdefault(t, []).append(f"body ({scores[t]}): " + ", ".join(words))
    # a title names the type; the opening words of a text without one only suggest it
    confidence = (0.9 if from_title else 0.6) if primary else 0.0
    generic = _GENERIC_COMMISSION.search(head)
    if primary is None and generic:
        # a commission without a product name: made goods point to MFG, services and results to DEV
        primary = "MFG" if scores["MFG"] > scores["DEV"] else "DEV"
        hi, lo = max(scores["MFG"], scores["DEV"]), min(scores["MFG"], scores["DEV"])
        confidence = round(0.5 + 0.4 * (hi - lo) / max(hi, 1), 2)
        evidence.setdefault(primary, []).insert(0, f"title: {generic.group(0)}")
    if primary is None:
        # every contract has a confidentiality clause, so NDA words count half here
        weighted = {t: (v / 2 if t == "NDA" else v) for t, v in scores.items()}
        ranked = sorted(weighted.items(), key=lambda kv: kv[1], reverse=True)
        primary = ranked[0][0] if ranked[0][1] > 0 else "MFG"
        top, second = ranked[0][1], ranked[1][1]
        # a clear margin over few keywords is still little evidence
        confidence = round(0.6 * (top - second) / top * min(1.0, top / 6), 2) if top else 0.0
    types = [primary] + [t for t in title_types if t != primary]
    # a second type only when the body is clearly about it too (e.g. a licence
    # inside a joint R&D contract); the confidentiality clause found in every
    # contract does not make it an NDA
    top = max(scores.values()) or 1
    for typ in CONTRACT_TYPES:
        if typ in types or typ == "NDA":
            continue
        if scores[typ] >= 12 and scores[typ] >= 0.6 * top and scores[typ] >= 1.5 * scores.get(primary, 0) * 0.5:
            types.append(typ)
    # technical guidance or consulting that also grants the use of the adviser's know-how
    # («指導技術を…使用することができ、指導者はこの許諾を取り消すことができない») is a licence too
    if primary == "DEV" and "LIC" not in types and scores["LIC"] >= 3 and _GUIDANCE_TITLE.search(head):
        types.append("LIC")
    return TypeDetection(types, confidence, evidence, head)


def detect_contract_types(text: str, title: str | None = None) -> list[str]:
    """Contract types, primary first (title decides it; body keyword counts otherwise)."""
    return detect_contract_types_detailed(text, title).types


# ------------------------------------------------------------------ parties

# the role words (kept here for the rules engine and older callers)
SME_LABELS = tuple(w for w, r in ROLE_WORDS.items() if r in ("supplier", "licensor", "second", "partner"))
LARGE_LABELS = tuple(w for w, r in ROLE_WORDS.items() if r in ("client", "licensee", "first"))


def find_parties(text: str, language: str) -> list[Party]:
    """Party labels as the contract defines them, in order of appearance."""
    return [
        Party(label=p.label, name=p.name, aliases=[l for l in p.labels if l != p.label], sides=list(p.roles))
        for p in find_parties_detailed(text, language)
    ]


def _as_found(parties: list[Party]) -> list[PartyFound]:
    return [
        PartyFound(
            label=p.label,
            labels=[p.label] + [a for a in getattr(p, "aliases", []) if a != p.label],
            name=p.name,
            roles=list(getattr(p, "sides", []) or []) or ([ROLE_WORDS[p.label]] if p.label in ROLE_WORDS else []),
        )
        for p in parties
    ]


def sme_evidence(
    parties: list[Party], text: str, contract_types: list[str], language: str
) -> tuple[list[PartyFound], list]:
    """The parties as the scorer sees them and every item of evidence (for benchmarks)."""
    found = _as_found(parties)
    return found, gather_evidence(found, text, language, contract_types)


def assess_sme(
    parties: list[Party], text: str, contract_types: list[str], language: str | None = None, override: str | None = None
) -> SmeChoice:
    """The SME party with the evidence, a confidence and the candidates (catalogue §0.1).

    ``override`` (a label, an alias or part of a company name) wins when it names a
    party found in the text; a name that matches no party and is not in the text is
    reported and the detected choice is kept, so a typo cannot mask every finding.
    """
    lang = language or ("ja" if re.search(r"[\u3040-\u30ff]", text[:5000]) else "en")
    found = _as_found(parties)
    choice = decide(found, gather_evidence(found, text, lang, contract_types))
    if override and override.strip():
        ov = override.strip()
        label = match_override(ov, found)
        if label is None and ov in text:
            parties.append(Party(label=ov))
            label = ov
        if label is not None:
            return SmeChoice(label, 1.0, choice.candidates, False, "override")
        choice.source = "override_not_found"
    return choice


def choose_sme(
    parties: list[Party], text: str, contract_types: list[str], override: str | None = None, language: str | None = None
) -> str | None:
    """Label of the SME party (catalogue §0.1), and set every party's role."""
    label = assess_sme(parties, text, contract_types, language, override).label
    set_roles(parties, label)
    return label


def set_roles(parties: list[Party], label: str | None) -> None:
    for p in parties:
        p.role = "SME" if p.label == label else ("LARGE" if label is not None else "UNKNOWN")


def detection_summary(
    types: TypeDetection | None, type_source: str, parties: list[Party], sme: SmeChoice, given: str | None = None
) -> dict:
    """The ``detection`` object of Report.to_dict(): what was found and how sure it is."""
    uncertain = []
    if sme.label is None or sme.uncertain or sme.source == "override_not_found":
        uncertain.append("sme")
    if types is not None and type_source == "detected" and types.confidence < TYPE_UNCERTAIN_BELOW:
        uncertain.append("type")
    return {
        "types": {
            "codes": list(types.types) if types else [],
            "confidence": types.confidence if types else 1.0,
            "evidence": types.evidence if types else {},
            "title": types.title if types else "",
            "source": type_source,
        },
        "parties": [
            {"label": p.label, "aliases": list(p.aliases), "name": p.name, "sides": list(p.sides), "role": p.role}
            for p in parties
        ],
        "sme": {
            "label": sme.label,
            "confidence": sme.confidence,
            "source": sme.source,
            "given": given or None,
            "candidates": sme.candidates,
        },
        "uncertain": uncertain,
    }


# below this confidence the type is reported as uncertain (body counts only, close call)
TYPE_UNCERTAIN_BELOW = 0.3


def resolve_contract_types(arg, text: str, title: str | None) -> list[str]:
    """Honour an explicit --type (code, list or comma string), else detect."""
    if arg and arg != "auto":
        codes = arg if isinstance(arg, (list, tuple)) else str(arg).split(",")
        out = []
        for c in codes:
            c = c.strip().upper()
            if c == "POC":
                c = "PROTO"
            if c not in CONTRACT_TYPES:
                raise ReviewInputError(
                    "bad_type", f"unknown contract type '{c}'; use one of {', '.join(CONTRACT_TYPES)} or auto."
                )
            out.append(c)
        return out
    return detect_contract_types(text, title)
