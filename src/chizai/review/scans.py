"""A scanned contract's pages with the finding's sentence boxed (issue 15).

The OCR layout (word boxes with offsets into the review's text, engine.ocr.OcrResult.layout)
is stored sealed on the review when the worker reads the scan. The page image is not stored:
it is rasterised again from the sealed upload when asked for (one page at screen resolution,
a fraction of a second), so the scan exists once, encrypted, and goes when the review goes.
"""

from __future__ import annotations

from chizai.core import audit
from chizai.core.access import NotFound, require
from chizai.core.services import ChizaiError
from chizai.register.sealed import open_sealed
from chizai.review.engine import ReviewInputError, ocr_layout
from chizai.review.input_errors import input_error_message
from chizai.review.models import ContractReview


def finding_span(review: ContractReview, index: int) -> tuple[int, int]:
    """The span of the text the finding cites: its sentence (quote_span), else its match."""
    findings = review.findings
    if not 0 <= index < len(findings):
        raise NotFound()
    finding = findings[index]
    span = finding.get("quote_span") or finding.get("span")
    if not span:
        raise NotFound()  # a finding about something missing sits on no page
    return int(span[0]), int(span[1])


def finding_pages(review: ContractReview, index: int) -> dict[int, list]:
    """``{page number: boxes}`` for the finding's sentence; empty when the review is no scan."""
    layout = review.layout if review.status == ContractReview.Status.DONE else None
    if not layout:
        return {}
    start, end = finding_span(review, index)
    return ocr_layout.boxes_for_span(layout, start, end)


def on_page_indexes(review: ContractReview) -> set[int]:
    """The indexes of the findings that can be shown on a page of the scan (for the links)."""
    layout = review.layout if review.status == ContractReview.Status.DONE else None
    if not layout:
        return set()
    out = set()
    for index, finding in enumerate(review.findings):
        span = finding.get("quote_span") or finding.get("span")
        if span and ocr_layout.boxes_for_span(layout, int(span[0]), int(span[1])):
            out.add(index)
    return out


def page_image(actor, review: ContractReview, index: int, page_number: int) -> bytes:
    """A PNG of page ``page_number`` of the uploaded scan with finding ``index``'s sentence boxed.

    The page shows the contract as uploaded, so reading it is audited like opening the review.
    """
    require(actor, review.organization, "review", "view")
    boxes = finding_pages(review, index)
    if page_number not in boxes or not review.source_storage_name:
        raise NotFound()
    page = next(p for p in review.layout["pages"] if p["n"] == page_number)
    source = open_sealed(
        review.source_storage_name,
        review.source_wrapped_key,
        review.source_key_id,
        review.source_sha256,
        review.organization_id,
    )
    try:
        png = ocr_layout.render_page(source, review.filename, page, boxes[page_number])
    except ReviewInputError as exc:
        raise ChizaiError(input_error_message(exc.code, exc.message)) from exc
    audit.record(
        actor,
        review.organization,
        "review.view",
        obj=review,
        summary=f"scanned page {page_number} opened (finding {index + 1}): {review.title}",
        data={"variant": "scan", "page": page_number, "n": index + 1, "title": review.title},
    )
    return png
