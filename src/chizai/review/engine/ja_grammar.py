"""How a Japanese clause says who acts and whether it is denied: the negation after a verb stem,
the topic (は) or subject (が) that governs a verb, and the が-subjects that belong to a condition,
a relative clause or a judgement describing a thing rather than to the sentence.

Used by the clause reader (``clauses``) and by the rules' subject filter (``rules_subject``);
pure regular expressions over party-masked normalised text.
"""

from __future__ import annotations

import re

from .rules_compile import LARGE_CH, SME_CH

_NEG_TAIL = re.compile(
    # 「譲渡し、又は許諾するものではない」「移転し、又は乙が実施権を得ることはない」: a negation
    # that closes coordinated verbs covers each of them; 「帰属し、乙は対価を請求しない」 does not
    r"^(?:し|され|せ)?(?:、?(?:または|もしくは|ないし|あるいは)[^。、]{0,24}?)?"
    r"(?:する|される|させる|得る)?(?:もの|こと)?(?:では|は|も)?(?:ない|なく|ず|ません|しない|されない)"
    # 「開示する義務を負わない」「提供する必要はない」
    r"|^(?:する|される)?(?:義務|必要|責任)(?:を|は|も)?(?:負わない|ない|有しない|負うものではない)"
    # 「提供することを要しない」「提出することを要せず」
    r"|^(?:する|される)?(?:こと)?(?:を|は)?要(?:しない|せず|さない)"
    # 「開示してはならない」「使用させてはいけない」, and the ban that goes on to the next verb: 「開示してはならず、」
    r"|^(?:し|させ|され)?(?:て|で)(?:は|も)?(?:ならない|ならず|なりません|いけない)"
    # the negative of a godan verb: 「責任を負わない」「支払わない」「持たない」
    r"|^[わさかがまらたなばい]な(?:い|く)"
)


def negated_tail(tail: str) -> bool:
    """Whether the Japanese text right after a verb stem negates it (coordination included)."""
    return bool(_NEG_TAIL.match(tail))


_SUBJECT = re.compile(f"[{SME_CH}{LARGE_CH}]+(?=は|が)")
_RECEIVER = re.compile(f"[{SME_CH}{LARGE_CH}]+(?=に)")
# a が-clause that only says which things are meant: «甲が本評価に必要と認める資料を», «甲が指定する図面を»
_RELATIVE_OBJECT = re.compile(
    r"[^、。]{0,30}?(?:認める|認めた|定める|定めた|指定する|指定した|求める|要求する|必要とする|指示する|選定する|承認した)"
    r"(?:資料|情報|もの|事項|範囲|技術|データ|書類|図面|記録)(?:等)?(?:を|は)"
)
JA_RELATIVE_TOPIC = re.compile(
    r"[^、。]{0,40}?(?:した|する|された|される|している|していた)"
    r"(?!場合|とき|時|際|限り|ため|まで|前|後)[^、。]{1,20}?(?<!場合)(?<!とき)(?<!際)(?<!時)は、"
)
# 「甲が量産発注を決定した場合に限り」: the が-subject of a condition
JA_CONDITION = re.compile(r"(?:[^、。は]{0,40}?、){0,2}?[^、。は]{0,40}?(?:場合|とき|時|際|限り)")


def nearest_subject(lang: str, m: re.Match, group: str) -> str:
    """The party text of ``group``; in Japanese, when the group is a topic (「甲は」「乙が」)
    and another topic follows before the verb, the later one is the verb's subject
    (「乙が甲に行った提案は、甲が…利用できる」: 甲 uses, not 乙). A は-topic is kept."""
    got = m.group(group)
    if lang != "ja":
        return got
    particle = m.string[m.end(group) : m.end(group) + 1]
    # a topic with は governs the sentence: a later 「甲が必要と認める」 is a relative clause
    if particle == "が":
        # 「乙は、…その他甲が本評価に必要と認める資料を、甲の求めに応じて提出する」: the が-party decides which
        # documents (a relative clause on the object); the は-topic before it is the one who hands them over
        s0 = m.string.rfind("。", 0, m.start(group)) + 1
        topics = [t for t in _SUBJECT.finditer(m.string, s0, m.start(group)) if m.string[t.end() : t.end() + 1] == "は"]
        if topics and _RELATIVE_OBJECT.match(m.string, m.end(group) + 1):
            return topics[0].group(0)
        later = list(_SUBJECT.finditer(m.string, m.end(group), m.end()))
        if later:
            return later[-1].group(0)
        # 「乙が甲に提出した技術資料は、…」: the party is the subject of a relative clause on
        # the topic, not of the verb the pattern reached; a condition (「乙が…する場合は」) keeps it
        if JA_RELATIVE_TOPIC.match(m.string, m.end(group) + 1, m.end()):
            return ""
        return got
    # 「乙に別途の対価を支払うことにより甲に移転する」: the receiver is the に nearest the verb
    if particle == "に":
        later = list(_RECEIVER.finditer(m.string, m.end(group), m.end()))
        return later[-1].group(0) if later else got
    return got


# the が-subject of a judgement that describes a thing: 「その他光英が本評価に必要と認める事項」「甲が指定する場所」
JUDGED_THING = re.compile(
    r"[^、。]{0,30}?(?:必要と(?:認める|判断する|考える)|指定する|要求する|求める|定める|指定した|承認した)"
    r"(?:一切の|すべての|全ての)?(?:事項|もの|資料|情報|データ|書類|者|範囲|方法|場所|期日|期間)"
)
