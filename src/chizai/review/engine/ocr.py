"""OCR of scanned PDFs and photographed contracts (Tesseract, Japanese + English).

Pure library, no Django. Each page is rasterised in colour (poppler's ``pdftoppm`` for PDFs,
Pillow for images) and cleaned before Tesseract sees it: a red or blue seal stamped over the
text is lifted out by taking the brightest colour channel (ink is dark in every channel, a
red seal is bright in the red one), the orientation is found with Tesseract's OSD and turned
upright, the remaining skew of a page fed crooked through the scanner is measured on the
text lines' projection profile and rotated away; then the page is read once by
``tesseract … tsv``: the TSV gives every word with its box and confidence, which is what a
report needs to show where on the page a clause sits (``OcrResult.layout``, ``ocr_layout.py``). Tesseract is called directly rather
than through OCRmyPDF: OCRmyPDF's product is a PDF with a text layer that would have to be
read back for the words and their positions, and it took longer per page (docs/benchmarks.md).

Every failure becomes a ``ReviewInputError`` with a stable code; no subprocess error leaks.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from statistics import fmean

from .document import ReviewInputError

# The binaries are module attributes so a deployment (and the tests) can point elsewhere.
TESSERACT = "tesseract"
PDFTOPPM = "pdftoppm"
APT_COMMAND = "sudo apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert tesseract-ocr-eng"
LANGS = ("jpn", "eng")
MAX_PAGES = 300
# Pillow's own decompression-bomb limit (about 89 million pixels): a contract page at
# 300 dpi is 8.7 million, so anything near the limit is not a page.
MAX_PIXELS = 89_478_485
DPI = 300
PAGE_TIMEOUT = 120  # seconds for one page (OSD + recognition)
LOW_CONFIDENCE = 60.0  # mean word confidence (0-100) below which a page is named in the warnings

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}

Progress = Callable[[int, int], None]
_progress: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("chizai_ocr_progress", default=None)


@contextlib.contextmanager
def reporting(callback: Progress | None) -> Iterator[None]:
    """Send ``callback(page, pages)`` for every OCR'd page read inside the block.

    A context variable rather than a parameter so that the progress reaches the OCR
    through ``load_document`` → ``extract_text`` without every layer passing it on.
    """
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


@dataclass
class OcrWord:
    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float


@dataclass
class OcrLine:
    text: str
    words: list[OcrWord]
    block: int
    region: int = 0  # the column (or full-width band) of the page it was read in; see text_regions

    @property
    def vertical(self) -> bool:
        """A line of 縦書き: its words stand in a column far taller than it is wide."""
        if len(self.text) < 2 or not self.words:
            return False
        left = min(w.left for w in self.words)
        right = max(w.left + w.width for w in self.words)
        top = min(w.top for w in self.words)
        bottom = max(w.top + w.height for w in self.words)
        return bottom - top > 2 * (right - left)


@dataclass
class OcrPage:
    number: int
    width: int
    height: int
    lines: list[OcrLine] = field(default_factory=list)
    confidence: float = 0.0
    rotated: int = 0  # degrees the page was turned (clockwise) before reading
    deskew: float = 0.0  # then turned by this many degrees (counter-clockwise, Pillow's sense)
    frame: int | None = None  # the frame of an image file; None for a PDF page

    @property
    def text(self) -> str:
        return _page_text(self)[0]

    @property
    def words(self) -> list[OcrWord]:
        return [w for line in self.lines for w in line.words]


@dataclass
class OcrResult:
    pages: list[OcrPage]
    warnings: list[str] = field(default_factory=list)
    name: str = "document"

    @property
    def text(self) -> str:
        return "".join(sep + p.text for sep, p in zip(_page_breaks(self.pages), self.pages, strict=True))

    def layout(self) -> dict:
        """Every page's words with their offsets into ``text`` and their boxes, and how the page
        image was turned before reading: what ``ocr_layout`` needs to draw a span on the page.
        Words are lists ``[start, end, left, top, width, height]`` to keep the stored JSON small."""
        pages = []
        base = 0
        for sep, page in zip(_page_breaks(self.pages), self.pages, strict=True):
            base += len(sep)
            text, spans = _page_text(page)
            words = [[base + s, base + e, w.left, w.top, w.width, w.height] for s, e, w in spans]
            pages.append(
                {
                    "n": page.number,
                    "w": page.width,
                    "h": page.height,
                    "turn": page.rotated,
                    "deskew": page.deskew,
                    "frame": page.frame,
                    "confidence": page.confidence,
                    "words": words,
                }
            )
            base += len(text)
        return {"version": 1, "pages": pages}


# A line that starts like this begins a new paragraph or item even when the line above ran
# to the margin: 第5条, 2 / 2., (1), (a), ①, 一、, Article / Section, a bullet.
_STARTS_ITEM = re.compile(
    r"^(第[0-9一二三四五六七八九十百]+条|[0-9]+(?:\.[0-9]+)*[.)]?(?![0-9,])|[((][0-9a-zA-Zア-ン一-十]{1,3}[))]"
    r"|[①-⑳]|[一二三四五六七八九十]+[、.]|(?:Article|Section|ARTICLE|SECTION)\b|[・•●\-*])"
)
_WRAP_MARGIN = 0.045  # a line ending within 4.5 % of its column's width from the edge ran on to the next


def _line_span(line: OcrLine) -> tuple[int, int]:
    """Where the line starts and stops: left and right, or top and bottom for vertical text."""
    if line.vertical:
        return min(w.top for w in line.words), max(w.top + w.height for w in line.words)
    return min(w.left for w in line.words), max(w.left + w.width for w in line.words)


def _text_edges(page: OcrPage) -> dict[tuple[int, bool], tuple[int, int]]:
    """The extent of the text per region and direction: the margins of each column (or the
    head and foot of vertical lines). A column's lines end at the gutter, not at the page's right
    edge, so one edge for the whole page left every line of a left column unjoined."""
    edges: dict[tuple[int, bool], tuple[int, int]] = {}
    for line in page.lines:
        key = (line.region, line.vertical)
        start, end = _line_span(line)
        if key in edges:
            start, end = min(start, edges[key][0]), max(end, edges[key][1])
        edges[key] = (start, end)
    return edges


def _runs_on(
    line: OcrLine, following: OcrLine, edges: dict[tuple[int, bool], tuple[int, int]], page_lines: list[OcrLine]
) -> bool:
    """The printer wrapped ``line`` into ``following``: it reaches the edge of its column's text,
    or the first word of the next line (one character in Japanese, which wraps anywhere) would
    not have fitted in the room left on it. English is set ragged: a line ending a short word
    before the margin ran on all the same."""
    start, end = edges[(line.region, line.vertical)]
    stop = _line_span(line)[1]
    if line.vertical != following.vertical or not following.words:
        return False
    full = stop >= end - (end - start) * _WRAP_MARGIN
    if line.vertical:
        # a cover page's columns (title, parties, date) are not a paragraph: the longest of them
        # reaches the foot by itself; a page of vertical text has many columns that do
        lines = [other for other in page_lines if other.region == line.region and other.vertical]
        return full and sum(_line_span(other)[1] >= end - (end - start) * _WRAP_MARGIN for other in lines) >= 3
    if full:
        return True
    first = following.words[0]
    cjk = re.match(f"[{_CJK}]", first.text)
    # one character, or the word and the space before it
    need = first.width / max(1, len(first.text)) if cjk else first.width + 0.25 * first.height
    return stop + need > end


# A line ending on the word of a cross-reference goes on with its number: 「Section\n3.2.」 is
# not the start of section 3.2.
_REFERENCE_END = re.compile(r"\b(?:Sections?|Articles?|Clauses?|Schedules?|paragraphs?|and|or|to|of)$", re.I)


def _starts_item(previous: str, line: str) -> bool:
    return bool(_STARTS_ITEM.match(line)) and not _REFERENCE_END.search(previous)


def _page_breaks(pages: list[OcrPage]) -> list[str]:
    """What goes before each page's text: a blank line, or, when the last line of the page before
    ran to its margin and this page does not open on a new item, the join of a wrapped line. A
    paragraph carried over the page break is one paragraph (a clause number cut off from the
    rest of its clause left the rest unnumbered)."""
    out: list[str] = []
    for i, page in enumerate(pages):
        if i == 0:
            out.append("")
            continue
        before = pages[i - 1]
        last = before.lines[-1] if before.lines else None
        first = page.lines[0] if page.lines else None
        if (
            last is not None
            and first is not None
            and not last.vertical
            and not first.vertical
            and _runs_on(last, first, _text_edges(before), before.lines)
            and not _starts_item(last.text, first.text)
        ):
            out.append(_joiner(last.text, first.text))
        else:
            out.append("\n\n")
    return out


def _joiner(previous: str, line: str) -> str:
    """What goes between a wrapped line and its continuation: nothing in Japanese, a space in English."""
    cjk = re.compile(f"[{_CJK}]")
    return "" if cjk.match(line[:1]) or cjk.match(previous[-1:]) or previous.endswith("-") else " "


def _page_text(page: OcrPage) -> tuple[str, list[tuple[int, int, OcrWord]]]:
    """The page's text and each word's span in it. One function for both, so the offsets in the
    stored layout cannot drift from the text the review read.

    Lines come in Tesseract's reading order, a blank line between its blocks to keep paragraphs
    apart. A line that ran to the right edge of the text continues on the next one: the two are
    joined (the wrap is the printer's, not the author's), unless the next line starts a new item.
    A paragraph cut by the wrap (「以下「乙」という\n。)」) hides the parties and the clause
    numbers from the reader.
    """
    edges = _text_edges(page)
    parts: list[str] = []
    spans: list[tuple[int, int, OcrWord]] = []
    pos = 0
    previous: OcrLine | None = None
    for line in page.lines:
        if previous is None:
            sep = ""
        elif line.block != previous.block or line.region != previous.region:
            sep = "\n\n"
        elif _runs_on(previous, line, edges, page.lines) and not _starts_item(previous.text, line.text):
            sep = _joiner(previous.text, line.text)
        else:
            sep = "\n"
        parts.append(sep)
        pos += len(sep)
        cursor = 0
        for word in line.words:  # join_words only drops spaces, so each word is found in order
            at = line.text.find(word.text, cursor)
            if at >= 0:
                spans.append((pos + at, pos + at + len(word.text), word))
                cursor = at + len(word.text)
        parts.append(line.text)
        pos += len(line.text)
        previous = line
    return "".join(parts), spans


# ---------------------------------------------------------------------------- availability


# One page on one core: Tesseract's OpenMP threads slow it down on a shared machine (a page took
# 33 s with them and 10 s without under load); the worker reads pages one after another.
def _run(args: list[str], timeout: float, name: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        return subprocess.run(args, capture_output=True, timeout=timeout, check=False, env=env)
    except FileNotFoundError as exc:
        raise ReviewInputError(
            "ocr_unavailable",
            f"{name}: this looks like a scanned document, and OCR is not installed on this server. "
            f"An administrator can install it with: {APT_COMMAND}",
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise ReviewInputError(
            "ocr_timeout", f"{name}: reading a page took longer than {timeout:.0f} seconds; the scan was not read."
        ) from exc


def missing() -> str | None:
    """Why OCR cannot run here (None when it can): no Tesseract, or a language pack absent."""
    if shutil.which(TESSERACT) is None:
        return f"Tesseract is not installed; install it with: {APT_COMMAND}"
    try:
        out = subprocess.run([TESSERACT, "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Tesseract does not run ({type(exc).__name__}); reinstall it with: {APT_COMMAND}"
    langs = set((out.stdout + out.stderr).decode("utf-8", "replace").split())
    lacking = [lang for lang in (*LANGS, "osd") if lang not in langs]
    if lacking:
        return f"the Tesseract language packs {', '.join(lacking)} are not installed; install them with: {APT_COMMAND}"
    return None


def available() -> bool:
    return missing() is None


def check(name: str) -> None:
    """Raise the clear message when OCR cannot run, before any page is read."""
    if shutil.which(TESSERACT) is None:
        _run([TESSERACT, "--version"], 30, name)  # raises ocr_unavailable with the apt command
    reason = missing()
    if reason:
        raise ReviewInputError("ocr_language_missing", f"{name}: this looks like a scanned document, but {reason}.")


# ---------------------------------------------------------------------------- one page

_CJK = r"\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# Tesseract's jpn model puts a space between the characters of a Japanese line; a space
# between two CJK characters (or CJK and full-width punctuation) is never meant.
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
# 「第 1 条」「3 ヶ月」: Tesseract also spaces digits off from the kanji around them.
_CJK_DIGIT = re.compile(rf"(?<=[{_CJK}])\s+(?=[0-9])|(?<=[0-9])\s+(?=[{_CJK}])")


# Control characters are dropped from words here, not later by extract.clean_text, so the
# word offsets in OcrResult.layout() stay those of the text the review reads.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


# 「(以下「乙」という。 )」「費用 )」: Tesseract reads the full-width brackets as ASCII ones and
# spaces them off; a space between Japanese and a bracket or punctuation mark is never meant,
# and it keeps the party definitions from being recognised.
_PUNCT = r"()\[\]{},.:;!?"
_CJK_PUNCT = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_PUNCT}])|(?<=[{_PUNCT}])\s+(?=[{_CJK}])")


def join_words(words: list[str]) -> str:
    text = " ".join(words)
    for pattern in (_CJK_SPACE, _CJK_DIGIT, _CJK_PUNCT, _CJK_PUNCT):  # twice: 「。 ) は」 has two gaps
        text = pattern.sub("", text)
    return text.strip()


def _osd(path: str, name: str) -> tuple[int, str]:
    """The clockwise turn Tesseract's OSD asks for (0 when unsure) and the script it saw.

    A 300-dpi page is read by OSD at half size: orientation and script need no fine detail,
    and it then costs a fraction of the recognition. Smaller images are read as they are
    (at 100 dpi OSD took English for Tamil and missed a 90° turn).
    """
    from PIL import Image

    small = path + ".osd.png"
    with Image.open(path) as im:
        if min(im.size) < 2400:
            small = path
        else:
            im.reduce(2).save(small)
    res = _run([TESSERACT, small, "stdout", "--psm", "0", "-l", "osd"], PAGE_TIMEOUT, name)
    if small != path:
        os.unlink(small)
    out = res.stdout.decode("utf-8", "replace")
    rotate = re.search(r"Rotate:\s*(\d+)", out)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
    script = re.search(r"Script:\s*(\w+)", out)
    turn = int(rotate.group(1)) % 360 if rotate and conf and float(conf.group(1)) >= 2.0 else 0
    return turn, script.group(1) if script else ""


# A speck or the edge of a stamp read as a "word" of one or two marks that are no text (「~_」
# at the end of a line, 「\\」, 「}」): dropped. A signature line's underscores are longer.
_JUNK = re.compile(r"^[~_|\\{}^`¬]{1,2}$")


def _parse_tsv(tsv: str) -> tuple[list[OcrLine], list[float]]:
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    confs: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        text = _CONTROL.sub("", row.get("text") or "").strip()
        conf = float(row.get("conf") or -1)
        if not text or conf < 0 or _JUNK.match(text):
            continue
        word = OcrWord(text, int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]), conf)
        lines.setdefault((int(row["block_num"]), int(row["par_num"]), int(row["line_num"])), []).append(word)
        confs.extend([conf] * len(text))  # weighted by characters: one bad kanji weighs as much as one letter
    # Tesseract numbers blocks, paragraphs and lines in its reading order; dict order keeps it.
    out = [OcrLine(join_words([w.text for w in ws]), ws, key[0]) for key, ws in lines.items()]
    return [line for line in out if line.text], confs


# Grey at least this light is paper: a stamp's red (210, 40, 40) becomes 210 in the brightest
# channel, pale but still a ring that Tesseract reads as strokes between the words it crosses
# ("an exclusive" → "arr éxclusive"). Text stays far darker, its anti-aliased edges included.
PAPER = 170


def ink(image):
    """The page in grey with coloured marks lifted out: each pixel's brightest channel, and
    what is then nearly white made white.

    Text is dark in every channel; a red seal (赤の角印・丸印) is bright in the red one and a
    blue stamp in the blue one, so they turn pale while the text they cover stays black
    where it shows through (stamp ink over toner stays dark). Tesseract's own binarisation
    otherwise keeps a seal's rings as dark strokes, reads them as characters and breaks the
    lines under them into garbage; the pale remainder is cleared to paper (``PAPER``).
    """
    from PIL import ImageChops

    if image.mode == "L":
        grey = image
    else:
        r, g, b = image.convert("RGB").split()
        grey = ImageChops.lighter(ImageChops.lighter(r, g), b)
    return grey.point(lambda v: 255 if v >= PAPER else v)


MAX_SKEW = 5.0  # degrees; a page fed further off than this is a photo for the user to retake


def skew_angle(gray, *, vertical: bool = False) -> float:
    """The angle (degrees, Pillow's counter-clockwise sense) that makes the text lines level
    (or, for vertical text, its columns upright).

    The projection-profile method: rotated by the right angle, the rows of a text page
    alternate sharply between ink (lines) and paper (leading), so the squared difference of
    neighbouring row sums peaks. Searched coarse (¼°) then fine (0.05°) on a copy about
    800 pixels wide; about 0.1 s a page. 0 when the page has too little text to tell.
    """
    import numpy as np  # only the OCR worker needs numpy here; the engine's import stays light
    from PIL import Image

    small = gray.reduce(max(1, gray.width // 800))
    ink_mask = small.point(lambda v: 255 if v < 140 else 0)
    if not ink_mask.getbbox():
        return 0.0

    def score(angle: float) -> float:
        turned = ink_mask.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)
        rows = np.asarray(turned, dtype=np.float32).sum(axis=0 if vertical else 1)
        return float(np.square(np.diff(rows)).sum())

    base = score(0.0)
    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25), key=score)
    best = float(max(np.arange(coarse - 0.25, coarse + 0.25 + 1e-9, 0.05), key=score))
    # a flat profile (a photo, a drawing) gives a maximum by chance: keep the page as it is
    return round(best, 2) if score(best) > base * 1.05 else 0.0


# A page of two columns: Tesseract's own layout analysis finds a wide gutter, but a narrow one
# (a few millimetres, as in a dense 約款 or a bilingual page) it reads straight across, so that
# each line of the text is half of one column and half of the other. The page is cut into its
# regions here instead, by the white strip between the columns in the ink profile, and the
# regions are read in order: full-width bands (a title, a footer) and, between them, the left
# column then the right one.
GUTTER_MIN = 0.01  # of the page width: the narrowest strip of paper that separates two columns
GUTTER_CROSS = 0.3  # share of the text's rows that may run across the strip (titles, a footer)


def _runs(flags) -> list[tuple[int, int]]:
    """The [start, end) runs of True in a sequence of booleans."""
    out: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate(flags):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(flags)))
    return out


def text_regions(gray) -> list[tuple[int, int, int, int]]:
    """The regions (left, top, right, bottom) of a two-column page in reading order; [] for a
    page of one column.

    The page's ink rows form bands (lines, or the two columns' lines merged). A gutter is a
    run of pixel columns in the middle of the text, at least ``GUTTER_MIN`` of the page wide,
    that the bands cross in fewer than ``GUTTER_CROSS`` of their rows; the bands whose ink
    spans it are read across the page, the others as a left and a right column. Most of the
    others must carry ink on both sides of the gutter: a page of short lines (a list, a
    signature block under the text) has a white right half, not two columns.
    """
    import numpy as np

    k = max(1, gray.width // 800)
    mask = np.asarray(gray.reduce(k)) < 140
    row_ink = mask.sum(axis=1) >= 2  # two pixels: a lone speck is not a line
    col_ink = np.flatnonzero(mask.sum(axis=0) >= 2)
    bands = _runs(row_ink)
    if len(bands) < 3 or len(col_ink) < 10:
        return []
    x0, x1 = int(col_ink[0]), int(col_ink[-1]) + 1
    occupied = [np.asarray(mask[a:b].any(axis=0)) for a, b in bands]
    heights = np.array([b - a for a, b in bands], dtype=np.float32)
    cross = np.zeros(mask.shape[1], dtype=np.float32)
    for occ, h in zip(occupied, heights, strict=True):
        cross += occ * h
    lo, hi = x0 + (x1 - x0) // 5, x1 - (x1 - x0) // 5
    candidates = [(a + lo, b + lo) for a, b in _runs(cross[lo:hi] <= GUTTER_CROSS * heights.sum())]
    candidates = [(a, b) for a, b in candidates if b - a >= GUTTER_MIN * mask.shape[1]]
    if not candidates:
        return []
    g0, g1 = max(candidates, key=lambda run: run[1] - run[0])
    # a band runs across when its ink spans most of the strip; a column's ragged edge only
    # reaches into its side
    crossing = [bool(occ[g0:g1].mean() >= 0.5) for occ in occupied]
    body = [i for i, c in enumerate(crossing) if not c]
    both = [i for i in body if occupied[i][x0:g0].any() and occupied[i][g1:x1].any()]
    if heights[body].sum() < 0.5 * heights.sum() or heights[both].sum() < 0.5 * heights[body].sum():
        return []
    # cut in the middle of the columns crossed least: the strip's sides are ragged line ends
    m0, m1 = max(_runs(cross[g0:g1] == cross[g0:g1].min()), key=lambda run: run[1] - run[0])
    mid = g0 + (m0 + m1) // 2
    regions: list[tuple[int, int, int, int]] = []
    i = 0
    while i < len(bands):  # consecutive bands of one kind form one segment
        j = i
        while j + 1 < len(bands) and crossing[j + 1] == crossing[i]:
            j += 1
        top = max(0, bands[i][0] - 2)
        bottom = min(mask.shape[0], bands[j][1] + 2)
        if crossing[i]:
            regions.append((x0, top, x1, bottom))
        else:
            regions += [(x0, top, mid, bottom), (mid, top, x1, bottom)]
        i = j + 1
    w, h = gray.size
    return [(max(0, a * k - k), t * k, min(w, b * k + k), min(h, d * k)) for a, t, b, d in regions]


def _stack(gray, regions: list[tuple[int, int, int, int]]):
    """The regions pasted one under another on white paper, in reading order, and where each
    went: Tesseract then reads one column at a time, in one call."""
    from PIL import Image

    gap = max(20, gray.width // 40)
    width = max(r - left for left, _, r, _ in regions) + 2 * gap
    height = sum(b - t for _, t, _, b in regions) + gap * (len(regions) + 1)
    sheet = Image.new("L", (width, height), 255)
    places: list[tuple[int, int]] = []  # the top of each region on the sheet, its left is ``gap``
    y = gap
    for left, top, right, bottom in regions:
        sheet.paste(gray.crop((left, top, right, bottom)), (gap, y))
        places.append((gap, y))
        y += bottom - top + gap
    return sheet, places


def _unstack(lines: list[OcrLine], regions: list[tuple[int, int, int, int]], places: list[tuple[int, int]]) -> None:
    """Move the words read on the stacked sheet back to where they are printed on the page."""
    for line in lines:
        centre = line.words[0].top + line.words[0].height // 2
        index = max((i for i, (_, y) in enumerate(places) if y <= centre + 1), default=0)
        (sx, sy), (left, top, _, _) = places[index], regions[index]
        for word in line.words:
            word.left += left - sx
            word.top += top - sy
        line.region = index


# A cover page set vertically (縦書き: 契約書 names, date and parties in columns read from the
# right) comes out of the horizontal Japanese model as Latin-looking garbage at a confidence
# around 15. A Japanese page read that badly is read again with the vertical model added
# (Tesseract finds the vertical blocks itself and reads them with jpn_vert), deskewed on its
# columns instead of its rows, and the better of the two readings is kept. Adding jpn_vert to
# every page would cost time on the horizontal pages for nothing (measured in docs/benchmarks.md).
VERTICAL_RETRY = 75.0
VERTICAL_LANG = "jpn_vert"


def _langs_installed() -> set[str]:
    try:
        out = subprocess.run([TESSERACT, "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return set((out.stdout + out.stderr).decode("utf-8", "replace").split())


def _read(path: str, langs: tuple[str, ...], number: int, name: str) -> tuple[list[OcrLine], list[float]]:
    res = _run([TESSERACT, path, "stdout", "-l", "+".join(langs), "--psm", "3", "tsv"], PAGE_TIMEOUT, name)
    err = res.stderr.decode("utf-8", "replace")
    # With several languages Tesseract reports a pack it cannot load and exits 0, reading with
    # the packs that did load: Japanese read by the English model is garbage, not a reading.
    if res.returncode != 0 or "Failed loading language" in err:
        if "traineddata" in err or "Failed loading language" in err or "Could not initialize" in err:
            raise ReviewInputError(
                "ocr_language_broken",
                f"{name}: the Tesseract language pack cannot be loaded (missing or damaged); "
                f"reinstall it with: {APT_COMMAND}",
            )
        raise ReviewInputError("ocr_failed", f"{name}: OCR could not read page {number} ({err.strip()[:200]}).")
    return _parse_tsv(res.stdout.decode("utf-8", "replace"))


def _mean(confs: list[float]) -> float:
    return round(fmean(confs), 1) if confs else 0.0


def ocr_page_image(
    path: str, number: int, name: str, langs: tuple[str, ...] = LANGS, *, frame: int | None = None
) -> OcrPage:
    """Read one page image (a file Pillow can open): lift coloured marks, turn it upright,
    deskew it, cut a two-column page into its columns, then read it; a Japanese page that
    reads badly is read again as vertical text. The page's box coordinates are those of the
    turned image."""
    from PIL import Image

    with Image.open(path) as im:
        page = ink(im)
    page.save(path)
    rotated, script = _osd(path, name)
    if script == "Latin" and langs == LANGS:
        # An English page read with the English model alone: as accurate and about twice as fast.
        langs = ("eng",)
    if rotated:
        # OSD's "Rotate: 90" is clockwise; Pillow's rotate() turns counter-clockwise.
        page = page.rotate(-rotated, expand=True)
    upright = page
    deskew = skew_angle(page)
    if deskew:
        page = page.rotate(deskew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    width, height = page.size
    regions = text_regions(page)
    if regions:
        sheet, places = _stack(page, regions)
        sheet.save(path)
        lines, confs = _read(path, langs, number, name)
        _unstack(lines, regions, places)
    else:
        page.save(path)
        lines, confs = _read(path, langs, number, name)
    conf = _mean(confs)
    if conf < VERTICAL_RETRY and "jpn" in langs and VERTICAL_LANG in _langs_installed():
        vdeskew = skew_angle(upright, vertical=True)
        vpage = upright.rotate(vdeskew, resample=Image.Resampling.BICUBIC, fillcolor=255) if vdeskew else upright
        vpage.save(path)
        # without eng: with it loaded Tesseract read one column of a cover page as English on its side
        vlines, vconfs = _read(path, ("jpn", VERTICAL_LANG), number, name)
        if _mean(vconfs) > conf:
            lines, conf, deskew = vlines, _mean(vconfs), vdeskew
            width, height = vpage.size
    return OcrPage(number, width, height, lines, conf, rotated, deskew, frame)


# ---------------------------------------------------------------------------- documents


# Tesseract's Japanese model drops 乙 (or reads it as と, こ, ご) in about a third of its
# occurrences on a contract page, most often right after 甲: 「甲乙協議」 comes out as 「甲協議」
# and the definition 「(以下「乙」という。)」 as 「(以下「」という。)」, and without that definition
# the second party, and with it which side is the SME, is lost to the whole review. In a text
# that defines 甲 and uses 乙 elsewhere, an empty definition (or one labelled 選, と, こ, ご, Z,
# the model's misreadings of 乙) is 乙's and 甲 alone before 協議 /
# 間 / 双方 (never grammatical without a second party) is 甲乙. Once both are defined, a gap
# Japanese grammar does not allow where a party stands is 乙's too: two particles in a row
# (「権利はに帰属」「注文書をに交付」), a clause opening on a particle (「ときは、はその」), a
# numbered paragraph opening on one (「1が本契約の」).
# the definition's label dropped, or read as one of the model's usual misreadings of 乙
# (the line may end after the label: 「(以下「」\nという。)」 is joined only later, in _page_text)
_EMPTY_LABEL = re.compile(r"以下「[選とこごZ©2]?」(?=と|$)")
_KO_ALONE = re.compile(r"(?<![甲乙])甲(?=協議|間|双方)")
_OTSU_GAPS = (
    (re.compile(r"(?<=[はを])(?=に)"), "乙"),
    (re.compile(r"(?<=、)(?=[はが])(?!はじめ)"), "乙"),
    (re.compile(r"^([0-9]+)(?=[はが])"), r"\1乙"),
)


def restore_otsu(pages: list[OcrPage]) -> None:
    """Put back the 乙 the OCR dropped where the text leaves no doubt (see above); in place."""
    lines = [line for page in pages for line in page.lines]
    text = "\n".join(line.text for line in lines)
    if "「甲」" not in text or "乙" not in text:
        return
    undefined = "「乙」" not in text
    for line in lines:
        if undefined and _EMPTY_LABEL.search(line.text):
            line.text = _EMPTY_LABEL.sub("以下「乙」", line.text, count=1)
            undefined = False
        line.text = _KO_ALONE.sub("甲乙", line.text)
    if undefined:
        return  # 乙 is not a party of this text: a gap may be anything
    for line in lines:
        for pattern, repl in _OTSU_GAPS:
            line.text = pattern.sub(repl, line.text)


def _pages(pages: list[OcrPage], name: str) -> OcrResult:
    restore_otsu(pages)
    warnings = []
    for page in pages:
        if not page.lines:
            warnings.append(f"page {page.number} has no readable text")
        elif page.confidence < LOW_CONFIDENCE:
            warnings.append(
                f"page {page.number} could not be read reliably (OCR confidence {page.confidence:.0f}%); "
                "check it against the original"
            )
    if any(p.rotated for p in pages):
        turned = ", ".join(str(p.number) for p in pages if p.rotated)
        warnings.append(f"pages turned upright before reading: {turned}")
    warnings.insert(0, f"the text was read by OCR from {len(pages)} scanned page(s); check names and numbers")
    return OcrResult(pages, warnings, name)


def _too_many(n: int, name: str, max_pages: int) -> None:
    if n > max_pages:
        raise ReviewInputError(
            "ocr_too_many_pages",
            f"{name}: the scan has {n} pages; OCR reads at most {max_pages}. Upload the contract itself "
            "without its attachments, or its Word/text version.",
        )


def _too_big(pixels: int, number: int, name: str) -> None:
    if pixels > MAX_PIXELS:
        raise ReviewInputError(
            "ocr_page_too_large",
            f"{name}: page {number} is an image of {pixels:,} pixels; the limit is {MAX_PIXELS:,}. "
            "Scan at 300 dpi or less.",
        )


def preflight(data: bytes, name: str, *, max_pages: int = MAX_PAGES, dpi: int = DPI) -> int:
    """Refuse what OCR cannot or must not read, without reading a page; return the page count.

    The web request calls this so that a missing Tesseract, a protected PDF, a 1,000-page
    scan or an image bomb is refused at once and the OCR itself is left to the worker.
    """
    check(name)
    if bytes(data[:5]).startswith(b"%PDF") or name.lower().endswith(".pdf"):
        return len(_pdf_boxes(data, name, max_pages, dpi))
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            frames = getattr(im, "n_frames", 1)
            _too_many(frames, name, max_pages)
            for index in range(frames):
                im.seek(index)
                _too_big(im.size[0] * im.size[1], index + 1, name)
    except ReviewInputError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow refuses twice its limit as soon as it sees the size
        raise ReviewInputError(
            "ocr_page_too_large", f"{name}: the image is far too large to be a page ({exc})"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ReviewInputError(
            "broken_image", f"{name}: the image is damaged or not an image ({type(exc).__name__})."
        ) from exc
    return frames


def _pdf_boxes(data: bytes, name: str, max_pages: int, dpi: int) -> list[tuple[float, float]]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReviewInputError(
                "encrypted_pdf",
                f"{name}: the PDF is password-protected. Remove the password (or export an unprotected copy) "
                "and upload it again.",
            )
        boxes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    except ReviewInputError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise ReviewInputError(
            "broken_pdf", f"{name}: the PDF file is damaged or not a PDF ({type(exc).__name__})."
        ) from exc
    _too_many(len(boxes), name, max_pages)
    for number, (w, h) in enumerate(boxes, 1):  # before rasterising: the size decides the memory
        _too_big(int(w / 72 * dpi) * int(h / 72 * dpi), number, name)
    return boxes


def ocr_pdf(data: bytes, name: str, *, max_pages: int = MAX_PAGES, dpi: int = DPI) -> OcrResult:
    """OCR every page of a scanned PDF."""
    check(name)
    boxes = _pdf_boxes(data, name, max_pages, dpi)
    progress = _progress.get()
    pages = []
    with tempfile.TemporaryDirectory(prefix="chizai-ocr-") as tmp:
        src = os.path.join(tmp, "in.pdf")
        with open(src, "wb") as fh:
            fh.write(data)
        for number in range(1, len(boxes) + 1):
            out = os.path.join(tmp, f"p{number}")
            args = [PDFTOPPM, "-r", str(dpi), "-png", "-singlefile", "-f", str(number), "-l", str(number)]
            res = _run([*args, src, out], PAGE_TIMEOUT, name)
            if res.returncode != 0 or not os.path.exists(out + ".png"):
                err = res.stderr.decode("utf-8", "replace").strip()[:200]
                raise ReviewInputError("broken_pdf", f"{name}: page {number} could not be rendered ({err}).")
            pages.append(ocr_page_image(out + ".png", number, name))
            os.unlink(out + ".png")
            if progress:
                progress(number, len(boxes))
    return _pages(pages, name)


def ocr_image(data: bytes, name: str, *, max_pages: int = MAX_PAGES) -> OcrResult:
    """OCR a photographed or scanned image (PNG, JPEG, TIFF; a multi-page TIFF page by page)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    check(name)
    progress = _progress.get()
    pages = []
    try:
        with Image.open(io.BytesIO(data)) as im:  # lazy: only the header is read here
            frames = getattr(im, "n_frames", 1)
            _too_many(frames, name, max_pages)
            with tempfile.TemporaryDirectory(prefix="chizai-ocr-") as tmp:
                for index in range(frames):
                    im.seek(index)
                    _too_big(im.size[0] * im.size[1], index + 1, name)  # before the pixels are decoded
                    page = ImageOps.exif_transpose(im).convert("RGB")  # a phone photo's EXIF turn
                    path = os.path.join(tmp, f"p{index + 1}.png")
                    page.save(path)
                    pages.append(ocr_page_image(path, index + 1, name, frame=index))
                    if progress:
                        progress(index + 1, frames)
    except ReviewInputError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow refuses twice its limit as soon as it sees the size
        raise ReviewInputError(
            "ocr_page_too_large", f"{name}: the image is far too large to be a page ({exc})"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ReviewInputError(
            "broken_image", f"{name}: the image is damaged or not an image ({type(exc).__name__})."
        ) from exc
    return _pages(pages, name)
