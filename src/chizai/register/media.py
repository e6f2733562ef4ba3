"""What a clip upload is, from its bytes: the container sniffed from the first bytes, and
whether it arrived whole, checked while it streams (no Django import, no decoder).

- MP4 / QuickTime: an ``ftyp`` box first; the top-level boxes (size, type) must tile the
  file exactly, so a file cut short ends inside a box and is refused.
- WebM / Matroska: the EBML magic ``1A 45 DF A3``; when the Segment element states its
  size (it does unless the file was written live), the file must reach its end.
- Photos: JPEG must end with the EOI marker ``FF D9``, PNG with its ``IEND`` chunk.

This is no decoder: a file whose container is whole but whose frames are broken still
passes. It catches what goes wrong in practice: another kind of file, and an upload cut
short (a dropped connection, a copy from a card that stopped).
"""

from __future__ import annotations

import struct

VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm", "video/x-matroska")
PHOTO_TYPES = ("image/jpeg", "image/png")
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
SEGMENT_ID = b"\x18\x53\x80\x67"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
# Enough of the start for every signature above, and for Matroska's header and Segment size.
SNIFF_BYTES = 64
HEAD_KEEP = 4096


def sniff(head: bytes) -> str | None:
    """The media type of a clip or photo from its first bytes, or None when it is neither."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    if head.startswith(EBML_MAGIC):
        return "video/webm" if b"webm" in head[:SNIFF_BYTES] else "video/x-matroska"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(PNG_MAGIC):
        return "image/png"
    return None


def _vint(data: bytes, at: int, *, keep_marker: bool = False) -> tuple[int, int, bool] | None:
    """An EBML variable-length integer at ``at``: (value, length, all value bits set), or None."""
    if at >= len(data) or data[at] == 0:
        return None
    length = 9 - data[at].bit_length()
    if at + length > len(data):
        return None
    value = int.from_bytes(data[at : at + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, length, value == (1 << (7 * length)) - 1


def matroska_end(head: bytes) -> int | None:
    """Where a Matroska file must end by its Segment's stated size; None when unknown."""
    header = _vint(head, len(EBML_MAGIC))
    if header is None:
        return None
    at = len(EBML_MAGIC) + header[1] + header[0]
    if head[at : at + 4] != SEGMENT_ID:
        return None
    segment = _vint(head, at + 4)
    if segment is None or segment[2]:  # size unknown: written live, nothing to check against
        return None
    return at + 4 + segment[1] + segment[0]


class Completeness:
    """Fed the upload piece by piece; ``problem()`` at the end says whether it arrived whole.

    Memory: the first ``HEAD_KEEP`` bytes, the last 12 and one box header.
    """

    def __init__(self, content_type: str):
        self.content_type = content_type
        self.seen = 0
        self.head = bytearray()
        self.tail = b""
        # MP4: where the next top-level box starts, the part of its header read so far
        self._next_box = 0
        self._box_header = bytearray()
        self._to_end = False
        self._broken = False

    def feed(self, piece: bytes) -> None:
        start = self.seen
        self.seen += len(piece)
        if len(self.head) < HEAD_KEEP:
            self.head += piece[: HEAD_KEEP - len(self.head)]
        self.tail = (self.tail + bytes(piece[-12:]))[-12:]
        if self.content_type in ("video/mp4", "video/quicktime"):
            self._boxes(piece, start)

    def _box_header_length(self) -> int:
        return 16 if self._box_header[:4] == b"\x00\x00\x00\x01" else 8

    def _boxes(self, piece: bytes, start: int) -> None:
        while not (self._to_end or self._broken):
            at = self._next_box + len(self._box_header)
            if at >= self.seen:
                return
            want = self._box_header_length() - len(self._box_header)
            self._box_header += piece[at - start : at - start + want]
            if len(self._box_header) < 8 or len(self._box_header) < self._box_header_length():
                continue  # a 64-bit size follows, or the header goes on in the next piece
            (size,) = struct.unpack(">I", self._box_header[:4])
            if size == 1:
                (size,) = struct.unpack(">Q", self._box_header[8:16])
            if size == 0:  # "to the end of the file": nothing more to check
                self._to_end = True
                return
            if size < len(self._box_header):
                self._broken = True
                return
            self._next_box += size
            self._box_header.clear()

    def problem(self) -> str | None:
        """None when the container is whole; else a short reason, in English, for logs and tests."""
        kind = self.content_type
        if kind in ("video/mp4", "video/quicktime"):
            if self._broken:
                return "a box has an impossible size"
            if not self._to_end and (self._box_header or self._next_box != self.seen):
                return f"the last box ends at byte {self._next_box}, the file at {self.seen}"
            return None
        if kind in ("video/webm", "video/x-matroska"):
            end = matroska_end(bytes(self.head))
            if end is not None and self.seen < end:
                return f"the Segment ends at byte {end}, the file at {self.seen}"
            return None
        if kind == "image/jpeg" and not self.tail.endswith(b"\xff\xd9"):
            return "no end-of-image marker"
        if kind == "image/png" and self.tail != PNG_END:
            return "no IEND chunk"
        return None
