"""Numpy-only arithmetic shared by training and runtime (document-level features)."""

from __future__ import annotations

import numpy as np

N_DOC_FEATURES = 8
SPAN_HEADS = ("rel", "con", "ent", "cev")  # per-hypothesis columns; "shared" has one


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def doc_features(S: dict, j: int) -> np.ndarray:
    """Features of one (document, hypothesis) pair from its span logits.

    ``S[head]`` is (n_spans, n_hypotheses) for SPAN_HEADS and (n_spans, 1) for "shared".
    The label depends on the few most relevant spans (as in Span NLI): their relevance,
    the contradiction probability among them, and the best span for each label.
    """
    rel = S["rel"][:, j]
    if len(rel) == 0:
        return np.array([-10.0, -10.0, 0.0, 0.0, 0.0, -10.0, -10.0, 0.0], np.float32)
    order = np.argsort(-rel, kind="stable")[:3]
    top = rel[order]
    w = np.exp(top - top.max())
    w /= w.sum()
    pc = _sigmoid(S["con"][order, j])
    ps = _sigmoid(S["shared"][order, 0])
    return np.array(
        [
            top[0],
            top.mean(),
            pc[0],
            float((w * pc).sum()),
            pc.max(),
            S["ent"][:, j].max(),
            S["cev"][:, j].max(),
            float((w * ps).sum()),
        ],
        np.float32,
    )


def doc_probs(F: np.ndarray, coef: np.ndarray, icpt: np.ndarray, con_scale: float) -> np.ndarray:
    """Softmax over (NotMentioned, Entailment, Contradiction); Contradiction up-weighted
    by ``con_scale`` (chosen by cross-validation on the training documents) because the
    likelihood fit under-predicts the rare class the F1 metric cares about."""
    z = coef @ F + icpt
    p = np.exp(z - z.max())
    p[2] *= con_scale
    return p / p.sum()
