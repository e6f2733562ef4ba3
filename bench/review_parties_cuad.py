"""How well party detection finds the contracting parties of real contracts (CUAD).

Not a test. Prints one JSON object. CUAD's lawyers listed, for each of 510 EDGAR contracts,
the strings that name its parties ("Parties": company names and the labels the contract
defines, e.g. "Distributor", "ACCURAY INCORPORATED"). For each contract this asks what
``detect.find_parties`` (the reviewer's party step) returns:

- found_two: at least two parties found;
- precision: share of found parties whose label or name is among CUAD's party strings
  (case-, punctuation- and quote-insensitive, either one containing the other);
- contract_ok: at least two found parties, each of them among CUAD's party strings.

The split is the fixed seeded one by contract of ``engine.ml.data.cuad_split`` (not the
paper's): ``--split train`` (408) is the one to look at while improving detection;
``--split test`` (102) is only reported.

    python bench/review_parties_cuad.py --split train [--show 10]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chizai.review.engine.detect import find_parties  # noqa: E402
from chizai.review.engine.ml.data import cuad_split, load_cuad  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
_GENERIC = {"party", "parties", "each party", "the parties", "both parties"}


def _key(s: str) -> str:
    s = re.sub(r"[\"'“”‘’()]", " ", s.lower())
    s = re.sub(r"\b(the|a|an)\b", " ", s)
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def _listed(candidates: list[str], listed: list[str]) -> bool:
    for c in candidates:
        k = _key(c)
        if len(k) < 2 or k in _GENERIC:
            continue
        for lk in listed:
            if k == lk or (len(k) >= 4 and k in lk) or (len(lk) >= 4 and lk in k):
                return True
    return False


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=("train", "test", "all"), default="train")
    ap.add_argument("--show", type=int, default=0, help="print this many contracts that are not ok")
    args = ap.parse_args()
    docs = load_cuad(DATA, ["Parties"])
    train, test = cuad_split(docs)
    chosen = {"train": train, "test": test, "all": docs}[args.split]
    t0 = time.perf_counter()
    n_two = n_ok = n_found = n_listed = 0
    failures = []
    for d in chosen:
        listed = [_key(x) for x in d.clauses["Parties"]]
        listed = [x for x in listed if x and x not in _GENERIC]
        if not listed:
            continue
        parties = find_parties(d.text[:200000], "en")
        good = [p for p in parties if _listed([p.label, p.name or "", *p.aliases], listed)]
        n_found += len(parties)
        n_listed += len(good)
        two = len(parties) >= 2
        ok = two and len(good) == len(parties)
        n_two += two
        n_ok += ok
        if not ok:
            failures.append(
                {"file": d.name[:70], "cuad": d.clauses["Parties"][:6], "found": [(p.label, p.name) for p in parties]}
            )
    n = len(chosen)
    out = {
        "split": args.split,
        "n_contracts": n,
        "found_two": round(n_two / n, 3),
        "precision": round(n_listed / n_found, 3) if n_found else None,
        "contract_ok": round(n_ok / n, 3),
        "elapsed_s": round(time.perf_counter() - t0, 1),
    }
    if args.show:
        out["not_ok"] = failures[: args.show]
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
