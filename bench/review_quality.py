"""Quality benchmark of the rule engine of the contract reviewer.

    python bench/review_quality.py --suite dev          # review-dev answer key
    python bench/review_quality.py --suite dev2         # review-dev2, all 40, with the fixed split
    python bench/review_quality.py --suite holdout      # review-dev2's held-out half only
    python bench/review_quality.py --suite own          # bench/data/review-own (own whole contracts)
    python bench/review_quality.py --suite own2         # bench/data/review-own2 (12 more, key written first)
    python bench/review_quality.py --suite own3         # bench/data/review-own3 (10 more, key written first)
    python bench/review_quality.py --suite own4         # bench/data/review-own4 (10 more, key written first)
    python bench/review_quality.py --suite own5         # bench/data/review-own5 (10 more, key written first)
    python bench/review_quality.py --suite own6         # bench/data/review-own6 (10 more, key written first)
    python bench/review_quality.py --suite own7         # bench/data/review-own7 (10 more, key written first)
    python bench/review_quality.py --suite own8         # bench/data/review-own8 (10 more, key written first)
    python bench/review_quality.py --suite own9         # bench/data/review-own9 (10 more, key written first)
    python bench/review_quality.py --suite own10        # bench/data/review-own10 (10 more, key written first)
    python bench/review_quality.py --suite own11        # bench/data/review-own11 (10 more, key written first)
    python bench/review_quality.py --suite own12        # bench/data/review-own12 (10 more, key written first)
    python bench/review_quality.py --suite own13        # bench/data/review-own13 (10 more, key written first)
    python bench/review_quality.py --suite own14        # bench/data/review-own14 (10 more, key written first)
    python bench/review_quality.py --suite own15        # bench/data/review-own15 (10 more, key written first)
    python bench/review_quality.py --suite own16        # bench/data/review-own16 (10 more, key written first)
    python bench/review_quality.py --suite own17        # bench/data/review-own17 (10 more, key written first)
    python bench/review_quality.py --suite own19        # ... one suite per set, up to own28
    python bench/review_quality.py --suite public       # bench/data/review-public (real CC BY / CC0 templates)
    python bench/review_quality.py --suite meti         # METI/JPO model contracts (false alarms)
    python bench/review_quality.py --suite contractnli  # statistical layer (bench/ml_suites.py)
    python bench/review_quality.py --suite cuad

Each run prints one JSON object on stdout. The documents go through the pipeline's own
loading and detection (language, contract type, SME party), exactly as a user's upload
would; where that detection disagrees with the key, it is reported, not corrected.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

DATA = ROOT.parent / "shared" / "data"
DEV_DIR = DATA / "review-dev"
DEV2_DIR = DATA / "review-dev2"
METI_DIR = DATA / "meti-oi-model-contracts"
# Whole contracts written for an independent measurement, each set by a different writer
# before any engine run on it (each README says what was read and when the set was first
# run); fully fair ones carry "fair": true in key.json.
OWN_SETS = 32
# Real public templates under licences that allow redistribution (README there), labelled by this project.
PUBLIC_DIR = ROOT / "bench" / "data" / "review-public"
OWN_SUITES = {
    "own": ROOT / "bench" / "data" / "review-own",
    **{f"own{n}": ROOT / "bench" / "data" / f"review-own{n}" for n in range(2, OWN_SETS + 1)},
    "public": PUBLIC_DIR,
}
FAIR_DEV = ("ja-nda-02.txt", "ja-lic-01.txt", "en-proto-01.txt", "en-jrd-02.txt")
# review-dev2/README.md: contracts with an empty must_find ("fully fair").
FAIR_DEV2 = (
    "ja2-nda-02.txt",
    "ja2-mfg-04.txt",
    "ja2-proto-03.txt",
    "ja2-jrd-03.txt",
    "ja2-svc-01.txt",
    "en2-nda-03.txt",
    "en2-mfg-03.txt",
    "en2-proto-02.txt",
    "en2-jrd-03.txt",
    "en2-lic-03.txt",
)
SPLIT_SEED = "chizai-review-dev2-split-2026-12"


def dev2_split(names: list[str]) -> tuple[list[str], list[str]]:
    """The fixed split of review-dev2: per language, files ordered by a seeded SHA-256 of
    their name; the first half is tuned on, the second half is held out. Engine changes
    are made looking only at the tuned half; the held-out half is only scored."""
    import hashlib

    tune, hold = [], []
    for lang in ("ja2-", "en2-"):
        group = sorted(
            (n for n in names if n.startswith(lang)),
            key=lambda n: hashlib.sha256(f"{SPLIT_SEED}:{n}".encode()).hexdigest(),
        )
        half = len(group) // 2
        tune += group[:half]
        hold += group[half:]
    return sorted(tune), sorted(hold)


BARS = {"recall": 0.90, "trap_rate": 0.10, "false_high_on_fair": 0, "max_high_meti": 2}


def reported_ids(report) -> set[str]:
    """Ids a user sees: findings, plus the rules behind checklist items marked missing/weak."""
    from chizai.review.engine.rules_data import load_catalogue

    related = {c.id: c.related for c in load_catalogue().checklist}
    ids = {f.rule_id for f in report.findings}
    for c in report.checklist:
        if c.status in ("missing", "weak"):
            ids.update(related.get(c.id, []))
    return ids


def _review(path: Path, sme: str | None = None, contract_type: str = "auto"):
    from chizai.review.engine.pipeline import load_document, review_document

    data = path.read_bytes()
    if path.suffix in (".txt", ".md"):
        data = data.decode("utf-8")
    doc = load_document(data, path.name, sme=sme, contract_type=contract_type)
    return doc, review_document(doc)


def run_dev(
    data_dir: Path = DEV_DIR,
    only: set[str] | None = None,
    fair: tuple[str, ...] = FAIR_DEV,
    suite: str = "dev",
    key_detection: bool = False,
) -> dict:
    """``key_detection``: give the reviewer the key's SME and type, as a user who corrects
    the detection would, to measure the rules apart from detection."""
    key = json.loads((data_dir / "key.json").read_text(encoding="utf-8"))
    if only is not None:
        key = [e for e in key if e["file"] in only]
    found = total = traps = trap_total = 0
    per_rule: dict[str, dict[str, int]] = {}
    per_file, detection, false_high = {}, [], {}
    t0 = time.perf_counter()
    for entry in key:
        if key_detection:
            doc, report = _review(data_dir / entry["file"], entry["sme_party"], entry["contract_type"])
        else:
            doc, report = _review(data_dir / entry["file"])
        ids = reported_ids(report)
        must, must_not = set(entry["must_find"]), set(entry["must_not_find"])
        hit, trapped = must & ids, must_not & ids
        found += len(hit)
        total += len(must)
        traps += len(trapped)
        trap_total += len(must_not)
        per_file[entry["file"]] = {"misses": sorted(must - ids), "traps": sorted(trapped)}
        for rid in must | must_not:
            row = per_rule.setdefault(rid, {"tp": 0, "fn": 0, "fp": 0, "tn": 0})
            row["tp" if rid in hit else "fn" if rid in must else "fp" if rid in trapped else "tn"] += 1
        if entry["contract_type"] not in doc.contract_types or doc.sme_label != entry["sme_party"]:
            detection.append(
                {
                    "file": entry["file"],
                    "key_type": entry["contract_type"],
                    "detected_types": doc.contract_types,
                    "key_sme": entry["sme_party"],
                    "detected_sme": doc.sme_label,
                }
            )
        if entry["file"] in fair:
            false_high[entry["file"]] = sorted(f.rule_id for f in report.findings if f.severity == "HIGH")
    fair_n = sum(1 for e in key if e["file"] in fair)
    return {
        "suite": suite,
        "n_documents": len(key),
        "recall": round(found / total, 3) if total else None,
        "found": found,
        "must_find": total,
        "trap_rate": round(traps / trap_total, 3) if trap_total else None,
        "traps": traps,
        "must_not_find": trap_total,
        "false_high_on_fair": sum(len(v) for v in false_high.values()),
        "high_per_fair_contract": round(sum(len(v) for v in false_high.values()) / fair_n, 2) if fair_n else None,
        "per_rule": {
            rid: {
                **row,
                "recall": round(row["tp"] / (row["tp"] + row["fn"]), 2) if row["tp"] + row["fn"] else None,
                "precision": round(row["tp"] / (row["tp"] + row["fp"]), 2) if row["tp"] + row["fp"] else None,
            }
            for rid, row in sorted(per_rule.items())
        },
        "false_high_by_file": false_high,
        "per_file": per_file,
        "detection_differs_from_key": detection,
        "bars": {k: BARS[k] for k in ("recall", "trap_rate", "false_high_on_fair")},
        "elapsed_s": round(time.perf_counter() - t0, 2),
    }


# In all eight METI/JPO models the startup X社 is 甲 (each file's 想定シーン says so).
METI_SME = "甲"


def run_meti(data_dir: Path = METI_DIR, sme: str | None = None) -> dict:
    """False alarms on balanced texts; ``sme`` overrides the pipeline's SME detection."""
    out = {}
    t0 = time.perf_counter()
    for path in sorted(data_dir.glob("[0-9]*.md")):
        doc, report = _review(path, sme=sme)
        counts = {"HIGH": 0, "MEDIUM": 0, "LOW": 0}
        for f in report.findings:
            counts[f.severity] += 1
        out[path.name] = {
            **counts,
            "ids": sorted({f.rule_id for f in report.findings}),
            "high_ids": sorted({f.rule_id for f in report.findings if f.severity == "HIGH"}),
            "types": doc.contract_types,
            "sme": doc.sme_label,
            "elapsed_ms": report.elapsed_ms,
        }
    return {
        "suite": "meti",
        "n_documents": len(out),
        "sme_override": sme,
        "findings_by_contract": out,
        "max_high": max((v["HIGH"] for v in out.values()), default=0),
        "bar_max_high": BARS["max_high_meti"],
        "elapsed_s": round(time.perf_counter() - t0, 2),
    }


def run_meti_both(data_dir: Path = METI_DIR) -> dict:
    """Pipeline detection first (as a user would get it), then with the known SME (甲),
    so a wrong SME guess by detection is visible rather than hidden in the figures."""
    auto = run_meti(data_dir)
    known = run_meti(data_dir, sme=METI_SME)
    auto["detection_differs"] = sorted(f for f, v in auto["findings_by_contract"].items() if v["sme"] != METI_SME)
    auto["with_known_sme"] = {
        "sme": METI_SME,
        "findings_by_contract": {
            f: {k: v[k] for k in ("HIGH", "MEDIUM", "LOW", "ids", "high_ids")}
            for f, v in known["findings_by_contract"].items()
        },
        "max_high": known["max_high"],
    }
    return auto


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--suite",
        choices=("dev", "dev2", "holdout", *OWN_SUITES, "meti", "contractnli", "cuad"),
        required=True,
    )
    ap.add_argument(
        "--key-detection",
        action="store_true",
        help="dev suites: give the key's SME party and type (rules measured apart from detection)",
    )
    args = ap.parse_args(argv)
    kd = args.key_detection
    if args.suite == "dev":
        result = run_dev(key_detection=kd)
    elif args.suite in ("dev2", "holdout"):
        names = [e["file"] for e in json.loads((DEV2_DIR / "key.json").read_text(encoding="utf-8"))]
        tune, hold = dev2_split(names)
        if args.suite == "holdout":
            result = run_dev(DEV2_DIR, set(hold), FAIR_DEV2, "dev2-holdout", kd)
        else:
            result = run_dev(DEV2_DIR, None, FAIR_DEV2, "dev2", kd)
            result["split"] = {
                "tuned": {
                    k: v
                    for k, v in run_dev(DEV2_DIR, set(tune), FAIR_DEV2, "dev2-tuned", kd).items()
                    if k in ("recall", "trap_rate", "high_per_fair_contract", "n_documents")
                },
                "held_out": {
                    k: v
                    for k, v in run_dev(DEV2_DIR, set(hold), FAIR_DEV2, "dev2-holdout", kd).items()
                    if k in ("recall", "trap_rate", "high_per_fair_contract", "n_documents")
                },
                "held_out_files": hold,
            }
    elif args.suite in OWN_SUITES:
        data_dir = OWN_SUITES[args.suite]
        key = json.loads((data_dir / "key.json").read_text(encoding="utf-8"))
        result = run_dev(data_dir, None, tuple(e["file"] for e in key if e.get("fair")), args.suite, kd)
    elif args.suite == "meti":
        result = run_meti_both()
    else:
        sys.path.insert(0, str(ROOT / "bench"))
        import ml_suites

        result = ml_suites.run_contractnli() if args.suite == "contractnli" else ml_suites.run_cuad()
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
