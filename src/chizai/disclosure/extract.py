"""Suggestions for an agreement's fields, read from the contract text and the reviewer's report.

Best effort and never applied silently: the suggestions are shown next to the form for a
person to confirm. Each suggestion keeps the sentence it came from, so the person can
check it against the contract.
"""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"[^。\n.]*(?:。|\.(?=\s)|\n|$)")

STAGE_WORDS = [
    (
        "inquiry",
        r"引き合い|取引の検討|取引を検討|可能性の検討|検討の目的|evaluat\w+ (?:a |the )?(?:potential|possible) (?:business|transaction|supply|cooperation)|potential business relationship",
    ),
    ("quotation", r"見積|quotation|quote|\bRFQ\b"),
    ("prototype", r"試作|prototype|proof of concept|\bPoC\b|サンプル評価"),
    ("joint_study", r"共同研究|共同開発|joint (?:research|development|study)"),
    ("mass_production", r"量産|製造委託|継続的な取引|mass production|volume production|supply of (?:the )?products"),
    ("after_sales", r"保守|アフターサービス|after-sales|maintenance"),
]


_HEADING = re.compile(
    r"^(?:第\s*\S{1,4}\s*条\s*[（(][^）)]*[）)]|(?:Article|Section)\s+\d+[.:]?\s*[A-Z][\w ,/&-]{0,40})$"
)


def _sentences(text: str) -> list[str]:
    """Sentences, without bare clause headings (「第6条（存続）」 names a topic, it says nothing)."""
    out = []
    for s in _SENTENCE.findall(text):
        s = s.strip()
        if s and not _HEADING.match(s):
            out.append(s)
    return out


def _first(sentences: list[str], pattern: str) -> str:
    """The first real sentence matching; inline headings ("1. Purpose.") are too short to count."""
    rx = re.compile(pattern, re.I)
    return next((s for s in sentences if len(s) >= 20 and rx.search(s)), "")


def _number(value: str) -> int | None:
    table = str.maketrans("０１２３４５６７８９", "0123456789")
    kanji = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
    value = value.translate(table)
    if value.isdigit():
        return int(value)
    if value in kanji:
        return kanji[value]
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}
    return words.get(value.lower())


def _months(sentence: str) -> int | None:
    m = re.search(
        r"([0-9０-９一二三四五六七八九十]+|one|two|three|four|five|six|seven|ten)\s*(?:\(\d+\)\s*)?(年|years?|か月|ヶ月|カ月|months?)",
        sentence,
        re.I,
    )
    if not m:
        return None
    n = _number(m.group(1))
    if n is None:
        return None
    return n * 12 if m.group(2).lower().startswith(("年", "year")) else n


def _direction(text: str, sme_label: str | None, parties: list[str]) -> tuple[str, str]:
    if re.search(
        r"相互に|互いに|双方が|甲及び乙は、?相手方に|each party (?:may|shall|will) disclose|either party (?:may )?disclos|mutual",
        text,
        re.I,
    ):
        sentence = _first(_sentences(text), r"相互に|互いに|双方|each party|either party|mutual")
        return "mutual", sentence
    if not sme_label or len(parties) < 2:
        return "", ""
    from chizai.review.engine.detect import flows

    outbound = inbound = 0
    evidence = ""
    for sentence in _sentences(text):
        for flow in flows(sentence, parties):
            if flow.kind != "information":
                continue
            if flow.source == sme_label:
                outbound += 1
                evidence = evidence or sentence
            elif flow.target == sme_label:
                inbound += 1
                evidence = evidence or sentence
    if outbound and inbound:
        return "mutual", evidence
    if outbound:
        return "outbound", evidence
    if inbound:
        return "inbound", evidence
    return "", ""


def suggest(text: str, report: dict | None, *, sme_label: str | None = None, parties: list[str] | None = None) -> dict:
    """{field: {"value": …, "source": sentence}} plus ``findings`` (severity counts and titles)."""
    sentences = _sentences(text)
    out: dict = {}
    purpose = _first(sentences, r"目的|purpose")
    if purpose:
        stages = [code for code, rx in STAGE_WORDS if re.search(rx, purpose, re.I)]
        out["purpose"] = {"value": purpose[:500], "source": purpose}
        out["purpose_stages"] = {"value": stages, "source": purpose}
    recipients = _first(
        sentences, r"役員|従業員|開示を受ける者|知る必要|need[- ]to[- ]know|employees|directors|officers"
    )
    if recipients:
        out["permitted_recipients"] = {"value": recipients[:500], "source": recipients}
    survival = _first(sentences, r"終了後.{0,20}(?:年|か月|ヶ月)|存続|surviv|after (?:the )?(?:expiration|termination)")
    months = _months(survival) if survival else None
    if months:
        out["survival_months"] = {"value": months, "source": survival}
    term = _first(sentences, r"有効期間|契約期間|term of this agreement|remain in (?:full )?(?:force|effect) for")
    term_months = _months(term) if term else None
    if term_months:
        out["term_months"] = {"value": term_months, "source": term}
    ret = _first(sentences, r"返還|返却|破棄|廃棄|消去|return|destroy|destruction")
    if ret:
        has_return = bool(re.search(r"返還|返却|return", ret, re.I))
        has_destroy = bool(re.search(r"破棄|廃棄|消去|destroy|destruction|delete", ret, re.I))
        duty = "return_or_destroy" if has_return and has_destroy else ("return" if has_return else "destroy")
        out["return_duty"] = {"value": duty, "source": ret}
        out["return_terms"] = {"value": ret[:500], "source": ret}
        cert = _first(sentences, r"証明書|証明する|証する書面|certif")
        out["certificate_required"] = {"value": bool(cert), "source": cert}
        days = re.search(r"([0-9０-９一二三四五六七八九十]+)\)?\s*(?:日以内|日内|days)", ret)
        if days and _number(days.group(1)):
            out["return_days"] = {"value": _number(days.group(1)), "source": ret}
    direction, evidence = _direction(text, sme_label, parties or [])
    if direction:
        out["direction"] = {"value": direction, "source": evidence}
    findings = (report or {}).get("findings", [])
    out["findings"] = {
        "high": sum(1 for f in findings if f.get("severity") == "HIGH"),
        "medium": sum(1 for f in findings if f.get("severity") == "MEDIUM"),
        "low": sum(1 for f in findings if f.get("severity") == "LOW"),
        "titles": [f"{f.get('severity')}: {f.get('title')}" for f in findings[:10]],
    }
    types = (report or {}).get("contract_type") or []
    if types:
        out["type"] = {"value": types[0], "source": ""}
    return out
