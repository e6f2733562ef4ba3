"""A development commission paid by its fee: when the other side pays the SME a fee for the work,
the deliverables it hands over with its earlier material kept out are paid for by that fee
(their ownership moving is the contract working, not a free transfer). Read once per document
by rules.py on top of the clause representation (clauses.py)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from . import survival
from .clauses import Act, ClauseView
from .rules_compile import LARGE_CH, SME_CH

# the other side pays for the commissioned work itself ("Customer will pay Provider the Fees",
# 「甲は乙に対し委託料を支払う」): what that work delivers is paid for by it
_FEE_FOR_WORK = {
    "ja": re.compile(
        f"[{LARGE_CH}]+(?:は|が)、?[{SME_CH}]+に(?:対し(?:て)?)?、?[^。]{{0,60}}?(?:委託料|報酬|代金|対価|開発費|業務委託料)(?:を|として)[^。]{{0,20}}?支払"
    ),
    "en": re.compile(
        # (the payee may go unnamed: "Asterion shall pay the Fees for each Statement of Work")
        f"[{LARGE_CH}]+\\s+(?:will|shall|agrees\\s+to|must)\\s+pay\\s+(?:(?:to\\s+)?(?:the\\s+)?[{SME_CH}]+\\s+)?(?:the\\s+|all\\s+|any\\s+)?"
        # (a named fee for the work — "the Development Fee of GBP 186,000" — but not the price of a licence: a licence
        # fee, a royalty, an initial or lump-sum fee, an exclusivity fee)
        r"(?:(?:(?![Ll]icen[cs]e\b|[Rr]oyalt|[Ee]xclusivity\b|[Ii]nitial\b|[Ll]ump\b|[Uu]p-?front\b|[Ss]igning\b|[Ee]ntry\b|[Aa]ccess\b|[Aa]nnual\b|[Mm]aintenance\b)[\w-]+\s+){0,2}?(?:Fee|fee)\b|"
        r"Fees|fees|compensation|remuneration|charges|Rate|rates|amounts?|price|consideration)\b"
        r"|\bin\s+consideration\s+(?:of|for)\s+(?:the\s+)?(?:Services|Work|performance\s+of\s+the\s+Services)\b",
    ),
}


# the other side pays the SME a running royalty for the licence ("Licensee shall pay a royalty
# of 4% of the net sales price", 「乙は甲に対し、許諾製品の正味販売額の3パーセントの実施料を支払う」);
# a one-off fee is not enough (a perpetual licence bought once is still IPR-02's problem)
_ROYALTIES = {
    "ja": re.compile(
        f"[{LARGE_CH}]+(?:は|が)、?(?:[{SME_CH}]+に(?:対し(?:て)?)?、?)?[^。]{{0,80}}?"
        r"(?:販売(?:額|価格|数量)|売上(?:高|額)?|[0-9０-９.．]+\s*(?:%|％|パーセント))[^。]{0,40}?"
        r"(?:実施料|ロイヤルティ|ロイヤリティ|使用料)(?:を|として)[^。]{0,40}?支払"
    ),
    "en": re.compile(
        f"[{LARGE_CH}]+\\s+(?:will|shall|agrees\\s+to|must)\\s+pay\\s+(?:to\\s+)?(?:the\\s+)?(?:[{SME_CH}]+\\s+)?"
        r"(?:an?\s+|the\s+)?(?:(?:running|earned|annual)\s+)?royalt(?:y|ies)\b(?:[^.;]|\.(?=\d)){0,40}?"
        r"(?:[0-9.]+\s*(?:%|per\s*cent|percent)|net\s+sales|per\s+(?:unit|piece|product))"
    ),
}


def royalties_paid(lang: str, masked_text: str) -> bool:
    """Whether the other side pays the SME a running royalty (a document-level fact)."""
    return _ROYALTIES.get(lang, _ROYALTIES["en"]).search(masked_text) is not None


def licence_paid_by_royalties(view: ClauseView) -> ClauseView:
    """The SME's licence of its technology is paid for by the royalties the other side pays
    elsewhere in the contract («2.1 Licensor grants Licensee an exclusive licence …» with «3.2
    Licensee shall pay a royalty of 4 %»). A licence of improvements is not: a grant-back is
    what a royalty for the main licence does not pay for, and a perpetual or irrevocable licence
    outlives the royalties."""
    acts = [
        dataclasses.replace(a, consideration="paid")
        if a.kind == "license"
        and a.to == "LARGE"
        and a.consideration == "none"
        and "improvements" not in a.objects
        and not a.wide & {"perpetual", "irrevocable"}
        else a
        for a in view.acts
    ]
    return dataclasses.replace(view, acts=acts)


def fees_for_the_work(lang: str, masked_text: str) -> bool:
    """Whether the other side pays the SME a fee for the work (a document-level fact)."""
    return _FEE_FOR_WORK.get(lang, _FEE_FOR_WORK["en"]).search(masked_text) is not None


def paid_by_the_fee(view: ClauseView) -> ClauseView:
    """Commissioned deliverables handed over with the SME's earlier material kept out of them are
    paid for by the fee for the work: their ownership moving is the contract working, not a free
    transfer (the caller knows the document pays such a fee and is a commission)."""
    acts = [
        dataclasses.replace(a, consideration="paid")
        if a.kind == "own" and a.to == "LARGE" and a.consideration == "none" and "background_excepted" in a.limits
        else a
        for a in view.acts
    ]
    return dataclasses.replace(view, acts=acts)


# what a prototype or sample is when it carries nothing of the SME's technology with it
_WORK_ONLY = frozenset({"prototypes", "support"})
_TECHNOLOGY = frozenset({"ip", "knowhow", "drawings", "data", "all_rights", "improvements", "background", "results"})


def work_paid_by_the_fee(view: ClauseView) -> ClauseView:
    """Prototypes or samples made «within the development fee» that the other side pays the SME
    («試作品は、乙が開発費の範囲内で製作し、甲に提供する») are paid work, not a free hand-over; rights
    or know-how said to be inside the same fee stay «included» (JRD-10, MFG-03)."""
    acts = [
        dataclasses.replace(a, consideration="paid")
        if a.kind == "provide"
        and a.to == "LARGE"
        and a.consideration == "included"
        and a.objects & _WORK_ONLY
        and not a.objects & _TECHNOLOGY
        else a
        for a in view.acts
    ]
    return dataclasses.replace(view, acts=acts)


def all_transfers_paid(acts: Iterable[Act]) -> bool:
    """Whether every transfer of ownership to the other side was read as paid: a service fee does
    not pay for an invention that merely arises in the work (rule_cases_l: 月額の委託料 and
    発明は委託者に帰属)."""
    moved = [a for a in acts if a.kind == "own" and a.to == "LARGE" and not a.negated]
    return bool(moved) and all(a.consideration == "paid" for a in moved)


# the price is said to pay for what other clauses hand over ("The Prices include full
# consideration for clauses 5.1 and 5.2", 「第７条及び第８条の対価は、本製品の単価に含まれる」):
# the acts of those clauses are paid for by the price, i.e. folded into it
_PRICE_COVERS_CLAUSES = {
    "ja": re.compile(
        r"第\s*(?:\d+|[一二三四五六七八九十百]+)\s*条[^。]{0,60}?(?:対価|費用|報酬|代償)[^。]{0,30}?"
        r"(?:代金|単価|価格|委託料|報酬|取引価格|購入価格)[^。]{0,10}?に(?:含ま|含め|含む)"
    ),
    "en": re.compile(
        r"\b(?:prices?|fees?|rates?|charges?|compensation|remuneration|purchase\s+price)\b(?:[^.;]|\.(?=\d)){0,60}?"
        r"\b(?:include|includes|cover|covers|constitutes?|represents?|(?:is|are|shall\s+be)\s+(?:deemed\s+to\s+)?(?:include|cover|be)"
        r"|(?:is|are|shall\s+be)\s+inclusive\s+of)\s+"
        r"(?:the\s+)?(?:full|all|complete|entire|sole|adequate)?\s*(?:and\s+\w+\s+)?(?:consideration|compensation|payment|remuneration)\s+"
        r"(?:for|in\s+respect\s+of),?\s+(?:(?:[^.;]|\.(?=\d)){0,100}?\b(?:in|under|by)\s+)?(?:the\s+)?(?:clauses?\s+|sections?\s+|articles?\s+|paragraphs?\s+|§§?\s*)\d"
        # "The prices in Exhibit B include packing, …, the Technical Data Package and all rights granted under Section 7"
        r"|\b(?:prices?|fees?|charges?)\b(?:[^.;]|\.(?=\d)){0,60}?\b(?:include|includes|cover|covers)\b(?:[^.;]|\.(?=\d)){0,120}?"
        r"\b(?:rights?|licen[cs]es?)\s+granted\s+(?:in|under|by)\s+(?:clauses?\s+|sections?\s+|articles?\s+|§§?\s*)\d"
        # the other way round: "The consideration for the rights granted in this § 9 and for the deposit under § 7 is
        # included in the prices under Annex 1"
        r"|\b(?:consideration|compensation|remuneration|payment)\s+for\b(?:[^.;]|\.(?=\d)){0,120}?(?:clauses?\s+|sections?\s+|articles?\s+|§§?\s*)\d"
        r"(?:[^.;]|\.(?=\d)){0,80}?\b(?:is|are|shall\s+be)\s+(?:deemed\s+(?:to\s+be\s+)?)?included\s+in\s+the\s+(?:[\w-]+\s+)?(?:prices?|fees?|charges?)"
        # "The Fees are inclusive of all rights assigned or licensed to Company under Section 5 and Section 6"
        r"|\b(?:prices?|fees?|charges?)\b(?:[^.;]|\.(?=\d)){0,40}?\b(?:include|includes|cover|covers|(?:is|are|shall\s+be)\s+inclusive\s+of)\s+"
        r"(?:all\s+|any\s+|the\s+)?(?:rights?|licen[cs]es?|assignments?|intellectual\s+property)\b(?:[^.;]|\.(?=\d)){0,80}?(?:clauses?\s+|sections?\s+|articles?\s+|§§?\s*)\d",
        re.I,
    ),
}


def _articles_named(rx: re.Pattern, lang: str, texts: Iterable[str], *, to_sentence_end: bool) -> set[str]:
    """Article numbers named by the matches of ``rx`` (read to the end of their sentence, or the match alone)."""
    out: set[str] = set()
    for text in texts:
        for m in rx.finditer(text):
            if to_sentence_end:
                end = text.find("。" if lang == "ja" else ".", m.end())
                out |= survival.named_articles(lang, text[m.start() : end if end >= 0 else len(text)])
            else:
                out |= survival.named_articles(lang, m.group(0))
    return out


def articles_priced_in(lang: str, texts: Iterable[str]) -> set[str]:
    """Article numbers whose hand-overs a sentence elsewhere says the price pays for."""
    rx = _PRICE_COVERS_CLAUSES.get(lang, _PRICE_COVERS_CLAUSES["en"])
    return _articles_named(rx, lang, texts, to_sentence_end=True)


# the price is said to pay for a defined body of knowledge ("Prices … include all consideration
# for the Manufacturing Documentation", 「製造情報の対価は、本製品の単価に含まれる」): every clause that
# hands over what that term names is paid for by the price, wherever it stands
_PRICE_COVERS_TERMS = {
    # (the keyword first: what it pays for is read back from it, so the pattern is not tried at every position)
    "ja": re.compile(
        r"(?:対価|費用|報酬|代償)(?:は|も)、?[^。]{0,30}?"
        r"(?:代金|単価|価格|委託料|報酬|取引価格|購入価格)[^。]{0,10}?に(?:含ま|含め|含む)"
    ),
    "en": re.compile(
        r"\b(?:prices?|fees?|rates?|charges?|compensation|remuneration|purchase\s+price)\b(?:[^.;]|\.(?=\d)){0,60}?"
        r"\b(?:include|includes|cover|covers|constitutes?|represents?|(?:is|are|shall\s+be)\s+(?:deemed\s+to\s+)?(?:include|cover|be)"
        r"|(?:is|are|shall\s+be)\s+inclusive\s+of)\s+(?:[^.;]|\.(?=\d)){0,80}?"
        r"\b(?:consideration|compensation|payment|remuneration)\s+(?:for|in\s+respect\s+of)\b(?P<what>(?:[^.;]|\.(?=\d)){0,160})",
        re.I,
    ),
}
# what a price can be said to pay for without anything of the SME's knowledge going with it
_KNOWLEDGE = frozenset({"drawings", "data", "knowhow", "information", "ip", "results", "software", "improvements"})


def terms_priced_in(lang: str, texts: Iterable[str], terms: dict[str, frozenset[str]]) -> set[str]:
    """Defined terms naming knowledge that a sentence elsewhere says the price pays for."""
    rx = _PRICE_COVERS_TERMS.get(lang, _PRICE_COVERS_TERMS["en"])
    known = {t for t, objects in terms.items() if objects & _KNOWLEDGE}
    out: set[str] = set()
    for text in texts:
        if lang == "ja" and "含" not in text:
            continue
        for m in rx.finditer(text):
            if lang == "ja":
                what = text[max(text.rfind("。", 0, m.start()) + 1, m.start() - 80) : m.start()]
            else:
                what = m.group("what")
            out |= {t for t in known if t in what}
    return out


# a payment made for what another clause asks of the SME ("7.2 In consideration of Section 7.1, Customer
# shall pay Developer the Exclusivity Fee", 「前条の義務の対価として、甲は乙に独占補償金を支払う」)
_PAID_FOR_CLAUSES = {
    "ja": re.compile(
        r"(?:第\s*[0-9]+\s*条(?:第\s*[0-9]+\s*項)?|前条|前項)(?:の|に定める)[^。]{0,20}?(?:対価|見返り)として[^。]{0,40}?支払"
    ),
    "en": re.compile(
        r"\bin\s+(?:consideration|return)\s+(?:of|for)\s+(?:the\s+(?:restrictions?|undertakings?|covenants?|obligations?)\s+"
        r"(?:in|of|under)\s+)?(?:Sections?|Clauses?|Articles?)\s+\d[\d.]*(?:[^.;]|\.(?=\d)){0,80}?\b(?:shall|will|agrees\s+to)\s+pay\b",
        re.I,
    ),
}


def articles_paid_for(lang: str, texts: Iterable[str]) -> set[str]:
    """Article numbers whose duties or hand-overs a sentence elsewhere pays for on their own."""
    rx = _PAID_FOR_CLAUSES.get(lang, _PAID_FOR_CLAUSES["en"])
    return _articles_named(rx, lang, texts, to_sentence_end=False)


def paid_separately(view: ClauseView) -> ClauseView:
    """A restriction the clause puts on the SME with no consideration of its own is paid by that
    payment (paid exclusivity); a licence or an assignment bought once stays the rules' question."""
    acts = [
        dataclasses.replace(a, consideration="paid") if a.kind == "restrict" and a.consideration == "none" else a
        for a in view.acts
    ]
    return dataclasses.replace(view, acts=acts)


def folded_into_the_price(view: ClauseView) -> ClauseView:
    """What the clause hands over with no consideration of its own is covered by the price (also when
    it only waits for the fee: «Subject to payment of the relevant milestone Fees, Vendor assigns …»
    beside "The Fees are inclusive of all rights assigned … under Section 5" is the rights folded into the fee)."""
    acts = [
        dataclasses.replace(a, consideration="included")
        if a.to == "LARGE"
        and a.consideration in ("none", "paid")
        and a.kind in ("provide", "own", "license", "pass_on")
        else a
        for a in view.acts
    ]
    return dataclasses.replace(view, acts=acts)
