"""How far an act of a clause reaches, read from the words around it.

The reader (clauses.py) finds an act and its objects in a sentence; these checks narrow or
qualify it from its surroundings: title to the goods alone moves no IP, work performed
"using" a method hands the method to no one, the next sentence may take the SME's own material
out of a transfer, the article may keep the core know-how back, and a "purpose" may be the
other side's whole exploitation of the results; a warranty's exemption may stand in another sentence of the
article, and a grant's "purpose" may be sourcing the goods elsewhere.
"""

from __future__ import annotations

import re

from .concepts import Lexicon, sentences, tags
from .rules_compile import LARGE_CH, SME_CH

# Title to things handed over (「試作品の所有権は…移転する」, "title to the Prototypes passes") is
# the sale of the thing; without a word for rights in what it embodies it moves no IP.
_GOODS_TITLE = {
    "ja": re.compile(
        r"(?:試作品|試作物|サンプル|試料|評価品|見本|本製品|製品|納入物|納品物|現品|部品|金型|治具)(?:の|に係る|に関する)所有権"
    ),
    "en": re.compile(
        r"\b(?:title\s+to|ownership\s+of)\s+(?:the\s+|any\s+|all\s+|each\s+|such\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:prototypes?|samples?|evaluation\s+units?|test\s+pieces?|products?|goods|units?|parts?|components?)\b",
        re.I,
    ),
}
_RIGHTS_IN = {
    "ja": re.compile(
        r"知的財産|著作権|特許|実用新案|意匠|ノウハウ|(?:一切|全て|すべて|その他)の権利|権利一切|所有権その他"
    ),
    "en": re.compile(r"intellectual|copyright|patent|know-?how|\brights?\b|\binterest\b", re.I),
}
# the work verbs of a duty to perform, and the means it is performed with
_PERFORM_VERB = re.compile(r"\b(?:perform|render|carry\s+out|conduct|execute)\b", re.I)
_MEANS = re.compile(r"\b(?:using|by\s+means\s+of|with\s+the\s+(?:aid|use)\s+of|applying)\b[^.;]*", re.I)
# a sentence that takes something out of the transfer just made
_EXCLUDED_FROM_THIS = {
    "ja": re.compile(
        r"(?:この|当該|前記の?|本項の)(?:譲渡|移転|帰属)(?:の対象)?(?:から|には|に)[^。]{0,10}?(?:除|含まれない|含まない|該当しない)"
    ),
    "en": re.compile(
        r"\b(?:are|is|shall\s+be|remain)\s+excluded\s+from\s+(?:this|such|the\s+foregoing|that)\s+(?:assignment|transfer|vesting)"
        r"|\b(?:this|such|the\s+foregoing)\s+(?:assignment|transfer)\s+(?:does|shall|will)\s+not\s+(?:include|extend\s+to|apply\s+to|cover)"
        # "Nothing in this Clause 5.1 assigns or licenses any of Harbourline's Background IP"
        r"|\bnothing\s+in\s+this\s+(?:Clause|Section|Article|paragraph)(?:\s+[\d.]+)?\s+(?:assigns|transfers|licenses|conveys|vests)\b",
        re.I,
    ),
}
# the SME need not disclose the core of its know-how (composition, formulation, process)
_WITHHELD = {
    "ja": re.compile(
        r"(?:組成|配合|処方|製造方法|製法|製造条件|加工条件|ノウハウ|製造工程)[^。]{0,30}?(?:開示|提供|提出)(?:する)?"
        r"(?:義務を負わない|ことを要しない|を要しない|しないことができる)"
    ),
    "en": re.compile(
        r"\b(?:is|are|shall\s+be)\s+not\s+(?:obliged|required|bound)\s+to\s+(?:disclose|deliver|provide|supply)\b(?:[^.;]|\.(?=\d)){0,60}?"
        r"\b(?:composition|formulation|recipe|process|know-how|manufactur|source\s+code|design\s+models?|calculation)"
        r"|\bneed\s+not\s+(?:disclose|deliver|provide|supply)\b(?:[^.;]|\.(?=\d)){0,60}?"
        r"\b(?:composition|formulation|recipe|process|know-how|manufactur|source\s+code|design\s+models?|calculation)",
        re.I,
    ),
}
# a purpose that is the exploitation of the results or products themselves, not their use
_EXPLOIT_PURPOSE = {
    "ja": re.compile(
        r"(?:本成果|成果|本製品|製品|本発明|発明)(?:物)?を(?:実施|製造|販売|事業化|商業化)(?:し、?(?:又は|若しくは)?(?:製造|販売)?)?"
        r"(?:する)?(?:ため)?(?:に)?必要な(?:範囲|限度)"
    ),
    "en": re.compile(
        r"\bnecessary\s+(?:for|to)\s+(?:the\s+)?(?:exploit|commerciali[sz]|manufactur|make|sell|practi[cs])\w*\s+"
        r"(?:of\s+)?(?:the\s+|any\s+)?(?:Results?|Products?|Foreground|Inventions?|Arising\s+IP|Developments?)\b",
        re.I,
    ),
}


def title_to_goods_only(lang: str, sentence: str) -> bool:
    """The sentence moves title to things handed over and names no right in what they embody."""
    return _GOODS_TITLE[lang].search(sentence) is not None and not _RIGHTS_IN[lang].search(sentence)


def work_verb(lang: str, act_text: str) -> bool:
    """The act is a duty to perform work («shall perform the Services»), not to hand something over."""
    return lang == "en" and _PERFORM_VERB.search(act_text) is not None


# what support is about is its topic, not a thing handed over: «本試作品の構造及び取扱いについて…説明を行い»,
# "explain the operation of the Prototypes"
_SUPPORT_TOPIC = {
    "ja": re.compile(
        r"[^、。]{1,60}?(?:について|に関(?:して|し|する))(?=[^。]{0,30}?(?:説明|指導|助言|支援|回答|教育|研修|訓練|講習)(?:を)?(?:行|実施|する|し))"
    ),
    "en": re.compile(
        r"\b(?:explain|instruct|train|advise|brief)\w*\s+(?:\w+\s+){0,3}?(?:on|about|regarding|in)\s+[^.;]{1,80}", re.I
    ),
}


def support_topic_removed(lang: str, sentence: str) -> str | None:
    """The sentence without the topic of the explanation or guidance it promises, or None when it
    promises none («…の構造及び取扱いについて２回まで説明を行い» gives an explanation, not the prototype)."""
    rx = _SUPPORT_TOPIC.get(lang)
    if rx is None or not rx.search(sentence):
        return None
    return rx.sub(" ", sentence)


# the work named as the sentence's topic or object, done by «行う»: «これを超える説明は、…１日あたり金８万円で行う»
_SUPPORT_WORK_JA = re.compile(
    r"(?:説明|指導|助言|支援|研修|教育|訓練|講習)(?:は|を)、?[^。]{0,60}?(?:行う|行い|行わ|実施する|実施し)"
)


def is_support_work(lang: str, sentence: str) -> bool:
    """The sentence's act is the explanation or guidance itself (a Japanese 「…説明は、…行う」)."""
    return lang == "ja" and _SUPPORT_WORK_JA.search(sentence) is not None


def without_means(sentence: str) -> str:
    """The sentence without what the work is done with («… using the Analytical Method»)."""
    return _MEANS.sub(" ", sentence)


def takes_the_smes_own_out(lang: str, following: str) -> bool:
    """The next sentence takes the SME's own material out of the transfer just made."""
    return SME_CH in following and _EXCLUDED_FROM_THIS[lang].search(following) is not None


def core_withheld(lang: str, article_text: str) -> bool:
    """The article says the SME need not disclose its composition, formulation or process."""
    return _WITHHELD[lang].search(article_text) is not None


def purpose_is_exploitation(lang: str, sentence: str) -> bool:
    """The "purpose" of a grant is the other side's exploitation of the results or products."""
    return _EXPLOIT_PURPOSE[lang].search(sentence) is not None


# what the other side brought in: a carve-out "by cause" names it ("arising from Buyer's
# specification", 「甲の指定した仕様に起因する」)
_OTHER_SIDE_INPUT = {
    "ja": re.compile(r"指定|指示|支給|提供|貸与|仕様|図面|設計|材料|要求"),
    "en": re.compile(
        r"specification|design|drawing|instruction|material|tooling|modification|combination|request|requirement", re.I
    ),
}


# what makes a sentence an exemption — the SME not answering, the rule not applying, the other side answering —
# rather than a quality warranty that names the other side's designs ("shall conform to Buyer Designs")
_EXEMPTS = {
    "ja": re.compile(
        r"限り(?:でない|ではない)|責(?:任|め)を負わ(?:ない|ず)|負わ(?:ない|ず)|適用(?:しない|されない|せず)|及ばない|免|除く|除き|除外"
        f"|[{LARGE_CH}]+(?:の|が)(?:責任|負担|費用)|[{LARGE_CH}]+が[^。]{{0,20}}?(?:解決|賠償|補償|負担)"
    ),
    "en": re.compile(
        r"not\s+(?:be\s+)?(?:liable|responsible|obliged|obligated)|no\s+(?:liability|obligation|responsibility)|\bexcept|\bexclud"
        r"|not\s+apply|\bunless\b|to\s+the\s+extent|save\s+(?:for|where|to)|provided\s+that|(?:does|shall|will)\s+not\s+(?:cover|extend|include)"
        f"|responsibility\\s+of\\s+(?:the\\s+)?[{LARGE_CH}]+|[{LARGE_CH}]+(?:'s|’s)\\s+(?:own\\s+)?(?:risk|cost|expense|responsibility)"
        f"|[{LARGE_CH}]+\\s+(?:shall|will|agrees\\s+to)\\s+(?:\\w+\\s+){{0,2}}?(?:indemnif|hold\\s+harmless|defend|bear)",
        re.I,
    ),
}
# a "purpose" that is buying or making the goods elsewhere
_SOURCING_PURPOSE = {
    "ja": re.compile(
        r"(?:他の|第三者|別の)[^。]{0,40}?(?:から|に|による)[^。]{0,20}?(?:調達|購入|製造|生産)[^。]{0,10}?(?:する)?(?:ため|目的)"
    ),
    "en": re.compile(
        r"\bfor\s+(?:the\s+purpose(?:s)?\s+of\s+)?(?:procuring|sourcing|purchasing|obtaining|buying|qualifying|having)\b"
        r"(?:[^.;]|\.(?=\d)){0,120}?\b(?:other|alternative|alternate|second|third[- ]party|another)\b"
        # the other makers first: "… to any other manufacturer for the purpose of manufacturing or having manufactured …"
        r"|\b(?:other|alternative|alternate|second|third[- ]party|another)\s+(?:[\w-]+\s+)?(?:manufacturers?|suppliers?|makers?|sources?|vendors?)\b"
        r"(?:[^.;]|\.(?=\d)){0,40}?\bfor\s+(?:the\s+)?purposes?\s+of\s+(?:manufactur|making|producing|having\s+(?:\w+\s+)?(?:made|manufactured|produced))",
        re.I,
    ),
}
# who pays the royalties for parts the other side specified (RSK-02's subject) exempts nothing from the warranty
_ROYALTY_COST = {
    "ja": re.compile(r"実施料|使用料|ロイヤル?ティ|ライセンス料|許諾料"),
    "en": re.compile(r"royalt|licen[cs]e\s+fees?", re.I),
}


def carve_out_elsewhere(lex: Lexicon, lang: str, parts: list[str]) -> bool:
    """Whether another sentence of the article exempts what the other side specified,
    instructed or supplied (a warranty's carve-out is often its own paragraph)."""
    return any(
        LARGE_CH in sentence
        and _OTHER_SIDE_INPUT[lang].search(sentence)
        and not _ROYALTY_COST[lang].search(sentence)
        and _EXEMPTS[lang].search(sentence)
        and "cause" in tags(lex, sentence, "limits")
        for part in parts
        for sentence in sentences(lex, part)
    )


def purpose_is_sourcing(lang: str, sentence: str) -> bool:
    """The grant's "purpose" is buying or making the goods elsewhere ("for procuring … from any other manufacturer")."""
    return _SOURCING_PURPOSE[lang].search(sentence) is not None


# a carve-out for the other side's input that another sentence takes back
_CARVE_OUT_HOLLOWED = {
    "ja": re.compile(
        r"(?:前項|同項|前条)?ただし書(?:の場合であっても|にかかわらず|は[^。]{0,100}?(?:場合|とき)に限り(?:適用|効力を有)"
        r"|[^。]{0,60}?(?:知り得た|知っていた|知ることができた)(?:とき|場合)[^。]{0,20}?(?:責任|本文))"
    ),
    "en": re.compile(
        rf"\bprovided\s+(?:always\s+)?that\s+(?:the\s+)?{SME_CH}+\s+has\s+not\s+(?:[\w,]+\s+){{0,6}}?(?:interpreted|implemented|adapted|applied|used)\b"
        rf"|\b(?:does|shall)\s+not\s+apply\s+(?:where|if)\s+(?:the\s+)?{SME_CH}+\s+(?:knew|should\s+have\s+known|could\s+(?:reasonably\s+)?have\s+known|was\s+aware)\b",
        re.I,
    ),
}


def carve_out_hollowed(lang: str, article_text: str) -> bool:
    """The article takes back its carve-out for the other side's specification: only if the SME
    searched and reported, not where it "interpreted or implemented" the specification (which it always does)."""
    return _CARVE_OUT_HOLLOWED[lang].search(article_text) is not None
