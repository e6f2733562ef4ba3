"""Language, contract type, parties, and which party is the SME.

Direction matters for almost every rule (catalogue §0.1, §0.4): the same clause is
harmless when it protects the SME and harmful when it binds it. This module finds
the party labels as the text defines them and decides which one is the SME, and
gives the rules engine small helpers (``subject_of``, ``flows``) to read direction.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Party, ReviewInputError

CONTRACT_TYPES = ("NDA", "MFG", "PROTO", "JRD", "DEV", "LIC")

# ------------------------------------------------------------------ language

_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\uff66-\uff9d]")
_CJK = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_EN_STOP = frozenset(
    "the and of to in or a an by any be is are this that with for shall will may not such as on "
    "at from its it which all each other party parties agreement hereby under".split()
)


def language_scores(text: str) -> dict[str, float]:
    sample = text[:60000]
    kana = len(_KANA.findall(sample))
    cjk = len(_CJK.findall(sample))
    words = _LATIN_WORD.findall(sample)
    latin = sum(len(w) for w in words)
    stop = sum(1 for w in words if w.lower() in _EN_STOP)
    return {"kana": kana, "cjk": cjk, "latin": latin, "words": len(words), "en_stop": stop}


def detect_language(text: str, filename: str = "document") -> str:
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
    ("NDA", re.compile(r"秘密保持|機密保持|守秘|non[- ]?disclosure|confidentiality agreement|\bNDA\b", re.I)),
    ("PROTO", re.compile(r"試作|技術検証|PoC|proof of concept|評価用|サンプル提供|evaluation agreement|prototype|feasibility", re.I)),
    ("JRD", re.compile(r"共同研究|共同開発|joint (research|development)|collaborat|research agreement|co-?development", re.I)),
    ("LIC", re.compile(r"ライセンス|実施許諾|使用許諾|利用許諾|licen[cs]e", re.I)),
    ("DEV", re.compile(r"開発委託|開発業務|ソフトウェア開発|システム開発|受託開発|development agreement|software development|development services", re.I)),
    ("MFG", re.compile(r"製造委託|取引基本|売買基本|基本取引|金型|OEM|外注|購買|調達|部品|supply|purchase|manufactur|procurement|terms and conditions|distribut|outsourc", re.I)),
]
# body keywords per type, used for mixed contracts and when the title says nothing
_BODY_KEYWORDS: dict[str, re.Pattern] = {
    "NDA": re.compile(r"秘密情報|秘密保持|confidential information|non-disclosure|開示者|受領者|discloser|recipient", re.I),
    "MFG": re.compile(r"発注|受注|納入|納品|検収|個別契約|単価|金型|注文書|purchase order|deliver(y|ies)|unit price|\bbuyer\b|\bsupplier\b|forecast", re.I),
    "PROTO": re.compile(r"試作|技術検証|本検証|PoC|proof of concept|prototype|評価結果|sample|サンプル|evaluation", re.I),
    "JRD": re.compile(r"共同研究|共同開発|共同発明|共有|役割分担|研究成果|joint(ly)? (research|develop)|jointly owned|background (ip|information)|バックグラウンド", re.I),
    "DEV": re.compile(r"開発委託|委託業務|成果物|委託料|検収|deliverables?|development fee|acceptance test|specification", re.I),
    "LIC": re.compile(r"実施許諾|実施権|ライセンス|ロイヤルティ|実施料|licen[cs]e[ed]?|royalt(y|ies)|licensee|licensor|sublicen", re.I),
}


def detect_contract_types(text: str, title: str | None = None) -> list[str]:
    """Contract types, primary first (title decides it; body keyword counts otherwise)."""
    head = title or ""
    if not head:
        head = " ".join(l.strip() for l in text.strip().splitlines()[:3] if len(l.strip()) <= 120)
    primary = None
    title_types: list[str] = []
    # some texts have no title line (whole paragraphs on one line): the opening
    # words usually carry the name of the agreement
    for candidate in (head, text[:300]):
        title_types = [typ for typ, pat in _TITLE_RULES if pat.search(candidate)]
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
    if primary is None:
        # every contract has a confidentiality clause, so NDA words count half here
        weighted = {t: (v / 2 if t == "NDA" else v) for t, v in scores.items()}
        best = max(weighted.items(), key=lambda kv: kv[1])
        primary = best[0] if best[1] > 0 else "MFG"
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
    return types


# ------------------------------------------------------------------ parties

SME_LABELS = (
    "乙", "受託者", "受注者", "中小受託事業者", "下請事業者", "供給者", "売主", "受託事業者", "ライセンサー",
    "Supplier", "Seller", "Contractor", "Vendor", "Startup", "Start-up", "Partner", "Consultant",
    "Developer", "Service Provider", "Manufacturer", "Licensor", "Subcontractor",
)
LARGE_LABELS = (
    "甲", "委託者", "発注者", "委託事業者", "親事業者", "買主", "ライセンシー",
    "Buyer", "Purchaser", "Customer", "Company", "Client", "Licensee", "Corporation", "Principal",
)
_ROLE_NOT_PARTY = {
    "本契約", "本目的", "本製品", "本件", "本業務", "本研究", "本検証", "本特許", "本技術", "本ソフトウェア", "秘密情報",
    "Agreement", "Effective Date", "Purpose", "Products", "Product", "Party", "Parties", "Project", "Research",
    "Technology", "Software", "Specification", "Deliverables", "Results", "Orders", "PO", "Territory", "Field",
    "Confidential Information", "Discloser", "Recipient", "Affiliate", "Application", "PoC", "Report",
}
_NOT_PARTY_SUFFIX = re.compile(r"(?:Agreement|Amendment|Date|Fee|Fees|Period|Term|Plan|Schedule|Exhibit|Products?|Services?|Territory|Information|Act|Code|Rules?)$")
_JA_DEF = re.compile(r"(?P<name>[^\s、。（）「」(){}]{1,40}?)\s*[（(]以下[、,]?\s*「(?P<label>[^」]{1,12})」\s*(?:と|と総称)?(?:いう|称する)[。.]?[）)]")
_EN_DEF = re.compile(
    r"\((?:the\s+|each\s+a\s+|hereinafter(?:\s+referred\s+to\s+as)?\s+|referred\s+to\s+as\s+)?(?:the\s+)?[\"“](?P<label>[A-Za-z][A-Za-z0-9\- ]{1,30})[\"”]\)"
)
_COMPANY = re.compile(
    r"([A-Z][A-Za-z0-9&.,'\- ]{1,80}?(?:Inc\.?|Incorporated|Corporation|Corp\.?|Co\., ?Ltd\.?|Ltd\.?|Limited|K\.K\.|LLC|L\.L\.C\.|GmbH|AG|plc|PLC|S\.A\.|B\.V\.|N\.V\.|Company|Laboratories|University|LLP|LP))"
)
_JA_COMPANY = re.compile(r"株式会社|有限会社|合同会社|合資会社|合名会社|社団法人|財団法人|大学|研究所|組合|法人|X社|Y社|[A-ZＡ-Ｚ]社")


@dataclass
class Flow:
    kind: str  # information, rights, money, goods
    source: str | None
    target: str | None
    start: int
    end: int
    text: str


def find_parties(text: str, language: str) -> list[Party]:
    """Party labels as the contract defines them, in order of appearance."""
    head = _preamble_window(text)
    parties: list[Party] = []
    seen: set[str] = set()
    if language == "ja":
        for m in _JA_DEF.finditer(head):
            label = m.group("label").strip()
            name = m.group("name").strip()
            if label in seen or label in _ROLE_NOT_PARTY or label.startswith("本"):
                continue
            name = re.sub(r"^(?:[)）]?\s*(?:と|及び|および|並びに|、))+", "", name).strip() or None
            if label in SME_LABELS or label in LARGE_LABELS or label in ("丙", "丁") or (name and _JA_COMPANY.search(name)):
                parties.append(Party(label=label, name=name))
                seen.add(label)
        if not parties:
            # an undefined 甲/乙 is still the usual pair of labels (the definition may
            # sit on a cover page that was not uploaded)
            for label in ("甲", "乙", "丙"):
                hits = sum(text.count(label + p) for p in ("は", "が", "に", "の", "を", "と", "及び", "および", "又は", "または"))
                if hits >= 1 and text.count(label) >= 2 or hits >= 2:
                    parties.append(Party(label=label))
    else:
        for m in _EN_DEF.finditer(head):
            label = m.group("label").strip()
            if label in seen or label in _ROLE_NOT_PARTY or _NOT_PARTY_SUFFIX.search(label):
                continue
            before = head[max(0, m.start() - 200): m.start()]
            comp = [c for c in _COMPANY.finditer(before)
                    if len(before) - c.end() <= 60 and "\n" not in c.group(1) and not c.group(1).startswith("The ")]
            known = label in SME_LABELS or label in LARGE_LABELS
            # a defined term that keeps acting as a subject ("Licensee shall …") is a party
            acts = not comp and not known and len(re.findall(rf"\b{re.escape(label)}\s+(?:shall|will|may|agrees)\b", text[:100000])) >= 2
            if comp or known or acts:
                name = comp[-1].group(1).strip(" ,") if comp else None
                if name:
                    # "made on 1 April 2026 between Orion Corp." -> "Orion Corp."
                    name = re.split(r"\b(?:between|and|by|with|Between|And)\s*:?\s+", name)[-1].strip(" ,:")
                parties.append(Party(label=label, name=name))
                seen.add(label)
    return parties[:4]


def _preamble_window(text: str) -> str:
    """The part of the text where parties are introduced: up to the second article."""
    m = re.search(r"\n\s*(?:第\s*[2２二]\s*条|Article\s+2\b|ARTICLE\s+2\b|Section\s+2\b|2\.\s+\S)", text[:20000])
    end = m.start() if m else 4000
    return text[: max(end, 3000)]


def choose_sme(parties: list[Party], text: str, contract_types: list[str], override: str | None = None) -> str | None:
    """Label of the SME party (catalogue §0.1), and set every party's role."""
    label = None
    if override:
        ov = override.strip()
        for p in parties:
            if p.label == ov or (p.name and ov.lower() in p.name.lower()):
                label = p.label
                break
        if label is None:
            parties.append(Party(label=ov))
            label = ov
    elif parties:
        label = _guess_sme(parties, text, contract_types)
    for p in parties:
        p.role = "SME" if p.label == label else ("LARGE" if label is not None else "UNKNOWN")
    return label


def _guess_sme(parties: list[Party], text: str, types: list[str]) -> str | None:
    labels = [p.label for p in parties]
    head = _preamble_window(text)
    if "甲" in labels and "乙" in labels:
        score = {"甲": 0.0, "乙": 0.5}  # 乙 is the usual SME (§0.1)
        for who, other in (("甲", "乙"), ("乙", "甲")):
            # the party that developed or owns the technology discloses it and is the SME
            if re.search(rf"{who}(?:が|の)(?:開発|保有|所有|有する|研究)", head):
                score[who] += 2
            # rights that already belong to one party (a licence after joint R&D): that party owns the technology
            if re.search(rf"{who}に(?:単独)?帰属した(?:特許|知的財産|権利)", head):
                score[who] += 2
            # the party that provides its technology or service to the other
            if re.search(rf"{who}(?:は|が)、?{other}に(?:対し[て]?)?、?(?:本サービス|本学習済みモデル|本技術)を?(?:提供|利用させ)", text[:30000]):
                score[who] += 1
            if re.search(rf"{who}が{other}に(?:対し[て]?)?(?:開示|提供)する(?:情報|技術|秘密)", head) and not re.search(rf"{other}が{who}に(?:対し[て]?)?開示", head):
                score[who] += 2
            # the party that orders or commissions the work is the large one
            if re.search(rf"{who}が{other}に(?:対し[て]?)?[^。]{{0,30}}(?:発注|委託|注文)", head):
                score[other] += 2
            # licensor
            if re.search(rf"{who}(?:は|が)、?{other}に(?:対し[て]?)?[^。]{{0,80}}(?:実施|使用|利用)を?許諾", text[:30000]):
                if "LIC" in types:
                    score[who] += 3
        return "甲" if score["甲"] > score["乙"] else "乙"
    sme = [l for l in labels if l in SME_LABELS and l not in ("乙",)]
    large = [l for l in labels if l in LARGE_LABELS and l not in ("甲",)]
    if len(sme) == 1:
        return sme[0]
    if "Licensor" in sme and "LIC" in types:
        return "Licensor"
    if sme:
        return sme[0]
    if large and len(labels) == 2:
        return next(l for l in labels if l not in large) if any(l not in large for l in labels) else labels[1]
    # defined by company name only: the party whose technology the deal is about
    tech = {}
    for l in labels:
        tech[l] = len(re.findall(rf"{re.escape(l)}['’]s\s+(?:[\w-]+\s+){{0,3}}(?:technology|coating|process|know-how|material|software|invention|patent|formula|product|sensor)", text[:20000], re.I))
        tech[l] += len(re.findall(rf"{re.escape(l)}(?:が|の)(?:開発|保有)", text[:20000]))
    ranked = sorted(labels, key=lambda l: tech[l], reverse=True)
    if len(ranked) >= 2 and tech[ranked[0]] > tech[ranked[1]]:
        return ranked[0]
    return labels[1] if len(labels) >= 2 else labels[0]


# ------------------------------------------------------------------ direction helpers

_MUTUAL_JA = re.compile(r"^(?:ただし、|なお、)?\s*(?:甲(?:および|及び|又は|または)?乙|甲乙|各当事者|両当事者|当事者双方|いずれの当事者)(?:は|が|も)")
_MUTUAL_EN = re.compile(r"^\s*(?:each party|either party|the parties|both parties|neither party|each of the parties)\b", re.I)


def subjects_of(segment_text: str, parties: list[Party] | list[str]) -> list[str]:
    """Every party label that is the grammatical subject (or topic) of the clause."""
    labels = [p.label if isinstance(p, Party) else p for p in parties]
    if not labels:
        return []
    t = segment_text.strip()
    t = re.sub(r"^(?:第\s*\S{1,4}\s*条(?:\s*[(（][^)）]*[)）])?|[0-9０-９]{1,2}[\s　.．]|[(（][0-9０-９a-z]{1,3}[)）]|[①-⑳]|[0-9.]+\s)\s*", "", t)
    if _MUTUAL_JA.match(t) or _MUTUAL_EN.match(t):
        return list(labels[:2])
    alt = "|".join(re.escape(l) for l in sorted(labels, key=len, reverse=True))
    # Japanese: the topic 「Xは」 is the actor; fall back to 「Xが」
    m = re.search(rf"(?<![A-Za-z])(?P<l>{alt})(?:\s*(?:および|及び|又は|または|並びに|ならびに)\s*(?P<l2>{alt}))?(?:は|が|において)", t)
    if m and re.search(r"[\u3040-\u30ff]", t[:200]):
        topic = re.search(rf"(?<![A-Za-z])(?P<l>{alt})(?:\s*(?:および|及び|又は|または)\s*(?P<l2>{alt}))?は(?!除)", t)
        if topic is None:
            # 「乙が提供した図面は、甲に帰属する」: the 「が」 clause only modifies the real
            # topic (図面), which is not a party; a conditional 「…場合は」 does not count
            rest = t[m.end():]
            if re.search(r"(?<!場合)(?<!とき)(?<!時)(?<!際)(?<!限り)は、", rest):
                return []
        m = topic or m
        return [x for x in (m.group("l"), m.group("l2")) if x]
    # English: "<Label> shall ...", "The <Label> may ..."
    m = re.search(
        rf"\b(?:the\s+)?(?P<l>{alt})(?:\s+(?:and|or)\s+(?:the\s+)?(?P<l2>{alt}))?\s+"
        r"(?:shall|will|must|may|agrees?|undertakes?|warrants?|represents?|acknowledges?|grants?|hereby|covenants?|"
        r"is|are|has|have|does|should|can|cannot|retains?|owns?|assigns?|bears?|pays?|provides?|delivers?|keeps?)\b",
        t, re.I,
    )
    if m:
        return [x for x in (m.group("l"), m.group("l2")) if x]
    return []


def subject_of(segment_text: str, parties: list[Party] | list[str]) -> str | None:
    """The party bound by or acting in the clause (「乙は…しなければならない」, "Supplier shall …").

    None when no party is the subject or both are (mutual clause).
    """
    subs = subjects_of(segment_text, parties)
    if len(set(subs)) == 1:
        return subs[0]
    return None


_FLOW_VERBS_JA = {
    "information": r"開示|提供|交付|引き渡|引渡|貸与|報告|通知",
    "rights": r"譲渡|移転|許諾|実施権を設定|帰属させ",
    "money": r"支払|対価を支払|負担",
    "goods": r"納入|納品|引き渡|提供",
}
_FLOW_VERBS_EN = {
    "information": r"disclos\w*|provid\w*|furnish\w*|deliver\w*|make available|made available|report\w*|transfer\w* (?:all )?(?:data|information)",
    "rights": r"assign\w*|grant\w*|transfer\w*|licens\w*|convey\w*",
    "money": r"pay\w*|reimburs\w*",
}


def flows(segment, parties: list[Party] | list[str]) -> list[Flow]:
    """Rights, information and money flows between parties in a clause (best effort).

    ``segment`` is a Segment or a plain string. Spans are relative to its text.
    Japanese: 「XがYに(対し)…開示」 / 「Yに帰属」; English: "X shall disclose … to Y",
    "X hereby assigns … to Y", "disclosed by X to Y", "vest in Y".
    """
    text = segment if isinstance(segment, str) else segment.text
    labels = [p.label if isinstance(p, Party) else p for p in parties]
    if not labels or not text:
        return []
    alt = "|".join(re.escape(l) for l in sorted(labels, key=len, reverse=True))
    out: list[Flow] = []
    for kind, verbs in _FLOW_VERBS_JA.items():
        for m in re.finditer(rf"(?P<a>{alt})(?:は|が)、?(?:[^。]{{0,40}}?)(?P<b>{alt})(?:に対し[て]?|へ|に)、?[^。]{{0,80}}?(?:{verbs})", text):
            if m.group("a") != m.group("b"):
                out.append(Flow(kind, m.group("a"), m.group("b"), m.start(), m.end(), m.group(0)))
    for m in re.finditer(rf"(?P<b>{alt})に(?:帰属|移転)", text):
        out.append(Flow("rights", None, m.group("b"), m.start(), m.end(), m.group(0)))
    for kind, verbs in _FLOW_VERBS_EN.items():
        for m in re.finditer(rf"\b(?:the\s+)?(?P<a>{alt})\s+(?:shall|will|must|hereby|agrees to|may)?\s*(?:hereby\s+)?(?:{verbs})\b[^.;]{{0,120}}?\bto\s+(?:the\s+)?(?P<b>{alt})\b", text, re.I):
            if m.group("a") != m.group("b"):
                out.append(Flow(kind, m.group("a"), m.group("b"), m.start(), m.end(), m.group(0)))
        for m in re.finditer(rf"(?:{verbs})\s+by\s+(?:the\s+)?(?P<a>{alt})\s+to\s+(?:the\s+)?(?P<b>{alt})\b", text, re.I):
            out.append(Flow(kind, m.group("a"), m.group("b"), m.start(), m.end(), m.group(0)))
    for m in re.finditer(rf"\b(?:vest\w*\s+in|owned\s+(?:solely\s+|exclusively\s+)?by|(?:sole\s+and\s+exclusive\s+|exclusive\s+)?property\s+of)\s+(?:the\s+)?(?P<b>{alt})\b", text, re.I):
        out.append(Flow("rights", None, m.group("b"), m.start(), m.end(), m.group(0)))
    out.sort(key=lambda f: (f.start, f.end))
    return out


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
                raise ReviewInputError("bad_type", f"unknown contract type '{c}'; use one of {', '.join(CONTRACT_TYPES)} or auto.")
            out.append(c)
        return out
    return detect_contract_types(text, title)
