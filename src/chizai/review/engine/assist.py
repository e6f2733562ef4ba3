"""The statistical layer's say where the rule patterns are weakest: "this protection is
missing from the whole contract".

A document-level absence finding comes from not matching any pattern, and contracts say
the same thing in many ways. For English NDAs the ContractNLI classifiers (``engine.ml``)
read every sentence; when one of them is confident that the protection *is* there, the
absence finding is withdrawn and the report says so, naming the clause the classifier
relied on. Japanese text and other contract types are left to the rules: the classifiers
were trained on English NDAs only.
"""

from __future__ import annotations

from .document import Document, Finding

# rule id -> (ContractNLI hypothesis, the label that means the protection is present)
ABSENCE_CHECKS: dict[str, tuple[str, str]] = {
    "NDA-04": ("nda-4", "Entailment"),  # use limited to the purpose
    "NDA-07": ("nda-19", "Entailment"),  # obligations survive the end of the agreement
    "NDA-08": ("nda-16", "Entailment"),  # return or destruction of information
    "NDA-10": ("nda-11", "Entailment"),  # no reverse engineering
}
# Set before any measurement and never tuned on the ContractNLI test split.
THRESHOLD = 0.85


def _sentences(doc: Document):
    units = [s for s in doc.clause_segments() if s.kind == "sentence"]
    return units or [s for s in doc.clause_segments() if s.kind in ("paragraph", "item", "article", "preamble")]


def withdraw_contradicted_absences(doc: Document, findings: list[Finding]) -> tuple[list[Finding], list[str]]:
    """Returns the findings to keep and one note per withdrawn finding."""
    if doc.language != "en" or "NDA" not in doc.contract_types:
        return findings, []
    candidates = [f for f in findings if f.span is None and f.rule_id in ABSENCE_CHECKS]
    if not candidates:
        return findings, []
    sentences = _sentences(doc)
    if not sentences:
        return findings, []
    try:
        from .ml import load_classifier

        results = load_classifier().nli([s.text for s in sentences])
    except Exception as exc:  # noqa: BLE001 - the rules stand on their own when the layer is unavailable
        return findings, [f"statistical layer unavailable ({type(exc).__name__}); rule findings kept as they are"]
    keep, notes = [], []
    for finding in findings:
        check = ABSENCE_CHECKS.get(finding.rule_id) if finding.span is None else None
        result = results.get(check[0]) if check else None
        if (
            result is not None
            and check is not None
            and result.label == check[1]
            and result.probability >= THRESHOLD
            and result.evidence_index is not None
            and result.evidence_index < len(sentences)
        ):
            evidence = sentences[result.evidence_index]
            where = evidence.ref or f"characters {evidence.start}-{evidence.end}"
            notes.append(
                f"{finding.rule_id} withdrawn: the clause classifier reads {where} as providing it "
                f'(p={result.probability:.2f}): "{" ".join(evidence.text.split())[:160]}"'
            )
            continue
        keep.append(finding)
    return keep, notes
