"""A development commission paid by its fee: when the other side pays the SME a fee for the work,
the deliverables it hands over with its earlier material kept out are paid for by that fee
(their ownership moving is the contract working, not a free transfer). Read once per document
by rules.py on top of the clause representation (clauses.py)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from .clauses import Act, ClauseView
from .rules_compile import LARGE_CH, SME_CH

# the other side pays for the commissioned work itself ("Customer will pay Provider the Fees",
# 「甲は乙に対し委託料を支払う」): what that work delivers is paid for by it
_FEE_FOR_WORK = {
    "ja": re.compile(
        f"[{LARGE_CH}]+(?:は|が)、?[{SME_CH}]+に(?:対し(?:て)?)?、?[^。]{{0,60}}?(?:委託料|報酬|代金|対価|開発費|業務委託料)(?:を|として)[^。]{{0,20}}?支払"
    ),
    "en": re.compile(
        f"[{LARGE_CH}]+\\s+(?:will|shall|agrees\\s+to|must)\\s+pay\\s+(?:to\\s+)?(?:the\\s+)?[{SME_CH}]+\\s+(?:the\\s+|all\\s+|any\\s+)?"
        r"(?:Fees|fees|compensation|remuneration|charges|Rate|rates|amounts?|price|consideration)\b"
        r"|\bin\s+consideration\s+(?:of|for)\s+(?:the\s+)?(?:Services|Work|performance\s+of\s+the\s+Services)\b",
    ),
}


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


def all_transfers_paid(acts: Iterable[Act]) -> bool:
    """Whether every transfer of ownership to the other side was read as paid: a service fee does
    not pay for an invention that merely arises in the work (rule_cases_l: 月額の委託料 and
    発明は委託者に帰属)."""
    moved = [a for a in acts if a.kind == "own" and a.to == "LARGE" and not a.negated]
    return bool(moved) and all(a.consideration == "paid" for a in moved)
