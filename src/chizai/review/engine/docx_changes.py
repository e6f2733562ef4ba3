"""What the counterparty changed in a Word redline, clause by clause, and which findings the
changes caused or removed (issue 15, Word in).

Pure library, no Django. ``extract_docx`` reads a redline as if its tracked changes were
accepted and lists the changes with their offsets into that accepted text. Here the text is
rebuilt with the changes rejected (the draft as it was before the counterparty's pen), both
versions are reviewed, and a finding present on one side only is put down to the changes:
'caused by the counterparty's change' when only the accepted text has it, 'removed by' when
only the text before the changes had it.
"""

from __future__ import annotations

from collections.abc import Callable

from .document import Document, Report

CAUSED = "caused"
REMOVED = "removed"


def rejected_text(text: str, revisions: list[dict]) -> str:
    """``text`` (changes accepted) with every tracked change rejected: insertions taken out,
    deletions put back where they were. A change whose offset no longer matches the text is
    left as accepted rather than guessed. A change made inside an insertion (text another
    author inserted and someone then deleted or added to) goes with that insertion: the text
    before the changes never held it."""
    out: list[str] = []
    pos = 0
    # a deletion is a point in the accepted text; at the same point it comes before the
    # insertion that replaced it (Word writes <w:del> then <w:ins>)
    for rev in sorted(revisions, key=lambda r: (r["offset"], r["kind"] != "deleted")):
        if rev.get("in_insertion"):
            continue
        offset = rev["offset"]
        if offset < pos or offset > len(text):
            continue
        if rev["kind"] == "deleted":
            out.append(text[pos:offset])
            out.append(rev["text"])
            pos = offset
        elif rev["kind"] == "inserted" and text[offset : offset + len(rev["text"])] == rev["text"]:
            out.append(text[pos:offset])
            pos = offset + len(rev["text"])
    out.append(text[pos:])
    return "".join(out)


def _clause_at(doc: Document, offset: int) -> str | None:
    """The clause reference (as printed) of the innermost numbered segment around ``offset``."""
    best = None
    for seg in doc.segments:
        if (
            seg.ref
            and seg.start <= offset <= seg.end
            and (best is None or seg.end - seg.start <= best.end - best.start)
        ):
            best = seg
    return best.ref if best is not None else None


def _key(finding) -> tuple[str, str]:
    return finding.rule_id, finding.clause or ""


def counterparty_changes(
    doc: Document, report: Report, revisions: list[dict], review_rejected: Callable[[str], Report | None]
) -> dict:
    """The redline's changes per clause and the findings they caused or removed.

    ``review_rejected(text)`` reviews the text with the changes rejected (same options, the
    same SME, so both sides are read from the same chair), or returns None when that text cannot
    be reviewed (a redline that inserted everything leaves nothing before it). JSON-ready data:
    ``clauses``: [{clause, changes: [{kind, text, author, date}]}] in document order;
    ``caused``: indexes into ``report.findings`` of findings only the accepted text has;
    ``removed``: findings (as the report stores them) only the rejected text had.
    """
    clauses: dict[str, list[dict]] = {}
    for rev in sorted(revisions, key=lambda r: r["offset"]):
        clause = _clause_at(doc, rev["offset"]) or ""
        clauses.setdefault(clause, []).append(
            {"kind": rev["kind"], "text": rev["text"], "author": rev.get("author", ""), "date": rev.get("date", "")}
        )
    before = review_rejected(rejected_text(doc.text, revisions))
    if before is None:  # the text before the changes could not be reviewed (nothing left of it)
        caused, removed = [], []
    else:
        before_keys = {_key(f) for f in before.findings}
        after_keys = {_key(f) for f in report.findings}
        caused = [i for i, f in enumerate(report.findings) if _key(f) not in before_keys]
        removed = [f for f in before.findings if _key(f) not in after_keys]
    return {
        "compared": before is not None,
        "clauses": [{"clause": clause, "changes": changes} for clause, changes in clauses.items()],
        "caused": caused,
        "removed": [
            {
                "rule_id": f.rule_id,
                "severity": f.severity,
                "title": f.title,
                "clause": f.clause,
                "text": f.text,
            }
            for f in removed
        ],
        "authors": sorted({r.get("author", "") for r in revisions if r.get("author")}),
    }
