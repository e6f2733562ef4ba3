"""Which of the parties is the SME: the evidence for each and the decision.

``parties`` finds the parties (labels, company names, roles); this module weighs every
sign that one of them is the smaller supplier side (role words, who orders and who
performs, who pays, whose technology, size cues, flows of information and rights,
one-sided duties) and decides, with a confidence the report shows.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from .direction import flows, subject_of
from .parties import PartyFound, norm_key, party_window, preamble_window


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


# ------------------------------------------------------------------ evidence for the SME


def _alt(labels: list[str]) -> str:
    return "|".join(re.escape(l) for l in sorted(set(labels), key=len, reverse=True))


def gather_evidence(parties: list[PartyFound], text: str, language: str, types: list[str]) -> list[Evidence]:
    """Every reason to think one party is (or is not) the SME, each with its kind and words."""
    ev: list[Evidence] = []
    if len(parties) < 2:
        return ev
    body = text[:60000]
    head = party_window(text)
    # a one-way disclosure is what the deal is about only when the opening says so
    # (preamble, purpose, recitals), not a notice duty in a later article
    opening = preamble_window(text)
    for p in parties:
        for role in p.roles:
            factor = {
                "supplier": 1,
                "client": -1,
                "partner": 0.5,
                "licensor": 1,
                "licensee": -1,
                "discloser": 1,
                "recipient": -1,
                "second": 1,
            }.get(role)
            if factor is None:
                continue
            kind = {
                "licensor": "role_licence",
                "licensee": "role_licence",
                "discloser": "role_disclosure",
                "recipient": "role_disclosure",
                "second": "role_convention",
            }.get(role, "role_label")
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
        return [Evidence(p.label, "size", p.name or "", p.start, p.end, 1.0)]
    if re.search(r"ホールディングス|グループ|Holdings|Group\b", p.name or ""):
        return [Evidence(p.label, "size", p.name or "", p.start, p.end, -1.0)]
    # a public limited company may offer its shares to the public: usually the larger side,
    # weaker than a holding name (a small listed firm is not rare)
    if re.search(r"\b(?:PLC|plc|Public\s+(?:Limited\s+)?Company(?:\s+Limited)?)\b", p.name or ""):
        return [Evidence(p.label, "size", p.name or "", p.start, p.end, -0.5)]
    return []


_JA_ORDER = r"委託し|委託する|発注|注文し|注文する|依頼"
_JA_WORK = r"製造|製作|試作|加工|成形|鋳造|鍛造|塗装|納入|納品|供給|技術指導|指導|開発|検証|試験|組立|設計"
# a fee for work: 対価, 代金, 報酬, 費用 or any 「…料」「…費」 noun except royalties (a licensee
# pays those for rights, not for work)
_JA_FEE = r"対価|代金|報酬|費用|[\u4e00-\u9fff]{0,6}(?:料|費)"
_JA_TECH = r"技術|ノウハウ|特許|発明|製法|工法|プロセス|配合|処方|レシピ|ソフトウェア|プログラム|設計"


def _in_exclusion(text: str, pos: int) -> bool:
    """True inside the usual carve-out of confidential information (information the
    recipient developed independently, already held …): not a statement about the deal."""
    a = max(text.rfind("。", 0, pos), text.rfind("\n", 0, pos), text.rfind(". ", 0, pos))
    b = [i for i in (text.find("。", pos), text.find("\n", pos)) if i >= 0]
    sentence = text[a + 1 : min(b) if b else len(text)]
    return bool(
        re.search(
            r"除|該当しない|含まない|この限りでない|independently|already (?:in its possession|known)|does not include|shall not include",
            sentence,
            re.I,
        )
    )


def _in_grant(body: str, pos: int) -> bool:
    """True inside a licence grant (「製造…することを許諾する」, "grants … to make"): the
    verbs there describe what the licensee may do, not work someone performs."""
    end = min(len(body), pos + 200)
    stop = min([i for i in (body.find("。", pos), body.find(". ", pos)) if i >= 0] or [end])
    return bool(re.search(r"許諾|licen[cs]e|grants?\b", body[pos:stop], re.I))


_JA_MUTUAL_EXCHANGE = re.compile(r"相互に(?:開示|提供)|互いに(?:開示|提供)|(?:情報を)?開示する当事者を「開示者」")
_JA_NOT_PAID = re.compile(r"わ(?:ない|ず)|う(?:こと|義務|必要)(?:を|は|も)?(?:要しない|負わない|ない)|いを要しない")
_LICENCE_PAYMENT = re.compile(
    r"royalt|licen[cs]e\s+fees?|running\s+fee"
    # a licence's entry price, unless it pays for work ("an initial fee … for the development work")
    r"|(?:initial\s+fee|up-?front\s+(?:fee|payment)|lump[- ]sum|signing\s+fee)(?!(?:[^.;]){0,40}?\bfor\s+(?:the\s+)?(?:[\w-]+\s+)?(?:work|services|development))",
    re.I,
)


def _ja_semantics(p: PartyFound, me: str, them: str, body: str, head: str, opening: str) -> list[Evidence]:
    out: list[Evidence] = []
    L = p.label
    # X orders or commissions work from Y (XはYに対し…委託し / YはXから…受託する); not Y told first and the work
    # given to someone else («実施権者は、許諾者に書面で通知したうえで、関係会社に…製造を委託する»)
    for m in re.finditer(
        rf"(?:{them})(?:は|が)、?(?:{me})に(?:対し[て]?)?、?(?:(?!うえで|上で|通知|報告|連絡|届け出)[^。]){{0,80}}?(?:{_JA_ORDER})",
        body,
    ):
        out.append(Evidence(L, "commission", m.group(0), m.start(), m.end(), 1.0))
        break
    for m in re.finditer(
        rf"(?:{me})(?:は|が)、?(?:{them})(?:から|より)[^。]{{0,60}}?(?:受託|受注|請け負|引き受け)|(?:{me})(?:は|が)(?:これを)?(?:受託|受注|引き受け|請け負)"
        # not the orders it takes from its own customers («乙が受注し又は計画する他の水処理案件»)
        r"(?!し?(?:又は|または|若しくは)|(?:する|した)[^。、]{0,6}?(?:他の|案件|工事|物件))",
        body,
    ):
        out.append(Evidence(L, "commission", m.group(0), m.start(), m.end(), 1.0))
        break
    # X performs the work (Xは…製造する / Xが行う技術指導)
    perf = [
        Evidence(L, "perform", m.group(0), m.start(), m.end(), 1.0)
        for m in re.finditer(
            # 「乙が行う技術指導」, not 「乙が行う出願その他の手続に協力する」 (what the other side does)
            rf"(?:{me})(?:が(?:行う|実施する)(?=[^。、]{{0,8}}?(?:{_JA_WORK}|業務|作業))|は、?[^。]{{0,40}}?(?:{_JA_WORK})(?:し|する|を行)"
            # 「甲が試作金型（以下「本金型」という。）を製作して」: a definition inside does not end the sentence
            rf"|が(?:[^。、（）]|（[^）]{{0,30}}）){{0,40}}?(?:{_JA_WORK})(?:する(?!場合|とき|時|際)|して|し、))",
            body,
        )
        if not re.search(rf"(?:{them})(?:が|は)", m.group(0))
        and not _in_grant(body, m.start())
        # 「型及び治具は、乙が自己の費用で製作し、乙の所有とする」: made for itself, no work for the other side
        and not re.match(rf"[^。]{{0,30}}?(?:{me})の(?:所有|財産)|[^。]{{0,30}}?(?:{me})に帰属", body[m.end() :])
    ]
    # the brand is the larger side's (「甲の新ブランド向けに」)
    # …or the product the work is for is the one it is developing (「乙が開発中の前照灯モジュールに用いる二次レンズの試作」,
    # 「大洋が開発中の凍結乾燥ワクチン用バイアルに使用するブチルゴム栓」)
    brand = re.search(
        rf"(?:{me})の(?:新|自社|既存)?ブランド|(?:{me})が(?:開発中の|開発を進めている|製造販売する|販売する)[^。、]{{0,30}}?"
        r"(?:に用いる|に使用する|に使う|に組み込む|に搭載する|に採用する|向けの|のための|用の)"
        # …or the other side's technology is brought to its product («乙が製造する多層プリント配線板への甲の…めっき技術の適用»)
        rf"|(?:{me})が(?:製造|開発|製造販売|販売)(?:する|している|中の)[^。、]{{0,30}}?への(?:{them})の",
        opening,
    )
    # …or the other side's part goes into its product («大洋の家庭用浄水器に搭載するセラミックろ過エレメント»,
    # «本製品の乙のガスメーターへの採用»); a licensee's product says nothing of size
    if not brand and not {"licensor", "licensee"} & set(p.roles):
        brand = re.search(
            rf"(?:{me})の(?:(?!{them})[^。、をがは]){{1,25}}?(?:に用いる|に使用する|に組み込む|に組み込まれる|に搭載する|に搭載される"
            r"|への(?:採用|搭載|組込み|組み込み))",
            opening,
        )
    if brand:
        out.append(Evidence(L, "brand", brand.group(0), brand.start(), brand.end(), -1.0))
        # «乙が製造する多層プリント配線板への甲の…»: making its own product is no work for the other side
        perf = [e for e in perf if not brand.start() <= e.start < brand.end()]
    out.extend(perf[:3])
    # X evaluates Y as a source, or visits Y's plant: Y is the would-be supplier
    # («東邦車輌が…の調達先としてミナセを評価するため、ミナセ本社工場の見学…»)
    source = re.search(
        rf"(?:{them})(?:が|は)[^。]{{0,60}}?(?:調達先|供給者|仕入先|購入先|委託先|外注先|発注先)(?:の候補)?として(?:{me})を(?:評価|選定|検討|審査)"
        rf"|(?:{me})(?:の)?(?:本社)?(?:工場|製造現場|事業所)(?:の)?(?:見学|視察|監査)",
        opening,
    )
    if source:
        out.append(Evidence(L, "commission", source.group(0), source.start(), source.end(), 0.5))
    # X pays Y a fee: the one paid is the one who works
    for m in re.finditer(
        rf"(?:{them})(?:は|が)、?(?:{me})に(?:対し[て]?)?、?[^。]{{0,60}}?(?:{_JA_FEE})[^。]{{0,40}}?支払", body
    ):
        # a licence's price pays no work: a royalty, a lump sum, or whatever the licensee pays
        if re.search(
            r"実施料|使用料|許諾料|ライセンス料|ロイヤル?ティ|(?:実施許諾|許諾|実施権|ライセンス)の対価|一時金|頭金|イニシャル",
            m.group(0),
        ) or re.match(r"(?:実施権者|被許諾者|ライセンシー|使用権者)", m.group(0)):
            continue
        # 「乙は、甲に対し対価を支払わない」 says no one is paid
        if _JA_NOT_PAID.match(body, m.end()):
            continue
        out.append(Evidence(L, "pays", m.group(0), m.start(), m.end(), 1.0))
        break
    else:
        # the payer names no payee (「大洋は、別紙に定める試作費を、…翌月末日までに支払う」): a fee for work
        # between two parties goes to the other one
        for m in re.finditer(
            rf"(?:{them})(?:は|が)、?(?:(?!(?:{me})|第三者|実施|許諾|ライセンス|損害|違約)[^。]){{0,40}}?"
            r"(?:試作費|製作費|加工費|開発費|委託料|委託費|業務委託料|報酬|代金)を[^。]{0,40}?支払",
            body,
        ):
            if _JA_NOT_PAID.match(body, m.end()):
                continue
            out.append(Evidence(L, "pays", m.group(0), m.start(), m.end(), 1.0))
            break
    # who grants the licence (「甲は、乙に対し、…の実施を許諾する」): the licensor side, whatever the labels
    grant = r"(?:{a})は、?(?:{b})に(?:対し[て]?)?、?[^。]{{0,80}}?(?:実施|使用|利用|ライセンス)[^。]{{0,20}}?許諾"
    licence = None if {"licensor", "licensee"} & set(p.roles) else re.search(grant.format(a=me, b=them), body)
    if licence and not re.search(grant.format(a=them, b=me), body):
        out.append(Evidence(L, "role_licence", licence.group(0), licence.start(), licence.end(), 1.0))
    # the technology is X's own (甲の保有する技術, 乙が開発した製法)
    tech = [
        Evidence(L, "technology", m.group(0), m.start(), m.end(), 1.0)
        for m in re.finditer(
            rf"(?:{me})(?:が|の)(?:長年)?(?:開発した|開発し|保有する|所有する|有する|蓄積した|培った|独自の)", head
        )
        if not _in_exclusion(head, m.start())
        # equipment it owns and lends (「乙が保有するメーター筐体及び試験治具を甲に無償で貸与する」) is no technology
        and not re.match(r"[^。]{0,60}?(?:貸与|貸し出|貸出|使用させ)", head[m.end() :])
    ]
    # the thing being evaluated or applied is offered by its maker (「甲の…を乙の…に適用できるか」)
    tech += [
        Evidence(L, "technology", m.group(0), m.start(), m.end(), 1.0)
        for m in re.finditer(
            rf"(?:{me})の[^。、]{{0,30}}?(?:を|が)(?:{them})?[^。]{{0,30}}?(?:適用|採用|使用|利用|適す)(?:できる|する|される)?か(?:否か|どうか)",
            head,
        )
    ]
    out.extend(tech[:2])
    # one-way disclosure: X discloses to Y, never the reverse
    # the verb must belong to 「Yに」 (no clause break in between: 「…場合には、甲に通知し、…開示する」 is not it)
    # (「…結果を乙に開示する義務を負わない」 denies a disclosure: it is none)
    one_way = (
        r"(?:{a})(?:が|は)、?(?:[^。]{{0,40}}?(?:{b})に(?:対し[て]?、?)?[^。、]{{0,30}}?"
        # or a long condition first, the verb right after the receiver (「甲は、乙が…と認めるときは、…乙に提供する」)
        r"|[^。]{{41,160}}?(?:{b})に(?:対し[て]?、?)?(?:(?:遅滞なく|速やかに|直ちに|無償で)、?)?)(?:開示|提供)する"
        r"(?!(?:義務|必要|責任)(?:を|は|も)?(?:負わない|ない|有しない|負うものではない))"
    )
    # an exchange the opening calls mutual (「相互に開示する情報」, 「情報を開示する当事者を「開示者」」) is no one-way disclosure
    if (
        re.search(one_way.format(a=me, b=them), opening)
        and not re.search(one_way.format(a=them, b=me), opening)
        and not _JA_MUTUAL_EXCHANGE.search(opening)
    ):
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
    m = re.search(
        rf"(?:orders?|purchase orders?|requests?)\s+(?:issued|placed)\s+by\s+{the}(?:{them})\b|\b{the}(?:{me})\s+(?:shall|will|agrees to)\s+accept\w*\s+(?:the\s+)?(?:orders?|engagement)"
        # the quotation is asked for by the buyer, the business awarded to the supplier
        rf"|\brequests?\s+for\s+(?:quotations?|proposals?|information|tenders?)(?:\s+or\s+(?:an?\s+|any\s+)?requests?\s+for\s+\w+)?\s+(?:issued|placed|sent|made)\s+by\s+{the}(?:{them})\b"
        rf"|\baward\w*\s+(?:\w+\s+){{0,5}}?to\s+{the}(?:{me})\b",
        body,
    )
    if m:
        out.append(Evidence(L, "commission", m.group(0), m.start(), m.end(), 1.0))
    grant = r"\b{the}(?:{a})\s+(?:hereby\s+)?grants?\s+(?:to\s+)?{the}(?:{b})\b[^.;]{{0,80}}?licen[cs]e"
    m = None if {"licensor", "licensee"} & set(p.roles) else re.search(grant.format(the=the, a=me, b=them), body)
    if m and not re.search(grant.format(the=the, a=them, b=me), body):
        out.append(Evidence(L, "role_licence", m.group(0), m.start(), m.end(), 1.0))
    perf = [
        Evidence(L, "perform", m.group(0), m.start(), m.end(), 1.0)
        for m in re.finditer(
            rf"\b{the}(?:{me})\s+(?:shall|will|must|agrees to|undertakes to)\s+(?:\w+\s+){{0,2}}?(?:{_EN_WORK})\b", body
        )
        if not _in_grant(body, m.start())
    ]
    out.extend(perf[:3])
    m = re.search(
        rf"\b{the}(?:{me})['’]s\s+(?:own\s+|new\s+|existing\s+)?brands?\b|\bunder\s+{the}(?:{me})['’]s\s+(?:\w+\s+)?(?:brand|trade ?marks?)",
        opening,
    )
    if m:
        out.append(Evidence(L, "brand", m.group(0), m.start(), m.end(), -1.0))
    m = re.search(
        rf"\b{the}(?:{them})\s+(?:shall|will|must|agrees to)\s+pay\b[^.;]{{0,80}}?(?:\bto\s+{the}(?:{me})\b|fee|price|charges|compensation|remuneration)|fees?\s+payable\s+by\s+{the}(?:{them})\b",
        body,
    )
    # a royalty or licence fee pays for a licence, not for work (the licensor's role says that already)
    if m and not _LICENCE_PAYMENT.search(body[m.start() : m.end() + 160].split(".\n")[0]):
        out.append(Evidence(L, "pays", m.group(0), m.start(), m.end(), 1.0))
    tech_cues = (
        rf"\b{the}(?:{me})(?:['’]s\s+(?:own\s+|proprietary\s+)?(?:[\w-]+\s+){{0,3}}(?:technology|know-how|process|formula|invention|patents?)\b|\s+(?:{_EN_TECH})\b)",
        # the thing being evaluated or applied is offered by its maker ("whether X's coating can be applied")
        rf"\b(?:whether|evaluat\w*(?:\s+of)?|assess\w*(?:\s+of)?|test\w*(?:\s+of)?)\s+{the}(?:{me})['’]s\b"
        # "to evaluate Miyabi end-effectors": the maker's name used as an adjective
        rf"|\b(?:evaluat\w*(?:\s+of)?|assess\w*(?:\s+of)?|test\w*(?:\s+of)?)\s+{the}(?:{me})\s+(?!shall\b|will\b|may\b|can\b|and\b|or\b)[a-z][\w-]*s\b",
        # a business described with a process of the party's own making ("Miyabi manufactures … using
        # processes it has developed"): the same sentence, with the party as its subject
        rf"\b{the}(?:{me})\s+(?:\w+\s+){{0,2}}?[a-z]+s\b[^.;]{{0,160}}?(?:\b(?:it|which\s+it)\s+(?:has|had)\s+(?:itself\s+)?developed\b"
        rf"|\busing\s+(?:its\s+)?(?:own\s+)?(?:proprietary|patented|in-house)\s+(?:[\w-]+\s+){{0,2}}?(?:processes|process|technology|technologies|know-how|methods?|formulations?))",
    )
    tech = [
        Evidence(L, "technology", m.group(0), m.start(), m.end(), 1.0)
        for cue in tech_cues
        for m in re.finditer(cue, head)
    ]
    out.extend(tech[:2])
    # a party that buys from suppliers, or is qualifying them, is the customer side
    m = re.search(
        rf"\b{the}(?:{me})\s+(?:\w+\s+){{0,6}}?(?:procures?|purchases?|sources?|buys?)\b[^.;]{{0,80}}?\bfrom\s+(?:\w+\s+){{0,2}}(?:suppliers|vendors|subcontractors)"
        rf"|\b{the}(?:{me})\s+(?:[^.;]{{0,120}}?\s)?(?:is|are)\s+(?:qualifying|selecting|evaluating|auditing|sourcing)\s+(?:new\s+|potential\s+|prospective\s+)?(?:suppliers|vendors|sources|subcontractors)\b",
        head,
    )
    if m:
        out.append(Evidence(L, "role_label", m.group(0), m.start(), m.end(), -0.5))
    if re.search(
        rf"\b{the}(?:{me})\s+(?:is willing to|wishes to|will|shall|may)\s+disclose\b[^.;]{{0,80}}?\bto\s+{the}(?:{them})\b",
        opening,
    ) and not re.search(
        rf"\b{the}(?:{them})\s+(?:is willing to|wishes to|will|shall|may)\s+disclose\b[^.;]{{0,80}}?\bto\s+{the}(?:{me})\b",
        opening,
    ):
        out.append(Evidence(L, "technology", "one-way disclosure", 0, 0, 1.0))
    # the form is this party's own: its name heads the document, or "Buyer's terms"
    # (a letterhead: a short first line naming this party and no other)
    first = text_first_line(head)
    if (
        p.name
        and first
        and len(first) <= 80
        and norm_key(p.name)
        and norm_key(p.name) in norm_key(first)
        and not re.search(them, first)
    ):
        out.append(Evidence(L, "drafter", first, 0, len(first), -1.0))
    if "sender" in p.roles:
        out.append(Evidence(L, "drafter", "we / us", p.start, p.end, -0.5))
    return out


def text_first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


_SIZE_SMALL_JA = r"中小企業|小規模事業者|スタートアップ|ベンチャー企業|大学発ベンチャー"
_SIZE_SMALL_EN = (
    r"small(?:\s+and\s+medium(?:-sized)?)?\s+(?:business|enterprise|company)|\bSME\b|start-?up(?:\s+company)?\b"
    # a young company set up to exploit research: "was formed in 2021 to commercialise", "a university spin-out"
    r"|\bspin-?(?:out|off)\b|(?:formed|founded|incorporated|established)\s+in\s+(?:19|20)\d\d\s+to\s+(?:commerciali[sz]e|develop|exploit)"
)
_CONTROL_JA = "(?:{me})の[^。、]{{0,20}}?(?:支配権|経営権|議決権の過半数を有する株主|主要株主)[^。]{{0,20}}?(?:変更|異動|変動|移動)"
_CONTROL_EN = (
    r"\b(?:[Cc]hange\s+of\s+[Cc]ontrol|[Aa]cquires?\s+control)\b(?:[^.;]|\.(?=\d)){{0,80}}?\bof\s+(?:the\s+)?(?:{me})\b"
    # "any Party other than the Coordinator undergoes …" is said of every party but that one
    r"|(?<!other\sthan\s)(?<!other\sthan\sthe\s)(?<!except\s)(?<!except\sthe\s)\b(?:{me})\s+undergoes\s+a\s+[Cc]hange\s+of\s+[Cc]ontrol\b"
)
# a party whose subsidiaries, parent or affiliates the contract names is a group, the larger side
_GROUP_JA = "(?:{me})(?:の|及び|および|並びに|ならびに)(?:その|同社の)?(?:子会社|親会社|関係会社|関連会社|グループ会社)"
# (in English only a one-sided definition: templates mention "Provider's Affiliates" from either side)
_GROUP_EN = r"\bAffiliates?\W{{0,3}}\s+(?:means|shall\s+mean)\W{{0,3}},?\s+(?:with\s+respect|in\s+relation)\s+to\s+(?:the\s+)?(?:{me})\b"


def _number(raw: str) -> float | None:
    """「3,000」「１．５」 as a number; None for what only looks like one ("." , ",,")."""
    try:
        return float(unicodedata.normalize("NFKC", raw).replace(",", ""))
    except ValueError:
        return None


_PUBLIC_BODY = re.compile(
    r"国立研究開発法人|独立行政法人|国立大学法人|公立大学法人|学校法人|大学(?!発)|\bUniversity\b|\bNational\s+Institute\b"
    r"|\b(?:national|public|governmental|state)\s+(?:[\w-]+\s+){0,4}?(?:agency|institute|laboratory|research\s+(?:body|organi[sz]ation))\b",
    re.I,
)


def _said_of_one_party(parties: list[PartyFound], template: str, text: str) -> tuple[str, re.Match] | None:
    """(label, match) when ``template`` (with ``{me}``) is said of exactly one party."""
    found = {}
    for p in parties:
        m = re.search(template.format(me=_alt(p.labels + ([p.name] if p.name else []))), text)
        if m:
            found[p.label] = m
    return next(iter(found.items())) if len(found) == 1 else None


def _size_cues(parties: list[PartyFound], text: str, language: str) -> list[Evidence]:
    """資本金, 従業員数 and words such as 中小企業 / start-up said of one party."""
    out: list[Evidence] = []
    head = party_window(text)
    capital: dict[str, float] = {}
    staff: dict[str, float] = {}
    unitless: set[str] = set()
    for p in parties:
        me = _alt(p.labels + ([p.name] if p.name else []))
        small = _SIZE_SMALL_JA if language == "ja" else _SIZE_SMALL_EN
        m = re.search(
            rf"(?:{me})[^。.\n]{{0,40}}?(?:{small})|(?:{small})[^。.\n]{{0,10}}?(?:である|であり)?(?:{me})(?:は|が|\s+is)",
            head,
            re.I,
        )
        if m:
            out.append(Evidence(p.label, "size", m.group(0), m.start(), m.end(), 1.0))
        # a university or a public research body is the other side of an SME's contract, never the SME
        public = _PUBLIC_BODY.search(p.name or "") or re.search(
            rf"(?:{me})[^。.\n]{{0,60}}?(?:{_PUBLIC_BODY.pattern})", head, re.I
        )
        if public and not m:  # (a university spin-out is small: the cue above)
            out.append(Evidence(p.label, "size", public.group(0), 0, 0, -1.0))
        c = re.search(
            rf"(?:{me})[^。\n]{{0,80}}?(?:資本金|capital(?: of)?)[^0-9０-９]{{0,10}}([0-9０-９,，.]+)\s*(億|万|百万|million|billion)?",
            head,
            re.I,
        )
        num = _number(c.group(1)) if c else None
        if c is not None and num is not None:
            num *= {"億": 1e8, "万": 1e4, "百万": 1e6, "million": 1e6, "billion": 1e9}.get(
                (c.group(2) or "").lower(), 1
            )
            capital[p.label] = num
            if not c.group(2) and not re.match(r"\s*(?:円|yen|JPY)", head[c.end() :], re.I):
                unitless.add(p.label)  # a bare figure may be a clause number: compared, never judged alone
        # a head count («従業員約７０名», "some 45 employees"), not a paragraph number after the word
        s = re.search(
            rf"(?:{me})[^。\n]{{0,80}}?(?:従業員(?:数)?(?:は|が|:|：)?\s*(?:約|およそ)?\s*([0-9０-９,，]+)\s*(?:名|人)"
            rf"|(?:about\s+|approximately\s+|some\s+|around\s+)?([0-9,]+)\s+(?:full-time\s+)?(?:employees|staff|people))",
            head,
            re.I,
        )
        count = _number(s.group(1) or s.group(2)) if s else None
        if count is not None:
            staff[p.label] = count
    # a party whose group of companies the contract names is the larger side; a change of control
    # that matters for one party only is the smaller one's (an SME may be bought)
    for templates, factor in (((_GROUP_JA, _GROUP_EN), -1.0), ((_CONTROL_JA, _CONTROL_EN), 0.5)):
        said = _said_of_one_party(parties, templates[0] if language == "ja" else templates[1], text[:100000])
        if said is not None:
            label, m = said
            out.append(Evidence(label, "size", m.group(0), m.start(), m.end(), factor))
    for measure, sme_limit in ((capital, SME_CAPITAL_LIMIT), (staff, SME_STAFF_LIMIT)):
        if len(measure) >= 2:
            small_one = min(measure, key=lambda label: measure[label])
            big = max(measure.values())
            if big > 0 and measure[small_one] <= big / 3:
                out.append(Evidence(small_one, "size", "smaller capital or staff", 0, 0, 1.0))
        elif len(measure) == 1:
            # only one side's size is given («実施権者は、従業員約７０名で…»): within the SME Act's limits it is the SME
            ((label, value),) = measure.items()
            if 0 < value <= sme_limit and not (measure is capital and label in unitless):
                out.append(Evidence(label, "size", "capital or staff within SME limits", 0, 0, 1.0))
    return out


def _flow_evidence(parties: list[PartyFound], body: str) -> list[Evidence]:
    labels = [p.label for p in parties]
    info: dict[str, int] = {}
    rights: dict[str, int] = {}
    for f in flows(body, labels):
        if f.kind == "information" and f.source:
            info[f.source] = info.get(f.source, 0) + 1
        # a licence is no transfer (the word, not the parties called Licensor and Licensee)
        elif (
            f.kind == "rights"
            and f.target
            and not re.search(r"許諾|\blicen[cs](?:e|es|ed|ing)\b|\bgrant", f.text, re.I)
        ):
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
    return [
        Evidence(l, "duties", f"{n} of {total} duties", 0, 0, round((n / total - share) * 2, 2))
        for l, n in counts.items()
        if n / total != share
    ]


# ------------------------------------------------------------------ deciding


@dataclass
class SmeChoice:
    label: str | None
    confidence: float
    candidates: list[dict]  # [{label, name, score, evidence: [{kind, weight, text}]}], best first
    uncertain: bool
    source: str  # detected, override, override_not_found


def score_parties(
    parties: list[PartyFound], evidence: list[Evidence], weights: dict[str, float] | None = None
) -> dict[str, float]:
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
    margin = 0.0 if len(order) == 1 else scores[order[0].label] - scores[order[1].label]
    confidence = round(1 - math.exp(-margin / 2.0), 2) if len(order) > 1 else 0.0
    w = weights or WEIGHTS
    cands = [
        {
            "label": p.label,
            "labels": list(p.labels),
            "name": p.name,
            "roles": list(p.roles),
            "score": round(scores[p.label], 2),
            "evidence": [
                {"kind": e.kind, "weight": round(w.get(e.kind, 0.0) * e.factor, 2), "text": e.text[:120]}
                for e in evidence
                if e.party == p.label
            ],
        }
        for p in order
    ]
    return SmeChoice(order[0].label, confidence, cands, confidence < UNCERTAIN_BELOW, "detected")


# 中小企業基本法 for manufacturers: at most 300 employees or a capital of at most JPY 300 million
SME_STAFF_LIMIT = 300
SME_CAPITAL_LIMIT = 3e8

# below this confidence (a margin of about 1.4 points, i.e. less than one clear signal)
# the SME is reported as uncertain and the web asks the user
UNCERTAIN_BELOW = 0.5
