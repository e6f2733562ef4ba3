"""Files at rest: AES-256-GCM in chunks, a fresh data key per file, wrapped by the
organisation's key, which is wrapped by a master key.

Layout of a stored object: ``MAGIC`` (8 bytes) + nonce prefix (8 bytes), then records of
``len (4 bytes, big-endian) + ciphertext`` of at most ``CHUNK`` plaintext bytes each. Each
chunk's nonce is the prefix + its index, and its associated data says whether it is the
last one, so reordering, dropping or truncating chunks fails authentication just like
flipping a bit does. Memory use is one chunk whatever the file size.

Keys: the data key is wrapped by the organisation's key (``keys``, the database half), which
is wrapped by a master key (``keywrap``, which also holds the key ids and the wrapping; its
public names are re-exported here, so ``crypto.KeyError_``, ``crypto.current_key`` … keep
working).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import struct
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO
from collections.abc import Generator, Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chizai.register import keys
from chizai.register.keywrap import (  # noqa: F401  (re-exported: callers use crypto.<name>)
    ORG_KID_PREFIX,
    KeyError_,
    current_key,
    decode_key,
    is_org_kid,
    key_id,
    keyring,
    new_org_kid,
    unwrap,
    unwrap_data_key,
    unwrap_org_key,
    wrap,
    wrap_data_key,
    wrap_org_key,
)

MAGIC = b"CHZENC01"
CHUNK = 1024 * 1024
_PREFIX = 8
_TAG = 16


class IntegrityError_(Exception):
    """The stored ciphertext was altered, truncated or is not ours."""


@dataclass
class Sealed:
    size: int
    sha256: str
    key_id: str
    wrapped_key: str
    head: bytes = b""  # the first bytes of the plaintext, for sniffing its type


HEAD = 64


def _aad(index: int, last: bool) -> bytes:
    return MAGIC + struct.pack(">Q?", index, last)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _rechunk(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Re-cut arbitrary input pieces into CHUNK-sized blocks (the last may be shorter)."""
    buffer = bytearray()
    for piece in chunks:
        if not buffer and len(piece) == CHUNK:
            # The usual case (files read CHUNK at a time): no copy at all.
            yield piece
            continue
        buffer += piece
        while len(buffer) >= CHUNK:
            yield bytes(buffer[:CHUNK])
            del buffer[:CHUNK]
    if buffer:
        yield bytes(buffer)


def _read_blocks(handle) -> Iterator[memoryview]:
    """CHUNK-sized blocks of a binary file read into a ring of reused buffers.

    Private on purpose: a buffer is filled again ``len(ring)`` blocks later, which is safe
    only for the consumer below — it holds one block back and lets the hashing thread hold
    at most ``_BackgroundDigest.DEPTH + 1``. Reading into buffers that stay mapped saves
    the fresh megabyte per block that ``read`` allocates.
    """
    size = _BackgroundDigest.DEPTH + 4
    ring: list[bytearray] = []  # grown as needed, so a small file costs one buffer, not eight
    index = 0
    while True:
        if len(ring) < size:
            ring.append(bytearray(CHUNK))
        buffer = ring[index % size]
        view = memoryview(buffer)
        filled = 0
        while filled < CHUNK:
            got = handle.readinto(view[filled:])
            if not got:
                break
            filled += got
        if not filled:
            return
        yield view[:filled]
        if filled < CHUNK:
            return
        index += 1


def encrypt_stream(source, out: IO[bytes], organization, *, max_size: int | None = None) -> Sealed:
    """Encrypt ``source`` into ``out``; returns size, SHA-256 of the plaintext and the wrapped key.

    ``source`` is a binary file object (anything with ``readinto``) or an iterable of byte
    pieces of any size. The data key is wrapped by ``organization``'s key (an Organization
    or its id). Raises ``ValueError`` when the input passes ``max_size`` (checked as it
    streams).
    """
    data_key = AESGCM.generate_key(bit_length=256)
    # Wrapped before any byte is encrypted, so a missing master key fails an upload at once.
    kid, wrapped_key = keys.wrap_new_data_key(organization, data_key)
    aead = AESGCM(data_key)
    prefix = os.urandom(_PREFIX)
    out.write(MAGIC + prefix)
    size = 0
    index = 0
    pending: bytes | memoryview | None = None  # a block of _read_blocks is a view
    record = bytearray()  # grown to the largest block, so a small file does not pay for a megabyte
    head = b""
    blocks = _read_blocks(source) if hasattr(source, "readinto") else _rechunk(source)
    with _BackgroundDigest() as digest:
        # One block is held back so the final block can be sealed with last=True.
        for block in blocks:
            if not size:
                head = bytes(block[:HEAD])
            size += len(block)
            if max_size is not None and size > max_size:
                raise ValueError("too large")
            digest.update(block)
            if pending is not None:
                _write_record(out, aead, prefix, index, pending, record, last=False)
                index += 1
            pending = block
        _write_record(out, aead, prefix, index, pending or b"", record, last=True)
        sha256 = digest.hexdigest()
    return Sealed(size=size, sha256=sha256, key_id=kid, wrapped_key=wrapped_key, head=head)


class _BackgroundDigest:
    """SHA-256 of a stream, computed on a helper thread after the first block.

    Hashing is the slowest step of an upload (about 1.7 GB/s with SHA-NI against about
    10 GB/s for AES-GCM with VAES), and hashlib releases the GIL on large buffers, so a
    second core hashes while this thread encrypts and writes. One worker keeps the blocks
    in order; at most ``DEPTH`` blocks wait, so memory stays bounded. A one-block input
    (the common small file) is hashed inline and starts no thread.
    """

    DEPTH = 4

    def __init__(self):
        self._digest = hashlib.sha256()
        self._pool: ThreadPoolExecutor | None = None
        self._waiting: deque = deque()
        self._blocks = 0

    def __enter__(self):
        return self

    def update(self, block: bytes) -> None:
        self._blocks += 1
        if self._blocks == 1:
            self._digest.update(block)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chizai-sha256")
        self._waiting.append(self._pool.submit(self._digest.update, block))
        if len(self._waiting) > self.DEPTH:
            self._waiting.popleft().result()

    def hexdigest(self) -> str:
        while self._waiting:
            self._waiting.popleft().result()
        return self._digest.hexdigest()

    def __exit__(self, *exc_info):
        if self._pool is not None:
            # On an error the queued blocks are dropped; the worker finishes at most one.
            for future in self._waiting:
                future.cancel()
            self._pool.shutdown(wait=True)
        return False


def _write_record(
    out, aead: AESGCM, prefix: bytes, index: int, block: bytes | memoryview, record: bytearray, *, last: bool
) -> None:
    # Sealed into one reused buffer (length prefix + ciphertext + tag) and written with a
    # single call: no fresh megabyte per block for the allocator to map and fault in.
    length = len(block) + _TAG
    if len(record) < 4 + length:
        record.extend(bytes(4 + length - len(record)))
    struct.pack_into(">I", record, 0, length)
    view = memoryview(record)
    aead.encrypt_into(_nonce(prefix, index), block, _aad(index, last), view[4 : 4 + length])
    out.write(view[: 4 + length])


def _read_exact(handle: IO[bytes], n: int) -> bytes:
    first = handle.read(n)
    if len(first) == n or not first:
        return first  # the usual case: one read, no copy
    data = bytearray(first)
    while len(data) < n:
        piece = handle.read(n - len(data))
        if not piece:
            break
        data += piece
    return bytes(data)


def decrypt_stream(handle: IO[bytes], wrapped_key: str, kid: str, organization) -> Generator[bytes, None, None]:
    """Yield plaintext blocks; raises ``IntegrityError_`` on any alteration or truncation.

    ``organization`` is the owner of the row the key came from: an organisation key of any
    other organisation is refused.
    """
    aead = AESGCM(keys.open_data_key(wrapped_key, kid, organization))
    header = _read_exact(handle, len(MAGIC) + _PREFIX)
    if len(header) != len(MAGIC) + _PREFIX or header[: len(MAGIC)] != MAGIC:
        raise IntegrityError_("The stored file is not a chizai encrypted file (bad header).")
    prefix = header[len(MAGIC) :]
    index = 0
    while True:
        length_bytes = _read_exact(handle, 4)
        if len(length_bytes) < 4:
            raise IntegrityError_("The stored file ends early: it was truncated.")
        (length,) = struct.unpack(">I", length_bytes)
        if length < _TAG or length > CHUNK + _TAG:
            raise IntegrityError_("The stored file is damaged (impossible record length).")
        sealed = _read_exact(handle, length)
        if len(sealed) < length:
            raise IntegrityError_("The stored file ends early: it was truncated.")
        for last in (False, True):
            try:
                block = aead.decrypt(_nonce(prefix, index), sealed, _aad(index, last))
                break
            except InvalidTag:
                block = None
        if block is None:
            raise IntegrityError_("The stored file was altered: authentication of its encrypted content failed.")
        yield block
        if last:
            if handle.read(1):
                raise IntegrityError_("The stored file has data after its final block: it was altered.")
            return
        index += 1


class Sealer:
    """``encrypt_stream`` for a body that arrives in pieces (an HTTP request read as it
    comes): ``write`` each piece, then ``finish``. Same format, same keys; memory is one
    chunk. Raises ``ValueError`` from ``write`` once ``max_size`` is passed."""

    def __init__(self, out: IO[bytes], organization, *, max_size: int | None = None):
        data_key = AESGCM.generate_key(bit_length=256)
        self._kid, self._wrapped = keys.wrap_new_data_key(organization, data_key)
        self._aead = AESGCM(data_key)
        self._prefix = os.urandom(_PREFIX)
        self._out, self._max = out, max_size
        self._buffer = bytearray()
        self._record = bytearray()
        self._digest = hashlib.sha256()
        self._index = 0
        self.size = 0
        self.head = b""
        out.write(MAGIC + self._prefix)

    def write(self, piece: bytes) -> None:
        if not piece:
            return
        self.size += len(piece)
        if self._max is not None and self.size > self._max:
            raise ValueError("too large")
        if len(self.head) < HEAD:
            self.head += bytes(piece[: HEAD - len(self.head)])
        self._digest.update(piece)
        self._buffer += piece
        # A full chunk is sealed only once a byte after it has arrived: the last one needs last=True.
        while len(self._buffer) > CHUNK:
            block = bytes(self._buffer[:CHUNK])
            del self._buffer[:CHUNK]
            _write_record(self._out, self._aead, self._prefix, self._index, block, self._record, last=False)
            self._index += 1

    def finish(self) -> Sealed:
        _write_record(self._out, self._aead, self._prefix, self._index, bytes(self._buffer), self._record, last=True)
        self._buffer.clear()
        return Sealed(
            size=self.size, sha256=self._digest.hexdigest(), key_id=self._kid, wrapped_key=self._wrapped, head=self.head
        )


def chunk_count(size: int) -> int:
    """How many records hold ``size`` plaintext bytes (an empty file still has one)."""
    return max(1, -(-size // CHUNK))


def record_offset(index: int) -> int:
    """Where record ``index`` starts in a stored object: every record but the last is full."""
    return len(MAGIC) + _PREFIX + index * (4 + CHUNK + _TAG)


def sealed_length(size: int) -> int:
    """The length of the stored object that holds ``size`` plaintext bytes."""
    last = chunk_count(size) - 1
    return record_offset(last) + 4 + (size - last * CHUNK) + _TAG


def decrypt_range(
    handle, wrapped_key: str, kid: str, organization, start: int, end: int, *, size: int
) -> Generator[bytes, None, None]:
    """Plaintext bytes ``start``..``end`` (inclusive) of a stored object whose plaintext is
    ``size`` bytes (the recorded size), decrypting only the chunks the range falls in.

    ``handle`` needs ``seek`` and ``read``. Each chunk is authenticated with its index and
    with whether it is the last one, which the recorded size decides (not the file), so a
    truncated, reordered or altered object raises ``IntegrityError_`` instead of giving
    garbage. Trailing data after the last record is seen only by a full read
    (``decrypt_stream``); a range never reaches it.
    """
    if not 0 <= start <= end < size:
        raise ValueError(f"range {start}-{end} outside 0-{size - 1}")
    aead = AESGCM(keys.open_data_key(wrapped_key, kid, organization))
    handle.seek(0)
    header = _read_exact(handle, len(MAGIC) + _PREFIX)
    if len(header) != len(MAGIC) + _PREFIX or header[: len(MAGIC)] != MAGIC:
        raise IntegrityError_("The stored file is not a chizai encrypted file (bad header).")
    prefix = header[len(MAGIC) :]
    count = chunk_count(size)
    first, final = start // CHUNK, end // CHUNK
    handle.seek(record_offset(first))
    for index in range(first, final + 1):
        last = index == count - 1
        length = (size - index * CHUNK if last else CHUNK) + _TAG
        record = _read_exact(handle, 4 + length)
        if len(record) < 4 + length:
            raise IntegrityError_("The stored file ends early: it was truncated.")
        if struct.unpack(">I", record[:4])[0] != length:
            raise IntegrityError_("The stored file is damaged (a record length does not match the recorded size).")
        try:
            block = aead.decrypt(_nonce(prefix, index), memoryview(record)[4:], _aad(index, last))
        except InvalidTag:
            raise IntegrityError_(
                "The stored file was altered: authentication of its encrypted content failed."
            ) from None
        low = start - index * CHUNK if index == first else 0
        high = end - index * CHUNK + 1 if index == final else len(block)
        yield block[low:high] if (low, high) != (0, len(block)) else block


def plaintext_sha256(handle: IO[bytes], wrapped_key: str, kid: str, organization) -> str:
    """Authenticate a whole stored file and return the SHA-256 of its plaintext.

    The check a download makes before its first byte is sent; the hash runs on a second core
    while this one decrypts (each block is a fresh object, so the worker may keep it).
    """
    with _BackgroundDigest() as digest:
        for block in decrypt_stream(handle, wrapped_key, kid, organization):
            digest.update(block)
        return digest.hexdigest()


def random_name() -> str:
    return secrets.token_hex(16)
