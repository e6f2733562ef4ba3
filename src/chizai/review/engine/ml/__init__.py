"""Statistical layer of the contract reviewer: sparse linear classifiers for the 17
ContractNLI hypotheses and 11 CUAD categories, trained offline, shipped as verified data.

    from chizai.review.engine.ml import load_classifier, HYPOTHESES
    clf = load_classifier()
    clf.nli(sentences)   # {hypothesis_id: NliResult(label, probability, evidence_index, ...)}
    clf.cuad(sentences)  # {category: CategoryResult(probability, best_index)}

Importing this package loads only the label tables and the artefact check (standard library);
numpy comes with the first
``load_classifier`` call and scikit-learn only with training (see docs/classifiers.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .artefact import ArtefactIntegrityError
from .labels import CUAD_CATEGORIES, CUAD_CATEGORIES_JA, HYPOTHESES, HYPOTHESIS_IDS, NLI_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from .runtime import CategoryResult, Classifier, NliResult

__all__ = [
    "HYPOTHESES",
    "HYPOTHESIS_IDS",
    "NLI_LABELS",
    "CUAD_CATEGORIES",
    "CUAD_CATEGORIES_JA",
    "load_classifier",
    "NliResult",
    "CategoryResult",
    "Classifier",
    "ArtefactIntegrityError",
]


# The imports of ``runtime`` below are local on purpose: it brings numpy, measured at +0.23 s
# and +18 MB on `import chizai.review.engine.ml` (0.15 s → 0.38 s), which the web process, the
# CLI and every review that does not run the classifiers would otherwise pay at start-up.
def load_classifier(path=None):
    from .runtime import load_classifier as _load

    return _load(path)


def __getattr__(name):
    if name in ("NliResult", "CategoryResult", "Classifier"):
        from . import runtime

        return getattr(runtime, name)
    raise AttributeError(name)
