"""Explain and learn: the organisation's feedback on findings, and how it is used.

A user who may change reviews marks a finding wrong (or right) or adds a finding the
reviewer missed, with a reason. Each becomes a ``ReviewFeedback`` of the organisation,
keyed by the normalised clause text (``engine.feedback.clause_hash``) and audited. On the
organisation's reviews of the same clause text:

- a finding marked wrong is shown apart, "marked wrong by your organisation on <date>",
  never silently dropped;
- a finding added as missed is shown in its own section.

``export_examples`` writes the examples as rule cases (rule, lang, expect, text) for the
rule tests and ``make train-classifier``.
"""

from __future__ import annotations

import json
from typing import IO

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chizai.core import audit
from chizai.core.access import require, same_organization
from chizai.core.services import ChizaiError
from chizai.review.engine.feedback import clause_hash, explain_why, normalise_clause
from chizai.review.engine.rules_data import basis_names, checklist_text, finding_texts
from chizai.review.models import ContractReview, ReviewFeedback

MAX_TEXT = 4000
#: how many added (missed) examples of an organisation are looked for in one review
MAX_MISSED_SCAN = 500


def rule_ids() -> list[str]:
    """The rule ids of the catalogue (the rules a missed finding may name)."""
    from chizai.review.engine.rules_data import load_catalogue

    cat = load_catalogue()
    return sorted({r.id for r in cat.rules} | {a.id for a in cat.ambiguous})


SEVERITY_LABELS = {"HIGH": _lazy("High"), "MEDIUM": _lazy("Medium"), "LOW": _lazy("Low")}


def in_language(finding: dict, lang: str) -> dict:
    """What a reader needs of a finding in their language, whatever the contract's: the
    rule's texts from the catalogue (the stored ones are in the contract's language), the
    severity's name and each basis by its name (the key stays as ``code``)."""
    names = basis_names()
    texts = finding_texts(finding.get("rule_id", ""), lang) or {}
    return {
        **texts,
        "severity_label": SEVERITY_LABELS.get(finding.get("severity", ""), finding.get("severity", "")),
        "basis_named": [{"code": key, "name": names.get(key, {}).get(lang, key)} for key in finding.get("basis") or []],
    }


def checklist_in_language(review: ContractReview, lang: str) -> list[dict]:
    """The review's checklist rows with each item's text in ``lang``."""
    return [
        {**row, "item": checklist_text(row.get("id", ""), lang) or row.get("item", "")}
        for row in (review.report or {}).get("checklist", [])
    ]


def finding_text(finding: dict) -> str:
    """The clause text a finding is judged on: its whole sentence, else the match."""
    return (finding.get("quote") or finding.get("text") or "").strip()


def record_feedback(
    actor,
    organization,
    review: ContractReview,
    *,
    verdict: str,
    reason: str,
    finding_index: int | None = None,
    rule_id: str = "",
    text: str = "",
    clause_ref: str = "",
) -> ReviewFeedback:
    """Keep one labelled example. ``wrong``/``right`` judge the review's finding number
    ``finding_index``; ``missed`` adds ``rule_id`` on ``text`` (selected or pasted)."""
    require(actor, organization, "review", "change")
    same_organization(organization, review)
    reason = (reason or "").strip()
    if not reason:
        raise ChizaiError(_("Say why (a reason is required)."))
    limit = ReviewFeedback._meta.get_field("reason").max_length
    if limit is not None and len(reason) > limit:
        raise ChizaiError(_("The reason is too long."))
    if verdict in (ReviewFeedback.Verdict.WRONG, ReviewFeedback.Verdict.RIGHT):
        findings = review.findings
        if finding_index is None or not 0 <= finding_index < len(findings):
            raise ChizaiError(_("There is no such finding in this review."))
        finding = findings[finding_index]
        rule_id, clause_ref, text = finding["rule_id"], finding.get("clause") or "", finding_text(finding)
    elif verdict == ReviewFeedback.Verdict.MISSED:
        rule_id, text = (rule_id or "").strip(), (text or "").strip()
        if rule_id not in rule_ids():
            raise ChizaiError(_("There is no rule %(rule)s in the catalogue.") % {"rule": rule_id})
        if not normalise_clause(text):
            raise ChizaiError(_("Select or paste the clause text the reviewer missed."))
    else:
        raise ChizaiError(_("Unknown verdict."))
    if len(text) > MAX_TEXT:
        raise ChizaiError(_("The clause text is longer than %(n)s characters.") % {"n": MAX_TEXT})
    with transaction.atomic():
        item = ReviewFeedback(
            organization=organization,
            review=review,
            rule_id=rule_id,
            verdict=verdict,
            clause_ref=(clause_ref or "")[:100],
            language=review.language or "",
            # text is a SealedField (a property Django accepts as a keyword); the plugin knows fields only
            clause_hash=clause_hash(text),
            text=text,
            reason=reason,
            created_by=actor,
        )  # type: ignore[misc]
        item.save()
        # the clause text stays out of the audit log (it is contract text): its hash identifies it
        audit.record(
            actor,
            organization,
            "review.feedback",
            obj=item,
            summary=f"finding {rule_id} marked {verdict} on review {review.pk}",
            data={"rule": rule_id, "verdict": verdict, "title": review.title},
            changes={
                "after": {
                    "review": review.pk,
                    "rule_id": rule_id,
                    "verdict": verdict,
                    "clause_ref": item.clause_ref,
                    "clause_hash": item.clause_hash,
                    "reason": reason,
                }
            },
        )
    return item


def annotate(review: ContractReview, lang: str) -> dict:
    """The review's findings as the organisation should read them.

    ``shown``: findings with ``index`` (position in the report) and ``why_text``;
    ``marked_wrong``: the same for findings the organisation marked wrong on the same clause
    text, with ``marked`` (the latest such feedback); ``added``: missed findings the
    organisation added on clause text this contract contains."""
    findings = review.findings
    items = []
    for i, f in enumerate(findings):
        items.append(
            {
                **f,
                **in_language(f, lang),
                "index": i,
                "why_text": explain_why(f.get("why"), lang, f.get("rule_id", "")),
                "clause_hash": clause_hash(finding_text(f)),
            }
        )
    hashes = {it["clause_hash"] for it in items}
    own = ReviewFeedback.objects.filter(organization_id=review.organization_id)
    wrong: dict[tuple[str, str], ReviewFeedback] = {}
    for fb in own.filter(verdict=ReviewFeedback.Verdict.WRONG, clause_hash__in=hashes).order_by("created_at"):
        wrong[(fb.rule_id, fb.clause_hash)] = fb  # the latest wins
    shown: list[dict] = []
    marked: list[dict] = []
    for it in items:
        mark = wrong.get((it["rule_id"], it["clause_hash"]))
        if mark is None:
            shown.append(it)
        else:
            it["marked"] = {"date": formats.date_format(mark.created_at, "Y-m-d"), "reason": mark.reason, "id": mark.pk}
            marked.append(it)
    added: list[dict] = []
    norm_text = normalise_clause(review.text or "")
    fired = {(it["rule_id"], it["clause_hash"]) for it in items}
    for fb in own.filter(verdict=ReviewFeedback.Verdict.MISSED).order_by("-created_at")[:MAX_MISSED_SCAN]:
        if (fb.rule_id, fb.clause_hash) in fired or any(a["id"] == fb.pk for a in added):
            continue
        clause = fb.text
        if clause and normalise_clause(clause) in norm_text:
            added.append(
                {
                    "id": fb.pk,
                    "rule_id": fb.rule_id,
                    "text": clause,
                    "reason": fb.reason,
                    "date": formats.date_format(fb.created_at, "Y-m-d"),
                    "from_review": fb.review_id,
                }
            )
    return {"shown": shown, "marked_wrong": marked, "added": added}


def export_examples(organization, out: IO[str]) -> int:
    """Write the organisation's examples as JSON lines in the format of the rule cases
    (``tests/rule_cases_*.yaml``): rule, lang, types, sme, expect (fire / no-fire), text, why."""
    n = 0
    rows = ReviewFeedback.objects.filter(organization=organization).select_related("review").order_by("pk")
    for fb in rows.iterator(chunk_size=200):
        expect = "no-fire" if fb.verdict == ReviewFeedback.Verdict.WRONG else "fire"
        review = fb.review
        line = {
            "rule": fb.rule_id,
            "lang": fb.language or _guess_lang(fb.text),
            "types": list(review.contract_types) if review else [],
            "sme": (review.sme_party if review else "") or None,
            "expect": expect,
            "text": fb.text,
            "why": f"{fb.verdict} ({fb.created_at:%Y-%m-%d}): {fb.reason}",
        }
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        n += 1
    audit.record(
        None, organization, "review.feedback.export", summary=f"{n} review feedback example(s) exported", data={"n": n}
    )
    return n


def _guess_lang(text: str) -> str:
    return "ja" if any("\u3040" <= ch <= "\u9fff" for ch in text or "") else "en"
