"""Scanned-contract fixtures for the OCR tests and bench: text → page images → PDF.

A contract text is typeset with Noto CJK at 200 dpi on A4, then made to look scanned: a
1–2° skew, speckle noise and a red company seal (角印/丸印) stamped over the text, as the
documents SMEs receive. The accuracy measure is a character edit distance on the text
with whitespace removed (OCR line breaks and spacing are not what a review reads).
"""

from __future__ import annotations

import io
import random
import re
import subprocess
import unicodedata

DPI = 200
A4 = (int(8.27 * DPI), int(11.69 * DPI))


def noto_cjk_font() -> str | None:
    """The path of Noto Sans CJK (fonts-noto-cjk), or None when it is not installed."""
    try:
        out = subprocess.run(["fc-list", ":lang=ja", "file"], capture_output=True, timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    paths = sorted({line.split(":")[0].strip() for line in out.decode("utf-8", "replace").splitlines()})
    for want in ("NotoSansCJK-Regular", "NotoSerifCJK-Regular", "NotoSansCJK", "NotoSerifCJK"):
        for path in paths:
            if want in path:
                return path
    return None


def _wrap(line: str, font, width: int) -> list[str]:
    if font.getlength(line) <= width:
        return [line]
    out: list[str] = []
    cur = ""
    # Japanese wraps at any character, English at spaces.
    tokens = re.findall(r"\S+\s*|\s+", line) if line.isascii() else list(line)
    for tok in tokens:
        if cur and font.getlength(cur + tok) > width:
            out.append(cur.rstrip())
            cur = tok.lstrip()
        else:
            cur += tok
    if cur.strip():
        out.append(cur.rstrip())
    return out


def render_pages(text: str, font_path: str, *, max_pages: int | None = None, seed: int = 1) -> list:
    """Typeset ``text`` and return scanned-looking page images (PIL, RGB)."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    size = int(10.5 / 72 * DPI)  # 10.5 pt, the usual contract body size
    font = ImageFont.truetype(font_path, size, index=0)
    margin = int(0.9 * DPI)
    width = A4[0] - 2 * margin
    leading = int(size * 1.7)
    lines: list[str] = []
    for para in text.splitlines():
        lines.extend(_wrap(para, font, width) if para.strip() else [""])
    per_page = (A4[1] - 2 * margin) // leading
    pages: list = []
    for start in range(0, len(lines), per_page):
        if max_pages is not None and len(pages) >= max_pages:
            break
        page = Image.new("RGB", A4, "white")
        draw = ImageDraw.Draw(page)
        chunk = lines[start : start + per_page]
        for i, line in enumerate(chunk):
            draw.text((margin, margin + i * leading), line, font=font, fill=(20, 20, 20))
        pages.append(_scanned(_seal(page, rng, margin, leading, len(chunk)), rng))
    return pages


SEAL_RED = (210, 40, 40)


def _seal(page, rng: random.Random, margin: int, leading: int, nlines: int):
    """A red seal over a few lines of text, as a 押印 on the signature block or a 割印.

    Stamped ink is translucent over toner: where a ring crosses a letter the letter stays dark
    (black under red is black), which is what a scanner sees. The seal is drawn on a white
    layer and multiplied into the page, so each channel is darkened by the red's own value:
    text under a ring stays dark in every channel, paper under it turns red.
    """
    from PIL import Image, ImageChops, ImageDraw

    r = int(0.3 * DPI)
    cx = A4[0] - margin - r - rng.randint(0, 3 * r)
    cy = margin + leading * max(1, rng.randint(0, max(1, nlines - 3))) + r
    layer = Image.new("RGB", page.size, "white")
    draw = ImageDraw.Draw(layer)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=SEAL_RED, width=6)
    draw.ellipse((cx - r + 14, cy - r + 14, cx + r - 14, cy + r - 14), outline=SEAL_RED, width=3)
    draw.line((cx - r + 14, cy, cx + r - 14, cy), fill=SEAL_RED, width=3)
    return ImageChops.multiply(page, layer)


def _scanned(page, rng: random.Random):
    """Turned 1–2° either way and speckled, as every fixture page is."""
    from PIL import Image

    page = page.rotate(
        rng.choice((-1, 1)) * rng.uniform(1.0, 2.0), fillcolor="white", resample=Image.Resampling.BICUBIC
    )
    return _noise(page, rng)


def render_two_columns(
    text: str, font_path: str, *, gutter: float = 0.12, max_pages: int | None = None, seed: int = 1
) -> tuple[list, str]:
    """Typeset ``text`` in two columns ``gutter`` inches apart (a dense 約款 page sets them a few
    millimetres apart) and return the scanned-looking pages and the text as typeset, line by line
    and column by column (what a reader reads, in order)."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    size = int(10 / 72 * DPI)
    font = ImageFont.truetype(font_path, size, index=0)
    margin = int(0.8 * DPI)
    gap = int(gutter * DPI)
    column = (A4[0] - 2 * margin - gap) // 2
    leading = int(size * 1.6)
    lines: list[str] = []
    for para in text.splitlines():
        lines.extend(_wrap(para, font, column) if para.strip() else [""])
    per_column = (A4[1] - 2 * margin) // leading
    pages: list = []
    read: list[str] = []
    for start in range(0, len(lines), 2 * per_column):
        if max_pages is not None and len(pages) >= max_pages:
            break
        page = Image.new("RGB", A4, "white")
        draw = ImageDraw.Draw(page)
        for side in range(2):
            chunk = lines[start + side * per_column : start + (side + 1) * per_column]
            read.extend(chunk)
            for i, line in enumerate(chunk):
                draw.text((margin + side * (column + gap), margin + i * leading), line, font=font, fill=(20, 20, 20))
        pages.append(_scanned(_seal(page, rng, margin, leading, per_column), rng))
    return pages, "\n".join(read)


# A contract's cover set vertically: the title, then the parties and the date, in columns read
# from the right. Pillow sets them top to bottom with the vertical glyph forms (raqm).
COVER = (
    "取引基本契約書",
    "株式会社山田製作所(以下「甲」という。)",
    "有限会社佐藤工業(以下「乙」という。)",
    "令和六年四月一日締結",
)


def render_vertical_cover(font_path: str, columns: tuple[str, ...] = COVER, *, seed: int = 1):
    """A 縦書き cover page: the first column large (the title), the rest at body size."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    page = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(page)
    x = A4[0] - int(1.5 * DPI)
    for i, line in enumerate(columns):
        font = ImageFont.truetype(font_path, int((24 if i == 0 else 12) / 72 * DPI), index=0)
        draw.text((x, int(1.5 * DPI)), line, font=font, fill=(20, 20, 20), direction="ttb")
        x -= int(font.size * 2.2)
    return _scanned(page, rng)


def _noise(page, rng: random.Random):
    """Speckle: scattered grey dots like a photocopier's, a few per square centimetre."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(page)
    w, h = page.size
    for _ in range(w * h // 2500):
        x, y = rng.randrange(w), rng.randrange(h)
        g = rng.randint(90, 200)
        draw.point((x, y), fill=(g, g, g))
    return page


def to_pdf(pages: list) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return buf.getvalue()


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def char_accuracy(source: str, ocr: str) -> float:
    """1 − edit distance / source length, on NFKC text without whitespace."""
    s, o = _norm(source), _norm(ocr)
    if not s:
        return 1.0 if not o else 0.0
    return max(0.0, 1.0 - levenshtein(s, o) / len(s))


def visible_text(text: str, font_path: str, max_pages: int) -> str:
    """The part of ``text`` that fits on ``max_pages`` rendered pages (what the OCR can see)."""
    from PIL import ImageFont

    size = int(10.5 / 72 * DPI)
    font = ImageFont.truetype(font_path, size, index=0)
    width = A4[0] - 2 * int(0.9 * DPI)
    lines: list[str] = []
    for para in text.splitlines():
        lines.extend(_wrap(para, font, width) if para.strip() else [""])
    per_page = (A4[1] - 2 * int(0.9 * DPI)) // int(size * 1.7)
    return "\n".join(lines[: per_page * max_pages])
