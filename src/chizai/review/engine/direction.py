"""Who acts in a clause and what passes between the parties (catalogue §0.4).

Small helpers the rules engine and the SME weighing share: ``subject_of`` /
``subjects_of`` (the party bound or acting) and ``flows`` (information, rights and
money passing from one party to another). Re-exported by ``detect``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Party


@dataclass
class Flow:
    kind: str  # information, rights, money, goods
    source: str | None
    target: str | None
    start: int
    end: int
    text: str


_MUTUAL_JA = re.compile(
    r"^(?:ただし、|なお、)?\s*(?:甲(?:および|及び|又は|または)?乙|甲乙|各当事者|両当事者|当事者双方|いずれの当事者)(?:は|が|も)"
)
_MUTUAL_EN = re.compile(
    r"^\s*(?:each party|either party|the parties|both parties|neither party|each of the parties)\b", re.I
)


def subjects_of(segment_text: str, parties: list[Party] | list[str]) -> list[str]:
    """Every party label that is the grammatical subject (or topic) of the clause."""
    labels = [p.label if isinstance(p, Party) else p for p in parties]
    if not labels:
        return []
    t = segment_text.strip()
    t = re.sub(
        r"^(?:第\s*\S{1,4}\s*条(?:\s*[(（][^)）]*[)）])?|[0-9０-９]{1,2}[\s　.．]|[(（][0-9０-９a-z]{1,3}[)）]|[①-⑳]|[0-9.]+\s)\s*",
        "",
        t,
    )
    if _MUTUAL_JA.match(t) or _MUTUAL_EN.match(t):
        return list(labels[:2])
    alt = "|".join(re.escape(l) for l in sorted(labels, key=len, reverse=True))
    # Japanese: the topic 「Xは」 is the actor; fall back to 「Xが」
    m = re.search(
        rf"(?<![A-Za-z])(?P<l>{alt})(?:\s*(?:および|及び|又は|または|並びに|ならびに)\s*(?P<l2>{alt}))?(?:は|が|において)",
        t,
    )
    if m and re.search(r"[\u3040-\u30ff]", t[:200]):
        topic = re.search(rf"(?<![A-Za-z])(?P<l>{alt})(?:\s*(?:および|及び|又は|または)\s*(?P<l2>{alt}))?は(?!除)", t)
        if topic is None:
            # 「乙が提供した図面は、甲に帰属する」: the 「が」 clause only modifies the real
            # topic (図面), which is not a party; a conditional 「…場合は」 does not count
            rest = t[m.end() :]
            if re.search(r"(?<!場合)(?<!とき)(?<!時)(?<!際)(?<!限り)は、", rest):
                return []
        m = topic or m
        return [x for x in (m.group("l"), m.group("l2")) if x]
    # English: "<Label> shall ...", "The <Label> may ..."
    m = re.search(
        rf"\b(?:the\s+)?(?P<l>{alt})(?:\s+(?:and|or)\s+(?:the\s+)?(?P<l2>{alt}))?\s+"
        r"(?:shall|will|must|may|agrees?|undertakes?|warrants?|represents?|acknowledges?|grants?|hereby|covenants?|"
        r"is|are|has|have|does|should|can|cannot|retains?|owns?|assigns?|bears?|pays?|provides?|delivers?|keeps?)\b",
        t,
        re.I,
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
# the verb is what the subject asks for (「…の譲渡を求める」「…の開示を請求する」)
_JA_REQUESTED = re.compile(r"[^。、]{0,6}?(?:を|の)?(?:求め|請求|要求|要請|依頼)")
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
        for m in re.finditer(
            rf"(?P<a>{alt})(?:は|が)、?(?:[^。]{{0,40}}?)(?P<b>{alt})(?:に対し[て]?|へ|に)、?[^。]{{0,80}}?(?:{verbs})",
            text,
        ):
            if m.group("a") == m.group("b"):
                continue
            # 「乙は、甲に対し本金型の譲渡を求めることができる」: asking for it, the flow runs the other way
            if _JA_REQUESTED.match(text, m.end()):
                out.append(Flow(kind, m.group("b"), m.group("a"), m.start(), m.end(), m.group(0)))
            else:
                out.append(Flow(kind, m.group("a"), m.group("b"), m.start(), m.end(), m.group(0)))
        # a long condition between the topic and the receiver, the verb right after the receiver:
        # 「甲は、乙が…必要と認めるときは、…その他乙が要求する情報を遅滞なく乙に提供する」
        for m in re.finditer(
            rf"(?P<a>{alt})(?:は|が)、(?:[^。]{{41,160}}?)(?P<b>{alt})(?:に対し[て]?|へ|に)、?"
            rf"(?:(?:遅滞なく|速やかに|直ちに|無償で|書面で|書面により|随時)、?)?(?:{verbs})",
            text,
        ):
            if m.group("a") != m.group("b"):
                out.append(Flow(kind, m.group("a"), m.group("b"), m.start(), m.end(), m.group(0)))
    for m in re.finditer(rf"(?P<b>{alt})に(?:帰属|移転)", text):
        # 「甲が締結前から保有し…た技術は甲に帰属し」 keeps what is its own: nothing passes
        sentence = text[max(text.rfind("。", 0, m.start()) + 1, m.start() - 160) : m.start()]
        if re.search(rf"(?:{re.escape(m.group('b'))})が[^。]{{0,40}}?(?:保有し|独自に|単独で|既に有)", sentence):
            continue
        out.append(Flow("rights", None, m.group("b"), m.start(), m.end(), m.group(0)))
    for kind, verbs in _FLOW_VERBS_EN.items():
        for m in re.finditer(
            # "X shall promptly disclose …", "X shall, at Y's request, assign to Y …"
            rf"\b(?:the\s+)?(?P<a>{alt})\s+(?:shall|will|must|hereby|agrees to|may)?\s*(?:,[^,.;]{{1,60}},\s*)?"
            rf"(?:hereby\s+|[a-z]+ly\s+)?(?:{verbs})\b[^.;]{{0,120}}?\bto\s+(?:the\s+)?(?P<b>{alt})\b",
            text,
            re.I,
        ):
            if m.group("a") != m.group("b"):
                out.append(Flow(kind, m.group("a"), m.group("b"), m.start(), m.end(), m.group(0)))
        for m in re.finditer(
            rf"(?:{verbs})\s+by\s+(?:the\s+)?(?P<a>{alt})\s+to\s+(?:the\s+)?(?P<b>{alt})\b", text, re.I
        ):
            out.append(Flow(kind, m.group("a"), m.group("b"), m.start(), m.end(), m.group(0)))
    # "owned by" as what the clause does ("shall be owned solely by X"), not a description of
    # something already X's ("including Program Technology owned solely by X")
    for m in re.finditer(
        rf"\b(?:vest\w*\s+in|(?:be|is|are|become\w*)\s+(?:\w+\s+){{0,2}}?owned\s+(?:solely\s+|exclusively\s+)?by|(?:sole\s+and\s+exclusive\s+|exclusive\s+)?property\s+of)\s+(?:the\s+)?(?P<b>{alt})\b",
        text,
        re.I,
    ):
        # "Samples remain the property of X", "shall continue to be owned by X": kept, not passed
        if re.search(
            r"\b(?:remain\w*|continue\w*\s+to\s+be|retain\w*)\s+(?:\w+\s+){0,2}$",
            text[max(0, m.start() - 40) : m.start()],
            re.I,
        ):
            continue
        out.append(Flow("rights", None, m.group("b"), m.start(), m.end(), m.group(0)))
    # the passive transfer of one party's rights: "X's interest in … is hereby transferred to Y"
    for m in re.finditer(
        rf"\b(?P<a>{alt})(?:'|’)s\s+(?:[^.;]{{0,80}}?)\b(?:is|are|shall\s+be|will\s+be)\s+(?:hereby\s+|automatically\s+|deemed\s+(?:to\s+be\s+)?)?(?:assigned|transferred|conveyed)\s+to\s+(?:the\s+)?(?P<b>{alt})\b",
        text,
        re.I,
    ):
        if m.group("a") != m.group("b"):
            out.append(Flow("rights", m.group("a"), m.group("b"), m.start(), m.end(), m.group(0)))
    out.sort(key=lambda f: (f.start, f.end))
    return out
