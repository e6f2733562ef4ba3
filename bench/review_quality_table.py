"""The per-rule table of docs/review-quality.md, from the same runs as review_quality.py.

    python bench/review_quality_table.py > /tmp/table.md

Columns per rule: review-dev2 as a user gets it (detection included) — on the half the
engine was adjusted on, on the held-out half, and on review-dev; tp/fn/fp counted per
contract (a rule reported on a contract whose key lists it as must_find / not reported /
reported where the key lists it as must_not_find).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import review_quality as rq  # noqa: E402


def cell(row: dict | None) -> str:
    if not row:
        return "—"
    return f"{row['tp']}/{row['tp'] + row['fn']} · fp {row['fp']}"


def main() -> int:
    names = [e["file"] for e in json.loads((rq.DEV2_DIR / "key.json").read_text(encoding="utf-8"))]
    tune, hold = rq.dev2_split(names)
    runs = {
        "tuned": rq.run_dev(rq.DEV2_DIR, set(tune), rq.FAIR_DEV2, "dev2-tuned"),
        "held_out": rq.run_dev(rq.DEV2_DIR, set(hold), rq.FAIR_DEV2, "dev2-holdout"),
        "dev": rq.run_dev(),
    }

    def order(rid: str) -> tuple:
        prefix = rid.rstrip("0123456789").rstrip("-")
        return (prefix == "A", prefix, int(rid[len(rid.rstrip("0123456789")) :] or 0))

    ids = sorted(set().union(*(r["per_rule"] for r in runs.values())), key=order)
    print("| rule | dev2 tuned half: found/must · false alarms | dev2 held-out half | review-dev |")
    print("|---|---|---|---|")
    for rid in ids:
        print(
            f"| {rid} | " + " | ".join(cell(runs[k]["per_rule"].get(rid)) for k in ("tuned", "held_out", "dev")) + " |"
        )
    print()
    print("| set | recall | look-alike rate | HIGH per fair contract |")
    print("|---|---|---|---|")
    for _k, r in runs.items():
        print(
            f"| {r['suite']} ({r['n_documents']}) | {r['recall']} | {r['trap_rate']} | {r['high_per_fair_contract']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
