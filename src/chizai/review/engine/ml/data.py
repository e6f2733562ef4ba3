"""Reading the training corpora, with a guard that keeps the test split out of training.

ContractNLI's test.json is for reporting only. Every read of a ContractNLI file goes
through :func:`load_contractnli`, which refuses ``test`` unless the caller says it is the
benchmark (``purpose="report"``), and the training code never says so — see
``test_ml_training.py`` which asserts both halves.
"""

from __future__ import annotations

import ast
import csv
import difflib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

TRAIN_SPLITS = ("dev", "train_subset")
CUAD_SPLIT_SEED = 20211
CUAD_TEST_FRACTION = 0.2


class TestSplitAccessError(RuntimeError):
    """Raised when training code asks for a split reserved for reporting."""


def load_contractnli(data_dir: str | Path, split: str, purpose: str = "train") -> dict:
    if split == "test" and purpose != "report":
        raise TestSplitAccessError("ContractNLI test.json is for reporting only; training must not read it")
    if purpose not in ("train", "report"):
        raise ValueError(purpose)
    path = Path(data_dir) / "contractnli" / f"{split}.json"
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


@dataclass
class NliDoc:
    id: str
    spans: list[str]
    labels: dict[str, tuple[str, list[int]]]  # hypothesis id -> (choice, evidence span indices)


def nli_docs(raw: dict) -> list[NliDoc]:
    docs = []
    for d in raw["documents"]:
        text = d["text"]
        spans = [text[a:b] for a, b in d["spans"]]
        ann = d["annotation_sets"][0]["annotations"]
        docs.append(NliDoc(str(d["id"]), spans, {k: (v["choice"], list(v["spans"])) for k, v in ann.items()}))
    return docs


# ----------------------------------------------------------------------------- CUAD

_SENT_END = re.compile(r"(?<=[.;:!?])\s+(?=[\"“(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Rough sentence/clause boundaries (character offsets) for English contract text.

    Line breaks end a unit when the next line looks like a new item; otherwise a
    sentence ends at ., ; or : followed by an upper-case start. Units are capped in
    length because CUAD filings sometimes lose every line break.
    """
    out: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]+)*", text):
        p0 = para.start()
        ptxt = para.group(0)
        starts = [0] + [m.end() for m in _SENT_END.finditer(ptxt)]
        ends = starts[1:] + [len(ptxt)]
        for a, b in zip(starts, ends, strict=False):
            seg = ptxt[a:b]
            if not seg.strip():
                continue
            while b - a > 1500:
                cut = ptxt.rfind(" ", a, a + 1200)
                cut = cut if cut > a else a + 1200
                out.append((p0 + a, p0 + cut))
                a = cut
            out.append((p0 + a, p0 + b))
    return out


@dataclass
class CuadDoc:
    name: str
    text: str
    sentences: list[tuple[int, int]]
    clauses: dict[str, list[str]]  # category -> clause strings as labelled


def _norm_name(s: str) -> str:
    s = re.sub(r"\.(pdf|txt|PDF|TXT)$", "", s)
    return re.sub(r"[^a-z0-9]", "", s.lower())


def load_cuad(data_dir: str | Path, categories: list[str]) -> list[CuadDoc]:
    root = Path(data_dir) / "cuad"
    csv.field_size_limit(1 << 30)
    with open(root / "master_clauses.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    files = sorted(p for p in (root / "full_contract_txt").iterdir() if p.suffix == ".txt")
    by_norm = {_norm_name(p.name): p for p in files}
    norms = sorted(by_norm)
    docs = []
    for row in rows:
        key = _norm_name(row["Filename"])
        path = by_norm.get(key)
        if path is None:
            close = difflib.get_close_matches(key, norms, n=1, cutoff=0.8)
            if not close:
                continue
            path = by_norm[close[0]]
        text = path.read_text(encoding="utf-8", errors="replace")
        clauses = {}
        for cat in categories:
            cell = row[cat].strip()
            try:
                vals = ast.literal_eval(cell) if cell else []
            except (ValueError, SyntaxError):
                vals = [cell]
            clauses[cat] = [v for v in vals if isinstance(v, str) and v.strip()]
        docs.append(CuadDoc(row["Filename"], text, split_sentences(text), clauses))
    docs.sort(key=lambda d: d.name)
    return docs


def cuad_split(docs: list[CuadDoc], seed: int = CUAD_SPLIT_SEED) -> tuple[list[CuadDoc], list[CuadDoc]]:
    """Fixed, seeded split by contract (not the paper's split)."""
    names = sorted(d.name for d in docs)
    rng = random.Random(seed)
    rng.shuffle(names)
    n_test = round(len(names) * CUAD_TEST_FRACTION)
    test = set(names[:n_test])
    return [d for d in docs if d.name not in test], [d for d in docs if d.name in test]


def _squash(s: str) -> tuple[str, list[int]]:
    """Whitespace-collapsed lowercase text and a map back to original offsets."""
    out, pos = [], []
    prev_space = False
    for i, ch in enumerate(s):
        if ch.isspace():
            if prev_space:
                continue
            prev_space = True
            out.append(" ")
        else:
            prev_space = False
            out.append(ch.lower())
        pos.append(i)
    pos.append(len(s))
    return "".join(out), pos


def sentence_labels(doc: CuadDoc, category: str) -> list[int]:
    """1 for each sentence that overlaps a labelled clause of ``category`` substantially."""
    sents = doc.sentences
    y = [0] * len(sents)
    clauses = doc.clauses.get(category) or []
    if not clauses:
        return y
    sq, pos = _squash(doc.text)
    for clause in clauses:
        c, _ = _squash(clause.strip())
        c = c.strip()
        if len(c) < 5:
            continue
        i = sq.find(c)
        if i < 0:
            i = sq.find(c[:60])  # labels sometimes differ near the end (ellipses, quotes)
            if i < 0:
                continue
            span = (pos[i], pos[min(i + len(c), len(sq))])
        else:
            span = (pos[i], pos[i + len(c)])
        for k, (a, b) in enumerate(sents):
            ov = min(b, span[1]) - max(a, span[0])
            if ov > 0 and (ov >= 0.5 * (b - a) or ov >= 0.5 * (span[1] - span[0]) or ov >= 80):
                y[k] = 1
    return y
