"""Loading the verified artefact and scoring sentences — numpy only, no scikit-learn."""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import artefact as A
from ._pinned import SHIPPED_MANIFEST_SHA256
from .features import analyze
from .labels import CUAD_CATEGORIES, HYPOTHESIS_IDS, NLI_LABELS
from .multilingual import embed
from .scoring import SPAN_HEADS, _sigmoid, doc_features, doc_probs


@dataclass(frozen=True)
class NliResult:
    label: str  # "Entailment" | "Contradiction" | "NotMentioned"
    probability: float  # probability of ``label``
    evidence_index: int | None  # most relevant sentence (None when there is none)
    probabilities: dict[str, float]
    relevance: float  # probability that ``evidence_index`` is evidence for the hypothesis


@dataclass(frozen=True)
class CategoryResult:
    probability: float  # document-level presence score: max over sentences
    best_index: int | None


class _Tfidf:
    """TF-IDF (sublinear tf, l2 norm) over a fixed vocabulary, as sklearn computes it."""

    def __init__(self, terms: list[str], idf: np.ndarray):
        self.index = {t: i for i, t in enumerate(terms)}
        self.idf = idf

    def transform(self, token_lists: list[list[str]]):
        indptr = [0]
        indices: list[int] = []
        values: list[float] = []
        index, idf = self.index, self.idf
        for toks in token_lists:
            c = Counter(i for i in map(index.get, toks) if i is not None)
            if c:
                ids = list(c)
                v = np.array([1.0 + math.log(c[i]) for i in ids], np.float32) * idf[ids]
                v /= np.sqrt(float(v @ v))
                indices.extend(ids)
                values.extend(v.tolist())
            indptr.append(len(indices))
        return (np.asarray(indptr, np.int64), np.asarray(indices, np.int64), np.asarray(values, np.float32))

    @staticmethod
    def scores(csr, W: np.ndarray, b: np.ndarray) -> np.ndarray:
        """(n_texts, n_outputs) = X @ W + b without scipy."""
        indptr, indices, values = csr
        n = len(indptr) - 1
        out = np.tile(b.astype(np.float32), (n, 1))
        nonempty = np.flatnonzero(np.diff(indptr) > 0)
        if len(nonempty):
            contrib = W[indices] * values[:, None]
            out[nonempty] += np.add.reduceat(contrib, indptr[nonempty], axis=0)
        return out


def _npz(blob: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


class Classifier:
    """The statistical layer: ContractNLI hypotheses and CUAD categories over sentences."""

    def __init__(self, files: dict[str, bytes]):
        self.meta = json.loads(files["meta.json"])
        H = len(HYPOTHESIS_IDS)
        if self.meta["nli"]["hypotheses"] != list(HYPOTHESIS_IDS):
            raise A.ArtefactIntegrityError("artefact hypotheses differ from this package's")
        nli, cuad = _npz(files["nli.npz"]), _npz(files["cuad.npz"])
        self._nli_vec = _Tfidf(json.loads(files["nli_vocab.json"]), nli["idf"])
        self._nli_W, self._nli_b = nli["W"], nli["b"]
        self._doc_coef, self._doc_icpt = nli["doc_coef"], nli["doc_icpt"]
        self._con_scale = float(self.meta["nli"]["con_scale"])
        self._cuad_vec = _Tfidf(json.loads(files["cuad_vocab.json"]), cuad["idf"])
        self._cuad_W, self._cuad_b = cuad["W"], cuad["b"]
        self._use_W, self._use_b = cuad.get("use_W"), cuad.get("use_b")
        self._H = H
        self._last: tuple[tuple[str, ...], list[list[str]]] | None = None

    def _tokens(self, sentences: list[str]) -> list[list[str]]:
        # The reviewer asks nli() and cuad() about the same sentences in turn; the
        # tokenizer is most of the cost, so the last document's tokens are kept.
        # Read once and replace whole: safe when threads share the cached Classifier.
        key = tuple(sentences)
        last = self._last
        if last is None or last[0] != key:
            last = (key, [analyze(s) for s in key])
            self._last = last
        return last[1]

    # ---------------------------------------------------------------- ContractNLI
    def nli_span_scores(self, sentences: list[str]) -> dict[str, np.ndarray]:
        """Span logits per head: rel/con/ent/cev (n, 17) and shared (n, 1)."""
        Z = _Tfidf.scores(self._nli_vec.transform(self._tokens(sentences)), self._nli_W, self._nli_b)
        H = self._H
        S = {k: Z[:, i * H : (i + 1) * H] for i, k in enumerate(SPAN_HEADS)}
        S["shared"] = Z[:, len(SPAN_HEADS) * H :]
        return S

    def nli(self, sentences: list[str]) -> dict[str, NliResult]:
        S = self.nli_span_scores(sentences)
        out = {}
        for j, h in enumerate(HYPOTHESIS_IDS):
            p = doc_probs(doc_features(S, j), self._doc_coef[j], self._doc_icpt[j], self._con_scale)
            k = int(np.argmax(p))
            best = int(np.argmax(S["rel"][:, j])) if len(sentences) else None
            out[h] = NliResult(
                label=NLI_LABELS[k],
                probability=float(p[k]),
                evidence_index=best,
                probabilities={lab: float(p[i]) for i, lab in enumerate(NLI_LABELS)},
                relevance=float(_sigmoid(S["rel"][best, j])) if best is not None else 0.0,
            )
        return out

    # ---------------------------------------------------------------- CUAD
    def cuad_sentence_scores(self, sentences: list[str]) -> np.ndarray:
        """(n_sentences, n_categories) probabilities, columns in CUAD_CATEGORIES order.

        ``sentences`` must be in document order: each score also weighs the sentences
        just before and after (see train.cuad_design).
        """
        K = len(CUAD_CATEGORIES)
        Z = _Tfidf.scores(self._cuad_vec.transform(self._tokens(sentences)), self._cuad_W, np.zeros(2 * K, np.float32))
        own, nb = Z[:, :K], Z[:, K:]
        mix = np.zeros_like(nb)
        mix[1:] += 0.5 * nb[:-1]
        mix[:-1] += 0.5 * nb[1:]
        return _sigmoid(own + mix + self._cuad_b)

    @property
    def has_multilingual(self) -> bool:
        return self._use_W is not None

    def cuad_multilingual_scores(self, sentences: list[str]) -> np.ndarray:
        """Like :meth:`cuad_sentence_scores` but through USE embeddings (any language).

        Slow (seconds to load the encoder, ~5 ms a sentence): pass only the sentences the
        cheaper layers leave unsure, or use it offline.
        """
        if self._use_W is None:
            raise RuntimeError("this artefact was trained without the multilingual heads")
        return _sigmoid(embed(sentences) @ self._use_W + self._use_b)

    def cuad(self, sentences: list[str], multilingual: bool = False) -> dict[str, CategoryResult]:
        """Document-level presence per CUAD category = the best sentence's probability.

        ``multilingual=True`` scores through the USE heads instead (needed for Japanese
        text, which the English n-gram heads cannot read); see cuad_multilingual_scores.
        """
        P = self.cuad_multilingual_scores(sentences) if multilingual else self.cuad_sentence_scores(sentences)
        out = {}
        for j, c in enumerate(CUAD_CATEGORIES):
            if len(sentences):
                i = int(np.argmax(P[:, j]))
                out[c] = CategoryResult(float(P[i, j]), i)
            else:
                out[c] = CategoryResult(0.0, None)
        return out


_CACHE: dict[str, Classifier] = {}


def load_classifier(path: str | Path | None = None) -> Classifier:
    """Load and verify the artefact (cached per path).

    With no ``path`` the shipped artefact is loaded and must match the SHA-256 pinned in
    ``_pinned.py``; with a ``path`` (a retrained model) the manifest must carry a valid
    HMAC under ``CHIZAI_MODEL_HMAC_KEY``. Either way every file's SHA-256 is checked and
    :class:`ArtefactIntegrityError` is raised on any mismatch.
    """
    directory = Path(path) if path is not None else A.SHIPPED_DIR
    key = str(directory.resolve())
    if key in _CACHE:
        return _CACHE[key]
    pinned = SHIPPED_MANIFEST_SHA256 if path is None else None
    if pinned is not None and not pinned:
        raise A.ArtefactIntegrityError("no pinned digest for the shipped artefact: run the training command")
    clf = Classifier(A.verify(directory, pinned))
    _CACHE[key] = clf
    return clf
