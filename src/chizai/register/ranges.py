"""HTTP Range (RFC 9110 §14) for sealed files served in pieces: the header parsed against a
size, and the 200 / 206 / 416 answer built around a function that yields the bytes.

Choices, each allowed by the RFC:
- Only the ``bytes`` unit; a Range in another unit is ignored (a full 200).
- A ``bytes=`` range set that does not parse, or whose ranges are all unsatisfiable
  (first byte past the end, ``last < first``, a zero-length suffix) is answered 416 with
  ``Content-Range: bytes */size``.
- Several ranges are answered with the whole file (200): browsers seeking in a video ask
  for one; a multipart/byteranges answer would buy nothing but code (§14.2 lets a server
  ignore Range).
- ``If-Range`` with the strong ETag (the plaintext's SHA-256) keeps the range; any other
  validator sends the whole file, as the RFC requires.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

_SPEC = re.compile(r"^[ \t]*([0-9]*)[ \t]*-[ \t]*([0-9]*)[ \t]*$")
# A header longer than this is not a browser seeking; refuse to parse it at all.
MAX_HEADER = 1000


class Unsatisfiable(Exception):
    """The Range cannot be served: answer 416 with ``Content-Range: bytes */size``."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse(header: str | None, size: int) -> ByteRange | None:
    """The one range to serve, or None for the whole file; ``Unsatisfiable`` for a 416.

    ``bytes=a-b`` (``b`` clipped to the last byte), ``bytes=a-`` and ``bytes=-n`` (the last
    ``n`` bytes, all of them when ``n`` ≥ size).
    """
    if header is None:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None  # a unit we do not know: §14.2 says ignore the header
    if len(header) > MAX_HEADER:
        raise Unsatisfiable(header[:40])
    parts = spec.split(",")
    ranges = []
    for part in parts:
        match = _SPEC.match(part)
        if match is None or match.group(1) == match.group(2) == "":
            raise Unsatisfiable(part)
        first, last = match.group(1), match.group(2)
        if first == "":
            suffix = int(last)
            if suffix == 0 or size == 0:
                continue
            ranges.append(ByteRange(max(0, size - suffix), size - 1))
            continue
        start = int(first)
        end = size - 1 if last == "" else min(int(last), size - 1)
        if last != "" and int(last) < start:
            raise Unsatisfiable(part)  # §14.1.1: an invalid range makes the whole set invalid
        if start >= size:
            continue
        ranges.append(ByteRange(start, end))
    if not ranges:
        raise Unsatisfiable(spec)
    if len(parts) > 1:
        return None
    return ranges[0]


def if_range_holds(header: str | None, etag: str) -> bool:
    """Whether an ``If-Range`` lets the Range apply: absent, or naming our strong ETag."""
    if header is None:
        return True
    return header.strip() == etag


def respond(
    request,
    *,
    size: int,
    etag: str,
    content_type: str,
    name: str,
    read: Callable[[int, int], Iterator[bytes]],
) -> HttpResponse | StreamingHttpResponse:
    """The answer to a GET of a file of ``size`` bytes; ``read(start, end)`` yields its bytes.

    ``read`` is called before the response is returned, and its first piece taken, so a file
    that is missing or fails authentication where the range starts is an exception here, not
    a response broken off after its headers. A later chunk that fails ends the stream early:
    the client gets fewer bytes than Content-Length said, never wrong ones.
    """
    header = request.META.get("HTTP_RANGE")
    wanted = None
    if header is not None and if_range_holds(request.META.get("HTTP_IF_RANGE"), etag):
        try:
            wanted = parse(header, size)
        except Unsatisfiable:
            refusal = HttpResponse(status=416)
            refusal["Content-Range"] = f"bytes */{size}"
            _common(refusal, etag, name)
            return refusal
    span = wanted or ByteRange(0, size - 1)
    pieces = read(span.start, span.end)
    first = next(pieces, b"")
    response = StreamingHttpResponse(_chain(first, pieces), content_type=content_type, status=206 if wanted else 200)
    response["Content-Length"] = str(span.length)
    if wanted:
        response["Content-Range"] = f"bytes {span.start}-{span.end}/{size}"
    _common(response, etag, name)
    return response


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    try:
        if first:
            yield first
        yield from rest
    finally:
        close = getattr(rest, "close", None)
        if close is not None:
            close()


def _common(response: HttpResponse | StreamingHttpResponse, etag: str, name: str) -> None:
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    # Shown by <video>, never run: an attachment when opened on its own, not sniffed, sandboxed.
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
