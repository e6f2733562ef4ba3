"""Quality bars of the rules engine on shared data (skipped where the data is absent):
review-dev recall >= 0.90, trap rate <= 0.10, no HIGH on the fully fair contracts;
at most 1 HIGH finding on each METI/JPO balanced model contract (issue 12's bar, with the
SME given and as detected); review-dev2 no worse than measured when this round ended
(held-out half: the figure to expect on unseen contracts, kept from sliding back)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
BENCH = ROOT / "bench" / "review_quality.py"
DEV = ROOT.parent / "shared" / "data" / "review-dev"
DEV2 = ROOT.parent / "shared" / "data" / "review-dev2"
METI = ROOT.parent / "shared" / "data" / "meti-oi-model-contracts"


def _bench():
    spec = importlib.util.spec_from_file_location("review_quality", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(not (DEV / "key.json").exists(), reason="shared review-dev data not present")
def test_review_dev_bars():
    res = _bench().run_dev(DEV)
    assert res["n_documents"] == 16
    assert res["recall"] >= 0.90, res["per_file"]
    assert res["trap_rate"] <= 0.10, res["per_file"]
    assert res["false_high_on_fair"] == 0, res["false_high_by_file"]


@pytest.mark.skipif(not METI.exists(), reason="shared METI model contracts not present")
def test_meti_models_at_most_one_high():
    res = _bench().run_meti_both(METI)
    assert res["n_documents"] == 8
    over = {f: v["high_ids"] for f, v in res["findings_by_contract"].items() if v["HIGH"] > 1}
    assert not over, over
    known = res["with_known_sme"]["findings_by_contract"]
    over_known = {f: v["high_ids"] for f, v in known.items() if v["HIGH"] > 1}
    assert not over_known, over_known


@pytest.mark.skipif(not (DEV2 / "key.json").exists(), reason="shared review-dev2 data not present")
def test_review_dev2_does_not_slide_back():
    bench = _bench()
    names = [p.name for p in DEV2.glob("*.txt")]
    _, held_out = bench.dev2_split(names)
    res = bench.run_dev(DEV2, set(held_out), bench.FAIR_DEV2, "dev2-holdout")
    assert res["n_documents"] == 20
    # measured 0.779 / 0.095 / 0.5 on 2026-12-05 (docs/review-quality.md); the recall
    # bar (0.90) is not met on the held-out half, the other two are
    assert res["recall"] >= 0.76, res["per_rule"]
    assert res["trap_rate"] <= 0.10, res["per_rule"]
    assert res["high_per_fair_contract"] <= 0.5, res["false_high_by_file"]
