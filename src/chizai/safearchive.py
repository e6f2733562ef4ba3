"""Zip containers (DOCX, XLSX, ZIP) measured by what they really unpack to, before a parser opens them.

python-docx and openpyxl read each part of a package into memory whole and build a tree
from it, so a 1 MB upload whose ``word/document.xml`` inflates to 1 GiB costs gigabytes
before anything can refuse it. ``check`` walks the archive once, inflating every member in
``CHUNK``-sized pieces and counting the bytes that really come out, and stops at the first
limit crossed; memory stays flat whatever the file claims. Only an archive that passed is
handed to a parser, which then inflates at most what was counted here.

No Django import: the review engine (a pure library) uses this module as well.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

#: bytes all members together may inflate to (the register makes it configurable)
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
#: members in one archive; an Office file has tens, a large workbook a few hundred
MAX_ENTRIES = 10_000
#: inflated / compressed size of one member; Office parts stay well under 50, a bomb is near 1000
MAX_RATIO = 100
#: a member may exceed MAX_RATIO up to this size: small, very repetitive parts (a table of
#: empty cells, a page of identical paragraphs) legitimately compress a few hundred times
RATIO_GRACE_BYTES = 8 * 1024 * 1024
#: the central directory zipfile reads into memory at once, one object per entry; bounded
#: before zipfile sees it, because an entry costs ~46 bytes on disk and ~500 in memory
MAX_DIRECTORY_BYTES = 4 * 1024 * 1024
CHUNK = 64 * 1024

# Office writes only these; zipfile inflates bzip2 and LZMA members without an output
# bound per call, so one read of such a member could already produce gigabytes.
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")


class ArchiveError(Exception):
    """The only error this module raises.

    ``reason`` is ``"damaged"`` (not a zip, truncated, encrypted, an unsupported method) or
    the limit that was crossed: ``"entries"``, ``"size"`` or ``"ratio"`` (see ``over_limit``).
    """

    LIMITS = ("entries", "size", "ratio")

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail

    @property
    def over_limit(self) -> bool:
        """True for a file refused for what it unpacks to (a zip bomb or simply too big)."""
        return self.reason in self.LIMITS


@dataclass(frozen=True)
class Summary:
    entries: int
    unpacked: int  # bytes actually inflated, all members
    names: frozenset[str]


def check(
    source, *, max_bytes: int = MAX_UNPACKED_BYTES, max_entries: int = MAX_ENTRIES, max_ratio: float = MAX_RATIO
) -> Summary:
    """Inflate every member of ``source`` (bytes or a seekable binary file) without keeping
    it, and raise ``ArchiveError`` at the first limit crossed. A file object is returned to
    the position it had."""
    fp, start = _file(source)
    try:
        with open_zip(fp, max_entries=max_entries) as zf:
            infos = zf.infolist()
            _check_declared(infos, max_bytes, max_ratio)
            total = 0
            for info in infos:
                total = _inflate(zf, fp, info, total, max_bytes, max_ratio)
            return Summary(len(infos), total, frozenset(info.filename for info in infos))
    except ArchiveError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile and zlib raise many types on hostile input
        raise ArchiveError("damaged", f"{type(exc).__name__}: {exc}") from None
    finally:
        if start is not None:
            fp.seek(start)


def open_zip(source, *, max_entries: int = MAX_ENTRIES) -> zipfile.ZipFile:
    """A ``ZipFile`` on ``source`` whose directory was bounded before zipfile read it."""
    fp, _start = _file(source)
    try:
        declared_entries, directory_bytes = _directory(fp)
        if declared_entries > max_entries:
            raise ArchiveError("entries", f"{declared_entries} members declared; the limit is {max_entries}")
        if directory_bytes > MAX_DIRECTORY_BYTES:
            raise ArchiveError("entries", f"a directory of {directory_bytes} bytes; the limit is {MAX_DIRECTORY_BYTES}")
        fp.seek(0)
        zf = zipfile.ZipFile(fp)
    except ArchiveError:
        raise
    except Exception as exc:  # noqa: BLE001 - as in check()
        raise ArchiveError("damaged", f"{type(exc).__name__}: {exc}") from None
    if len(zf.infolist()) > max_entries:
        zf.close()
        raise ArchiveError("entries", f"{len(zf.infolist())} members; the limit is {max_entries}")
    return zf


def read_member(zf: zipfile.ZipFile, name: str, *, max_bytes: int) -> bytes:
    """One member's bytes, refused once more than ``max_bytes`` came out."""
    try:
        out = bytearray()
        for chunk in _chunks(zf, zf.getinfo(name)):
            out += chunk
            if len(out) > max_bytes:
                raise ArchiveError("size", f"{name} unpacks to more than {max_bytes} bytes")
        return bytes(out)
    except ArchiveError:
        raise
    except Exception as exc:  # noqa: BLE001 - as in check()
        raise ArchiveError("damaged", f"{type(exc).__name__}: {exc}") from None


def _file(source):
    """(seekable file, position to restore or None) for bytes or a file object."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source), None
    try:
        return source, source.tell()
    except (AttributeError, OSError, ValueError) as exc:
        raise ArchiveError("damaged", f"not a seekable file ({exc})") from None


def _directory(fp) -> tuple[int, int]:
    """(entries declared, central directory size) from the end record, found as zipfile
    finds it (the last signature in the final 64 KiB), so the bound applies to what
    zipfile will read."""
    fp.seek(0, io.SEEK_END)
    size = fp.tell()
    tail_len = min(size, _EOCD.size + 0xFFFF)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    if tail[-_EOCD.size :][:4] == b"PK\x05\x06" and tail[-2:] == b"\0\0":
        at = len(tail) - _EOCD.size
    else:
        at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        raise ArchiveError("damaged", "no end of central directory")
    _sig, _disk, _disk_cd, _here, entries, directory, _offset, _comment = _EOCD.unpack_from(tail, at)
    locator_at = size - tail_len + at - _EOCD64_LOCATOR.size
    if locator_at >= _EOCD64.size:
        fp.seek(locator_at)
        locator = fp.read(_EOCD64_LOCATOR.size)
        if locator[:4] == b"PK\x06\x07":
            fp.seek(locator_at - _EOCD64.size)
            record = fp.read(_EOCD64.size)
            if record[:4] == b"PK\x06\x06":
                fields = _EOCD64.unpack(record)
                entries, directory = fields[7], fields[8]
    return entries, directory


def _check_declared(infos, max_bytes: int, max_ratio: float) -> None:
    """The cheap refusal first: what the headers admit to. Not trusted the other way: a
    member that claims little is still counted as it inflates."""
    declared = 0
    for info in infos:
        if info.compress_type not in _METHODS:
            raise ArchiveError("damaged", f"{info.filename}: compression method {info.compress_type}")
        declared += info.file_size
        if declared > max_bytes:
            raise ArchiveError("size", f"members declare more than {max_bytes} bytes")
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
            raise ArchiveError("ratio", f"{info.filename} declares a compression ratio above {max_ratio}")


def _inflate(zf: zipfile.ZipFile, fp, info: zipfile.ZipInfo, total: int, max_bytes: int, max_ratio: float) -> int:
    produced = 0
    for chunk in _chunks(zf, info):
        produced += len(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise ArchiveError("size", f"the members unpack to more than {max_bytes} bytes")
        # zipfile reads the compressed bytes from ``fp`` itself, so its position says how many
        # were consumed so far: a bomb is caught after RATIO_GRACE_BYTES, not after
        # MAX_RATIO times its whole compressed size (100 MB for a 1 MB bomb)
        consumed = max(fp.tell() - info.header_offset, 1)
        if produced > RATIO_GRACE_BYTES and produced > max_ratio * consumed:
            raise ArchiveError("ratio", f"{info.filename} unpacks more than {max_ratio} times what it was read from")
    return total


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The member inflated CHUNK bytes at a time (zipfile bounds each deflate call's output)."""
    if info.compress_type not in _METHODS:
        raise ArchiveError("damaged", f"{info.filename}: compression method {info.compress_type}")
    with zf.open(info) as member:
        while chunk := member.read(CHUNK):
            yield chunk
