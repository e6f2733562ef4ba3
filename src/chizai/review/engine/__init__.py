"""chizai.review.engine — the pure contract-review library (no Django).

Public API (imported lazily so ``import chizai.review.engine`` stays cheap)::

    load_document(data, filename, *, lang="auto", sme=None, contract_type="auto") -> Document
    review_document(doc) -> Report
    review_file(path, ...) -> Report
    review_text(text, filename="pasted.txt", ...) -> Report
    review_bytes(data, filename, ...) -> Report
"""

from __future__ import annotations

from .document import ChecklistResult, Document, Finding, Party, Report, ReviewInputError, Segment

_LAZY = {
    "load_document": "pipeline",
    "review_document": "pipeline",
    "review_file": "pipeline",
    "review_text": "pipeline",
    "review_bytes": "pipeline",
    "build_summary": "pipeline",
    "extract_text": "extract",
    "ExtractedText": "extract",
    "normalize": "normalize",
    "segment": "structure",
    "detect_language": "detect",
    "subject_of": "detect",
    "subjects_of": "detect",
    "flows": "detect",
    "render": "render",
}

__all__ = [
    "ChecklistResult",
    "Document",
    "Finding",
    "Party",
    "Report",
    "ReviewInputError",
    "Segment",
    *_LAZY,
]


def __getattr__(name: str):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'chizai.review.engine' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{mod}"), name)
    globals()[name] = value
    return value
