"""The streaming cipher: any split of the input round-trips, the SHA-256 is that of the
plaintext, and an upload that fails midway leaves no hashing thread behind."""

import hashlib
import io
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chizai.register import crypto

CHUNK = crypto.CHUNK


def _hash_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("chizai-sha256")]


def _pieces(data: bytes, cuts: list[int]):
    edges = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    for start, end in zip(edges, edges[1:], strict=False):
        yield data[start:end]


class _Trickle(io.RawIOBase):
    """A stream that answers each read with at most ``step`` bytes, as a socket may."""

    def __init__(self, data: bytes, step: int):
        self._data, self._at, self._step = data, 0, step

    def readable(self):
        return True

    def readinto(self, buffer):
        piece = self._data[self._at : self._at + min(self._step, len(buffer))]
        buffer[: len(piece)] = piece
        self._at += len(piece)
        return len(piece)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.sampled_from([1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 17]) | st.integers(1, 3 * CHUNK),
    cuts=st.lists(st.integers(0, 4 * CHUNK), max_size=6),
    seed=st.integers(0, 255),
    kind=st.sampled_from(["pieces", "file", "trickle"]),
)
def test_any_split_round_trips_with_the_plaintext_digest(org, size, cuts, seed, kind):
    data = bytes((seed + i * 7) % 251 for i in range(min(size, 4096))) * (size // 4096 + 1)
    data = data[:size]
    source = {
        "pieces": lambda: _pieces(data, cuts),
        "file": lambda: io.BytesIO(data),
        "trickle": lambda: _Trickle(data, 1 + (cuts[0] if cuts else 99_999) % (CHUNK // 3)),
    }[kind]()
    out = io.BytesIO()
    sealed = crypto.encrypt_stream(source, out, org)
    assert sealed.size == size
    assert sealed.sha256 == hashlib.sha256(data).hexdigest()
    assert sealed.head == data[: crypto.HEAD]
    out.seek(0)
    assert b"".join(crypto.decrypt_stream(out, sealed.wrapped_key, sealed.key_id, org)) == data
    assert _hash_threads() == []


def test_a_source_failing_midway_stops_the_hashing_thread(org):
    def source():
        for _ in range(6):
            yield b"x" * CHUNK
        raise OSError("connection reset by peer")

    with pytest.raises(OSError, match="connection reset"):
        crypto.encrypt_stream(source(), io.BytesIO(), org)
    assert _hash_threads() == []


def test_too_large_is_raised_while_streaming_and_leaves_no_thread(org):
    blocks = (b"y" * CHUNK for _ in range(50))
    with pytest.raises(ValueError, match="too large"):
        crypto.encrypt_stream(blocks, io.BytesIO(), org, max_size=3 * CHUNK)
    assert _hash_threads() == []


class _SlowSha256:
    """SHA-256 whose updates lag behind, as on a loaded machine, copying nothing early."""

    def __init__(self, data=b""):
        import time

        self._inner, self._sleep = hashlib.sha256(data), time.sleep

    def update(self, block):
        self._sleep(0.004)
        self._inner.update(block)

    def hexdigest(self):
        return self._inner.hexdigest()

    def digest(self):
        return self._inner.digest()


def test_reused_read_buffers_are_not_refilled_while_the_hash_still_needs_them(org, monkeypatch):
    """With hashing slower than reading, a block must still be hashed as it was read."""
    import types

    monkeypatch.setattr(crypto, "hashlib", types.SimpleNamespace(sha256=_SlowSha256))
    data = b"".join(bytes([n]) * CHUNK for n in range(14)) + b"tail"
    out = io.BytesIO()
    sealed = crypto.encrypt_stream(io.BytesIO(data), out, org)
    assert sealed.sha256 == hashlib.sha256(data).hexdigest()
    out.seek(0)
    assert b"".join(crypto.decrypt_stream(out, sealed.wrapped_key, sealed.key_id, org)) == data


def test_an_empty_input_seals_to_an_empty_plaintext(org):
    out = io.BytesIO()
    sealed = crypto.encrypt_stream(io.BytesIO(b""), out, org)
    assert (sealed.size, sealed.head) == (0, b"")
    assert sealed.sha256 == hashlib.sha256(b"").hexdigest()
    out.seek(0)
    assert b"".join(crypto.decrypt_stream(out, sealed.wrapped_key, sealed.key_id, org)) == b""
