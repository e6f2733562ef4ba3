"""Where OCR'd text sits on the page (issue 15): offsets → word boxes → the page with the
finding's sentence boxed, and the web view of it (same access as the review, no cache)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from chizai.core.models import AuditEvent
from chizai.review.engine import ocr, ocr_layout
from chizai.review.engine.ocr_testing import noto_cjk_font, render_pages, to_pdf

FONT = noto_cjk_font()
needs_ocr = pytest.mark.skipif(
    FONT is None or ocr.missing() is not None, reason=f"needs fonts-noto-cjk and Tesseract ({ocr.missing()})"
)

_word_text = st.text(alphabet="甲乙条契約ABCdef0123.,()「」", min_size=1, max_size=6)


@st.composite
def _results(draw):
    pages = []
    for number in range(1, draw(st.integers(1, 3)) + 1):
        width, height = draw(st.integers(50, 3000)), draw(st.integers(50, 4000))
        lines = []
        for index in range(draw(st.integers(0, 6))):
            words = []
            for _ in range(draw(st.integers(1, 5))):
                left, top = draw(st.integers(0, width - 1)), draw(st.integers(0, height - 1))
                w, h = draw(st.integers(1, width - left)), draw(st.integers(1, height - top))
                words.append(ocr.OcrWord(draw(_word_text), left, top, w, h, 90.0))
            lines.append(ocr.OcrLine(ocr.join_words([w.text for w in words]), words, block=index // 2))
        pages.append(ocr.OcrPage(number, width, height, lines, 90.0, deskew=draw(st.floats(-3, 3))))
    return ocr.OcrResult(pages)


@settings(max_examples=150, deadline=None)
@given(_results(), st.integers(0, 400), st.integers(0, 400))
def test_offsets_name_the_words_and_boxes_stay_on_the_page(result, a, b):
    text, layout = result.text, result.layout()
    for page, stored in zip(result.pages, layout["pages"], strict=True):
        assert len(stored["words"]) == len(page.words)  # every word found in its line
        for (start, end, *_box), word in zip(stored["words"], page.words, strict=True):
            assert text[start:end] == word.text
    start, end = min(a, b), max(a, b)
    boxes = ocr_layout.boxes_for_span(layout, start, end)
    pages = {p["n"]: p for p in layout["pages"]}
    for number, page_boxes in boxes.items():
        page = pages[number]
        for left, top, right, bottom in page_boxes:
            assert 0 <= left <= right <= page["w"] and 0 <= top <= bottom <= page["h"]
    # an empty span covers no word, even one that straddles its position (a == b)
    hit = {p["n"] for p in layout["pages"] for s, e, *_ in p["words"] if s < end and e > start and end > start}
    assert set(boxes) == hit  # a page gets a box exactly when one of its words is in the span


def test_a_line_of_words_becomes_one_box_and_the_next_line_another():
    words = [ocr.OcrWord(t, 100 + 60 * i, 200, 50, 40, 95.0) for i, t in enumerate(["甲", "は", "乙"])]
    below = [ocr.OcrWord("に", 100, 260, 50, 40, 95.0)]
    wide = [ocr.OcrWord("本契約の条件を定める。", 100, 320, 800, 40, 95.0)]  # the text's right edge: 900
    lines = [ocr.OcrLine("甲は乙", words, 1), ocr.OcrLine("に", below, 1), ocr.OcrLine(wide[0].text, wide, 1)]
    page = ocr.OcrPage(1, 1000, 1400, lines)
    layout = ocr.OcrResult([page]).layout()
    assert ocr.OcrResult([page]).text == "甲は乙\nに\n本契約の条件を定める。"  # short lines: not wrapped
    assert ocr_layout.boxes_for_span(layout, 0, 5) == {1: [(100, 200, 270, 240), (100, 260, 150, 300)]}
    assert ocr_layout.boxes_for_span(layout, 1, 2) == {1: [(160, 200, 210, 240)]}
    assert ocr_layout.boxes_for_span(layout, 3, 4) == {}  # the line break is no word


def _red(png: bytes) -> int:
    with Image.open(io.BytesIO(png)) as im:
        rgb = np.asarray(im.convert("RGB")).astype(int)
    # the box colour exactly: the fixture's red seal, scanned and compressed, never matches it
    return int((rgb == ocr_layout.BOX_COLOUR).all(axis=-1).sum())


def test_render_page_draws_the_boxes_on_an_uploaded_image():
    page_image = Image.new("RGB", (800, 1100), "white")
    ImageDraw.Draw(page_image).text((100, 200), "Supplier shall deliver", fill="black")
    buf = io.BytesIO()
    page_image.save(buf, "PNG")
    page = {"n": 1, "w": 800, "h": 1100, "turn": 0, "deskew": 0.0, "frame": 0, "words": []}
    plain = ocr_layout.render_page(buf.getvalue(), "scan.png", page, [])
    boxed = ocr_layout.render_page(buf.getvalue(), "scan.png", page, [(100, 200, 300, 215)])
    assert _red(plain) == 0 and _red(boxed) > 400  # the rectangle's outline, three pixels wide
    with Image.open(io.BytesIO(boxed)) as im:
        assert im.size == (800, 1100)


@pytest.mark.slow
@needs_ocr
def test_a_sentence_of_a_scanned_pdf_is_boxed_where_it_is_printed():
    text = "業務委託契約書\n\n第1条(目的)\n本契約は、甲が乙に委託する業務の条件を定める。\n\n第2条(秘密保持)\n乙は、甲の秘密情報を第三者に開示してはならない。"
    pdf = to_pdf(render_pages(text, FONT))
    result = ocr.ocr_pdf(pdf, "scan.pdf")
    layout = result.layout()
    assert abs(result.pages[0].deskew) >= 1.0  # the fixture is turned 1-2°; the page was set straight
    at = result.text.find("第三者")
    assert at >= 0, result.text
    boxes = ocr_layout.boxes_for_span(layout, at, at + 3)
    assert list(boxes) == [1] and len(boxes[1]) == 1
    left, top, right, bottom = boxes[1][0]
    # the text block starts 0.9 in from the left at 300 dpi: the box sits in the text, not the margin
    assert left > 200 and top > 200 and right < layout["pages"][0]["w"] - 200
    assert _red(ocr_layout.render_page(pdf, "scan.pdf", layout["pages"][0], boxes[1])) > 100


@pytest.fixture
def scanned_review(db, owner, org):
    from chizai.core import jobs
    from chizai.review import services

    text = (
        "秘密保持契約書\n\n第1条(秘密保持)\n乙は、甲の秘密情報を、甲の事前の書面による承諾なく第三者に開示してはならない。\n\n"
        "第2条(損害賠償)\n乙は、本契約に違反して甲に損害を与えた場合、一切の損害を賠償する。"
    )
    pdf = to_pdf(render_pages(text, FONT))
    review = services.submit_review(owner, org, filename="scan.pdf", data=pdf, sme="乙")
    assert jobs.execute(review.job_id) == "succeeded"
    review.refresh_from_db()
    assert review.status == "done", review.error
    return review


@pytest.mark.slow
@needs_ocr
def test_the_report_links_a_finding_to_its_page_and_the_page_follows_the_review_access(
    client, owner, org, scanned_review
):
    from django.urls import reverse

    from chizai.core.tests.factories import MembershipFactory, OrganizationFactory, UserFactory

    review = scanned_review
    assert review.layout and review.layout["pages"][0]["words"]
    assert bytes(review.layout_sealed) and b"words" not in bytes(review.layout_sealed)  # sealed at rest
    client.force_login(owner)
    detail = client.get(reverse("review_detail", args=[org.slug, review.pk]))
    index = next(iter(sorted(detail.context["on_page"])))
    link = reverse("review_finding_page", args=[org.slug, review.pk, index])
    assert link.encode() in detail.content
    page = client.get(link)
    assert page.status_code == 200 and page.context["pages"] == [1]
    image_url = reverse("review_finding_page_image", args=[org.slug, review.pk, index, 1])
    assert image_url.encode() in page.content
    before = AuditEvent.objects.filter(action="review.view").count()
    image = client.get(image_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert "no-store" in image["Cache-Control"]
    assert _red(image.content) > 100
    assert AuditEvent.objects.filter(action="review.view").count() == before + 1
    assert client.get(reverse("review_finding_page_image", args=[org.slug, review.pk, index, 2])).status_code == 404
    # another organisation's member sees neither the page nor the image
    rival = MembershipFactory(organization=OrganizationFactory(slug="rival"), role="owner", user=UserFactory()).user
    client.force_login(rival)
    assert client.get(link).status_code == 404
    assert client.get(image_url).status_code == 404
    # a viewer of the organisation may see the page as they may see the review
    viewer = MembershipFactory(organization=org, role="viewer", user=UserFactory()).user
    client.force_login(viewer)
    assert client.get(image_url).status_code == 200


def test_the_progress_note_is_shown_in_the_readers_language():
    from django.utils import translation

    from chizai.review.input_errors import progress_text

    with translation.override("ja"):
        assert progress_text("OCR: page 2 of 5") == "スキャンの読み取り: 2 / 5 ページ"
        assert progress_text("checking the clauses") == "条項を確認しています"
        assert progress_text("something new") == "something new"  # an unknown note is shown as written
    with translation.override("en"):
        assert progress_text("OCR: page 2 of 5") == "Reading the scan: page 2 of 5"
