"""Who the parties are: labels, company names and the roles their labels name.

A careful reader finds the parties where a contract introduces them: the preamble
(「X株式会社（以下「甲」という。）」, ``Orion Corp. ("Buyer")``), a key-terms table or
cover page (``Seller: Narumi Co., Ltd.``, ``| 委託者 | 株式会社X |``), a definition
(``"Buyer" means Hydra Foods Corporation``, 「発注書の名宛人を「受注者」という」), the
signature block, or, when nothing is defined, "an agreement between A and B". Defined
terms that are not parties (MNDA, SOW, Purpose, 本製品 …) are kept out: a label counts only
when it is attached to a company name or is a role word.

Which party is the SME is weighed in ``sme`` from the parties found here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .document import Party

# ------------------------------------------------------------------ role lexicon

# label -> semantic role. A role word names the side of the deal, which in this
# product's setting (an SME dealing with a larger company) points to the SME or not.
ROLE_WORDS: dict[str, str] = {}
for _role, _words in {
    "supplier": (
        "受託者",
        "受注者",
        "請負者",
        "供給者",
        "売主",
        "下請事業者",
        "中小受託事業者",
        "受託事業者",
        "製造者",
        "ベンダ",
        "ベンダー",
        "委託先",
        "受託会社",
        "販売者",
        "売手",
        "製造業者",
        "加工業者",
        "サプライヤー",
        "開発者",
        "Independent Contractor",
        "Supplier",
        "Seller",
        "Vendor",
        "Contractor",
        "Subcontractor",
        "Manufacturer",
        "Service Provider",
        "Provider",
        "Consultant",
        "Developer",
        "Startup",
        "Start-up",
        "Fabricator",
        "Maker",
    ),
    "client": (
        "委託者",
        "発注者",
        "注文者",
        "買主",
        "親事業者",
        "委託事業者",
        "購入者",
        "ユーザ",
        "ユーザー",
        "委託元",
        "発注元",
        "注文主",
        "買手",
        "委託会社",
        "Buyer",
        "Purchaser",
        "Customer",
        "Client",
        "Company",
        "Principal",
        "Brand Owner",
        "Orderer",
        "Distributor",
        "Reseller",
        "Sponsor",
        "OEM",
    ),
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
    "本契約",
    "本目的",
    "本製品",
    "本件",
    "本業務",
    "本研究",
    "本検証",
    "本特許",
    "本技術",
    "本ソフトウェア",
    "秘密情報",
    "Agreement",
    "Effective Date",
    "Purpose",
    "Products",
    "Product",
    "Party",
    "Parties",
    "Project",
    "Research",
    "Technology",
    "Software",
    "Specification",
    "Deliverables",
    "Results",
    "Orders",
    "Order",
    "PO",
    "Territory",
    "Field",
    "Confidential Information",
    "Affiliate",
    "Affiliates",
    "Application",
    "PoC",
    "Report",
    "MNDA",
    "NDA",
    "SOW",
    "RFQ",
    "Goods",
    "Services",
    "Work",
    "Works",
    "Process",
    "Background",
    "Foreground",
    "Improvement",
    "Improvements",
    "Prototypes",
    "Prototype",
    "Samples",
    "Know-How",
    "Licensed Patents",
    "Licensed Products",
    "Term",
    "Business Day",
    "Conditions",
    "Terms",
    "Letter",
    "we",
    "us",
    "you",
    "our",
    "your",
}
_NOT_PARTY_SUFFIX = re.compile(
    r"(?:Agreement|Amendment|Date|Fees?|Period|Term|Plan|Schedule|Exhibit|Products?|Services?|Territory|"
    r"Information|Act|Code|Rules?|Documents?|Specifications?|Data|Results?|Materials?|Patents?|Process|"
    r"Prototypes?|Project|Program(?:me)?|Work|Deliverables?|Technology|Conditions|Order|Price)$"
)
_LETTER_PRONOUNS = {"we": "sender", "us": "sender", "our": "sender", "you": "addressee", "your": "addressee"}

_COMPANY_EN = re.compile(
    r"([A-Z][A-Za-z0-9&.,'\- ]{1,80}?\b(?:Inc\.?|Incorporated|Corporation|Corp\.?|Co\., ?Ltd\.?|CO\., ?LTD\.?|Ltd\.?|LTD\.?|"
    r"Limited|LIMITED|K\.K\.|LLC|L\.L\.C\.|GmbH\s*&\s*Co\.?\s*KG|GmbH|GMBH|AG|plc|PLC|S\.A\.|B\.V\.|N\.V\.|Company|COMPANY|CORPORATION|INC\.?|"
    r"Laboratories|University|LLP|LP|L\.P\.|L\.L\.P\.|S\.p\.A\.|Pte\.? Ltd\.?|Pty\.? Ltd\.?|SARL|S\.A\.S\.|"
    # Nordic, German, Italian, Spanish, Latin American and Malaysian forms ("Norrholm AB", "Oy", "A/S")
    r"AB|Oy|Oyj|A/S|ApS|KG|S\.r\.l\.|Srl|S\.L\.|SpA|Ltda\.?|Sdn\.? Bhd\.?|Bhd\.?|SE|S\.E\.|SAS|NV|BV))(?![A-Za-z])"
)
_COMPANY_JA = re.compile(
    r"(?:株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人|国立大学法人|学校法人)"
    r"[^\s、。（）「」()]{1,30}|[^\s、。（）「」()：:|｜]{1,30}?(?:株式会社|有限会社|合同会社|合資会社|合名会社|大学|研究所|組合)"
)


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
        name = _trim_en_name(
            name.split(", ")[-1]
            if re.search(r",\s+[A-Z][^,]*$", name)
            and not re.search(
                r",\s*(?:Ltd|LTD|Inc|INC|L\.?L\.?C|L\.?L?\.?P\b|S\.A|N\.V|B\.V|GmbH|GMBH|AG|plc|PLC)", name
            )
            else name
        )
    return name.strip(' ,:;"“”') or None


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


def norm_key(s: str) -> str:
    """A comparable form of a label or company name (width, case, legal form, punctuation)."""
    s = unicodedata.normalize("NFKC", s or "").casefold()
    s = re.sub(
        r"株式会社|有限会社|合同会社|合資会社|\bco\.?,?\s*ltd\.?|\bcorporation\b|\bcorp\.?|\binc\.?|\bltd\.?|\blimited\b|\bllc\b|\bk\.k\.|\bplc\b|\bgmbh\b",
        "",
        s,
    )
    s = re.sub(r"^the\s+", "", s)
    return re.sub(r"[\s\W_]+", "", s)


def preamble_window(text: str) -> str:
    """Where parties are introduced: up to the second article, at least 3,000 characters."""
    m = re.search(r"\n\s*(?:第\s*[2２二]\s*条|Article\s+2\b|ARTICLE\s+2\b|Section\s+2\b|2\.\s+\S)", text[:20000])
    end = m.start() if m else 4000
    return text[: max(end, 3000)]


def party_window(text: str) -> str:
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
    r"|(?P<bare>[A-Z][A-Za-z0-9\-]{1,30}(?:\s[A-Z][A-Za-z0-9\-]{0,20}){0,2})(?=\s*(?:\)|[—–]|-\s)))"
)
_EN_BETWEEN = re.compile(
    r"\b(?:is\s+)?(?:made|entered\s+into|executed|concluded)\b[^.]{0,200}?\b(?:by\s+and\s+)?between\b", re.I
)
_EN_BETWEEN_NAMES = re.compile(
    r"\b(?:agreement|contract)\s+(?:is\s+)?(?:made\s+|entered\s+into\s+)?between\s+(?P<a>[A-Za-z0-9][\w.&'\- ]{1,60}?)\s+and\s+"
    r"(?P<b>[A-Za-z0-9][\w.&'\- ]{1,60}?)(?=\s*[,;:(\n]|\.\s|\s+(?:is|are|for|on|dated|effective|as\s+of|with|who)\b)",
    re.I,
)
_EN_MEANS = re.compile(
    r"[\"“](?P<label>[A-Za-z][A-Za-z0-9\- ]{1,30})[\"”]\s+(?:means|shall mean|refers to|is)\s+(?P<def>[^.;\n]{1,200})"
)
_KEY_ROW = re.compile(
    r"^[ \t|｜]*(?P<label>[^\s|｜:：]{1,20}(?: [A-Z][a-z]*)?)[ \t]*(?:[|｜:：]|[ \t]{2,}|　)[ \t　]*(?P<value>[^|｜\n]{2,160})",
    re.M,
)
_EN_ROLE_SUBJECT = r"(?:shall|will|must|may|agrees?|undertakes?|warrants?|acknowledges?|confirms?)"
# a mutual text makes the disclosing and receiving roles rotate between the parties:
# 'allows each party ("Disclosing Party")', '"Discloser" means a party … when …'
_ROTATING_ROLES = re.compile(
    r"\b(?:each|either|a|one|any)\s+party\b[^.;]{0,60}?[\"“](?:Discloser|Disclosing Party|Recipient|Receiving Party)[\"”]"
    r"|[\"“](?:Discloser|Disclosing Party|Recipient|Receiving Party)[\"”]\s+(?:means|shall mean|refers to)\s+"
    r"(?:a|either|each|any|the)\s+party\b"
    r"|\b(?:mutual|each\s+party\s+may\s+disclose|either\s+party\s+may\s+disclose)",
    re.I,
)


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
    cut = max(
        para,
        window.rfind(";"),
        window.rfind('"'),
        window.rfind("”"),
        ends[-1] if ends else -1,
        defs[-1] if defs else -1,
    )
    tail = window[cut + 1 :]
    # "the Company" is a role word, not a company name
    found = [
        m
        for m in _COMPANY_EN.finditer(tail)
        if len(_trim_en_name(m.group(1)).split()) >= 2 and not _is_role_word(_trim_en_name(m.group(1)))
    ]
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
    window = window[window.rfind("\n\n") + 1 :]  # "M. D." and "Blvd." are not sentence ends
    listing = r"\b(?:between|among|amongst|by\s+and|entered\s+into|made\s+by)\b"
    # a numbered list of parties ("by and between:\n\n1. VOLTARIS ENERGY SE …;\n2. …") is led in
    # by the sentence above the list, not by the item's own paragraph
    item = re.match(r"\s*(?:\d{1,2}[.)]|\(\d{1,2}\)|\([a-h]\))\s", window)
    above = before[-1500 : len(before) - len(window)]
    led_in = item and any(re.search(listing + r"[^.;]{0,60}:\s*$", line, re.I) for line in above.splitlines())
    if not re.search(listing, window, re.I) and not led_in:
        return None
    if led_in:
        # only this item's words: the label must not abbreviate the party listed above it
        items = list(re.finditer(r"(?:^|\n)\s*(?:\d{1,2}[.)]|\(\d{1,2}\)|\([a-h]\))\s", window))
        window = window[items[-1].start() :]
    near = _squashed(window[-240:])
    words = [w.casefold() for w in re.findall(r"[A-Za-z0-9]+", window[-240:])]
    for label in labels:
        key = _squashed(label)
        if label in NOT_PARTY or _NOT_PARTY_SUFFIX.search(label):
            continue
        # an acronym of the entity's words ("TUR" ← TECHNISCHE UNIVERSITAT RHEINAU)
        acronym = re.fullmatch(r"[A-Z]{2,6}", label) and _abbreviates(list(key), words)
        if (
            acronym
            or len(key) >= 3
            and (key in near or _abbreviates(re.findall(r"[A-Za-z0-9]+", label.casefold()), words))
        ):
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
    r"(?P<name>[A-Z][A-Za-z0-9&.'\- ]{1,60}?),?\s+(?:an?\s+(?:[A-Z][\w.]*\s+){0,3}(?:[a-z\-]+\s+){0,5}"
    r"(?:corporation|company|bank|partnership|association|foundation|university|institution|entity|organi[sz]ation|"
    # a public research body: "National Institute of …, a national research and development agency"
    r"kabushiki kaisha|trust|cooperative|agency|institute|laboratory|authority)\b|(?:incorporated|organi[sz]ed|existing)\s+under\b)"
)


# what a party's definition starts with when it names the role, not the company: "the
# supplier to which …", "the person, firm or company who …", "the entity identified in …"
_EN_ROLE_DESCRIPTION = re.compile(
    r"the\s+(?:(?:person|firm|company|corporation|entity|organi[sz]ation|party|legal\s+entity|"
    r"supplier|seller|vendor|manufacturer|contractor|customer|buyer|purchaser|licensor|licensee|client)"
    r"(?:,\s*|\s+or\s+|\s+and\s+)?)+\s*(?:to\s+which|to\s+whom|which|that|who|whose|named|identified|"
    r"specified|stated|set\s+out|described|indicated|listed|issuing|placing|accepting|receiving|signing)\b",
    re.I,
)


def _is_role_word(label: str) -> str | None:
    return (
        ROLE_WORDS.get(label)
        or ROLE_WORDS.get(label.title())
        or ROLE_WORDS.get(re.sub(r"^the\s+", "", label, flags=re.I))
    )


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
    head = party_window(text)
    found: list[PartyFound] = []

    def add(labels: list[str], name: str | None, start: int, end: int, source: str, pronoun_role: str | None = None):
        labels = [l.strip() for l in labels if l and l.strip()]
        if not labels:
            return
        name = _clean_name(name)
        key_name = norm_key(name) if name else None
        for p in found:
            same_label = any(l in p.labels for l in labels)
            same_name = key_name and p.name and norm_key(p.name) == key_name
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
            labels = [
                l for l in labels if l.lower() not in _LETTER_PRONOUNS and re.match(r"[A-Za-z0-9][A-Za-z0-9\-. ]+$", l)
            ]
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
            labels = [
                l for l in (m.group("l1"), m.group("l2"), m.group("bare")) if l and l.lower() not in _LETTER_PRONOUNS
            ]
            comp = _attached_company(window[: m.start()], language)
            keep = [l for l in labels if _acceptable(l, bool(comp))]
            if keep and (comp or any(_is_role_word(l) for l in keep)):
                add(keep, comp, offset + m.start(), offset + m.end(), "preamble")
        for m in _EN_MEANS.finditer(window):
            label, definition = m.group("label"), m.group("def")
            # "X" means <a company>: the company must be what the term means, not a word in it
            meant = _COMPANY_EN.match(re.sub(r"^(?:the\s+)", "", definition.strip()))
            if meant and (len(meant.group(1).split()) < 2 or _is_role_word(meant.group(1))):
                meant = None
            role = _is_role_word(label)
            if meant and _acceptable(label, True):
                add([label], meant.group(1), offset + m.start(), offset + m.end(), "definition")
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
                name = name[pre.end() :]
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
                read_en(text[offset : at.end() + 4000], offset)
        if len(found) < 2:
            # a party defined by the role it plays rather than by a company name: '"Seller" means
            # the supplier to which an Order is addressed', '"Customer" means the company that
            # places the Order' (order conditions written before the counterparty is known)
            for m in _EN_MEANS.finditer(head):
                label = m.group("label").strip()
                if (
                    _EN_ROLE_DESCRIPTION.match(m.group("def").strip())
                    and label not in NOT_PARTY
                    and not _NOT_PARTY_SUFFIX.search(label)
                    and not any(label in p.labels for p in found)
                    and len(re.findall(rf"\b{re.escape(label)}\b", text)) >= 3
                ):
                    add([label], None, m.start(), m.end(), "definition")
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
        role = _is_role_word(label) or ("named" if _acts_as_party(label, text, language) else None)
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
            hits = sum(
                text.count(label + p) for p in ("は", "が", "に", "の", "を", "と", "及び", "および", "又は", "または")
            )
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
    if language == "en" and not found and not _ROTATING_ROLES.search(text[:100000]):
        # a one-way NDA names its two sides only by role ("This NDA allows the Discloser to
        # disclose … to the Recipient"): there the roles are fixed parties, not whoever
        # happens to disclose a piece of information as in a mutual NDA
        body = text[:100000]
        for word in ("Discloser", "Disclosing Party", "Recipient", "Receiving Party"):
            if (
                len(re.findall(rf"\b(?:the\s+)?{word}(?:’s|'s)?\s+(?:{_EN_ROLE_SUBJECT}|obligations|retains)\b", body))
                >= 3
            ):
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


def _acts_as_party(label: str, text: str, language: str) -> bool:
    """A key-terms label that is no known role word («| Moulder | Hartwell Moulding Ltd |») is a
    party when the body makes it act: three «the Moulder shall …» or 「受注者は」."""
    if language == "ja":
        return len(label) >= 2 and len(re.findall(rf"{re.escape(label)}(?:は|が)", text[:100000])) >= 3
    if not re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z]+)?", label) or label in NOT_PARTY:
        return False
    return len(re.findall(rf"\b(?:the\s+)?{re.escape(label)}\s+{_EN_ROLE_SUBJECT}\b", text[:100000])) >= 3


def match_override(override: str, parties: list[PartyFound] | list[Party]) -> str | None:
    """The label of the party the user named: a label, an alias or (part of) its company name."""
    key = norm_key(override)
    if not key:
        return None
    for p in parties:
        labels = getattr(p, "labels", None) or [p.label]
        if any(norm_key(l) == key for l in labels):
            return p.label
    for p in parties:
        nk = norm_key(p.name or "")
        if nk and len(key) >= 2 and (key in nk or nk in key):
            return p.label
    return None
