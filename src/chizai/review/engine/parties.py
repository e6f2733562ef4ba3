"""Who the parties are, and which of them is the SME, with the evidence and a confidence.

A careful reader finds the parties where a contract introduces them: the preamble
(「X株式会社（以下「甲」という。）」, ``Orion Corp. ("Buyer")``), a key-terms table or
cover page (``Seller: Narumi Co., Ltd.``, ``| 委託者 | 株式会社X |``), a definition
(``"Buyer" means Hydra Foods Corporation``, 「発注書の名宛人を「受注者」という」) or the
signature block. Defined terms that are not parties (MNDA, SOW, Purpose, 本製品 …) are
kept out: a label counts only when it is attached to a company name or is a role word.

Which party is the SME is then weighed, not looked up: every signal a reader would use
(the role a label names, who orders and who performs, who pays whom, whose technology
the deal is about, size cues, who hands information to whom, whose duties dominate)
adds a weighted item of evidence to one party. The margin between the two best scores
gives the confidence; a small margin is reported as uncertain so that the user is asked.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

from .direction import flows, subject_of
from .document import Party

# ------------------------------------------------------------------ role lexicon

# label -> semantic role. A role word names the side of the deal, which in this
# product's setting (an SME dealing with a larger company) points to the SME or not.
ROLE_WORDS: dict[str, str] = {}
for _role, _words in {
    "supplier": ("受託者", "受注者", "請負者", "供給者", "売主", "下請事業者", "中小受託事業者", "受託事業者", "製造者",
                 "ベンダ", "ベンダー", "委託先", "受託会社", "販売者", "売手", "製造業者", "加工業者", "サプライヤー", "開発者",
                 "Independent Contractor",
                 "Supplier", "Seller", "Vendor", "Contractor", "Subcontractor", "Manufacturer", "Service Provider",
                 "Provider", "Consultant", "Developer", "Startup", "Start-up", "Fabricator", "Maker"),
    "client": ("委託者", "発注者", "注文者", "買主", "親事業者", "委託事業者", "購入者", "ユーザ", "ユーザー", "委託元",
               "発注元", "注文主", "買手", "委託会社",
               "Buyer", "Purchaser", "Customer", "Client", "Company", "Principal", "Brand Owner", "Orderer",
               "Distributor", "Reseller", "Sponsor"),
    "partner": ("Partner", "Collaborator", "Research Partner", "Development Partner"),
    "licensor": ("許諾者", "実施許諾者", "ライセンサー", "ライセンサ", "Licensor"),
    "licensee": ("実施権者", "被許諾者", "ライセンシー", "ライセンシ", "使用権者", "Licensee"),
    "discloser": ("開示者", "開示側", "情報開示者", "Discloser", "Disclosing Party"),
    "recipient": ("受領者", "受領側", "情報受領者", "Recipient", "Receiving Party"),
    "first": ("甲", "Party A", "First Party"),
    "second": ("乙", "Party B", "Second Party"),
    "third": ("丙", "丁", "Party C", "Party D"),
}.items():
    for _w in _words:
        ROLE_WORDS[_w] = _role

# Roles that name a party only when the text attaches them to a company: in a mutual
# NDA "Discloser" is whoever discloses a given piece of information, not a party.
_ATTACHED_ONLY = {"discloser", "recipient"}

# Defined terms that are never parties, whatever they are attached to.
NOT_PARTY = {
    "本契約", "本目的", "本製品", "本件", "本業務", "本研究", "本検証", "本特許", "本技術", "本ソフトウェア", "秘密情報",
    "Agreement", "Effective Date", "Purpose", "Products", "Product", "Party", "Parties", "Project", "Research",
    "Technology", "Software", "Specification", "Deliverables", "Results", "Orders", "Order", "PO", "Territory",
    "Field", "Confidential Information", "Affiliate", "Affiliates", "Application", "PoC", "Report", "MNDA", "NDA",
    "SOW", "RFQ", "Goods", "Services", "Work", "Works", "Process", "Background", "Foreground", "Improvement",
    "Improvements", "Prototypes", "Prototype", "Samples", "Know-How", "Licensed Patents", "Licensed Products",
    "Term", "Business Day", "Conditions", "Terms", "Letter", "we", "us", "you", "our", "your",
}
_NOT_PARTY_SUFFIX = re.compile(
    r"(?:Agreement|Amendment|Date|Fees?|Period|Term|Plan|Schedule|Exhibit|Products?|Services?|Territory|"
    r"Information|Act|Code|Rules?|Documents?|Specifications?|Data|Results?|Materials?|Patents?|Process|"
    r"Prototypes?|Project|Program(?:me)?|Work|Deliverables?|Technology|Conditions|Order|Price)$"
)
_LETTER_PRONOUNS = {"we": "sender", "us": "sender", "our": "sender", "you": "addressee", "your": "addressee"}

_COMPANY_EN = re.compile(
    r"([A-Z][A-Za-z0-9&.,'\- ]{1,80}?\b(?:Inc\.?|Incorporated|Corporation|Corp\.?|Co\., ?Ltd\.?|CO\., ?LTD\.?|Ltd\.?|LTD\.?|"
    r"Limited|LIMITED|K\.K\.|LLC|L\.L\.C\.|GmbH|AG|plc|PLC|S\.A\.|B\.V\.|N\.V\.|Company|COMPANY|CORPORATION|INC\.?|"
    r"Laboratories|University|LLP|LP|L\.P\.|L\.L\.P\.|S\.p\.A\.|Pte\.? Ltd\.?|Pty\.? Ltd\.?|SARL|S\.A\.S\.))(?![A-Za-z])"
)
_COMPANY_JA = re.compile(
    r"(?:株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人|国立大学法人|学校法人)"
    r"[^\s、。（）「」()]{1,30}|[^\s、。（）「」()：:|｜]{1,30}?(?:株式会社|有限会社|合同会社|合資会社|合名会社|大学|研究所|組合)"
)


@dataclass
class Evidence:
    party: str  # label of the party the evidence is about
    kind: str  # key of WEIGHTS
    text: str  # the words that show it
    start: int = 0
    end: int = 0
    factor: float = 1.0  # +1 points to the SME, -1 away from it; may be fractional


# Weight of each kind of evidence, in "points" toward being the SME. Chosen so that one
# clear statement of who orders and who performs outweighs the label convention, and
# several weak hints together outweigh one strong one. bench/review_detection.py
# checks them on split halves of the development sets.
WEIGHTS: dict[str, float] = {
    "role_label": 2.0,  # supplier/contractor vs client/buyer named by the label
    "role_licence": 0.75,  # licensor/licensee: an SME is more often the licensor, not always
    "role_disclosure": 1.5,  # discloser/recipient of a one-way NDA
    "role_convention": 0.5,  # 乙 / Party B is the usual label of the smaller party
    "commission": 3.0,  # X orders / commissions / requests work from Y: Y performs
    "perform": 0.75,  # X manufactures / delivers / builds / instructs (each, capped)
    "pays": 2.0,  # X pays Y a fee for the work: Y is the one paid
    "technology": 1.5,  # the technology or know-how is X's own
    "size": 2.0,  # size cues: 資本金, 従業員, 中小企業, start-up, legal form
    "info_flow": 0.3,  # X hands information / drawings to Y (each, capped)
    "rights_flow": 0.3,  # rights pass to Y (each, capped): the stronger side takes them
    "duties": 1.0,  # share of the one-sided duties a party bears
    "brand": 1.5,  # the brand the product is made for is X's: X is the larger (brand owner)
    "drafter": 1.0,  # the form is X's own (a letterhead naming X alone, the "we" of a letter): X is the larger
}


@dataclass
class PartyFound:
    label: str
    labels: list[str] = field(default_factory=list)  # every label as written, main first
    name: str | None = None
    roles: list[str] = field(default_factory=list)
    start: int = 0
    end: int = 0
    source: str = "preamble"  # preamble, definition, key_terms (tables, cover pages, signatures), usage


def _clean_name(name: str | None) -> str | None:
    if not name:
        return None
    name = re.sub(r"^(?:[)）]?\s*(?:と|及び|および|並びに|、|,|;|:|：))+", "", name.strip())
    name = re.split(r"\b(?:between|and|by|with|Between|And|BETWEEN|AND)\s*:?\s+", name)[-1]
    name = re.sub(r"^(?:\(\d\)|\d\.|[（(][0-9０-９]+[)）])\s*", "", name)
    if re.search(r"[A-Za-z]", name) and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", name):
        name = _trim_en_name(name.split(", ")[-1] if re.search(r",\s+[A-Z][^,]*$", name) and not re.search(r",\s*(?:Ltd|LTD|Inc|INC|L\.?L\.?C|L\.?L?\.?P\b|S\.A|N\.V|B\.V|GmbH|AG|plc|PLC)", name) else name)
    return name.strip(" ,:;\"“”") or None


def _trim_en_name(name: str) -> str:
    """'As discussed, Indus Automation Corporation' -> 'Indus Automation Corporation'."""
    tokens = name.split()
    keep: list[str] = []
    for tok in reversed(tokens):
        if tok[:1].isupper() or tok[:1].isdigit() or tok in ("&", "and", "of", "de", "für") or tok.startswith("("):
            keep.insert(0, tok)
        else:
            break
    while keep and keep[0] in ("and", "of", "&", "The", "This", "As", "By", "Between"):
        keep.pop(0)
    return " ".join(keep) or name


def _norm_key(s: str) -> str:
    """A comparable form of a label or company name (width, case, legal form, punctuation)."""
    s = unicodedata.normalize("NFKC", s or "").casefold()
    s = re.sub(r"株式会社|有限会社|合同会社|合資会社|\bco\.?,?\s*ltd\.?|\bcorporation\b|\bcorp\.?|\binc\.?|\bltd\.?|\blimited\b|\bllc\b|\bk\.k\.|\bplc\b|\bgmbh\b", "", s)
    s = re.sub(r"^the\s+", "", s)
    return re.sub(r"[\s\W_]+", "", s)


def preamble_window(text: str) -> str:
    """Where parties are introduced: up to the second article, at least 3,000 characters."""
    m = re.search(r"\n\s*(?:第\s*[2２二]\s*条|Article\s+2\b|ARTICLE\s+2\b|Section\s+2\b|2\.\s+\S)", text[:20000])
    end = m.start() if m else 4000
    return text[: max(end, 3000)]


def _party_window(text: str) -> str:
    """Preamble plus the definitions article: cover pages and 約款 define parties there."""
    return text[: max(len(preamble_window(text)), min(len(text), 8000))]


# ------------------------------------------------------------------ finding parties

_JA_DEF = re.compile(
    r"(?P<name>[^\s、。（）「」(){}]{0,40}?)\s*[（(](?:[^（）()「」]{0,40}?[。、，,]\s*)?以下[、,]?\s*(?P<labels>「[^」]{1,14}」(?:\s*(?:又は|または|若しくは|もしくは|及び|、|,)\s*「[^」]{1,14}」)*)"
    r"\s*(?:と|と総称)?(?:いう|称する|略称する)[。.]?[）)]"
)
_JA_NAMED = re.compile(r"(?P<name>[^\s、。「」]{1,40}?)を「(?P<label>[^」]{1,14})」と(?:いう|称する)")
_JA_MEANS = re.compile(r"「(?P<label>[^」]{1,14})」とは、?(?P<name>[^。]{1,60}?)を(?:いう|指す)")
_EN_PAREN = re.compile(r"\((?P<inner>[^()]{0,120}?[\"“‘'][^()]{1,120}?)\)")
_EN_QUOTED = re.compile(r"[\"“‘']+(?P<label>[A-Za-z0-9][A-Za-z0-9\-\. ]{0,30}?)[\"”’']+")
# ', referred to in this Agreement as "Company" or "Boyd"' and '(hereinafter referred to as MORPHO)'
# '(hereinafter called "MLX", or "Party")', '(hereinafter referred to as Party A)', '(hereinafter IntriCon)'
_EN_REFERRED = re.compile(
    r"(?:(?:[Hh]ereinafter|herein|below)?,?\s*(?:to\s+be\s+)?(?:referred\s+to|called|designated)(?:\s+(?:in\s+this\s+[Aa]greement|herein))?(?:\s+as)?|[Hh]ereinafter)\s+"
    r"(?:the\s+)?(?:[\"“‘'](?P<l1>[A-Z][A-Za-z0-9\-. ]{0,30}?)[\"”’'](?:,?\s+(?:or|and)\s+(?:the\s+)?[\"“‘'](?P<l2>[A-Z][A-Za-z0-9\-. ]{0,30}?)[\"”’'])?"
    r"|(?P<bare>[A-Z][A-Za-z0-9\-]{1,30}(?:\s[A-Z][A-Za-z0-9\-]{0,20}){0,2})(?=\s*(?:\)|[—–]|-\s)))")
_EN_BETWEEN = re.compile(r"\b(?:is\s+)?(?:made|entered\s+into|executed|concluded)\b[^.]{0,200}?\b(?:by\s+and\s+)?between\b", re.I)
_EN_BETWEEN_NAMES = re.compile(
    r"\b(?:agreement|contract)\s+(?:is\s+)?(?:made\s+|entered\s+into\s+)?between\s+(?P<a>[A-Za-z0-9][\w.&'\- ]{1,60}?)\s+and\s+"
    r"(?P<b>[A-Za-z0-9][\w.&'\- ]{1,60}?)(?=\s*[,;:(\n]|\.\s|\s+(?:is|are|for|on|dated|effective|as\s+of|with|who)\b)", re.I)
_EN_MEANS = re.compile(r"[\"“](?P<label>[A-Za-z][A-Za-z0-9\- ]{1,30})[\"”]\s+(?:means|shall mean|refers to|is)\s+(?P<def>[^.;\n]{1,200})")
_KEY_ROW = re.compile(r"^[ \t|｜]*(?P<label>[^\s|｜:：]{1,20}(?: [A-Z][a-z]*)?)[ \t]*(?:[|｜:：]|[ \t]{2,}|　)[ \t　]*(?P<value>[^|｜\n]{2,160})", re.M)
_EN_ROLE_SUBJECT = r"(?:shall|will|must|may|agrees?|undertakes?|warrants?|acknowledges?|confirms?)"


# a sentence ends after a lower-case word, not after "Co.", "Ltd.", "Ste. 300" or "E. Algonquin"
_SENTENCE_END = re.compile(r"(?<=[a-z]{3})\.\s+(?=[A-Z(])")


def _attached_company(before: str, language: str) -> str | None:
    """The company named just before a label definition, in the same sentence."""
    if language == "ja":
        found = list(_COMPANY_JA.finditer(before[-60:]))
        if found and len(before[-60:]) - found[-1].end() <= 4:
            return found[-1].group(0)
        return None
    # a label on its own line under the company's block ("… Toronto M5C 3B5\n\n (hereinafter called
    # "MLX")") is still attached: only text between them can detach it
    window = before[-320:].rstrip()
    # a sentence end or a previous definition in between detaches it; the dots of
    # "Co., Ltd." or "Mr." are not sentence ends
    ends = [m.end() - 1 for m in _SENTENCE_END.finditer(window)]
    # a previous quoted label ('… as "Company" or "Boyd", and Cano Petroleum, Inc. …') detaches too
    # (a plain parenthesis such as "(Registered Company No. 5701810)" does not)
    defs = [m.end() - 1 for m in re.finditer(r"\([^()]*[\"“][^()]*\)", window)]
    # a blank line ends the company's block, unless what follows it is only a short address
    # line ("…Hamburg,\n\nGermany\n\n— hereinafter referred to as Cremer")
    para = window.rfind("\n\n")
    for _ in range(3):
        if para <= 0 or len(window[para:].strip()) >= 40:
            break
        para = window.rfind("\n\n", 0, para)
    cut = max(para, window.rfind(";"), window.rfind('"'), window.rfind("”"),
              ends[-1] if ends else -1, defs[-1] if defs else -1)
    tail = window[cut + 1:]
    # "the Company" is a role word, not a company name
    found = [m for m in _COMPANY_EN.finditer(tail)
             if len(_trim_en_name(m.group(1)).split()) >= 2 and not _is_role_word(_trim_en_name(m.group(1)))]
    if found:
        return found[-1].group(1)  # the company closest to the label
    # "BERKSHIRE BANK, a Massachusetts savings bank …": the description says it is a legal person
    m = _LEGAL_PERSON.search(tail)
    if m:
        name = _trim_en_name(m.group("name").strip(" ,"))
        if name and not _is_role_word(name) and name not in NOT_PARTY:
            return name
    return None


def _squashed(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _named_in_party_list(before: str, labels: list[str]) -> str | None:
    """A short name for an entity just named in the list of parties, though no legal form
    says it is a company: '… by and between The University of Texas M. D. Anderson Cancer
    Center, with a place of business at … ("MD Anderson")'. The label must abbreviate words
    written just before it, in a sentence that lists the parties."""
    window = before[-320:]
    window = window[window.rfind("\n\n") + 1:]  # "M. D." and "Blvd." are not sentence ends
    if not re.search(r"\b(?:between|among|amongst|by\s+and|entered\s+into|made\s+by)\b", window, re.I):
        return None
    near = _squashed(window[-240:])
    words = [w.casefold() for w in re.findall(r"[A-Za-z0-9]+", window[-240:])]
    for label in labels:
        key = _squashed(label)
        if len(key) < 3 or label in NOT_PARTY or _NOT_PARTY_SUFFIX.search(label):
            continue
        if key in near or _abbreviates(re.findall(r"[A-Za-z0-9]+", label.casefold()), words):
            return label
    return None


def _abbreviates(tokens: list[str], words: list[str]) -> bool:
    """Each token starts one of ``words``, in order ("Hokuriku Tech" ← "Hokuriku Institute of
    … Technology")."""
    if len(tokens) < 2:
        return False
    at = 0
    for token in tokens:
        while at < len(words) and not words[at].startswith(token):
            at += 1
        if at == len(words):
            return False
        at += 1
    return True


_LEGAL_PERSON = re.compile(
    r"(?P<name>[A-Z][A-Za-z0-9&.'\- ]{1,60}?),?\s+(?:an?\s+(?:[A-Z][\w.]*\s+){0,3}(?:[a-z\-]+\s+){0,3}"
    r"(?:corporation|company|bank|partnership|association|foundation|university|institution|entity|organi[sz]ation|"
    r"kabushiki kaisha|trust|cooperative)\b|(?:incorporated|organi[sz]ed|existing)\s+under\b)")


def _is_role_word(label: str) -> str | None:
    return ROLE_WORDS.get(label) or ROLE_WORDS.get(label.title()) or ROLE_WORDS.get(re.sub(r"^the\s+", "", label, flags=re.I))


# nouns that are a party when a company is defined by them ("Tribune Co., a Delaware
# corporation ("Affiliate")") and a defined term otherwise
_PARTY_IF_ATTACHED = {"Affiliate", "Company", "Party", "Provider", "Developer", "Partner"}


def _acceptable(label: str, attached: bool) -> bool:
    if not label or label.startswith("本") or label.startswith("対象"):
        return False
    if label in NOT_PARTY and not (attached and label in _PARTY_IF_ATTACHED):
        return False
    role = _is_role_word(label)
    if attached:
        return not (_NOT_PARTY_SUFFIX.search(label) and not role)
    return bool(role) and role not in _ATTACHED_ONLY


def find_parties_detailed(text: str, language: str) -> list[PartyFound]:
    """Parties with every label, company name, semantic roles and where they were found."""
    head = _party_window(text)
    found: list[PartyFound] = []

    def add(labels: list[str], name: str | None, start: int, end: int, source: str, pronoun_role: str | None = None):
        labels = [l.strip() for l in labels if l and l.strip()]
        if not labels:
            return
        name = _clean_name(name)
        key_name = _norm_key(name) if name else None
        for p in found:
            same_label = any(l in p.labels for l in labels)
            same_name = key_name and p.name and _norm_key(p.name) == key_name
            if same_label or same_name:
                for l in labels:
                    if l not in p.labels:
                        p.labels.append(l)
                if name and not p.name:
                    p.name = name
                if pronoun_role and pronoun_role not in p.roles:
                    p.roles.append(pronoun_role)
                return
        p = PartyFound(label=labels[0], labels=labels, name=name, start=start, end=end, source=source)
        if pronoun_role:
            p.roles.append(pronoun_role)
        found.append(p)


    def read_en(window: str, offset: int) -> None:
        for m in _EN_PAREN.finditer(window):
            inner = m.group("inner")
            labels = [q.group("label").strip() for q in _EN_QUOTED.finditer(inner)]
            pron = next((r for w, r in _LETTER_PRONOUNS.items() if re.search(rf"[\"“]{w}[\"”]", inner, re.I)), None)
            # a label is a name; "Alder's" apostrophes must not make one. A brand written in
            # lower case or from a digit ("i-Escrow", "2TheMart") counts when a company is
            # defined by it; otherwise only capitalised words do
            labels = [l for l in labels if l.lower() not in _LETTER_PRONOUNS and re.match(r"[A-Za-z0-9][A-Za-z0-9\-. ]+$", l)]
            if not labels:
                continue
            comp = _attached_company(window[: m.start()], language)
            if comp is None:
                comp = _named_in_party_list(window[: m.start()], labels)
            labels = [l for l in labels if comp or l[0].isupper()]
            keep = [l for l in labels if _acceptable(l, bool(comp))]
            # '("MLX", or "Party")': "Party" beside a real label is the generic word every
            # party is given, and must not merge this party with the next one
            if len(keep) > 1:
                keep = [l for l in keep if l not in ("Party", "party")] or keep
            if keep and (comp or any(_is_role_word(l) for l in keep)):
                add(keep, comp, offset + m.start(), offset + m.end(), "preamble", pron)
        for m in _EN_REFERRED.finditer(window):
            labels = [l for l in (m.group("l1"), m.group("l2"), m.group("bare")) if l and l.lower() not in _LETTER_PRONOUNS]
            comp = _attached_company(window[: m.start()], language)
            keep = [l for l in labels if _acceptable(l, bool(comp))]
            if keep and (comp or any(_is_role_word(l) for l in keep)):
                add(keep, comp, offset + m.start(), offset + m.end(), "preamble")
        for m in _EN_MEANS.finditer(window):
            label, definition = m.group("label"), m.group("def")
            # "X" means <a company>: the company must be what the term means, not a word in it
            comp = _COMPANY_EN.match(re.sub(r"^(?:the\s+)", "", definition.strip()))
            if comp and (len(comp.group(1).split()) < 2 or _is_role_word(comp.group(1))):
                comp = None
            role = _is_role_word(label)
            if comp and _acceptable(label, True):
                add([label], comp.group(1), offset + m.start(), offset + m.end(), "definition")
            elif role and role not in _ATTACHED_ONLY and _acceptable(label, False):
                add([label], None, offset + m.start(), offset + m.end(), "definition")

    if language == "ja":
        for m in _JA_DEF.finditer(head):
            labels = re.findall(r"「([^」]{1,14})」", m.group("labels"))
            name = m.group("name")
            # a cover line names the role before the company: 「委託者：株式会社A（以下「甲」という。）」
            pre = re.match(r"(?P<role>[^：:]{1,10})[：:]", name or "")
            if pre and _is_role_word(pre.group("role")):
                labels.append(pre.group("role"))
                name = name[pre.end():]
            attached = bool(_COMPANY_JA.search(name or ""))
            keep = [l for l in labels if _acceptable(l, attached) or l in ("甲", "乙", "丙", "丁")]
            if keep:
                add(keep, name if _COMPANY_JA.search(name or "") else None, m.start(), m.end(), "preamble")
        for pat, source in ((_JA_NAMED, "definition"), (_JA_MEANS, "definition")):
            for m in pat.finditer(head):
                label = m.group("label")
                if _acceptable(label, False):
                    comp = _COMPANY_JA.search(m.group("name"))
                    add([label], comp.group(0) if comp else None, m.start(), m.end(), source)
    else:
        read_en(head, 0)
        if len(found) < 2:
            # a long cover page or table of contents pushes the parties' definitions past
            # the usual window: read again where the text says who contracts with whom
            at = _EN_BETWEEN.search(text, len(head) // 2, 60000)
            if at:
                offset = max(0, at.start() - 400)
                read_en(text[offset:at.end() + 4000], offset)
        if len(found) < 2:
            # no label defined at all: "This is a managed hosting agreement between AstroNutrition.com
            # and deep systems." The names themselves are what the body uses
            at = _EN_BETWEEN_NAMES.search(text[:4000])
            if at:
                for g in ("a", "b"):
                    name = _trim_en_name(at.group(g).strip())
                    if name and name not in NOT_PARTY and not _is_role_word(name) and text.count(name) >= 2:
                        add([name], name, at.start(g), at.end(g), "preamble")
    # key-terms tables, cover pages and signature blocks: "Seller: Narumi Co., Ltd."
    tail_at = max(len(head), len(text) - 3000)
    # offsets stay those of the whole text (finditer with a start position)
    for m in [*_KEY_ROW.finditer(head), *_KEY_ROW.finditer(text, tail_at)]:
        label = m.group("label").strip()
        value = m.group("value")
        role = _is_role_word(label)
        if not role:
            continue
        comp = (_COMPANY_JA if language == "ja" else _COMPANY_EN).search(value)
        # 甲/乙 and "Party A" rows name a new party only at the top ("between:\nParty A: X Corp."):
        # in a signature block they only name a party already found
        numbered_ok = role not in ("first", "second", "third") or m.start() < len(head)
        if comp and numbered_ok and not any(label in p.labels for p in found) and len(found) < 4:
            add([label], comp.group(0), m.start(), m.end(), "key_terms")
        elif comp:
            for p in found:
                # a party known only by its role word ("Consultant") gets the company's name
                if label in p.labels and (not p.name or p.name in p.labels):
                    p.name = _clean_name(comp.group(0))
    if language == "ja":
        # an order form is addressed to the supplier: 「株式会社錦プレス工業　御中」
        to = re.search(r"^\s*(?P<name>[^\n]{2,40}?)\s*御中", text[:2000], re.M)
        unnamed = [p for p in found if not p.name and "supplier" in [ROLE_WORDS.get(l) for l in p.labels]]
        if to and _COMPANY_JA.search(to.group("name")) and len(unnamed) == 1:
            unnamed[0].name = to.group("name").strip()
    if language == "ja" and not any(p.label in ("甲", "乙") for p in found) and len(found) < 2:
        # an undefined 甲/乙 is still the usual pair of labels (the definition may sit
        # on a cover page that was not uploaded)
        for label in ("甲", "乙", "丙"):
            hits = sum(text.count(label + p) for p in ("は", "が", "に", "の", "を", "と", "及び", "および", "又は", "または"))
            if hits >= 1 and text.count(label) >= 2 or hits >= 2:
                add([label], None, 0, 0, "usage")
    if language == "en" and len(found) < 2:
        # role words that act as parties throughout ("Seller shall …") without a definition
        body = text[:100000]
        for word, role in ROLE_WORDS.items():
            if role in _ATTACHED_ONLY or role in ("first", "second", "third") or not re.match(r"[A-Z]", word):
                continue
            if any(word in p.labels for p in found):
                continue
            n = len(re.findall(rf"\b(?:the\s+)?{re.escape(word)}\s+{_EN_ROLE_SUBJECT}\b", body))
            if n >= 3:
                add([word], None, 0, 0, "usage")
    for p in found:
        # the label the body uses most is the one the rules see
        counts = {l: text.count(l) for l in p.labels}
        written = list(p.labels)
        p.labels.sort(key=lambda l: (-counts[l], written.index(l)))
        p.label = p.labels[0]
        for l in p.labels:
            r = _is_role_word(l)
            if r and r not in p.roles:
                p.roles.append(r)
    return found[:4]


# ------------------------------------------------------------------ evidence for the SME

def _alt(labels: list[str]) -> str:
    return "|".join(re.escape(l) for l in sorted(set(labels), key=len, reverse=True))


def gather_evidence(parties: list[PartyFound], text: str, language: str, types: list[str]) -> list[Evidence]:
    """Every reason to think one party is (or is not) the SME, each with its kind and words."""
    ev: list[Evidence] = []
    if len(parties) < 2:
        return ev
    body = text[:60000]
    head = _party_window(text)
    # a one-way disclosure is what the deal is about only when the opening says so
    # (preamble, purpose, recitals), not a notice duty in a later article
    opening = preamble_window(text)
    for p in parties:
        for role in p.roles:
            factor = {"supplier": 1, "client": -1, "partner": 0.5, "licensor": 1, "licensee": -1, "discloser": 1,
                      "recipient": -1, "second": 1}.get(role)
            if factor is None:
                continue
            kind = {"licensor": "role_licence", "licensee": "role_licence", "discloser": "role_disclosure",
                    "recipient": "role_disclosure", "second": "role_convention"}.get(role, "role_label")
            ev.append(Evidence(p.label, kind, role, p.start, p.end, factor))
        if p.name:
            ev.extend(_size_by_name(p))
    for p in parties:
        others = [o for o in parties if o is not p]
        me = _alt(p.labels + ([p.name] if p.name else []))
        them = _alt([l for o in others for l in o.labels])
        if language == "ja":
            ev.extend(_ja_semantics(p, me, them, body, head, opening))
        else:
            ev.extend(_en_semantics(p, me, them, body, head, opening))
    # a licensor owns the licensed technology by definition: saying so is no extra sign
    licensors = {p.label for p in parties if "licensor" in p.roles}
    ev = [e for e in ev if not (e.kind == "technology" and e.party in licensors)]
    ev.extend(_size_cues(parties, text, language))
    # flows and duties are counted on the first 30,000 characters: enough to see the
    # balance, and it keeps detection cheap on long contracts
    ev.extend(_flow_evidence(parties, body[:30000]))
    ev.extend(_duty_evidence(parties, body[:30000], language))
    return ev


def _size_by_name(p: PartyFound) -> list[Evidence]:
    # legal forms that only small firms use (有限会社 has been closed to new firms since
    # 2006 and is kept by small ones; 合資・合名 are partnerships); group holding names
    # belong to large ones
    if re.search(r"有限会社|合資会社|合名会社|Yugen Kaisha|Goshi Kaisha", p.name or ""):
        return [Evidence(p.label, "size", p.name, p.start, p.end, 1.0)]
    if re.search(r"ホールディングス|グループ|Holdings|Group\b", p.name or ""):
        return [Evidence(p.label, "size", p.name, p.start, p.end, -1.0)]
    return []


_JA_ORDER = r"委託し|委託する|発注|注文し|注文する|依頼"
_JA_WORK = r"製造|製作|試作|加工|納入|納品|供給|技術指導|指導|開発|検証|試験|組立|設計"
# a fee for work: 対価, 代金, 報酬, 費用 or any 「…料」「…費」 noun except royalties (a licensee
# pays those for rights, not for work)
_JA_FEE = r"対価|代金|報酬|費用|[\u4e00-\u9fff]{0,6}(?:料|費)"
_JA_TECH = r"技術|ノウハウ|特許|発明|製法|工法|プロセス|配合|処方|レシピ|ソフトウェア|プログラム|設計"


def _in_exclusion(text: str, pos: int) -> bool:
    """True inside the usual carve-out of confidential information (information the
    recipient developed independently, already held …): not a statement about the deal."""
    a = max(text.rfind("。", 0, pos), text.rfind("\n", 0, pos), text.rfind(". ", 0, pos))
    b = [i for i in (text.find("。", pos), text.find("\n", pos)) if i >= 0]
    sentence = text[a + 1: min(b) if b else len(text)]
    return bool(re.search(r"除|該当しない|含まない|この限りでない|independently|already (?:in its possession|known)|does not include|shall not include", sentence, re.I))


def _in_grant(body: str, pos: int) -> bool:
    """True inside a licence grant (「製造…することを許諾する」, "grants … to make"): the
    verbs there describe what the licensee may do, not work someone performs."""
    end = min(len(body), pos + 200)
    stop = min([i for i in (body.find("。", pos), body.find(". ", pos)) if i >= 0] or [end])
    return bool(re.search(r"許諾|licen[cs]e|grants?\b", body[pos:stop], re.I))


def _ja_semantics(p: PartyFound, me: str, them: str, body: str, head: str, opening: str) -> list[Evidence]:
    out: list[Evidence] = []
    L = p.label
    # X orders or commissions work from Y (XはYに対し…委託し / YはXから…受託する)
    for m in re.finditer(rf"(?:{them})(?:は|が)、?(?:{me})に(?:対し[て]?)?、?[^。]{{0,80}}?(?:{_JA_ORDER})", body):
        out.append(Evidence(L, "commission", m.group(0), m.start(), m.end(), 1.0))
        break
    for m in re.finditer(rf"(?:{me})(?:は|が)、?(?:{them})(?:から|より)[^。]{{0,60}}?(?:受託|受注|請け負|引き受け)|(?:{me})(?:は|が)(?:これを)?(?:受託|受注|引き受け|請け負)", body):
        out.append(Evidence(L, "commission", m.group(0), m.start(), m.end(), 1.0))
        break
    # X performs the work (Xは…製造する / Xが行う技術指導)
    perf = [Evidence(L, "perform", m.group(0), m.start(), m.end(), 1.0)
            for m in re.finditer(rf"(?:{me})(?:が行う|が実施する|は、?[^。]{{0,40}}?(?:{_JA_WORK})(?:し|する|を行)"
                                 rf"|が[^。、]{{0,30}}?(?:{_JA_WORK})する(?!場合|とき|時|際))", body)
            if not re.search(rf"(?:{them})(?:が|は)", m.group(0)) and not _in_grant(body, m.start())]
    out.extend(perf[:3])
    # the brand is the larger side's (「甲の新ブランド向けに」)
    m = re.search(rf"(?:{me})の(?:新|自社|既存)?ブランド", opening)
    if m:
        out.append(Evidence(L, "brand", m.group(0), m.start(), m.end(), -1.0))
    # X pays Y a fee: the one paid is the one who works
    for m in re.finditer(rf"(?:{them})(?:は|が)、?(?:{me})に(?:対し[て]?)?、?[^。]{{0,60}}?(?:{_JA_FEE})[^。]{{0,40}}?支払", body):
        if re.search(r"実施料|使用料|許諾料|ライセンス料|ロイヤル?ティ", m.group(0)):
            continue
        out.append(Evidence(L, "pays", m.group(0), m.start(), m.end(), 1.0))
        break
    # who grants the licence (「甲は、乙に対し、…の実施を許諾する」): the licensor side, whatever the labels
    grant = r"(?:{a})は、?(?:{b})に(?:対し[て]?)?、?[^。]{{0,80}}?(?:実施|使用|利用|ライセンス)[^。]{{0,20}}?許諾"
    m = None if {"licensor", "licensee"} & set(p.roles) else re.search(grant.format(a=me, b=them), body)
    if m and not re.search(grant.format(a=them, b=me), body):
        out.append(Evidence(L, "role_licence", m.group(0), m.start(), m.end(), 1.0))
    # the technology is X's own (甲の保有する技術, 乙が開発した製法)
    tech = [Evidence(L, "technology", m.group(0), m.start(), m.end(), 1.0)
            for m in re.finditer(rf"(?:{me})(?:が|の)(?:長年)?(?:開発した|開発し|保有する|所有する|有する|蓄積した|培った|独自の)", head)
            if not _in_exclusion(head, m.start())]
    # the thing being evaluated or applied is offered by its maker (「甲の…を乙の…に適用できるか」)
    tech += [Evidence(L, "technology", m.group(0), m.start(), m.end(), 1.0)
             for m in re.finditer(rf"(?:{me})の[^。、]{{0,30}}?(?:を|が)(?:{them})?[^。]{{0,30}}?(?:適用|採用|使用|利用|適す)(?:できる|する|される)?か(?:否か|どうか)", head)]
    out.extend(tech[:2])
    # one-way disclosure: X discloses to Y, never the reverse
    # the verb must belong to 「Yに」 (no clause break in between: 「…場合には、甲に通知し、…開示する」 is not it)
    one_way = r"(?:{a})(?:が|は)、?[^。]{{0,40}}?(?:{b})に(?:対し[て]?、?)?[^。、]{{0,30}}?(?:開示|提供)する"
    if re.search(one_way.format(a=me, b=them), opening) and not re.search(one_way.format(a=them, b=me), opening):
        out.append(Evidence(L, "technology", "one-way disclosure", 0, 0, 1.0))
    return out


_EN_ORDER = r"engages?|retains?|commissions?|appoints?|orders?|requests?|(?:wishes|would like) to (?:evaluate|engage|purchase|order|commission)|issues? (?:an? )?(?:purchase )?orders?"
_EN_WORK = r"manufactur\w*|build|deliver|supply|supplies|fabricat\w*|perform|provide (?:the )?services|develop|design and manufacture|produce|test|install|train"
_EN_TECH = r"has developed|have developed|developed its own|its own|proprietary|owns|designs and (?:manufactures|builds)|know-how|has built"


def _en_semantics(p: PartyFound, me: str, them: str, body: str, head: str, opening: str) -> list[Evidence]:
    out: list[Evidence] = []
    L = p.label
    the = r"(?:the\s+)?"
    m = re.search(rf"\b{the}(?:{them})\s+(?:hereby\s+)?(?:{_EN_ORDER})\b[^.;]{{0,60}}?\b{the}(?:{me})\b", body)
    if m:
        out.append(Evidence(L, "commission", m.group(0), m.start(), m.end(), 1.0))
    m = re.search(rf"(?:orders?|purchase orders?|requests?)\s+(?:issued|placed)\s+by\s+{the}(?:{them})\b|\b{the}(?:{me})\s+(?:shall|will|agrees to)\s+accept\w*\s+(?:the\s+)?(?:orders?|engagement)", body)
    if m:
        out.append(Evidence(L, "commission", m.group(0), m.start(), m.end(), 1.0))
    grant = r"\b{the}(?:{a})\s+(?:hereby\s+)?grants?\s+(?:to\s+)?{the}(?:{b})\b[^.;]{{0,80}}?licen[cs]e"
    m = None if {"licensor", "licensee"} & set(p.roles) else re.search(grant.format(the=the, a=me, b=them), body)
    if m and not re.search(grant.format(the=the, a=them, b=me), body):
        out.append(Evidence(L, "role_licence", m.group(0), m.start(), m.end(), 1.0))
    perf = [Evidence(L, "perform", m.group(0), m.start(), m.end(), 1.0)
            for m in re.finditer(rf"\b{the}(?:{me})\s+(?:shall|will|must|agrees to|undertakes to)\s+(?:\w+\s+){{0,2}}?(?:{_EN_WORK})\b", body)
            if not _in_grant(body, m.start())]
    out.extend(perf[:3])
    m = re.search(rf"\b{the}(?:{me})['’]s\s+(?:own\s+|new\s+|existing\s+)?brands?\b|\bunder\s+{the}(?:{me})['’]s\s+(?:\w+\s+)?(?:brand|trade ?marks?)", opening)
    if m:
        out.append(Evidence(L, "brand", m.group(0), m.start(), m.end(), -1.0))
    m = re.search(rf"\b{the}(?:{them})\s+(?:shall|will|must|agrees to)\s+pay\b[^.;]{{0,80}}?(?:\bto\s+{the}(?:{me})\b|fee|price|charges|compensation|remuneration)|fees?\s+payable\s+by\s+{the}(?:{them})\b", body)
    if m and "royalt" not in m.group(0).lower():
        out.append(Evidence(L, "pays", m.group(0), m.start(), m.end(), 1.0))
    tech = [Evidence(L, "technology", m.group(0), m.start(), m.end(), 1.0)
            for m in re.finditer(rf"\b{the}(?:{me})(?:['’]s\s+(?:own\s+|proprietary\s+)?(?:[\w-]+\s+){{0,3}}(?:technology|know-how|process|formula|invention|patents?)\b|\s+(?:{_EN_TECH})\b)", head)]
    # the thing being evaluated or applied is offered by its maker ("whether X's coating can be applied")
    tech += [Evidence(L, "technology", m.group(0), m.start(), m.end(), 1.0)
             for m in re.finditer(rf"\b(?:whether|evaluat\w*(?:\s+of)?|assess\w*(?:\s+of)?|test\w*(?:\s+of)?)\s+{the}(?:{me})['’]s\b", head)]
    out.extend(tech[:2])
    # a party that buys from suppliers is the customer side
    m = re.search(rf"\b{the}(?:{me})\s+(?:\w+\s+){{0,6}}?(?:procures?|purchases?|sources?|buys?)\b[^.;]{{0,80}}?\bfrom\s+(?:\w+\s+){{0,2}}(?:suppliers|vendors|subcontractors)", head)
    if m:
        out.append(Evidence(L, "role_label", m.group(0), m.start(), m.end(), -0.5))
    if re.search(rf"\b{the}(?:{me})\s+(?:is willing to|wishes to|will|shall|may)\s+disclose\b[^.;]{{0,80}}?\bto\s+{the}(?:{them})\b", opening) and not re.search(
            rf"\b{the}(?:{them})\s+(?:is willing to|wishes to|will|shall|may)\s+disclose\b[^.;]{{0,80}}?\bto\s+{the}(?:{me})\b", opening):
        out.append(Evidence(L, "technology", "one-way disclosure", 0, 0, 1.0))
    # the form is this party's own: its name heads the document, or "Buyer's terms"
    # (a letterhead: a short first line naming this party and no other)
    first = text_first_line(head)
    if (p.name and first and len(first) <= 80 and _norm_key(p.name) and _norm_key(p.name) in _norm_key(first)
            and not re.search(them, first)):
        out.append(Evidence(L, "drafter", first, 0, len(first), -1.0))
    if "sender" in p.roles:
        out.append(Evidence(L, "drafter", "we / us", p.start, p.end, -0.5))
    return out


def text_first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


_SIZE_SMALL_JA = r"中小企業|小規模事業者|スタートアップ|ベンチャー企業"
_SIZE_SMALL_EN = r"small(?:\s+and\s+medium(?:-sized)?)?\s+(?:business|enterprise|company)|\bSME\b|start-?up(?:\s+company)?\b"


def _number(raw: str) -> float | None:
    """「3,000」「１．５」 as a number; None for what only looks like one ("." , ",,")."""
    try:
        return float(unicodedata.normalize("NFKC", raw).replace(",", ""))
    except ValueError:
        return None


def _size_cues(parties: list[PartyFound], text: str, language: str) -> list[Evidence]:
    """資本金, 従業員数 and words such as 中小企業 / start-up said of one party."""
    out: list[Evidence] = []
    head = _party_window(text)
    capital: dict[str, float] = {}
    staff: dict[str, float] = {}
    for p in parties:
        me = _alt(p.labels + ([p.name] if p.name else []))
        small = _SIZE_SMALL_JA if language == "ja" else _SIZE_SMALL_EN
        m = re.search(rf"(?:{me})[^。.\n]{{0,40}}?(?:{small})|(?:{small})[^。.\n]{{0,10}}?(?:である|であり)?(?:{me})(?:は|が|\s+is)", head, re.I)
        if m:
            out.append(Evidence(p.label, "size", m.group(0), m.start(), m.end(), 1.0))
        c = re.search(rf"(?:{me})[^。\n]{{0,80}}?(?:資本金|capital(?: of)?)[^0-9０-９]{{0,10}}([0-9０-９,，.]+)\s*(億|万|百万|million|billion)?", head, re.I)
        num = _number(c.group(1)) if c else None
        if num is not None:
            num *= {"億": 1e8, "万": 1e4, "百万": 1e6, "million": 1e6, "billion": 1e9}.get((c.group(2) or "").lower(), 1)
            capital[p.label] = num
        s = re.search(rf"(?:{me})[^。\n]{{0,80}}?(?:従業員(?:数)?|employees?)[^0-9０-９]{{0,10}}([0-9０-９,，]+)", head, re.I)
        count = _number(s.group(1)) if s else None
        if count is not None:
            staff[p.label] = count
    for measure in (capital, staff):
        if len(measure) >= 2:
            small_one = min(measure, key=measure.get)
            big = max(measure.values())
            if big > 0 and measure[small_one] <= big / 3:
                out.append(Evidence(small_one, "size", "smaller capital or staff", 0, 0, 1.0))
    return out


def _flow_evidence(parties: list[PartyFound], body: str) -> list[Evidence]:
    labels = [p.label for p in parties]
    info: dict[str, int] = {}
    rights: dict[str, int] = {}
    for f in flows(body, labels):
        if f.kind == "information" and f.source:
            info[f.source] = info.get(f.source, 0) + 1
        elif f.kind == "rights" and f.target and not re.search(r"許諾|licen[cs]|grant", f.text, re.I):
            rights[f.target] = rights.get(f.target, 0) + 1
    out = [Evidence(l, "info_flow", f"{n} disclosures", 0, 0, min(n, 5)) for l, n in info.items()]
    out += [Evidence(l, "rights_flow", f"{n} transfers", 0, 0, -min(n, 5)) for l, n in rights.items()]
    return out


def _duty_evidence(parties: list[PartyFound], body: str, language: str) -> list[Evidence]:
    """The party that bears most of the one-sided duties is usually the weaker one."""
    labels = [p.label for p in parties]
    counts = {l: 0 for l in labels}
    sentences = re.split(r"(?<=。)|(?<=[.;])\s+(?=[A-Z(])", body)
    permission = re.compile(r"(?:ことが)?できる。?$|\bmay\b|\bis entitled\b|\bhas the right\b", re.I)
    for s in sentences:
        s = s.strip()
        if not s or len(s) > 600 or permission.search(s[-40:] if language == "ja" else s):
            continue
        who = subject_of(s, labels)
        if who in counts:
            counts[who] += 1
    total = sum(counts.values())
    if total < 6:
        return []
    share = 1.0 / len(labels)
    return [Evidence(l, "duties", f"{n} of {total} duties", 0, 0, round((n / total - share) * 2, 2))
            for l, n in counts.items() if n / total != share]


# ------------------------------------------------------------------ deciding

@dataclass
class SmeChoice:
    label: str | None
    confidence: float
    candidates: list[dict]  # [{label, name, score, evidence: [{kind, weight, text}]}], best first
    uncertain: bool
    source: str  # detected, override, override_not_found


def score_parties(parties: list[PartyFound], evidence: list[Evidence], weights: dict[str, float] | None = None) -> dict[str, float]:
    w = weights or WEIGHTS
    scores = {p.label: 0.0 for p in parties}
    for e in evidence:
        if e.party in scores:
            scores[e.party] += w.get(e.kind, 0.0) * e.factor
    return scores


def decide(parties: list[PartyFound], evidence: list[Evidence], weights: dict[str, float] | None = None) -> SmeChoice:
    """Best-scoring party; confidence from the margin over the runner-up."""
    if not parties:
        return SmeChoice(None, 0.0, [], True, "detected")
    scores = score_parties(parties, evidence, weights)
    order = sorted(parties, key=lambda p: (-scores[p.label], parties.index(p)))
    if len(order) == 1:
        margin = 0.0
    else:
        margin = scores[order[0].label] - scores[order[1].label]
    confidence = round(1 - math.exp(-margin / 2.0), 2) if len(order) > 1 else 0.0
    w = weights or WEIGHTS
    cands = [{
        "label": p.label, "labels": list(p.labels), "name": p.name, "roles": list(p.roles), "score": round(scores[p.label], 2),
        "evidence": [{"kind": e.kind, "weight": round(w.get(e.kind, 0.0) * e.factor, 2), "text": e.text[:120]}
                     for e in evidence if e.party == p.label],
    } for p in order]
    return SmeChoice(order[0].label, confidence, cands, confidence < UNCERTAIN_BELOW, "detected")


# below this confidence (a margin of about 1.4 points, i.e. less than one clear signal)
# the SME is reported as uncertain and the web asks the user
UNCERTAIN_BELOW = 0.5


def match_override(override: str, parties: list[PartyFound] | list[Party]) -> str | None:
    """The label of the party the user named: a label, an alias or (part of) its company name."""
    key = _norm_key(override)
    if not key:
        return None
    for p in parties:
        labels = getattr(p, "labels", None) or [p.label]
        if any(_norm_key(l) == key for l in labels):
            return p.label
    for p in parties:
        nk = _norm_key(p.name or "")
        if nk and len(key) >= 2 and (key in nk or nk in key):
            return p.label
    return None
