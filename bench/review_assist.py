"""How the statistical layer changes the rules' "protection missing" findings on English NDAs.

For the ContractNLI test NDAs (reporting only: the threshold in engine/assist.py was fixed
before this was run and is not tuned on it), an absence finding for rule R is *right* when
the gold label of R's hypothesis is not Entailment (the protection really is not there).
Prints one JSON object: per rule, absence findings with and without the layer, and how
many of them were right.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chizai.review.engine import load_document, review_document  # noqa: E402
from chizai.review.engine.assist import ABSENCE_CHECKS, THRESHOLD  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "contractnli" / "test.json"


def main() -> None:
    corpus = json.loads(DATA.read_text(encoding="utf-8"))
    docs = corpus["documents"]
    stats = {rule: {"without": 0, "without_right": 0, "with": 0, "with_right": 0} for rule in ABSENCE_CHECKS}
    start = time.perf_counter()
    for d in docs:
        doc = load_document(d["text"], f"{d['id']}.txt", contract_type="NDA", lang="en")
        plain = review_document(doc, assist=False)
        assisted = review_document(doc, assist=True)
        gold = {key: value["choice"] for key, value in d["annotation_sets"][0]["annotations"].items()}
        for rule, (hyp, present_label) in ABSENCE_CHECKS.items():
            really_missing = gold.get(hyp) != present_label
            for name, report in (("without", plain), ("with", assisted)):
                if any(f.rule_id == rule and f.span is None for f in report.findings):
                    stats[rule][name] += 1
                    stats[rule][f"{name}_right"] += int(really_missing)
    total = {k: sum(s[k] for s in stats.values()) for k in ("without", "without_right", "with", "with_right")}
    print(
        json.dumps(
            {
                "suite": "assist",
                "n_documents": len(docs),
                "threshold": THRESHOLD,
                "by_rule": stats,
                "total": total,
                "precision_without": round(total["without_right"] / total["without"], 3) if total["without"] else None,
                "precision_with": round(total["with_right"] / total["with"], 3) if total["with"] else None,
                "seconds": round(time.perf_counter() - start, 1),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
