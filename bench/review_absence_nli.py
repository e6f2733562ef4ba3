"""Do the "protection missing" findings hold on real NDAs? (ContractNLI)

Not a test. Prints one JSON object. ContractNLI's annotators read 607 real NDAs and said,
for each of 17 hypotheses, whether the NDA entails it (the protection is there), contradicts
it, or does not mention it. Four of chizai's NDA rules report a protection missing from the
whole contract; each is compared here with the matching hypothesis:

  NDA-04  no ban on use outside the purpose      nda-4   use only for the purpose
  NDA-07  confidentiality ends with the contract  nda-19  some obligations survive
  NDA-08  no return or destruction               nda-16  return or destroy at the end
  NDA-10  no analysis / reverse-engineering ban   nda-11  no reverse engineering (concept only)

For each rule: how often it says "missing" where the annotators found the protection
(false alarms: the lexicon does not know the wording) and where they did not (hits).
NDA-10 fires only where samples change hands, so its concept (limits.no_analysis) is
checked on the whole text instead.

    python bench/review_absence_nli.py --split dev          # dev + train_subset to learn from
    python bench/review_absence_nli.py --split test         # only to report on
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chizai.review.engine.ml.data import load_contractnli  # noqa: E402
from chizai.review.engine.pipeline import load_document, review_document  # noqa: E402
from chizai.review.engine.rules import concept_in_text  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
RULES = {"NDA-04": "nda-4", "NDA-07": "nda-19", "NDA-08": "nda-16"}
CONCEPTS = {"NDA-10": ("nda-11", "no_analysis")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument(
        "--show", type=int, default=0, help="print the evidence spans of N false alarms per rule (dev only)"
    )
    args = ap.parse_args()
    if args.split == "dev":
        raws = [load_contractnli(DATA, "dev"), load_contractnli(DATA, "train_subset")]
    else:
        raws = [load_contractnli(DATA, "test", purpose="report")]
    table = {r: {"present": 0, "false_alarm": 0, "absent": 0, "hit": 0} for r in [*RULES, *CONCEPTS]}
    shown: dict[str, list[str]] = {r: [] for r in table}
    started, n = time.process_time(), 0
    for raw in raws:
        for document in raw["documents"]:
            n += 1
            text = document["text"]
            annotations = document["annotation_sets"][0]["annotations"]
            doc = load_document(text, f"{document['id']}.txt", lang="en", contract_type="NDA")
            fired = {f.rule_id for f in review_document(doc).findings}
            checks = {rule: (hyp, rule in fired) for rule, hyp in RULES.items()}
            checks |= {rule: (hyp, not concept_in_text(doc, concept)) for rule, (hyp, concept) in CONCEPTS.items()}
            for rule, (hyp, says_missing) in checks.items():
                present = annotations[hyp]["choice"] == "Entailment"
                row = table[rule]
                row["present" if present else "absent"] += 1
                if present and says_missing:
                    row["false_alarm"] += 1
                    if args.split == "dev" and len(shown[rule]) < args.show:
                        spans = document["spans"]
                        shown[rule].append(
                            " | ".join(
                                " ".join(text[spans[i][0] : spans[i][1]].split())[:300]
                                for i in annotations[hyp]["spans"][:2]
                            )
                        )
                if not present and says_missing:
                    row["hit"] += 1
    report = {
        "split": args.split,
        "documents": n,
        "cpu_s": round(time.process_time() - started, 1),
        "rules": {
            r: {
                **row,
                "false_alarm_rate": round(row["false_alarm"] / row["present"], 3) if row["present"] else None,
                "hit_rate": round(row["hit"] / row["absent"], 3) if row["absent"] else None,
            }
            for r, row in table.items()
        },
    }
    if args.show:
        report["false_alarms"] = shown
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
