"""Loading and validating the rule catalogue (data/vocab.yaml, data/rules/*.yaml,
data/ambiguous.yaml, data/checklists/*.yaml), merged into one ``Catalogue``.

The catalogue is data so that adding a rule means adding YAML and a test case, not code.
Everything is validated once at load: a typo in a key or a broken regex must fail
loudly with the rule id, not silently turn a rule off.
"""

from __future__ import annotations

import builtins
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

DATA_DIR = Path(__file__).with_name("data")
TYPES = {"NDA", "MFG", "PROTO", "JRD", "DEV", "LIC", "ALL"}
SEVERITIES = ("LOW", "MEDIUM", "HIGH")
SUBJECTS = {"SME", "LARGE", "NONE", "MUTUAL"}
LANGS = ("ja", "en")

RULE_KEYS = {
    "id",
    "group",
    "applies_to",
    "severity",
    "severity_adjust",
    "title",
    "patterns",
    "detection",
    "reason",
    "basis",
    "balanced",
    "question",
    "verification",
    "frames",
    "also_frames",
    "unless_frames",
}
AMBIG_KEYS = {
    "id",
    "expression",
    "patterns",
    "detection",
    "explanation",
    "suggestion",
    "question",
    "severity",
    "applies_to",
    "basis",
    "frames",
    "also_frames",
    "unless_frames",
}
# Conditions over the clause representation (clauses.py); names come from data/concepts.yaml.
FRAME_KEYS = {
    "act",
    "to",
    "objects",
    "objects_not",
    "consideration",
    "without",
    "with",
    "negated",
    "origin_not",
    "origin",
}
CONSIDERATIONS = ("paid", "waived", "included", "none")
CHECK_KEYS = {
    "id",
    "list",
    "applies_to",
    "text",
    "present",
    "weak",
    "weak_if_rules",
    "related",
    "severity",
    "requires_doc",
    "present_as_related",
}
DETECTION_KEYS = {
    "scope",
    "near",
    "not_near",
    "negation",
    "absent",
    "requires_doc",
    "subject",
    "requires_no",
    "requires_rules",
    "unless_rules",
    "types",
    "sme_discloser_only",
    "or_absent",
    "window",
    "or_absent_severity",
    "through_terms",
    "not_in_paid_commission",
    "balanced_by",
    "absent_not_in",
    "not_in_sentence",
    "not_near_in_terms",
    "absent_not_in_terms",
    "sme_not_role",
    # safeguards judged on the hit's own paragraph while not_near keeps the wider window (a fixed fee
    # for one thing in the article does not settle the price another paragraph leaves open)
    "not_near_in_unit",
    # the absence test fails when every background term is an empty or hollow list (JRD-05)
    "absent_unless_hollow",
}
ADJUST_KEYS = {"raise_if_sme_discloser", "lower_if_consideration", "raise_with", "lower_in_types", "raise_if_near"}
VOCAB_KEYS = {"consideration", "no_consideration", "mutual", "negation_after", "negation_before", "subject_verbs"}

# Gap macros: a bounded "same sentence" gap keeps every pattern linear-time on long
# contracts (an unbounded ``.*`` over 60k characters is what blows the speed budget).
GAPS = {
    # a 。 inside a parenthetical (「（…を含む。以下「X」という。）」) does not end the sentence
    "ja": {"W": r"(?:[^。\n]|。(?=[^()\n]{0,40}\))){0,80}?", "WL": r"(?:[^。\n]|。(?=[^()\n]{0,40}\))){0,200}?"},
    "en": {"W": r"(?:[^.;\n]|\.(?=\d)){0,160}?", "WL": r"(?:[^;\n]){0,300}?"},
}
# Dummy labels only used to check that placeholder patterns compile.
_DUMMY = {"SME": "(?:乙)", "LARGE": "(?:甲)", "PARTY": "(?:甲|乙)", **GAPS["ja"]}


def _dummy() -> dict[str, str]:
    return {**concept_macros("ja"), **_DUMMY}


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleDataError(ValueError):
    """The rule files are malformed; the message names the file and the rule."""


@dataclass
class Rule:
    id: str
    kind: str  # rule | ambiguous
    applies_to: list[str]
    severity: str
    title: dict[str, str]
    reason: dict[str, str]
    balanced: dict[str, str]
    question: dict[str, str]
    basis: list[str]
    patterns: dict[str, list[str]]
    detection: dict[str, Any]
    adjust: dict[str, Any] = field(default_factory=dict)
    frames: list[dict[str, Any]] = field(default_factory=list)
    # further readings of the same problem that add findings but, unlike ``frames``, do not
    # judge the pattern hits (a narrow reading must not silence a wording the patterns know)
    also_frames: list[dict[str, Any]] = field(default_factory=list)
    # the rule stays silent when any clause satisfies one of these (e.g. a background carve-out)
    unless_frames: list[dict[str, Any]] = field(default_factory=list)
    group: str = ""


@dataclass
class ChecklistItem:
    id: str
    list: str  # NDA | JRD; the field hides the builtin in this class body, hence builtins.list below
    applies_to: builtins.list[str]
    text: dict[str, str]
    present: dict[str, builtins.list[str]]
    weak: dict[str, builtins.list[str]]
    weak_if_rules: builtins.list[str]
    related: builtins.list[str]
    # the item is about something the contract may not involve (samples to analyse): without
    # a mention of it anywhere the item is not listed at all, rather than reported missing
    requires_doc: dict[str, builtins.list[str]] = field(default_factory=dict)
    # what the related rules' ``or_absent`` counts as the protection counts as present here too
    present_as_related: bool = False


@dataclass
class Catalogue:
    rules: list[Rule]
    ambiguous: list[Rule]
    checklist: list[ChecklistItem]
    vocab: dict[str, dict[str, list[str]]]

    def all_rules(self) -> list[Rule]:
        return self.rules + self.ambiguous


def _fail(where: str, msg: str) -> NoReturn:
    raise RuleDataError(f"{where}: {msg}")


def _check_regex(where: str, pat: Any) -> None:
    if not isinstance(pat, str) or not pat:
        _fail(where, f"pattern must be a non-empty string, got {pat!r}")
    try:
        re.compile(substitute(pat, _dummy()))
    except re.error as exc:
        _fail(where, f"bad regex {pat!r}: {exc}")


def substitute(pat: str, labels: dict[str, str]) -> str:
    for key, val in labels.items():
        pat = pat.replace("{" + key + "}", val)
    return pat


def labels_with_gaps(labels: dict[str, str], lang: str) -> dict[str, str]:
    """Concept macros ({C.purpose}, {C.waived} …, from data/concepts.yaml), then party
    placeholders, then the language's gap macros ({W}, {WL}); in this order, because a
    concept's own patterns use the party and gap placeholders."""
    return {**concept_macros(lang), **labels, **GAPS.get(lang, GAPS["en"])}


@functools.lru_cache(maxsize=4)
def concept_macros(lang: str) -> dict[str, str]:
    """``C.<name>`` → one alternation of that concept's patterns, so a rule can say
    "not near a purpose limit" once instead of repeating its wordings."""
    raw = _load_yaml(DATA_DIR / "concepts.yaml")
    lang = lang if lang in LANGS else "en"
    out = {}
    for section in ("objects", "consideration", "limits", "wide"):
        for name, spec in raw[section].items():
            pats = spec.get(lang) or []
            out[f"C.{name}"] = "(?:" + "|".join(f"(?:{p})" for p in pats) + ")" if pats else "(?!x)x"
    return out


def _langmap(where: str, value: Any, *, regex: bool) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(where, "expected a mapping {ja: [...], en: [...]}")
    out: dict[str, list[str]] = {}
    for lang, pats in value.items():
        if lang not in LANGS:
            _fail(where, f"unknown language key {lang!r}")
        if isinstance(pats, str):
            pats = [pats]
        if not isinstance(pats, list):
            _fail(where, f"{lang}: expected a list")
        if regex:
            for p in pats:
                _check_regex(f"{where}.{lang}", p)
        out[lang] = list(pats)
    return out


def _balanced_by(where: str, value: Any) -> dict[str, Any]:
    """``{min: N, ja: [...], en: [...]}``: each pattern is one safeguard; a clause with at least N of
    them is the balanced form of the rule, whatever words carry them."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not isinstance(value.get("min"), int) or value["min"] < 1:
        _fail(where, "expected {min: N (>= 1), ja: [...], en: [...]}")
    pats = _langmap(where, {k: v for k, v in value.items() if k != "min"}, regex=True)
    for lang, alts in pats.items():
        if len(alts) < value["min"]:
            _fail(where, f"{lang}: fewer safeguards than min")
    return {"min": value["min"], **pats}


def _text(where: str, value: Any) -> dict[str, str]:
    if (
        not isinstance(value, dict)
        or set(value) - set(LANGS)
        or not all(isinstance(value.get(k), str) and value.get(k) for k in LANGS)
    ):
        _fail(where, "expected {ja: text, en: text} with both languages")
    return dict(value)


def _types(where: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or set(value) - TYPES:
        _fail(where, f"applies_to must list contract types from {sorted(TYPES)}, got {value!r}")
    return list(value)


def _detection(where: str, det: Any, known_ids: set[str] | None) -> dict[str, Any]:
    det = det or {}
    if not isinstance(det, dict):
        _fail(where, "detection must be a mapping")
    unknown = set(det) - DETECTION_KEYS
    if unknown:
        _fail(where, f"unknown detection keys {sorted(unknown)}")
    out: dict[str, Any] = dict(det)
    out.setdefault("scope", "clause")
    if out["scope"] not in ("clause", "document"):
        _fail(where, "detection.scope must be clause or document")
    near = det.get("near")
    if near is not None:
        groups = near if isinstance(near, list) else [near]
        out["near"] = [_langmap(f"{where}.near", g, regex=True) for g in groups]
    else:
        out["near"] = []
    if out.get("window", "unit") not in ("unit", "article", "sentence", "item"):
        _fail(where, "detection.window must be unit, article, sentence or item")
    out.setdefault("window", "unit")
    if out.get("or_absent_severity") not in (None, *SEVERITIES):
        _fail(where, f"detection.or_absent_severity must be one of {SEVERITIES}")
    for key in (
        "not_near",
        "absent",
        "requires_doc",
        "or_absent",
        "absent_not_in",
        "absent_not_in_terms",
        "not_in_sentence",
        "not_near_in_unit",
    ):
        out[key] = _langmap(f"{where}.{key}", det.get(key), regex=True)
    out["balanced_by"] = _balanced_by(f"{where}.balanced_by", det.get("balanced_by"))
    subj = det.get("subject")
    if subj is not None:
        subj = [subj] if isinstance(subj, str) else subj
        if not isinstance(subj, list) or set(subj) - SUBJECTS:
            _fail(where, f"detection.subject must be from {sorted(SUBJECTS)}")
        out["subject"] = list(subj)
    if det.get("requires_no") not in (None, "consideration"):
        _fail(where, "detection.requires_no only supports 'consideration'")
    for key in ("requires_rules", "unless_rules"):
        ids = det.get(key) or []
        if not isinstance(ids, list):
            _fail(where, f"detection.{key} must be a list of rule ids")
        out[key] = list(ids)
    if det.get("types") is not None:
        out["types"] = _types(f"{where}.types", det["types"])
    if not isinstance(det.get("negation", False), bool):
        _fail(where, "detection.negation must be true/false")
    if not isinstance(det.get("not_in_paid_commission", False), bool):
        _fail(where, "detection.not_in_paid_commission must be true/false")
    return out


def _frames(where: str, raw: Any, concepts: dict[str, Any]) -> list[dict[str, Any]]:
    """Validate a rule's ``frames``: each is a condition over the clause representation."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        _fail(where, "frames must be a list of conditions")
    known = {
        "act": set(concepts["acts"]),
        "to": SUBJECTS,
        "objects": set(concepts["objects"]),
        "objects_not": set(concepts["objects"]),
        "consideration": set(CONSIDERATIONS),
        "without": set(concepts["limits"]) | set(concepts["wide"]),
        "with": set(concepts["limits"]) | set(concepts["wide"]),
        "origin_not": SUBJECTS,
        "origin": SUBJECTS,
    }
    out = []
    for i, frame in enumerate(raw):
        fw = f"{where}.frames[{i}]"
        if not isinstance(frame, dict):
            _fail(fw, "each frame must be a mapping")
        if set(frame) - FRAME_KEYS:
            _fail(fw, f"unknown frame keys {sorted(set(frame) - FRAME_KEYS)}")
        if "act" not in frame:
            _fail(fw, "a frame needs an act")
        clean: dict[str, Any] = {"negated": bool(frame.get("negated", False))}
        for key, allowed in known.items():
            if key in frame:
                value = [frame[key]] if isinstance(frame[key], str) else frame[key]
                if not isinstance(value, list) or set(value) - allowed:
                    _fail(fw, f"frame.{key} must be from {sorted(allowed)}")
                clean[key] = list(value)
        out.append(clean)
    return out


@functools.lru_cache(maxsize=1)
def concept_names() -> dict[str, Any]:
    raw = _load_yaml(DATA_DIR / "concepts.yaml")
    return {k: list(raw[k]) for k in ("objects", "acts", "consideration", "limits", "wide")}


def _load_yaml(path: Path) -> Any:
    name = path.relative_to(DATA_DIR).as_posix() if path.is_relative_to(DATA_DIR) else str(path)
    try:
        with path.open(encoding="utf-8") as fh:
            # libyaml's loader is ~10x faster than the pure-Python one (start-up time)
            return yaml.load(fh, Loader=_Loader)  # noqa: S506 - a safe loader
    except FileNotFoundError as exc:
        raise RuleDataError(f"{name}: file missing") from exc
    except yaml.YAMLError as exc:
        raise RuleDataError(f"{name}: invalid YAML: {exc}") from exc


def _adjust(where: str, adj: Any) -> dict[str, Any]:
    if not isinstance(adj, dict) or set(adj) - ADJUST_KEYS:
        _fail(where, f"severity_adjust keys must be from {sorted(ADJUST_KEYS)}")
    out = dict(adj)
    rw = out.get("raise_with", [])
    if not isinstance(rw, list):
        _fail(where, "severity_adjust.raise_with must be a list of rule ids")
    out["raise_with"] = list(rw)
    lit = out.get("lower_in_types", [])
    if not isinstance(lit, list) or set(lit) - TYPES:
        _fail(where, f"severity_adjust.lower_in_types must list types from {sorted(TYPES)}")
    out["lower_in_types"] = list(lit)
    out["raise_if_near"] = _langmap(f"{where}.severity_adjust.raise_if_near", out.get("raise_if_near"), regex=True)
    return out


def _rule(fname: str, raw: Any, seen: set[str]) -> Rule:
    rid = raw.get("id") if isinstance(raw, dict) else None
    where = f"{fname} {rid or '?'}"
    if not rid:
        _fail(where, "each rule needs an id")
    if rid in seen:
        _fail(where, "duplicate id")
    seen.add(rid)
    unknown = set(raw) - RULE_KEYS
    if unknown:
        _fail(where, f"unknown keys {sorted(unknown)}")
    if raw.get("severity") not in SEVERITIES:
        _fail(where, f"severity must be one of {SEVERITIES}")
    basis = raw.get("basis") or []
    if not isinstance(basis, list) or not basis:
        _fail(where, "basis must be a non-empty list of source keys")
    return Rule(
        id=rid,
        kind="rule",
        group=str(raw.get("group", "")),
        applies_to=_types(where, raw.get("applies_to")),
        severity=raw["severity"],
        title=_text(f"{where}.title", raw.get("title")),
        reason=_text(f"{where}.reason", raw.get("reason")),
        balanced=_text(f"{where}.balanced", raw.get("balanced")),
        question=_text(f"{where}.question", raw.get("question")),
        basis=list(basis),
        patterns=_langmap(f"{where}.patterns", raw.get("patterns"), regex=True),
        detection=_detection(where, raw.get("detection"), None),
        adjust=_adjust(where, raw.get("severity_adjust") or {}),
        frames=_frames(where, raw.get("frames"), concept_names()),
        also_frames=_frames(where, raw.get("also_frames"), concept_names()),
        unless_frames=_frames(where, raw.get("unless_frames"), concept_names()),
    )


def _ambiguous(fname: str, raw: Any, seen: set[str]) -> Rule:
    aid = raw.get("id") if isinstance(raw, dict) else None
    where = f"{fname} {aid or '?'}"
    if not aid:
        _fail(where, "each expression needs an id")
    if aid in seen:
        _fail(where, "duplicate id")
    seen.add(aid)
    unknown = set(raw) - AMBIG_KEYS
    if unknown:
        _fail(where, f"unknown keys {sorted(unknown)}")
    sev = raw.get("severity", "LOW")
    if sev not in SEVERITIES:
        _fail(where, "bad severity")
    return Rule(
        id=aid,
        kind="ambiguous",
        applies_to=_types(where, raw.get("applies_to", ["ALL"])),
        severity=sev,
        title=_text(f"{where}.expression", raw.get("expression")),
        reason=_text(f"{where}.explanation", raw.get("explanation")),
        balanced=_text(f"{where}.suggestion", raw.get("suggestion")),
        question=_text(f"{where}.question", raw.get("question")),
        basis=list(raw.get("basis") or ["inference"]),
        patterns=_langmap(f"{where}.patterns", raw.get("patterns"), regex=True),
        detection=_detection(where, raw.get("detection"), None),
        adjust={"raise_with": []},
        frames=_frames(where, raw.get("frames"), concept_names()),
        also_frames=_frames(where, raw.get("also_frames"), concept_names()),
        unless_frames=_frames(where, raw.get("unless_frames"), concept_names()),
    )


def _check(fname: str, raw: Any, seen: set[str]) -> ChecklistItem:
    cid = raw.get("id") if isinstance(raw, dict) else None
    where = f"{fname} {cid or '?'}"
    if not cid:
        _fail(where, "each item needs an id")
    if cid in seen:
        _fail(where, "duplicate id")
    seen.add(cid)
    unknown = set(raw) - CHECK_KEYS
    if unknown:
        _fail(where, f"unknown keys {sorted(unknown)}")
    if raw.get("list") not in ("NDA", "JRD"):
        _fail(where, "list must be NDA or JRD")
    if raw.get("severity", "LOW") not in SEVERITIES:
        _fail(where, "bad severity")
    return ChecklistItem(
        id=cid,
        list=raw["list"],
        applies_to=_types(where, raw.get("applies_to", [raw["list"]])),
        text=_text(f"{where}.text", raw.get("text")),
        present=_langmap(f"{where}.present", raw.get("present"), regex=True),
        weak=_langmap(f"{where}.weak", raw.get("weak"), regex=True),
        weak_if_rules=list(raw.get("weak_if_rules") or []),
        related=list(raw.get("related") or []),
        requires_doc=_langmap(f"{where}.requires_doc", raw.get("requires_doc"), regex=True),
        present_as_related=bool(raw.get("present_as_related", False)),
    )


def _entries(fname: str, doc: Any, key: str) -> list[Any]:
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        _fail(fname, f"top level must be a mapping with a list under '{key}'")
    return doc[key]


def parse_catalogue(
    rule_docs: list[tuple[str, Any]],
    ambig_docs: list[tuple[str, Any]],
    check_docs: list[tuple[str, Any]],
    vocab_doc: tuple[str, Any] | None = None,
) -> Catalogue:
    """Validate parsed YAML documents, each given as (file name, content)."""
    vocab: dict[str, dict[str, list[str]]] = {}
    if vocab_doc is not None:
        vname, vdoc = vocab_doc
        vraw = vdoc.get("vocab") if isinstance(vdoc, dict) else None
        if not isinstance(vraw, dict) or set(vraw) - VOCAB_KEYS:
            _fail(f"{vname} vocab", f"keys must be from {sorted(VOCAB_KEYS)}")
        vocab = {k: _langmap(f"{vname} vocab.{k}", v, regex=True) for k, v in vraw.items()}
    seen: set[str] = set()
    rules = [_rule(f, raw, seen) for f, d in rule_docs for raw in _entries(f, d, "rules")]
    ambiguous = [_ambiguous(f, raw, seen) for f, d in ambig_docs for raw in _entries(f, d, "expressions")]
    items = [_check(f, raw, seen) for f, d in check_docs for raw in _entries(f, d, "items")]

    # Cross-references must point at real ids, otherwise a combo rule silently never fires.
    ids = {r.id for r in rules} | {a.id for a in ambiguous}
    for r in rules + ambiguous:
        for key in ("requires_rules", "unless_rules"):
            for ref in r.detection.get(key, []):
                if ref not in ids:
                    _fail(r.id, f"detection.{key} names unknown rule {ref}")
        for ref in r.adjust.get("raise_with", []):
            if ref not in ids:
                _fail(r.id, f"severity_adjust.raise_with names unknown rule {ref}")
        d = r.detection
        if d["scope"] == "clause" and not r.patterns:
            _fail(r.id, "clause-scope rules need patterns")
        if d["scope"] == "document" and not (d["absent"] or r.patterns or d["requires_rules"]):
            _fail(r.id, "document-scope rules need absent, patterns or requires_rules")
    for it in items:
        for ref in it.weak_if_rules + it.related:
            if ref not in ids:
                _fail(it.id, f"refers to unknown rule {ref}")
    return Catalogue(rules=rules, ambiguous=ambiguous, checklist=items, vocab=vocab)


def catalogue_files(data_dir: Path | None = None) -> dict[str, list[Path]]:
    """The files that make up the catalogue, in load order (sorted, so ids are stable)."""
    d = data_dir or DATA_DIR
    return {
        "vocab": [d / "vocab.yaml"],
        "rules": sorted((d / "rules").glob("*.yaml")),
        "ambiguous": sorted((d / "ambiguous").glob("*.yaml")),
        "checklists": sorted((d / "checklists").glob("*.yaml")),
    }


def load_catalogue_from(data_dir: Path) -> Catalogue:
    files = catalogue_files(data_dir)
    global DATA_DIR
    old, DATA_DIR = DATA_DIR, data_dir
    try:
        load = lambda ps: [(p.relative_to(data_dir).as_posix(), _load_yaml(p)) for p in ps]  # noqa: E731
        vocab = load(files["vocab"])[0]
        return parse_catalogue(load(files["rules"]), load(files["ambiguous"]), load(files["checklists"]), vocab)
    finally:
        DATA_DIR = old


@functools.lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """Parsed and validated once per process."""
    return load_catalogue_from(DATA_DIR)


@functools.lru_cache(maxsize=1)
def basis_names() -> dict[str, dict[str, str]]:
    """{basis key: {ja: name, en: name}} from ``data/basis.yaml``; a key not listed is shown as itself."""
    raw = _load_yaml(DATA_DIR / "basis.yaml") or {}
    return {str(key): {"ja": str(names.get("ja", key)), "en": str(names.get("en", key))} for key, names in raw.items()}


def finding_texts(rule_id: str, lang: str) -> dict[str, str] | None:
    """A rule's title, reason, balanced wording and question in ``lang`` (ja or en), so a
    finding on an English contract can be read in Japanese and the other way round; None
    for a rule the catalogue does not hold (an organisation's own, or a removed one)."""
    for rule in load_catalogue().all_rules():
        if rule.id == rule_id:
            return {
                name: getattr(rule, name).get(lang) or getattr(rule, name).get("en", "")
                for name in ("title", "reason", "balanced", "question")
            }
    return None


def checklist_text(item_id: str, lang: str) -> str | None:
    for item in load_catalogue().checklist:
        if item.id == item_id:
            return item.text.get(lang) or item.text.get("en")
    return None
