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
        return "\n\n".join(p.text for p in self.pages)

    def layout(self) -> dict:
        """Every page's words with their offsets into ``text`` and their boxes, and how the page
        image was turned before reading: what ``ocr_layout`` needs to draw a span on the page.
        Words are lists ``[start, end, left, top, width, height]`` to keep the stored JSON small."""
        pages = []
        base = 0
        for page in self.pages:
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
            base += len(text) + 2  # the blank line between pages in ``text``
        return {"version": 1, "pages": pages}


# A line that starts like this begins a new paragraph or item even when the line above ran
# to the margin: 第5条, 2 / 2., (1), (a), ①, 一、, Article / Section, a bullet.
_STARTS_ITEM = re.compile(
    r"^(第[0-9一二三四五六七八九十百]+条|[0-9]+(?:\.[0-9]+)*[.)]?(?![0-9,])|[((][0-9a-zA-Zア-ン一-十]{1,3}[))]"
    r"|[①-⑳]|[一二三四五六七八九十]+[、.]|(?:Article|Section|ARTICLE|SECTION)\b|[・•●\-*])"
)
_WRAP_MARGIN = 0.04  # a line ending within 4 % of the text's right edge ran on to the next


def _line_right(line: OcrLine) -> int:
    return max((w.left + w.width for w in line.words), default=0)


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
    right = max((_line_right(line) for line in page.lines), default=0)
    parts: list[str] = []
    spans: list[tuple[int, int, OcrWord]] = []
    pos = 0
    previous: OcrLine | None = None
    for line in page.lines:
        if previous is None:
            sep = ""
        elif line.block != previous.block:
            sep = "\n\n"
        elif _line_right(previous) >= right * (1 - _WRAP_MARGIN) and not _STARTS_ITEM.match(line.text):
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


def _parse_tsv(tsv: str) -> tuple[list[OcrLine], list[float]]:
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    confs: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        text = _CONTROL.sub("", row.get("text") or "").strip()
        conf = float(row.get("conf") or -1)
        if not text or conf < 0:
            continue
        word = OcrWord(text, int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]), conf)
        lines.setdefault((int(row["block_num"]), int(row["par_num"]), int(row["line_num"])), []).append(word)
        confs.extend([conf] * len(text))  # weighted by characters: one bad kanji weighs as much as one letter
    # Tesseract numbers blocks, paragraphs and lines in its reading order; dict order keeps it.
    out = [OcrLine(join_words([w.text for w in ws]), ws, key[0]) for key, ws in lines.items()]
    return [line for line in out if line.text], confs


def ink(image):
    """The page in grey with coloured marks lifted out: each pixel's brightest channel.

    Text is dark in every channel; a red seal (赤の角印・丸印) is bright in the red one and a
    blue stamp in the blue one, so they turn pale while the text they cover stays black
    where it shows through. Tesseract's own binarisation otherwise keeps a seal's rings as
    dark strokes, reads them as characters and breaks the lines under them into garbage.
    """
    from PIL import ImageChops

    if image.mode == "L":
        return image
    r, g, b = image.convert("RGB").split()
    return ImageChops.lighter(ImageChops.lighter(r, g), b)


MAX_SKEW = 5.0  # degrees; a page fed further off than this is a photo for the user to retake


def skew_angle(gray) -> float:
    """The angle (degrees, Pillow's counter-clockwise sense) that makes the text lines level.

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
        rows = np.asarray(turned, dtype=np.float32).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    base = score(0.0)
    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25), key=score)
    best = float(max(np.arange(coarse - 0.25, coarse + 0.25 + 1e-9, 0.05), key=score))
    # a flat profile (a photo, a drawing) gives a maximum by chance: keep the page as it is
    return round(best, 2) if score(best) > base * 1.05 else 0.0


def ocr_page_image(
    path: str, number: int, name: str, langs: tuple[str, ...] = LANGS, *, frame: int | None = None
) -> OcrPage:
    """Read one page image (a file Pillow can open): lift coloured marks, turn it upright,
    deskew it, then read it. The page's box coordinates are those of the turned image."""
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
    deskew = skew_angle(page)
    if deskew:
        page = page.rotate(deskew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if rotated or deskew:
        page.save(path)
    width, height = page.size
    res = _run([TESSERACT, path, "stdout", "-l", "+".join(langs), "--psm", "3", "tsv"], PAGE_TIMEOUT, name)
    err = res.stderr.decode("utf-8", "replace")
    if res.returncode != 0:
        if "traineddata" in err or "Failed loading language" in err or "Could not initialize" in err:
            raise ReviewInputError(
                "ocr_language_broken",
                f"{name}: the Tesseract language pack cannot be loaded (missing or damaged); "
                f"reinstall it with: {APT_COMMAND}",
            )
        raise ReviewInputError("ocr_failed", f"{name}: OCR could not read page {number} ({err.strip()[:200]}).")
    lines, confs = _parse_tsv(res.stdout.decode("utf-8", "replace"))
    conf = round(fmean(confs), 1) if confs else 0.0
    return OcrPage(number, width, height, lines, conf, rotated, deskew, frame)


# ---------------------------------------------------------------------------- documents


# Tesseract's Japanese model drops 乙 (or reads it as と, こ, ご) in about a third of its
# occurrences on a contract page, most often right after 甲: 「甲乙協議」 comes out as 「甲協議」
# and the definition 「(以下「乙」という。)」 as 「(以下「」という。)」, and without that definition
# the second party, and with it which side is the SME, is lost to the whole review. In a text
# that defines 甲 and uses 乙 elsewhere, an empty definition is 乙's and 甲 alone before 協議 /
# 間 / 双方 (never grammatical without a second party) is 甲乙. Once both are defined, a gap
# Japanese grammar does not allow where a party stands is 乙's too: two particles in a row
# (「権利はに帰属」「注文書をに交付」), a clause opening on a particle (「ときは、はその」), a
# numbered paragraph opening on one (「1が本契約の」).
_EMPTY_LABEL = "以下「」という"
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
        if undefined and _EMPTY_LABEL in line.text:
            line.text = line.text.replace(_EMPTY_LABEL, "以下「乙」という", 1)
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
