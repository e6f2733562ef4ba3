"""Per-recipient hand-over copies and tracing them back (no Django).

A PDF copy gets, on every page, a visible stamp (秘 / CONFIDENTIAL, recipient, partner,
date, disclosure reference) in the bundled IPAexGothic font, and an invisible
fingerprint in three places so that a re-saved copy still names its recipient:

1. invisible text (render mode 3) ``CHZFP:<token>`` in each page's content;
2. the document information dictionary and XMP-free key ``/ChizaiFingerprint``;
3. a row of tiny near-white marks whose heights spell the token's 64 bits.

Re-saving with another tool usually drops or rewrites metadata; the page content (1, 3)
survives unless the pages are re-rendered (printing to image, OCR), which is the limit.
Other files are zipped with a manifest carrying the same token.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chizai import pdfkit, safearchive

if TYPE_CHECKING:
    from pypdf import PageObject

MARK = "CHZFP:"
TOKEN_RE = re.compile(r"CHZFP:([0-9a-f]{16})")
# In a content stream the colon may be written as an octal escape (pypdf writes \072).
TOKEN_RE_BYTES = re.compile(rb"\(CHZFP(?::|\\072)([0-9a-f]{16})\)")
MAX_PAGES = 10
BITS = 64
# Geometry of the mark row (points, from the page's lower-left corner).
ROW_X, ROW_Y, STEP, WIDTH = 36.0, 3.0, 1.5, 0.75
H_SYNC, H_ONE, H_ZERO = 2.25, 1.5, 0.75


class NotAPdf(Exception):
    """The data is not a readable PDF (damaged, encrypted or something else)."""


@dataclass
class Stamp:
    recipient: str
    partner: str
    date: str
    reference: str
    token: str

    def line(self) -> str:
        return f"秘 CONFIDENTIAL  {self.reference}  {self.date}  {self.partner} / {self.recipient}"


def _overlay(width: float, height: float, stamp: Stamp) -> bytes:
    from reportlab.pdfgen import canvas

    font = pdfkit.japanese_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=1)
    size = 8 if width > 300 else 6
    c.setFillColorRGB(0.75, 0.0, 0.0)
    c.setFont(font, size)
    c.drawString(18, height - 14, stamp.line())
    c.drawString(18, 10, stamp.line())
    c.saveState()
    c.setFillColorRGB(0.8, 0.0, 0.0, alpha=0.12)
    c.translate(width / 2, height / 2)
    c.rotate(35)
    c.setFont(font, max(24, min(width, height) / 9))
    c.drawCentredString(0, 0, "秘 CONFIDENTIAL")
    c.restoreState()
    text = c.beginText(ROW_X, ROW_Y + 6)
    text.setTextRenderMode(3)  # neither fill nor stroke: present in the content, never seen
    text.setFont("Helvetica", 4)
    text.textLine(MARK + stamp.token)
    c.drawText(text)
    c.setFillGray(0.985)
    bits = bin(int(stamp.token, 16))[2:].zfill(BITS)
    c.rect(ROW_X, ROW_Y, WIDTH, H_SYNC, stroke=0, fill=1)
    for i, bit in enumerate(bits, start=1):
        c.rect(ROW_X + i * STEP, ROW_Y, WIDTH, H_ONE if bit == "1" else H_ZERO, stroke=0, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()


def _reader(data: bytes):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise NotAPdf("the PDF is encrypted")
        _ = len(reader.pages)
        return reader
    except NotAPdf:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise NotAPdf(f"not a readable PDF ({type(exc).__name__}: {exc})") from None


def stamp_pdf(data: bytes, stamp: Stamp) -> tuple[bytes, int]:
    """The stamped copy and its page count. Raises NotAPdf for input that cannot be read."""
    from pypdf import PdfReader, PdfWriter, Transformation

    reader = _reader(data)
    writer = PdfWriter(clone_from=reader)
    overlays: dict[tuple[float, float], PageObject] = {}
    for page in writer.pages:
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        key = (round(width, 2), round(height, 2))
        if key not in overlays:
            overlays[key] = PdfReader(io.BytesIO(_overlay(width, height, stamp))).pages[0]
        if page.get("/Rotate"):
            page.transfer_rotation_to_content()
            box = page.mediabox
        offset = Transformation().translate(float(box.left), float(box.bottom))
        page.merge_transformed_page(overlays[key], offset, over=True)
    writer.add_metadata({"/ChizaiFingerprint": MARK + stamp.token, "/Producer": "chizai"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def _pattern_tokens(page) -> list[str]:
    """Tokens spelled by the mark rows on one page (content-stream operators, after any cm)."""
    rects: list[tuple[float, float, float, float]] = []

    def visit(op, args, cm, tm):
        if op == b"re" and len(args) == 4:
            x, y, w, h = (float(v) for v in args)
            a, b, c2, d, e, f = cm
            rects.append((a * x + c2 * y + e, b * x + d * y + f, w * a, h * d))

    try:
        page.extract_text(visitor_operand_before=visit)
    except Exception:  # noqa: BLE001 - a page whose content cannot be walked has no readable pattern
        return []
    found = []
    marks = sorted((r for r in rects if abs(r[2] - WIDTH) < 0.05), key=lambda r: (round(r[1], 1), r[0]))
    for _i, (x, y, _w, h) in enumerate(marks):
        if abs(h - H_SYNC) > 0.05:
            continue
        row = [m for m in marks if abs(m[1] - y) < 0.05 and x < m[0] <= x + STEP * BITS + 0.1]
        if len(row) != BITS:
            continue
        bits = "".join("1" if abs(m[3] - H_ONE) < 0.05 else "0" for m in sorted(row))
        found.append(f"{int(bits, 2):016x}")
    return found


@dataclass
class Traced:
    tokens: list[str]
    methods: list[str]


def read_fingerprints(data: bytes) -> Traced:
    """Every fingerprint token in a PDF or zip copy, and where it was found."""
    if data[:4] == b"PK\x03\x04":
        return _zip_tokens(data)
    reader = _reader(data)
    tokens: list[str] = []
    methods: list[str] = []

    def add(token, method):
        if token not in tokens:
            tokens.append(token)
        if method not in methods:
            methods.append(method)

    meta = reader.metadata or {}
    for value in meta.values():
        for token in TOKEN_RE.findall(str(value)):
            add(token, "metadata")
    # Every page carries the marks, so a few pages settle it; reading the raw content
    # stream first avoids pypdf's slow text extraction with large CJK fonts.
    for page in list(reader.pages)[:MAX_PAGES]:
        try:
            contents = page.get_contents()
            raw = contents.get_data() if contents is not None else b""
        except Exception:  # noqa: BLE001 - an unreadable page stream simply carries no marks
            raw = b""
        found = [t.decode() for t in TOKEN_RE_BYTES.findall(raw)]
        for token in found:
            add(token, "invisible text")
        if not found:
            try:
                text = page.extract_text() or ""
            except Exception:  # noqa: BLE001
                text = ""
            for token in TOKEN_RE.findall(text.replace(" ", "")):
                add(token, "invisible text")
                found.append(token)
        if not found:
            for token in _pattern_tokens(page):
                add(token, "mark pattern")
                found.append(token)
        if found:
            break
    return Traced(tokens, methods)


MANIFEST = "CHIZAI-MANIFEST.json"
MAX_MANIFEST_BYTES = 64 * 1024  # ours is under 1 KB


def zip_copy(data: bytes, filename: str, stamp: Stamp, *, sha256: str) -> bytes:
    """Any other file: zipped with a manifest and a notice naming the recipient."""
    manifest = {
        "notice": "秘 CONFIDENTIAL — provided under a confidentiality agreement; do not copy or pass on.",
        "disclosure": stamp.reference,
        "partner": stamp.partner,
        "recipient": stamp.recipient,
        "date": stamp.date,
        "file": filename,
        "sha256": sha256,
        "fingerprint": MARK + stamp.token,
    }
    buf = io.BytesIO()
    fixed = (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.comment = (MARK + stamp.token).encode()
        z.writestr(zipfile.ZipInfo(MANIFEST, fixed), json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
        z.writestr(zipfile.ZipInfo("NOTICE-秘-CONFIDENTIAL.txt", fixed), stamp.line() + "\n")
        info = zipfile.ZipInfo(Path(filename).name or "file", fixed)
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
    return buf.getvalue()


def _zip_tokens(data: bytes) -> Traced:
    try:
        # A found file is anyone's: its directory and the manifest are read bounded, and the
        # other members (the disclosed file) are never inflated.
        with safearchive.open_zip(data) as z:
            tokens, methods = [], []
            for token in TOKEN_RE.findall(z.comment.decode("utf-8", "replace")):
                tokens.append(token)
                methods.append("zip comment")
            if MANIFEST in z.namelist():
                manifest = json.loads(safearchive.read_member(z, MANIFEST, max_bytes=MAX_MANIFEST_BYTES))
                for token in TOKEN_RE.findall(str(manifest.get("fingerprint", ""))):
                    if token not in tokens:
                        tokens.append(token)
                    methods.append("manifest")
            return Traced(tokens, sorted(set(methods)))
    except (safearchive.ArchiveError, ValueError, KeyError) as exc:
        raise NotAPdf(f"not a readable zip ({exc})") from None
