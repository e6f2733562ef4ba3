"""The rule catalogue as data: counts, cross-references and load-time validation."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from chizai.review.engine import rules_data
from chizai.review.engine.rules_data import RuleDataError, load_catalogue, load_catalogue_from

CATALOGUE_IDS = (
    [f"NDA-{i:02d}" for i in range(1, 16)]
    + [f"MFG-{i:02d}" for i in range(1, 9)]
    + [f"PRO-{i:02d}" for i in range(1, 6)]
    + [f"JRD-{i:02d}" for i in range(1, 15)]
    + [f"IPR-{i:02d}" for i in range(1, 7)]
    + [f"RSK-{i:02d}" for i in range(1, 6)]
    + ["FRM-01", "FRM-02", "TS-01", "TS-02"]
)


def test_catalogue_counts_and_ids():
    cat = load_catalogue()
    assert [r.id for r in cat.rules] == CATALOGUE_IDS  # the 57 rules of §2, in order
    assert [a.id for a in cat.ambiguous] == [f"A{i}" for i in range(1, 23)]
    nda = [c.id for c in cat.checklist if c.list == "NDA"]
    jrd = [c.id for c in cat.checklist if c.list == "JRD"]
    assert nda == [f"CL-NDA-{i:02d}" for i in range(1, 19)]
    assert jrd == [f"CL-JRD-{i:02d}" for i in range(1, 20)]


def test_every_rule_is_complete_in_both_languages():
    cat = load_catalogue()
    for r in cat.rules + cat.ambiguous:
        for field in ("title", "reason", "balanced", "question"):
            text = getattr(r, field)
            assert text["ja"].strip() and text["en"].strip(), (r.id, field)
        assert r.basis, r.id
        d = r.detection
        # a rule with a trigger in one language has one in the other too
        assert set(r.patterns) in (set(), {"ja", "en"}), r.id
        for key in ("absent", "or_absent", "requires_doc", "not_near"):
            assert set(d[key]) in (set(), {"ja", "en"}), (r.id, key)


def _copy_data(tmp_path: Path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(rules_data.DATA_DIR, dst)
    return dst


def _edit_rule(data: Path, fname: str, rid: str, fn) -> None:
    path = data / "rules" / fname
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for raw in doc["rules"]:
        if raw["id"] == rid:
            fn(raw)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def test_copy_of_the_data_loads(tmp_path):
    cat = load_catalogue_from(_copy_data(tmp_path))
    assert len(cat.rules) == 57


def test_unknown_key_names_file_and_rule(tmp_path):
    data = _copy_data(tmp_path)
    _edit_rule(data, "b-mfg.yaml", "MFG-03", lambda r: r.__setitem__("severtiy", "HIGH"))
    with pytest.raises(RuleDataError) as exc:
        load_catalogue_from(data)
    msg = str(exc.value)
    assert "rules/b-mfg.yaml" in msg and "MFG-03" in msg and "severtiy" in msg


def test_bad_regex_names_file_and_rule(tmp_path):
    data = _copy_data(tmp_path)
    _edit_rule(data, "d-jrd.yaml", "JRD-07", lambda r: r["patterns"]["ja"].append("出願(?:は"))
    with pytest.raises(RuleDataError) as exc:
        load_catalogue_from(data)
    msg = str(exc.value)
    assert "rules/d-jrd.yaml" in msg and "JRD-07" in msg and "bad regex" in msg


def test_bad_detection_key_and_unknown_reference(tmp_path):
    data = _copy_data(tmp_path)
    _edit_rule(data, "a-nda.yaml", "NDA-04", lambda r: r["detection"].__setitem__("absnet", {"ja": ["x"]}))
    with pytest.raises(RuleDataError, match=r"rules/a-nda.yaml NDA-04.*absnet"):
        load_catalogue_from(data)
    data = _copy_data(tmp_path / "second")
    _edit_rule(data, "d-jrd.yaml", "JRD-10", lambda r: r["detection"].__setitem__("requires_rules", ["JRD-99"]))
    with pytest.raises(RuleDataError, match=r"JRD-10.*JRD-99"):
        load_catalogue_from(data)


def test_missing_language_text_and_duplicate_id(tmp_path):
    data = _copy_data(tmp_path)
    _edit_rule(data, "e-ipr.yaml", "IPR-02", lambda r: r["title"].pop("en"))
    with pytest.raises(RuleDataError, match=r"rules/e-ipr.yaml IPR-02.title"):
        load_catalogue_from(data)
    data = _copy_data(tmp_path / "dup")
    _edit_rule(data, "e-ipr.yaml", "IPR-02", lambda r: r.__setitem__("id", "IPR-01"))
    with pytest.raises(RuleDataError, match=r"IPR-01.*duplicate"):
        load_catalogue_from(data)


def test_bad_ambiguous_and_checklist_entries(tmp_path):
    data = _copy_data(tmp_path)
    path = data / "ambiguous" / "a01-a11.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["expressions"][0]["patterns"]["en"] = ["[unclosed"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RuleDataError, match=r"ambiguous/a01-a11.yaml A1.*bad regex"):
        load_catalogue_from(data)
    data = _copy_data(tmp_path / "cl")
    path = data / "checklists" / "nda.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["items"][2]["weak_if_rules"] = ["NDA-77"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RuleDataError, match=r"CL-NDA-03.*NDA-77"):
        load_catalogue_from(data)


def test_broken_yaml_names_the_file(tmp_path):
    data = _copy_data(tmp_path)
    (data / "rules" / "c-proto.yaml").write_text("rules:\n  - id: PRO-01\n   bad: [", encoding="utf-8")
    with pytest.raises(RuleDataError, match=r"rules/c-proto.yaml: invalid YAML"):
        load_catalogue_from(data)


def test_no_word_boundary_right_after_a_party_placeholder():
    # parties are masked with private-use characters, which are not word characters: a \b
    # right after {PARTY}/{SME}/{LARGE} can never hold before a space, so the pattern
    # silently never matches ("grants Adaptimmune and Adaptimmune Limited a licence")
    data = Path(__file__).resolve().parents[1] / "engine" / "data"
    bad = [
        f"{p.name}: {m.group(0)}"
        for p in sorted(data.rglob("*.yaml"))
        for m in re.finditer(r"\{(?:PARTY|SME|LARGE)\}\)?\\b", p.read_text(encoding="utf-8"))
    ]
    assert not bad, bad


def test_balanced_by_needs_a_minimum_within_its_safeguards(tmp_path):
    data = _copy_data(tmp_path)
    _edit_rule(data, "a-nda.yaml", "NDA-15", lambda r: r["detection"]["balanced_by"].__setitem__("min", 9))
    with pytest.raises(RuleDataError, match=r"NDA-15.balanced_by.*fewer safeguards than min"):
        load_catalogue_from(data)
    data = _copy_data(tmp_path / "second")
    _edit_rule(data, "a-nda.yaml", "NDA-15", lambda r: r["detection"].__setitem__("balanced_by", {"ja": ["x"]}))
    with pytest.raises(RuleDataError, match=r"NDA-15.balanced_by.*min"):
        load_catalogue_from(data)
