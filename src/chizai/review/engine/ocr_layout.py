"""Where OCR'd text sits on the page: character offsets → word boxes → a page image with a box.

Pure library, no Django. ``ocr.OcrResult.layout()`` gives, for every page, the words' boxes
with their character offsets into the extracted text, and how the page image was turned
before reading (OSD's quarter turns, then the deskew angle). This module answers which boxes
a span of the text covers (``boxes_for_span``) and draws them on the page, rasterised again
from the uploaded file at screen resolution with the same turns (``render_page``), so that
nothing but the original scan is kept.
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile

from .document import ReviewInputError

# One stored word: [start, end, left, top, width, height] (offsets into the extracted text,
# pixels of the page image as OCR read it, after its turn and deskew).
Box = tuple[int, int, int, int]  # left, top, right, bottom
SCREEN_WIDTH = 1000  # pixels of the image sent to the browser
RENDER_DPI = 120  # enough for SCREEN_WIDTH on A4 (8.27 in × 120 = 992 px)
BOX_COLOUR = (220, 30, 30)


def page_of(layout: dict, offset: int) -> int | None:
    """The number of the page whose words cover ``offset`` (the nearest before it)."""
    best = None
    for page in layout.get("pages", []):
        words = page.get("words") or []
        if words and words[0][0] <= offset:
            best = page["n"]
    return best


def boxes_for_span(layout: dict, start: int, end: int) -> dict[int, list[Box]]:
    """The boxes, per page number, of the words overlapping ``[start, end)``; the words of one
    line are merged into one box so a sentence is outlined line by line."""
    out: dict[int, list[Box]] = {}
    if end <= start:
        return out
    for page in layout.get("pages", []):
        lines: list[list[int]] = []
        for s, e, left, top, width, height in page.get("words") or []:
            if e <= start or s >= end:
                continue
            right, bottom = left + width, top + height
            last = lines[-1] if lines else None
            # the same line: vertical overlap of at least half the smaller height, to the right
            if (
                last is not None
                and min(last[3], bottom) - max(last[1], top) >= 0.5 * min(last[3] - last[1], height)
                and left >= last[0]
            ):
                last[1], last[2], last[3] = min(last[1], top), max(last[2], right), max(last[3], bottom)
            else:
                lines.append([left, top, right, bottom])
        if lines:
            w, h = page["w"], page["h"]
            out[page["n"]] = [
                (max(0, lx), max(0, ty), min(w, rx), min(h, by))
                for lx, ty, rx, by in lines
                if rx > 0 and by > 0 and lx < w and ty < h
            ]
    return out


def _rasterise(source: bytes, page: dict, name: str):
    """The page as a Pillow RGB image at screen resolution, before any turn."""
    from PIL import Image, ImageOps

    if page.get("frame") is None:  # a PDF page
        with tempfile.TemporaryDirectory(prefix="chizai-page-") as tmp:
            src, out = os.path.join(tmp, "in.pdf"), os.path.join(tmp, "page")
            with open(src, "wb") as fh:
                fh.write(source)
            n = str(page["n"])
            args = ["pdftoppm", "-r", str(RENDER_DPI), "-png", "-singlefile", "-f", n, "-l", n, src, out]
            try:
                subprocess.run(args, capture_output=True, timeout=60, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ReviewInputError("broken_pdf", f"{name}: page {n} could not be rendered.") from exc
            if not os.path.exists(out + ".png"):
                raise ReviewInputError("broken_pdf", f"{name}: page {n} could not be rendered.")
            with Image.open(out + ".png") as im:
                return im.convert("RGB")
    with Image.open(io.BytesIO(source)) as im:
        im.seek(page["frame"])
        return ImageOps.exif_transpose(im).convert("RGB")


def render_page(source: bytes, name: str, page: dict, boxes: list[Box], *, width: int = SCREEN_WIDTH) -> bytes:
    """A PNG of ``page`` of the uploaded ``source`` with ``boxes`` (OCR pixel coordinates) drawn."""
    from PIL import Image, ImageDraw

    im = _rasterise(source, page, name)
    if page.get("turn"):
        im = im.rotate(-page["turn"], expand=True)  # the same clockwise quarter turn OCR made
    if page.get("deskew"):
        im = im.rotate(page["deskew"], resample=Image.Resampling.BICUBIC, fillcolor="white")
    scale = min(1.0, width / page["w"])
    size = (max(1, round(page["w"] * scale)), max(1, round(page["h"] * scale)))
    im = im.resize(size, Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(im)
    pad = 3
    for left, top, right, bottom in boxes:
        draw.rectangle(
            (left * scale - pad, top * scale - pad, right * scale + pad, bottom * scale + pad),
            outline=BOX_COLOUR,
            width=3,
        )
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue()
