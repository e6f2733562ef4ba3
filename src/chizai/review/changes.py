"""The counterparty's tracked changes in the stored report (issue 15, Word in).

The worker calls ``annotate`` after reviewing a Word redline: the changes per clause (author,
date, inserted/deleted text) go into the report, and each finding the changes caused is
marked, with the findings they removed listed beside. The report is sealed like the rest of
it; the web page and the JSON API read it from there.
"""

from __future__ import annotations

from collections.abc import Callable

from chizai.review.engine import ReviewInputError
from chizai.review.engine.docx_changes import CAUSED, counterparty_changes


def annotate(data: dict, doc, report, revisions: list[dict], load: Callable, review: Callable) -> dict:
    """Add ``changes`` to the report ``data`` (as stored) and mark the findings they caused.

    ``load`` and ``review`` are the engine's ``load_document`` and ``review_document``, passed
    in by the worker, which has them loaded (the web process imports the engine lazily).
    """
    if not revisions:
        return data

    def review_rejected(text: str):
        # the draft before the counterparty's changes, read from the same chair: the same
        # language, contract types and SME as the accepted text
        try:
            before = load(
                text,
                "before-changes.txt",
                lang=doc.language,
                sme=doc.sme_label,
                contract_type=doc.contract_types or "auto",
            )
        except ReviewInputError:  # e.g. empty: the counterparty wrote the whole text
            return None
        return review(before)

    changes = counterparty_changes(doc, report, revisions, review_rejected)
    for index in changes["caused"]:
        data["findings"][index]["change"] = CAUSED
    data["changes"] = changes
    return data


def _same_clause(a: str, b: str) -> bool:
    """第5条 holds 第5条第2項; Section 7 holds Section 7.2(b)."""
    return bool(a and b) and (a == b or a.startswith(b) or b.startswith(a))


def for_findings(report: dict) -> dict[int, list[dict]]:
    """``{finding index: [change, …]}``: the changes on each finding's clause, for the page."""
    clauses = (report.get("changes") or {}).get("clauses") or []
    out: dict[int, list[dict]] = {}
    for index, finding in enumerate(report.get("findings") or []):
        near = [
            c
            for entry in clauses
            if _same_clause(finding.get("clause") or "", entry["clause"])
            for c in entry["changes"]
        ]
        if near:
            out[index] = near
    return out
