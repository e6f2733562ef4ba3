"""Training is reproducible and never reads the ContractNLI test split."""

from __future__ import annotations

import builtins
import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest


@pytest.fixture()
def settings():
    """Stand-in for pytest-django's fixture, which the project-wide autouse fixture in
    conftest.py asks for: these tests are pure-library tests and run with -p no:django."""
    from types import SimpleNamespace

    return SimpleNamespace(STORAGES={})


from chizai.review.engine.ml import data as D
from chizai.review.engine.ml import train as T

DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(not (DATA / "contractnli" / "dev.json").exists(), reason="shared data not available")


def test_guard_refuses_test_split_for_training():
    with pytest.raises(D.TestSplitAccessError):
        D.load_contractnli(DATA, "test")
    with pytest.raises(D.TestSplitAccessError):
        D.load_contractnli(DATA, "test", purpose="train")
    assert "test" not in D.TRAIN_SPLITS


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory) -> Path:
    """A small copy of the shared data: 8 NDAs per training split, 12 CUAD contracts,
    and a poisoned test.json that must never be opened."""
    root = tmp_path_factory.mktemp("data")
    (root / "contractnli").mkdir()
    for split in D.TRAIN_SPLITS:
        raw = D.load_contractnli(DATA, split)
        raw["documents"] = raw["documents"][:8]
        (root / "contractnli" / f"{split}.json").write_text(json.dumps(raw))
    (root / "contractnli" / "test.json").write_text("POISON: training must not read this")
    cuad = root / "cuad"
    (cuad / "full_contract_txt").mkdir(parents=True)
    csv.field_size_limit(1 << 30)
    with open(DATA / "cuad" / "master_clauses.csv", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r, _ in zip(reader, range(12), strict=False)]
        fields = reader.fieldnames
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields)
    w.writeheader()
    w.writerows(rows)
    (cuad / "master_clauses.csv").write_text(buf.getvalue(), encoding="utf-8")
    names = {D._norm_name(r["Filename"]) for r in rows}
    for p in (DATA / "cuad" / "full_contract_txt").iterdir():
        if D._norm_name(p.name) in names:
            shutil.copy(p, cuad / "full_contract_txt" / p.name)
    return root


def _train(tiny_data: Path, out: Path, monkeypatch) -> set[str]:
    opened: set[str] = set()
    real_open = builtins.open

    def spy(file, *a, **k):
        name = os.fspath(file) if isinstance(file, (str, os.PathLike)) else str(file)
        opened.add(name)
        if name.endswith("test.json"):
            raise AssertionError(f"training opened {name}")
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(T, "N_FOLDS", 2)
    monkeypatch.setattr(T, "CUAD_MAX_FEATURES", 2000)
    monkeypatch.setattr(T, "NLI_MAX_FEATURES", 2000)
    monkeypatch.setattr(T, "MAX_ITER", 15)  # determinism, not model quality, is under test here
    try:
        assert T.main(["--data", str(tiny_data), "--out", str(out), "--no-pin", "--no-multilingual"]) == 0
    finally:
        monkeypatch.setattr(builtins, "open", real_open)
    return opened


@pytest.mark.filterwarnings("ignore:lbfgs failed to converge")
def test_training_is_deterministic_and_skips_test(tiny_data, tmp_path, monkeypatch):
    opened = _train(tiny_data, tmp_path / "a", monkeypatch)
    assert not any(n.endswith("test.json") for n in opened)
    assert any(n.endswith("dev.json") for n in opened)
    _train(tiny_data, tmp_path / "b", monkeypatch)
    a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert a == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    from chizai.review.engine.ml import runtime

    clf = runtime.load_classifier(tmp_path / "a")
    assert set(clf.nli(["The Recipient shall return all documents."])) == set(T.HYPOTHESIS_IDS)
    runtime._CACHE.clear()


def test_cuad_split_is_fixed_and_by_contract():
    class Doc:
        def __init__(self, n):
            self.name = n

    docs = [Doc(f"c{i:03d}") for i in range(100)]
    tr1, te1 = D.cuad_split(docs)
    tr2, te2 = D.cuad_split(list(reversed(docs)))
    assert {d.name for d in te1} == {d.name for d in te2}
    assert len(te1) == 20 and not ({d.name for d in tr1} & {d.name for d in te1})
