"""Files at rest: AES-256-GCM in chunks, a fresh data key per file, wrapped by the
organisation's key, which is wrapped by a master key.

Layout of a stored object: ``MAGIC`` (8 bytes) + nonce prefix (8 bytes), then records of
``len (4 bytes, big-endian) + ciphertext`` of at most ``CHUNK`` plaintext bytes each. Each
chunk's nonce is the prefix + its index, and its associated data says whether it is the
last one, so reordering, dropping or truncating chunks fails authentication just like
flipping a bit does. Memory use is one chunk whatever the file size.

The master key comes from ``CHIZAI_MASTER_KEY`` (or ``CHIZAI_MASTER_KEY_FILE``): base64 of
32 bytes. The embedded default creates one under CHIZAI_HOME, as settings does for the
secret key. Old keys stay readable through ``CHIZAI_MASTER_KEYS_OLD`` (comma-separated
base64), so rotation re-wraps one organisation key per organisation and touches no file.

Key ids: a master key's id is derived from the key (16 hex digits); an organisation key's id
is random with the prefix ``org-`` (rows of ``register.models.OrganizationKey``, looked up by
``register.keys``). A sealed row's ``key_id`` names the key that wraps its data key; rows
written before organisation keys existed name a master key directly and stay readable until
``rewrap-keys`` moves them.
"""
from __future__ import annotations

import base64
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
from django.conf import settings

from chizai.conf.env import env_list, env_secret

MAGIC = b"CHZENC01"
CHUNK = 1024 * 1024
_PREFIX = 8
_TAG = 16


class KeyError_(Exception):
    """The master key needed for a file is missing or wrong."""


class IntegrityError_(Exception):
    """The stored ciphertext was altered, truncated or is not ours."""


def decode_key(raw: str, where: str) -> bytes:
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (ValueError, TypeError):
        raise KeyError_(f"{where} is not valid base64.") from None
    if len(key) != 32:
        raise KeyError_(f"{where} must be base64 of exactly 32 bytes (it has {len(key)}).")
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"chizai-master-key-id" + key).hexdigest()[:16]


def _embedded_master_key() -> bytes:
    path = settings.CHIZAI_HOME / "master_key"
    if path.exists():
        return decode_key(path.read_text(encoding="ascii"), str(path))
    if getattr(settings, "PRODUCTION", False):
        raise KeyError_("CHIZAI_MASTER_KEY (or CHIZAI_MASTER_KEY_FILE) must be set when CHIZAI_PRODUCTION=1. "
                        "Generate one with: python -c 'import os,base64; print(base64.b64encode(os.urandom(32)).decode())'")
    settings.CHIZAI_HOME.mkdir(parents=True, exist_ok=True)
    key = os.urandom(32)
    # Created with mode 600 from the start so the key is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(key).decode())
    return key


def current_key() -> tuple[str, bytes]:
    raw = env_secret("CHIZAI_MASTER_KEY")
    key = decode_key(raw, "CHIZAI_MASTER_KEY") if raw else _embedded_master_key()
    return key_id(key), key


def keyring() -> dict[str, bytes]:
    kid, key = current_key()
    ring = {kid: key}
    for index, raw in enumerate(env_list("CHIZAI_MASTER_KEYS_OLD")):
        old = decode_key(raw, f"CHIZAI_MASTER_KEYS_OLD[{index}]")
        ring.setdefault(key_id(old), old)
    return ring


def wrap(data_key: bytes, kid: str, master: bytes) -> str:
    """The legacy layout: a data key wrapped by the master key directly (new files never get it)."""
    return _seal_key(data_key, master, kid.encode())


def unwrap(wrapped: str, kid: str) -> bytes:
    """Unwrap a legacy data key, wrapped by the master key ``kid`` directly."""
    data_key = _open_key(wrapped, _master(kid, "This file was encrypted"), kid.encode())
    if data_key is None:
        raise KeyError_(f"The master key configured as {kid} cannot unwrap this file's key: wrong master key.")
    return data_key


ORG_KID_PREFIX = "org-"
# Bounded only so a long-lived worker cannot grow it without limit; it holds one entry per
# organisation key in practice.
_ORG_KEY_CACHE_MAX = 4096
_org_key_cache: dict[tuple[str, int, str, str], bytes] = {}


def _master(master_kid: str, subject: str) -> bytes:
    master = keyring().get(master_kid)
    if master is None:
        raise KeyError_(f"{subject} under master key {master_kid}, which is not configured "
                        "(set CHIZAI_MASTER_KEY, or list the old key in CHIZAI_MASTER_KEYS_OLD).")
    return master


def _seal_key(secret: bytes, key: bytes, aad: bytes) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, secret, aad)).decode()


def _open_key(wrapped: str, key: bytes, aad: bytes) -> bytes | None:
    try:
        blob = base64.b64decode(wrapped, validate=True)
        return AESGCM(key).decrypt(blob[:12], blob[12:], aad)
    except (InvalidTag, ValueError):
        return None


def new_org_kid() -> str:
    # Random rather than derived from the key, so an id says nothing about the key; the
    # prefix is what tells it apart from a master key id on legacy rows.
    return ORG_KID_PREFIX + secrets.token_hex(12)


def is_org_kid(kid: str) -> bool:
    return kid.startswith(ORG_KID_PREFIX)


def _org_key_aad(org_id: int, kid: str, master_kid: str) -> bytes:
    # Binding the organisation makes a wrapped key copied onto another organisation's row useless.
    return b"chizai-org-key\0%d\0%s\0%s" % (org_id, kid.encode(), master_kid.encode())


def _data_key_aad(org_id: int, kid: str) -> bytes:
    return b"chizai-data-key\0%d\0%s" % (org_id, kid.encode())


def wrap_org_key(org_key: bytes, org_id: int, kid: str) -> tuple[str, str]:
    """Wrap an organisation key under the current master key: (master key id, wrapped key)."""
    master_kid, master = current_key()
    return master_kid, _seal_key(org_key, master, _org_key_aad(org_id, kid, master_kid))


def unwrap_org_key(wrapped: str, org_id: int, kid: str, master_kid: str) -> bytes:
    # The keyring is consulted even on a cache hit, so a master key taken out of the
    # configuration stops access at once rather than at the next restart.
    master = _master(master_kid, f"The key of this organisation ({kid}) is wrapped")
    cache_key = (kid, org_id, master_kid, wrapped)
    org_key = _org_key_cache.get(cache_key)
    if org_key is None:
        org_key = _open_key(wrapped, master, _org_key_aad(org_id, kid, master_kid))
        if org_key is None:
            raise KeyError_(f"The master key configured as {master_kid} cannot unwrap organisation key {kid}: "
                            "wrong master key, or the wrapped key was altered or moved to another organisation.")
        if len(_org_key_cache) >= _ORG_KEY_CACHE_MAX:
            _org_key_cache.clear()
        _org_key_cache[cache_key] = org_key
    return org_key


def wrap_data_key(data_key: bytes, org_key: bytes, org_id: int, kid: str) -> str:
    return _seal_key(data_key, org_key, _data_key_aad(org_id, kid))


def unwrap_data_key(wrapped: str, org_key: bytes, org_id: int, kid: str) -> bytes:
    data_key = _open_key(wrapped, org_key, _data_key_aad(org_id, kid))
    if data_key is None:
        raise KeyError_(f"Organisation key {kid} cannot unwrap this file's key: "
                        "the wrapped key was altered or belongs to another organisation.")
    return data_key


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
    from chizai.register import keys  # the database half of the key hierarchy

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


def _write_record(out, aead: AESGCM, prefix: bytes, index: int, block: bytes | memoryview, record: bytearray, *,
                  last: bool) -> None:
    # Sealed into one reused buffer (length prefix + ciphertext + tag) and written with a
    # single call: no fresh megabyte per block for the allocator to map and fault in.
    length = len(block) + _TAG
    if len(record) < 4 + length:
        record.extend(bytes(4 + length - len(record)))
    struct.pack_into(">I", record, 0, length)
    view = memoryview(record)
    aead.encrypt_into(_nonce(prefix, index), block, _aad(index, last), view[4:4 + length])
    out.write(view[:4 + length])


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
    from chizai.register import keys

    aead = AESGCM(keys.open_data_key(wrapped_key, kid, organization))
    header = _read_exact(handle, len(MAGIC) + _PREFIX)
    if len(header) != len(MAGIC) + _PREFIX or header[: len(MAGIC)] != MAGIC:
        raise IntegrityError_("The stored file is not a chizai encrypted file (bad header).")
    prefix = header[len(MAGIC):]
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
