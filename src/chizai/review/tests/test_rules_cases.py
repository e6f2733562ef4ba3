"""Every rule, ambiguous expression and checklist item, as data-driven cases.

Cases live in ``rule_cases*.yaml`` beside this file: a small contract text, its
language, contract types and SME label, and whether the id must fire or must not.
For checklist items "fire" means the item is reported missing or weak.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chizai.review.engine.rules import evaluate
from chizai.review.engine.rules_data import load_catalogue
from chizai.review.engine.rules_testing import make_document

HERE = Path(__file__).parent
CASE_KEYS = {"rule", "lang", "types", "sme", "expect", "text", "why"}


def _load_cases() -> list[dict]:
    cases = []
    for path in sorted(HERE.glob("rule_cases*.yaml")):
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]):
            case = dict(case)
            case["_where"] = f"{path.name}#{i + 1}"
            cases.append(case)
    return cases


CASES = _load_cases()
CHECKLIST = load_catalogue().checklist


def _reported(case: dict) -> tuple[set[str], dict[str, str], list]:
    doc = make_document(case["text"], case["lang"], case["types"], case.get("sme"))
    findings, checklist = evaluate(doc)
    return {f.rule_id for f in findings}, {c.id: c.status for c in checklist}, findings


def _case_id(case: dict) -> str:
    return f"{case['rule']}-{case['expect']}-{case['_where']}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_rule_case(case):
    assert set(case) - {"_where"} <= CASE_KEYS, f"{case['_where']}: unknown keys"
    assert case["expect"] in ("fire", "no-fire"), case["_where"]
    ids, checks, findings = _reported(case)
    rid = case["rule"]
    if rid.startswith("CL-"):
        if rid not in checks:
            # only an item about something the text never mentions (requires_doc) may be left out
            item = next(c for c in CHECKLIST if c.id == rid)
            assert item.requires_doc, f"{case['_where']}: checklist item {rid} not evaluated for {case['types']}"
        fired = checks.get(rid) in ("missing", "weak")
        got = checks.get(rid, "not listed")
    else:
        fired = rid in ids
        got = sorted(ids)
    want = case["expect"] == "fire"
    assert fired == want, f"{case['_where']}: {rid} expected {case['expect']}, got {got}"
    doc_len = len(case["text"])
    for f in findings:  # spans always index the original text
        if f.span is not None:
            assert 0 <= f.span[0] <= f.span[1] <= doc_len
            assert f.text == case["text"][f.span[0] : f.span[1]]


def test_every_catalogue_id_has_both_kinds_of_case():
    cat = load_catalogue()
    ids = [r.id for r in cat.rules] + [a.id for a in cat.ambiguous] + [c.id for c in cat.checklist]
    fire = {c["rule"] for c in CASES if c["expect"] == "fire"}
    nofire = {c["rule"] for c in CASES if c["expect"] == "no-fire"}
    missing = [i for i in ids if i not in fire or i not in nofire]
    assert not missing, f"ids without a firing and a non-firing case: {missing}"
    unknown = sorted({c["rule"] for c in CASES} - set(ids))
    assert not unknown, f"cases name unknown ids: {unknown}"
