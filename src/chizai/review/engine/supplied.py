"""What the other side itself hands the SME stays the other side's, wherever the contract says so.

«発注者は、本試作品の製作に必要な意匠図面…を受注者に無償で貸与する» in one article and «対象モデルの意匠
及び意匠図面に関する権利は、発注者に帰属する» in another: the second sentence names no maker, so the
reader (clauses.py) cannot tell whose drawings they are and reads a transfer to the other side. The
first sentence says it: the drawings are the ones the other side lent. This module collects the names
of what the other side supplies, lends or discloses to the SME, and marks an act that gives such a
thing to the other side as moving the other side's own material (origin LARGE), which moves nothing
of the SME's.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from .clauses import Act, ClauseView
from .rules_compile import LARGE_CH, SME_CH

# the other side supplies, lends or discloses things to the SME; the things are in (?P<what>…)
_SUPPLIES = {
    "ja": re.compile(
        f"[{LARGE_CH}]+(?:は|が)、?(?P<what>[^。]{{2,80}}?)を、?[{SME_CH}]+に(?:対し(?:て)?、?)?(?:無償で、?|有償で、?)?"
        r"(?:貸与|支給|提供|交付|開示|送付|引き渡)"
    ),
    "en": re.compile(
        f"[{LARGE_CH}]+\\s+(?:shall|will|may)\\s+(?:\\w+\\s+)?(?:lend|loan|provide|supply|furnish|deliver|disclose|make\\s+available)"
        f"\\s+(?:to\\s+(?:the\\s+)?[{SME_CH}]+\\s+)?(?P<what>[^.;]{{2,160}}?)(?=\\s+to\\s+(?:the\\s+)?[{SME_CH}]+|[.;]|$)",
        re.I,
    ),
}
# the items of a list of things
_SPLIT = {
    "ja": re.compile(r"並びに|ならびに|及び|および|又は|または|、"),
    "en": re.compile(r",|\band\b|\bor\b", re.I),
}
# the head noun of a Japanese item (「本試作品の製作に必要な意匠図面」→「意匠図面」)
_JA_HEAD = re.compile(r"([\u4e00-\u9fff\u30a0-\u30ffA-Za-z0-9]{3,12})$")
# what a name must be to count: a body of knowledge, not a part or a material
_KNOWLEDGE = {
    "ja": re.compile(r"図面|設計|仕様|意匠|デザイン|データ|資料|情報|プログラム|ソフトウェア|モデル|原画|図案"),
    "en": re.compile(
        r"drawings?|designs?|specifications?|data|documentation|software|models?|artwork|information", re.I
    ),
}


def supplied_names(lang: str, texts: Iterable[str]) -> set[str]:
    """The names of the bodies of knowledge the other side hands the SME («意匠図面», "Buyer Designs")."""
    rx, split, knowledge = _SUPPLIES.get(lang), _SPLIT.get(lang), _KNOWLEDGE.get(lang)
    if rx is None or split is None or knowledge is None:
        return set()
    out: set[str] = set()
    for text in texts:
        for m in rx.finditer(text):
            for item in split.split(m.group("what")):
                item = item.strip(" 、,")
                if lang == "ja":
                    head = _JA_HEAD.search(item)
                    name = head.group(1) if head else ""
                else:
                    words = re.sub(r"^(?:the|its|any|all|such)\s+", "", item, flags=re.I).split()
                    # one word alone ("drawings") could be anybody's: a name of two words or more
                    name = " ".join(words[-3:]) if len(words) >= 2 else ""
                if name and knowledge.search(name) and LARGE_CH not in name and SME_CH not in name:
                    out.add(name)
    return out


def returned_to_owner(view: ClauseView, text: str, names: set[str]) -> ClauseView:
    """Acts that give the other side something it supplied itself read as moving its own material."""
    if not names:
        return view

    def theirs(a: Act) -> bool:
        near = text[max(0, a.start - 120) : a.end + 40]
        return a.to == "LARGE" and a.kind in ("own", "license") and a.origin == "NONE" and any(n in near for n in names)

    if not any(theirs(a) for a in view.acts):
        return view
    return dataclasses.replace(
        view, acts=[dataclasses.replace(a, origin="LARGE") if theirs(a) else a for a in view.acts]
    )
