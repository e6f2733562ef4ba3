"""Clip-shaped bytes for tests and the bench: a well-formed MP4 box layout (``ftyp`` then one
``mdat`` holding the payload) and a minimal WebM header, no encoder needed.

They are containers, not pictures: a browser test that must play something records a real
WebM in the browser (tests/e2e/test_clips_e2e.py).
"""

from __future__ import annotations

import os
import struct

FTYP = struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 0x200) + b"isommp41"


def mp4(size: int, *, marker: bytes = b"", seed_random: bool = True) -> bytes:
    """``size`` bytes laid out as ftyp + mdat; ``marker`` repeated through the payload."""
    payload_size = size - len(FTYP) - 8
    if payload_size < 0:
        raise ValueError("an MP4 needs at least 32 bytes")
    payload = bytearray(os.urandom(payload_size) if seed_random else bytes(payload_size))
    if marker:
        for at in range(0, payload_size - len(marker), 50_000):
            payload[at : at + len(marker)] = marker
    return FTYP + struct.pack(">I", 8 + payload_size) + b"mdat" + bytes(payload)


def mp4_header(size: int) -> bytes:
    """The first 32 bytes of an ``mp4(size)``: the rest is the mdat payload (streamed by the bench)."""
    return FTYP + struct.pack(">I", size - len(FTYP)) + b"mdat"


def webm(payload: bytes, *, segment_size: int | None = None) -> bytes:
    """An EBML header (DocType webm) and a Segment of stated size (unknown when None)."""
    doctype = b"\x42\x82\x84webm"
    header = b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(doctype)]) + doctype
    size = len(payload) if segment_size is None else segment_size
    segment = b"\x18\x53\x80\x67" + b"\x01" + size.to_bytes(7, "big")
    return header + segment + payload


JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + b"\x00" * 40 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 30 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
