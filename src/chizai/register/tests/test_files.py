"""Encrypted versioned files: round trip, nothing readable at rest, refusals that leave nothing behind."""

import base64
import io
import os
from pathlib import Path

import pytest

from chizai.core.models import AuditEvent
from chizai.core.services import ChizaiError
from chizai.register import crypto, services
from chizai.register.models import AssetFile, FileVersion

MARKER = b"CHIZAI-PLAINTEXT-MARKER-7f3a"


@pytest.fixture
def asset(org, owner):
    return services.create_asset(owner, org, title_ja="焼入れ条件", classification="confidential")


def _files_under(path) -> list[Path]:
    return [p for p in Path(path).rglob("*") if p.is_file()]


def _content(size: int, marker_every: int = 100_000) -> bytes:
    data = bytearray(os.urandom(size))
    for offset in range(0, size - len(MARKER), marker_every):
        data[offset : offset + len(MARKER)] = MARKER
    return bytes(data)


def test_round_trip_across_chunk_boundaries(org, owner, asset):
    data = _content(crypto.CHUNK * 2 + 123)
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(data), name="条件表.bin")
    _version, stream = services.download(owner, org, version.pk)
    assert b"".join(stream) == data
    assert version.size == len(data) and version.number == 1


def test_exact_chunk_multiple_round_trips(org, owner, asset):
    data = _content(crypto.CHUNK * 2)
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(data), name="a.bin")
    assert b"".join(services.download(owner, org, version.pk)[1]) == data


def test_no_plaintext_marker_anywhere_under_storage(org, owner, asset, storage_dir, tmp_path):
    services.upload_version(owner, org, asset.pk, io.BytesIO(_content(300_000)), name="secret.txt")
    services.upload_version(owner, org, asset.pk, io.BytesIO(MARKER * 10), name="short.txt")
    stored = _files_under(storage_dir)
    assert len(stored) == 2
    for path in stored:
        body = path.read_bytes()
        assert MARKER not in body
        assert base64.b64encode(MARKER[:24]) not in body


def test_sha256_of_plaintext_recorded_and_versions_numbered(org, owner, asset):
    import hashlib

    first = services.upload_version(owner, org, asset.pk, io.BytesIO(b"v1 content"), name="spec.txt")
    second = services.upload_version(
        owner, org, asset.pk, io.BytesIO(b"v2 content"), name="spec.txt", file_id=first.file_id
    )
    assert first.sha256 == hashlib.sha256(b"v1 content").hexdigest()
    assert (first.number, second.number) == (1, 2)
    assert second.chain_prev == first.chain_hash and second.chain_seq == first.chain_seq + 1


def test_tampered_ciphertext_is_refused(org, owner, asset, storage_dir):
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(_content(50_000)), name="x.bin")
    path = Path(storage_dir) / version.storage_name
    body = bytearray(path.read_bytes())
    body[100] ^= 0x01
    path.write_bytes(bytes(body))
    with pytest.raises(ChizaiError, match="altered"):
        services.download(owner, org, version.pk)
    assert not AuditEvent.objects.filter(action="register.version.download").exists()


def test_a_swapped_stored_object_is_refused_by_its_recorded_sha256(org, owner, asset, storage_dir):
    """Authentic ciphertext of another version (same key) put in place still fails the hash check."""
    first = services.upload_version(owner, org, asset.pk, io.BytesIO(_content(crypto.CHUNK * 2 + 5)), name="a.bin")
    second = services.upload_version(owner, org, asset.pk, io.BytesIO(b"other"), name="b.bin")
    (Path(storage_dir) / first.storage_name).write_bytes((Path(storage_dir) / second.storage_name).read_bytes())
    FileVersion.objects.filter(pk=first.pk).update(wrapped_key=second.wrapped_key, key_id=second.key_id)
    with pytest.raises(ChizaiError, match="does not match the recorded SHA-256"):
        services.download(owner, org, first.pk)
    assert not AuditEvent.objects.filter(action="register.version.download").exists()


def test_truncated_ciphertext_is_refused(org, owner, asset, storage_dir):
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(_content(crypto.CHUNK + 10)), name="x.bin")
    path = Path(storage_dir) / version.storage_name
    body = path.read_bytes()
    # Cut the final record off entirely: every remaining chunk still authenticates on its own.
    path.write_bytes(body[: len(crypto.MAGIC) + 8 + 4 + crypto.CHUNK + 16])
    with pytest.raises(ChizaiError, match="truncated|altered"):
        services.download(owner, org, version.pk)


def test_wrong_master_key_is_refused_clearly(org, owner, asset, monkeypatch):
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(b"data"), name="x.txt")
    monkeypatch.setenv("CHIZAI_MASTER_KEY", base64.b64encode(b"z" * 32).decode())
    with pytest.raises(ChizaiError, match="not configured"):
        services.download(owner, org, version.pk)


def test_rotation_rewraps_without_rewriting_files(org, owner, asset, monkeypatch, storage_dir):
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(b"rotate me"), name="x.txt")
    before = (Path(storage_dir) / version.storage_name).read_bytes()
    old = os.environ["CHIZAI_MASTER_KEY"]
    monkeypatch.setenv("CHIZAI_MASTER_KEY", base64.b64encode(b"n" * 32).decode())
    monkeypatch.setenv("CHIZAI_MASTER_KEYS_OLD", old)
    assert services.rewrap_keys(owner).org_keys == 1
    monkeypatch.delenv("CHIZAI_MASTER_KEYS_OLD")
    assert b"".join(services.download(owner, org, version.pk)[1]) == b"rotate me"
    assert (Path(storage_dir) / version.storage_name).read_bytes() == before


def test_empty_file_refused_and_nothing_left(org, owner, asset, storage_dir):
    with pytest.raises(ChizaiError, match="empty"):
        services.upload_version(owner, org, asset.pk, io.BytesIO(b""), name="empty.txt")
    assert not FileVersion.objects.exists() and not AssetFile.objects.exists()
    assert _files_under(storage_dir) == []


def test_oversized_file_refused_and_nothing_left(org, owner, asset, storage_dir, settings):
    settings.CHIZAI_REGISTER_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ChizaiError, match="larger than the limit"):
        services.upload_version(owner, org, asset.pk, io.BytesIO(b"x" * 1001), name="big.bin")
    assert not FileVersion.objects.exists() and _files_under(storage_dir) == []


class _Interrupted(io.RawIOBase):
    """A client that goes away after sending some data."""

    def __init__(self):
        self.sent = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.sent > 3 * 1024 * 1024:
            raise OSError("connection reset by peer")
        piece = (MARKER * (len(buffer) // len(MARKER) + 1))[: len(buffer)]
        buffer[: len(piece)] = piece
        self.sent += len(piece)
        return len(piece)


def test_interrupted_upload_leaves_nothing(org, owner, asset, storage_dir):
    with pytest.raises(ChizaiError, match="interrupted"):
        services.upload_version(owner, org, asset.pk, _Interrupted(), name="cut.bin")
    assert not FileVersion.objects.exists() and _files_under(storage_dir) == []


def test_database_failure_after_storing_removes_the_object(org, owner, asset, storage_dir, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_record_version", boom)
    with pytest.raises(RuntimeError):
        services.upload_version(owner, org, asset.pk, io.BytesIO(b"abc"), name="a.txt")
    assert _files_under(storage_dir) == []


def test_download_is_audited(org, owner, asset):
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(b"abc"), name="a.txt")
    list(services.download(owner, org, version.pk)[1])
    event = AuditEvent.objects.get(action="register.version.download")
    assert event.actor_username == owner.username and event.object_id == str(version.pk)


def test_html_upload_is_not_served_as_html(org, owner, asset):
    version = services.upload_version(
        owner, org, asset.pk, io.BytesIO(b"<html><script>alert(1)</script>"), name="x.html"
    )
    assert version.content_type == "application/octet-stream"


def test_stored_object_deleted_with_asset(org, owner, asset, storage_dir, django_capture_on_commit_callbacks):
    services.upload_version(owner, org, asset.pk, io.BytesIO(b"abc"), name="a.txt")
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_asset(owner, org, asset.pk)
    assert _files_under(storage_dir) == []


def test_no_temporary_ciphertext_is_left_behind(org, owner, asset, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    (tmp_path / "upload-tmp").mkdir()
    settings.CHIZAI_REGISTER_MAX_UPLOAD_BYTES = 10
    for body in (b"", b"x" * 11):
        with pytest.raises(ChizaiError):
            services.upload_version(owner, org, asset.pk, io.BytesIO(body), name="a.bin")
    services.upload_version(owner, org, asset.pk, io.BytesIO(b"ok"), name="a.bin")
    assert list((tmp_path / "upload-tmp").iterdir()) == []


def test_malformed_master_key_refuses_upload_clearly(org, owner, asset, monkeypatch, storage_dir):
    monkeypatch.setenv("CHIZAI_MASTER_KEY", "not-base64!")
    with pytest.raises(ChizaiError, match="CHIZAI_MASTER_KEY"):
        services.upload_version(owner, org, asset.pk, io.BytesIO(b"abc"), name="a.txt")
    assert _files_under(storage_dir) == []


def test_embedded_master_key_is_created_private_and_reused(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("CHIZAI_MASTER_KEY")
    settings.CHIZAI_HOME = tmp_path
    first = crypto.current_key()
    assert (tmp_path / "master_key").stat().st_mode & 0o777 == 0o600
    assert crypto.current_key() == first
