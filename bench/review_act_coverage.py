"""How often the clause reader sees the act a lawyer labelled, on real contracts (CUAD).

Not a test. Prints one JSON object. CUAD's lawyers marked, in 510 EDGAR contracts, the
clauses that assign IP, grant licences, promise not to sue, restrict competition …. For
each labelled clause this asks whether the engine's clause representation
(``rules.clause_views``) of the text there holds the matching act: an ``own`` act for
"IP Ownership Assignment", a ``license`` act for "License Grant", and so on. It measures
the English lexicon of ``data/concepts.yaml`` on wordings nobody in this project wrote,
which is what the review-dev sets cannot do.

The split is the fixed seeded one by contract of ``engine.ml.data.cuad_split`` (not the
paper's): ``--split train`` (408 contracts) is the one to look at while widening the
lexicon; ``--split test`` (102) is only reported.

    python bench/review_act_coverage.py --split train [--limit 100] [--show 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chizai.review.engine.ml.data import _squash, cuad_split, load_cuad  # noqa: E402
from chizai.review.engine.pipeline import load_document  # noqa: E402
from chizai.review.engine.rules import clause_views  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def _own(act) -> bool:
    return act.kind == "own" and not act.negated


def _joint(act) -> bool:
    return act.kind == "own" and not act.negated and act.to == "MUTUAL"


def _license(act) -> bool:
    return act.kind == "license" and not act.negated


def _lasting(act) -> bool:
    return act.kind == "license" and bool(act.wide & {"perpetual", "irrevocable"})


def _no_assert(act) -> bool:
    return act.kind == "no_assert"


def _restrict(act) -> bool:
    return act.kind == "restrict"


def _exclusive(act) -> bool:
    # CUAD's "Exclusivity" also labels exclusive grants ("grants Y an exclusive licence",
    # "the exclusive right to distribute"), which the reader holds as a licence with
    # ``wide`` exclusive rather than as a restriction
    return act.kind == "restrict" or (act.kind == "license" and not act.negated and "exclusive" in act.wide)


# CUAD category -> (what the reader must see in the labelled clause, a short name)
CATEGORIES = {
    "IP Ownership Assignment": (_own, "own"),
    "Joint IP Ownership": (_joint, "own to both"),
    "License Grant": (_license, "license"),
    "Irrevocable or Perpetual License": (_lasting, "license, perpetual or irrevocable"),
    "Covenant Not to Sue": (_no_assert, "no_assert"),
    "Non-Compete": (_restrict, "restrict"),
    "Exclusivity": (_exclusive, "restrict, or an exclusive licence"),
}


def _span(text_sq: str, pos: list[int], clause: str) -> tuple[int, int] | None:
    c = _squash(clause.strip())[0].strip()
    if len(c) < 20:
        return None
    i = text_sq.find(c)
    if i >= 0:
        return pos[i], pos[i + len(c)]
    i = text_sq.find(c[:80])
    return (pos[i], pos[min(i + len(c), len(text_sq))]) if i >= 0 else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("train", "test"), default="train")
    ap.add_argument("--limit", type=int, default=0, help="only the first N contracts of the split")
    ap.add_argument("--show", type=int, default=0, help="print N missed clauses per category (train only)")
    args = ap.parse_args()
    docs = load_cuad(DATA, list(CATEGORIES))
    train, test = cuad_split(docs)
    chosen = train if args.split == "train" else test
    if args.limit:
        chosen = chosen[: args.limit]
    counts = {c: {"labelled": 0, "located": 0, "seen": 0} for c in CATEGORIES}
    missed: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    started = time.process_time()
    for cuad in chosen:
        wanted = {c: cuad.clauses.get(c) or [] for c in CATEGORIES}
        if not any(wanted.values()):
            continue
        doc = load_document(cuad.text, cuad.name + ".txt", lang="en")
        views = clause_views(doc)
        squashed, pos = _squash(doc.text)
        for category, clauses in wanted.items():
            test_act = CATEGORIES[category][0]
            for clause in clauses:
                counts[category]["labelled"] += 1
                span = _span(squashed, pos, clause)
                if span is None:
                    continue
                counts[category]["located"] += 1
                overlapping = [v for seg, v in views if seg.start < span[1] and span[0] < seg.end]
                if any(test_act(a) for v in overlapping for a in v.acts):
                    counts[category]["seen"] += 1
                elif args.split == "train" and len(missed[category]) < args.show:
                    missed[category].append(" ".join(clause.split())[:400])
    report = {
        "split": args.split,
        "contracts": len(chosen),
        "cpu_s": round(time.process_time() - started, 1),
        "categories": {
            c: {**n, "act": CATEGORIES[c][1], "recall": round(n["seen"] / n["located"], 3) if n["located"] else None}
            for c, n in counts.items()
        },
    }
    if args.show:
        report["missed"] = missed
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
