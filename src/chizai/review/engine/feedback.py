"""Explain a finding in words, and the clause fingerprint the organisation's feedback uses.

Pure functions (no Django): the renderers and the web report build the same sentence from
``Finding.why`` (``clauses.ClauseView.explain``) with the fragments in ``messages.py``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from chizai.review.engine.messages import MESSAGES, msg

_SPACE = re.compile(r"\s+")


def normalise_clause(text: str) -> str:
    """NFKC, lower case, no white space: the same clause typed or extracted differently
    (full-width digits, line breaks from a PDF) reads the same."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def clause_hash(text: str) -> str:
    return hashlib.sha256(normalise_clause(text).encode("utf-8")).hexdigest()


def _has(lang: str, key: str) -> bool:
    return key in (MESSAGES.get(lang) or MESSAGES["en"])


def _fragment(lang: str, prefix: str, value: str) -> str:
    key = f"{prefix}{value}"
    return msg(lang, key) if _has(lang, key) else str(value).replace("_", " ")


def _act(lang: str, act: dict) -> str:
    objects = [o for o in act.get("objects") or [] if _has(lang, f"why_obj_{o}")]
    joined = msg(lang, "why_obj_sep").join(msg(lang, f"why_obj_{o}") for o in objects) or msg(lang, "why_objects_none")
    origin = act.get("origin")
    if origin in ("SME", "LARGE"):
        joined = msg(lang, f"why_origin_{origin}", objects=joined)
    kind = act.get("kind") or ""
    key = f"why_act_{kind}" if _has(lang, f"why_act_{kind}") else "why_act_other"
    text = msg(lang, key, objects=joined, to=_fragment(lang, "why_to_", act.get("to") or "NONE"))
    wide = [_fragment(lang, "why_wide_", w) for w in act.get("wide") or []]
    if wide:
        text += msg(lang, "why_wide", items=msg(lang, "why_join").join(wide) if lang == "ja" else ", ".join(wide))
    limits = [_fragment(lang, "why_limit_", x) for x in act.get("limits") or []]
    if limits:
        text += msg(lang, "why_limits", items="、".join(limits) if lang == "ja" else ", ".join(limits))
    if act.get("negated"):
        text = msg(lang, "why_neg", act=text)
    return text


def explain_why(why: dict | None, lang: str, rule_id: str = "") -> str:
    """One readable sentence saying why a finding fired, in ``lang`` (ja/en).

    ``why`` is ``Finding.why``; None (a finding from the rule's wording alone) says so."""
    lang = lang if lang in MESSAGES else "en"
    acts = (why or {}).get("acts") or []
    if not acts:
        used_in = (why or {}).get("used_in")
        if used_in is not None:
            term = ((why or {}).get("terms") or [""])[0]
            return msg(lang, "why_term_used", term=term, clause=used_in or "?")
        return msg(lang, "why_pattern", rule=rule_id)
    parts = [_act(lang, a) for a in acts]
    joined = msg(lang, "why_join").join(parts)
    paid = [a.get("consideration") for a in acts if a.get("consideration") and a.get("consideration") != "none"]
    terms = [t for t in (why or {}).get("terms") or [] if t]
    extra = (
        msg(
            lang, "why_terms", terms=("、" if lang == "ja" else ", ").join(msg(lang, "why_term", term=t) for t in terms)
        )
        if terms
        else ""
    )
    cons_key = f"why_cons_{paid[0]}" if paid else "why_cons_none"
    if acts and all(a.get("negated") for a in acts):
        return msg(lang, "why_sentence_nocons", acts=joined, extra=extra)
    return msg(lang, "why_sentence", acts=joined, cons=msg(lang, cons_key), extra=extra)
